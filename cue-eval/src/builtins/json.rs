//! `encoding/json`: Go's `encoding/json` helpers (`Valid`, `Compact`,
//! `Indent`, `HTMLEscape`) on a small scanner with Go's error wording, and
//! CUE's `Marshal`/`Unmarshal` (streams too) on [`Data`]. `Validate` needs
//! the evaluator (it unifies the decoded value with a schema).

use super::args::{self, fail, ok_string};
use super::{func, host_func, BuiltinError, Host, HostValue, Kind, Package};
use crate::data::Data;

const P: &str = "encoding/json";
const SB: Kind = Kind::STRING_BYTES;
const S: Kind = Kind::STRING;
const T: Kind = Kind::TOP;

type R = Result<Data, BuiltinError>;

pub static PACKAGE: Package = Package {
    path: P,
    cue: None,
    members: &[
        func!(P, "Valid", [SB], Kind::BOOL, |a: &[Data]| Ok(Data::Bool(
            scan(args::bytes(a, 0)?, None).is_ok()
        ))),
        func!(P, "Compact", [SB], S, compact_fn),
        func!(P, "Indent", [SB, S, S], S, indent_fn),
        func!(P, "HTMLEscape", [SB], S, |a: &[Data]| ok_string(
            html_escape(&String::from_utf8_lossy(args::bytes(a, 0)?))
        )),
        func!(P, "Marshal", [T], S, |a: &[Data]| ok_string(marshal(
            args::any(a, 0)?
        ))),
        func!(P, "MarshalStream", [T], S, marshal_stream),
        func!(P, "UnmarshalStream", [SB], T, unmarshal_stream),
        func!(P, "Unmarshal", [SB], T, unmarshal),
        host_func!(P, "Validate", [SB, T], Kind::BOOL, validate),
    ],
};

/// Compact JSON of concrete data, as Go's `json.Marshal` of a CUE value
/// writes it (HTML characters escaped).
pub(crate) fn marshal(d: &Data) -> String {
    let mut out = Vec::new();
    // The exporter's text is Go-encoder compatible; compacting it gives
    // exactly `json.Marshal`'s output.
    let text = d.to_json();
    let _ = scan(text.as_bytes(), Some(&mut Emit::Compact(&mut out)));
    String::from_utf8(out).unwrap_or_default()
}

fn marshal_stream(a: &[Data]) -> R {
    match args::any(a, 0)? {
        Data::List(items) => {
            let mut out = String::new();
            for d in items {
                out.push_str(&marshal(d));
                out.push('\n');
            }
            ok_string(out)
        }
        other => fail(format!(
            "cannot use value {} (type {}) as list",
            args::short_text(other),
            Kind::of(other)
        )),
    }
}

fn unmarshal(a: &[Data]) -> R {
    let b = args::bytes(a, 0)?;
    if scan(b, None).is_err() {
        return fail("json: invalid JSON");
    }
    let text = String::from_utf8_lossy(b);
    Data::from_json(&text).or_else(|e| fail(format!("json: could not parse JSON: {}", e.message)))
}

fn unmarshal_stream(a: &[Data]) -> R {
    let b = args::bytes(a, 0)?;
    let mut out = Vec::new();
    let mut pos = 0;
    loop {
        let mut p = Parser { b, pos, depth: 0 };
        p.skip_ws();
        if p.pos >= b.len() {
            break;
        }
        let start = p.pos;
        if let Err(e) = p.value(&mut None) {
            return fail(e);
        }
        let text = String::from_utf8_lossy(&b[start..p.pos]);
        match Data::from_json(&text) {
            Ok(d) => out.push(d),
            Err(e) => return fail(e.message),
        }
        pos = p.pos;
    }
    Ok(Data::List(out))
}

fn validate(h: &mut dyn Host, a: &[HostValue]) -> R {
    let text = match h.data(a[0])? {
        Data::String(s) => s,
        Data::Bytes(b) => String::from_utf8_lossy(&b).into_owned(),
        other => {
            return Err(BuiltinError::ArgKind {
                index: 0,
                value: args::short_text(&other),
                found: Kind::of(&other),
                expected: SB,
            })
        }
    };
    if let Err(e) = scan(text.as_bytes(), None) {
        return fail(e);
    }
    let d = Data::from_json(&text).or_else(|e| fail(e.message))?;
    h.validate(a[1], &d)?;
    Ok(Data::Bool(true))
}

fn compact_fn(a: &[Data]) -> R {
    let mut out = Vec::new();
    match scan(args::bytes(a, 0)?, Some(&mut Emit::Compact(&mut out))) {
        Ok(()) => ok_string(String::from_utf8_lossy(&out)),
        Err(e) => fail(e),
    }
}

fn indent_fn(a: &[Data]) -> R {
    let src = args::bytes(a, 0)?;
    let (prefix, indent) = (args::string(a, 1)?, args::string(a, 2)?);
    let mut out = Vec::new();
    let mut emit = Emit::Indent {
        out: &mut out,
        prefix,
        indent,
        depth: 0,
        need_newline: false,
        too_large: false,
    };
    let scanned = scan(src, Some(&mut emit));
    if let Emit::Indent {
        too_large: true, ..
    } = emit
    {
        // Prefix and indentation repeat on every line: the text is checked
        // against the size limit as it grows.
        return fail(format!(
            "result of more than {} bytes is too large",
            crate::limits::MAX_VALUE_BYTES
        ));
    }
    match scanned {
        Ok(()) => {
            // Trailing white space of the source is kept, as Go does.
            let trimmed = src.trim_ascii_end();
            out.extend_from_slice(&src[trimmed.len()..]);
            ok_string(String::from_utf8_lossy(&out))
        }
        Err(e) => fail(e),
    }
}

/// Go's `json.HTMLEscape`.
pub(crate) fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

/// Where scanned tokens go.
enum Emit<'a> {
    Compact(&'a mut Vec<u8>),
    Indent {
        out: &'a mut Vec<u8>,
        prefix: &'a str,
        indent: &'a str,
        depth: usize,
        need_newline: bool,
        /// The text passed the size limit (and stopped growing).
        too_large: bool,
    },
}

impl Emit<'_> {
    fn out(&mut self) -> &mut Vec<u8> {
        match self {
            Emit::Compact(o) => o,
            Emit::Indent { out, .. } => out,
        }
    }

    fn newline(&mut self) {
        if let Emit::Indent {
            out,
            prefix,
            indent,
            depth,
            too_large,
            ..
        } = self
        {
            let line = 1 + prefix.len() as u128 + *depth as u128 * indent.len() as u128;
            if *too_large || out.len() as u128 + line > crate::limits::MAX_VALUE_BYTES as u128 {
                *too_large = true;
                return;
            }
            out.push(b'\n');
            out.extend_from_slice(prefix.as_bytes());
            for _ in 0..*depth {
                out.extend_from_slice(indent.as_bytes());
            }
        }
    }

    /// Called before a value or key inside a container.
    fn before_item(&mut self) {
        if let Emit::Indent { need_newline, .. } = self {
            if *need_newline {
                *need_newline = false;
                self.newline();
            }
        }
    }

    fn open(&mut self, c: u8) {
        self.before_item();
        self.out().push(c);
        if let Emit::Indent {
            depth,
            need_newline,
            ..
        } = self
        {
            *depth += 1;
            *need_newline = true;
        }
    }

    fn close(&mut self, c: u8) {
        if let Emit::Indent {
            depth,
            need_newline,
            ..
        } = self
        {
            *depth -= 1;
            if *need_newline {
                // Empty container: stays `[]` / `{}`.
                *need_newline = false;
            } else {
                self.newline();
            }
        }
        self.out().push(c);
    }

    fn comma(&mut self) {
        self.out().push(b',');
        if let Emit::Indent { need_newline, .. } = self {
            *need_newline = true;
        }
    }

    fn colon(&mut self) {
        self.out().push(b':');
        if let Emit::Indent { .. } = self {
            self.out().push(b' ');
        }
    }

    fn token(&mut self, t: &[u8]) {
        self.before_item();
        self.out().extend_from_slice(t);
    }
}

/// Go's `quoteChar` for error messages.
fn quote_char(c: u8) -> String {
    match c {
        b'\'' => "'\\''".into(),
        b'"' => "'\"'".into(),
        c => {
            let q = args::quote(&(c as char).to_string());
            format!("'{}'", &q[1..q.len() - 1])
        }
    }
}

struct Parser<'a> {
    b: &'a [u8],
    pos: usize,
    depth: usize,
}

type PResult = Result<(), String>;

impl Parser<'_> {
    fn skip_ws(&mut self) {
        while self.pos < self.b.len() && matches!(self.b[self.pos], b' ' | b'\t' | b'\n' | b'\r') {
            self.pos += 1;
        }
    }

    fn peek(&self) -> Option<u8> {
        self.b.get(self.pos).copied()
    }

    fn err(&self, context: &str) -> String {
        match self.peek() {
            None => "unexpected end of JSON input".into(),
            Some(c) => format!("invalid character {} {context}", quote_char(c)),
        }
    }

    fn value(&mut self, emit: &mut Option<&mut Emit<'_>>) -> PResult {
        self.skip_ws();
        match self.peek() {
            Some(b'{') => self.object(emit),
            Some(b'[') => self.array(emit),
            Some(b'"') => {
                let start = self.pos;
                self.string()?;
                if let Some(e) = emit {
                    e.token(&self.b[start..self.pos]);
                }
                Ok(())
            }
            Some(b'-' | b'0'..=b'9') => {
                let start = self.pos;
                self.number()?;
                if let Some(e) = emit {
                    e.token(&self.b[start..self.pos]);
                }
                Ok(())
            }
            Some(b't') => self.literal(b"true", emit),
            Some(b'f') => self.literal(b"false", emit),
            Some(b'n') => self.literal(b"null", emit),
            _ => Err(self.err("looking for beginning of value")),
        }
    }

    fn literal(&mut self, word: &[u8], emit: &mut Option<&mut Emit<'_>>) -> PResult {
        let name = String::from_utf8_lossy(word).into_owned();
        for (i, &w) in word.iter().enumerate() {
            match self.peek() {
                Some(c) if c == w => self.pos += 1,
                _ if i == 0 => return Err(self.err("looking for beginning of value")),
                _ => {
                    return Err(
                        self.err(&format!("in literal {name} (expecting {})", quote_char(w)))
                    )
                }
            }
        }
        if let Some(e) = emit {
            e.token(word);
        }
        Ok(())
    }

    fn number(&mut self) -> PResult {
        if self.peek() == Some(b'-') {
            self.pos += 1;
            if !matches!(self.peek(), Some(b'0'..=b'9')) {
                return Err(self.err("in numeric literal"));
            }
        }
        if self.peek() == Some(b'0') {
            self.pos += 1;
        } else {
            while matches!(self.peek(), Some(b'0'..=b'9')) {
                self.pos += 1;
            }
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            if !matches!(self.peek(), Some(b'0'..=b'9')) {
                return Err(self.err("after decimal point in numeric literal"));
            }
            while matches!(self.peek(), Some(b'0'..=b'9')) {
                self.pos += 1;
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.pos += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            if !matches!(self.peek(), Some(b'0'..=b'9')) {
                return Err(self.err("in exponent of numeric literal"));
            }
            while matches!(self.peek(), Some(b'0'..=b'9')) {
                self.pos += 1;
            }
        }
        Ok(())
    }

    fn string(&mut self) -> PResult {
        self.pos += 1; // opening quote
        loop {
            match self.peek() {
                None => return Err("unexpected end of JSON input".into()),
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(());
                }
                Some(b'\\') => {
                    self.pos += 1;
                    match self.peek() {
                        Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => {
                            self.pos += 1
                        }
                        Some(b'u') => {
                            self.pos += 1;
                            for _ in 0..4 {
                                if !matches!(self.peek(), Some(c) if c.is_ascii_hexdigit()) {
                                    return Err(self.err("in \\u hexadecimal character escape"));
                                }
                                self.pos += 1;
                            }
                        }
                        _ => return Err(self.err("in string escape code")),
                    }
                }
                Some(c) if c < 0x20 => return Err(self.err("in string literal")),
                Some(_) => self.pos += 1,
            }
        }
    }

    fn enter(&mut self) -> PResult {
        self.depth += 1;
        if self.depth > 10_000 {
            return Err("exceeded max depth".into());
        }
        Ok(())
    }

    fn object(&mut self, emit: &mut Option<&mut Emit<'_>>) -> PResult {
        self.enter()?;
        self.pos += 1;
        if let Some(e) = emit {
            e.open(b'{');
        }
        self.skip_ws();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            if let Some(e) = emit {
                e.close(b'}');
            }
            self.depth -= 1;
            return Ok(());
        }
        loop {
            self.skip_ws();
            if self.peek() != Some(b'"') {
                return Err(self.err("looking for beginning of object key string"));
            }
            let start = self.pos;
            self.string()?;
            if let Some(e) = emit {
                e.token(&self.b[start..self.pos]);
            }
            self.skip_ws();
            if self.peek() != Some(b':') {
                return Err(self.err("after object key"));
            }
            self.pos += 1;
            if let Some(e) = emit {
                e.colon();
            }
            self.value(emit)?;
            self.skip_ws();
            match self.peek() {
                Some(b',') => {
                    self.pos += 1;
                    if let Some(e) = emit {
                        e.comma();
                    }
                }
                Some(b'}') => {
                    self.pos += 1;
                    if let Some(e) = emit {
                        e.close(b'}');
                    }
                    self.depth -= 1;
                    return Ok(());
                }
                _ => return Err(self.err("after object key:value pair")),
            }
        }
    }

    fn array(&mut self, emit: &mut Option<&mut Emit<'_>>) -> PResult {
        self.enter()?;
        self.pos += 1;
        if let Some(e) = emit {
            e.open(b'[');
        }
        self.skip_ws();
        if self.peek() == Some(b']') {
            self.pos += 1;
            if let Some(e) = emit {
                e.close(b']');
            }
            self.depth -= 1;
            return Ok(());
        }
        loop {
            self.value(emit)?;
            self.skip_ws();
            match self.peek() {
                Some(b',') => {
                    self.pos += 1;
                    if let Some(e) = emit {
                        e.comma();
                    }
                }
                Some(b']') => {
                    self.pos += 1;
                    if let Some(e) = emit {
                        e.close(b']');
                    }
                    self.depth -= 1;
                    return Ok(());
                }
                _ => return Err(self.err("after array element")),
            }
        }
    }
}

/// Checks that `b` is one JSON value, optionally re-emitting it.
fn scan(b: &[u8], emit: Option<&mut Emit<'_>>) -> Result<(), String> {
    let mut emit = emit;
    let mut p = Parser {
        b,
        pos: 0,
        depth: 0,
    };
    p.value(&mut emit)?;
    p.skip_ws();
    if p.pos < b.len() {
        return Err(p.err("after top-level value"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_error_wording() {
        assert_eq!(
            scan(b"{\"a\" 1}", None).unwrap_err(),
            "invalid character '1' after object key"
        );
        assert_eq!(
            scan(b"[1,", None).unwrap_err(),
            "unexpected end of JSON input"
        );
        assert_eq!(
            scan(b"tru ", None).unwrap_err(),
            "invalid character ' ' in literal true (expecting 'e')"
        );
    }
}
