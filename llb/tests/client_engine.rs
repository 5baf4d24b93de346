//! The BuildKit client against the real test engine (`scripts/engine.sh`):
//! exec failures, caching, push and pull, local directories, git, secrets,
//! reading files, exporting, progress and cancellation.

mod client_support;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use client_support::{busybox, client, git_server, marshal, registry, sh, unique};
use llb::client::{ClientError, Export, ProgressEvent, SolveRequest};
use llb::ops::{self, Exec, FileAction, FileOpBuilder, Local, Mount, State};
use prost::Message;

macro_rules! engine {
    () => {
        match client().await {
            Some(c) => c,
            None => return,
        }
    };
}

fn read(state: &State, path: &str) -> SolveRequest {
    SolveRequest {
        definition: marshal(state),
        read_files: vec![path.to_string()],
        ..Default::default()
    }
}

fn text(res: &llb::client::SolveResult, path: &str) -> String {
    String::from_utf8(res.files[path].clone()).expect("utf-8 file")
}

#[tokio::test]
async fn failing_exec_reports_exit_code_and_output_tail() {
    let c = engine!();
    let token = unique();
    let state = sh(
        &busybox(),
        &format!(
            "echo start {token}; for i in 1 2 3 4 5; do echo line-$i; done; echo oops >&2; exit 3"
        ),
    );
    let err = c
        .solve(
            SolveRequest {
                definition: marshal(&state),
                ..Default::default()
            },
            None,
        )
        .await
        .expect_err("the exec exits 3");
    let ClientError::Exec(f) = &err else {
        panic!("expected an exec failure, got {err:?}");
    };
    assert_eq!(f.exit_code, Some(3), "{err}");
    assert!(
        f.output_tail.iter().any(|l| l.contains("line-5")),
        "{:?}",
        f.output_tail
    );
    assert!(
        f.output_tail.iter().any(|l| l.contains("oops")),
        "{:?}",
        f.output_tail
    );
    assert!(f.vertex.contains("exit 3"), "vertex name: {}", f.vertex);
    let shown = err.to_string();
    assert!(
        shown.contains("exit code 3") && shown.contains("oops"),
        "{shown}"
    );

    // The same through the gateway (a file is read from the result).
    let err = c
        .solve(read(&state, "/anything"), None)
        .await
        .expect_err("the exec exits 3");
    let ClientError::Exec(f) = &err else {
        panic!("expected an exec failure through the gateway, got {err:?}");
    };
    assert_eq!(f.exit_code, Some(3), "{err}");
    assert!(
        f.output_tail.iter().any(|l| l.contains("oops")),
        "{:?}",
        f.output_tail
    );
}

#[tokio::test]
async fn return_early_reads_files_and_still_reports_failures() {
    let c = engine!();
    let token = unique();
    let ok = sh(&busybox(), &format!("echo {token} > /token"));
    let mut req = read(&ok, "/token");
    req.return_early = true;
    let res = c.solve(req, None).await.expect("early read");
    assert_eq!(res.files["/token"], format!("{token}\n").into_bytes());

    let bad = sh(&busybox(), &format!("echo {token}; echo oops >&2; exit 4"));
    let mut req = read(&bad, "/anything");
    req.return_early = true;
    let err = c.solve(req, None).await.expect_err("the exec exits 4");
    let ClientError::Exec(f) = &err else {
        panic!("expected an exec failure, got {err:?}");
    };
    assert_eq!(f.exit_code, Some(4), "{err}");
    assert!(
        f.output_tail.iter().any(|l| l.contains("oops")),
        "{:?}",
        f.output_tail
    );
}

#[tokio::test]
async fn second_identical_solve_is_fully_cached() {
    let c = engine!();
    let state = sh(&busybox(), &format!("echo {} > /token", unique()));
    let req = SolveRequest {
        definition: marshal(&state),
        ..Default::default()
    };
    let first = c.solve(req.clone(), None).await.expect("first solve");
    assert!(
        first.vertices.iter().any(|v| !v.cached),
        "the first run of a new exec cannot be cached: {:?}",
        first.vertices
    );
    let second = c.solve(req, None).await.expect("second solve");
    assert!(second.fully_cached(), "{:?}", second.vertices);
}

#[tokio::test]
async fn pushed_image_can_be_pulled_back() {
    let c = engine!();
    let token = unique();
    let name = format!(
        "{}/dagger-test/pushed:t{}",
        registry(),
        token.replace('-', "")
    );
    let state = sh(&busybox(), &format!("echo {token} > /token.txt"));
    let pushed = c
        .solve(
            SolveRequest {
                definition: marshal(&state),
                exports: vec![Export::Image {
                    name: name.clone(),
                    push: true,
                    insecure: true,
                }],
                ..Default::default()
            },
            None,
        )
        .await
        .expect("push");
    assert!(
        pushed
            .exporter_response
            .contains_key("containerimage.digest"),
        "{:?}",
        pushed.exporter_response
    );
    let pulled = ops::source::image(&name).expect("reference");
    let res = c
        .solve(read(&pulled, "/token.txt"), None)
        .await
        .expect("pull back");
    assert_eq!(text(&res, "/token.txt"), format!("{token}\n"));
}

#[tokio::test]
async fn local_directory_honours_exclude_and_include_patterns() {
    let c = engine!();
    let dir = tempfile::tempdir().unwrap();
    let files = [
        "keep.txt",
        "skip.log",
        "logs/a.txt",
        "sub/keep2.txt",
        "sub/deep/x.log",
        "sub/deep/y.txt",
    ];
    for f in files {
        let p = dir.path().join(f);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, format!("content of {f}\n")).unwrap();
    }
    // An ignore file is only data to the sender: the source's patterns filter.
    std::fs::write(dir.path().join(".daggerignore"), "keep.txt\n").unwrap();
    let excludes = llb::client::patterns::parse_ignore_file("# test\n**/*.log\nlogs\n");
    let token = unique();

    let list = |src: State| {
        busybox()
            .exec(
                Exec::new([
                    "/bin/sh",
                    "-c",
                    &format!(
                        "cd /src && find . | sort > /listing && cat sub/deep/y.txt > /y # {token}"
                    ),
                ])
                .mount("/src", Mount::readonly(&src)),
            )
            .unwrap()
            .root()
    };
    let src = Local::new("src")
        .unwrap()
        .exclude_patterns(excludes)
        .build();
    let mut req = read(&list(src), "/listing");
    req.read_files.push("/y".into());
    req.locals = BTreeMap::from([("src".to_string(), dir.path().to_path_buf())]);
    let res = c.solve(req, None).await.expect("solve with a local dir");
    assert_eq!(
        text(&res, "/listing"),
        ".\n./.daggerignore\n./keep.txt\n./sub\n./sub/deep\n./sub/deep/y.txt\n./sub/keep2.txt\n"
    );
    assert_eq!(text(&res, "/y"), "content of sub/deep/y.txt\n");

    // Include patterns of the source op narrow the transfer further.
    let only_sub = Local::new("src")
        .unwrap()
        .include_patterns(vec!["sub".into()])
        .exclude_patterns(llb::client::patterns::parse_ignore_file("**/*.log\n"))
        .build();
    let mut req = read(&list(only_sub), "/listing");
    req.locals = BTreeMap::from([("src".to_string(), dir.path().to_path_buf())]);
    let res = c.solve(req, None).await.expect("solve with includes");
    assert_eq!(
        text(&res, "/listing"),
        ".\n./sub\n./sub/deep\n./sub/deep/y.txt\n./sub/keep2.txt\n"
    );
}

fn git_rev(reference: &str) -> String {
    let out = std::process::Command::new("git")
        .args([
            "ls-remote",
            &format!("{}/hello.git", git_server()),
            reference,
        ])
        .output()
        .expect("git ls-remote");
    let text = String::from_utf8(out.stdout).unwrap();
    text.lines()
        .find(|l| l.ends_with("^{}") || !text.contains("^{}"))
        .and_then(|l| l.split_whitespace().next())
        .unwrap_or_else(|| panic!("no {reference} in ls-remote: {text}"))
        .to_string()
}

#[tokio::test]
async fn git_sources_by_branch_tag_and_commit() {
    let c = engine!();
    let remote = format!("{}/hello.git", git_server());
    let readme = |reference: &str| {
        let s = ops::source::git(&remote, reference).expect("git source");
        read(&s, "/README.md")
    };
    let res = c.solve(readme("main"), None).await.expect("branch");
    assert_eq!(text(&res, "/README.md"), "hello from main\n");
    let res = c.solve(readme("v1.0.0"), None).await.expect("tag");
    assert_eq!(text(&res, "/README.md"), "hello from v1\n");
    let commit = git_rev("refs/tags/v1.0.0");
    assert_eq!(commit.len(), 40);
    let res = c.solve(readme(&commit), None).await.expect("commit");
    assert_eq!(text(&res, "/README.md"), "hello from v1\n");
    let feature = ops::source::git(&remote, "feature").unwrap();
    let res = c
        .solve(read(&feature, "/feature.txt"), None)
        .await
        .expect("feature branch");
    assert_eq!(text(&res, "/feature.txt"), "feature only\n");
}

#[tokio::test]
async fn secrets_reach_the_container_but_not_the_definition() {
    let c = engine!();
    let value = format!("s3cr3t-{}", unique());
    let state = busybox()
        .exec(
            Exec::new(["/bin/sh", "-c", "cat /run/secrets/token > /out"])
                .mount("/run/secrets/token", Mount::secret("token")),
        )
        .unwrap()
        .root();
    let def = marshal(&state);
    let bytes = def.encode_to_vec();
    assert!(
        !bytes.windows(value.len()).any(|w| w == value.as_bytes()),
        "the secret must not be in the definition"
    );
    // A different value each run: the exec's cache key does not include it,
    // so `always` keeps this test from reading an earlier run's output.
    let state = busybox()
        .exec(
            Exec::new(["/bin/sh", "-c", "cat /run/secrets/token > /out"])
                .mount("/run/secrets/token", Mount::secret("token"))
                .always(true),
        )
        .unwrap()
        .root();
    let mut req = read(&state, "/out");
    req.secrets = BTreeMap::from([("token".to_string(), value.clone().into_bytes())]);
    let res = c.solve(req, None).await.expect("secret solve");
    assert_eq!(text(&res, "/out"), value);

    // A missing secret fails with a message naming it.
    let err = c
        .solve(read(&state, "/out"), None)
        .await
        .expect_err("no secret given");
    assert!(err.to_string().contains("token"), "{err}");
}

#[tokio::test]
async fn read_file_from_a_file_op_result_and_missing_file_error() {
    let c = engine!();
    let token = unique();
    let state = State::scratch().file(
        FileOpBuilder::new(FileAction::mkdir("/a/b", 0o755, true)).then(FileAction::mkfile(
            "/a/b/hello.txt",
            0o644,
            format!("hello {token}"),
        )),
    );
    let res = c
        .solve(read(&state, "/a/b/hello.txt"), None)
        .await
        .expect("read");
    assert_eq!(text(&res, "/a/b/hello.txt"), format!("hello {token}"));

    let err = c
        .solve(read(&state, "/nope.txt"), None)
        .await
        .expect_err("missing file");
    assert!(
        matches!(&err, ClientError::ReadFile { path, .. } if path == "/nope.txt"),
        "{err:?}"
    );
}

#[tokio::test]
async fn export_to_a_local_directory() {
    let c = engine!();
    let token = unique();
    let state = sh(
        &busybox(),
        &format!("mkdir -p /out/sub && echo {token} > /out/sub/t.txt && printf x > /out/x && chmod 0750 /out/x && ln -s sub/t.txt /out/link"),
    );
    let out_state =
        State::scratch().file(FileOpBuilder::new(ops::Copy::contents(&state, "/out", "/")));
    let dest = tempfile::tempdir().unwrap();
    let target = dest.path().join("export");
    c.solve(
        SolveRequest {
            definition: marshal(&out_state),
            exports: vec![Export::Local {
                dir: target.clone(),
            }],
            ..Default::default()
        },
        None,
    )
    .await
    .expect("export");
    assert_eq!(
        std::fs::read_to_string(target.join("sub/t.txt")).unwrap(),
        format!("{token}\n")
    );
    assert_eq!(std::fs::read_to_string(target.join("x")).unwrap(), "x");
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(target.join("x"))
        .unwrap()
        .permissions()
        .mode()
        & 0o777;
    assert_eq!(mode, 0o750);
    assert_eq!(
        std::fs::read_link(target.join("link")).unwrap(),
        std::path::PathBuf::from("sub/t.txt")
    );
}

#[tokio::test]
async fn progress_reports_vertices_and_logs() {
    let c = engine!();
    let token = unique();
    let state = sh(&busybox(), &format!("echo progress-{token}"));
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    c.solve(
        SolveRequest {
            definition: marshal(&state),
            ..Default::default()
        },
        Some(tx),
    )
    .await
    .expect("solve");
    let events: Vec<ProgressEvent> = std::iter::from_fn(|| rx.try_recv().ok()).collect();
    let exec_name = |n: &str| n.contains(&token);
    assert!(
        events
            .iter()
            .any(|e| matches!(e, ProgressEvent::Started { name, .. } if exec_name(name))),
        "{events:?}"
    );
    assert!(
        events.iter().any(
            |e| matches!(e, ProgressEvent::Completed { name, cached: false, .. } if exec_name(name))
        ),
        "{events:?}"
    );
    assert!(
        events
            .iter()
            .any(|e| matches!(e, ProgressEvent::Log { data, .. }
            if String::from_utf8_lossy(data).contains(&format!("progress-{token}")))),
        "{events:?}"
    );
}

#[tokio::test]
async fn dropping_a_solve_cancels_it() {
    let c = engine!();
    let token = unique();
    let state = busybox()
        .exec(Exec::new(["/bin/sh", "-c", &format!("sleep 60; echo {token}")]).always(true))
        .unwrap()
        .root();
    let started = Instant::now();
    let req = SolveRequest {
        definition: marshal(&state),
        ..Default::default()
    };
    let local_daemon = std::env::var("BUILDKIT_HOST").is_ok_and(|h| h.starts_with("unix://"));
    // Drop the solve once its process runs (seen in /proc with a local
    // daemon), or after 2 s otherwise.
    let running = async {
        let deadline = Instant::now() + Duration::from_secs(if local_daemon { 20 } else { 2 });
        while Instant::now() < deadline && !(local_daemon && processes_mentioning(&token) > 0) {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    };
    tokio::select! {
        r = c.solve(req, None) => panic!("the sleep cannot finish: {r:?}"),
        () = running => {}
    }
    if local_daemon {
        assert!(processes_mentioning(&token) > 0, "the exec never started");
    }
    assert!(started.elapsed() < Duration::from_secs(25));
    // With a daemon on this machine, its container process goes away too.
    if local_daemon {
        let deadline = Instant::now() + Duration::from_secs(15);
        while processes_mentioning(&token) > 0 {
            assert!(
                Instant::now() < deadline,
                "the cancelled exec is still running"
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
    // The daemon is still usable right after.
    let quick = sh(&busybox(), &format!("echo {} > /ok", unique()));
    let res = tokio::time::timeout(Duration::from_secs(30), c.solve(read(&quick, "/ok"), None))
        .await
        .expect("a solve after a cancelled one finishes")
        .expect("solve");
    assert!(!res.files["/ok"].is_empty());
}

/// How many processes on this machine have `needle` in their command line.
fn processes_mentioning(needle: &str) -> usize {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return 0;
    };
    entries
        .filter_map(|e| e.ok())
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .chars()
                .all(|c| c.is_ascii_digit())
        })
        .filter_map(|e| std::fs::read(e.path().join("cmdline")).ok())
        .filter(|cmd| String::from_utf8_lossy(cmd).contains(needle))
        .count()
}

#[tokio::test]
async fn resolves_image_configs_through_the_mirror() {
    let c = engine!();
    let r = c
        .resolve_image_config("docker.io/library/alpine:latest", None)
        .await
        .expect("resolve alpine");
    assert!(r.digest.starts_with("sha256:"), "{}", r.digest);
    let config: serde_json::Value = serde_json::from_slice(&r.config).expect("config JSON");
    let env = config["config"]["Env"].to_string();
    assert!(env.contains("PATH=/usr/local/sbin"), "{env}");
    // Asked of the registry itself: through the docker.io mirror a missing
    // image falls back to the real Docker Hub, which takes a network timeout.
    let err = c
        .resolve_image_config(
            &format!("{}/library/does-not-exist:latest", registry()),
            None,
        )
        .await
        .expect_err("no such image");
    assert!(err.to_string().contains("does-not-exist"), "{err}");
}

#[tokio::test]
async fn dockerfile_frontend_through_the_gateway() {
    let c = engine!();
    let token = unique();
    let request = ops::DockerBuild::new()
        .dockerfile(format!(
            "FROM alpine\nRUN cat /etc/issue > /issue && echo {token} > /token\n"
        ))
        .to_request(&llb::MarshalOptions::default())
        .expect("frontend request");
    let res = c
        .solve(
            SolveRequest {
                frontend: Some(request.into()),
                read_files: vec!["/token".into(), "/issue".into()],
                ..Default::default()
            },
            None,
        )
        .await
        .expect("dockerfile build");
    assert_eq!(text(&res, "/token"), format!("{token}\n"));
    assert!(
        text(&res, "/issue").contains("Alpine"),
        "{}",
        text(&res, "/issue")
    );
}

#[tokio::test]
async fn local_directory_transfers_big_files_symlinks_and_empty_dirs() {
    use sha2::{Digest, Sha256};
    let c = engine!();
    let dir = tempfile::tempdir().unwrap();
    // 3 MiB plus a bit: many DATA chunks, not a multiple of the chunk size.
    let big: Vec<u8> = (0..3 * 1024 * 1024 + 12345u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    std::fs::write(dir.path().join("big.bin"), &big).unwrap();
    std::fs::create_dir(dir.path().join("empty")).unwrap();
    std::os::unix::fs::symlink("big.bin", dir.path().join("link")).unwrap();
    std::fs::write(dir.path().join("run.sh"), "#!/bin/sh\necho ran\n").unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(
        dir.path().join("run.sh"),
        std::fs::Permissions::from_mode(0o755),
    )
    .unwrap();
    let expected = hex::encode(Sha256::digest(&big));

    let token = unique();
    let state = busybox()
        .exec(
            Exec::new([
                "/bin/sh",
                "-c",
                &format!(
                    "cd /src && sha256sum big.bin | cut -d' ' -f1 > /sum && readlink link > /link \
                     && test -d empty && ./run.sh > /ran # {token}"
                ),
            ])
            .mount("/src", Mount::readonly(&Local::new("big").unwrap().build())),
        )
        .unwrap()
        .root();
    let mut req = read(&state, "/sum");
    req.read_files
        .extend(["/link".to_string(), "/ran".to_string()]);
    req.locals = BTreeMap::from([("big".to_string(), dir.path().to_path_buf())]);
    let res = c.solve(req, None).await.expect("solve");
    assert_eq!(text(&res, "/sum").trim(), expected);
    assert_eq!(text(&res, "/link"), "big.bin\n");
    assert_eq!(text(&res, "/ran"), "ran\n");
}

#[tokio::test]
async fn missing_local_directory_is_named_in_the_error() {
    let c = engine!();
    let state = Local::new("gone").unwrap().build();
    let mut req = read(&state, "/x");
    req.locals = BTreeMap::from([(
        "gone".to_string(),
        std::path::PathBuf::from("/nonexistent/dagger-test-dir"),
    )]);
    let err = c.solve(req, None).await.expect_err("no such directory");
    assert!(
        err.to_string().contains("/nonexistent/dagger-test-dir"),
        "{err}"
    );
}

#[tokio::test]
async fn changed_local_files_are_seen_by_the_next_solve() {
    let c = engine!();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("v.txt");
    std::fs::write(&file, "one\n").unwrap();
    let token = unique();
    let state = busybox()
        .exec(
            Exec::new(["/bin/sh", "-c", &format!("cat /src/v.txt > /v # {token}")])
                .mount("/src", Mount::readonly(&Local::new("v").unwrap().build())),
        )
        .unwrap()
        .root();
    let req = || {
        let mut r = read(&state, "/v");
        r.locals = BTreeMap::from([("v".to_string(), dir.path().to_path_buf())]);
        r
    };
    let res = c.solve(req(), None).await.expect("first");
    assert_eq!(text(&res, "/v"), "one\n");
    let again = c.solve(req(), None).await.expect("unchanged");
    assert!(again.fully_cached(), "{:?}", again.vertices);
    // Same size, new content and mtime.
    std::fs::write(&file, "two\n").unwrap();
    let res = c.solve(req(), None).await.expect("changed");
    assert_eq!(text(&res, "/v"), "two\n");
}

#[tokio::test]
async fn pushed_image_keeps_the_given_config() {
    let c = engine!();
    let token = unique();
    let name = format!(
        "{}/dagger-test/config:t{}",
        registry(),
        token.replace('-', "")
    );
    let state = sh(&busybox(), &format!("echo {token} > /token.txt"));
    let config = serde_json::json!({
        "architecture": "amd64",
        "os": "linux",
        "config": {
            "Env": ["PATH=/usr/bin:/bin", format!("TOKEN={token}")],
            "WorkingDir": "/work",
            "Cmd": ["/bin/sh"]
        },
        "rootfs": {"type": "layers", "diff_ids": []}
    });
    c.solve(
        SolveRequest {
            definition: marshal(&state),
            exports: vec![Export::Image {
                name: name.clone(),
                push: true,
                insecure: true,
            }],
            image_config: Some(serde_json::to_vec(&config).unwrap()),
            ..Default::default()
        },
        None,
    )
    .await
    .expect("push with config");
    let resolved = c.resolve_image_config(&name, None).await.expect("resolve");
    let got: serde_json::Value = serde_json::from_slice(&resolved.config).unwrap();
    assert_eq!(got["config"]["WorkingDir"], "/work");
    assert!(
        got["config"]["Env"]
            .to_string()
            .contains(&format!("TOKEN={token}")),
        "{got}"
    );
}

#[tokio::test]
async fn concurrent_solves_on_one_client_keep_their_sessions_apart() {
    let c = engine!();
    let token = unique();
    let dirs: Vec<_> = (0..8).map(|_| tempfile::tempdir().unwrap()).collect();
    let mut solves = Vec::new();
    for (i, d) in dirs.iter().enumerate() {
        std::fs::write(d.path().join("id.txt"), format!("dir {i}\n")).unwrap();
        // Names identify directories (BuildKit merges identical vertices of
        // concurrent builds), so each solve names its own, as the plan engine
        // does with absolute paths.
        let name = d.path().display().to_string();
        let state = busybox()
            .exec(
                Exec::new(["/bin/sh", "-c", &format!("cat /src/id.txt > /id # {token}")])
                    .mount("/src", Mount::readonly(&Local::new(&name).unwrap().build())),
            )
            .unwrap()
            .root();
        let mut req = read(&state, "/id");
        req.locals = BTreeMap::from([(name, d.path().to_path_buf())]);
        req.secrets = BTreeMap::from([("s".to_string(), vec![i as u8])]);
        let c = c.clone();
        solves.push(tokio::spawn(async move { c.solve(req, None).await }));
    }
    for (i, s) in solves.into_iter().enumerate() {
        let res = s.await.unwrap().expect("solve");
        assert_eq!(text(&res, "/id"), format!("dir {i}\n"));
    }
}
