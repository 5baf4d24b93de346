//! The constructions pinned by the golden tests, one per op kind and
//! option set. Each mirrors a construction made with BuildKit's own Go client
//! (v0.34.2, `llb.LinuxAmd64`), whose op digests `golden_digests.rs` pins.

use llb::ops::{
    source, Copy, Exec, FileAction, FileOpBuilder, Git, Image, Local, Mount, ResolveMode,
};
use llb::{MarshalOptions, Platform, State};

/// Marshal options of every case: `linux/amd64`, whatever the host.
pub fn opts() -> MarshalOptions {
    MarshalOptions::for_platform(Platform::linux_amd64())
}

fn busybox() -> State {
    source::image("busybox").unwrap()
}

fn repo() -> State {
    source::git("git://127.0.0.1:9418/repo.git", "main").unwrap()
}

fn exec_mounts() -> llb::ops::ExecState {
    let src = Local::new("src")
        .unwrap()
        .shared_key_hint("src")
        .unique_id("u1")
        .build();
    busybox()
        .exec(
            Exec::new(["sh", "-c", "make"])
                .mount("/tmp", Mount::tmpfs())
                .mount("/cache", Mount::cache("web-cache"))
                .mount("/src", Mount::readonly(&src).at_path("/sub"))
                .mount("/run/secrets/token", Mount::secret("token"))
                .mount("/out", Mount::read_write(&State::scratch()))
                .always(true)
                .custom_name("[web.build] exec sh -c make"),
        )
        .unwrap()
}

/// Every case: name and state.
pub fn all() -> Vec<(&'static str, State)> {
    vec![
        ("image_alpine", source::image("alpine").unwrap()),
        (
            "image_attrs",
            Image::new("127.0.0.1:5000/library/busybox:1.36")
                .unwrap()
                .resolve_mode(ResolveMode::ForcePull)
                .record_type("internal")
                .build(),
        ),
        (
            "git_keep_dir",
            Git::new("git://127.0.0.1:9418/repo.git", "main")
                .unwrap()
                .keep_git_dir(true)
                .build(),
        ),
        (
            "git_http",
            source::git("http://127.0.0.1:8080/repo.git", "v1").unwrap(),
        ),
        (
            "local",
            Local::new("context")
                .unwrap()
                .session_id("sess-1")
                .shared_key_hint("/src")
                .include_patterns(vec!["*.go".into(), "cmd/".into()])
                .exclude_patterns(vec!["node_modules".into(), ".git".into()])
                .follow_paths(vec!["go.mod".into()])
                .build(),
        ),
        (
            "exec_env",
            busybox()
                .with_env("PATH", "/usr/bin:/bin")
                .exec(
                    Exec::new(["sh", "-c", "echo $A $B $C > /out"])
                        .env("A", "1")
                        .env("B", "2")
                        .env("C", "3")
                        .env("PATH", "/bin")
                        .cwd("/work")
                        .user("nobody")
                        .custom_name("[web.build] exec sh -c echo $A $B $C > /out"),
                )
                .unwrap()
                .root(),
        ),
        ("exec_mounts_root", exec_mounts().root()),
        ("exec_mounts_out", exec_mounts().mount("/out").unwrap()),
        (
            "file_mkfile",
            State::scratch().file(FileAction::mkfile("/hello.txt", 0o644, "hello")),
        ),
        (
            "file_mkdir",
            busybox().file(
                FileOpBuilder::new(FileAction::mkdir("/a/b", 0o755, true))
                    .custom_name("[x] mkdir /a/b"),
            ),
        ),
        (
            "file_copy",
            busybox().file(Copy::contents(&repo(), "/", "/app")),
        ),
        (
            "file_chain",
            busybox().with_dir("/work").file(
                FileOpBuilder::new(FileAction::mkdir("sub", 0o700, true))
                    .then(FileAction::mkfile("sub/x.txt", 0o600, "x"))
                    .then(Copy::new(&repo(), "README.md", "docs/").create_dest_path(true)),
            ),
        ),
        (
            "subdir",
            State::scratch().file(Copy::contents(&busybox(), "/etc", "/")),
        ),
        (
            "dedup",
            busybox()
                .exec(Exec::new(["true"]).mount(
                    "/a",
                    Mount::readonly(&source::image("docker.io/library/busybox:latest").unwrap()),
                ))
                .unwrap()
                .root(),
        ),
    ]
}
