//! `encoding/csv`: Go's `encoding/csv` writer (quoting rules, `\n` line
//! ends) and reader (RFC 4180, equal field counts, Go's error wording).

use super::args::{self, fail, ok_string};
use super::json::marshal;
use super::{func, BuiltinError, Kind, Package};
use crate::data::Data;

const P: &str = "encoding/csv";

type R = Result<Data, BuiltinError>;

pub static PACKAGE: Package = Package {
    path: P,
    cue: None,
    members: &[
        func!(P, "Encode", [Kind::TOP], Kind::STRING, encode),
        func!(P, "Decode", [Kind::STRING_BYTES], Kind::LIST, decode),
    ],
};

fn needs_quotes(f: &str) -> bool {
    if f.is_empty() {
        return false;
    }
    if f == "\\." {
        return true;
    }
    if f.contains([',', '"', '\r', '\n']) {
        return true;
    }
    f.chars().next().is_some_and(char::is_whitespace)
}

fn not_list(v: &Data) -> BuiltinError {
    BuiltinError::Call(format!(
        "cannot use value {} (type {}) as list",
        args::short_text(v),
        Kind::of(v)
    ))
}

fn encode(a: &[Data]) -> R {
    let Data::List(rows) = args::any(a, 0)? else {
        return Err(not_list(args::any(a, 0)?));
    };
    let mut out = String::new();
    for row in rows {
        let Data::List(cols) = row else {
            return Err(not_list(row));
        };
        for (i, col) in cols.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            let field = match col {
                Data::String(s) => s.clone(),
                other => marshal(other),
            };
            if needs_quotes(&field) {
                out.push('"');
                for c in field.chars() {
                    match c {
                        '"' => out.push_str("\"\""),
                        c => out.push(c),
                    }
                }
                out.push('"');
            } else {
                out.push_str(&field);
            }
        }
        out.push('\n');
    }
    ok_string(out)
}

fn decode(a: &[Data]) -> R {
    let text = String::from_utf8_lossy(args::bytes(a, 0)?).into_owned();
    let text = text.replace("\r\n", "\n");
    let mut records: Vec<Vec<String>> = Vec::new();
    let mut expected: Option<usize> = None;
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    let mut line = 1usize;
    while i < chars.len() {
        let rec_line = line;
        // Skip empty lines.
        if chars[i] == '\n' {
            i += 1;
            line += 1;
            continue;
        }
        let mut fields = Vec::new();
        let mut col_start = 1usize;
        loop {
            let mut field = String::new();
            if i < chars.len() && chars[i] == '"' {
                let quote_col = col_start;
                let mut eol_col = 0;
                i += 1;
                let mut col = quote_col + 1;
                loop {
                    if i >= chars.len() {
                        // Go reads the input line by line: a trailing newline
                        // stays part of the last line (column past it).
                        let (l, c) = if chars[i - 1] == '\n' {
                            (line - 1, eol_col)
                        } else {
                            (line, col)
                        };
                        let start = if l == rec_line {
                            String::new()
                        } else {
                            format!("record on line {rec_line}; ")
                        };
                        return fail(format!(
                            "{start}parse error on line {l}, column {c}: extraneous or missing \" in quoted-field"
                        ));
                    }
                    let c = chars[i];
                    if c == '"' {
                        if i + 1 < chars.len() && chars[i + 1] == '"' {
                            field.push('"');
                            i += 2;
                            col += 2;
                            continue;
                        }
                        if i + 1 < chars.len() && chars[i + 1] != ',' && chars[i + 1] != '\n' {
                            // Go reports the column of the closing quote.
                            return fail(format!(
                                "parse error on line {line}, column {col}: extraneous or missing \" in quoted-field"
                            ));
                        }
                        i += 1;
                        break;
                    }
                    if c == '\n' {
                        eol_col = col + 1;
                        line += 1;
                        col = 0;
                    }
                    field.push(c);
                    i += 1;
                    col += 1;
                }
            } else {
                let mut col = col_start;
                while i < chars.len() && chars[i] != ',' && chars[i] != '\n' {
                    if chars[i] == '"' {
                        return fail(format!(
                            "parse error on line {line}, column {col}: bare \" in non-quoted-field"
                        ));
                    }
                    field.push(chars[i]);
                    i += 1;
                    col += 1;
                }
            }
            fields.push(field);
            if i < chars.len() && chars[i] == ',' {
                i += 1;
                col_start = i + 1;
                continue;
            }
            if i < chars.len() && chars[i] == '\n' {
                i += 1;
                line += 1;
            }
            break;
        }
        match expected {
            None => expected = Some(fields.len()),
            Some(n) if n != fields.len() => {
                return fail(format!("record on line {rec_line}: wrong number of fields"));
            }
            _ => {}
        }
        records.push(fields);
    }
    Ok(Data::List(
        records
            .into_iter()
            .map(|r| Data::List(r.into_iter().map(Data::String).collect()))
            .collect(),
    ))
}
