//! `strconv`: Go's conversions between strings and numbers, quoting.
//! Errors read like Go's: `strconv.Atoi: parsing "x": invalid syntax`.

use super::args::{self, fail, ok_int, ok_string, quote};
use super::math::float_result;
use super::{func, num_const, BuiltinError, Kind, Package};
use crate::data::Data;
use num_bigint::BigInt;

const P: &str = "strconv";
const S: Kind = Kind::STRING;
const I: Kind = Kind::INT;
const N: Kind = Kind::NUMBER;
const B: Kind = Kind::BOOL;

type R = Result<Data, BuiltinError>;

pub static PACKAGE: Package = Package {
    path: P,
    cue: None,
    members: &[
        num_const!("IntSize", "64"),
        func!(P, "Unquote", [S], S, unquote_fn),
        func!(P, "ParseBool", [S], B, parse_bool),
        func!(
            P,
            "FormatBool",
            [B],
            S,
            |a: &[Data]| match args::any(a, 0)? {
                Data::Bool(b) => ok_string(b.to_string()),
                _ => fail("not a bool"),
            }
        ),
        func!(P, "ParseComplex", [S, I], Kind::TOP, |a: &[Data]| {
            let s = args::string(a, 0)?;
            fail(format!(
                "strconv.ParseComplex: parsing {}: complex numbers are not supported",
                quote(s)
            ))
        }),
        func!(P, "ParseFloat", [S, I], N, parse_float),
        func!(P, "ParseUint", [S, I, I], I, |a: &[Data]| parse_int_fn(
            a,
            false,
            "ParseUint"
        )),
        func!(P, "ParseInt", [S, I, I], I, |a: &[Data]| parse_int_fn(
            a, true, "ParseInt"
        )),
        func!(P, "Atoi", [S], I, atoi),
        func!(P, "FormatFloat", [N, I, I, I], S, format_float_fn),
        func!(P, "FormatUint", [I, I], S, |a: &[Data]| format_int_fn(
            a, false
        )),
        func!(P, "FormatInt", [I, I], S, |a: &[Data]| format_int_fn(
            a, true
        )),
        func!(P, "Quote", [S], S, |a: &[Data]| ok_string(go_quote(
            args::string(a, 0)?,
            '"',
            Mode::Print
        ))),
        func!(P, "QuoteToASCII", [S], S, |a: &[Data]| ok_string(go_quote(
            args::string(a, 0)?,
            '"',
            Mode::Ascii
        ))),
        func!(P, "QuoteToGraphic", [S], S, |a: &[Data]| ok_string(
            go_quote(args::string(a, 0)?, '"', Mode::Graphic)
        )),
        func!(P, "QuoteRune", [I], S, |a: &[Data]| quote_rune(
            a,
            Mode::Print
        )),
        func!(P, "QuoteRuneToASCII", [I], S, |a: &[Data]| quote_rune(
            a,
            Mode::Ascii
        )),
        func!(P, "QuoteRuneToGraphic", [I], S, |a: &[Data]| quote_rune(
            a,
            Mode::Graphic
        )),
        func!(P, "IsPrint", [I], B, |a: &[Data]| Ok(Data::Bool(
            rune(a)?.is_some_and(is_print)
        ))),
        func!(P, "IsGraphic", [I], B, |a: &[Data]| Ok(Data::Bool(
            rune(a)?.is_some_and(is_graphic)
        ))),
    ],
};

fn syntax_error<T>(func: &str, s: &str) -> Result<T, BuiltinError> {
    fail(format!(
        "strconv.{func}: parsing {}: invalid syntax",
        quote(s)
    ))
}

fn range_error<T>(func: &str, s: &str) -> Result<T, BuiltinError> {
    fail(format!(
        "strconv.{func}: parsing {}: value out of range",
        quote(s)
    ))
}

fn parse_bool(a: &[Data]) -> R {
    let s = args::string(a, 0)?;
    match s {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Ok(Data::Bool(true)),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Ok(Data::Bool(false)),
        _ => syntax_error("ParseBool", s),
    }
}

/// Whether underscores in a base-prefixed literal are well placed (Go's
/// `underscoreOK`): only between digits or after the base prefix.
fn underscore_ok(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    if !b.is_empty() && (b[0] == b'-' || b[0] == b'+') {
        i = 1;
    }
    let mut saw = b'^';
    let mut hex = false;
    if b.len() - i >= 2 && b[i] == b'0' {
        let c = b[i + 1].to_ascii_lowercase();
        if c == b'x' || c == b'o' || c == b'b' {
            hex = c == b'x';
            i += 2;
            saw = b'0';
        }
    }
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_digit() || (hex && c.is_ascii_hexdigit()) {
            saw = b'0';
        } else if c == b'_' {
            if saw != b'0' {
                return false;
            }
            saw = b'_';
        } else {
            if saw == b'_' {
                return false;
            }
            saw = b'!';
        }
        i += 1;
    }
    saw != b'_'
}

/// Go's `ParseInt`/`ParseUint` core: returns the value or the error kind.
fn parse_int(
    s: &str,
    base: i64,
    bits: i64,
    signed: bool,
    func: &str,
) -> Result<BigInt, BuiltinError> {
    if s.is_empty() {
        return syntax_error(func, s);
    }
    let (neg, body) = if signed {
        match s.as_bytes()[0] {
            b'-' => (true, &s[1..]),
            b'+' => (false, &s[1..]),
            _ => (false, s),
        }
    } else {
        (false, s)
    };
    let (base, digits, allow_underscore) = if base == 0 {
        let lower = body.to_ascii_lowercase();
        if lower.starts_with("0x") {
            (16, &body[2..], true)
        } else if lower.starts_with("0o") {
            (8, &body[2..], true)
        } else if lower.starts_with("0b") {
            (2, &body[2..], true)
        } else if body.starts_with('0') && body.len() > 1 {
            (8, &body[1..], true)
        } else {
            (10, body, true)
        }
    } else if (2..=36).contains(&base) {
        (base as u32, body, false)
    } else {
        return fail(format!(
            "strconv.{func}: parsing {}: invalid base {base}",
            quote(s)
        ));
    };
    let bits = if bits == 0 { 64 } else { bits };
    if !(0..=64).contains(&bits) {
        return fail(format!(
            "strconv.{func}: parsing {}: invalid bit size {bits}",
            quote(s)
        ));
    }
    if digits.is_empty() {
        return syntax_error(func, s);
    }
    let mut v = BigInt::from(0);
    for c in digits.chars() {
        if c == '_' && allow_underscore {
            continue;
        }
        match c.to_digit(36) {
            Some(d) if d < base => v = v * base + d,
            _ => return syntax_error(func, s),
        }
    }
    if allow_underscore && digits.contains('_') && !underscore_ok(s) {
        return syntax_error(func, s);
    }
    let v = if neg { -v } else { v };
    let (lo, hi) = if signed {
        let h = BigInt::from(1) << (bits as usize - 1);
        (-h.clone(), h - 1u8)
    } else {
        (BigInt::from(0), (BigInt::from(1) << bits as usize) - 1u8)
    };
    if v < lo || v > hi {
        return range_error(func, s);
    }
    Ok(v)
}

fn parse_int_fn(a: &[Data], signed: bool, func: &str) -> R {
    let v = parse_int(
        args::string(a, 0)?,
        args::int(a, 1)?,
        args::int(a, 2)?,
        signed,
        func,
    )?;
    ok_int(v)
}

fn atoi(a: &[Data]) -> R {
    ok_int(parse_int(args::string(a, 0)?, 10, 64, true, "Atoi")?)
}

fn parse_float(a: &[Data]) -> R {
    let s = args::string(a, 0)?;
    let bits = args::int(a, 1)?;
    let clean = s.replace('_', "");
    let lower = clean.trim_start_matches(['+', '-']).to_ascii_lowercase();
    let named_special = matches!(lower.as_str(), "inf" | "infinity" | "nan");
    let parsed = if lower.starts_with("0x") {
        parse_hex_float(&clean)
    } else if clean.contains('_') || s.contains("__") {
        None
    } else {
        clean.parse::<f64>().ok()
    };
    let Some(mut f) = parsed else {
        return syntax_error("ParseFloat", s);
    };
    if s.contains('_') && !lower.starts_with("0x") {
        return syntax_error("ParseFloat", s);
    }
    if bits == 32 {
        f = f as f32 as f64;
    }
    if f.is_infinite() && !named_special {
        return range_error("ParseFloat", s);
    }
    float_result(f)
}

/// Parses `0x1.8p3` style hexadecimal floats.
fn parse_hex_float(s: &str) -> Option<f64> {
    let (neg, body) = match s.as_bytes().first()? {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    let body = &body[2..];
    let (mant, exp) = match body.find(['p', 'P']) {
        Some(i) => (&body[..i], body[i + 1..].parse::<i32>().ok()?),
        None => (body, 0),
    };
    let (int, frac) = mant.split_once('.').unwrap_or((mant, ""));
    let mut v = 0f64;
    for c in int.chars() {
        v = v * 16.0 + c.to_digit(16)? as f64;
    }
    let mut scale = 1.0 / 16.0;
    for c in frac.chars() {
        v += c.to_digit(16)? as f64 * scale;
        scale /= 16.0;
    }
    let v = v * 2f64.powi(exp);
    Some(if neg { -v } else { v })
}

/// Decimal digits (no trailing zeros) and the decimal point position of
/// `|f|`, from Rust's exponent formatting.
fn digits_of(e_text: &str) -> (String, i32) {
    let (mant, exp) = e_text.split_once('e').unwrap_or((e_text, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let digits: String = mant.chars().filter(|c| c.is_ascii_digit()).collect();
    let digits = digits.trim_end_matches('0').to_string();
    if digits.is_empty() {
        return (String::new(), 0);
    }
    (digits, exp + 1)
}

fn fmt_e(neg: bool, digits: &str, dp: i32, prec: i32, e: char) -> String {
    let mut out = String::new();
    if neg {
        out.push('-');
    }
    let d = digits.as_bytes();
    out.push(if d.is_empty() { '0' } else { d[0] as char });
    if prec > 0 {
        out.push('.');
        for i in 1..=prec as usize {
            out.push(d.get(i).map(|&c| c as char).unwrap_or('0'));
        }
    }
    out.push(e);
    let exp = if d.is_empty() { 0 } else { dp - 1 };
    out.push(if exp < 0 { '-' } else { '+' });
    let exp = exp.abs();
    if exp < 10 {
        out.push('0');
    }
    out.push_str(&exp.to_string());
    out
}

fn fmt_f(neg: bool, digits: &str, dp: i32, prec: i32) -> String {
    let mut out = String::new();
    if neg {
        out.push('-');
    }
    let d = digits.as_bytes();
    if dp > 0 {
        for i in 0..dp as usize {
            out.push(d.get(i).map(|&c| c as char).unwrap_or('0'));
        }
    } else {
        out.push('0');
    }
    if prec > 0 {
        out.push('.');
        for i in 0..prec {
            let j = dp + i;
            let c = if j >= 0 {
                d.get(j as usize).copied()
            } else {
                None
            };
            out.push(c.map(|c| c as char).unwrap_or('0'));
        }
    }
    out
}

/// Go's `strconv.FormatFloat` for the `e E f g G` formats.
pub(crate) fn format_float(f: f64, fmt: u8, prec: i64, bits: i64) -> Result<String, String> {
    if f.is_nan() {
        return Ok("NaN".into());
    }
    if f.is_infinite() {
        return Ok(if f > 0.0 { "+Inf" } else { "-Inf" }.into());
    }
    let neg = f.is_sign_negative();
    let a = f.abs();
    let shortest = prec < 0;
    let e_text = |sig: usize| -> String {
        if shortest {
            if bits == 32 {
                format!("{:e}", a as f32)
            } else {
                format!("{a:e}")
            }
        } else {
            format!("{:.*e}", sig.saturating_sub(1), a)
        }
    };
    let prec = prec as i32;
    match fmt {
        b'e' | b'E' => {
            let (digits, dp) = digits_of(&e_text(prec.max(0) as usize + 1));
            let p = if shortest {
                digits.len().max(1) as i32 - 1
            } else {
                prec
            };
            Ok(fmt_e(neg, &digits, dp, p, fmt as char))
        }
        b'f' => {
            if shortest {
                let (digits, dp) = digits_of(&e_text(0));
                let p = (digits.len() as i32 - dp).max(0);
                return Ok(fmt_f(neg, &digits, dp, p));
            }
            let text = format!("{:.*}", prec as usize, a);
            let (int, frac) = text.split_once('.').unwrap_or((&text, ""));
            let all = format!("{int}{frac}");
            let lead = all.len() - all.trim_start_matches('0').len();
            let digits = all
                .trim_start_matches('0')
                .trim_end_matches('0')
                .to_string();
            let dp = int.len() as i32 - lead as i32;
            Ok(fmt_f(neg, &digits, dp, prec))
        }
        b'g' | b'G' => {
            let p = if prec == 0 { 1 } else { prec };
            let (digits, dp) = digits_of(&e_text(p.max(1) as usize));
            let nd = digits.len() as i32;
            let mut eprec = if shortest { nd } else { p };
            if eprec > nd && nd >= dp {
                eprec = nd;
            }
            if shortest {
                eprec = 6;
            }
            let exp = dp - 1;
            let mut prec = if shortest { nd } else { p };
            if nd > 0 && (exp < -4 || exp >= eprec) {
                if prec > nd {
                    prec = nd;
                }
                let e = if fmt == b'g' { 'e' } else { 'E' };
                return Ok(fmt_e(neg, &digits, dp, prec - 1, e));
            }
            if prec > dp {
                prec = nd;
            }
            Ok(fmt_f(neg, &digits, dp, (prec - dp).max(0)))
        }
        other => Ok(format!("%{}", other as char)),
    }
}

fn format_float_fn(a: &[Data]) -> R {
    let f = args::number(a, 0)?.to_f64();
    let fmt = args::int(a, 1)?;
    let fmt = u8::try_from(fmt).map_err(|_| {
        BuiltinError::Plain(format!(
            "int {fmt} overflows byte in argument 1 in call to {{name}}"
        ))
    })?;
    let prec = args::int(a, 2)?;
    // The digits asked for, plus a sign, a point and an exponent.
    args::check_bytes(prec.max(0) as u128 + 400)?;
    match format_float(f, fmt, prec, args::int(a, 3)?) {
        Ok(s) => ok_string(s),
        Err(e) => fail(e),
    }
}

fn format_int_fn(a: &[Data], signed: bool) -> R {
    let v = args::bigint(a, 0)?;
    let base = args::int(a, 1)?;
    if !signed && v < BigInt::from(0) {
        return Err(BuiltinError::Plain(format!(
            "cannot use {v} (type int) as uint64 in argument 0 to {{name}}"
        )));
    }
    if !(2..=36).contains(&base) {
        return fail("strconv: illegal AppendInt/FormatInt base");
    }
    ok_string(v.to_str_radix(base as u32))
}

#[derive(Clone, Copy, PartialEq)]
enum Mode {
    Print,
    Ascii,
    Graphic,
}

/// Go's `unicode.IsPrint` approximated: letters, marks, numbers,
/// punctuation, symbols and the ASCII space.
pub(crate) fn is_print(c: char) -> bool {
    if c == ' ' {
        return true;
    }
    is_graphic(c) && !c.is_whitespace()
}

/// Go's `unicode.IsGraphic` approximated (includes Unicode spaces).
fn is_graphic(c: char) -> bool {
    if c.is_control() {
        return false;
    }
    let v = c as u32;
    // Format characters, surrogates, private use and noncharacters.
    let format = matches!(v, 0xAD | 0x600..=0x605 | 0x61C | 0x6DD | 0x70F | 0x180E
        | 0x200B..=0x200F | 0x202A..=0x202E | 0x2060..=0x206F | 0xFEFF | 0xFFF9..=0xFFFB);
    let private = matches!(v, 0xE000..=0xF8FF | 0xF0000..=0x10FFFF);
    let nonchar = (v & 0xFFFE) == 0xFFFE || (0xFDD0..=0xFDEF).contains(&v);
    let line_sep = matches!(v, 0x2028 | 0x2029);
    !(format || private || nonchar || line_sep)
}

fn push_escaped(out: &mut String, c: char, q: char, mode: Mode) {
    if c == q || c == '\\' {
        out.push('\\');
        out.push(c);
        return;
    }
    let printable = match mode {
        Mode::Ascii => (c as u32) < 0x80 && is_print(c),
        Mode::Print => is_print(c),
        Mode::Graphic => is_graphic(c),
    };
    if printable {
        out.push(c);
        return;
    }
    match c {
        '\u{7}' => out.push_str("\\a"),
        '\u{8}' => out.push_str("\\b"),
        '\u{c}' => out.push_str("\\f"),
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        '\u{b}' => out.push_str("\\v"),
        c if (c as u32) < 0x20 || c as u32 == 0x7f => {
            out.push_str(&format!("\\x{:02x}", c as u32));
        }
        c if (c as u32) < 0x10000 => out.push_str(&format!("\\u{:04x}", c as u32)),
        c => out.push_str(&format!("\\U{:08x}", c as u32)),
    }
}

fn go_quote(s: &str, q: char, mode: Mode) -> String {
    let mut out = String::new();
    out.push(q);
    for c in s.chars() {
        push_escaped(&mut out, c, q, mode);
    }
    out.push(q);
    out
}

fn rune(a: &[Data]) -> Result<Option<char>, BuiltinError> {
    let v = args::int(a, 0)?;
    Ok(u32::try_from(v).ok().and_then(char::from_u32))
}

fn quote_rune(a: &[Data], mode: Mode) -> R {
    let c = rune(a)?.unwrap_or('\u{FFFD}');
    ok_string(go_quote(&c.to_string(), '\'', mode))
}

/// CUE's `literal.Unquote`: a CUE string or bytes literal (`"..."`,
/// `'...'`, `#"..."#`, multi-line `"""`) to its value.
pub(crate) fn unquote(s: &str) -> Option<String> {
    let hashes = s.len() - s.trim_start_matches('#').len();
    let inner = &s[hashes..];
    if inner.len() < hashes || !inner.ends_with(&"#".repeat(hashes)) {
        return None;
    }
    let inner = &inner[..inner.len() - hashes];
    let q = inner.chars().next()?;
    if q != '"' && q != '\'' {
        return None;
    }
    let triple: String = std::iter::repeat_n(q, 3).collect();
    let body = if inner.len() >= 6 && inner.starts_with(&triple) && inner.ends_with(&triple) {
        // Multi-line: a newline after the opening quotes; the closing
        // line's indentation is removed from every line.
        let b = &inner[3..inner.len() - 3];
        let b = b.strip_prefix('\n')?;
        let last_nl = b.rfind('\n')?;
        let indent = &b[last_nl + 1..];
        if !indent.chars().all(|c| c == ' ' || c == '\t') {
            return None;
        }
        let mut lines = Vec::new();
        for line in b[..last_nl].split('\n') {
            if line.is_empty() {
                lines.push(String::new());
            } else {
                lines.push(line.strip_prefix(indent)?.to_string());
            }
        }
        return unescape(&lines.join("\n"), q, hashes, true);
    } else {
        if inner.len() < 2 || !inner.ends_with(q) {
            return None;
        }
        &inner[1..inner.len() - 1]
    };
    unescape(body, q, hashes, false)
}

/// Interprets escapes (`\` followed by `hashes` `#` characters) in a body.
fn unescape(body: &str, q: char, hashes: usize, multi: bool) -> Option<String> {
    let esc = format!("\\{}", "#".repeat(hashes));
    let mut out: Vec<u8> = Vec::new();
    let mut rest = body;
    while !rest.is_empty() {
        if rest.starts_with(&esc) {
            rest = &rest[esc.len()..];
            let e = rest.chars().next()?;
            rest = &rest[e.len_utf8()..];
            let mut push = |c: char| out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes());
            match e {
                'a' => push('\u{7}'),
                'b' => push('\u{8}'),
                'f' => push('\u{c}'),
                'n' => push('\n'),
                'r' => push('\r'),
                't' => push('\t'),
                'v' => push('\u{b}'),
                '\\' | '/' => push(e),
                '"' | '\'' => push(e),
                'x' => {
                    let v = u8::from_str_radix(rest.get(..2)?, 16).ok()?;
                    rest = &rest[2..];
                    out.push(v);
                }
                'u' | 'U' => {
                    let n = if e == 'u' { 4 } else { 8 };
                    let v = u32::from_str_radix(rest.get(..n)?, 16).ok()?;
                    rest = &rest[n..];
                    push(char::from_u32(v)?);
                }
                '0'..='7' => {
                    let digits = format!("{e}{}", rest.get(..2)?);
                    let v = u8::from_str_radix(&digits, 8).ok()?;
                    rest = &rest[2..];
                    out.push(v);
                }
                _ => return None,
            }
            continue;
        }
        let c = rest.chars().next()?;
        if (c == '\n' && !multi) || (c == q && hashes == 0 && !multi) {
            return None;
        }
        out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes());
        rest = &rest[c.len_utf8()..];
    }
    String::from_utf8(out).ok()
}

fn unquote_fn(a: &[Data]) -> R {
    match unquote(args::string(a, 0)?) {
        Some(s) => ok_string(s),
        None => fail("invalid syntax"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_float_matches_go() {
        let cases: &[(f64, u8, i64, &str)] = &[
            (1.23456, b'f', 2, "1.23"),
            (3.0, b'f', -1, "3"),
            (1234.5678, b'e', 3, "1.235e+03"),
            (1234.5678, b'g', -1, "1234.5678"),
            (1e21, b'g', -1, "1e+21"),
            (0.000012, b'g', -1, "1.2e-05"),
            (100.0, b'g', 2, "1e+02"),
            (0.0, b'e', -1, "0e+00"),
            (-2.5, b'f', 0, "-2"),
            (123456.0, b'G', 3, "1.23E+05"),
        ];
        for &(f, fmt, prec, want) in cases {
            assert_eq!(
                format_float(f, fmt, prec, 64).unwrap(),
                want,
                "{f} {} {prec}",
                fmt as char
            );
        }
    }
}
