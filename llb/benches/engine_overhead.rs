//! Client overhead against `buildctl build` on the same daemon.
//!
//! Two graphs, each solved alternately through `llb::client` and through
//! `buildctl build` reading the same marshaled definition on stdin:
//! - 100 small execs in a chain, all cached (after one warm-up solve):
//!   measures per-solve and per-vertex overhead;
//! - 20 independent execs each sleeping 1 s, uncached (a fresh token per
//!   run): measures that the graph runs in parallel (well under 20 s).
//!
//! Run with the test engine up: `scripts/bench-engine.sh` (or
//! `eval "$(scripts/engine.sh env)"; cargo bench -p llb --bench engine_overhead`).
//! Prints the median times and the ratio ours / buildctl.

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use bollard_buildkit_proto::pb::Definition;
use llb::client::{Client, SolveRequest};
use llb::ops::{self, Copy, Exec, FileOpBuilder, State};
use llb::MarshalOptions;
use prost::Message;

fn token() -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    format!("{}", now.as_nanos())
}

fn busybox() -> State {
    ops::source::image("busybox").expect("reference")
}

/// 100 execs, each on the previous one's root.
fn chain(n: usize, salt: &str) -> Definition {
    let mut s = busybox();
    for i in 0..n {
        s = s
            .exec(Exec::new([
                "/bin/sh",
                "-c",
                &format!("echo {i} > /f{i} # {salt}"),
            ]))
            .expect("exec")
            .root();
    }
    s.marshal(&MarshalOptions::default())
}

/// `n` independent 1 s sleeps, gathered into one result by a file op.
fn fan(n: usize, salt: &str) -> Definition {
    let base = busybox();
    let mut copies: Option<FileOpBuilder> = None;
    for i in 0..n {
        let done = base
            .exec(Exec::new([
                "/bin/sh",
                "-c",
                &format!("sleep 1 && echo {salt} > /done{i}"),
            ]))
            .expect("exec")
            .root();
        let copy = Copy::new(&done, &format!("/done{i}"), &format!("/done{i}"));
        copies = Some(match copies {
            None => FileOpBuilder::new(copy),
            Some(b) => b.then(copy),
        });
    }
    State::scratch()
        .file(copies.expect("n > 0"))
        .marshal(&MarshalOptions::default())
}

async fn ours(client: &Client, def: &Definition) -> Duration {
    let start = Instant::now();
    client
        .solve(
            SolveRequest {
                definition: def.clone(),
                ..Default::default()
            },
            None,
        )
        .await
        .expect("solve through llb::client");
    start.elapsed()
}

fn buildctl(bin: &str, host: &str, def: &Definition) -> Duration {
    let bytes = def.encode_to_vec();
    let start = Instant::now();
    let mut child = Command::new(bin)
        .args(["--addr", host, "build", "--progress=quiet"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run buildctl");
    if let Some(mut stdin) = child.stdin.take() {
        stdin.write_all(&bytes).expect("pipe definition");
    }
    let out = child.wait_with_output().expect("buildctl");
    assert!(
        out.status.success(),
        "buildctl failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    start.elapsed()
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn report(name: &str, ours: Duration, theirs: Duration) {
    println!(
        "{name:<32} llb::client {:>8.3}s   buildctl {:>8.3}s   ratio {:.3}",
        ours.as_secs_f64(),
        theirs.as_secs_f64(),
        ours.as_secs_f64() / theirs.as_secs_f64()
    );
}

#[tokio::main]
async fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` passes nothing
    // useful either way: only run with an engine.
    let (Ok(host), Ok(bin)) = (
        std::env::var("BUILDKIT_HOST"),
        std::env::var("DAGGER_TEST_BUILDCTL"),
    ) else {
        eprintln!("skipping engine_overhead: BUILDKIT_HOST and DAGGER_TEST_BUILDCTL must be set (scripts/engine.sh env)");
        return;
    };
    let client = Client::connect().await.expect("connect");
    let rounds: usize = std::env::var("BENCH_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5);

    // 100 cached execs.
    let def = chain(100, &token());
    ours(&client, &def).await; // warm the cache
    buildctl(&bin, &host, &def);
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for _ in 0..rounds {
        a.push(ours(&client, &def).await);
        b.push(buildctl(&bin, &host, &def));
    }
    report("100 cached execs (median)", median(a), median(b));

    // 20 parallel 1 s sleeps, never cached.
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for _ in 0..rounds {
        a.push(ours(&client, &fan(20, &token())).await);
        b.push(buildctl(&bin, &host, &fan(20, &token())));
    }
    let (ma, mb) = (median(a), median(b));
    report("20 parallel 1s sleeps (median)", ma, mb);
    assert!(
        ma < Duration::from_secs(20),
        "the 20 sleeps did not run in parallel: {ma:?}"
    );
}
