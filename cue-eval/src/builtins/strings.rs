//! `strings`: Go's `strings` functions over UTF-8 text, plus CUE's
//! rune-based additions (`Runes`, `MinRunes`, `SliceRunes`, `ByteAt`, ...).
//! Indices are byte offsets, as in Go.

use super::args::{self, fail, ok_int, ok_string, ok_strings};
use super::{func, BuiltinError, Kind, Package};
use crate::data::Data;

const P: &str = "strings";
const S: Kind = Kind::STRING;
const SB: Kind = Kind::STRING_BYTES;
const I: Kind = Kind::INT;
const B: Kind = Kind::BOOL;
const L: Kind = Kind::LIST;

type R = Result<Data, BuiltinError>;

pub static PACKAGE: Package = Package {
    path: P,
    cue: None,
    members: &[
        func!(P, "ByteAt", [SB, I], I, byte_at),
        func!(P, "ByteSlice", [SB, I, I], SB, byte_slice),
        func!(P, "Runes", [S], L, runes),
        func!(P, "MinRunes", [S, I], B, min_runes),
        func!(P, "MaxRunes", [S, I], B, max_runes),
        func!(P, "ToTitle", [S], S, to_title),
        func!(P, "ToCamel", [S], S, to_camel),
        func!(P, "SliceRunes", [S, I, I], S, slice_runes),
        func!(P, "Compare", [S, S], I, compare),
        func!(P, "Count", [S, S], I, count),
        func!(P, "Contains", [S, S], B, contains),
        func!(P, "ContainsAny", [S, S], B, contains_any),
        func!(P, "LastIndex", [S, S], I, last_index),
        func!(P, "IndexAny", [S, S], I, index_any),
        func!(P, "LastIndexAny", [S, S], I, last_index_any),
        func!(P, "SplitN", [S, S, I], L, split_n),
        func!(P, "SplitAfterN", [S, S, I], L, split_after_n),
        func!(P, "Split", [S, S], L, split),
        func!(P, "SplitAfter", [S, S], L, split_after),
        func!(P, "Fields", [S], L, fields),
        func!(P, "Join", [L, S], S, join),
        func!(P, "HasPrefix", [S, S], B, has_prefix),
        func!(P, "HasSuffix", [S, S], B, has_suffix),
        func!(P, "Repeat", [S, I], S, repeat),
        func!(P, "ToUpper", [S], S, to_upper),
        func!(P, "ToLower", [S], S, to_lower),
        func!(P, "Trim", [S, S], S, trim),
        func!(P, "TrimLeft", [S, S], S, trim_left),
        func!(P, "TrimRight", [S, S], S, trim_right),
        func!(P, "TrimSpace", [S], S, trim_space),
        func!(P, "TrimPrefix", [S, S], S, trim_prefix),
        func!(P, "TrimSuffix", [S, S], S, trim_suffix),
        func!(P, "Replace", [S, S, S, I], S, replace),
        func!(P, "Index", [S, S], I, index),
    ],
};

fn s(a: &[Data], i: usize) -> Result<&str, BuiltinError> {
    args::string(a, i)
}

fn byte_at(a: &[Data]) -> R {
    let b = args::bytes(a, 0)?;
    let i = args::int(a, 1)?;
    match usize::try_from(i).ok().and_then(|i| b.get(i)) {
        Some(&c) => ok_int(c),
        None => fail("index out of range"),
    }
}

fn byte_slice(a: &[Data]) -> R {
    let b = args::bytes(a, 0)?;
    let (start, end) = (args::int(a, 1)?, args::int(a, 2)?);
    if start < 0 || start > end || end as usize > b.len() {
        return fail("index out of range");
    }
    Ok(Data::Bytes(b[start as usize..end as usize].to_vec()))
}

fn runes(a: &[Data]) -> R {
    let text = s(a, 0)?;
    args::check_elems(text.chars().count() as u128)?;
    Ok(Data::List(
        text.chars()
            .map(|c| Data::Number(crate::num::Number::from_i64(c as i64)))
            .collect(),
    ))
}

fn min_runes(a: &[Data]) -> R {
    Ok(Data::Bool(
        s(a, 0)?.chars().count() as i64 >= args::int(a, 1)?,
    ))
}

fn max_runes(a: &[Data]) -> R {
    Ok(Data::Bool(
        s(a, 0)?.chars().count() as i64 <= args::int(a, 1)?,
    ))
}

/// Go's `unicode.ToUpper` for one rune (no multi-rune special casing).
pub(crate) fn upper(c: char) -> char {
    let mut it = c.to_uppercase();
    match (it.next(), it.next()) {
        (Some(u), None) => u,
        _ => c,
    }
}

/// Go's `unicode.ToLower` for one rune.
pub(crate) fn lower(c: char) -> char {
    let mut it = c.to_lowercase();
    match (it.next(), it.next()) {
        (Some(u), None) => u,
        _ => c,
    }
}

/// Maps the first rune after each white space (and the first rune).
fn map_word_starts(text: &str, f: fn(char) -> char) -> String {
    let mut prev = ' ';
    text.chars()
        .map(|c| {
            let out = if prev.is_whitespace() { f(c) } else { c };
            prev = c;
            out
        })
        .collect()
}

fn to_title(a: &[Data]) -> R {
    ok_string(map_word_starts(s(a, 0)?, upper))
}

fn to_camel(a: &[Data]) -> R {
    ok_string(map_word_starts(s(a, 0)?, lower))
}

fn slice_runes(a: &[Data]) -> R {
    let runes: Vec<char> = s(a, 0)?.chars().collect();
    let (start, end) = (args::int(a, 1)?, args::int(a, 2)?);
    if start < 0 || start > end || end as usize > runes.len() {
        return fail("index out of range");
    }
    ok_string(
        runes[start as usize..end as usize]
            .iter()
            .collect::<String>(),
    )
}

fn compare(a: &[Data]) -> R {
    ok_int(s(a, 0)?.cmp(s(a, 1)?) as i8)
}

fn count(a: &[Data]) -> R {
    let (text, sub) = (s(a, 0)?, s(a, 1)?);
    if sub.is_empty() {
        return ok_int(text.chars().count() as i64 + 1);
    }
    ok_int(text.matches(sub).count() as i64)
}

fn contains(a: &[Data]) -> R {
    Ok(Data::Bool(s(a, 0)?.contains(s(a, 1)?)))
}

fn contains_any(a: &[Data]) -> R {
    let chars = s(a, 1)?;
    Ok(Data::Bool(s(a, 0)?.chars().any(|c| chars.contains(c))))
}

fn opt_index(i: Option<usize>) -> R {
    ok_int(i.map(|i| i as i64).unwrap_or(-1))
}

fn index(a: &[Data]) -> R {
    opt_index(s(a, 0)?.find(s(a, 1)?))
}

fn last_index(a: &[Data]) -> R {
    opt_index(s(a, 0)?.rfind(s(a, 1)?))
}

fn index_any(a: &[Data]) -> R {
    let chars = s(a, 1)?;
    opt_index(s(a, 0)?.find(|c| chars.contains(c)))
}

fn last_index_any(a: &[Data]) -> R {
    let chars = s(a, 1)?;
    opt_index(s(a, 0)?.rfind(|c| chars.contains(c)))
}

/// Go's `genSplit`: split after `sep` plus `keep` bytes of it, at most `n`
/// pieces (`n < 0`: all; `n == 0`: none).
pub(crate) fn gen_split(text: &str, sep: &str, keep: bool, n: i64) -> Vec<String> {
    if n == 0 {
        return Vec::new();
    }
    if sep.is_empty() {
        // Explode into runes, the last piece keeping the rest.
        let mut out: Vec<String> = Vec::new();
        let mut rest = text;
        while !rest.is_empty() {
            if n > 0 && out.len() as i64 == n - 1 {
                out.push(rest.to_string());
                return out;
            }
            let c = rest.chars().next().map(char::len_utf8).unwrap_or(1);
            out.push(rest[..c].to_string());
            rest = &rest[c..];
        }
        return out;
    }
    let mut out = Vec::new();
    let mut rest = text;
    while n < 0 || (out.len() as i64) < n - 1 {
        match rest.find(sep) {
            Some(i) => {
                let cut = if keep { i + sep.len() } else { i };
                out.push(rest[..cut].to_string());
                rest = &rest[i + sep.len()..];
            }
            None => break,
        }
    }
    out.push(rest.to_string());
    out
}

/// Checks the number of pieces of a split before making them.
fn check_split(text: &str, sep: &str, n: i64) -> Result<(), BuiltinError> {
    let pieces = if sep.is_empty() {
        text.chars().count()
    } else {
        text.matches(sep).count() + 1
    };
    let pieces = if n < 0 {
        pieces
    } else {
        pieces.min(n as usize)
    };
    args::check_elems(pieces as u128)
}

fn split_n(a: &[Data]) -> R {
    let (text, sep, n) = (s(a, 0)?, s(a, 1)?, args::int(a, 2)?);
    check_split(text, sep, n)?;
    ok_strings(gen_split(text, sep, false, n))
}

fn split_after_n(a: &[Data]) -> R {
    let (text, sep, n) = (s(a, 0)?, s(a, 1)?, args::int(a, 2)?);
    check_split(text, sep, n)?;
    ok_strings(gen_split(text, sep, true, n))
}

fn split(a: &[Data]) -> R {
    let (text, sep) = (s(a, 0)?, s(a, 1)?);
    check_split(text, sep, -1)?;
    ok_strings(gen_split(text, sep, false, -1))
}

fn split_after(a: &[Data]) -> R {
    let (text, sep) = (s(a, 0)?, s(a, 1)?);
    check_split(text, sep, -1)?;
    ok_strings(gen_split(text, sep, true, -1))
}

fn fields(a: &[Data]) -> R {
    let text = s(a, 0)?;
    args::check_elems(text.split_whitespace().count() as u128)?;
    ok_strings(text.split_whitespace())
}

fn join(a: &[Data]) -> R {
    let (parts, sep) = (args::string_list(a, 0)?, s(a, 1)?);
    let total: u128 = parts.iter().map(|p| p.len() as u128).sum::<u128>()
        + sep.len() as u128 * parts.len().saturating_sub(1) as u128;
    args::check_bytes(total)?;
    ok_string(parts.join(sep))
}

fn has_prefix(a: &[Data]) -> R {
    Ok(Data::Bool(s(a, 0)?.starts_with(s(a, 1)?)))
}

fn has_suffix(a: &[Data]) -> R {
    Ok(Data::Bool(s(a, 0)?.ends_with(s(a, 1)?)))
}

fn repeat(a: &[Data]) -> R {
    let (text, n) = (s(a, 0)?, args::int(a, 1)?);
    if n < 0 {
        return fail("strings: negative Repeat count");
    }
    args::check_bytes(text.len() as u128 * n as u128)?;
    ok_string(text.repeat(n as usize))
}

fn to_upper(a: &[Data]) -> R {
    ok_string(s(a, 0)?.chars().map(upper).collect::<String>())
}

fn to_lower(a: &[Data]) -> R {
    ok_string(s(a, 0)?.chars().map(lower).collect::<String>())
}

fn trim(a: &[Data]) -> R {
    let cut = s(a, 1)?;
    ok_string(s(a, 0)?.trim_matches(|c| cut.contains(c)))
}

fn trim_left(a: &[Data]) -> R {
    let cut = s(a, 1)?;
    ok_string(s(a, 0)?.trim_start_matches(|c| cut.contains(c)))
}

fn trim_right(a: &[Data]) -> R {
    let cut = s(a, 1)?;
    ok_string(s(a, 0)?.trim_end_matches(|c| cut.contains(c)))
}

fn trim_space(a: &[Data]) -> R {
    ok_string(s(a, 0)?.trim())
}

fn trim_prefix(a: &[Data]) -> R {
    let text = s(a, 0)?;
    ok_string(text.strip_prefix(s(a, 1)?).unwrap_or(text))
}

fn trim_suffix(a: &[Data]) -> R {
    let text = s(a, 0)?;
    ok_string(text.strip_suffix(s(a, 1)?).unwrap_or(text))
}

fn replace(a: &[Data]) -> R {
    let (text, old, new, n) = (s(a, 0)?, s(a, 1)?, s(a, 2)?, args::int(a, 3)?);
    if new.len() > old.len() {
        // Check the size before building it: each replacement grows the
        // text by the difference.
        let found = if old.is_empty() {
            text.chars().count() as u128 + 1
        } else {
            text.matches(old).count() as u128
        };
        let times = if n < 0 { found } else { found.min(n as u128) };
        args::check_bytes(text.len() as u128 + times * (new.len() - old.len()) as u128)?;
    }
    if n < 0 {
        if old.is_empty() {
            return ok_string(replace_empty(text, new, usize::MAX));
        }
        return ok_string(text.replace(old, new));
    }
    if old.is_empty() {
        return ok_string(replace_empty(text, new, n as usize));
    }
    ok_string(text.replacen(old, new, n as usize))
}

/// Go's `Replace` with an empty `old`: inserts `new` before each rune and at
/// the end, at most `n` times.
fn replace_empty(text: &str, new: &str, n: usize) -> String {
    let mut out = String::new();
    let mut done = 0;
    for c in text.chars() {
        if done < n {
            out.push_str(new);
            done += 1;
        }
        out.push(c);
    }
    if done < n {
        out.push_str(new);
    }
    out
}
