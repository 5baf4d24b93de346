//! The modal lexer: a small state machine over the raw `logos` tokens.
//!
//! It adds three things the raw tokens cannot express:
//!
//! 1. **Automatic commas** (spec "Commas"). A flag `ends_operand` remembers
//!    whether the last emitted token is an identifier, keyword, `_|_`, a
//!    literal (including the end of an interpolation), an attribute, `...`, or
//!    one of `)` `]` `}` `?`. A newline (or the end of input) seen while the
//!    flag is set emits [`Tok::Comma`] with `inserted == true`. Comments act
//!    like newlines: they are set aside for the printer and the newline that
//!    ends them triggers the insertion.
//!
//! 2. **String bodies and interpolation.** On an opening delimiter
//!    ([`RawTok::Quote`]: `#*` then `"`, `"""`, `'` or `'''`) the body is
//!    scanned by hand up to the matching closing delimiter. If an
//!    interpolation `\(` (with as many `#` as the literal has) comes first,
//!    [`Tok::InterpStart`] is emitted and the mode stack gets an
//!    `Interp { style, depth: 0 }` entry. In that mode, `(` and `)` adjust
//!    `depth`; a `)` at depth 0 resumes the body scan, which emits either
//!    [`Tok::InterpMid`] (another `\(` follows) or [`Tok::InterpEnd`] (the
//!    closing delimiter) and pops the mode. Interpolations nest to any depth
//!    because each string opened inside an interpolation pushes its own entry.
//!
//! 3. **Attributes.** `@name(...)` is scanned by hand as one
//!    [`Tok::Attribute`] token whose body is balanced-token text.
//!
//! 4. **Keywords as identifiers.** The spec lets keywords name fields and
//!    refer to them. Like the reference parser, a keyword is passed on as
//!    an identifier where its construct cannot start ([`After`]): after an
//!    operator, `:`, `=` or `(`; `package` and `import` also after `.`; and
//!    `let` at the start of a declaration or element when no name follows
//!    (`{ let }`). `for`, `if` and `let` stay keywords after `.` (so `a.for`
//!    fails as in the reference) and after an operand, where they start the
//!    next clause of a comprehension.
//!
//! 5. **A nesting budget.** Deeply nested input (brackets, operator or
//!    selector chains, `a: b: c: ...`) would make later recursive passes
//!    overflow the stack. Each bracket level counts its nesting tokens since
//!    its last comma; when the sum over the open levels exceeds
//!    [`MAX_NESTING`], the lexer reports [`ParseErrorKind::TooDeep`] and ends
//!    the input there.
//!
//! Tokens carry slices of the source; decoding of literals happens in
//! [`crate::literal`]. Lexical errors are collected, never fatal: the lexer
//! always reaches the end of input.

mod raw;

use crate::ast::{QuoteStyle, Span};
use crate::error::{ParseError, ParseErrorKind};
use crate::FileId;
use logos::Logos;
use raw::RawTok;

/// A token as the parser sees it. String-like tokens hold their raw source
/// text, delimiters included.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Tok<'s> {
    Ident(&'s str),
    /// `div`, `mod`, `quo` or `rem`.
    IntOp(&'s str),
    Int(&'s str),
    Float(&'s str),
    /// A complete string or bytes literal without interpolation.
    Str(&'s str),
    /// From the opening delimiter through the first `\(`.
    InterpStart(&'s str),
    /// From a closing `)` of an interpolation through the next `\(`.
    InterpMid(&'s str),
    /// From a closing `)` of an interpolation through the closing delimiter.
    InterpEnd(&'s str),
    /// `@name(body)`
    Attribute(&'s str),
    Package,
    Import,
    For,
    In,
    If,
    Let,
    Null,
    True,
    False,
    Bottom,
    Plus,
    Minus,
    Star,
    Slash,
    Amp,
    AmpAmp,
    Pipe,
    PipePipe,
    EqEq,
    NotEq,
    Lt,
    Le,
    Gt,
    Ge,
    Match,
    NotMatch,
    Bang,
    Eq,
    Colon,
    Question,
    LParen,
    RParen,
    LBrack,
    RBrack,
    LBrace,
    RBrace,
    /// `,`, or a comma inserted at a newline (`true`).
    Comma(bool),
    Dot,
    Ellipsis,
}

impl Tok<'_> {
    /// How the token is named in "found ..." messages.
    pub(crate) fn describe(&self) -> String {
        match self {
            Tok::Ident(s) | Tok::IntOp(s) => format!("identifier `{s}`"),
            Tok::Int(s) | Tok::Float(s) => format!("number `{s}`"),
            Tok::Str(s) => format!("string literal {}", shorten(s)),
            Tok::InterpStart(_) => "interpolated string".to_string(),
            Tok::InterpMid(_) | Tok::InterpEnd(_) => "end of interpolation".to_string(),
            Tok::Attribute(s) => format!("attribute {}", shorten(s)),
            Tok::Comma(true) => "newline".to_string(),
            other => format!("`{}`", other.text()),
        }
    }

    fn text(&self) -> &str {
        match self {
            Tok::Ident(s)
            | Tok::IntOp(s)
            | Tok::Int(s)
            | Tok::Float(s)
            | Tok::Str(s)
            | Tok::InterpStart(s)
            | Tok::InterpMid(s)
            | Tok::InterpEnd(s)
            | Tok::Attribute(s) => s,
            Tok::Package => "package",
            Tok::Import => "import",
            Tok::For => "for",
            Tok::In => "in",
            Tok::If => "if",
            Tok::Let => "let",
            Tok::Null => "null",
            Tok::True => "true",
            Tok::False => "false",
            Tok::Bottom => "_|_",
            Tok::Plus => "+",
            Tok::Minus => "-",
            Tok::Star => "*",
            Tok::Slash => "/",
            Tok::Amp => "&",
            Tok::AmpAmp => "&&",
            Tok::Pipe => "|",
            Tok::PipePipe => "||",
            Tok::EqEq => "==",
            Tok::NotEq => "!=",
            Tok::Lt => "<",
            Tok::Le => "<=",
            Tok::Gt => ">",
            Tok::Ge => ">=",
            Tok::Match => "=~",
            Tok::NotMatch => "!~",
            Tok::Bang => "!",
            Tok::Eq => "=",
            Tok::Colon => ":",
            Tok::Question => "?",
            Tok::LParen => "(",
            Tok::RParen => ")",
            Tok::LBrack => "[",
            Tok::RBrack => "]",
            Tok::LBrace => "{",
            Tok::RBrace => "}",
            Tok::Comma(_) => ",",
            Tok::Dot => ".",
            Tok::Ellipsis => "...",
        }
    }

    /// Whether a newline after this token inserts a comma.
    fn ends_operand(&self) -> bool {
        matches!(
            self,
            Tok::Ident(_)
                | Tok::IntOp(_)
                | Tok::Int(_)
                | Tok::Float(_)
                | Tok::Str(_)
                | Tok::InterpEnd(_)
                | Tok::Attribute(_)
                | Tok::Package
                | Tok::Import
                | Tok::For
                | Tok::In
                | Tok::If
                | Tok::Let
                | Tok::Null
                | Tok::True
                | Tok::False
                | Tok::Bottom
                | Tok::RParen
                | Tok::RBrack
                | Tok::RBrace
                | Tok::Question
                | Tok::Ellipsis
        )
    }
}

fn shorten(s: &str) -> String {
    let first_line = s.lines().next().unwrap_or("");
    if first_line.chars().count() > 30 || first_line.len() != s.len() {
        let cut: String = first_line.chars().take(30).collect();
        format!("`{cut}…`")
    } else {
        format!("`{s}`")
    }
}

/// A comment found by the lexer, for [`crate::comments`].
#[derive(Clone, Debug)]
pub(crate) struct RawComment {
    pub start: u32,
    pub end: u32,
}

/// A token with its byte offsets, as LALRPOP wants it.
pub(crate) type Spanned<'s> = (usize, Tok<'s>, usize);

/// Never produced: lexical errors are collected on the side.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Void {}

/// The nesting budget (see the module documentation).
pub(crate) const MAX_NESTING: u32 = 1000;

enum Mode {
    Interp { style: QuoteStyle, depth: u32 },
}

/// What the last emitted token leaves room for (see "Keywords as
/// identifiers" in the module documentation).
#[derive(Clone, Copy, PartialEq, Eq)]
enum After {
    /// Start of input, `{`, `[` or a comma: a declaration or element starts.
    Start,
    /// `.`: a selector follows.
    Dot,
    /// An operand ends here: a binary operator or the next clause follows.
    Operand,
    /// Anything else (an operator, `:`, `=`, `(`, a keyword): an operand
    /// follows.
    Other,
}

/// The modal lexer. Iterate it to get tokens; then read `errors` and
/// `comments`.
pub(crate) struct Lexer<'s> {
    src: &'s str,
    file: FileId,
    raw: logos::Lexer<'s, RawTok>,
    modes: Vec<Mode>,
    ends_operand: bool,
    at_eof: bool,
    /// Nesting tokens since the last comma, per open bracket level.
    chain: Vec<u32>,
    /// The sum of `chain`.
    nesting: u32,
    /// Progress through a `for k, v in` clause head, which is the only
    /// place where `in` is a keyword (spec "Keywords"); elsewhere `in` is an
    /// identifier. 0: none; 1: after `for`; 2: after `for k`; 3: after
    /// `for k,`; 4: after `for k, v`.
    for_head: u8,
    after: After,
    pub errors: Vec<ParseError>,
    pub comments: Vec<RawComment>,
}

/// How a body scan stopped.
enum BodyEnd {
    /// At the closing delimiter; the offset is just past it.
    Closed(usize),
    /// At an interpolation `\(`; the offset is just past the `(`.
    Interp(usize),
    /// The literal is not terminated; the offset is where scanning stopped.
    Unterminated(usize),
}

impl<'s> Lexer<'s> {
    pub(crate) fn new(file: FileId, src: &'s str) -> Lexer<'s> {
        Lexer {
            src,
            file,
            raw: RawTok::lexer(src),
            modes: Vec::new(),
            ends_operand: false,
            at_eof: false,
            chain: vec![0],
            nesting: 0,
            for_head: 0,
            after: After::Start,
            errors: Vec::new(),
            comments: Vec::new(),
        }
    }

    fn span(&self, start: usize, end: usize) -> Span {
        Span::new(self.file, start as u32, end as u32)
    }

    fn error(&mut self, kind: ParseErrorKind, start: usize, end: usize) {
        let span = self.span(start, end);
        self.errors.push(ParseError::new(kind, span));
    }

    fn emit(
        &mut self,
        start: usize,
        tok: Tok<'s>,
        end: usize,
    ) -> Option<Result<Spanned<'s>, Void>> {
        self.ends_operand = tok.ends_operand();
        self.after = match tok {
            Tok::LBrace | Tok::LBrack | Tok::Comma(_) => After::Start,
            Tok::Dot => After::Dot,
            // Keywords end an operand only for comma insertion.
            Tok::Package | Tok::Import | Tok::For | Tok::In | Tok::If | Tok::Let => After::Other,
            _ if self.ends_operand => After::Operand,
            _ => After::Other,
        };
        self.for_head = match (self.for_head, &tok) {
            (_, Tok::For) => 1,
            (1, Tok::Ident(_) | Tok::IntOp(_)) => 2,
            (2, Tok::Comma(false)) => 3,
            (3, Tok::Ident(_) | Tok::IntOp(_)) => 4,
            _ => 0,
        };
        if !self.track_nesting(&tok) {
            self.error(ParseErrorKind::TooDeep(MAX_NESTING), start, end);
            self.at_eof = true;
            self.modes.clear();
            // Let the raw lexer run dry so that iteration ends here.
            self.bump_to(self.src.len());
            while self.raw.next().is_some() {}
            return None;
        }
        Some(Ok((start, tok, end)))
    }

    /// Updates the nesting budget; false when it is exceeded.
    fn track_nesting(&mut self, tok: &Tok<'s>) -> bool {
        match tok {
            Tok::Comma(_) => {
                let level = self.chain.last_mut().map(std::mem::take).unwrap_or(0);
                self.nesting -= level;
            }
            Tok::LParen | Tok::LBrack | Tok::LBrace | Tok::InterpStart(_) => {
                self.nesting += 1;
                if let Some(c) = self.chain.last_mut() {
                    *c += 1;
                }
                self.chain.push(0);
            }
            Tok::RParen | Tok::RBrack | Tok::RBrace | Tok::InterpEnd(_) => {
                if self.chain.len() > 1 {
                    let level = self.chain.pop().unwrap_or(0);
                    self.nesting -= level;
                }
            }
            Tok::Ident(_)
            | Tok::Int(_)
            | Tok::Float(_)
            | Tok::Str(_)
            | Tok::InterpMid(_)
            | Tok::Attribute(_) => {}
            Tok::Null | Tok::True | Tok::False | Tok::Bottom | Tok::Ellipsis | Tok::Question => {}
            Tok::Package | Tok::Import | Tok::In => {}
            _ => {
                self.nesting += 1;
                if let Some(c) = self.chain.last_mut() {
                    *c += 1;
                }
            }
        }
        self.nesting <= MAX_NESTING
    }

    /// Scans a string body from `pos` (just after an opening delimiter or an
    /// interpolation's closing paren) to the closing delimiter or `\(`.
    fn scan_body(&self, pos: usize, style: QuoteStyle) -> BodyEnd {
        let bytes = self.src.as_bytes();
        let quote = if style.bytes { b'\'' } else { b'"' };
        let hashes = style.hashes as usize;
        let mut i = pos;
        while i < bytes.len() {
            let c = bytes[i];
            if c == b'\\' {
                let after = i + 1;
                if bytes.len() >= after + hashes
                    && bytes[after..after + hashes].iter().all(|&b| b == b'#')
                {
                    let k = after + hashes;
                    match bytes.get(k) {
                        Some(b'(') => return BodyEnd::Interp(k + 1),
                        // Skip the escaped character so `\"` does not close.
                        Some(b'\n') if !style.multiline => return BodyEnd::Unterminated(k),
                        Some(_) => {
                            i = k + 1;
                            continue;
                        }
                        None => return BodyEnd::Unterminated(bytes.len()),
                    }
                }
                i += 1;
                continue;
            }
            if c == b'\n' && !style.multiline {
                return BodyEnd::Unterminated(i);
            }
            if c == quote {
                let nq = if style.multiline { 3 } else { 1 };
                let end_q = i + nq;
                if bytes.len() >= end_q + hashes
                    && bytes[i..end_q].iter().all(|&b| b == quote)
                    && bytes[end_q..end_q + hashes].iter().all(|&b| b == b'#')
                {
                    return BodyEnd::Closed(end_q + hashes);
                }
            }
            i += 1;
        }
        BodyEnd::Unterminated(bytes.len())
    }

    /// Handles an opening delimiter at `start..delim_end`.
    fn string(&mut self, start: usize, delim_end: usize) -> Option<Result<Spanned<'s>, Void>> {
        let delim = &self.src[start..delim_end];
        let hashes = delim.bytes().take_while(|&b| b == b'#').count() as u32;
        let quotes = &delim[hashes as usize..];
        let style = QuoteStyle {
            bytes: quotes.starts_with('\''),
            multiline: quotes.len() == 3,
            hashes,
        };
        if style.multiline && !self.src[delim_end..].starts_with(['\n', '\r']) {
            self.error(ParseErrorKind::MultilineNoNewline, start, delim_end);
        }
        match self.scan_body(delim_end, style) {
            BodyEnd::Closed(end) => {
                self.bump_to(end);
                self.emit(start, Tok::Str(&self.src[start..end]), end)
            }
            BodyEnd::Interp(end) => {
                self.bump_to(end);
                self.modes.push(Mode::Interp { style, depth: 0 });
                self.emit(start, Tok::InterpStart(&self.src[start..end]), end)
            }
            BodyEnd::Unterminated(end) => {
                self.error(ParseErrorKind::UnterminatedString, start, end);
                self.bump_to(end);
                // Hand the parser a well-formed empty literal of the same kind.
                let tok = if style.bytes {
                    Tok::Str("''")
                } else {
                    Tok::Str("\"\"")
                };
                self.emit(start, tok, end)
            }
        }
    }

    fn reset_raw(&mut self, pos: usize) {
        let mut raw = RawTok::lexer(self.src);
        raw.bump(pos);
        self.raw = raw;
    }

    /// Moves the raw lexer forward so that its next token starts at `pos`.
    fn bump_to(&mut self, pos: usize) {
        let cur = self.raw.span().end;
        if pos >= cur {
            self.raw.bump(pos - cur);
        } else {
            self.reset_raw(pos);
        }
    }

    /// Resumes a string body after the `)` at `rparen_start..body_start`.
    fn resume_string(
        &mut self,
        style: QuoteStyle,
        rparen_start: usize,
        body_start: usize,
    ) -> Option<Result<Spanned<'s>, Void>> {
        match self.scan_body(body_start, style) {
            BodyEnd::Closed(end) => {
                self.modes.pop();
                self.bump_to(end);
                self.emit(
                    rparen_start,
                    Tok::InterpEnd(&self.src[rparen_start..end]),
                    end,
                )
            }
            BodyEnd::Interp(end) => {
                if let Some(Mode::Interp { depth, .. }) = self.modes.last_mut() {
                    *depth = 0;
                }
                self.bump_to(end);
                self.emit(
                    rparen_start,
                    Tok::InterpMid(&self.src[rparen_start..end]),
                    end,
                )
            }
            BodyEnd::Unterminated(end) => {
                self.modes.pop();
                self.error(ParseErrorKind::UnterminatedString, rparen_start, end);
                self.bump_to(end);
                let close = if style.bytes { ")'" } else { ")\"" };
                self.emit(rparen_start, Tok::InterpEnd(close), end)
            }
        }
    }

    /// Scans `@name(balanced tokens)` starting at the `@` at `start`.
    fn attribute(&mut self, start: usize) -> Option<Result<Spanned<'s>, Void>> {
        let bytes = self.src.as_bytes();
        let mut i = start + 1;
        // The name: identifier characters.
        while i < bytes.len() {
            let ch = self.src[i..].chars().next().unwrap_or(' ');
            if ch == '_' || ch == '$' || ch == '#' || ch.is_alphanumeric() {
                i += ch.len_utf8();
            } else {
                break;
            }
        }
        if i == start + 1 || bytes.get(i) != Some(&b'(') {
            self.error(ParseErrorKind::MalformedAttribute, start, i.max(start + 1));
            self.bump_to(i.max(start + 1));
            return self.next_token();
        }
        let mut depth: Vec<u8> = Vec::new();
        let mut j = i;
        let end = loop {
            let Some(&c) = bytes.get(j) else {
                break None;
            };
            match c {
                b'(' => depth.push(b')'),
                b'[' => depth.push(b']'),
                b'{' => depth.push(b'}'),
                b')' | b']' | b'}' => {
                    if depth.pop() != Some(c) {
                        break None;
                    }
                    if depth.is_empty() {
                        break Some(j + 1);
                    }
                }
                b'"' | b'\'' => {
                    // Skip a simple quoted literal so brackets inside do not count.
                    let mut k = j + 1;
                    while k < bytes.len() && bytes[k] != c && bytes[k] != b'\n' {
                        k += if bytes[k] == b'\\' { 2 } else { 1 };
                    }
                    if k >= bytes.len() || bytes[k] != c {
                        break None;
                    }
                    j = k;
                }
                b'\n' => break None,
                _ => {}
            }
            j += 1;
        };
        match end {
            Some(end) => {
                self.bump_to(end);
                self.emit(start, Tok::Attribute(&self.src[start..end]), end)
            }
            None => {
                let stop = j.min(bytes.len());
                self.error(ParseErrorKind::MalformedAttribute, start, stop.max(i + 1));
                self.bump_to(stop.max(i + 1));
                self.next_token()
            }
        }
    }

    fn next_token(&mut self) -> Option<Result<Spanned<'s>, Void>> {
        loop {
            let Some(raw) = self.raw.next() else {
                if self.at_eof {
                    return None;
                }
                self.at_eof = true;
                let n = self.src.len();
                if let Some(Mode::Interp { .. }) = self.modes.last() {
                    self.error(ParseErrorKind::UnterminatedInterpolation, n, n);
                    self.modes.clear();
                }
                if self.ends_operand {
                    return self.emit(n, Tok::Comma(true), n);
                }
                return None;
            };
            let span = self.raw.span();
            let (start, end) = (span.start, span.end);
            let tok = match raw {
                Err(()) => {
                    let ch = self.src[start..].chars().next().unwrap_or('\u{fffd}');
                    self.error(ParseErrorKind::InvalidCharacter(ch), start, end);
                    continue;
                }
                Ok(RawTok::Newline) => {
                    // As the reference scanner: no comma is inserted before
                    // a line that starts with `,` or `:` (JSON written with
                    // leading commas and colons), blank lines skipped.
                    let next = self.src[end..]
                        .bytes()
                        .find(|b| !matches!(b, b' ' | b'\t' | b'\r' | b'\n'));
                    if self.ends_operand && !matches!(next, Some(b',' | b':')) {
                        return self.emit(start, Tok::Comma(true), end);
                    }
                    continue;
                }
                Ok(RawTok::Comment) => {
                    self.comments.push(RawComment {
                        start: start as u32,
                        end: end as u32,
                    });
                    continue;
                }
                Ok(RawTok::Quote) => return self.string(start, end),
                Ok(RawTok::At) => return self.attribute(start),
                Ok(RawTok::LParen) => {
                    if let Some(Mode::Interp { depth, .. }) = self.modes.last_mut() {
                        *depth += 1;
                    }
                    Tok::LParen
                }
                Ok(RawTok::RParen) => {
                    if let Some(Mode::Interp { style, depth }) = self.modes.last_mut() {
                        if *depth == 0 {
                            let style = *style;
                            return self.resume_string(style, start, end);
                        }
                        *depth -= 1;
                    }
                    Tok::RParen
                }
                Ok(RawTok::Ident) => Tok::Ident(&self.src[start..end]),
                Ok(RawTok::IntOp) => Tok::IntOp(&self.src[start..end]),
                Ok(RawTok::Int) => Tok::Int(&self.src[start..end]),
                Ok(RawTok::Float) => Tok::Float(&self.src[start..end]),
                Ok(RawTok::Package) => self.keyword(Tok::Package, start, end),
                Ok(RawTok::Import) => self.keyword(Tok::Import, start, end),
                Ok(RawTok::For) => self.keyword(Tok::For, start, end),
                // `in` right after `for` is kept a keyword so that
                // `for in in x` fails like the reference parser, and so is
                // `in` after `.` (`a.in` fails there too).
                Ok(RawTok::In) if matches!(self.for_head, 1 | 2 | 4) => Tok::In,
                Ok(RawTok::In) if self.after == After::Dot => Tok::In,
                Ok(RawTok::In) => Tok::Ident(&self.src[start..end]),
                Ok(RawTok::If) => self.keyword(Tok::If, start, end),
                Ok(RawTok::Let) => self.keyword(Tok::Let, start, end),
                Ok(RawTok::Null) => Tok::Null,
                Ok(RawTok::True) => Tok::True,
                Ok(RawTok::False) => Tok::False,
                Ok(RawTok::Bottom) => Tok::Bottom,
                Ok(RawTok::Plus) => Tok::Plus,
                Ok(RawTok::Minus) => Tok::Minus,
                Ok(RawTok::Star) => Tok::Star,
                Ok(RawTok::Slash) => Tok::Slash,
                Ok(RawTok::Amp) => Tok::Amp,
                Ok(RawTok::AmpAmp) => Tok::AmpAmp,
                Ok(RawTok::Pipe) => Tok::Pipe,
                Ok(RawTok::PipePipe) => Tok::PipePipe,
                Ok(RawTok::EqEq) => Tok::EqEq,
                Ok(RawTok::NotEq) => Tok::NotEq,
                Ok(RawTok::Lt) => Tok::Lt,
                Ok(RawTok::Le) => Tok::Le,
                Ok(RawTok::Gt) => Tok::Gt,
                Ok(RawTok::Ge) => Tok::Ge,
                Ok(RawTok::Match) => Tok::Match,
                Ok(RawTok::NotMatch) => Tok::NotMatch,
                Ok(RawTok::Bang) => Tok::Bang,
                Ok(RawTok::Eq) => Tok::Eq,
                Ok(RawTok::Colon) if self.src[end..].starts_with(':') => {
                    // `::` is read as `:` after the error, as the reference does.
                    self.error(ParseErrorKind::DeprecatedDoubleColon, start, end + 1);
                    self.bump_to(end + 1);
                    return self.emit(start, Tok::Colon, end + 1);
                }
                Ok(RawTok::Colon) => Tok::Colon,
                Ok(RawTok::Question) => Tok::Question,
                Ok(RawTok::LBrack) => Tok::LBrack,
                Ok(RawTok::RBrack) => Tok::RBrack,
                Ok(RawTok::LBrace) => Tok::LBrace,
                Ok(RawTok::RBrace) => Tok::RBrace,
                Ok(RawTok::Comma) => Tok::Comma(false),
                Ok(RawTok::Dot) => Tok::Dot,
                Ok(RawTok::Ellipsis) => Tok::Ellipsis,
            };
            return self.emit(start, tok, end);
        }
    }
}

impl<'s> Lexer<'s> {
    /// `package`, `import`, `for`, `if` or `let` as a keyword, or as an
    /// identifier where its construct cannot start here.
    fn keyword(&self, tok: Tok<'s>, start: usize, end: usize) -> Tok<'s> {
        let ident = match self.after {
            After::Other => true,
            After::Dot => matches!(tok, Tok::Package | Tok::Import),
            After::Start => tok == Tok::Let && !self.name_follows(),
            After::Operand => false,
        };
        if ident {
            Tok::Ident(&self.src[start..end])
        } else {
            tok
        }
    }

    /// Whether the next raw token is a name (`let x = ...`).
    fn name_follows(&self) -> bool {
        matches!(
            self.raw.clone().next(),
            Some(Ok(RawTok::Ident
                | RawTok::IntOp
                | RawTok::Package
                | RawTok::Import
                | RawTok::For
                | RawTok::In
                | RawTok::If
                | RawTok::Let
                | RawTok::Null
                | RawTok::True
                | RawTok::False))
        )
    }
}

impl<'s> Iterator for Lexer<'s> {
    type Item = Result<Spanned<'s>, Void>;

    fn next(&mut self) -> Option<Self::Item> {
        self.next_token()
    }
}

#[cfg(test)]
mod tests;
