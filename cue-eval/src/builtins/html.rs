//! `html`: Go's `html.EscapeString` and `html.UnescapeString` (named
//! entities limited to the common ones; numeric references in full).

use super::args::{self, ok_string};
use super::{func, Kind, Package};
use crate::data::Data;

const P: &str = "html";

pub static PACKAGE: Package = Package {
    path: P,
    cue: None,
    members: &[
        func!(P, "Escape", [Kind::STRING], Kind::STRING, |a: &[Data]| {
            ok_string(escape(args::string(a, 0)?))
        }),
        func!(
            P,
            "Unescape",
            [Kind::STRING],
            Kind::STRING,
            |a: &[Data]| ok_string(unescape(args::string(a, 0)?))
        ),
    ],
};

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\'' => out.push_str("&#39;"),
            '"' => out.push_str("&#34;"),
            c => out.push(c),
        }
    }
    out
}

const ENTITIES: &[(&str, char)] = &[
    ("amp", '&'),
    ("lt", '<'),
    ("gt", '>'),
    ("quot", '"'),
    ("apos", '\''),
    ("nbsp", '\u{a0}'),
    ("copy", '©'),
    ("reg", '®'),
    ("eacute", 'é'),
    ("hellip", '…'),
    ("mdash", '—'),
    ("ndash", '–'),
    ("euro", '€'),
];

fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let body = &rest[1..];
        if let Some(num) = body.strip_prefix('#') {
            let (hex, digits) = match num.strip_prefix(['x', 'X']) {
                Some(h) => (true, h),
                None => (false, num),
            };
            let n = digits
                .chars()
                .take_while(|c| {
                    if hex {
                        c.is_ascii_hexdigit()
                    } else {
                        c.is_ascii_digit()
                    }
                })
                .count();
            if n > 0 {
                let v =
                    u32::from_str_radix(&digits[..n], if hex { 16 } else { 10 }).unwrap_or(0xFFFD);
                out.push(
                    char::from_u32(v)
                        .filter(|&c| c != '\0')
                        .unwrap_or('\u{FFFD}'),
                );
                let consumed = 1 + 1 + usize::from(hex) + n;
                rest = &rest[consumed..];
                rest = rest.strip_prefix(';').unwrap_or(rest);
                continue;
            }
        } else if let Some((name, c)) = ENTITIES.iter().find(|(n, _)| body.starts_with(n)) {
            out.push(*c);
            rest = &rest[1 + name.len()..];
            rest = rest.strip_prefix(';').unwrap_or(rest);
            continue;
        }
        out.push('&');
        rest = &rest[1..];
    }
    out.push_str(rest);
    out
}
