//! `text/template`: a faithful subset of Go's `text/template` for
//! `template.Execute(tmpl, data)`, plus `HTMLEscape` and `JSEscape`.
//!
//! Supported: text and `{{ }}` actions with `-` trim markers, comments,
//! field chains (`.a.b`, `$x.a`, `$`), literals, pipelines with `|`,
//! parenthesized pipelines, variables (`:=`, `=`), `if`/`else if`/`else`,
//! `range` (with `$i, $v :=` and `else`), `with`/`else`, and the functions
//! `and or not len index print printf println eq ne lt le gt ge html js
//! urlquery`. Not supported: `define`, `template`, `block`, `call`,
//! `slice`, methods. Data is decoded as Go does for `interface{}`: structs
//! become maps (iterated and printed in key order), ints stay ints, floats
//! become float64.

use super::args::{self, fail, ok_string};
use super::strconv::format_float;
use super::{func, BuiltinError, Kind, Package};
use crate::data::Data;
use std::collections::BTreeMap;

const P: &str = "text/template";

type R = Result<Data, BuiltinError>;

pub static PACKAGE: Package = Package {
    path: P,
    cue: None,
    members: &[
        func!(
            P,
            "Execute",
            [Kind::STRING, Kind::TOP],
            Kind::STRING,
            execute_fn
        ),
        func!(
            P,
            "HTMLEscape",
            [Kind::STRING],
            Kind::STRING,
            |a: &[Data]| ok_string(html_escape(args::string(a, 0)?))
        ),
        func!(
            P,
            "JSEscape",
            [Kind::STRING],
            Kind::STRING,
            |a: &[Data]| ok_string(js_escape(args::string(a, 0)?))
        ),
    ],
};

fn execute_fn(a: &[Data]) -> R {
    let tmpl = args::string(a, 0)?;
    let data = Val::from_data(args::any(a, 1)?);
    let nodes = match Parser::new(tmpl).parse() {
        Ok(n) => n,
        Err(e) => return fail(format!("template: :{e}")),
    };
    let mut ex = Exec {
        out: String::new(),
        vars: vec![("$".to_string(), data.clone())],
        steps: 0,
    };
    match ex.list(&nodes, &data) {
        Ok(()) => ok_string(ex.out),
        Err(e) => fail(format!("template: :{}", e.trim_start_matches('\u{0}'))),
    }
}

/// Go's `template.HTMLEscapeString`.
fn html_escape(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\'' => out.push_str("&#39;"),
            '"' => out.push_str("&#34;"),
            '\0' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// Go's `template.JSEscapeString`.
fn js_escape(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '"' => out.push_str("\\\""),
            '<' => out.push_str("\\u003C"),
            '>' => out.push_str("\\u003E"),
            '&' => out.push_str("\\u0026"),
            '=' => out.push_str("\\u003D"),
            c if (c as u32) < 0x20 || c.is_control() => {
                out.push_str(&format!("\\u{:04X}", c as u32));
            }
            c => out.push(c),
        }
    }
    out
}

/// Go's `url.QueryEscape`.
fn url_query(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            b => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

// ---- values ------------------------------------------------------------

/// A Go value as `interface{}` decoding produces it.
#[derive(Debug, Clone, PartialEq)]
enum Val {
    /// A missing map entry (`<no value>`).
    Missing,
    Nil,
    Bool(bool),
    Int(i128),
    Float(f64),
    Str(String),
    List(Vec<Val>),
    Map(BTreeMap<String, Val>),
}

impl Val {
    fn from_data(d: &Data) -> Val {
        match d {
            Data::Null => Val::Nil,
            Data::Bool(b) => Val::Bool(*b),
            Data::Number(n) if n.is_int_kind() => {
                match n.to_bigint().and_then(|b| i128::try_from(b).ok()) {
                    Some(i) => Val::Int(i),
                    None => Val::Float(n.to_f64()),
                }
            }
            Data::Number(n) => Val::Float(n.to_f64()),
            Data::String(s) => Val::Str(s.clone()),
            Data::Bytes(b) => Val::List(b.iter().map(|&x| Val::Int(x as i128)).collect()),
            Data::List(l) => Val::List(l.iter().map(Val::from_data).collect()),
            Data::Struct(f) => Val::Map(
                f.iter()
                    .map(|(k, v)| (k.clone(), Val::from_data(v)))
                    .collect(),
            ),
        }
    }

    fn truth(&self) -> bool {
        match self {
            Val::Missing | Val::Nil => false,
            Val::Bool(b) => *b,
            Val::Int(i) => *i != 0,
            Val::Float(f) => *f != 0.0,
            Val::Str(s) => !s.is_empty(),
            Val::List(l) => !l.is_empty(),
            Val::Map(m) => !m.is_empty(),
        }
    }

    /// fmt's `%v`.
    fn text(&self) -> String {
        match self {
            Val::Missing => "<no value>".into(),
            Val::Nil => "<nil>".into(),
            Val::Bool(b) => b.to_string(),
            Val::Int(i) => i.to_string(),
            Val::Float(f) => format_float(*f, b'g', -1, 64).unwrap_or_default(),
            Val::Str(s) => s.clone(),
            Val::List(l) => {
                let items: Vec<String> = l.iter().map(Val::text).collect();
                format!("[{}]", items.join(" "))
            }
            Val::Map(m) => {
                let items: Vec<String> =
                    m.iter().map(|(k, v)| format!("{k}:{}", v.text())).collect();
                format!("map[{}]", items.join(" "))
            }
        }
    }

    fn is_string(&self) -> bool {
        matches!(self, Val::Str(_))
    }
}

// ---- parsing -----------------------------------------------------------

#[derive(Debug, Clone)]
enum Arg {
    Dot,
    Field(Box<Arg>, Vec<String>),
    Var(String),
    Lit(Val),
    Ident(String),
    Pipe(Box<Pipe>),
}

#[derive(Debug, Clone)]
struct Cmd {
    args: Vec<Arg>,
}

impl Cmd {
    /// The command as Go's parse tree prints it.
    fn text(&self) -> String {
        let parts: Vec<String> = self.args.iter().map(Arg::text).collect();
        parts.join(" ")
    }
}

impl Arg {
    fn text(&self) -> String {
        match self {
            Arg::Dot => ".".into(),
            Arg::Field(base, fs) => {
                let b = match &**base {
                    Arg::Dot => String::new(),
                    other => other.text(),
                };
                format!("{b}.{}", fs.join("."))
            }
            Arg::Var(v) => v.clone(),
            Arg::Lit(Val::Str(s)) => args::quote(s),
            Arg::Lit(v) => v.text(),
            Arg::Ident(i) => i.clone(),
            Arg::Pipe(p) => {
                let cmds: Vec<String> = p.cmds.iter().map(Cmd::text).collect();
                format!("({})", cmds.join(" | "))
            }
        }
    }
}

#[derive(Debug, Clone)]
struct Pipe {
    /// Line and column of the action, for execution errors.
    pos: (usize, usize),
    decl: Vec<String>,
    assign: bool,
    cmds: Vec<Cmd>,
}

#[derive(Debug, Clone)]
enum Node {
    Text(String),
    Action(Pipe),
    If(Pipe, Vec<Node>, Vec<Node>),
    Range(Pipe, Vec<Node>, Vec<Node>),
    With(Pipe, Vec<Node>, Vec<Node>),
}

/// One `{{ ... }}` action's tokens, or text.
#[derive(Debug, Clone)]
enum Piece {
    Text(String),
    Action(String, usize, usize),
}

fn split_pieces(src: &str) -> Result<Vec<Piece>, String> {
    let mut pieces = Vec::new();
    let mut rest = src;
    let mut line = 1;
    while let Some(i) = rest.find("{{") {
        let mut text = rest[..i].to_string();
        let after = &rest[i + 2..];
        let trim_left =
            after.starts_with("- ") || after.starts_with("-\t") || after.starts_with("-\n");
        if trim_left {
            text = text.trim_end().to_string();
        }
        line += rest[..i].matches('\n').count();
        let body_start = if trim_left { 1 } else { 0 };
        let body_all = &after[body_start..];
        // Find the closing delimiter, skipping quoted strings and comments.
        let end = find_close(body_all).ok_or_else(|| format!("{line}: unclosed action"))?;
        let mut body = &body_all[..end];
        let mut trim_right = false;
        if body.ends_with(" -") || body.ends_with("\t-") || body.ends_with("\n-") {
            trim_right = true;
            body = &body[..body.len() - 1];
        }
        pieces.push(Piece::Text(text));
        // Column (0-based bytes) of the action's first non-space character.
        let line_start = src[..src.len() - rest.len() + i]
            .rfind('\n')
            .map(|n| n + 1)
            .unwrap_or(0);
        let body_offset = src.len() - body_all.len() + (body.len() - body.trim_start().len());
        pieces.push(Piece::Action(
            body.to_string(),
            line,
            body_offset - line_start,
        ));
        line += body_all[..end].matches('\n').count();
        rest = &body_all[end + 2..];
        if trim_right {
            rest = rest.trim_start();
        }
    }
    pieces.push(Piece::Text(rest.to_string()));
    Ok(pieces)
}

fn find_close(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'"' => {
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    if b[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
            }
            b'`' => {
                i += 1;
                while i < b.len() && b[i] != b'`' {
                    i += 1;
                }
            }
            b'/' if s[i..].starts_with("/*") => {
                i += s[i..].find("*/")? + 1;
            }
            b'}' if s[i..].starts_with("}}") => return Some(i),
            _ => {}
        }
        i += 1;
    }
    None
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Dot,
    Field(String),
    /// A field directly after an operand (`$x.a`, `(pipe).a`, `.a.b`).
    Chain(String),
    Var(String),
    Ident(String),
    Str(String),
    Num(String),
    Pipe,
    LParen,
    RParen,
    Declare,
    Assign,
    Comma,
}

fn lex(body: &str, line: usize) -> Result<Vec<Tok>, String> {
    let mut toks = Vec::new();
    let chars: Vec<char> = body.chars().collect();
    let mut i = 0;
    let word = |i: &mut usize| {
        let start = *i;
        while *i < chars.len() && (chars[*i].is_alphanumeric() || chars[*i] == '_') {
            *i += 1;
        }
        chars[start..*i].iter().collect::<String>()
    };
    while i < chars.len() {
        let c = chars[i];
        match c {
            c if c.is_whitespace() => i += 1,
            '|' => {
                toks.push(Tok::Pipe);
                i += 1;
            }
            '(' => {
                toks.push(Tok::LParen);
                i += 1;
            }
            ')' => {
                toks.push(Tok::RParen);
                i += 1;
            }
            ',' => {
                toks.push(Tok::Comma);
                i += 1;
            }
            ':' if chars.get(i + 1) == Some(&'=') => {
                toks.push(Tok::Declare);
                i += 2;
            }
            '=' => {
                toks.push(Tok::Assign);
                i += 1;
            }
            '.' => {
                i += 1;
                if i < chars.len() && (chars[i].is_alphabetic() || chars[i] == '_') {
                    let joined = i >= 2
                        && !chars[i - 2].is_whitespace()
                        && chars[i - 2] != '('
                        && chars[i - 2] != '|'
                        && !toks.is_empty();
                    let w = word(&mut i);
                    toks.push(if joined { Tok::Chain(w) } else { Tok::Field(w) });
                } else if i < chars.len() && chars[i].is_ascii_digit() {
                    let start = i - 1;
                    while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '.') {
                        i += 1;
                    }
                    toks.push(Tok::Num(chars[start..i].iter().collect()));
                } else {
                    toks.push(Tok::Dot);
                }
            }
            '$' => {
                i += 1;
                toks.push(Tok::Var(format!("${}", word(&mut i))));
            }
            '"' => {
                let start = i;
                i += 1;
                while i < chars.len() && chars[i] != '"' {
                    if chars[i] == '\\' {
                        i += 1;
                    }
                    i += 1;
                }
                i += 1;
                let lit: String = chars[start..i.min(chars.len())].iter().collect();
                let s = super::strconv::unquote(&lit)
                    .ok_or_else(|| format!("{line}: invalid syntax in string {lit}"))?;
                toks.push(Tok::Str(s));
            }
            '`' => {
                let start = i + 1;
                i += 1;
                while i < chars.len() && chars[i] != '`' {
                    i += 1;
                }
                toks.push(Tok::Str(chars[start..i].iter().collect()));
                i += 1;
            }
            '\'' => {
                // A rune literal is an int.
                let c2 = chars.get(i + 1).copied().unwrap_or('\0');
                toks.push(Tok::Num((c2 as u32).to_string()));
                i += 3;
            }
            c if c.is_ascii_digit() || c == '-' || c == '+' => {
                let start = i;
                i += 1;
                while i < chars.len()
                    && (chars[i].is_ascii_alphanumeric()
                        || chars[i] == '.'
                        || chars[i] == '_'
                        || ((chars[i] == '-' || chars[i] == '+')
                            && matches!(chars[i - 1], 'e' | 'E')))
                {
                    i += 1;
                }
                toks.push(Tok::Num(chars[start..i].iter().collect()));
            }
            c if c.is_alphabetic() || c == '_' => toks.push(Tok::Ident(word(&mut i))),
            c => return Err(format!("{line}: unexpected {c:?} in command")),
        }
    }
    Ok(toks)
}

struct Parser {
    pieces: Vec<Piece>,
    pos: usize,
}

enum Stop {
    End,
    Else(Option<String>, usize),
    Eof,
}

impl Parser {
    fn new(src: &str) -> Parser {
        Parser {
            pieces: split_pieces(src)
                .unwrap_or_else(|e| vec![Piece::Action(format!("\u{0}{e}"), 0, 0)]),
            pos: 0,
        }
    }

    fn parse(&mut self) -> Result<Vec<Node>, String> {
        let (nodes, stop) = self.list()?;
        match stop {
            Stop::Eof => Ok(nodes),
            Stop::End => Err("unexpected {{end}}".into()),
            Stop::Else(_, line) => Err(format!("{line}: unexpected {{{{else}}}}")),
        }
    }

    fn list(&mut self) -> Result<(Vec<Node>, Stop), String> {
        let mut nodes = Vec::new();
        while self.pos < self.pieces.len() {
            let piece = self.pieces[self.pos].clone();
            self.pos += 1;
            match piece {
                Piece::Text(t) => {
                    if !t.is_empty() {
                        nodes.push(Node::Text(t));
                    }
                }
                Piece::Action(body, line, col) => {
                    if let Some(e) = body.strip_prefix('\u{0}') {
                        return Err(e.to_string());
                    }
                    let trimmed = body.trim();
                    if trimmed.starts_with("/*") {
                        continue;
                    }
                    let keyword = trimmed.split_whitespace().next().unwrap_or("");
                    let rest = trimmed[keyword.len()..].trim();
                    match keyword {
                        "end" => return Ok((nodes, Stop::End)),
                        "else" => {
                            let chained = (!rest.is_empty()).then(|| rest.to_string());
                            return Ok((nodes, Stop::Else(chained, line)));
                        }
                        "if" | "range" | "with" => {
                            let node = self.control(keyword, rest, line, col)?;
                            nodes.push(node);
                        }
                        "define" | "template" | "block" => {
                            return Err(format!("{line}: {{{{{keyword}}}}} is not supported"));
                        }
                        _ => nodes.push(Node::Action(parse_pipe(trimmed, line, col)?)),
                    }
                }
            }
        }
        Ok((nodes, Stop::Eof))
    }

    fn control(
        &mut self,
        keyword: &str,
        rest: &str,
        line: usize,
        col: usize,
    ) -> Result<Node, String> {
        let pipe = parse_pipe(rest, line, col + keyword.len() + 1)?;
        let (body, stop) = self.list()?;
        let else_body = match stop {
            Stop::End => Vec::new(),
            Stop::Eof => return Err(format!("{line}: unexpected EOF")),
            Stop::Else(None, _) => {
                let (b, stop) = self.list()?;
                match stop {
                    Stop::End => b,
                    _ => return Err(format!("{line}: expected end; found else or EOF")),
                }
            }
            Stop::Else(Some(chain), l) => {
                // `else if ...` / `else with ...`: a nested control sharing
                // this action's `end`.
                let kw = chain.split_whitespace().next().unwrap_or("").to_string();
                let r = chain[kw.len()..].trim().to_string();
                vec![self.control(&kw, &r, l, 0)?]
            }
        };
        Ok(match keyword {
            "if" => Node::If(pipe, body, else_body),
            "range" => Node::Range(pipe, body, else_body),
            _ => Node::With(pipe, body, else_body),
        })
    }
}

fn parse_pipe(body: &str, line: usize, col: usize) -> Result<Pipe, String> {
    let toks = lex(body, line)?;
    let mut pos = 0;
    let mut pipe = pipe_tokens(&toks, &mut pos, line)?;
    pipe.pos = (line, col);
    if pos < toks.len() {
        return Err(format!("{line}: unexpected {:?} in operand", toks[pos]));
    }
    Ok(pipe)
}

fn pipe_tokens(toks: &[Tok], pos: &mut usize, line: usize) -> Result<Pipe, String> {
    let mut decl = Vec::new();
    let mut assign = false;
    // `$x :=`, `$i, $v :=`, `$x =`
    let mut look = *pos;
    let mut vars = Vec::new();
    while let Some(Tok::Var(v)) = toks.get(look) {
        vars.push(v.clone());
        look += 1;
        if toks.get(look) == Some(&Tok::Comma) {
            look += 1;
        } else {
            break;
        }
    }
    if !vars.is_empty() && matches!(toks.get(look), Some(Tok::Declare) | Some(Tok::Assign)) {
        assign = toks[look] == Tok::Assign;
        decl = vars;
        *pos = look + 1;
    }
    let mut cmds = Vec::new();
    let mut args = Vec::new();
    while *pos < toks.len() {
        match &toks[*pos] {
            Tok::RParen => break,
            Tok::Pipe => {
                if args.is_empty() {
                    return Err(format!("{line}: missing command"));
                }
                cmds.push(Cmd {
                    args: std::mem::take(&mut args),
                });
                *pos += 1;
            }
            _ => args.push(operand(toks, pos, line)?),
        }
    }
    if args.is_empty() {
        return Err(format!("{line}: missing value for command"));
    }
    cmds.push(Cmd { args });
    Ok(Pipe {
        pos: (line, 0),
        decl,
        assign,
        cmds,
    })
}

fn operand(toks: &[Tok], pos: &mut usize, line: usize) -> Result<Arg, String> {
    let t = toks[*pos].clone();
    *pos += 1;
    let base = match t {
        Tok::Dot => Arg::Dot,
        Tok::Field(f) => Arg::Field(Box::new(Arg::Dot), vec![f]),
        Tok::Var(v) => Arg::Var(v),
        Tok::Str(s) => Arg::Lit(Val::Str(s)),
        Tok::Num(n) => {
            Arg::Lit(number(&n).ok_or_else(|| format!("{line}: bad number syntax: {n:?}"))?)
        }
        Tok::Ident(i) => match i.as_str() {
            "true" => Arg::Lit(Val::Bool(true)),
            "false" => Arg::Lit(Val::Bool(false)),
            "nil" => Arg::Lit(Val::Nil),
            _ if FUNCS.contains(&i.as_str()) => Arg::Ident(i),
            _ => return Err(format!("{line}: function {i:?} not defined")),
        },
        Tok::LParen => {
            let p = pipe_tokens(toks, pos, line)?;
            if toks.get(*pos) != Some(&Tok::RParen) {
                return Err(format!("{line}: unclosed left paren"));
            }
            *pos += 1;
            Arg::Pipe(Box::new(p))
        }
        other => return Err(format!("{line}: unexpected {other:?} in operand")),
    };
    let mut fields = Vec::new();
    while let Some(Tok::Chain(f)) = toks.get(*pos) {
        fields.push(f.clone());
        *pos += 1;
    }
    Ok(match (base, fields.is_empty()) {
        (b, true) => b,
        (Arg::Field(inner, mut fs), false) => {
            fs.extend(fields);
            Arg::Field(inner, fs)
        }
        (b, false) => Arg::Field(Box::new(b), fields),
    })
}

/// The functions templates can call.
const FUNCS: &[&str] = &[
    "and", "or", "not", "len", "index", "print", "printf", "println", "eq", "ne", "lt", "le", "gt",
    "ge", "html", "js", "urlquery",
];

fn number(n: &str) -> Option<Val> {
    let clean = n.replace('_', "");
    if let Ok(i) = clean.parse::<i128>() {
        return Some(Val::Int(i));
    }
    let (neg, body) = match clean.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, clean.trim_start_matches('+')),
    };
    for (p, radix) in [("0x", 16), ("0o", 8), ("0b", 2)] {
        if let Some(h) = body.strip_prefix(p) {
            let v = i128::from_str_radix(h, radix).ok()?;
            return Some(Val::Int(if neg { -v } else { v }));
        }
    }
    clean.parse::<f64>().ok().map(Val::Float)
}

// ---- execution ---------------------------------------------------------

struct Exec {
    out: String,
    vars: Vec<(String, Val)>,
    /// Nodes executed so far (bounded by [`MAX_STEPS`]).
    steps: u64,
}

/// Nodes one execution may run: loops over loops stop here instead of
/// running for hours.
const MAX_STEPS: u64 = 1 << 24;

impl Exec {
    fn list(&mut self, nodes: &[Node], dot: &Val) -> Result<(), String> {
        for n in nodes {
            self.steps += 1;
            if self.steps > MAX_STEPS {
                return Err(format!("execution takes more than {MAX_STEPS} steps"));
            }
            if self.out.len() > crate::limits::MAX_VALUE_BYTES {
                return Err(format!(
                    "result of more than {} bytes is too large",
                    crate::limits::MAX_VALUE_BYTES
                ));
            }
            self.node(n, dot)?;
        }
        Ok(())
    }

    fn scoped(&mut self, nodes: &[Node], dot: &Val) -> Result<(), String> {
        let mark = self.vars.len();
        let r = self.list(nodes, dot);
        self.vars.truncate(mark);
        r
    }

    fn node(&mut self, n: &Node, dot: &Val) -> Result<(), String> {
        match n {
            Node::Text(t) => self.out.push_str(t),
            Node::Action(p) => {
                let v = self.pipe(p, dot)?;
                if p.decl.is_empty() {
                    self.out.push_str(&v.text());
                }
            }
            Node::If(p, body, els) => {
                let mark = self.vars.len();
                let v = self.pipe(p, dot)?;
                let r = if v.truth() {
                    self.scoped(body, dot)
                } else {
                    self.scoped(els, dot)
                };
                self.vars.truncate(mark);
                r?;
            }
            Node::With(p, body, els) => {
                let mark = self.vars.len();
                let v = self.pipe(p, dot)?;
                let r = if v.truth() {
                    self.scoped(body, &v)
                } else {
                    self.scoped(els, dot)
                };
                self.vars.truncate(mark);
                r?;
            }
            Node::Range(p, body, els) => {
                let mark = self.vars.len();
                let mut plain = p.clone();
                plain.decl.clear();
                let v = self.pipe(&plain, dot)?;
                let items: Vec<(Val, Val)> = match &v {
                    Val::List(l) => l
                        .iter()
                        .enumerate()
                        .map(|(i, x)| (Val::Int(i as i128), x.clone()))
                        .collect(),
                    Val::Map(m) => m
                        .iter()
                        .map(|(k, x)| (Val::Str(k.clone()), x.clone()))
                        .collect(),
                    Val::Int(n) if *n > MAX_STEPS as i128 => {
                        return Err(format!("range over {n} takes more than {MAX_STEPS} steps"))
                    }
                    Val::Int(n) => (0..*n).map(|i| (Val::Int(i), Val::Int(i))).collect(),
                    Val::Nil | Val::Missing => Vec::new(),
                    other => return Err(format!("range can't iterate over {}", other.text())),
                };
                if items.is_empty() {
                    self.scoped(els, dot)?;
                }
                for (k, x) in items {
                    self.steps += 1;
                    if self.steps > MAX_STEPS {
                        return Err(format!("execution takes more than {MAX_STEPS} steps"));
                    }
                    let inner = self.vars.len();
                    match p.decl.as_slice() {
                        [v1] => self.vars.push((v1.clone(), x.clone())),
                        [k1, v1] => {
                            self.vars.push((k1.clone(), k));
                            self.vars.push((v1.clone(), x.clone()));
                        }
                        _ => {}
                    }
                    let r = self.list(body, &x);
                    self.vars.truncate(inner);
                    r?;
                }
                self.vars.truncate(mark);
            }
        }
        Ok(())
    }

    fn pipe(&mut self, p: &Pipe, dot: &Val) -> Result<Val, String> {
        let mut last: Option<Val> = None;
        for cmd in &p.cmds {
            let v = self.cmd(cmd, dot, last).map_err(|e| {
                if e.starts_with('\u{0}') {
                    return e;
                }
                format!(
                    "\u{0}{}:{}: executing \"\" at <{}>: {e}",
                    p.pos.0,
                    p.pos.1,
                    cmd.text()
                )
            })?;
            last = Some(v);
        }
        let v = last.unwrap_or(Val::Nil);
        if p.assign {
            for name in &p.decl {
                match self.vars.iter_mut().rev().find(|(n, _)| n == name) {
                    Some(slot) => slot.1 = v.clone(),
                    None => return Err(format!("undefined variable: {name}")),
                }
            }
        } else if let Some(name) = p.decl.last() {
            self.vars.push((name.clone(), v.clone()));
        }
        Ok(v)
    }

    fn arg(&mut self, a: &Arg, dot: &Val) -> Result<Val, String> {
        match a {
            Arg::Dot => Ok(dot.clone()),
            Arg::Lit(v) => Ok(v.clone()),
            Arg::Var(n) => self
                .vars
                .iter()
                .rev()
                .find(|(k, _)| k == n)
                .map(|(_, v)| v.clone())
                .ok_or_else(|| format!("undefined variable: {n}")),
            Arg::Pipe(p) => self.pipe(p, dot),
            Arg::Field(base, fields) => {
                let mut v = self.arg(base, dot)?;
                for f in fields {
                    v = match v {
                        Val::Map(m) => m.get(f).cloned().unwrap_or(Val::Missing),
                        Val::Missing | Val::Nil => {
                            return Err(format!("nil pointer evaluating interface {{}}.{f}"))
                        }
                        other => {
                            return Err(format!(
                                "can't evaluate field {f} in type {}",
                                go_type(&other)
                            ))
                        }
                    };
                }
                Ok(v)
            }
            Arg::Ident(f) => Err(format!("function {f:?} not defined")),
        }
    }

    fn cmd(&mut self, c: &Cmd, dot: &Val, piped: Option<Val>) -> Result<Val, String> {
        let Arg::Ident(name) = &c.args[0] else {
            if c.args.len() > 1 || piped.is_some() {
                return Err("can't give argument to non-function".into());
            }
            return self.arg(&c.args[0], dot);
        };
        let mut vals = Vec::new();
        for a in &c.args[1..] {
            vals.push(self.arg(a, dot)?);
        }
        if let Some(p) = piped {
            vals.push(p);
        }
        call(name, &vals)
    }
}

fn go_type(v: &Val) -> &'static str {
    match v {
        Val::Missing | Val::Nil => "interface {}",
        Val::Bool(_) => "bool",
        Val::Int(_) => "int",
        Val::Float(_) => "float64",
        Val::Str(_) => "string",
        Val::List(_) => "[]interface {}",
        Val::Map(_) => "map[string]interface {}",
    }
}

/// fmt.Sprint: spaces between operands when neither is a string.
fn sprint(vals: &[Val]) -> String {
    let mut out = String::new();
    for (i, v) in vals.iter().enumerate() {
        if i > 0 && !v.is_string() && !vals[i - 1].is_string() {
            out.push(' ');
        }
        out.push_str(&v.text());
    }
    out
}

fn compare(a: &Val, b: &Val) -> Result<std::cmp::Ordering, String> {
    use std::cmp::Ordering;
    match (a, b) {
        (Val::Int(x), Val::Int(y)) => Ok(x.cmp(y)),
        (Val::Float(x), Val::Float(y)) => Ok(x.partial_cmp(y).unwrap_or(Ordering::Equal)),
        (Val::Str(x), Val::Str(y)) => Ok(x.cmp(y)),
        (Val::Bool(x), Val::Bool(y)) => Ok(x.cmp(y)),
        (Val::Nil, Val::Nil) => Ok(Ordering::Equal),
        _ => Err("incompatible types for comparison".into()),
    }
}

fn call(name: &str, a: &[Val]) -> Result<Val, String> {
    let err = |m: &str| Err(format!("error calling {name}: {m}"));
    match name {
        "and" => Ok(a
            .iter()
            .find(|v| !v.truth())
            .or(a.last())
            .cloned()
            .unwrap_or(Val::Nil)),
        "or" => Ok(a
            .iter()
            .find(|v| v.truth())
            .or(a.last())
            .cloned()
            .unwrap_or(Val::Nil)),
        "not" => match a {
            [v] => Ok(Val::Bool(!v.truth())),
            _ => Err(format!(
                "wrong number of args for not: want 1 got {}",
                a.len()
            )),
        },
        "len" => match a {
            [Val::Str(s)] => Ok(Val::Int(s.len() as i128)),
            [Val::List(l)] => Ok(Val::Int(l.len() as i128)),
            [Val::Map(m)] => Ok(Val::Int(m.len() as i128)),
            [v] => err(&format!("len of type {}", go_type(v))),
            _ => Err(format!(
                "wrong number of args for len: want 1 got {}",
                a.len()
            )),
        },
        "index" => {
            let Some((first, idx)) = a.split_first() else {
                return Err("wrong number of args for index: want at least 1 got 0".into());
            };
            let mut v = first.clone();
            for i in idx {
                v = match (&v, i) {
                    (Val::List(l), Val::Int(n)) => {
                        match usize::try_from(*n).ok().and_then(|n| l.get(n)) {
                            Some(x) => x.clone(),
                            None => return err(&format!("index out of range: {n}")),
                        }
                    }
                    (Val::Map(m), Val::Str(k)) => m.get(k).cloned().unwrap_or(Val::Missing),
                    (Val::Str(s), Val::Int(n)) => {
                        match usize::try_from(*n).ok().and_then(|n| s.as_bytes().get(n)) {
                            Some(b) => Val::Int(*b as i128),
                            None => return err(&format!("index out of range: {n}")),
                        }
                    }
                    _ => return err(&format!("can't index item of type {}", go_type(&v))),
                };
            }
            Ok(v)
        }
        "print" => Ok(Val::Str(sprint(a))),
        "println" => {
            let items: Vec<String> = a.iter().map(Val::text).collect();
            Ok(Val::Str(format!("{}\n", items.join(" "))))
        }
        "printf" => match a.split_first() {
            Some((Val::Str(f), rest)) => Ok(Val::Str(printf(f, rest))),
            _ => err("printf needs a format string"),
        },
        "eq" => {
            let Some((x, rest)) = a.split_first() else {
                return err("missing argument for comparison");
            };
            for y in rest {
                if compare(x, y).map_err(|m| format!("error calling eq: {m}"))?
                    == std::cmp::Ordering::Equal
                {
                    return Ok(Val::Bool(true));
                }
            }
            Ok(Val::Bool(false))
        }
        "ne" | "lt" | "le" | "gt" | "ge" => {
            let [x, y] = a else {
                return Err(format!(
                    "wrong number of args for {name}: want 2 got {}",
                    a.len()
                ));
            };
            let o = compare(x, y).map_err(|m| format!("error calling {name}: {m}"))?;
            use std::cmp::Ordering::*;
            Ok(Val::Bool(match name {
                "ne" => o != Equal,
                "lt" => o == Less,
                "le" => o != Greater,
                "gt" => o == Greater,
                _ => o != Less,
            }))
        }
        "html" => Ok(Val::Str(html_escape(&sprint(a)))),
        "js" => Ok(Val::Str(js_escape(&sprint(a)))),
        "urlquery" => Ok(Val::Str(url_query(&sprint(a)))),
        _ => Err(format!("function {name:?} not defined")),
    }
}

/// A subset of fmt's verbs: `%v %s %d %q %f %e %g %x %X %t %%` with
/// flags `-+0 `, width and precision.
fn printf(f: &str, args: &[Val]) -> String {
    let mut out = String::new();
    let mut it = f.chars().peekable();
    let mut argi = 0;
    while let Some(c) = it.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let mut flags = String::new();
        while let Some(&fl) = it.peek() {
            if "-+0 #".contains(fl) {
                flags.push(fl);
                it.next();
            } else {
                break;
            }
        }
        // As Go's `parsenum`: a number growing past a million is an
        // overflow that swallows the rest of the format (`%!(NOVERB)`).
        let number = |it: &mut std::iter::Peekable<std::str::Chars<'_>>| {
            let mut n: usize = 0;
            while let Some(&d) = it.peek().filter(|d| d.is_ascii_digit()) {
                if n > 1_000_000 {
                    it.by_ref().for_each(drop);
                    return None;
                }
                n = n * 10 + d.to_digit(10).unwrap_or(0) as usize;
                it.next();
            }
            Some(n)
        };
        let Some(width) = number(&mut it) else {
            out.push_str("%!(NOVERB)");
            break;
        };
        let mut prec: Option<usize> = None;
        if it.peek() == Some(&'.') {
            it.next();
            let Some(p) = number(&mut it) else {
                out.push_str("%!(NOVERB)");
                break;
            };
            prec = Some(p);
        }
        let Some(verb) = it.next() else {
            out.push_str("%!(NOVERB)");
            break;
        };
        if verb == '%' {
            out.push('%');
            continue;
        }
        let Some(v) = args.get(argi) else {
            out.push_str(&format!("%!{verb}(MISSING)"));
            continue;
        };
        argi += 1;
        let body = match (verb, v) {
            ('d', Val::Int(i)) => {
                let s = i.abs().to_string();
                let sign = if *i < 0 {
                    "-"
                } else if flags.contains('+') {
                    "+"
                } else {
                    ""
                };
                format!("{sign}{s}")
            }
            ('x', Val::Int(i)) => format!("{i:x}"),
            ('X', Val::Int(i)) => format!("{i:X}"),
            ('x', Val::Str(s)) => s.bytes().map(|b| format!("{b:02x}")).collect(),
            ('f' | 'F', Val::Float(x)) => format!("{:.*}", prec.unwrap_or(6), x),
            ('f' | 'F', Val::Int(i)) => format!("%!f(int={i})"),
            ('e', Val::Float(x)) => {
                format_float(*x, b'e', prec.map(|p| p as i64).unwrap_or(6), 64).unwrap_or_default()
            }
            ('g', Val::Float(x)) => {
                format_float(*x, b'g', prec.map(|p| p as i64).unwrap_or(-1), 64).unwrap_or_default()
            }
            ('s' | 'v', v) => {
                let t = v.text();
                match (verb, prec) {
                    ('s', Some(p)) => t.chars().take(p).collect(),
                    _ => t,
                }
            }
            ('q', Val::Str(s)) => args::quote(s),
            ('t', Val::Bool(b)) => b.to_string(),
            (verb, v) => format!("%!{verb}({}={})", go_type(v), v.text()),
        };
        let w = width;
        let len = body.chars().count();
        if len >= w {
            out.push_str(&body);
        } else if flags.contains('-') {
            out.push_str(&body);
            out.push_str(&" ".repeat(w - len));
        } else if flags.contains('0') && matches!(verb, 'd' | 'f' | 'e' | 'g' | 'x' | 'X') {
            let (sign, digits) = match body.strip_prefix(['-', '+']) {
                Some(d) => (&body[..1], d),
                None => ("", body.as_str()),
            };
            out.push_str(sign);
            out.push_str(&"0".repeat(w - len));
            out.push_str(digits);
        } else {
            out.push_str(&" ".repeat(w - len));
            out.push_str(&body);
        }
    }
    if argi < args.len() {
        let extra: Vec<String> = args[argi..]
            .iter()
            .map(|v| format!("{}={}", go_type(v), v.text()))
            .collect();
        out.push_str(&format!("%!(EXTRA {})", extra.join(", ")));
    }
    out
}
