//! A JSON reader that keeps what CUE keeps: object key order and exact
//! number text (`1` stays an int, `1.0` a float with its trailing zero).
//!
//! A hand-written reader, because serde_json only keeps numbers exact with
//! its `arbitrary_precision` feature, which would change number handling for
//! every crate of the workspace. A repeated key keeps its first position and
//! its last value.

use crate::data::{Data, DataError};
use crate::num::Number;

/// Deepest nesting accepted (keeps recursion far from the stack limit).
const MAX_DEPTH: usize = 1000;

/// Parses exactly one JSON value (surrounding whitespace allowed).
pub fn decode(text: &str) -> Result<Data, DataError> {
    let mut r = Reader {
        src: text,
        pos: 0,
        values: 0,
    };
    r.skip_ws();
    let v = r.value(0)?;
    r.skip_ws();
    if r.pos < r.src.len() {
        return Err(r.error("invalid character after top-level value"));
    }
    Ok(v)
}

struct Reader<'a> {
    src: &'a str,
    pos: usize,
    /// Values read so far (at most [`crate::limits::MAX_DECODED_VALUES`]).
    values: usize,
}

impl Reader<'_> {
    fn error(&self, message: &str) -> DataError {
        let before = &self.src[..self.pos];
        let line = before.matches('\n').count() as u32 + 1;
        let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) as u32 + 1;
        DataError {
            message: message.to_string(),
            line,
            col,
        }
    }

    /// Kept out of `value`, whose stack frame repeats at every level.
    #[cold]
    #[inline(never)]
    fn too_many_values(&self) -> DataError {
        self.error(&format!(
            "more than {} values",
            crate::limits::MAX_DECODED_VALUES
        ))
    }

    fn peek(&self) -> Option<u8> {
        self.src.as_bytes().get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.pos += 1;
        }
    }

    fn expect(&mut self, b: u8) -> Result<(), DataError> {
        if self.peek() == Some(b) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.error(&format!("expected '{}'", b as char)))
        }
    }

    fn value(&mut self, depth: usize) -> Result<Data, DataError> {
        if depth > MAX_DEPTH {
            return Err(self.error("exceeded max depth"));
        }
        self.values += 1;
        if self.values > crate::limits::MAX_DECODED_VALUES {
            return Err(self.too_many_values());
        }
        match self.peek() {
            None => Err(self.error("unexpected end of JSON input")),
            Some(b'{') => self.object(depth),
            Some(b'[') => self.array(depth),
            Some(b'"') => Ok(Data::String(self.string()?)),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(_) => {
                for (word, v) in [
                    ("null", Data::Null),
                    ("true", Data::Bool(true)),
                    ("false", Data::Bool(false)),
                ] {
                    if self.src[self.pos..].starts_with(word) {
                        self.pos += word.len();
                        return Ok(v);
                    }
                }
                Err(self.error("invalid character looking for beginning of value"))
            }
        }
    }

    fn object(&mut self, depth: usize) -> Result<Data, DataError> {
        self.pos += 1;
        let mut fields: Vec<(String, Data)> = Vec::new();
        self.skip_ws();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(Data::Struct(fields));
        }
        loop {
            self.skip_ws();
            if self.peek() != Some(b'"') {
                return Err(self.error("expected string for object key"));
            }
            let key = self.string()?;
            self.skip_ws();
            self.expect(b':')?;
            self.skip_ws();
            let v = self.value(depth + 1)?;
            match fields.iter_mut().find(|(k, _)| *k == key) {
                Some(slot) => slot.1 = v,
                None => fields.push((key, v)),
            }
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(Data::Struct(fields));
                }
                _ => return Err(self.error("expected ',' or '}' after object value")),
            }
        }
    }

    fn array(&mut self, depth: usize) -> Result<Data, DataError> {
        self.pos += 1;
        let mut items = Vec::new();
        self.skip_ws();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(Data::List(items));
        }
        loop {
            self.skip_ws();
            items.push(self.value(depth + 1)?);
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    return Ok(Data::List(items));
                }
                _ => return Err(self.error("expected ',' or ']' after array element")),
            }
        }
    }

    fn number(&mut self) -> Result<Data, DataError> {
        let start = self.pos;
        let bytes = self.src.as_bytes();
        let digits = |p: &mut usize| {
            let s = *p;
            while bytes.get(*p).is_some_and(u8::is_ascii_digit) {
                *p += 1;
            }
            *p > s
        };
        let mut p = self.pos;
        if bytes.get(p) == Some(&b'-') {
            p += 1;
        }
        let int_start = p;
        if !digits(&mut p) || (bytes[int_start] == b'0' && p - int_start > 1) {
            self.pos = int_start;
            return Err(self.error("invalid number"));
        }
        if bytes.get(p) == Some(&b'.') {
            p += 1;
            if !digits(&mut p) {
                self.pos = p;
                return Err(self.error("invalid number: digit expected after '.'"));
            }
        }
        if let Some(b'e' | b'E') = bytes.get(p) {
            p += 1;
            if let Some(b'+' | b'-') = bytes.get(p) {
                p += 1;
            }
            if !digits(&mut p) {
                self.pos = p;
                return Err(self.error("invalid number: digit expected in exponent"));
            }
        }
        match Number::parse(&self.src[start..p]) {
            Ok(n) => {
                self.pos = p;
                Ok(Data::Number(n))
            }
            Err(_) => {
                self.pos = start;
                Err(self.error("number out of range"))
            }
        }
    }

    fn string(&mut self) -> Result<String, DataError> {
        self.pos += 1;
        let mut out = String::new();
        loop {
            let rest = &self.src[self.pos..];
            let Some(c) = rest.chars().next() else {
                return Err(self.error("unexpected end of JSON input in string"));
            };
            match c {
                '"' => {
                    self.pos += 1;
                    return Ok(out);
                }
                '\\' => {
                    self.pos += 1;
                    let Some(e) = self.peek() else {
                        return Err(self.error("unexpected end of JSON input in string"));
                    };
                    self.pos += 1;
                    match e {
                        b'"' => out.push('"'),
                        b'\\' => out.push('\\'),
                        b'/' => out.push('/'),
                        b'b' => out.push('\u{8}'),
                        b'f' => out.push('\u{c}'),
                        b'n' => out.push('\n'),
                        b'r' => out.push('\r'),
                        b't' => out.push('\t'),
                        b'u' => {
                            let hi = self.hex4()?;
                            let c = if (0xD800..0xDC00).contains(&hi)
                                && self.src[self.pos..].starts_with("\\u")
                            {
                                let save = self.pos;
                                self.pos += 2;
                                let lo = self.hex4()?;
                                if (0xDC00..0xE000).contains(&lo) {
                                    char::from_u32(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00))
                                } else {
                                    self.pos = save;
                                    None
                                }
                            } else {
                                char::from_u32(hi)
                            };
                            // Lone surrogates become U+FFFD, as in Go.
                            out.push(c.unwrap_or('\u{fffd}'));
                        }
                        _ => {
                            self.pos -= 1;
                            return Err(self.error("invalid escape in string"));
                        }
                    }
                }
                c if (c as u32) < 0x20 => {
                    return Err(self.error("invalid control character in string"));
                }
                c => {
                    out.push(c);
                    self.pos += c.len_utf8();
                }
            }
        }
    }

    fn hex4(&mut self) -> Result<u32, DataError> {
        let h = self.src.get(self.pos..self.pos + 4);
        match h.and_then(|h| u32::from_str_radix(h, 16).ok()) {
            Some(v) if h.is_some_and(|h| h.bytes().all(|b| b.is_ascii_hexdigit())) => {
                self.pos += 4;
                Ok(v)
            }
            _ => Err(self.error("invalid \\u escape in string")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::num::NumKind;

    #[test]
    fn keeps_key_order_and_number_text() {
        let d =
            decode(r#" {"b": 1, "a": [1.0, -2e3, 0.5], "c": {"x": null, "y": true}} "#).unwrap();
        let Data::Struct(fields) = &d else {
            panic!("not a struct: {d:?}")
        };
        let keys: Vec<&str> = fields.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["b", "a", "c"]);
        let Some(Data::List(items)) = d.get("a") else {
            panic!("a is not a list")
        };
        let texts: Vec<String> = items
            .iter()
            .map(|i| match i {
                Data::Number(n) => n.to_string(),
                _ => String::new(),
            })
            .collect();
        assert_eq!(texts, ["1.0", "-2E+3", "0.5"]);
        match d.get("b") {
            Some(Data::Number(n)) => assert_eq!(n.kind(), NumKind::Int),
            other => panic!("b: {other:?}"),
        }
    }

    #[test]
    fn big_numbers_stay_exact() {
        let d = decode("123456789012345678901234567890").unwrap();
        assert_eq!(
            d,
            Data::Number(Number::parse("123456789012345678901234567890").unwrap())
        );
        match d {
            Data::Number(n) => assert_eq!(n.to_string(), "123456789012345678901234567890"),
            _ => unreachable!(),
        }
    }

    #[test]
    fn string_escapes() {
        assert_eq!(
            decode(r#""a\u003c\n\"\\\/\ud83d\ude00\u00e9""#).unwrap(),
            Data::String("a<\n\"\\/😀é".into())
        );
    }

    #[test]
    fn errors_have_positions() {
        let e = decode("{\n  \"a\": 1,\n  \"b\" 2}").unwrap_err();
        assert_eq!((e.line, e.col), (3, 7));
        assert!(decode("[1,]").is_err());
        assert!(decode("01").is_err());
        assert!(decode("1 2").is_err());
        assert!(decode("\"abc").is_err());
        assert!(decode("").is_err());
        assert!(decode("tru").is_err());
    }

    #[test]
    fn repeated_key_keeps_first_position_last_value() {
        let d = decode(r#"{"a": 1, "b": 2, "a": 3}"#).unwrap();
        assert_eq!(
            d,
            Data::Struct(vec![
                ("a".into(), Data::Number(Number::from_i64(3))),
                ("b".into(), Data::Number(Number::from_i64(2))),
            ])
        );
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let text = "[".repeat(5000);
        assert!(decode(&text).is_err());
    }
}
