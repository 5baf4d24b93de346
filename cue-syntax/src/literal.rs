//! Decoding of string and bytes literals (spec "String and byte sequence
//! literals"): delimiters and `#` padding, escapes, and the indentation
//! stripping of multi-line literals. Also the inverse, quoting a value, for
//! the printer.

use crate::ast::{QuoteStyle, Span};
use crate::error::{ParseError, ParseErrorKind};
use crate::FileId;

/// The quote style of a literal, from its raw text (which starts with the
/// opening delimiter).
pub(crate) fn style_of(raw: &str) -> QuoteStyle {
    let hashes = raw.bytes().take_while(|&b| b == b'#').count();
    let rest = &raw.as_bytes()[hashes..];
    let bytes = rest.first() == Some(&b'\'');
    let q = if bytes { b'\'' } else { b'"' };
    let multiline = rest.len() >= 3 && rest[..3].iter().all(|&b| b == q);
    QuoteStyle {
        bytes,
        multiline,
        hashes: hashes as u32,
    }
}

/// Length of the opening (or closing) delimiter of a literal of this style.
pub(crate) fn delim_len(style: QuoteStyle) -> usize {
    style.hashes as usize + if style.multiline { 3 } else { 1 }
}

/// Length of an interpolation opener `\#(` in this style.
pub(crate) fn interp_open_len(style: QuoteStyle) -> usize {
    style.hashes as usize + 2
}

/// A piece of literal text (between delimiters and interpolations) and
/// the byte offset where it starts in the file.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Body<'s> {
    pub text: &'s str,
    pub offset: u32,
}

/// Decodes the text bodies of one literal (one body for a plain literal, one
/// more than the number of interpolations otherwise).
pub(crate) fn decode(
    style: QuoteStyle,
    bodies: &[Body<'_>],
    file: FileId,
    errors: &mut Vec<ParseError>,
) -> Vec<Vec<u8>> {
    let mut d = Decoder {
        style,
        file,
        errors,
    };
    if !style.multiline {
        return bodies
            .iter()
            .map(|b| d.unescape(b.text, b.offset, None, false))
            .collect();
    }
    let n = bodies.len();
    let Some(last) = bodies.last() else {
        return Vec::new();
    };
    // The closing delimiter must be alone on its line: the text after the
    // last newline is the indentation to strip from every line.
    let (prefix, last_cut) = match last.text.rfind('\n') {
        Some(nl) => {
            let tail = &last.text[nl + 1..];
            if tail.bytes().all(|b| b == b' ' || b == b'\t') {
                // Drop the newline before the closing quote (and a `\r`).
                let cut = if nl > 0 && last.text.as_bytes()[nl - 1] == b'\r' {
                    nl - 1
                } else {
                    nl
                };
                (tail, cut)
            } else {
                d.error(
                    ParseErrorKind::MultilineClosingNotAlone,
                    last.offset + nl as u32 + 1,
                    last.offset + last.text.len() as u32,
                );
                ("", last.text.len())
            }
        }
        None => {
            let end = last.offset + last.text.len() as u32;
            d.error(ParseErrorKind::MultilineClosingNotAlone, end, end);
            ("", last.text.len())
        }
    };
    let mut out = Vec::with_capacity(n);
    for (i, b) in bodies.iter().enumerate() {
        let mut text = b.text;
        let mut offset = b.offset;
        if i + 1 == n {
            text = &text[..last_cut.min(text.len())];
        }
        let mut line_start = false;
        if i == 0 {
            // The newline right after the opening quote is not content.
            let skip = if text.starts_with("\r\n") {
                2
            } else if text.starts_with('\n') {
                1
            } else {
                0
            };
            line_start = skip > 0;
            text = &text[skip..];
            offset += skip as u32;
        }
        out.push(d.unescape(text, offset, Some(prefix), line_start));
    }
    out
}

struct Decoder<'e> {
    style: QuoteStyle,
    file: FileId,
    errors: &'e mut Vec<ParseError>,
}

impl Decoder<'_> {
    fn error(&mut self, kind: ParseErrorKind, start: u32, end: u32) {
        self.errors
            .push(ParseError::new(kind, Span::new(self.file, start, end)));
    }

    /// Unescapes `text`; with `prefix`, strips it at each line start
    /// (`line_start` says whether `text` itself begins a line).
    fn unescape(
        &mut self,
        text: &str,
        offset: u32,
        prefix: Option<&str>,
        mut line_start: bool,
    ) -> Vec<u8> {
        let bytes = text.as_bytes();
        let hashes = self.style.hashes as usize;
        let mut out = Vec::with_capacity(text.len());
        let mut i = 0;
        while i < bytes.len() {
            if line_start {
                line_start = false;
                if let Some(prefix) = prefix {
                    let line_end = text[i..].find('\n').map_or(text.len(), |p| i + p);
                    let line = &text[i..line_end];
                    if line.starts_with(prefix) {
                        i += prefix.len();
                    } else if line.bytes().all(|b| b == b' ' || b == b'\t' || b == b'\r') {
                        i = line_end;
                    } else {
                        self.error(
                            ParseErrorKind::MultilineIndentation,
                            offset + i as u32,
                            offset + line_end as u32,
                        );
                    }
                    continue;
                }
            }
            let c = bytes[i];
            match c {
                b'\\'
                    if bytes.len() >= i + 1 + hashes
                        && bytes[i + 1..i + 1 + hashes].iter().all(|&b| b == b'#') =>
                {
                    let k = i + 1 + hashes;
                    i = self.escape(text, k, i, offset, &mut out);
                }
                b'\r' => i += 1,
                b'\n' => {
                    out.push(b'\n');
                    i += 1;
                    line_start = true;
                }
                _ => {
                    out.push(c);
                    i += 1;
                }
            }
        }
        out
    }

    /// Decodes the escape whose letter is at `k` (the backslash is at `start`);
    /// returns the index after it.
    fn escape(
        &mut self,
        text: &str,
        k: usize,
        start: usize,
        offset: u32,
        out: &mut Vec<u8>,
    ) -> usize {
        let bytes = text.as_bytes();
        let bytes_lit = self.style.bytes;
        let Some(&e) = bytes.get(k) else {
            self.error(
                ParseErrorKind::InvalidEscape(text[start..].to_string()),
                offset + start as u32,
                offset + text.len() as u32,
            );
            return text.len();
        };
        let simple = match e {
            b'a' => Some(0x07),
            b'b' => Some(0x08),
            b'f' => Some(0x0c),
            b'n' => Some(b'\n'),
            b'r' => Some(b'\r'),
            b't' => Some(b'\t'),
            b'v' => Some(0x0b),
            b'/' => Some(b'/'),
            b'\\' => Some(b'\\'),
            b'\'' if bytes_lit => Some(b'\''),
            b'"' if !bytes_lit => Some(b'"'),
            _ => None,
        };
        if let Some(v) = simple {
            out.push(v);
            return k + 1;
        }
        let digits = |n: usize, radix: u32| -> Option<u32> {
            let s = text.get(k + 1..k + 1 + n)?;
            if s.len() != n || !s.bytes().all(|b| (b as char).is_digit(radix)) {
                return None;
            }
            u32::from_str_radix(s, radix).ok()
        };
        let bad = |me: &mut Self, end: usize| {
            let end = end.min(text.len());
            let shown = text.get(start..end).unwrap_or("\\").to_string();
            me.error(
                ParseErrorKind::InvalidEscape(shown),
                offset + start as u32,
                offset + end as u32,
            );
        };
        match e {
            b'u' | b'U' => {
                let n = if e == b'u' { 4 } else { 8 };
                match digits(n, 16).and_then(char::from_u32) {
                    Some(ch) => {
                        let mut buf = [0u8; 4];
                        out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
                    }
                    None => bad(self, k + 1 + n),
                }
                k + 1 + n
            }
            b'x' if bytes_lit => {
                match digits(2, 16) {
                    Some(v) => out.push(v as u8),
                    None => bad(self, k + 3),
                }
                k + 3
            }
            b'0'..=b'7' if bytes_lit => {
                let s = text.get(k..k + 3);
                match s
                    .filter(|s| s.bytes().all(|b| (b'0'..=b'7').contains(&b)))
                    .and_then(|s| u32::from_str_radix(s, 8).ok())
                {
                    Some(v) if v <= 255 => out.push(v as u8),
                    _ => bad(self, k + 3),
                }
                k + 3
            }
            _ => {
                let len = text[k..].chars().next().map_or(1, char::len_utf8);
                bad(self, k + len);
                k + len
            }
        }
    }
}

/// Quotes a string value as a simple double-quoted CUE literal.
pub fn quote_string(value: &str) -> String {
    let mut s = String::with_capacity(value.len() + 2);
    s.push('"');
    for ch in value.chars() {
        push_escaped(&mut s, ch, '"');
    }
    s.push('"');
    s
}

/// Quotes a bytes value as a simple single-quoted CUE literal.
pub fn quote_bytes(value: &[u8]) -> String {
    let mut s = String::with_capacity(value.len() + 2);
    s.push('\'');
    let mut rest = value;
    while !rest.is_empty() {
        match std::str::from_utf8(rest) {
            Ok(valid) => {
                for ch in valid.chars() {
                    push_escaped(&mut s, ch, '\'');
                }
                break;
            }
            Err(e) => {
                let (valid, after) = rest.split_at(e.valid_up_to());
                for ch in std::str::from_utf8(valid).unwrap_or("").chars() {
                    push_escaped(&mut s, ch, '\'');
                }
                let bad = e.error_len().unwrap_or(after.len()).max(1);
                for b in &after[..bad] {
                    s.push_str(&format!("\\x{b:02x}"));
                }
                rest = &after[bad..];
            }
        }
    }
    s.push('\'');
    s
}

/// Escapes text for the body of a literal with the given quote, without
/// touching newlines (used for interpolation parts of built nodes).
pub fn escape_text(value: &str, quote: char, out: &mut String) {
    for ch in value.chars() {
        push_escaped(out, ch, quote);
    }
}

fn push_escaped(s: &mut String, ch: char, quote: char) {
    match ch {
        '\\' => s.push_str("\\\\"),
        '\n' => s.push_str("\\n"),
        '\r' => s.push_str("\\r"),
        '\t' => s.push_str("\\t"),
        '\u{7}' => s.push_str("\\a"),
        '\u{8}' => s.push_str("\\b"),
        '\u{c}' => s.push_str("\\f"),
        '\u{b}' => s.push_str("\\v"),
        c if c == quote => {
            s.push('\\');
            s.push(c);
        }
        c if (c as u32) < 0x20 || c == '\u{7f}' => s.push_str(&format!("\\u{:04x}", c as u32)),
        c => s.push(c),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(raw_body: &str, style: QuoteStyle) -> (Vec<u8>, usize) {
        let mut errors = Vec::new();
        let out = decode(
            style,
            &[Body {
                text: raw_body,
                offset: 0,
            }],
            FileId(0),
            &mut errors,
        );
        (out.into_iter().next().unwrap_or_default(), errors.len())
    }

    const STR: QuoteStyle = QuoteStyle {
        bytes: false,
        multiline: false,
        hashes: 0,
    };

    #[test]
    fn escapes_in_strings() {
        assert_eq!(dec(r#"a\n\t\"\\\/"#, STR), (b"a\n\t\"\\/".to_vec(), 0));
        assert_eq!(
            dec(r"\u65e5\U00008a9e", STR),
            ("日語".as_bytes().to_vec(), 0)
        );
        // Hex and octal escapes are for bytes only.
        assert_eq!(dec(r"\x41", STR).1, 1);
        assert_eq!(dec(r"\'", STR).1, 1);
        assert_eq!(dec(r"\uD800", STR).1, 1);
        assert_eq!(dec(r"\q", STR).1, 1);
    }

    #[test]
    fn escapes_in_bytes() {
        let b = QuoteStyle { bytes: true, ..STR };
        assert_eq!(dec(r"a\000\xab\'", b), (vec![b'a', 0, 0xab, b'\''], 0));
        assert_eq!(dec(r"\377", b), (vec![0xff], 0));
        assert_eq!(dec(r"\xa", b).1, 1);
        assert_eq!(dec(r"\400", b).1, 1);
    }

    #[test]
    fn raw_strings_need_hashes_to_escape() {
        let h = QuoteStyle { hashes: 1, ..STR };
        assert_eq!(dec(r"a\nb\#n", h), (b"a\\nb\n".to_vec(), 0));
    }

    #[test]
    fn multiline_strips_indentation() {
        let m = QuoteStyle {
            multiline: true,
            ..STR
        };
        let (v, e) = dec("\n    lily:\n      out\n\n    bass\n    ", m);
        assert_eq!(e, 0);
        assert_eq!(String::from_utf8(v).unwrap(), "lily:\n  out\n\nbass");
        // A line with less indentation than the closing quote is an error.
        assert_eq!(dec("\n  a\n b\n  ", m).1, 1);
        // The closing quote must be alone on its line.
        assert_eq!(dec("\n  a\n  b", m).1, 1);
    }

    #[test]
    fn quoting_round_trips_through_decoding() {
        for s in ["plain", "tab\t\"q\" \\ nl\n", "日本語", "\u{1}"] {
            let q = quote_string(s);
            let (v, e) = dec(&q[1..q.len() - 1], STR);
            assert_eq!((String::from_utf8(v).unwrap().as_str(), e), (s, 0));
        }
        let b = QuoteStyle { bytes: true, ..STR };
        let raw = [0xffu8, b'a', b'\'', 0xc3, 0xbf];
        let q = quote_bytes(&raw);
        assert_eq!(dec(&q[1..q.len() - 1], b), (raw.to_vec(), 0));
    }
}
