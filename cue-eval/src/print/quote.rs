//! String and bytes literals as `cue eval` quotes them (reference
//! `cue/literal` `Form`): characters Go's `strconv.IsPrint` rejects are
//! escaped, control bytes of a bytes value as `\xNN`, other escapes as
//! `\uNNNN`; a field's value with a newline becomes a `"""` block indented
//! one level deeper than the field, with `#` when its text holds `"""`.

use crate::builtins::is_print;

/// One indentation unit of `cue eval` output.
const UNIT: &str = "    ";

/// The literal for a string (`bytes == false`) or bytes value; `depth` is
/// the nesting level when the value may print as a block (`None`: one line).
pub(crate) fn quote(value: &[u8], bytes: bool, depth: Option<usize>) -> String {
    let q = if bytes { '\'' } else { '"' };
    let multiline = depth.is_some() && value.contains(&b'\n');
    let triple: String = std::iter::repeat_n(q, 3).collect();
    let hashes = if multiline && contains(value, triple.as_bytes()) {
        "#"
    } else {
        ""
    };
    let indent = UNIT.repeat(depth.unwrap_or(0));
    let mut out = String::from(hashes);
    if multiline {
        out.push_str(&triple);
        out.push('\n');
        if value.first() != Some(&b'\n') {
            out.push_str(&indent);
        }
    } else {
        out.push(q);
    }
    let mut rest = value;
    while !rest.is_empty() {
        let (c, width) = decode(rest);
        match c {
            None => {
                // Not UTF-8: only bytes get here.
                out.push_str(&format!("\\{hashes}x{:02x}", rest[0]));
            }
            Some('\n') if multiline => {
                out.push('\n');
                if rest.len() > 1 && rest[1] != b'\n' {
                    out.push_str(&indent);
                }
            }
            Some(c) => push_rune(&mut out, c, q, multiline, bytes, hashes),
        }
        rest = &rest[width..];
    }
    if multiline {
        out.push('\n');
        out.push_str(&indent);
        out.push_str(&triple);
    } else {
        out.push(q);
    }
    out.push_str(hashes);
    out
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// The first character of `b` and its length (`None` for an invalid byte).
fn decode(b: &[u8]) -> (Option<char>, usize) {
    let n = match b[0] {
        0..=0x7f => 1,
        0xc0..=0xdf => 2,
        0xe0..=0xef => 3,
        0xf0..=0xf7 => 4,
        _ => return (None, 1),
    };
    match b.get(..n).and_then(|s| std::str::from_utf8(s).ok()) {
        Some(s) => (s.chars().next(), n),
        None => (None, 1),
    }
}

fn push_rune(out: &mut String, c: char, q: char, multiline: bool, exact: bool, hashes: &str) {
    if (!multiline && c == q) || c == '\\' {
        out.push('\\');
        out.push_str(hashes);
        out.push(c);
        return;
    }
    if is_print(c) {
        out.push(c);
        return;
    }
    out.push('\\');
    out.push_str(hashes);
    let v = c as u32;
    match c {
        '\u{7}' => out.push('a'),
        '\u{8}' => out.push('b'),
        '\u{c}' => out.push('f'),
        '\n' => out.push('n'),
        '\r' => out.push('r'),
        '\t' => out.push('t'),
        '\u{b}' => out.push('v'),
        _ if v < 0x20 && exact => out.push_str(&format!("x{v:02x}")),
        _ if v < 0x10000 => out.push_str(&format!("u{v:04x}")),
        _ => out.push_str(&format!("U{v:08x}")),
    }
}

#[cfg(test)]
mod tests {
    use super::quote;

    #[test]
    fn reference_quoting() {
        assert_eq!(quote(b"a\"b", false, Some(1)), r#""a\"b""#);
        assert_eq!(quote("a\u{a0}b".as_bytes(), false, None), r#""a\u00a0b""#);
        assert_eq!(quote(b"\x01\x7f\xff", true, None), r"'\x01\u007f\xff'");
        assert_eq!(quote(b"p\nq", false, None), r#""p\nq""#);
        assert_eq!(
            quote(b"p\nq\\", false, Some(2)),
            "\"\"\"\n        p\n        q\\\\\n        \"\"\""
        );
        assert_eq!(
            quote(b"x\ty\n\"\"\"z", false, Some(1)),
            "#\"\"\"\n    x\\#ty\n    \"\"\"z\n    \"\"\"#"
        );
        assert_eq!(quote(b"\x01\n", true, Some(1)), "'''\n    \\x01\n\n    '''");
    }
}
