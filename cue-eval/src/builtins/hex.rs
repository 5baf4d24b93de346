//! `encoding/hex`: lower-case hex encoding, decoding with Go's error
//! wording, and `Dump` in `hexdump -C` layout.

use super::args::{self, fail, ok_int, ok_string};
use super::{func, BuiltinError, Kind, Package};
use crate::data::Data;

const P: &str = "encoding/hex";
const I: Kind = Kind::INT;
const S: Kind = Kind::STRING;
const SB: Kind = Kind::STRING_BYTES;

type R = Result<Data, BuiltinError>;

pub static PACKAGE: Package = Package {
    path: P,
    cue: None,
    members: &[
        func!(P, "EncodedLen", [I], I, |a: &[Data]| ok_int(
            args::int(a, 0)?.wrapping_mul(2)
        )),
        func!(P, "DecodedLen", [I], I, |a: &[Data]| ok_int(
            args::int(a, 0)? / 2
        )),
        func!(P, "Decode", [S], SB, decode),
        func!(P, "Dump", [SB], S, |a: &[Data]| ok_string(dump(
            args::bytes(a, 0)?
        ))),
        func!(P, "Encode", [SB], S, |a: &[Data]| ok_string(encode(
            args::bytes(a, 0)?
        ))),
    ],
};

fn encode(b: &[u8]) -> String {
    b.iter().map(|c| format!("{c:02x}")).collect()
}

fn decode(a: &[Data]) -> R {
    let s = args::string(a, 0)?.as_bytes();
    let val = |c: u8| (c as char).to_digit(16);
    let mut out = Vec::with_capacity(s.len() / 2);
    let mut i = 0;
    while i + 1 < s.len() {
        for &c in &s[i..i + 2] {
            if val(c).is_none() {
                return fail(format!("encoding/hex: invalid byte: {}", go_rune(c)));
            }
        }
        out.push((val(s[i]).unwrap_or(0) * 16 + val(s[i + 1]).unwrap_or(0)) as u8);
        i += 2;
    }
    if s.len() % 2 == 1 {
        if val(s[s.len() - 1]).is_none() {
            return fail(format!(
                "encoding/hex: invalid byte: {}",
                go_rune(s[s.len() - 1])
            ));
        }
        return fail("encoding/hex: odd length hex string");
    }
    Ok(Data::Bytes(out))
}

/// Go's `%#U` of a byte: `U+0067 'g'`.
fn go_rune(c: u8) -> String {
    let ch = c as char;
    if (0x20..0x7f).contains(&c) {
        format!("U+{:04X} '{ch}'", c)
    } else {
        format!("U+{:04X}", c)
    }
}

/// Go's `hex.Dump`.
fn dump(b: &[u8]) -> String {
    let mut out = String::new();
    for (n, chunk) in b.chunks(16).enumerate() {
        out.push_str(&format!("{:08x}  ", n * 16));
        for i in 0..16 {
            match chunk.get(i) {
                Some(c) => out.push_str(&format!("{c:02x} ")),
                None => out.push_str("   "),
            }
            if i == 7 {
                out.push(' ');
            }
        }
        out.push_str(" |");
        for &c in chunk {
            out.push(if (32..=126).contains(&c) {
                c as char
            } else {
                '.'
            });
        }
        out.push_str("|\n");
    }
    out
}
