//! Finding and dialing the BuildKit daemon.
//!
//! `BUILDKIT_HOST` wins: `unix://PATH`, `tcp://HOST:PORT` or
//! `docker-container://NAME` (through `docker exec -i NAME buildctl dial-stdio`,
//! the way BuildKit's own connection helper reaches a daemon in a container).
//! Without it, Docker's embedded BuildKit is used through the Docker API socket
//! (`DOCKER_HOST`, default `unix:///var/run/docker.sock`): `POST /grpc` with
//! `Upgrade: h2c` turns the HTTP/1.1 connection into a raw HTTP/2 one that
//! speaks BuildKit's gRPC API.
//!
//! Addresses are validated when parsed (see `address`); the container name
//! is checked again before `docker` runs, and follows `--` there, so it can
//! never be read as a flag.

mod address;
mod tls;

use address::check_container_name;
pub use address::Address;
pub(crate) use tls::TlsConnector;
pub use tls::TlsOptions;

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::{TcpStream, UnixStream};
use tonic::transport::{Channel, Endpoint, Uri};

use super::error::ClientError;

/// Silence from the daemon after which a keep-alive PING is sent.
pub(crate) const KEEPALIVE_INTERVAL: Duration = Duration::from_secs(10);
/// How long the PING's answer may take before the connection is dropped.
pub(crate) const KEEPALIVE_TIMEOUT: Duration = Duration::from_secs(10);

/// HTTP/2 receive window of a whole connection (the daemon's, and each
/// session's): what may wait unread. h2 also allows this much / 2 of
/// framing overhead in small DATA frames waiting unread (status updates,
/// session traffic of a hundred builds at once, while the scheduler is busy
/// re-evaluating the plan) before it closes the connection (GOAWAY
/// ENHANCE_YOUR_CALM); its default window (64 KiB) allows about 130 such
/// frames.
pub(crate) const CONNECTION_WINDOW: u32 = 8 << 20;

/// Connection options beyond the address.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConnectOptions {
    /// TLS for a `tcp://` daemon (used when any of its options is set).
    pub tls: TlsOptions,
}

/// The TLS connector for `addr`, or an error when TLS is asked for an
/// address that is not `tcp://` or its files are unusable.
pub(crate) fn tls_for(
    addr: &Address,
    opts: &ConnectOptions,
) -> Result<Option<TlsConnector>, ClientError> {
    if !opts.tls.is_set() {
        return Ok(None);
    }
    let Address::Tcp(hostport) = addr else {
        return Err(ClientError::Tls {
            address: addr.to_string(),
            reason: "the TLS options (--tlscacert, --tlscert, --tlskey, --tlsservername or \
                     BUILDKIT_TLS_*) apply to tcp://HOST:PORT daemons only"
                .into(),
        });
    };
    let host = match hostport.rsplit_once(':') {
        Some((h, _)) => h.trim_start_matches('[').trim_end_matches(']'),
        None => hostport.as_str(),
    };
    TlsConnector::new(&opts.tls, host)
        .map(Some)
        .map_err(|reason| ClientError::Tls {
            address: addr.to_string(),
            reason,
        })
}

/// Dials `addr` and returns a gRPC channel to BuildKit's API.
pub(crate) async fn dial(
    addr: &Address,
    tls: Option<&TlsConnector>,
) -> Result<Channel, ClientError> {
    // The URI is only a label: every connector below ignores it.
    // Keep-alive pings go out only while calls are open and the daemon has
    // sent nothing for KEEPALIVE_INTERVAL (a running solve's session gets
    // BuildKit's health checks every 5 s, so a live daemon is never pinged
    // then); pinging an idle connection would earn a GOAWAY from grpc-go's
    // default policy. A daemon that stopped answering (frozen, or its
    // machine gone) fails every open call within KEEPALIVE_INTERVAL +
    // KEEPALIVE_TIMEOUT; one that exited fails them at once (the socket
    // closes).
    let endpoint = Endpoint::from_static("http://buildkitd")
        .connect_timeout(Duration::from_secs(5))
        .http2_keep_alive_interval(KEEPALIVE_INTERVAL)
        .keep_alive_timeout(KEEPALIVE_TIMEOUT)
        .keep_alive_while_idle(false)
        .initial_connection_window_size(CONNECTION_WINDOW);
    let unreachable = |e: &dyn std::fmt::Display| ClientError::Unreachable {
        address: addr.to_string(),
        reason: e.to_string(),
    };
    let addr2 = addr.clone();
    let tls2 = tls.cloned();
    let connector = tower::service_fn(move |_: Uri| {
        let addr = addr2.clone();
        let tls = tls2.clone();
        async move {
            match (&addr, tls) {
                (Address::Tcp(a), Some(tls)) => {
                    let tcp = TcpStream::connect(a).await?;
                    let stream = tls.connect(tcp).await?;
                    Ok(TokioIo::new(Conn::Tls(Box::new(stream))))
                }
                _ => open(&addr).await.map(TokioIo::new),
            }
        }
    });
    endpoint
        .connect_with_connector(connector)
        .await
        .map_err(|e| {
            let chain = source_chain(&e);
            match tls_reason(&chain) {
                Some(reason) => ClientError::Tls {
                    address: addr.to_string(),
                    reason,
                },
                None => unreachable(&chain),
            }
        })
}

/// The explained TLS failure in an error chain, if it holds one.
pub(crate) fn tls_reason(chain: &str) -> Option<String> {
    chain
        .find("TLS: ")
        .map(|at| chain[at + "TLS: ".len()..].to_string())
}

/// The whole `source()` chain of an error in one line.
pub(crate) fn source_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut cur = e.source();
    while let Some(c) = cur {
        let t = c.to_string();
        if !s.contains(&t) {
            s.push_str(": ");
            s.push_str(&t);
        }
        cur = c.source();
    }
    s
}

/// One byte stream to the daemon's gRPC endpoint.
async fn open(addr: &Address) -> io::Result<Conn> {
    match addr {
        Address::Unix(p) => Ok(Conn::Unix(UnixStream::connect(p).await?)),
        Address::Tcp(a) => Ok(Conn::Tcp(TcpStream::connect(a).await?)),
        Address::DockerUnix(p) => {
            let mut s = UnixStream::connect(p).await?;
            upgrade_h2c(&mut s).await?;
            Ok(Conn::Unix(s))
        }
        Address::DockerTcp(a) => {
            let mut s = TcpStream::connect(a).await?;
            upgrade_h2c(&mut s).await?;
            Ok(Conn::Tcp(s))
        }
        Address::DockerContainer(name) => {
            // An `Address` can be built without parsing: check again.
            check_container_name(name)
                .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
            let mut child = tokio::process::Command::new("docker")
                .args(["exec", "-i", "--", name, "buildctl", "dial-stdio"])
                .stdin(std::process::Stdio::piped())
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::null())
                .kill_on_drop(true)
                .spawn()?;
            let (Some(stdout), Some(stdin)) = (child.stdout.take(), child.stdin.take()) else {
                return Err(io::Error::other("docker exec gave no pipes"));
            };
            Ok(Conn::Process(Box::new(ProcessIo {
                io: tokio::io::join(stdout, stdin),
                _child: child,
            })))
        }
    }
}

/// Turns a Docker API connection into a raw HTTP/2 connection to its BuildKit.
async fn upgrade_h2c<S: AsyncRead + AsyncWrite + Unpin>(s: &mut S) -> io::Result<()> {
    s.write_all(
        b"POST /grpc HTTP/1.1\r\nHost: docker\r\nConnection: Upgrade\r\nUpgrade: h2c\r\nContent-Length: 0\r\n\r\n",
    )
    .await?;
    // Read the response head byte by byte: what follows it is HTTP/2 and must
    // stay in the stream.
    let mut head = Vec::new();
    while !head.ends_with(b"\r\n\r\n") {
        if head.len() > 16 * 1024 {
            return Err(io::Error::other(
                "Docker's answer to the h2c upgrade is too long",
            ));
        }
        let b = s.read_u8().await?;
        head.push(b);
    }
    let text = String::from_utf8_lossy(&head);
    let status = text.lines().next().unwrap_or_default().to_string();
    if !status.contains(" 101") {
        return Err(io::Error::other(format!(
            "Docker refused the BuildKit upgrade ({status})"
        )));
    }
    Ok(())
}

/// The transports, as one type for the connector.
enum Conn {
    Unix(UnixStream),
    Tcp(TcpStream),
    Tls(Box<tls::Recorded>),
    Process(Box<ProcessIo>),
}

/// The pipes of a connection helper process.
struct ProcessIo {
    io: tokio::io::Join<tokio::process::ChildStdout, tokio::process::ChildStdin>,
    // Kept so the helper process lives as long as the connection.
    _child: tokio::process::Child,
}

impl AsyncRead for Conn {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Conn::Unix(s) => Pin::new(s).poll_read(cx, buf),
            Conn::Tcp(s) => Pin::new(s).poll_read(cx, buf),
            Conn::Tls(s) => Pin::new(s.as_mut()).poll_read(cx, buf),
            Conn::Process(p) => Pin::new(&mut p.io).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for Conn {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Conn::Unix(s) => Pin::new(s).poll_write(cx, buf),
            Conn::Tcp(s) => Pin::new(s).poll_write(cx, buf),
            Conn::Tls(s) => Pin::new(s.as_mut()).poll_write(cx, buf),
            Conn::Process(p) => Pin::new(&mut p.io).poll_write(cx, buf),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Conn::Unix(s) => Pin::new(s).poll_flush(cx),
            Conn::Tcp(s) => Pin::new(s).poll_flush(cx),
            Conn::Tls(s) => Pin::new(s.as_mut()).poll_flush(cx),
            Conn::Process(p) => Pin::new(&mut p.io).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Conn::Unix(s) => Pin::new(s).poll_shutdown(cx),
            Conn::Tcp(s) => Pin::new(s).poll_shutdown(cx),
            Conn::Tls(s) => Pin::new(s.as_mut()).poll_shutdown(cx),
            Conn::Process(p) => Pin::new(&mut p.io).poll_shutdown(cx),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_container_address_built_without_parsing_never_runs_docker() {
        let addr = Address::DockerContainer("--privileged".into());
        let err = open(&addr).await.err().expect("refused");
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
        assert!(err.to_string().contains("\"--privileged\""), "{err}");
    }

    #[tokio::test]
    async fn nothing_listening_is_one_clear_line() {
        let dir = std::env::temp_dir().join(format!("llb-no-daemon-{}", std::process::id()));
        let addr = Address::Unix(dir.join("missing.sock"));
        let err = dial(&addr, None).await.unwrap_err();
        let text = err.to_string();
        assert!(matches!(err, ClientError::Unreachable { .. }), "{text}");
        assert!(text.contains("missing.sock"), "{text}");
        assert!(text.contains("BUILDKIT_HOST"), "{text}");
        assert!(!text.contains('\n'), "{text}");
    }
}
