//! Secrets of controllers: `dagger input secret` never stores the clear
//! text in `.dagger/` (encrypted with a 0600 key in the user's config
//! directory, or a reference to an env var or file), the value reaches the
//! container only as a secret env, and it is nowhere in `.dagger/`, in any
//! LLB definition sent (DAGGER_DEBUG_LLB_DIR), in the progress output of
//! every format, or on stdout. Misuse is an error naming the field.

mod controllers_support;
use controllers_support::{engine, md5_hex, Project};

use std::path::Path;

const PLAN: &str = r#"package main

import "dagger.io/llb"

token: string

check: {
	string
	#compute: [
		llb.#FetchContainer & {ref: "busybox"},
		llb.#Exec & {
			args: ["sh", "-c", "printf '%s' \"$TOKEN\" | md5sum | cut -c1-32 | tr -d '\\n' > /out"]
			env: TOKEN: token
		},
		llb.#Export & {source: "/out"},
	]
}
"#;

fn fresh_secret() -> String {
    let mut bytes = [0u8; 12];
    use std::io::Read;
    std::fs::File::open("/dev/urandom")
        .unwrap()
        .read_exact(&mut bytes)
        .unwrap();
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("tok_{hex}")
}

/// Every file below `dir` that holds `needle`.
fn files_holding(dir: &Path, needle: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if let Ok(bytes) = std::fs::read(&p) {
                if bytes.windows(needle.len()).any(|w| w == needle.as_bytes()) {
                    found.push(p.display().to_string());
                }
            }
        }
    }
    found
}

#[test]
fn an_encrypted_secret_reaches_the_container_and_nothing_else() {
    if !engine("an_encrypted_secret_reaches_the_container_and_nothing_else") {
        return;
    }
    let secret = fresh_secret();
    let p = Project::new(PLAN);
    let llb_dir = tempfile::tempdir().unwrap();
    p.ok(&["new", "app", "--plan-dir", "plan"]);
    // From standard input, so it is not on a command line either.
    let mut child = p
        .cmd(&["input", "secret", "token", "-"])
        .stdin(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        child
            .stdin
            .take()
            .unwrap()
            .write_all(format!("{secret}\n").as_bytes())
            .unwrap();
    }
    assert!(child.wait().unwrap().success());
    let key = p.home.path().join("config/dagger/secrets.key");
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&key).unwrap().permissions().mode() & 0o777,
        0o600
    );
    let mut printed = String::new();
    for format in ["plain", "json", "tty"] {
        let out = p
            .cmd(&["up", "--no-cache", "--log-format", format])
            .env("DAGGER_DEBUG_LLB_DIR", llb_dir.path())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(out.status.success(), "{format}: {stderr}");
        printed.push_str(&stderr);
        printed.push_str(&String::from_utf8_lossy(&out.stdout));
    }
    // The container saw exactly the value.
    assert_eq!(
        p.query("check", &[]),
        serde_json::json!(md5_hex(secret.as_bytes()))
    );
    for args in [
        &["query"][..],
        &["query", "--format", "cue"],
        &["query", "token", "--format", "text"],
        &["query", "--format", "env"],
        &["input", "list"],
        &["output", "list"],
        &["history", "--json"],
        &["list"],
    ] {
        let out = p.run(args);
        printed.push_str(&String::from_utf8_lossy(&out.stdout));
        printed.push_str(&String::from_utf8_lossy(&out.stderr));
    }
    assert!(
        !printed.contains(&secret),
        "the secret was printed:\n{printed}"
    );
    assert!(printed.contains("<secret>"), "{printed}");
    let sent = std::fs::read_dir(llb_dir.path()).unwrap().count();
    assert!(sent >= 3, "expected LLB of three runs, found {sent} files");
    assert_eq!(files_holding(llb_dir.path(), &secret), Vec::<String>::new());
    assert_eq!(
        files_holding(&p.path().join(".dagger"), &secret),
        Vec::<String>::new()
    );
    // The state holds ciphertext; without the key it cannot be opened.
    let state = p.state("app");
    assert_eq!(state["inputs"]["token"]["secret"]["from"], "encrypted");
    std::fs::remove_file(&key).unwrap();
    let out = p.run(&["up", "--no-cache"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("secrets key") && err.contains("token"),
        "{err}"
    );
}

#[test]
fn secrets_by_reference_are_read_at_each_use() {
    if !engine("secrets_by_reference_are_read_at_each_use") {
        return;
    }
    let secret = fresh_secret();
    let p = Project::new(PLAN);
    p.ok(&["new", "app", "--plan-dir", "plan"]);
    p.ok(&["input", "secret", "token", "--from-env", "APP_TOKEN"]);
    let out = p.cmd(&["up"]).env("APP_TOKEN", &secret).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        p.query("check", &[]),
        serde_json::json!(md5_hex(secret.as_bytes()))
    );
    let state = std::fs::read_to_string(p.state_file("app")).unwrap();
    assert!(state.contains("APP_TOKEN") && !state.contains(&secret));
    let out = p
        .cmd(&["up", "--no-cache"])
        .env_remove("APP_TOKEN")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        err.contains("environment variable APP_TOKEN is not set"),
        "{err}"
    );

    let file = p.path().join("token.txt");
    let other = fresh_secret();
    std::fs::write(&file, format!("{other}\n")).unwrap();
    p.ok(&["input", "secret", "token", "--from-file", "token.txt"]);
    p.ok(&["up"]);
    assert_eq!(
        p.query("check", &[]),
        serde_json::json!(md5_hex(other.as_bytes()))
    );
    assert!(files_holding(&p.path().join(".dagger"), &other).is_empty());
}

#[test]
fn a_secret_where_it_would_be_clear_text_is_an_error_naming_the_field() {
    if !engine("a_secret_where_it_would_be_clear_text_is_an_error_naming_the_field") {
        return;
    }
    let secret = fresh_secret();
    let p = Project::new(
        r#"package main

import "dagger.io/llb"

token: string

leak: {
	string
	#compute: [
		llb.#FetchContainer & {ref: "busybox"},
		llb.#Exec & {args: ["echo", token]},
		llb.#Export & {source: "/etc/hostname"},
	]
}
"#,
    );
    p.ok(&["new", "app", "--plan-dir", "plan"]);
    p.ok(&["input", "secret", "token", &secret]);
    let llb_dir = tempfile::tempdir().unwrap();
    let out = p
        .cmd(&["up", "--log-format", "plain"])
        .env("DAGGER_DEBUG_LLB_DIR", llb_dir.path())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("leak.#compute[1]"), "{err}");
    assert!(err.contains("secret"), "{err}");
    assert!(!err.contains(&secret), "{err}");
    assert!(files_holding(llb_dir.path(), &secret).is_empty());
    assert!(files_holding(&p.path().join(".dagger"), &secret).is_empty());
}
