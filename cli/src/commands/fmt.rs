//! `dagger fmt`: print CUE files in the canonical style (tabs, one field per
//! line, aligned values, comments kept), in place; with `--check`, only list
//! the files that are not formatted and exit 1 if there are any.

use cue_syntax::format::{format_file_with_source, FormatOptions};
use cue_syntax::SourceMap;
use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Arguments of `dagger fmt`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Do not write; list the files whose formatting differs and exit 1 if any.
    #[arg(long)]
    pub check: bool,
    /// `.cue` files or directories (searched recursively, `cue.mod` and
    /// hidden folders skipped); `-` reads standard input and writes standard
    /// output. The current directory if none is given.
    pub paths: Vec<String>,
}

/// What happened to one input.
enum Outcome {
    Unchanged,
    Changed,
    Failed,
}

/// Runs `dagger fmt`.
pub fn run(args: Args) -> ExitCode {
    let paths = if args.paths.is_empty() {
        vec![".".to_string()]
    } else {
        args.paths.clone()
    };
    let mut failed = false;
    let mut unformatted = false;
    for p in &paths {
        if p == "-" {
            match stdin(args.check) {
                Outcome::Unchanged => {}
                Outcome::Changed => unformatted = true,
                Outcome::Failed => failed = true,
            }
            continue;
        }
        let files = match cue_files(Path::new(p)) {
            Ok(f) => f,
            Err(e) => {
                eprintln!("dagger fmt: {p}: {e}");
                failed = true;
                continue;
            }
        };
        for f in files {
            match file(&f, args.check) {
                Outcome::Unchanged => {}
                Outcome::Changed => {
                    if args.check {
                        println!("{}", f.display());
                        unformatted = true;
                    }
                }
                Outcome::Failed => failed = true,
            }
        }
    }
    if failed || (args.check && unformatted) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// Formats `text` named `name`; prints syntax errors as diagnostics.
fn format_text(name: &str, text: &str) -> Option<String> {
    let mut map = SourceMap::new();
    let id = map.add(name, text);
    let (ast, errors) = map.parse(id);
    if !errors.is_empty() {
        for e in errors {
            eprintln!("{:?}", miette::Report::new(e));
        }
        return None;
    }
    Some(format_file_with_source(&ast, text, &FormatOptions::tabs()))
}

fn file(path: &Path, check: bool) -> Outcome {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("dagger fmt: cannot read {}: {e}", path.display());
            return Outcome::Failed;
        }
    };
    let Some(out) = format_text(&path.display().to_string(), &text) else {
        return Outcome::Failed;
    };
    if out == text {
        return Outcome::Unchanged;
    }
    if !check {
        if let Err(e) = std::fs::write(path, out) {
            eprintln!("dagger fmt: cannot write {}: {e}", path.display());
            return Outcome::Failed;
        }
    }
    Outcome::Changed
}

fn stdin(check: bool) -> Outcome {
    let mut text = String::new();
    if let Err(e) = std::io::stdin().read_to_string(&mut text) {
        eprintln!("dagger fmt: cannot read standard input: {e}");
        return Outcome::Failed;
    }
    let Some(out) = format_text("<stdin>", &text) else {
        return Outcome::Failed;
    };
    if check {
        if out != text {
            println!("<stdin>");
            return Outcome::Changed;
        }
        return Outcome::Unchanged;
    }
    if let Err(e) = std::io::stdout().write_all(out.as_bytes()) {
        eprintln!("dagger fmt: cannot write standard output: {e}");
        return Outcome::Failed;
    }
    Outcome::Unchanged
}

/// The `.cue` files named by `path`: itself, or those under it, sorted.
fn cue_files(path: &Path) -> std::io::Result<Vec<PathBuf>> {
    let meta = std::fs::metadata(path)?;
    if !meta.is_dir() {
        return Ok(vec![path.to_path_buf()]);
    }
    let mut out = Vec::new();
    let mut stack = vec![path.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir)? {
            let p = entry?.path();
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if p.is_dir() {
                if name != "cue.mod" && !name.starts_with('.') {
                    stack.push(p);
                }
            } else if name.ends_with(".cue") {
                out.push(p);
            }
        }
    }
    out.sort();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fresh scratch folder under the system temp dir.
    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("dagger-fmt-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        dir
    }

    #[test]
    fn finds_cue_files_recursively_skipping_cue_mod_and_hidden() {
        let dir = scratch("find");
        for p in [
            "a.cue",
            "sub/b.cue",
            "cue.mod/pkg/x.cue",
            ".git/c.cue",
            "notes.txt",
        ] {
            let p = dir.join(p);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(&p, "a: 1\n").unwrap();
        }
        let found: Vec<String> = cue_files(&dir)
            .unwrap()
            .iter()
            .map(|p| p.strip_prefix(&dir).unwrap().display().to_string())
            .collect();
        assert_eq!(found, vec!["a.cue", "sub/b.cue"]);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn check_reports_without_writing_and_fix_rewrites() {
        let dir = scratch("check");
        let f = dir.join("x.cue");
        std::fs::write(&f, "a: 1\nbbb: {c: 2}\n").unwrap();
        assert!(matches!(file(&f, true), Outcome::Changed));
        assert_eq!(std::fs::read_to_string(&f).unwrap(), "a: 1\nbbb: {c: 2}\n");
        assert!(matches!(file(&f, false), Outcome::Changed));
        assert_eq!(
            std::fs::read_to_string(&f).unwrap(),
            "a: 1\nbbb: {\n\tc: 2\n}\n"
        );
        assert!(matches!(file(&f, true), Outcome::Unchanged));
        // A file with a syntax error is reported and left alone.
        std::fs::write(&f, "a: {\n").unwrap();
        assert!(matches!(file(&f, false), Outcome::Failed));
        assert_eq!(std::fs::read_to_string(&f).unwrap(), "a: {\n");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
