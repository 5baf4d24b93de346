//! `uuid`: parsing and formatting RFC 4122 UUIDs, name-based (v3/v5)
//! generation, conversions to and from integers.

use super::args::{self, fail, ok_int, ok_string};
use super::{func, BuiltinError, Kind, Package};
use crate::data::Data;
use num_bigint::{BigInt, Sign};
use sha1::{Digest, Sha1};

const P: &str = "uuid";
const S: Kind = Kind::STRING;
const I: Kind = Kind::INT;

type R = Result<Data, BuiltinError>;

pub static PACKAGE: Package = Package {
    path: P,
    cue: Some(
        "ns: {\n\tDNS: \"6ba7b810-9dad-11d1-80b4-00c04fd430c8\"\n\tURL: \"6ba7b811-9dad-11d1-80b4-00c04fd430c8\"\n\tOID: \"6ba7b812-9dad-11d1-80b4-00c04fd430c8\"\n\tX500: \"6ba7b814-9dad-11d1-80b4-00c04fd430c8\"\n\tNil: \"00000000-0000-0000-0000-000000000000\"\n}\nvariants: {\n\tInvalid: 0\n\tRFC4122: 1\n\tReserved: 2\n\tMicrosoft: 3\n\tFuture: 4\n}\n",
    ),
    members: &[
        func!(P, "Valid", [S], Kind::BOTTOM, valid),
        func!(P, "Parse", [S], S, |a: &[Data]| ok_string(to_text(&parse(
            args::string(a, 0)?
        )?))),
        func!(P, "ToString", [S], S, |a: &[Data]| ok_string(args::string(a, 0)?)),
        func!(P, "URN", [S], S, |a: &[Data]| ok_string(format!(
            "urn:uuid:{}",
            to_text(&parse(args::string(a, 0)?)?)
        ))),
        func!(P, "FromInt", [I], S, from_int),
        func!(P, "ToInt", [S], I, |a: &[Data]| ok_int(BigInt::from_bytes_be(
            Sign::Plus,
            args::string(a, 0)?.as_bytes()
        ))),
        func!(P, "Variant", [S], I, |a: &[Data]| ok_int(variant(&parse(
            args::string(a, 0)?
        )?))),
        func!(P, "Version", [S], I, |a: &[Data]| ok_int(
            (parse(args::string(a, 0)?)?[6] >> 4) as i64
        )),
        func!(P, "SHA1", [S, Kind::STRING_BYTES], S, |a: &[Data]| named(a, 5)),
        func!(P, "MD5", [S, Kind::STRING_BYTES], S, |a: &[Data]| named(a, 3)),
    ],
};

fn valid(a: &[Data]) -> R {
    let s = args::string(a, 0)?;
    let ok = s.len() == 36
        && s.bytes().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => c == b'-',
            _ => c.is_ascii_digit() || (b'a'..=b'f').contains(&c),
        });
    if ok {
        Ok(Data::Bool(true))
    } else {
        // A `_|_`-result builtin's error is the value's own error.
        Err(BuiltinError::Plain(format!(
            "invalid UUID {}",
            args::quote(s)
        )))
    }
}

/// Parses the forms Go's `github.com/google/uuid` accepts.
fn parse(s: &str) -> Result<[u8; 16], BuiltinError> {
    let hex: String = match s.len() {
        36 => {
            let b = s.as_bytes();
            if b[8] != b'-' || b[13] != b'-' || b[18] != b'-' || b[23] != b'-' {
                return fail("invalid UUID format");
            }
            s.replace('-', "")
        }
        38 => {
            return match s.strip_prefix('{').and_then(|r| r.strip_suffix('}')) {
                Some(inner) => parse(inner),
                None => fail("invalid UUID format"),
            };
        }
        45 => {
            let prefix = s.get(..9).unwrap_or("");
            if !prefix.eq_ignore_ascii_case("urn:uuid:") {
                return fail(format!("invalid urn prefix: {}", args::quote(prefix)));
            }
            return parse(&s[9..]);
        }
        32 => s.to_string(),
        n => return fail(format!("invalid UUID length: {n}")),
    };
    let mut out = [0u8; 16];
    if hex.len() != 32 {
        return fail("invalid UUID format");
    }
    let hb = hex.as_bytes();
    let nibble = |c: u8| (c as char).to_digit(16);
    for (i, o) in out.iter_mut().enumerate() {
        match (nibble(hb[2 * i]), nibble(hb[2 * i + 1])) {
            (Some(h), Some(l)) => *o = (h * 16 + l) as u8,
            _ => return fail("invalid UUID format"),
        }
    }
    Ok(out)
}

fn to_text(u: &[u8; 16]) -> String {
    let h: String = u.iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..]
    )
}

fn variant(u: &[u8; 16]) -> i64 {
    let b = u[8];
    if b & 0xc0 == 0x80 {
        1
    } else if b & 0xe0 == 0xc0 {
        3
    } else if b & 0xe0 == 0xe0 {
        4
    } else {
        2
    }
}

fn from_int(a: &[Data]) -> R {
    let n = args::bigint(a, 0)?;
    let (_, bytes) = n.to_bytes_be();
    let bytes = if n == BigInt::from(0) {
        Vec::new()
    } else {
        bytes
    };
    if bytes.len() > 16 {
        return fail(format!("invalid UUID (got {} bytes)", bytes.len()));
    }
    let mut u = [0u8; 16];
    u[16 - bytes.len()..].copy_from_slice(&bytes);
    ok_string(to_text(&u))
}

/// Name-based UUID: version 3 (MD5) or 5 (SHA-1) of namespace + data.
fn named(a: &[Data], version: u8) -> R {
    let space = parse(args::string(a, 0)?)?;
    let data = args::bytes(a, 1)?;
    let hash: Vec<u8> = if version == 5 {
        let mut h = Sha1::new();
        h.update(space);
        h.update(data);
        h.finalize().to_vec()
    } else {
        let mut h = md5::Md5::new();
        h.update(space);
        h.update(data);
        h.finalize().to_vec()
    };
    let mut u = [0u8; 16];
    u.copy_from_slice(&hash[..16]);
    u[6] = (u[6] & 0x0f) | (version << 4);
    u[8] = (u[8] & 0x3f) | 0x80;
    ok_string(to_text(&u))
}
