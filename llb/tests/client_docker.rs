//! The Docker connection mode: Docker's embedded BuildKit through the Docker
//! API socket (`POST /grpc`, `Upgrade: h2c`). Runs only when
//! `DAGGER_TEST_DOCKER_HOST` names a Docker socket (`unix://PATH`); the
//! project's CI does not start Docker, so elsewhere it is skipped.

mod client_support;

use client_support::{marshal, registry, sh, unique};
use llb::client::{Address, Client, SolveRequest};
use llb::ops::{self, FileAction, FileOpBuilder, State};

async fn docker_client() -> Option<Client> {
    let Ok(host) = std::env::var("DAGGER_TEST_DOCKER_HOST") else {
        eprintln!("skipping Docker mode test: DAGGER_TEST_DOCKER_HOST is not set");
        return None;
    };
    let addr = Address::parse_docker_host(&host).expect("a unix:// or tcp:// Docker host");
    Some(
        Client::connect_to(addr)
            .await
            .expect("Docker's BuildKit answers"),
    )
}

#[tokio::test]
async fn solves_and_reads_files_through_docker() {
    let Some(c) = docker_client().await else {
        return;
    };
    let token = unique();
    let file = State::scratch().file(FileOpBuilder::new(FileAction::mkfile(
        "/t.txt",
        0o644,
        token.clone(),
    )));
    let res = c
        .solve(
            SolveRequest {
                definition: marshal(&file),
                read_files: vec!["/t.txt".into()],
                ..Default::default()
            },
            None,
        )
        .await
        .expect("file op through Docker");
    assert_eq!(res.files["/t.txt"], token.as_bytes());

    // An exec on an image from the local registry (Docker allows plain HTTP
    // to loopback registries).
    let image = ops::source::image(&format!("{}/library/busybox:latest", registry())).unwrap();
    let state = sh(&image, &format!("echo docker-{token} > /out"));
    let res = c
        .solve(
            SolveRequest {
                definition: marshal(&state),
                read_files: vec!["/out".into()],
                ..Default::default()
            },
            None,
        )
        .await
        .expect("exec through Docker");
    assert_eq!(
        String::from_utf8_lossy(&res.files["/out"]),
        format!("docker-{token}\n")
    );
}

/// Runs `docker` against the test Docker engine.
fn docker(host: &str, args: &[&str]) -> std::process::Output {
    std::process::Command::new("docker")
        .env("DOCKER_HOST", host)
        .args(args)
        .output()
        .expect("docker CLI")
}

#[tokio::test]
async fn docker_container_address_goes_through_buildctl_dial_stdio() {
    let (Ok(host), Ok(bk), Ok(buildctl)) = (
        std::env::var("DAGGER_TEST_DOCKER_HOST"),
        std::env::var("BUILDKIT_HOST"),
        std::env::var("DAGGER_TEST_BUILDCTL"),
    ) else {
        eprintln!("skipping docker-container test: needs DAGGER_TEST_DOCKER_HOST, BUILDKIT_HOST and DAGGER_TEST_BUILDCTL");
        return;
    };
    let Some(sock) = bk.strip_prefix("unix://") else {
        eprintln!("skipping docker-container test: BUILDKIT_HOST is not a unix socket");
        return;
    };
    // A container whose `buildctl dial-stdio` reaches the test daemon: the
    // host's buildctl and libc, and the daemon's socket, mounted in.
    let name = format!("dagger-test-bk-{}", unique());
    let bin = std::path::Path::new(&buildctl)
        .parent()
        .unwrap()
        .display()
        .to_string();
    let sock_dir = std::path::Path::new(sock)
        .parent()
        .unwrap()
        .display()
        .to_string();
    let sock_name = std::path::Path::new(sock)
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    let run = docker(
        &host,
        &[
            "run",
            "-d",
            "--name",
            &name,
            "-v",
            &format!("{bin}:/usr/local/bin:ro"),
            "-v",
            "/lib/x86_64-linux-gnu:/lib/x86_64-linux-gnu:ro",
            "-v",
            "/lib64:/lib64:ro",
            "-v",
            &format!("{sock_dir}:/run/buildkit"),
            "-e",
            &format!("BUILDKIT_HOST=unix:///run/buildkit/{sock_name}"),
            &format!("{}/library/busybox:latest", registry()),
            "sleep",
            "600",
        ],
    );
    assert!(
        run.status.success(),
        "docker run: {}",
        String::from_utf8_lossy(&run.stderr)
    );
    // The client spawns `docker exec`, which reads DOCKER_HOST.
    std::env::set_var("DOCKER_HOST", &host);
    let result = async {
        let c = Client::connect_to(Address::DockerContainer(name.clone())).await?;
        let token = unique();
        let file = State::scratch().file(FileOpBuilder::new(FileAction::mkfile(
            "/c.txt",
            0o644,
            token.clone(),
        )));
        let res = c
            .solve(
                SolveRequest {
                    definition: marshal(&file),
                    read_files: vec!["/c.txt".into()],
                    ..Default::default()
                },
                None,
            )
            .await?;
        Ok::<_, llb::client::ClientError>((token, res))
    }
    .await;
    docker(&host, &["rm", "-f", &name]);
    let (token, res) = result.expect("solve through docker-container://");
    assert_eq!(res.files["/c.txt"], token.as_bytes());
}
