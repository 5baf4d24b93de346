//! A remote BuildKit over mutual TLS: the test makes a CA, a server and a
//! client certificate (openssl, installed by scripts/engine.sh), starts a
//! throwaway buildkitd listening on a loopback TCP port with TLS
//! (scripts/engine-scratch.sh --tls-tcp), and runs plans through it with
//! `BUILDKIT_HOST=tcp://...` and the TLS flags or their `BUILDKIT_TLS_*`
//! variables; then what goes wrong: another CA, no client certificate, a
//! name the certificate does not carry, misused flags.

mod engine_support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use engine_support::*;

/// Makes `ca.pem`, `server.pem` (for 127.0.0.1 and localhost), `client.pem`
/// and their keys in `dir`, and `other-ca.pem`, a CA that signed nothing.
fn make_certs(dir: &Path) {
    let script = r#"set -e
ec() { echo -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes; }
ca() { # NAME CN
  openssl req -x509 $(ec) -keyout "$1-key.pem" -out "$1.pem" -days 2 -subj "/CN=$2" \
    -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign
}
leaf() { # NAME CN EXT
  openssl req $(ec) -keyout "$1-key.pem" -out "$1.csr" -subj "/CN=$2"
  printf '%s\n' "$3" > "$1.ext"
  openssl x509 -req -in "$1.csr" -CA ca.pem -CAkey ca-key.pem -CAcreateserial \
    -out "$1.pem" -days 2 -extfile "$1.ext"
}
ca ca dagger-test-ca
ca other-ca dagger-other-ca
leaf server localhost "$(printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth')"
leaf client dagger-client "extendedKeyUsage=clientAuth"
"#;
    let out = Command::new("bash")
        .arg("-c")
        .arg(script)
        .current_dir(dir)
        .output()
        .expect("bash");
    assert!(
        out.status.success(),
        "making certificates failed (openssl):\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A throwaway daemon on tcp://127.0.0.1:PORT with mutual TLS.
struct TlsDaemon {
    dir: PathBuf,
    certs: PathBuf,
    host: String,
}

impl TlsDaemon {
    fn start() -> TlsDaemon {
        let dir = temp_dir("drt");
        let certs = dir.join("certs");
        std::fs::create_dir_all(&certs).unwrap();
        make_certs(&certs);
        let addr = format!("127.0.0.1:{}", free_port());
        let out = Command::new("bash")
            .arg(repo_root().join("scripts/engine-scratch.sh"))
            .args([
                "buildkitd-start",
                dir.join("bk").to_str().unwrap(),
                "--tls-tcp",
            ])
            .arg(&addr)
            .arg(&certs)
            .output()
            .expect("engine-scratch.sh");
        assert!(
            out.status.success(),
            "the TLS daemon did not start: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let host = String::from_utf8_lossy(&out.stdout).trim().to_string();
        assert_eq!(host, format!("tcp://{addr}"));
        TlsDaemon { dir, certs, host }
    }

    fn cert(&self, name: &str) -> String {
        self.certs.join(name).to_string_lossy().into_owned()
    }
}

impl Drop for TlsDaemon {
    fn drop(&mut self) {
        let _ = Command::new("bash")
            .arg(repo_root().join("scripts/engine-scratch.sh"))
            .args(["clean", self.dir.join("bk").to_str().unwrap()])
            .status();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn have_openssl(test: &str) -> bool {
    let ok = Command::new("openssl").arg("version").output().is_ok();
    if !ok {
        if std::env::var("CI").as_deref() == Ok("true") {
            panic!("{test}: openssl is not installed (scripts/engine.sh up installs it)");
        }
        eprintln!("{test}: skipped, openssl is not installed");
    }
    ok
}

/// Reads a file written inside a container, with a fresh value so that
/// nothing comes from a cache.
fn tls_plan(token: &str) -> String {
    format!(
        r#"package main

remote: {{
	string
	#compute: [
		{{do: "fetch-container", ref: "busybox"}},
		{{do: "exec", args: ["sh", "-c", "printf 'over tls %s' {token} > /out"]}},
		{{do: "export", source: "/out"}},
	]
}}
"#
    )
}

/// `dagger compute` of `cue` against `host` with `args`, and `env` set
/// (the `BUILDKIT_TLS_*` variables of the test environment removed).
fn run(cue: &str, host: &str, args: &[&str], env: &[(&str, String)]) -> Output {
    let dir = plan("drt-plan", cue);
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_dagger"));
    cmd.args(["compute", ".", "--log-format", "plain"])
        .args(args)
        .current_dir(&dir)
        .env("BUILDKIT_HOST", host)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null());
    for v in [
        "BUILDKIT_TLS_CA_CERT",
        "BUILDKIT_TLS_CERT",
        "BUILDKIT_TLS_KEY",
        "BUILDKIT_TLS_SERVER_NAME",
    ] {
        cmd.env_remove(v);
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    let child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run dagger");
    wait_output(child, Duration::from_secs(120))
}

#[test]
fn plans_run_on_a_daemon_behind_mutual_tls_and_tls_failures_are_explained() {
    if shared_engine("remote tls").is_none() || !have_openssl("remote tls") {
        return;
    }
    let daemon = TlsDaemon::start();
    let (ca, cert, key) = (
        daemon.cert("ca.pem"),
        daemon.cert("client.pem"),
        daemon.cert("client-key.pem"),
    );

    // The flags.
    let token = nonce();
    let out = run(
        &tls_plan(&token),
        &daemon.host,
        &["--tlscacert", &ca, "--tlscert", &cert, "--tlskey", &key],
        &[],
    );
    assert!(out.status.success(), "with the flags:\n{}", stderr(&out));
    assert_eq!(
        result_json(&out)["remote"],
        format!("over tls {token}").as_str()
    );

    // The environment variables, and a server name the certificate has.
    let token = nonce();
    let out = run(
        &tls_plan(&token),
        &daemon.host,
        &[],
        &[
            ("BUILDKIT_TLS_CA_CERT", ca.clone()),
            ("BUILDKIT_TLS_CERT", cert.clone()),
            ("BUILDKIT_TLS_KEY", key.clone()),
            ("BUILDKIT_TLS_SERVER_NAME", "localhost".into()),
        ],
    );
    assert!(out.status.success(), "with the env vars:\n{}", stderr(&out));
    assert_eq!(
        result_json(&out)["remote"],
        format!("over tls {token}").as_str()
    );

    // Another CA: the daemon's certificate is not trusted.
    let other = daemon.cert("other-ca.pem");
    let out = run(
        &tls_plan("x"),
        &daemon.host,
        &["--tlscacert", &other, "--tlscert", &cert, "--tlskey", &key],
        &[],
    );
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    for want in [
        &format!("TLS with BuildKit at {} failed", daemon.host),
        &format!("the daemon's certificate is not signed by the CA in {other}"),
        "check --tlscacert",
    ] {
        assert!(err.contains(want), "stderr lacks {want:?}:\n{err}");
    }
    assert!(!err.contains("panicked"), "{err}");

    // No client certificate: the daemon refuses the connection.
    let out = run(&tls_plan("x"), &daemon.host, &["--tlscacert", &ca], &[]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    for want in [
        &format!("TLS with BuildKit at {} failed", daemon.host),
        // The daemon's alert, or (TLS 1.3: it closes after the handshake)
        // the connection it closed.
        "requires a client certificate",
        "pass --tlscert and --tlskey",
    ] {
        assert!(err.contains(want), "stderr lacks {want:?}:\n{err}");
    }

    // A name the daemon's certificate does not carry.
    let out = run(
        &tls_plan("x"),
        &daemon.host,
        &[
            "--tlscacert",
            &ca,
            "--tlscert",
            &cert,
            "--tlskey",
            &key,
            "--tlsservername",
            "buildkit.example.com",
        ],
        &[],
    );
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("the daemon's certificate is not valid for the name \"buildkit.example.com\""),
        "{err}"
    );

    // Plain TCP to a TLS port: the error says TLS may be what is missing.
    let out = run(&tls_plan("x"), &daemon.host, &[], &[]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains(&format!("cannot reach BuildKit at {}", daemon.host))
            && err.contains("if the daemon listens with TLS, pass --tlscacert"),
        "{err}"
    );

    // A client certificate the daemon's CA did not sign is refused by it.
    let out = run(
        &tls_plan("x"),
        &daemon.host,
        &[
            "--tlscacert",
            &ca,
            "--tlscert",
            &other,
            "--tlskey",
            &daemon.cert("other-ca-key.pem"),
        ],
        &[],
    );
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("the daemon refused the client certificate")
            || err.contains("it may not accept the client certificate"),
        "{err}"
    );
}

#[test]
fn misused_tls_flags_are_usage_errors() {
    // No daemon needed: refused before anything is dialed.
    let dir = plan("drt-usage", &tls_plan("x"));
    let dagger = |host: &str, args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_dagger"))
            .args(["compute", "."])
            .args(args)
            .current_dir(&dir)
            .env("BUILDKIT_HOST", host)
            .env_remove("BUILDKIT_TLS_KEY")
            .env_remove("BUILDKIT_TLS_CERT")
            .env_remove("BUILDKIT_TLS_CA_CERT")
            .stdin(Stdio::null())
            .output()
            .unwrap()
    };
    let cases: [(&str, &[&str], &str); 4] = [
        (
            "tcp://127.0.0.1:1",
            &["--tlscert", "/etc/hostname"],
            "--tlscert needs --tlskey",
        ),
        (
            "tcp://127.0.0.1:1",
            &["--tlskey", "/etc/hostname"],
            "--tlskey needs --tlscert",
        ),
        (
            "tcp://127.0.0.1:1",
            &["--tlscacert", "/nonexistent/ca.pem"],
            "--tlscacert /nonexistent/ca.pem: ",
        ),
        (
            "unix:///run/buildkit/buildkitd.sock",
            &["--tlscacert", "/etc/hostname"],
            "are for a tcp:// daemon, and BUILDKIT_HOST is unix:///run/buildkit/buildkitd.sock",
        ),
    ];
    for (host, args, want) in cases {
        let out = dagger(host, args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(
            err.contains(want),
            "{args:?}: stderr lacks {want:?}:\n{err}"
        );
    }
    // A CA file that holds no certificate is named when connecting.
    let out = dagger("tcp://127.0.0.1:1", &["--tlscacert", "/etc/hostname"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("--tlscacert /etc/hostname: no PEM certificate"),
        "{err}"
    );
}
