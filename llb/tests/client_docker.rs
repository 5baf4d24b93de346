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
