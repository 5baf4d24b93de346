//! YAML text as `cue export --out yaml` writes it.
//!
//! The reference turns the value into yaml.v3 nodes and emits them with a
//! 2-space indent and no line folding. What decides the text:
//!
//! - Numbers: the decimal's text; a float without `.` or exponent gets a
//!   trailing `.` (`2.`); an int shown in exponent form is lowercased
//!   (`1.00000000000000000000000e+29`). Bytes: `!!binary <base64>`.
//! - Strings (values and keys) are double-quoted when CUE marks them as
//!   YAML 1.1 legacy words (`yes`, `on`, `y`, ...) or date/time-like, or
//!   when yaml.v3 would read them back as something else (`"123"`, `"true"`,
//!   `""`, `"1e3"`, `"0x10"`). Strings with a newline use a literal block
//!   (`|`, `|-`, `|+`, with `|2` when the text starts with a space or break).
//!   Otherwise the emitter's scalar analysis picks plain, then single-quoted,
//!   then double-quoted style (indicators, leading or trailing spaces, tabs,
//!   non-printable characters).
//! - Empty structs and lists print in flow style (`{}`, `[]`); keys longer
//!   than 128 bytes or spanning lines use the complex form `? key` / `: value`.

use crate::data::Data;
use base64::Engine as _;
use regex::Regex;
use std::fmt::Write as _;
use std::sync::LazyLock;

/// Encodes `data` as the reference's `cue export --out yaml` output.
pub fn encode(data: &Data) -> String {
    let mut e = Emitter {
        out: String::new(),
        column: 0,
        fresh: true,
    };
    e.node(data, 0, 2);
    if !e.fresh {
        e.out.push('\n');
    }
    e.out
}

const INDENT: usize = 2;

/// The presentation style of a scalar.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Style {
    Plain,
    Single,
    Double,
    Literal,
}

struct Emitter {
    out: String,
    column: usize,
    /// The current line holds nothing but indentation.
    fresh: bool,
}

impl Emitter {
    fn write(&mut self, s: &str) {
        self.out.push_str(s);
        self.column += s.chars().count();
        self.fresh &= s.is_empty();
    }

    /// Writes one character of a scalar; a line break other than `\n` is
    /// written as is and starts a new line, as libyaml does.
    fn write_char(&mut self, c: char) {
        self.out.push(c);
        if is_break(c) {
            self.column = 0;
            self.fresh = true;
        } else {
            self.column += 1;
            self.fresh = false;
        }
    }

    fn newline(&mut self) {
        self.out.push('\n');
        self.column = 0;
        self.fresh = true;
    }

    /// Starts a new line (unless the current one holds only indentation)
    /// indented to `indent`.
    fn line_at(&mut self, indent: usize) {
        if !self.fresh || self.column > indent {
            self.newline();
        }
        while self.column < indent {
            self.out.push(' ');
            self.column += 1;
        }
    }

    /// Emits `data` where the cursor is. `indent` is the column of a
    /// collection's entries; `scalar_indent` is where continuation lines of
    /// a scalar go.
    fn node(&mut self, data: &Data, indent: usize, scalar_indent: usize) {
        match data {
            Data::Struct(fields) if !fields.is_empty() => {
                for (i, (k, v)) in fields.iter().enumerate() {
                    if i > 0 {
                        self.line_at(indent);
                    }
                    self.entry(k, v, indent);
                }
            }
            Data::List(items) if !items.is_empty() => {
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        self.line_at(indent);
                    }
                    self.write("- ");
                    self.node(item, indent + INDENT, indent + INDENT);
                }
            }
            Data::Struct(_) => self.write("{}"),
            Data::List(_) => self.write("[]"),
            scalar => self.scalar(scalar, scalar_indent),
        }
    }

    /// One mapping entry, the cursor being at column `indent`.
    fn entry(&mut self, key: &str, value: &Data, indent: usize) {
        let simple = key.len() <= 128 && !key.chars().any(is_break);
        if simple {
            self.string(key, indent + INDENT, true);
            self.write(":");
        } else {
            self.write("? ");
            self.string(key, indent + INDENT, false);
            self.line_at(indent);
            self.write(":");
        }
        match value {
            Data::Struct(f) if !f.is_empty() => {
                if simple {
                    self.newline();
                    self.line_at(indent + INDENT);
                } else {
                    self.write(" ");
                }
                self.node(value, indent + INDENT, indent + INDENT);
            }
            Data::List(l) if !l.is_empty() => {
                if simple {
                    self.newline();
                    self.line_at(indent + INDENT);
                } else {
                    self.write(" ");
                }
                self.node(value, indent + INDENT, indent + INDENT);
            }
            _ => {
                self.write(" ");
                self.node(value, indent + INDENT, indent + INDENT);
            }
        }
    }

    fn scalar(&mut self, data: &Data, indent: usize) {
        match data {
            Data::Null => self.write("null"),
            Data::Bool(b) => self.write(if *b { "true" } else { "false" }),
            Data::Number(n) => {
                let mut text = n.to_string();
                if n.is_int_kind() {
                    if text.contains('E') {
                        text = text.replace('E', "e");
                    }
                } else if !text.contains(['E', '.']) {
                    text.push('.');
                }
                self.write(&text);
            }
            Data::Bytes(b) => {
                self.write("!!binary");
                if !b.is_empty() {
                    self.write(" ");
                    self.write(&base64::engine::general_purpose::STANDARD.encode(b));
                }
            }
            Data::String(s) => self.string(s, indent, false),
            Data::List(_) | Data::Struct(_) => self.node(data, indent, indent),
        }
    }

    fn string(&mut self, s: &str, indent: usize, simple_key: bool) {
        match select_style(s, simple_key) {
            Style::Plain => self.write(s),
            Style::Single => self.single_quoted(s, indent),
            Style::Double => self.double_quoted(s),
            Style::Literal => self.literal(s, indent),
        }
    }

    fn single_quoted(&mut self, s: &str, indent: usize) {
        self.write("'");
        let mut breaks = false;
        for c in s.chars() {
            if is_break(c) {
                self.write_char(c);
                breaks = true;
            } else {
                if breaks {
                    self.line_at(indent);
                    breaks = false;
                }
                if c == '\'' {
                    self.write("''");
                } else {
                    self.write_char(c);
                }
            }
        }
        self.write("'");
    }

    fn double_quoted(&mut self, s: &str) {
        let mut text = String::from("\"");
        for c in s.chars() {
            if !is_printable(c) || c == '\u{feff}' || is_break(c) || c == '"' || c == '\\' {
                text.push('\\');
                match c {
                    '\0' => text.push('0'),
                    '\u{7}' => text.push('a'),
                    '\u{8}' => text.push('b'),
                    '\t' => text.push('t'),
                    '\n' => text.push('n'),
                    '\u{b}' => text.push('v'),
                    '\u{c}' => text.push('f'),
                    '\r' => text.push('r'),
                    '\u{1b}' => text.push('e'),
                    '"' => text.push('"'),
                    '\\' => text.push('\\'),
                    '\u{85}' => text.push('N'),
                    '\u{a0}' => text.push('_'),
                    '\u{2028}' => text.push('L'),
                    '\u{2029}' => text.push('P'),
                    c if (c as u32) <= 0xff => {
                        let _ = write!(text, "x{:02X}", c as u32);
                    }
                    c if (c as u32) <= 0xffff => {
                        let _ = write!(text, "u{:04X}", c as u32);
                    }
                    c => {
                        let _ = write!(text, "U{:08X}", c as u32);
                    }
                }
            } else {
                text.push(c);
            }
        }
        text.push('"');
        self.write(&text);
    }

    fn literal(&mut self, s: &str, indent: usize) {
        self.write("|");
        if s.starts_with(|c: char| c == ' ' || is_break(c)) {
            self.write(&INDENT.to_string());
        }
        let mut rev = s.chars().rev();
        let chomp = match (rev.next(), rev.next()) {
            (None, _) => "-",
            (Some(last), _) if !is_break(last) => "-",
            (Some(_), None) => "+",
            (Some(_), Some(prev)) if is_break(prev) => "+",
            _ => "",
        };
        self.write(chomp);
        let mut breaks = true;
        for c in s.chars() {
            if is_break(c) {
                self.write_char(c);
                breaks = true;
            } else {
                if breaks {
                    self.line_at(indent);
                    breaks = false;
                }
                self.write_char(c);
            }
        }
    }
}

/// YAML line breaks (libyaml's `is_break`).
fn is_break(c: char) -> bool {
    matches!(c, '\n' | '\r' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

/// libyaml's `is_printable` (characters outside the BMP are not).
fn is_printable(c: char) -> bool {
    let u = c as u32;
    u == 0x0a
        || (0x20..=0x7e).contains(&u)
        || (0xa0..=0xd7ff).contains(&u)
        || ((0xe000..=0xfffd).contains(&u) && u != 0xfeff)
}

/// The style yaml.v3 ends up using for a string scalar.
fn select_style(s: &str, simple_key: bool) -> Style {
    let requested = if s.contains('\n') {
        Style::Literal
    } else if legacy_quoted(s) || !resolves_to_string(s) {
        Style::Double
    } else {
        Style::Plain
    };
    let a = analyze(s);
    let mut style = requested;
    if simple_key && a.multiline {
        style = Style::Double;
    }
    if style == Style::Plain && (!a.block_plain_allowed || (s.is_empty() && simple_key)) {
        style = Style::Single;
    }
    if style == Style::Single && !a.single_quoted_allowed {
        style = Style::Double;
    }
    if style == Style::Literal && (!a.block_allowed || simple_key) {
        style = Style::Double;
    }
    style
}

/// What the emitter may use for a scalar (libyaml's `analyze_scalar`,
/// restricted to block context).
struct Analysis {
    multiline: bool,
    block_plain_allowed: bool,
    single_quoted_allowed: bool,
    block_allowed: bool,
}

fn analyze(s: &str) -> Analysis {
    if s.is_empty() {
        return Analysis {
            multiline: false,
            block_plain_allowed: true,
            single_quoted_allowed: true,
            block_allowed: false,
        };
    }
    let chars: Vec<char> = s.chars().collect();
    let mut block_indicators = s.starts_with("---") || s.starts_with("...");
    let (mut line_breaks, mut special, mut tabs) = (false, false, false);
    let (mut leading_space, mut leading_break) = (false, false);
    let (mut trailing_space, mut trailing_break) = (false, false);
    let (mut break_space, mut space_break) = (false, false);
    let (mut previous_space, mut previous_break) = (false, false);
    let mut preceded_by_ws = true;
    for (i, &c) in chars.iter().enumerate() {
        let last = i + 1 == chars.len();
        let followed_by_ws = last || matches!(chars[i + 1], ' ' | '\t');
        if i == 0 {
            match c {
                '#' | ',' | '[' | ']' | '{' | '}' | '&' | '*' | '!' | '|' | '>' | '\'' | '"'
                | '%' | '@' | '`' => block_indicators = true,
                '?' | ':' | '-' if followed_by_ws => block_indicators = true,
                _ => {}
            }
        } else {
            match c {
                ':' if followed_by_ws => block_indicators = true,
                '#' if preceded_by_ws => block_indicators = true,
                _ => {}
            }
        }
        if c == '\t' {
            tabs = true;
        } else if !is_printable(c) {
            special = true;
        }
        if c == ' ' {
            leading_space |= i == 0;
            trailing_space |= last;
            break_space |= previous_break;
            previous_space = true;
            previous_break = false;
        } else if is_break(c) {
            line_breaks = true;
            leading_break |= i == 0;
            trailing_break |= last;
            space_break |= previous_space;
            previous_space = false;
            previous_break = true;
        } else {
            previous_space = false;
            previous_break = false;
        }
        preceded_by_ws = matches!(c, ' ' | '\t') || is_break(c);
    }
    let mut a = Analysis {
        multiline: line_breaks,
        block_plain_allowed: true,
        single_quoted_allowed: true,
        block_allowed: true,
    };
    if leading_space || leading_break || trailing_space || trailing_break {
        a.block_plain_allowed = false;
    }
    if trailing_space {
        a.block_allowed = false;
    }
    if break_space {
        a.block_plain_allowed = false;
        a.single_quoted_allowed = false;
    }
    if space_break || tabs || special {
        a.block_plain_allowed = false;
        a.single_quoted_allowed = false;
    }
    if space_break || special {
        a.block_allowed = false;
    }
    if line_breaks || block_indicators {
        a.block_plain_allowed = false;
    }
    a
}

/// Strings CUE always double-quotes for YAML 1.1 readers: legacy booleans
/// and anything that looks like a date, time or base-60 number.
fn legacy_quoted(s: &str) -> bool {
    const LEGACY: &[&str] = &[
        "y", "Y", "yes", "Yes", "YES", "n", "N", "t", "T", "f", "F", "no", "No", "NO", "true",
        "True", "TRUE", "false", "False", "FALSE", "on", "On", "ON", "off", "Off", "OFF", ".Nan",
    ];
    static TIMELIKE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^[\-+0-9:\. \t]+([-:]|[tT])[\-+0-9:\. \t]+[zZ]?$").expect("valid regex")
    });
    LEGACY.contains(&s) || TIMELIKE.is_match(s)
}

/// Whether yaml.v3 would read `s`, written plain, back as a string (and not
/// as null, a bool, a number or a timestamp).
fn resolves_to_string(s: &str) -> bool {
    const SPECIAL: &[&str] = &[
        "", "~", "null", "Null", "NULL", "true", "True", "TRUE", "false", "False", "FALSE", ".nan",
        ".NaN", ".NAN", ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf",
        "-.INF",
    ];
    if SPECIAL.contains(&s) {
        return false;
    }
    let Some(first) = s.chars().next() else {
        return false;
    };
    match first {
        '.' => !go_parse_float(s),
        '+' | '-' | '0'..='9' => {
            if looks_like_timestamp(s) {
                return false;
            }
            let plain: String = s.chars().filter(|&c| c != '_').collect();
            if go_parse_int(&plain) {
                return false;
            }
            static YAML_FLOAT: LazyLock<Regex> = LazyLock::new(|| {
                Regex::new(r"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")
                    .expect("valid regex")
            });
            !(YAML_FLOAT.is_match(&plain) && go_parse_float(&plain))
        }
        _ => true,
    }
}

/// yaml.v3's timestamp check: `YYYY-M-D`, optionally followed by a time.
fn looks_like_timestamp(s: &str) -> bool {
    static TS: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r"^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}([Tt ][0-9]{1,2}:[0-9]{1,2}:[0-9]{1,2}(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})?)?$",
        )
        .expect("valid regex")
    });
    TS.is_match(s)
}

/// Go's `strconv.ParseInt(s, 0, 64)` or `ParseUint` succeeding.
fn go_parse_int(s: &str) -> bool {
    let body = s.strip_prefix(['+', '-']).unwrap_or(s);
    let lower = body.to_ascii_lowercase();
    let (digits, radix) = if let Some(d) = lower.strip_prefix("0x") {
        (d, 16)
    } else if let Some(d) = lower.strip_prefix("0b") {
        (d, 2)
    } else if let Some(d) = lower.strip_prefix("0o") {
        (d, 8)
    } else if lower.len() > 1 && lower.starts_with('0') {
        (&lower[1..], 8)
    } else {
        (lower.as_str(), 10)
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return false;
    }
    let Ok(v) = u64::from_str_radix(digits, radix) else {
        return false;
    };
    // ParseInt takes a sign and the int64 range; ParseUint no sign.
    match s.as_bytes()[0] {
        b'-' => v <= 1 << 63,
        b'+' => v <= i64::MAX as u64,
        _ => true,
    }
}

/// Go's `strconv.ParseFloat(s, 64)` succeeding (decimal forms only, which
/// is all the callers pass; out-of-range values fail as in Go).
fn go_parse_float(s: &str) -> bool {
    let body = s.strip_prefix(['+', '-']).unwrap_or(s);
    let lower = body.to_ascii_lowercase();
    if lower == "inf" || lower == "infinity" || lower == "nan" {
        return true;
    }
    if !body
        .bytes()
        .all(|b| b.is_ascii_digit() || b"eE+-.".contains(&b))
    {
        return false;
    }
    matches!(body.parse::<f64>(), Ok(v) if v.is_finite())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::num::Number;

    fn num(s: &str) -> Data {
        Data::Number(Number::parse(s).unwrap())
    }

    fn st(fields: Vec<(&str, Data)>) -> Data {
        Data::Struct(
            fields
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect(),
        )
    }

    fn s(v: &str) -> Data {
        Data::String(v.to_string())
    }

    // Expected texts below were produced by `cue export --out yaml` v0.4.3.

    #[test]
    fn nested_collections() {
        let d = st(vec![
            (
                "s",
                Data::List(vec![
                    num("1"),
                    num("2"),
                    st(vec![("x", num("1")), ("y", Data::List(vec![num("3")]))]),
                ]),
            ),
            ("t", st(vec![])),
            ("u", Data::List(vec![])),
            (
                "aj",
                Data::List(vec![
                    Data::List(vec![num("1"), num("2")]),
                    Data::List(vec![num("3")]),
                ]),
            ),
            (
                "ak",
                Data::List(vec![st(vec![("a", num("1"))]), Data::List(vec![])]),
            ),
        ]);
        let want = "s:\n  - 1\n  - 2\n  - x: 1\n    \"y\":\n      - 3\n\"t\": {}\nu: []\naj:\n  - - 1\n    - 2\n  - - 3\nak:\n  - a: 1\n  - []\n";
        assert_eq!(encode(&d), want);
    }

    #[test]
    fn numbers() {
        let d = st(vec![
            ("a", num("1")),
            ("b", num("1.0")),
            ("c", num("1e3")),
            (
                "d",
                Data::Number(
                    Number::parse("2")
                        .unwrap()
                        .with_kind(crate::num::NumKind::Float),
                ),
            ),
            ("am", num("-5")),
            ("x", num("5.0e-10")),
        ]);
        assert_eq!(
            encode(&d),
            "a: 1\nb: 1.0\nc: 1E+3\nd: 2.\nam: -5\nx: 5.0E-10\n"
        );
        let big = Number::new(
            "100000000000000000000000".parse().unwrap(),
            6,
            crate::num::NumKind::Int,
        );
        assert_eq!(
            encode(&Data::Number(big)),
            "1.00000000000000000000000e+29\n"
        );
    }

    #[test]
    fn string_quoting() {
        let cases = [
            ("123", "\"123\""),
            ("true", "\"true\""),
            ("yes", "\"yes\""),
            ("", "\"\""),
            ("x: y", "'x: y'"),
            ("- a", "'- a'"),
            ("#c", "'#c'"),
            (" lead", "' lead'"),
            ("trail ", "'trail '"),
            ("2001-12-14", "\"2001-12-14\""),
            ("1:20", "\"1:20\""),
            ("null", "\"null\""),
            ("~", "\"~\""),
            ("0x10", "\"0x10\""),
            ("1.5", "\"1.5\""),
            ("1e3", "\"1e3\""),
            ("tab\there", "\"tab\\there\""),
            ("é ü", "é ü"),
            ("@at", "'@at'"),
            ("'q", "'''q'"),
            ("\"dq", "'\"dq'"),
            ("a'b", "a'b"),
            ("a\u{1}b", "\"a\\x01b\""),
            ("*x", "'*x'"),
            ("a #b", "'a #b'"),
            ("x,y", "x,y"),
            (".inf", "\".inf\""),
            ("1_000", "\"1_000\""),
            ("0o17", "\"0o17\""),
            ("+1", "\"+1\""),
            ("-", "'-'"),
            ("~x", "~x"),
            ("<<", "<<"),
            ("0b101", "\"0b101\""),
            ("Null", "\"Null\""),
            (".5", "\".5\""),
            ("1.", "\"1.\""),
            ("y", "\"y\""),
            ("on", "\"on\""),
            ("0777", "\"0777\""),
            ("1e", "1e"),
            ("---x", "'---x'"),
            ("a#b", "a#b"),
            ("?x", "?x"),
            (":x", ":x"),
            ("-x", "-x"),
            ("99999999999999999999", "\"99999999999999999999\""),
            ("0xFFFFFFFFFFFFFFFFFFFF", "0xFFFFFFFFFFFFFFFFFFFF"),
            ("1e400", "1e400"),
            ("089", "\"089\""),
            ("2001-1-2", "\"2001-1-2\""),
            ("0x_1", "\"0x_1\""),
            ("-.Inf", "\"-.Inf\""),
            ("-0b11", "\"-0b11\""),
            ("x\ry", "\"x\\ry\""),
            ("😀", "\"\\U0001F600\""),
            ("\u{0}\u{7}\u{1b}\u{85}\u{feff}", "\"\\0\\a\\e\\N\\uFEFF\""),
            ("a \nb", "\"a \\nb\""),
            (" ", "' '"),
        ];
        for (input, want) in cases {
            assert_eq!(encode(&s(input)), format!("{want}\n"), "input {input:?}");
        }
    }

    #[test]
    fn legacy_keys_are_quoted() {
        let d = st(vec![
            ("f", s("true")),
            ("n", s(" lead")),
            ("1", num("1")),
            ("a b", num("3")),
        ]);
        assert_eq!(
            encode(&d),
            "\"f\": \"true\"\n\"n\": ' lead'\n\"1\": 1\na b: 3\n"
        );
    }

    #[test]
    fn literal_blocks() {
        let d = st(vec![
            ("i", s("multi\nline")),
            ("j", s("multi\nline\n")),
            ("al", s("multi\nline\n\n")),
            ("a", s("  lead\nx")),
            ("b", s("\nfirst")),
            ("e", s("\n")),
            ("t", s("a\tb\nc")),
            ("c", s("a\n b")),
        ]);
        let want = "i: |-\n  multi\n  line\nj: |\n  multi\n  line\nal: |+\n  multi\n  line\n\na: |2-\n    lead\n  x\nb: |2-\n  first\ne: |2+\n\"t\": |-\n  a\tb\n  c\nc: |-\n  a\n   b\n";
        assert_eq!(encode(&d), want);
        assert_eq!(encode(&s("multi\n")), "|\n  multi\n");
        let nested = st(vec![(
            "a",
            st(vec![(
                "b",
                st(vec![(
                    "c",
                    Data::List(vec![Data::List(vec![st(vec![("x", s("y\nz"))])])]),
                )]),
            )]),
        )]);
        assert_eq!(
            encode(&nested),
            "a:\n  b:\n    c:\n      - - x: |-\n            y\n            z\n"
        );
    }

    #[test]
    fn lists_of_strings_and_bytes() {
        let d = st(vec![
            ("a", Data::Bytes(vec![])),
            ("b", Data::List(vec![s("x\ny"), s("z")])),
            ("r", Data::Bytes(b"bytes".to_vec())),
            ("d", st(vec![("e", s("x\n"))])),
        ]);
        assert_eq!(
            encode(&d),
            "a: !!binary\nb:\n  - |-\n    x\n    y\n  - z\nr: !!binary Ynl0ZXM=\nd:\n  e: |\n    x\n"
        );
    }

    #[test]
    fn top_level_scalars_and_lists() {
        assert_eq!(encode(&Data::Null), "null\n");
        assert_eq!(encode(&s("x")), "x\n");
        assert_eq!(
            encode(&Data::List(vec![
                st(vec![("a", num("1")), ("b", num("2"))]),
                s("s")
            ])),
            "- a: 1\n  b: 2\n- s\n"
        );
        assert_eq!(
            encode(&Data::List(vec![
                num("1"),
                Data::List(vec![num("2")]),
                st(vec![])
            ])),
            "- 1\n- - 2\n- {}\n"
        );
    }

    #[test]
    fn line_separators_inside_quotes() {
        let d = st(vec![("a", s("x\u{2028}y")), ("b", s("\u{2028}"))]);
        assert_eq!(encode(&d), "a: 'x\u{2028}  y'\nb: '\u{2028}'\n");
    }

    #[test]
    fn complex_keys() {
        let long = "k".repeat(130);
        let d = st(vec![(
            "x",
            st(vec![
                (long.as_str(), st(vec![("a", num("1"))])),
                ("j", num("2")),
            ]),
        )]);
        assert_eq!(encode(&d), format!("x:\n  ? {long}\n  : a: 1\n  j: 2\n"));
        let d = st(vec![("h", st(vec![("multi\nkey", num("1"))]))]);
        assert_eq!(encode(&d), "h:\n  ? |-\n    multi\n    key\n  : 1\n");
    }
}
