//! Path patterns with `.dockerignore` semantics, used to filter local
//! directories sent to BuildKit (`include`/`exclude` of a local source, and a
//! directory's `.daggerignore`).
//!
//! Rules (those of Docker's pattern matcher): patterns are slash-separated and
//! cleaned; `*` matches any run of characters except `/`, `?` one such
//! character, `**` any number of path segments; `\` escapes. A pattern that
//! matches a directory also matches everything below it. Patterns apply in
//! order and the last one that matches decides; a leading `!` re-includes.

use regex::Regex;

/// One compiled pattern.
#[derive(Debug, Clone)]
struct Pattern {
    regex: Regex,
    /// Number of path segments, to test parents of deeper paths.
    segments: usize,
    negated: bool,
}

/// An ordered list of patterns.
#[derive(Debug, Clone, Default)]
pub struct PatternSet {
    patterns: Vec<Pattern>,
    has_negations: bool,
}

impl PatternSet {
    /// Compiles patterns; a pattern that cannot be compiled is an error naming it.
    pub fn new<S: AsRef<str>>(patterns: &[S]) -> Result<PatternSet, String> {
        let mut set = PatternSet::default();
        for raw in patterns {
            let raw = raw.as_ref().trim();
            if raw.is_empty() {
                continue;
            }
            let (negated, body) = match raw.strip_prefix('!') {
                Some(rest) => (true, rest.trim()),
                None => (false, raw),
            };
            let cleaned = clean(body);
            if cleaned.is_empty() {
                continue;
            }
            let regex = Regex::new(&to_regex(&cleaned))
                .map_err(|e| format!("invalid pattern {raw:?}: {e}"))?;
            set.has_negations |= negated;
            set.patterns.push(Pattern {
                regex,
                segments: cleaned.split('/').count(),
                negated,
            });
        }
        Ok(set)
    }

    /// No patterns at all.
    pub fn is_empty(&self) -> bool {
        self.patterns.is_empty()
    }

    /// Whether any pattern starts with `!`.
    pub fn has_negations(&self) -> bool {
        self.has_negations
    }

    /// Whether `path` (relative, `/`-separated) is matched by the set: the
    /// last pattern that matches the path or one of its parents decides.
    pub fn matches(&self, path: &str) -> bool {
        let parts: Vec<&str> = path.split('/').collect();
        let mut matched = false;
        for p in &self.patterns {
            // A pattern can only flip the current answer.
            if p.negated != matched {
                continue;
            }
            let mut hit = p.regex.is_match(path);
            if !hit && parts.len() > 1 && p.segments < parts.len() {
                hit = p.regex.is_match(&parts[..p.segments].join("/"));
            }
            if hit {
                matched = !p.negated;
            }
        }
        matched
    }
}

/// Reads ignore-file text (`.daggerignore`, `.dockerignore` syntax) into patterns.
pub fn parse_ignore_file(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            let (neg, body) = match l.strip_prefix('!') {
                Some(b) => ("!", b.trim()),
                None => ("", l),
            };
            format!("{neg}{}", clean(body))
        })
        .collect()
}

/// Lexical cleaning like Go's `path.Clean`, without a leading `/`.
fn clean(p: &str) -> String {
    let mut out: Vec<&str> = Vec::new();
    for seg in p.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                out.pop();
            }
            s => out.push(s),
        }
    }
    out.join("/")
}

fn to_regex(pattern: &str) -> String {
    let chars: Vec<char> = pattern.chars().collect();
    let mut re = String::from("^");
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '*' if chars.get(i + 1) == Some(&'*') => {
                i += 1;
                if chars.get(i + 1) == Some(&'/') {
                    // `**/` matches zero or more leading directories.
                    i += 1;
                    re.push_str("(.*/)?");
                } else {
                    re.push_str(".*");
                }
            }
            '*' => re.push_str("[^/]*"),
            '?' => re.push_str("[^/]"),
            '\\' if i + 1 < chars.len() => {
                i += 1;
                re.push_str(&regex::escape(&chars[i].to_string()));
            }
            '[' => {
                // Character classes pass through up to their closing bracket.
                match chars[i..].iter().position(|&c| c == ']') {
                    Some(end) => {
                        let class: String = chars[i..i + end + 1].iter().collect();
                        re.push_str(&class.replacen("[!", "[^", 1));
                        i += end;
                    }
                    None => re.push_str("\\["),
                }
            }
            c => re.push_str(&regex::escape(&c.to_string())),
        }
        i += 1;
    }
    re.push('$');
    re
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(p: &[&str]) -> PatternSet {
        PatternSet::new(p).unwrap()
    }

    #[test]
    fn star_stays_in_one_segment() {
        let s = set(&["*.log"]);
        assert!(s.matches("a.log"));
        assert!(!s.matches("dir/a.log"));
        assert!(!s.matches("a.txt"));
    }

    #[test]
    fn double_star_crosses_segments() {
        let s = set(&["**/*.log"]);
        assert!(s.matches("a.log"));
        assert!(s.matches("x/y/a.log"));
        assert!(!s.matches("x/y/a.txt"));
    }

    #[test]
    fn directory_pattern_covers_children() {
        let s = set(&["node_modules"]);
        assert!(s.matches("node_modules"));
        assert!(s.matches("node_modules/x/y.js"));
        assert!(!s.matches("src/node_modules_x"));
    }

    #[test]
    fn last_match_wins_and_negation_reincludes() {
        let s = set(&["*.md", "!README.md"]);
        assert!(s.matches("CHANGES.md"));
        assert!(!s.matches("README.md"));
        assert!(s.has_negations());
    }

    #[test]
    fn question_mark_and_escapes() {
        let s = set(&["file?.txt", "lit\\*"]);
        assert!(s.matches("file1.txt"));
        assert!(!s.matches("file12.txt"));
        assert!(s.matches("lit*"));
        assert!(!s.matches("litx"));
    }

    #[test]
    fn ignore_file_skips_comments_and_cleans() {
        let p = parse_ignore_file("# comment\n\n/build/\n !keep.txt \n./a/../b\n");
        assert_eq!(p, vec!["build", "!keep.txt", "b"]);
    }
}
