//! Shared helpers of the daemon tests: connecting (or skipping), unique
//! tokens, and small graphs built with the crate's LLB builder.

#![allow(dead_code)]

use bollard_buildkit_proto::pb::Definition;
use llb::client::Client;
use llb::ops::{self, Exec, State};
use llb::MarshalOptions;

/// Connects to `BUILDKIT_HOST`. Without it the test is skipped with a
/// message, except under `CI=true`, where a missing engine is a failure.
pub async fn client() -> Option<Client> {
    match std::env::var("BUILDKIT_HOST") {
        Ok(v) if !v.is_empty() => match Client::connect().await {
            Ok(c) => Some(c),
            Err(e) => panic!("BUILDKIT_HOST is set but the daemon does not answer: {e}"),
        },
        _ => {
            if std::env::var("CI").is_ok_and(|v| v == "true" || v == "1") {
                panic!("BUILDKIT_HOST is not set under CI: scripts/test.sh must start the engine first");
            }
            eprintln!(
                "skipping daemon test: BUILDKIT_HOST is not set \
                 (run `scripts/engine.sh up && eval \"$(scripts/engine.sh env)\"`)"
            );
            None
        }
    }
}

/// A token unique to this run, so graphs are not answered from earlier runs' cache.
pub fn unique() -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap();
    format!("{}-{}", now.as_nanos(), std::process::id())
}

/// The registry address of the test engine.
pub fn registry() -> String {
    std::env::var("DAGGER_TEST_REGISTRY").unwrap_or_else(|_| "127.0.0.1:5000".into())
}

/// The git server of the test engine (`git://host:port`).
pub fn git_server() -> String {
    std::env::var("DAGGER_TEST_GIT").unwrap_or_else(|_| "git://127.0.0.1:9418".into())
}

pub fn busybox() -> State {
    ops::source::image("busybox").expect("valid reference")
}

/// `sh -c script` on `base`, returning the new root.
pub fn sh(base: &State, script: &str) -> State {
    base.exec(Exec::new(["/bin/sh", "-c", script]))
        .expect("valid exec")
        .root()
}

pub fn marshal(s: &State) -> Definition {
    s.marshal(&MarshalOptions::default())
}
