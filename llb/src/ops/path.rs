//! Slash-path normalization for paths inside container filesystems, with the
//! semantics BuildKit expects (those of Go's `path.Clean`): collapse `//`,
//! drop `.`, resolve `..` lexically, never go above `/`, no trailing slash.

/// Lexically cleans a slash-separated path; the empty path becomes `.`.
pub fn clean(p: &str) -> String {
    if p.is_empty() {
        return ".".to_string();
    }
    let rooted = p.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in p.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|last| *last != "..") {
                    parts.pop();
                } else if !rooted {
                    parts.push("..");
                }
            }
            other => parts.push(other),
        }
    }
    let joined = parts.join("/");
    match (rooted, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".to_string(),
        (false, false) => joined,
    }
}

/// Makes `p` absolute against the working directory `dir` and cleans it.
/// With `keep_slash`, a trailing `/` or `/.` of `p` is kept, because for a
/// copy destination it means "into this directory".
pub fn absolute(dir: &str, p: &str, keep_slash: bool) -> String {
    let mut out = if p.starts_with('/') {
        clean(p)
    } else {
        clean(&format!("/{dir}/{p}"))
    };
    if keep_slash {
        if p.ends_with('/') && !out.ends_with('/') {
            out.push('/');
        } else if p.ends_with("/.") {
            if out != "/" {
                out.push('/');
            }
            out.push('.');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_cases() {
        for (input, want) in [
            ("", "."),
            ("/", "/"),
            ("//a//b/", "/a/b"),
            ("/a/./b/../c", "/a/c"),
            ("/../a", "/a"),
            ("a/../..", ".."),
            ("./", "."),
            ("a/b/", "a/b"),
        ] {
            assert_eq!(clean(input), want, "clean({input:?})");
        }
    }

    #[test]
    fn absolute_against_working_dir() {
        assert_eq!(absolute("/work", "out.txt", false), "/work/out.txt");
        assert_eq!(absolute("/work", "/etc/x", false), "/etc/x");
        assert_eq!(absolute("/", "dir/", true), "/dir/");
        assert_eq!(absolute("/", "dir/.", true), "/dir/.");
        assert_eq!(absolute("/", ".", true), "/");
        assert_eq!(absolute("/", "/.", true), "/.");
    }
}
