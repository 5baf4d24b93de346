//! `dagger up --watch`: run, then wait for a change of the plan's files, a
//! local input directory or the stored inputs, and run again; one line per
//! run on stdout. Ctrl-C between runs stops at once; during a run it
//! cancels the run (the state stays as the last completed run left it).

use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

use super::up::{once, Args, Mode};

/// How often the watched files are looked at.
const POLL: Duration = Duration::from_millis(300);
/// How long they must stay unchanged before a run starts (an editor's
/// save is often several writes).
const SETTLE: Duration = Duration::from_millis(400);

pub fn run(args: &Args, mode: &Mode) -> ExitCode {
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => return super::fail(&args.common, &format!("cannot start a runtime: {e}"), 1),
    };
    loop {
        let before = fingerprint(args);
        let (code, line) = once(args, mode);
        if code == ExitCode::from(super::super::interrupt::EXIT_INTERRUPTED) {
            return code;
        }
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{line}").and_then(|_| out.flush());
        drop(out);
        args.common
            .info("watching the plan and its inputs for changes (Ctrl-C stops)");
        let stop = runtime.block_on(async {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => true,
                _ = changed(args, before) => false,
            }
        });
        if stop {
            return ExitCode::SUCCESS;
        }
    }
}

/// Returns once the fingerprint differs from `before` and has settled.
async fn changed(args: &Args, before: String) {
    loop {
        tokio::time::sleep(POLL).await;
        let now = fingerprint(args);
        if now == before {
            continue;
        }
        let mut last = now;
        loop {
            tokio::time::sleep(SETTLE).await;
            let again = fingerprint(args);
            if again == last {
                return;
            }
            last = again;
        }
    }
}

/// What is watched, summed up: the stored inputs and plan source, the
/// plan's CUE files (a dir or file plan), and the size and modification
/// time of every entry of each local input directory.
fn fingerprint(args: &Args) -> String {
    use sha2::Digest;
    let mut h = sha2::Sha256::new();
    let Ok((store, state)) = super::open_quiet(&args.common) else {
        return String::new();
    };
    h.update(serde_json::to_string(&state.inputs).unwrap_or_default());
    h.update(serde_json::to_string(&state.plan).unwrap_or_default());
    let plan_dir = match &state.plan {
        controller::state::PlanSource::Dir { path } => Some(store.project().join(path)),
        controller::state::PlanSource::File { path } => {
            h.update(std::fs::read(store.project().join(path)).unwrap_or_default());
            None
        }
        _ => None,
    };
    if let Some(dir) = plan_dir {
        let dirs = controller::plan_source::PlanDirs {
            load: dir.clone(),
            plan: dir,
        };
        for (name, text) in controller::plan_source::files(&dirs) {
            h.update(name);
            h.update(text);
        }
    }
    for v in state.inputs.values() {
        if let controller::state::InputValue::Dir { path } = v {
            walk(std::path::Path::new(path), &mut h);
        }
    }
    format!("{:x}", h.finalize())
}

fn walk(dir: &std::path::Path, h: &mut sha2::Sha256) {
    use sha2::Digest;
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        let mut entries: Vec<_> = entries.flatten().collect();
        entries.sort_by_key(|e| e.file_name());
        for e in entries {
            let Ok(meta) = e.metadata() else { continue };
            let mtime = meta
                .modified()
                .ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map(|d| d.as_nanos())
                .unwrap_or(0);
            h.update(format!("{}\0{}\0{mtime}\n", e.path().display(), meta.len()));
            if meta.is_dir() {
                stack.push(e.path());
            }
        }
    }
}
