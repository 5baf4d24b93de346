//! What a `local` op sends: the directory it names, checked against the
//! plan's [`HostAccess`], and the patterns that filter it, from the op's
//! `include` and the `.daggerignore` files that apply.
//!
//! Ignore files (dockerignore syntax) apply at every level of the readable
//! tree holding the directory (the module root, or the allowed directory):
//! the one of that root, of every directory from the root down to the named
//! directory, and of every directory below it that is sent. Each file's
//! patterns are relative to the directory holding it and apply below it;
//! deeper files come later, so their `!` lines win. A plan naming a
//! directory that these files leave out (`dir: "keys"` with `keys` in the
//! root's `.daggerignore`) is an error. An ignore file that is a symlink (or
//! not a regular file) is an error too: it is never read through.
//!
//! The transfer is of the root (the session serves it), filtered by
//! root-relative patterns: the named directory as the include (or the op's
//! include patterns below it) and every ignore file's patterns as excludes.
//! The patterns are part of the LLB source, hence of its cache key, so a
//! changed `.daggerignore` changes what arrives.

use crate::host::{Granted, HostAccess};
use crate::state::StateNode;

/// Name of the ignore file read in local directories.
pub const IGNORE_FILE: &str = ".daggerignore";

/// The state of a `local` op naming `dir`, with the op's `include`.
pub fn local_state(host: &HostAccess, dir: &str, include: &[String]) -> Result<StateNode, String> {
    let granted = host.resolve(dir)?;
    let (include, exclude) = patterns(&granted, include)?;
    Ok(StateNode::Local {
        dir: granted.dir.to_string_lossy().into_owned(),
        root: granted.root.to_string_lossy().into_owned(),
        subdir: granted.subdir,
        include,
        exclude,
    })
}

#[cfg(not(feature = "buildkit"))]
fn patterns(granted: &Granted, include: &[String]) -> Result<(Vec<String>, Vec<String>), String> {
    // Without BuildKit nothing is ever sent: the patterns are not worked out.
    let _ = granted;
    Ok((include.to_vec(), Vec::new()))
}

/// The include and exclude patterns, relative to `granted.root`.
#[cfg(feature = "buildkit")]
fn patterns(granted: &Granted, include: &[String]) -> Result<(Vec<String>, Vec<String>), String> {
    use llb::client::patterns::{escape, under, PatternSet};

    let sub = granted.subdir.as_str();
    PatternSet::new(include).map_err(|e| format!("include: {e}"))?;
    let include: Vec<String> = if sub.is_empty() {
        include.to_vec()
    } else if include.is_empty() {
        vec![escape(sub)]
    } else {
        include.iter().map(|p| under(sub, p)).collect()
    };

    // From the root down to the named directory, each level's ignore file,
    // each level checked against the files above it.
    let mut files = IgnoreFiles::default();
    let levels: Vec<&str> = if sub.is_empty() {
        vec![""]
    } else {
        std::iter::once("")
            .chain(sub.match_indices('/').map(|(i, _)| &sub[..i]))
            .chain(std::iter::once(sub))
            .collect()
    };
    for level in levels {
        if !level.is_empty() && files.set()?.excludes_dir(level) {
            return Err(format!(
                "{} is excluded by {}: a plan cannot read what an ignore file leaves out \
                 (remove the line there to let plans read it)",
                granted.root.join(level).display(),
                files.names()
            ));
        }
        files.read(granted, level)?;
    }

    // Ignore files below the named directory, found by walking what would
    // be sent without the op's include patterns (they do not hide an ignore
    // file's own lines), until no new one turns up (a `!` line may bring one
    // back).
    let whole: Vec<String> = if sub.is_empty() {
        Vec::new()
    } else {
        vec![escape(sub)]
    };
    loop {
        let entries =
            llb::client::session::filesync::walk(&granted.root, &whole, &files.patterns())?;
        let mut new: Vec<String> = entries
            .iter()
            .filter_map(|e| {
                let (parent, name) = e.rel.rsplit_once('/').unwrap_or(("", &e.rel));
                (name == IGNORE_FILE && parent != sub && !files.has(parent))
                    .then(|| parent.to_string())
            })
            .collect();
        if new.is_empty() {
            break;
        }
        new.sort_by_key(|p| (p.matches('/').count(), p.clone()));
        for level in new {
            files.read(granted, &level)?;
        }
    }
    Ok((include, files.patterns()))
}

/// The ignore files read so far: directory (root-relative) and its patterns
/// re-rooted at the root, shallow ones first.
#[cfg(feature = "buildkit")]
#[derive(Default)]
struct IgnoreFiles {
    files: Vec<(String, std::path::PathBuf, Vec<String>)>,
}

#[cfg(feature = "buildkit")]
impl IgnoreFiles {
    fn has(&self, level: &str) -> bool {
        self.files.iter().any(|(l, _, _)| l == level)
    }

    /// All patterns, shallow files first (so deeper `!` lines win).
    fn patterns(&self) -> Vec<String> {
        let mut sorted: Vec<&(String, std::path::PathBuf, Vec<String>)> =
            self.files.iter().collect();
        sorted.sort_by_key(|(l, _, _)| {
            let depth = if l.is_empty() {
                0
            } else {
                1 + l.matches('/').count()
            };
            (depth, l.clone())
        });
        sorted.into_iter().flat_map(|(_, _, p)| p.clone()).collect()
    }

    fn set(&self) -> Result<llb::client::patterns::PatternSet, String> {
        llb::client::patterns::PatternSet::new(&self.patterns())
    }

    fn names(&self) -> String {
        let names: Vec<String> = self
            .files
            .iter()
            .map(|(_, f, _)| f.display().to_string())
            .collect();
        names.join(", ")
    }

    /// Reads the ignore file of directory `level` (root-relative), if any.
    fn read(&mut self, granted: &Granted, level: &str) -> Result<(), String> {
        use llb::client::patterns::{parse_ignore_file, under, PatternSet};

        let path = granted.root.join(level).join(IGNORE_FILE);
        let md = match std::fs::symlink_metadata(&path) {
            Ok(md) => md,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
        };
        if md.file_type().is_symlink() {
            return Err(format!(
                "{} is a symbolic link: ignore files are never read through links; \
                 make it a regular file",
                path.display()
            ));
        }
        if !md.is_file() {
            return Err(format!("{} is not a regular file", path.display()));
        }
        let bytes =
            std::fs::read(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let text = String::from_utf8(bytes)
            .map_err(|_| format!("{} is not UTF-8 text", path.display()))?;
        let own = parse_ignore_file(&text);
        PatternSet::new(&own).map_err(|e| format!("{}: {e}", path.display()))?;
        let patterns = own.iter().map(|p| under(level, p)).collect();
        self.files.push((level.to_string(), path, patterns));
        Ok(())
    }
}

#[cfg(all(test, feature = "buildkit"))]
mod tests {
    use super::*;
    use std::path::Path;

    fn tree(root: &Path, files: &[(&str, &str)]) {
        for (f, text) in files {
            let p = root.join(f);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(&p, text).unwrap();
        }
    }

    /// What a `local` op naming `dir` sends, relative to `dir` (files only).
    fn sent(host: &HostAccess, dir: &str, include: &[&str]) -> Result<Vec<String>, String> {
        let include: Vec<String> = include.iter().map(|s| s.to_string()).collect();
        let StateNode::Local {
            root,
            subdir,
            include,
            exclude,
            ..
        } = local_state(host, dir, &include)?
        else {
            unreachable!()
        };
        let entries = llb::client::session::filesync::walk(Path::new(&root), &include, &exclude)?;
        Ok(entries
            .iter()
            .filter(|e| e.stat.mode & (1 << 31) == 0)
            .filter_map(|e| {
                if subdir.is_empty() {
                    Some(e.rel.clone())
                } else {
                    e.rel
                        .strip_prefix(&format!("{subdir}/"))
                        .map(str::to_string)
                }
            })
            .collect())
    }

    fn plan() -> (tempfile::TempDir, HostAccess) {
        let t = tempfile::tempdir().unwrap();
        tree(
            t.path(),
            &[
                ("main.cue", "package main\n"),
                (
                    ".daggerignore",
                    "keys\n.git\n**/*.log\nsub/deeper/secret.txt\n",
                ),
                ("keys/id_rsa", "KEY"),
                (".git/config", "GIT"),
                ("app.log", "L"),
                ("a.txt", "A"),
                ("sub/x.log", "L"),
                ("sub/deeper/secret.txt", "S"),
                ("sub/deeper/ok.txt", "O"),
                ("sub/deeper/hidden.md", "H"),
                ("sub/.daggerignore", "deeper/*.md\n"),
            ],
        );
        let host = HostAccess::new(t.path(), &[]).unwrap();
        (t, host)
    }

    #[test]
    fn the_roots_ignore_file_applies_to_the_whole_plan() {
        let (_t, host) = plan();
        assert_eq!(
            sent(&host, ".", &[]).unwrap(),
            vec![
                ".daggerignore",
                "a.txt",
                "main.cue",
                "sub/.daggerignore",
                "sub/deeper/ok.txt"
            ]
        );
    }

    #[test]
    fn every_ignore_file_from_the_root_down_applies_to_a_named_subdir() {
        let (_t, host) = plan();
        assert_eq!(sent(&host, "sub/deeper", &[]).unwrap(), vec!["ok.txt"]);
        assert_eq!(
            sent(&host, "sub", &[]).unwrap(),
            vec![".daggerignore", "deeper/ok.txt"]
        );
        assert_eq!(
            sent(&host, "./sub/../sub/deeper", &["*.txt"]).unwrap(),
            vec!["ok.txt"]
        );
    }

    #[test]
    fn a_named_dir_that_is_ignored_is_an_error() {
        let (t, host) = plan();
        std::fs::create_dir_all(t.path().join("keys/deeper")).unwrap();
        for dir in ["keys", ".git", "keys/deeper"] {
            let e = sent(&host, dir, &[]).unwrap_err();
            assert!(
                e.contains("is excluded by") && e.contains(".daggerignore"),
                "{dir}: {e}"
            );
        }
    }

    #[test]
    fn ignore_files_below_the_named_dir_apply_too() {
        let t = tempfile::tempdir().unwrap();
        tree(
            t.path(),
            &[
                ("a/.daggerignore", "secret\n"),
                ("a/secret", "S"),
                ("a/b/.daggerignore", "*.key\n!keep.key\n"),
                ("a/b/x.key", "K"),
                ("a/b/keep.key", "K"),
                ("a/c/secret", "fine: only a/secret is listed"),
            ],
        );
        let host = HostAccess::new(t.path(), &[]).unwrap();
        assert_eq!(
            sent(&host, ".", &[]).unwrap(),
            vec![
                "a/.daggerignore",
                "a/b/.daggerignore",
                "a/b/keep.key",
                "a/c/secret"
            ]
        );
        // The op's include patterns do not hide an ignore file's lines.
        assert_eq!(
            sent(&host, ".", &["**/*.key"]).unwrap(),
            vec!["a/b/keep.key"]
        );
    }

    #[test]
    fn an_ignore_file_that_is_a_symlink_is_never_read() {
        let t = tempfile::tempdir().unwrap();
        tree(
            t.path(),
            &[("plan/a.txt", "A"), ("outside/rules", "a.txt\n")],
        );
        std::os::unix::fs::symlink(
            t.path().join("outside/rules"),
            t.path().join("plan/.daggerignore"),
        )
        .unwrap();
        let host = HostAccess::new(&t.path().join("plan"), &[]).unwrap();
        let e = sent(&host, ".", &[]).unwrap_err();
        assert!(e.contains("is a symbolic link"), "{e}");
    }

    #[test]
    fn a_changed_ignore_file_changes_the_patterns() {
        let (t, host) = plan();
        let before = local_state(&host, "sub", &[]).unwrap();
        std::fs::write(t.path().join("sub/.daggerignore"), "deeper/ok.txt\n").unwrap();
        let after = local_state(&host, "sub", &[]).unwrap();
        assert_ne!(before, after);
        assert_eq!(
            sent(&host, "sub", &[]).unwrap(),
            vec![".daggerignore", "deeper/hidden.md"]
        );
    }

    #[test]
    fn bad_patterns_are_errors_naming_their_file() {
        let (t, host) = plan();
        std::fs::write(t.path().join("sub/.daggerignore"), "[\n").unwrap();
        let e = sent(&host, "sub", &[]).unwrap_err();
        assert!(
            e.contains("sub/.daggerignore") && e.contains("pattern"),
            "{e}"
        );
        let e = sent(&host, ".", &["a\\"]).unwrap_err();
        assert!(e.contains("include"), "{e}");
    }
}
