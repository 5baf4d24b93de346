//! Registry credentials from the Docker config: a throwaway registry that
//! requires basic auth (htpasswd, bcrypt; scripts/engine-scratch.sh), a
//! plan that pushes to it and a second plan that pulls the image back and
//! reads its file inside a container, all through the shared BuildKit of
//! scripts/engine.sh. The password must never show in what `dagger` prints.

mod engine_support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

use engine_support::*;

const USER: &str = "dagger-user";

/// A registry on 127.0.0.1 that accepts `USER` with `password` only.
struct AuthRegistry {
    dir: PathBuf,
    port: u16,
}

impl AuthRegistry {
    fn start(prefix: &str, password: &str) -> AuthRegistry {
        let dir = temp_dir(prefix);
        let out = Command::new("htpasswd")
            .args(["-Bbn", USER, password])
            .output()
            .expect("htpasswd (apache2-utils, installed by scripts/engine.sh up)");
        assert!(out.status.success(), "htpasswd failed: {out:?}");
        let htpasswd = dir.join("htpasswd");
        std::fs::write(&htpasswd, &out.stdout).unwrap();
        let port = free_port();
        let status = Command::new("bash")
            .arg(repo_root().join("scripts/engine-scratch.sh"))
            .args(["registry-start", dir.join("reg").to_str().unwrap()])
            .arg(port.to_string())
            .arg(&htpasswd)
            .status()
            .expect("engine-scratch.sh");
        assert!(status.success(), "the auth registry did not start");
        AuthRegistry { dir, port }
    }

    fn addr(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }
}

impl Drop for AuthRegistry {
    fn drop(&mut self) {
        let _ = Command::new("bash")
            .arg(repo_root().join("scripts/engine-scratch.sh"))
            .args(["clean", self.dir.join("reg").to_str().unwrap()])
            .status();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Whether the machine can run these tests (htpasswd installed); under
/// `CI=true` it must.
fn have_htpasswd(test: &str) -> bool {
    let ok = Command::new("htpasswd").arg("-h").output().is_ok();
    if !ok {
        if std::env::var("CI").as_deref() == Ok("true") {
            panic!("{test}: htpasswd is not installed (scripts/engine.sh up installs it)");
        }
        eprintln!("{test}: skipped, htpasswd is not installed (scripts/engine.sh up)");
    }
    ok
}

/// A Docker config directory holding `config`.
fn docker_config(config: &serde_json::Value) -> Dir {
    let dir = Dir::new("dra-cfg");
    std::fs::write(dir.join("config.json"), config.to_string()).unwrap();
    dir
}

fn b64(s: &str) -> String {
    // A tiny base64 encoder: the test needs nothing more.
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let b = s.as_bytes();
    let mut out = String::new();
    for chunk in b.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &c)| n | (c as u32) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(T[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Pushes an image holding `/content` = `content` to `image`.
fn push_plan(image: &str, content: &str) -> String {
    format!(
        r#"package main

pushed: {{
	string
	#compute: [
		{{do: "fetch-container", ref: "busybox"}},
		{{do: "write-file", content: "{content}", dest: "/content"}},
		{{do: "push-container", ref: "{image}"}},
		{{do: "export", source: "/content"}},
	]
}}
"#
    )
}

/// Pulls `image` and reads its `/content` inside a container.
fn pull_plan(image: &str) -> String {
    format!(
        r#"package main

pulled: {{
	string
	#compute: [
		{{do: "fetch-container", ref: "{image}"}},
		{{do: "exec", args: ["sh", "-c", "printf 'read %s' \"$(cat /content)\" > /out"]}},
		{{do: "export", source: "/out"}},
	]
}}
"#
    )
}

/// `dagger compute` of `cue` with `DOCKER_CONFIG=config` (and `path`
/// before PATH), in `log` format.
fn run(cue: &str, config: &Path, path: Option<&Path>, log: &str) -> Output {
    let host = std::env::var("BUILDKIT_HOST").unwrap();
    let dir = plan("dra-plan", cue);
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_dagger"));
    cmd.args(["compute", ".", "--log-format", log])
        .current_dir(&dir)
        .env("BUILDKIT_HOST", &host)
        .env("NO_COLOR", "1")
        .env("DOCKER_CONFIG", config)
        .stdin(std::process::Stdio::null());
    if let Some(p) = path {
        let old = std::env::var("PATH").unwrap_or_default();
        cmd.env("PATH", format!("{}:{old}", p.display()));
    }
    let child = cmd
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run dagger");
    wait_output(child, Duration::from_secs(120))
}

fn assert_hidden(out: &Output, secret: &str) {
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        !all.contains(secret),
        "the password shows in the output:\n{all}"
    );
    assert!(!all.contains(&b64(&format!("{USER}:{secret}"))), "{all}");
}

#[test]
fn push_and_pull_back_with_credentials_from_the_docker_config() {
    if shared_engine("registry auth").is_none() || !have_htpasswd("registry auth") {
        return;
    }
    let password = format!("pw-{}", nonce());
    let registry = AuthRegistry::start("dra-a", &password);
    let image = format!("{}/auth/pushed:v1", registry.addr());
    let content = format!("content-{}", nonce());

    // `auth` (base64 of user:password), as `docker login` writes it.
    let config = docker_config(&serde_json::json!({
        "auths": { registry.addr(): { "auth": b64(&format!("{USER}:{password}")) } }
    }));
    for log in ["plain", "json"] {
        let out = run(&push_plan(&image, &content), &config, None, log);
        assert!(out.status.success(), "push ({log}):\n{}", stderr(&out));
        assert_eq!(result_json(&out)["pushed"], content.as_str());
        assert_hidden(&out, &password);
    }

    // Pulled back in a second plan (username and password fields this
    // time), its file read inside a container.
    let config2 = docker_config(&serde_json::json!({
        "auths": { format!("http://{}", registry.addr()): { "username": USER, "password": password } }
    }));
    let out = run(&pull_plan(&image), &config2, None, "plain");
    assert!(out.status.success(), "pull:\n{}", stderr(&out));
    assert_eq!(
        result_json(&out)["pulled"],
        format!("read {content}").as_str()
    );
    assert_hidden(&out, &password);
}

#[test]
fn a_wrong_password_or_none_is_a_clear_error_naming_the_registry() {
    if shared_engine("registry auth refused").is_none() || !have_htpasswd("registry auth refused") {
        return;
    }
    let password = format!("pw-{}", nonce());
    let registry = AuthRegistry::start("dra-w", &password);
    let image = format!("{}/auth/refused:v1", registry.addr());
    let wrong = format!("wrong-{}", nonce());
    let bad = docker_config(&serde_json::json!({
        "auths": { registry.addr(): { "auth": b64(&format!("{USER}:{wrong}")) } }
    }));

    let out = run(&push_plan(&image, "x"), &bad, None, "plain");
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    for want in [
        "error: component pushed: pushed.#compute[2] push-container",
        &format!("failed to push {image}"),
        "401 Unauthorized",
        &format!(
            "registry {} refused the credentials the Docker config {} has for it",
            registry.addr(),
            bad.join("config.json").display()
        ),
    ] {
        assert!(err.contains(want), "stderr lacks {want:?}:\n{err}");
    }
    assert!(!err.contains("panicked"), "{err}");
    assert_hidden(&out, &wrong);

    // The image exists (pushed with the right password); a pull with the
    // wrong one, or with no credentials at all, is refused by name.
    let good = docker_config(&serde_json::json!({
        "auths": { registry.addr(): { "auth": b64(&format!("{USER}:{password}")) } }
    }));
    let out = run(&push_plan(&image, "y"), &good, None, "plain");
    assert!(out.status.success(), "{}", stderr(&out));
    let out = run(&pull_plan(&image), &bad, None, "plain");
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    for want in [
        "error: component pulled: fetch-container",
        &format!(
            "cannot resolve image {image} (registry {})",
            registry.addr()
        ),
        "refused the credentials",
    ] {
        assert!(err.contains(want), "stderr lacks {want:?}:\n{err}");
    }
    assert_hidden(&out, &wrong);

    let empty = docker_config(&serde_json::json!({}));
    let out = run(&pull_plan(&image), &empty, None, "plain");
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    let want = format!(
        "registry {} needs credentials and the Docker config {} has none for it",
        registry.addr(),
        empty.join("config.json").display()
    );
    assert!(err.contains(&want), "stderr lacks {want:?}:\n{err}");
}

#[test]
fn a_credential_helper_answers_for_its_registry() {
    if shared_engine("credential helper").is_none() || !have_htpasswd("credential helper") {
        return;
    }
    let password = format!("pw-{}", nonce());
    let registry = AuthRegistry::start("dra-h", &password);
    let image = format!("{}/auth/helped:v1", registry.addr());
    let content = format!("helped-{}", nonce());

    // docker-credential-test: logs what it was asked, answers for the
    // registry, says "credentials not found" for anything else.
    let bin = Dir::new("dra-bin");
    let asked = bin.join("asked.log");
    let script = format!(
        r#"#!/bin/sh
[ "$1" = get ] || exit 3
read -r server
printf '%s\n' "$server" >> '{asked}'
if [ "$server" = '{addr}' ]; then
  printf '{{"ServerURL":"%s","Username":"{USER}","Secret":"{password}"}}\n' "$server"
else
  echo "credentials not found in native keychain"
  exit 1
fi
"#,
        asked = asked.display(),
        addr = registry.addr(),
    );
    let helper = bin.join("docker-credential-test");
    std::fs::write(&helper, script).unwrap();
    Command::new("chmod")
        .arg("+x")
        .arg(&helper)
        .status()
        .unwrap();

    // credHelpers for this registry (no `auths` entry at all).
    let config = docker_config(&serde_json::json!({
        "credHelpers": { registry.addr(): "test" }
    }));
    let out = run(&push_plan(&image, &content), &config, Some(&bin), "plain");
    assert!(out.status.success(), "push:\n{}", stderr(&out));
    assert_hidden(&out, &password);

    // credsStore: the helper for every registry.
    let config2 = docker_config(&serde_json::json!({ "credsStore": "test" }));
    let out = run(&pull_plan(&image), &config2, Some(&bin), "json");
    assert!(out.status.success(), "pull:\n{}", stderr(&out));
    assert_eq!(
        result_json(&out)["pulled"],
        format!("read {content}").as_str()
    );
    assert_hidden(&out, &password);

    let log = std::fs::read_to_string(&asked).unwrap_or_default();
    assert!(
        log.lines().any(|l| l == registry.addr()),
        "the helper was asked for the registry: {log:?}"
    );

    // A helper that is not installed is named in the error.
    let config3 = docker_config(&serde_json::json!({ "credsStore": "absent-dagger-test" }));
    let out = run(&pull_plan(&image), &config3, Some(&bin), "plain");
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("cannot run the credential helper docker-credential-absent-dagger-test"),
        "{err}"
    );
}

#[test]
fn a_cache_export_to_a_registry_that_requires_auth_uses_the_same_credentials() {
    if shared_engine("cache export auth").is_none() || !have_htpasswd("cache export auth") {
        return;
    }
    let password = format!("pw-{}", nonce());
    let registry = AuthRegistry::start("dra-c", &password);
    let cache = format!("{}/auth/cache:{}", registry.addr(), nonce());
    let host = std::env::var("BUILDKIT_HOST").unwrap();
    // Nothing pushed but the cache: the export alone meets the registry.
    let cue = format!(
        r#"package main

built: {{
	string
	#compute: [
		{{do: "fetch-container", ref: "busybox"}},
		{{do: "exec", args: ["sh", "-c", "printf 'built {}' > /out"]}},
		{{do: "export", source: "/out"}},
	]
}}
"#,
        nonce()
    );
    let dir = plan("dra-cache", &cue);
    let export = |config: &Path| {
        let child = Command::new(env!("CARGO_BIN_EXE_dagger"))
            .args(["compute", ".", "--log-format", "plain", "--cache-to"])
            .arg(format!("type=registry,ref={cache}"))
            .current_dir(&dir)
            .env("BUILDKIT_HOST", &host)
            .env("DOCKER_CONFIG", config)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("run dagger");
        wait_output(child, Duration::from_secs(120))
    };
    let good = docker_config(&serde_json::json!({
        "auths": { registry.addr(): { "auth": b64(&format!("{USER}:{password}")) } }
    }));
    let out = export(&good);
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("cache exported to type=registry,"), "{err}");
    assert_hidden(&out, &password);
    // The cache manifest is in the registry (asked with the credentials).
    let (repo, tag) = cache.split_once("/").unwrap().1.rsplit_once(':').unwrap();
    let code = Command::new("curl")
        .args(["-s", "-o", "/dev/null", "-w", "%{http_code}", "-u"])
        .arg(format!("{USER}:{password}"))
        .args(["-H", "Accept: application/vnd.oci.image.index.v1+json"])
        .args(["-H", "Accept: application/vnd.oci.image.manifest.v1+json"])
        .arg(format!(
            "http://{}/v2/{repo}/manifests/{tag}",
            registry.addr()
        ))
        .output()
        .expect("curl");
    assert_eq!(String::from_utf8_lossy(&code.stdout), "200");

    // Credentials the registry refuses fail the export, naming it.
    let bad = docker_config(&serde_json::json!({
        "auths": { registry.addr(): { "username": USER, "password": "wrong" } }
    }));
    let out = export(&bad);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("exporting the build cache failed"), "{err}");
    let want = format!(
        "registry {} refused the credentials the Docker config {} has for it",
        registry.addr(),
        bad.join("config.json").display()
    );
    assert!(err.contains(&want), "stderr lacks {want:?}:\n{err}");
}
