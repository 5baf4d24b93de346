//! Path patterns with `.dockerignore` semantics, used to filter local
//! directories sent to BuildKit (`include`/`exclude` of a local source, and
//! `.daggerignore` files).
//!
//! This reproduces the matcher BuildKit's own client uses (Docker's
//! `patternmatcher`), quirks included, so that a pattern set selects the same
//! files here as with `buildctl`; `llb/tests/local_patterns.rs` checks that
//! against answers recorded from BuildKit. The rules:
//!
//! - Patterns are trimmed and cleaned like Go's `path.Clean` (a leading `/`
//!   stays, so `/x` in an include list matches nothing; ignore files drop it,
//!   see [`parse_ignore_file`]). A leading `!` (checked after cleaning)
//!   re-includes; a lone `!` is an error.
//! - `*` matches any run of characters but `/`, `?` one such character, `**`
//!   any run including `/` (`**/` also zero directories), `[...]` a class,
//!   `\` escapes the next character.
//! - A pattern starting with `**` whose rest is literal (`**/node_modules`)
//!   matches by suffix; a literal pattern ending in `**` (`foo**`, `x/**`)
//!   by prefix; a fully literal pattern by equality.
//! - A path is matched when the pattern matches it or one of its parent
//!   directories. Patterns apply in order and the last one that matches
//!   decides; a pattern that could not change the current answer is not
//!   tested (so a `!` pattern is only tried on a path already matched).

use regex::Regex;

/// How one pattern is tested (patternmatcher's match types).
#[derive(Debug, Clone)]
enum Kind {
    /// The whole path equals the pattern.
    Exact,
    /// The path starts with the pattern minus its trailing `**`.
    Prefix,
    /// The path ends with the pattern minus its leading `**`.
    Suffix,
    Regex(Regex),
}

/// One compiled pattern.
#[derive(Debug, Clone)]
struct Pattern {
    /// The cleaned pattern, without its `!`.
    text: String,
    kind: Kind,
    negated: bool,
}

impl Pattern {
    fn matches(&self, path: &str) -> bool {
        match &self.kind {
            Kind::Exact => path == self.text,
            Kind::Prefix => path.starts_with(&self.text[..self.text.len() - 2]),
            Kind::Suffix => {
                let suffix = &self.text[2..];
                path.ends_with(suffix) || suffix.strip_prefix('/').is_some_and(|rest| path == rest)
            }
            Kind::Regex(re) => re.is_match(path),
        }
    }

    /// Tests the parent directories of `path`, shortest first.
    fn matches_a_parent(&self, path: &str) -> bool {
        path.match_indices('/')
            .any(|(i, _)| self.matches(&path[..i]))
    }

    /// The pattern without a trailing `/**` or `/*` (fsutil's
    /// `patternWithoutTrailingGlob`), used to decide whether a directory can
    /// hold matches.
    fn without_trailing_glob(&self) -> &str {
        let t = self.text.strip_suffix("/**").unwrap_or(&self.text);
        t.strip_suffix("/*").unwrap_or(t)
    }

    /// Whether the pattern has glob characters (besides a trailing glob),
    /// so that a directory's name alone cannot tell if it holds matches.
    fn is_glob(&self) -> bool {
        self.without_trailing_glob()
            .contains(['*', '[', ']', '?', '^', '\\'])
    }
}

/// What [`PatternSet::matches_below`] remembers about a directory for its
/// entries: which patterns matched the directory or one of its parents.
#[derive(Debug, Clone, Default)]
pub struct MatchInfo {
    parent_matched: Vec<bool>,
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
            let cleaned = go_clean(raw);
            let (negated, text) = match cleaned.strip_prefix('!') {
                Some("") => return Err("illegal exclusion pattern: \"!\"".to_string()),
                Some(rest) => (true, rest.to_string()),
                None => (false, cleaned),
            };
            check_syntax(&text).map_err(|e| format!("invalid pattern {raw:?}: {e}"))?;
            let kind = compile(&text).map_err(|e| format!("invalid pattern {raw:?}: {e}"))?;
            set.has_negations |= negated;
            set.patterns.push(Pattern {
                text,
                kind,
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
    /// last pattern that matches the path or one of its parents decides
    /// (patternmatcher's `MatchesOrParentMatches`).
    pub fn matches(&self, path: &str) -> bool {
        self.matches_below(path, &MatchInfo::default()).0
    }

    /// Whether `path` is matched, knowing what matched its directory
    /// (`parent`, from the call for that directory; the default when the
    /// directory was not tested, then the parents are tested here). This is
    /// patternmatcher's `MatchesUsingParentResults`, what a directory walk
    /// uses: a pattern that matched the directory matches its entries, and
    /// one that was not tried on the directory is tried on the entry alone.
    pub fn matches_below(&self, path: &str, parent: &MatchInfo) -> (bool, MatchInfo) {
        let known = parent.parent_matched.len() == self.patterns.len() && !self.patterns.is_empty();
        let mut matched = false;
        let mut info = MatchInfo {
            parent_matched: vec![false; self.patterns.len()],
        };
        for (i, p) in self.patterns.iter().enumerate() {
            let mut hit = known && parent.parent_matched[i];
            if !hit {
                // A pattern that could not change the answer is not tried.
                if p.negated != matched {
                    continue;
                }
                hit = p.matches(path) || (!known && p.matches_a_parent(path));
            }
            info.parent_matched[i] = hit;
            if hit {
                matched = !p.negated;
            }
        }
        (matched, info)
    }

    /// Whether a directory `dir` that the set does not select may still hold
    /// entries the set selects, as fsutil decides it before skipping the
    /// directory: always when a (non-`!`, or with `negations` only `!`)
    /// pattern has glob characters, else when such a pattern lies below
    /// `dir`.
    pub(crate) fn may_select_below(&self, dir: &str, negations: bool) -> bool {
        let relevant = || self.patterns.iter().filter(move |p| p.negated == negations);
        if relevant().any(Pattern::is_glob) {
            return true;
        }
        let dir_slash = format!("{dir}/");
        relevant().any(|p| format!("{}/", p.without_trailing_glob()).starts_with(&dir_slash))
    }

    /// Whether a walk filtered by these exclude patterns leaves directory
    /// `dir` out: it is matched itself, or one of its parents is matched and
    /// not entered (no `!` pattern could bring back anything below it).
    pub fn excludes_dir(&self, dir: &str) -> bool {
        let mut info = MatchInfo::default();
        let mut end = 0;
        loop {
            let next = dir[end..].find('/').map(|i| end + i);
            let prefix = &dir[..next.unwrap_or(dir.len())];
            let (hit, below) = self.matches_below(prefix, &info);
            match next {
                None => return hit,
                Some(_) if hit && !self.may_select_below(prefix, true) => return true,
                Some(i) => {
                    info = below;
                    end = i + 1;
                }
            }
        }
    }

    /// Whether nothing below directory `dir` can match a non-`!` pattern:
    /// every such pattern starts with literal directory names that `dir`
    /// leaves. (Only a shortcut of the walk: it never changes what is sent.)
    pub(crate) fn nothing_below(&self, dir: &str) -> bool {
        let positive: Vec<&Pattern> = self.patterns.iter().filter(|p| !p.negated).collect();
        !positive.is_empty()
            && positive.iter().all(|p| {
                let literal: Vec<&str> = p
                    .text
                    .split('/')
                    .take_while(|s| !s.contains(['*', '[', ']', '?', '^', '\\']))
                    .collect();
                // A pattern fully literal may also match by equality: only
                // its directories count as a prefix.
                !literal.is_empty() && dir.split('/').zip(literal.iter()).any(|(d, l)| d != *l)
            })
    }
}

/// Reads ignore-file text (`.daggerignore`, `.dockerignore` syntax) into
/// patterns, as Docker's `ignorefile.ReadAll` does: a UTF-8 BOM is dropped,
/// lines starting with `#` are comments, lines are trimmed, blank ones
/// skipped, each pattern (after a `!`) is cleaned and loses a leading `/`.
pub fn parse_ignore_file(text: &str) -> Vec<String> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| {
            let (neg, body) = match l.strip_prefix('!') {
                Some(b) => ("!", b.trim()),
                None => ("", l),
            };
            let mut body = if body.is_empty() {
                String::new()
            } else {
                go_clean(body)
            };
            if body.len() > 1 && body.starts_with('/') {
                body.remove(0);
            }
            format!("{neg}{body}")
        })
        .collect()
}

/// Escapes the glob characters of a literal path so that it is a pattern
/// matching exactly that path.
pub fn escape(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for c in path.chars() {
        if matches!(c, '*' | '?' | '[' | ']' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Re-roots `pattern`, written relative to directory `dir` (a literal
/// relative path), so that it applies to the same paths relative to the
/// tree `dir` is in: `*.log` under `sub` is `sub/*.log`, `!keep` is
/// `!sub/keep`. A pattern that can match nothing where it was written (`.`,
/// rooted, or leaving its directory with `..`) is kept as it is, so that it
/// still matches nothing.
pub fn under(dir: &str, pattern: &str) -> String {
    let trimmed = pattern.trim();
    let (neg, body) = match trimmed.strip_prefix('!') {
        Some(b) => ("!", b),
        None => ("", trimmed),
    };
    let cleaned = go_clean(body);
    if dir.is_empty()
        || body.is_empty()
        || cleaned == "."
        || cleaned.starts_with('/')
        || cleaned == ".."
        || cleaned.starts_with("../")
    {
        return trimmed.to_string();
    }
    format!("{neg}{}/{cleaned}", escape(dir))
}

/// Go's `path.Clean`: one `/` between names, no `.` names, `..` resolved
/// lexically (kept at the start of a relative path, dropped at the root).
fn go_clean(p: &str) -> String {
    if p.is_empty() {
        return ".".into();
    }
    let rooted = p.starts_with('/');
    let mut out: Vec<&str> = Vec::new();
    for seg in p.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                if out.last().is_some_and(|s| *s != "..") {
                    out.pop();
                } else if !rooted {
                    out.push("..");
                }
            }
            s => out.push(s),
        }
    }
    let body = out.join("/");
    match (rooted, body.is_empty()) {
        (true, _) => format!("/{body}"),
        (false, true) => ".".into(),
        (false, false) => body,
    }
}

/// The syntax check of Go's `filepath.Match`: classes closed and not empty,
/// ranges complete, no `\` at the end.
fn check_syntax(pattern: &str) -> Result<(), String> {
    let chars: Vec<char> = pattern.chars().collect();
    let mut i = 0;
    let escape_at = |i: usize| -> Result<usize, String> {
        match chars.get(i) {
            None => Err("unterminated character class".into()),
            Some('-') | Some(']') => Err("malformed character class".into()),
            Some('\\') => match chars.get(i + 1) {
                Some(_) => Ok(i + 2),
                None => Err("trailing backslash".into()),
            },
            Some(_) => Ok(i + 1),
        }
    };
    while i < chars.len() {
        match chars[i] {
            '\\' => {
                if i + 1 >= chars.len() {
                    return Err("trailing backslash".into());
                }
                i += 2;
            }
            '[' => {
                i += 1;
                if chars.get(i) == Some(&'^') {
                    i += 1;
                }
                let mut items = 0;
                loop {
                    if chars.get(i) == Some(&']') && items > 0 {
                        i += 1;
                        break;
                    }
                    i = escape_at(i)?;
                    if chars.get(i) == Some(&'-') {
                        i = escape_at(i + 1)?;
                    }
                    items += 1;
                }
            }
            _ => i += 1,
        }
    }
    Ok(())
}

/// Classifies and compiles a cleaned pattern the way patternmatcher does.
fn compile(pattern: &str) -> Result<Kind, String> {
    #[derive(PartialEq)]
    enum Detected {
        Exact,
        Prefix,
        Suffix,
        Regex,
    }
    let chars: Vec<char> = pattern.chars().collect();
    let mut re = String::from("^");
    let mut kind = Detected::Exact;
    let mut i = 0;
    let mut token = 0;
    while i < chars.len() {
        let c = chars[i];
        i += 1;
        match c {
            '*' if chars.get(i) == Some(&'*') => {
                i += 1;
                if chars.get(i) == Some(&'/') {
                    i += 1;
                }
                if i >= chars.len() {
                    // A trailing `**` matches everything below, like .gitignore.
                    if kind == Detected::Exact {
                        kind = Detected::Prefix;
                    } else {
                        re.push_str(".*");
                        kind = Detected::Regex;
                    }
                } else {
                    re.push_str("(.*/)?");
                    kind = Detected::Regex;
                }
                if token == 0 {
                    kind = Detected::Suffix;
                }
            }
            '*' => {
                re.push_str("[^/]*");
                kind = Detected::Regex;
            }
            '?' => {
                re.push_str("[^/]");
                kind = Detected::Regex;
            }
            '.' | '+' | '(' | ')' | '|' | '{' | '}' | '$' => {
                re.push('\\');
                re.push(c);
            }
            '\\' => match chars.get(i) {
                Some(&next) => {
                    i += 1;
                    if next.is_ascii_alphanumeric() {
                        // Go's regexp reads `\d`, `\w`... as classes: kept.
                        re.push('\\');
                        re.push(next);
                    } else {
                        re.push_str(&regex::escape(&next.to_string()));
                    }
                    kind = Detected::Regex;
                }
                None => re.push_str("\\\\"),
            },
            '[' | ']' => {
                re.push(c);
                kind = Detected::Regex;
            }
            c => re.push(c),
        }
        token += 1;
    }
    Ok(match kind {
        Detected::Exact => Kind::Exact,
        Detected::Prefix => Kind::Prefix,
        Detected::Suffix => Kind::Suffix,
        Detected::Regex => {
            re.push('$');
            Kind::Regex(Regex::new(&re).map_err(|e| e.to_string())?)
        }
    })
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
    fn every_parent_is_tested_not_only_the_pattern_depth() {
        // issue 20: `**/node_modules` is one segment deeper than the root
        // `node_modules/pkg/index.js`'s matching parent.
        let s = set(&["**/node_modules", "!keep.log"]);
        assert!(s.matches("node_modules/pkg/index.js"));
        assert!(s.matches("x/y/node_modules/a/b/c.js"));
        let s = set(&["**/z"]);
        assert!(s.matches("x/y/z/file.txt"));
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
    fn suffix_and_prefix_kinds_match_as_text() {
        // A literal after a leading `**` is a text suffix: no segment boundary.
        let s = set(&["**node_modules"]);
        assert!(s.matches("xnode_modules"));
        // A literal before a trailing `**` is a text prefix.
        let s = set(&["foo**"]);
        assert!(s.matches("foo"));
        assert!(s.matches("foobar"));
        assert!(!s.matches("fo"));
    }

    #[test]
    fn rooted_patterns_match_nothing_but_ignore_files_unroot_them() {
        assert!(!set(&["/src"]).matches("src"));
        assert_eq!(parse_ignore_file("/src\n"), vec!["src"]);
    }

    #[test]
    fn bad_patterns_are_errors_naming_them() {
        for bad in ["[", "a\\", "[]", "!"] {
            let e = PatternSet::new(&[bad]).unwrap_err();
            assert!(e.contains("pattern"), "{bad}: {e}");
        }
        assert!(PatternSet::new(&["[!a]"]).is_ok());
    }

    #[test]
    fn parent_results_carry_a_directory_match_to_its_entries() {
        let s = set(&["a", "!a/b"]);
        let (dir, info) = s.matches_below("a", &MatchInfo::default());
        assert!(dir);
        let (child, _) = s.matches_below("a/b", &info);
        assert!(!child);
        let (other, _) = s.matches_below("a/c", &info);
        assert!(other);
    }

    #[test]
    fn ignore_file_skips_comments_and_cleans() {
        let p = parse_ignore_file(
            "\u{feff}# comment\n\n/build/\n !keep.txt \n./a/../b\n  # not a comment\n",
        );
        assert_eq!(p, vec!["build", "!keep.txt", "b", "# not a comment"]);
    }

    #[test]
    fn go_clean_matches_path_clean() {
        for (input, want) in [
            ("a//b/./c/", "a/b/c"),
            ("../a", "../a"),
            ("a/../..", ".."),
            ("/../a", "/a"),
            ("", "."),
            ("!./a", "!./a"),
        ] {
            assert_eq!(go_clean(input), want, "{input}");
        }
    }

    #[test]
    fn escaped_paths_match_only_themselves() {
        let s = set(&[escape("a[1]*?.txt").as_str()]);
        assert!(s.matches("a[1]*?.txt"));
        assert!(!s.matches("a1xy.txt"));
    }

    #[test]
    fn excluded_dirs_are_found_as_a_walk_finds_them() {
        assert!(set(&["keys"]).excludes_dir("keys"));
        assert!(set(&["keys"]).excludes_dir("keys/deeper"));
        assert!(!set(&["keys"]).excludes_dir("keysmith"));
        assert!(set(&["**/.git"]).excludes_dir("a/.git"));
        // A `!` line below the directory brings it back...
        assert!(!set(&["a", "!a/b"]).excludes_dir("a/b"));
        // ...but a parent left out whole is not entered at all.
        assert!(set(&["a", "!x"]).excludes_dir("a/b"));
        assert!(set(&["sub/*", "!keep"]).excludes_dir("sub/deeper/x"));
    }

    #[test]
    fn patterns_are_rerooted_below_their_directory() {
        assert_eq!(under("sub", "*.log"), "sub/*.log");
        assert_eq!(under("sub", " !keep/./x "), "!sub/keep/x");
        assert_eq!(under("a[1]", "**/x"), "a\\[1\\]/**/x");
        assert_eq!(under("", "x"), "x");
        for never in [".", "/abs", "../up", "..", "!../up"] {
            assert_eq!(under("sub", never), never.trim());
        }
        let s = set(&[under("sub", "**/x").as_str()]);
        assert!(s.matches("sub/x") && s.matches("sub/a/x") && !s.matches("x"));
    }

    #[test]
    fn literal_prefixes_bound_where_includes_can_match() {
        let s = set(&["src/*.rs", "docs"]);
        assert!(s.nothing_below("web"));
        assert!(!s.nothing_below("src"));
        assert!(!s.nothing_below("docs/x"));
        assert!(!set(&["**/target"]).nothing_below("web"));
        assert!(set(&["a/b"]).nothing_below("a/c"));
    }
}
