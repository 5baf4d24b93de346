//! JSON text as `cue export --out json` writes it.
//!
//! The reference encodes with Go's `json.Encoder` (`SetIndent("", "    ")`),
//! which adds a newline after the value. Strings are always HTML-escaped
//! (every nested value passes through its own `json.Marshal`): `<` `>` `&`
//! become `\u003c` `\u003e` `\u0026`, U+2028/U+2029 are escaped, control
//! characters use `\n` `\r` `\t` `\b` `\f` or `\u00XX` (lowercase hex). Numbers
//! are the decimal's text without a leading `+`; bytes are standard base64.
//! Empty objects and arrays print as `{}` and `[]`.

use crate::data::Data;
use base64::Engine as _;
use std::fmt::Write as _;

const INDENT: &str = "    ";

/// Encodes `data` as the reference's `cue export --out json` output.
pub fn encode(data: &Data) -> String {
    let mut out = String::new();
    write_value(&mut out, data, 0);
    out.push('\n');
    out
}

/// Encodes `data` on one line without spaces (Go's `json.Marshal` layout),
/// as used by `json.Marshal` in CUE's standard library.
pub fn encode_compact(data: &Data) -> String {
    let mut out = String::new();
    write_compact(&mut out, data);
    out
}

fn write_value(out: &mut String, data: &Data, depth: usize) {
    match data {
        Data::List(items) if !items.is_empty() => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline(out, depth + 1);
                write_value(out, item, depth + 1);
            }
            newline(out, depth);
            out.push(']');
        }
        Data::Struct(fields) if !fields.is_empty() => {
            out.push('{');
            for (i, (name, value)) in fields.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline(out, depth + 1);
                write_string(out, name);
                out.push_str(": ");
                write_value(out, value, depth + 1);
            }
            newline(out, depth);
            out.push('}');
        }
        _ => write_compact(out, data),
    }
}

fn write_compact(out: &mut String, data: &Data) {
    match data {
        Data::Null => out.push_str("null"),
        Data::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Data::Number(n) => {
            let text = n.to_string();
            out.push_str(text.strip_prefix('+').unwrap_or(&text));
        }
        Data::String(s) => write_string(out, s),
        Data::Bytes(b) => {
            out.push('"');
            out.push_str(&base64::engine::general_purpose::STANDARD.encode(b));
            out.push('"');
        }
        Data::List(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_compact(out, item);
            }
            out.push(']');
        }
        Data::Struct(fields) => {
            out.push('{');
            for (i, (name, value)) in fields.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_string(out, name);
                out.push(':');
                write_compact(out, value);
            }
            out.push('}');
        }
    }
}

fn newline(out: &mut String, depth: usize) {
    out.push('\n');
    for _ in 0..depth {
        out.push_str(INDENT);
    }
}

/// Writes a quoted, escaped JSON string the way Go's encoder does with
/// HTML escaping on.
pub fn write_string(out: &mut String, s: &str) {
    out.push('"');
    // Most strings need no escape: copy them at once. (0xE2 starts
    // U+2028 and U+2029.)
    if !s
        .bytes()
        .any(|b| b < 0x20 || matches!(b, b'"' | b'\\' | b'<' | b'>' | b'&' | 0xE2))
    {
        out.push_str(s);
        out.push('"');
        return;
    }
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::num::Number;

    fn num(s: &str) -> Data {
        Data::Number(Number::parse(s).unwrap())
    }

    #[test]
    fn nested_layout_matches_go_encoder() {
        let d = Data::Struct(vec![
            ("a".into(), num("1")),
            (
                "b".into(),
                Data::List(vec![Data::Bool(true), Data::Null, Data::List(vec![])]),
            ),
            ("c".into(), Data::Struct(vec![])),
            (
                "d".into(),
                Data::Struct(vec![("e".into(), Data::String("x".into()))]),
            ),
        ]);
        let want = "{\n    \"a\": 1,\n    \"b\": [\n        true,\n        null,\n        []\n    ],\n    \"c\": {},\n    \"d\": {\n        \"e\": \"x\"\n    }\n}\n";
        assert_eq!(encode(&d), want);
    }

    #[test]
    fn scalars_at_top_level() {
        assert_eq!(encode(&Data::String("hello".into())), "\"hello\"\n");
        assert_eq!(encode(&Data::Struct(vec![])), "{}\n");
        assert_eq!(encode(&num("10.0")), "10.0\n");
        assert_eq!(encode(&num("1e3")), "1E+3\n");
        assert_eq!(encode(&num("-5")), "-5\n");
    }

    #[test]
    fn strings_are_html_escaped() {
        let d = Data::String("<a href=\"x\">&\u{2028}\u{2029}\u{1}\t\n\r\\é\u{7f}".into());
        assert_eq!(
            encode(&d),
            "\"\\u003ca href=\\\"x\\\"\\u003e\\u0026\\u2028\\u2029\\u0001\\t\\n\\r\\\\é\u{7f}\"\n"
        );
    }

    #[test]
    fn bytes_are_base64() {
        assert_eq!(encode(&Data::Bytes(b"hello".to_vec())), "\"aGVsbG8=\"\n");
    }

    #[test]
    fn compact_form() {
        let d = Data::Struct(vec![
            ("a".into(), Data::List(vec![num("1"), num("2")])),
            ("b".into(), Data::String("<".into())),
        ]);
        assert_eq!(encode_compact(&d), "{\"a\":[1,2],\"b\":\"\\u003c\"}");
    }
}
