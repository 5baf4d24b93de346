//! `regexp`: RE2 syntax (Go's `regexp`) on the `regex` crate. Perl classes
//! `\d \w \s \b` are ASCII-only in Go, so patterns are rewritten to ASCII
//! classes before compiling.

use super::args::{self, fail, ok_string, ok_strings};
use super::{func, BuiltinError, Kind, Package};
use crate::data::Data;
use regex::Regex;

const P: &str = "regexp";
const S: Kind = Kind::STRING;
const I: Kind = Kind::INT;
const B: Kind = Kind::BOOL;
const L: Kind = Kind::LIST;

type R = Result<Data, BuiltinError>;

pub static PACKAGE: Package = Package {
    path: P,
    cue: None,
    members: &[
        func!(P, "Find", [S, S], S, find),
        func!(P, "FindAll", [S, S, I], L, find_all),
        func!(
            P,
            "FindAllNamedSubmatch",
            [S, S, I],
            L,
            find_all_named_submatch
        ),
        func!(P, "FindAllSubmatch", [S, S, I], L, find_all_submatch),
        func!(
            P,
            "FindNamedSubmatch",
            [S, S],
            Kind::STRUCT,
            find_named_submatch
        ),
        func!(P, "FindSubmatch", [S, S], L, find_submatch),
        func!(P, "ReplaceAll", [S, S, S], S, replace_all),
        func!(P, "ReplaceAllLiteral", [S, S, S], S, replace_all_literal),
        func!(P, "Valid", [S], B, valid),
        func!(P, "Match", [S, S], B, matches),
        func!(P, "QuoteMeta", [S], S, quote_meta),
    ],
};

/// Rewrites Go-only or Go-meaning escapes to the `regex` crate's syntax.
fn translate(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len() + 8);
    let mut chars = pattern.chars();
    let mut in_class = false;
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some('d') => out.push_str(if in_class { "0-9" } else { "[0-9]" }),
                Some('D') => out.push_str("[^0-9]"),
                Some('w') => out.push_str(if in_class {
                    "0-9A-Za-z_"
                } else {
                    "[0-9A-Za-z_]"
                }),
                Some('W') => out.push_str("[^0-9A-Za-z_]"),
                Some('s') => out.push_str(if in_class {
                    "\\t\\n\\f\\r "
                } else {
                    "[\\t\\n\\f\\r ]"
                }),
                Some('S') => out.push_str("[^\\t\\n\\f\\r ]"),
                Some('b') if !in_class => out.push_str("(?-u:\\b)"),
                Some('B') if !in_class => out.push_str("(?-u:\\B)"),
                Some(n) => {
                    out.push('\\');
                    out.push(n);
                }
                None => out.push('\\'),
            },
            '[' if !in_class => {
                in_class = true;
                out.push('[');
                // A leading `]` (or `^]`) is a literal in RE2.
                let rest = chars.as_str();
                if let Some(r) = rest.strip_prefix('^') {
                    out.push('^');
                    chars.next();
                    if r.starts_with(']') {
                        out.push_str("\\]");
                        chars.next();
                    }
                } else if rest.starts_with(']') {
                    out.push_str("\\]");
                    chars.next();
                }
            }
            '[' if in_class && chars.as_str().starts_with(':') => {
                // POSIX class `[:alpha:]`: copy through.
                out.push('[');
                for c2 in chars.by_ref() {
                    out.push(c2);
                    if c2 == ']' {
                        break;
                    }
                }
            }
            '[' if in_class => out.push_str("\\["),
            ']' if in_class => {
                in_class = false;
                out.push(']');
            }
            c => out.push(c),
        }
    }
    out
}

/// Compiles a Go regular expression.
pub(crate) fn compile(pattern: &str) -> Result<Regex, BuiltinError> {
    Regex::new(&translate(pattern)).map_err(|e| {
        let detail = match e {
            regex::Error::Syntax(s) => s
                .lines()
                .rev()
                .find(|l| l.starts_with("error:"))
                .map(|l| l.trim_start_matches("error:").trim().to_string())
                .unwrap_or(s),
            other => other.to_string(),
        };
        BuiltinError::Call(format!("error parsing regexp: {detail}: `{pattern}`"))
    })
}

fn no_match<T>() -> Result<T, BuiltinError> {
    fail("no match")
}

fn find(a: &[Data]) -> R {
    let re = compile(args::string(a, 0)?)?;
    match re.find(args::string(a, 1)?) {
        Some(m) => ok_string(m.as_str()),
        None => no_match(),
    }
}

fn limit(n: i64) -> usize {
    if n < 0 {
        usize::MAX
    } else {
        n as usize
    }
}

fn find_all(a: &[Data]) -> R {
    let re = compile(args::string(a, 0)?)?;
    let all: Vec<&str> = re
        .find_iter(args::string(a, 1)?)
        .take(limit(args::int(a, 2)?).min(crate::limits::MAX_LIST_ELEMS + 1))
        .map(|m| m.as_str())
        .collect();
    args::check_elems(all.len() as u128)?;
    if all.is_empty() {
        return no_match();
    }
    ok_strings(all)
}

fn groups(c: &regex::Captures<'_>) -> Vec<String> {
    c.iter()
        .map(|m| m.map(|m| m.as_str().to_string()).unwrap_or_default())
        .collect()
}

fn named(re: &Regex, c: &regex::Captures<'_>) -> Data {
    let mut fields: Vec<(String, Data)> = re
        .capture_names()
        .flatten()
        .map(|n| {
            let v = c.name(n).map(|m| m.as_str()).unwrap_or("");
            (n.to_string(), Data::String(v.to_string()))
        })
        .collect();
    // Go maps become structs with sorted fields.
    fields.sort_by(|x, y| x.0.cmp(&y.0));
    Data::Struct(fields)
}

fn find_all_submatch(a: &[Data]) -> R {
    let re = compile(args::string(a, 0)?)?;
    let all: Vec<Data> = re
        .captures_iter(args::string(a, 1)?)
        .take(limit(args::int(a, 2)?).min(crate::limits::MAX_LIST_ELEMS + 1))
        .map(|c| Data::List(groups(&c).into_iter().map(Data::String).collect()))
        .collect();
    args::check_elems(all.len() as u128)?;
    if all.is_empty() {
        return no_match();
    }
    Ok(Data::List(all))
}

fn find_all_named_submatch(a: &[Data]) -> R {
    let re = compile(args::string(a, 0)?)?;
    let all: Vec<Data> = re
        .captures_iter(args::string(a, 1)?)
        .take(limit(args::int(a, 2)?).min(crate::limits::MAX_LIST_ELEMS + 1))
        .map(|c| named(&re, &c))
        .collect();
    args::check_elems(all.len() as u128)?;
    if all.is_empty() {
        return no_match();
    }
    Ok(Data::List(all))
}

fn find_submatch(a: &[Data]) -> R {
    let re = compile(args::string(a, 0)?)?;
    match re.captures(args::string(a, 1)?) {
        Some(c) => ok_strings(groups(&c)),
        None => no_match(),
    }
}

fn find_named_submatch(a: &[Data]) -> R {
    let re = compile(args::string(a, 0)?)?;
    match re.captures(args::string(a, 1)?) {
        Some(c) => Ok(named(&re, &c)),
        None => no_match(),
    }
}

fn replace_all(a: &[Data]) -> R {
    let re = compile(args::string(a, 0)?)?;
    let (text, repl) = (args::string(a, 1)?, args::string(a, 2)?);
    // Each match becomes the template's text plus, per `$` reference, at
    // most the match itself (groups lie inside it).
    let refs = repl.matches('$').count() as u128;
    check_replace(&re, text, repl.len() as u128, refs)?;
    ok_string(re.replace_all(text, repl))
}

fn replace_all_literal(a: &[Data]) -> R {
    let re = compile(args::string(a, 0)?)?;
    let (text, repl) = (args::string(a, 1)?, args::string(a, 2)?);
    check_replace(&re, text, repl.len() as u128, 0)?;
    ok_string(re.replace_all(text, regex::NoExpand(repl)))
}

/// Fails before replacing when the result could pass the size limit.
fn check_replace(
    re: &regex::Regex,
    text: &str,
    repl: u128,
    refs: u128,
) -> Result<(), BuiltinError> {
    if repl == 0 {
        return Ok(());
    }
    let (mut count, mut matched) = (0u128, 0u128);
    for m in re.find_iter(text) {
        count += 1;
        matched += m.len() as u128;
    }
    args::check_bytes(text.len() as u128 + count * repl + refs * matched)
}

fn valid(a: &[Data]) -> R {
    compile(args::string(a, 0)?)?;
    Ok(Data::Bool(true))
}

fn matches(a: &[Data]) -> R {
    let re = compile(args::string(a, 0)?)?;
    Ok(Data::Bool(re.is_match(args::string(a, 1)?)))
}

fn quote_meta(a: &[Data]) -> R {
    let mut out = String::new();
    for c in args::string(a, 0)?.chars() {
        if "\\.+*?()|[]{}^$".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    ok_string(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn perl_classes_are_ascii_like_go() {
        assert!(!compile(r"^\d$").unwrap().is_match("٣"));
        assert!(compile(r"^\d$").unwrap().is_match("3"));
        assert!(compile(r"^[\d_]+$").unwrap().is_match("1_2"));
        assert!(compile(r"^[]a]+$").unwrap().is_match("]a"));
    }
}
