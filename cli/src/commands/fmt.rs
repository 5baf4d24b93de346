//! `dagger fmt`: print CUE files in the canonical style (tabs, one field per
//! line, aligned values, comments kept), in place; with `--check`, only list
//! the files that are not formatted and exit 1 if there are any.
//!
//! A tree may come from someone else, so fmt only ever rewrites regular
//! `.cue` files that are inside the tree it was given: symbolic links met
//! while walking a directory are not followed (a note on stderr says which
//! were skipped), a named file must be a regular `.cue` file, and a file is
//! replaced by renaming a new file over it, so even a hard link to a file
//! elsewhere is left as it was.

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
    /// `.cue` files or directories (searched recursively, `cue.mod`, hidden
    /// folders and symbolic links skipped); `-` reads standard input and
    /// writes standard output. The current directory if none is given.
    pub paths: Vec<String>,
    #[command(flatten)]
    pub log: super::log::LogArgs,
}

/// What happened to one input.
enum Outcome {
    Unchanged,
    Changed,
    Failed,
}

/// Runs `dagger fmt`.
pub fn run(args: Args) -> ExitCode {
    args.log.apply();
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
                super::log::error_text(&format!("dagger fmt: {p}: {e}"));
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
            super::log::error_text(&format!("{:?}", miette::Report::new(e)));
        }
        return None;
    }
    Some(format_file_with_source(&ast, text, &FormatOptions::tabs()))
}

fn file(path: &Path, check: bool) -> Outcome {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => {
            super::log::error_text(&format!("dagger fmt: cannot read {}: {e}", path.display()));
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
        if let Err(e) = replace_file(path, &out) {
            super::log::error_text(&format!("dagger fmt: cannot write {}: {e}", path.display()));
            return Outcome::Failed;
        }
    }
    Outcome::Changed
}

/// Replaces regular file `path` by a new file holding `text` with the same
/// permissions: written next to it and renamed over it, so the directory
/// entry changes and nothing it links to (symbolically or hard) is written.
fn replace_file(path: &Path, text: &str) -> std::io::Result<()> {
    let meta = std::fs::symlink_metadata(path)?;
    if !meta.file_type().is_file() {
        return Err(std::io::Error::other("no longer a regular file"));
    }
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".dagger-fmt-")
        .tempfile_in(dir)?;
    tmp.write_all(text.as_bytes())?;
    tmp.as_file().set_permissions(meta.permissions())?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

fn stdin(check: bool) -> Outcome {
    let mut text = String::new();
    if let Err(e) = std::io::stdin().read_to_string(&mut text) {
        super::log::error_text(&format!("dagger fmt: cannot read standard input: {e}"));
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
        super::log::error_text(&format!("dagger fmt: cannot write standard output: {e}"));
        return Outcome::Failed;
    }
    Outcome::Unchanged
}

/// The `.cue` files named by `path`: itself, or the regular ones under it,
/// sorted. A directory the user names is walked even through a link (they
/// named it); inside it, symbolic links are skipped with a note on stderr.
/// A named file must be a regular `.cue` file.
fn cue_files(path: &Path) -> std::io::Result<Vec<PathBuf>> {
    let meta = std::fs::metadata(path)?;
    if !meta.is_dir() {
        let link = std::fs::symlink_metadata(path)?.file_type().is_symlink();
        if link {
            return Err(std::io::Error::other(
                "is a symbolic link; fmt does not write through links (name its target instead)",
            ));
        }
        if !meta.is_file() || path.extension().is_none_or(|e| e != "cue") {
            return Err(std::io::Error::other("not a .cue file"));
        }
        return Ok(vec![path.to_path_buf()]);
    }
    let mut out = Vec::new();
    let mut stack = vec![path.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir)? {
            let entry = entry?;
            let p = entry.path();
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            // The entry itself, links not followed.
            let kind = entry.file_type()?;
            let hidden = name == "cue.mod" || name.starts_with('.');
            if kind.is_symlink() {
                if !hidden && (name.ends_with(".cue") || p.is_dir()) {
                    super::log::warning_text(&format!(
                        "dagger fmt: skipping {}: a symbolic link (not followed)",
                        p.display()
                    ));
                }
            } else if kind.is_dir() {
                if !hidden {
                    stack.push(p);
                }
            } else if kind.is_file() && name.ends_with(".cue") {
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

    #[cfg(unix)]
    #[test]
    fn walking_skips_links_and_named_files_must_be_regular_cue_files() {
        use std::os::unix::fs::symlink;
        let dir = scratch("links");
        let outside = scratch("links-outside");
        std::fs::write(outside.join("o.cue"), "o: 1\n").unwrap();
        std::fs::create_dir_all(outside.join("d")).unwrap();
        std::fs::write(outside.join("d/in.cue"), "i: 1\n").unwrap();
        std::fs::write(dir.join("a.cue"), "a: 1\n").unwrap();
        std::fs::write(dir.join("data.json"), "{}").unwrap();
        symlink(outside.join("o.cue"), dir.join("link.cue")).unwrap();
        symlink(outside.join("d"), dir.join("linkdir")).unwrap();
        let found = cue_files(&dir).unwrap();
        assert_eq!(found, vec![dir.join("a.cue")]);
        // Named explicitly: a link or a non-.cue file is refused.
        let err = cue_files(&dir.join("link.cue")).unwrap_err();
        assert!(err.to_string().contains("symbolic link"), "{err}");
        let err = cue_files(&dir.join("data.json")).unwrap_err();
        assert_eq!(err.to_string(), "not a .cue file");
        // A named directory is walked even when reached through a link.
        assert_eq!(
            cue_files(&dir.join("linkdir")).unwrap(),
            vec![dir.join("linkdir/in.cue")]
        );
        let _ = std::fs::remove_dir_all(&dir);
        let _ = std::fs::remove_dir_all(&outside);
    }

    #[cfg(unix)]
    #[test]
    fn rewriting_replaces_the_entry_and_keeps_permissions() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = scratch("hardlink");
        let f = dir.join("x.cue");
        std::fs::write(&f, "bbb: {c: 2}\n").unwrap();
        std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o640)).unwrap();
        std::fs::hard_link(&f, dir.join("other-name")).unwrap();
        assert!(matches!(file(&f, false), Outcome::Changed));
        assert_eq!(std::fs::read_to_string(&f).unwrap(), "bbb: {\n\tc: 2\n}\n");
        assert_eq!(
            std::fs::read_to_string(dir.join("other-name")).unwrap(),
            "bbb: {c: 2}\n",
            "a hard link elsewhere keeps its text"
        );
        let mode = std::fs::metadata(&f).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o640);
        let left: Vec<_> = std::fs::read_dir(&dir).unwrap().collect();
        assert_eq!(left.len(), 2, "no temporary file left behind");
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
