//! `net`: IP address parsing, classification and formatting (Go's `net.IP`
//! rules: IPv4 addresses are 16-byte IPv4-mapped values unless converted),
//! host/port splitting and joining, and the `FQDN` validator.

use super::args::{self, fail, ok_string, ok_strings};
use super::{func, num_const, BuiltinError, Kind, Package};
use crate::data::Data;
use crate::num::Number;
use std::net::{Ipv4Addr, Ipv6Addr};

const P: &str = "net";
const S: Kind = Kind::STRING;
const T: Kind = Kind::TOP;
const B: Kind = Kind::BOOL;
const L: Kind = Kind::LIST;

type R = Result<Data, BuiltinError>;

macro_rules! pred {
    ($name:expr, $f:expr) => {
        func!(P, $name, [T], B, |a: &[Data]| Ok(Data::Bool(
            get_ip(args::any(a, 0)?).is_some_and(|ip| $f(&ip))
        )))
    };
}

pub static PACKAGE: Package = Package {
    path: P,
    cue: None,
    members: &[
        num_const!("IPv4len", "4"),
        num_const!("IPv6len", "16"),
        func!(P, "SplitHostPort", [S], L, split_host_port),
        func!(P, "JoinHostPort", [T, T], S, join_host_port),
        func!(P, "FQDN", [S], B, |a: &[Data]| Ok(Data::Bool(fqdn(
            args::string(a, 0)?
        )))),
        func!(P, "ParseIP", [S], L, |a: &[Data]| {
            let s = args::string(a, 0)?;
            match parse_ip(s) {
                Some(ip) => Ok(to_list(&ip)),
                None => fail(format!("invalid IP address {}", args::quote(s))),
            }
        }),
        func!(P, "IPv4", [T], B, |a: &[Data]| Ok(Data::Bool(
            get_ip(args::any(a, 0)?).is_some_and(|ip| to4(&ip).is_some())
        ))),
        func!(P, "IP", [T], B, |a: &[Data]| Ok(Data::Bool(
            get_ip(args::any(a, 0)?).is_some()
        ))),
        func!(P, "IPCIDR", [T], B, ipcidr),
        pred!("LoopbackIP", |ip: &[u8]| match to4(ip) {
            Some(v4) => v4[0] == 127,
            None => ip == Ipv6Addr::LOCALHOST.octets(),
        }),
        pred!("MulticastIP", |ip: &[u8]| match to4(ip) {
            Some(v4) => v4[0] & 0xf0 == 0xe0,
            None => ip.len() == 16 && ip[0] == 0xff,
        }),
        pred!("InterfaceLocalMulticastIP", |ip: &[u8]| to4(ip).is_none()
            && ip.len() == 16
            && ip[0] == 0xff
            && ip[1] & 0x0f == 0x01),
        pred!("LinkLocalMulticastIP", |ip: &[u8]| match to4(ip) {
            Some(v4) => v4[0] == 224 && v4[1] == 0 && v4[2] == 0,
            None => ip.len() == 16 && ip[0] == 0xff && ip[1] & 0x0f == 0x02,
        }),
        pred!("LinkLocalUnicastIP", |ip: &[u8]| match to4(ip) {
            Some(v4) => v4[0] == 169 && v4[1] == 254,
            None => ip.len() == 16 && ip[0] == 0xfe && ip[1] & 0xc0 == 0x80,
        }),
        pred!("GlobalUnicastIP", global_unicast),
        pred!("UnspecifiedIP", |ip: &[u8]| match to4(ip) {
            Some(v4) => v4 == [0, 0, 0, 0],
            None => ip.len() == 16 && ip.iter().all(|&b| b == 0),
        }),
        func!(P, "ToIP4", [T], L, |a: &[Data]| {
            let v = args::any(a, 0)?;
            let Some(ip) = get_ip(v) else {
                return fail(format!("invalid IP {}", args::short_text(v)));
            };
            match to4(&ip) {
                Some(v4) => Ok(to_list(&v4)),
                None => fail(format!(
                    "cannot convert {} to IPv4",
                    args::quote(&ip_string(&ip))
                )),
            }
        }),
        func!(P, "ToIP16", [T], L, |a: &[Data]| {
            let v = args::any(a, 0)?;
            match get_ip(v) {
                Some(ip) => Ok(to_list(&ip)),
                None => fail(format!("invalid IP {}", args::short_text(v))),
            }
        }),
        func!(P, "IPString", [T], S, |a: &[Data]| {
            let v = args::any(a, 0)?;
            match get_ip(v) {
                Some(ip) => ok_string(ip_string(&ip)),
                None => fail(format!("invalid IP {}", args::short_text(v))),
            }
        }),
    ],
};

/// Go's `net.ParseIP`: 16 bytes (IPv4 as IPv4-mapped).
fn parse_ip(s: &str) -> Option<Vec<u8>> {
    if let Ok(v4) = s.parse::<Ipv4Addr>() {
        return Some(v4.to_ipv6_mapped().octets().to_vec());
    }
    if s.contains(':') && !s.contains('%') {
        if let Ok(v6) = s.parse::<Ipv6Addr>() {
            return Some(v6.octets().to_vec());
        }
    }
    None
}

/// The IP of a string, bytes or list-of-bytes value.
fn get_ip(v: &Data) -> Option<Vec<u8>> {
    match v {
        Data::String(s) => parse_ip(s),
        Data::Bytes(b) => parse_ip(&String::from_utf8_lossy(b)),
        Data::List(items) => {
            let mut out = Vec::new();
            for it in items {
                let Data::Number(n) = it else { return None };
                let b = n.to_i64().filter(|b| (0..=255).contains(b))?;
                out.push(b as u8);
            }
            (!out.is_empty()).then_some(out)
        }
        _ => None,
    }
}

/// Go's `IP.To4`.
fn to4(ip: &[u8]) -> Option<Vec<u8>> {
    match ip.len() {
        4 => Some(ip.to_vec()),
        16 if ip[..10].iter().all(|&b| b == 0) && ip[10] == 0xff && ip[11] == 0xff => {
            Some(ip[12..].to_vec())
        }
        _ => None,
    }
}

fn global_unicast(ip: &[u8]) -> bool {
    if ip.len() != 4 && ip.len() != 16 {
        return false;
    }
    let v4 = to4(ip);
    let unspecified = match &v4 {
        Some(v) => v == &[0, 0, 0, 0],
        None => ip.iter().all(|&b| b == 0),
    };
    let loopback = match &v4 {
        Some(v) => v[0] == 127,
        None => ip == Ipv6Addr::LOCALHOST.octets(),
    };
    let multicast = match &v4 {
        Some(v) => v[0] & 0xf0 == 0xe0,
        None => ip[0] == 0xff,
    };
    let link_local = match &v4 {
        Some(v) => v[0] == 169 && v[1] == 254,
        None => ip[0] == 0xfe && ip[1] & 0xc0 == 0x80,
    };
    let broadcast = v4.as_deref() == Some(&[255, 255, 255, 255]);
    !(unspecified || loopback || multicast || link_local || broadcast)
}

/// Go's `IP.String`.
fn ip_string(ip: &[u8]) -> String {
    if let Some(v4) = to4(ip) {
        return Ipv4Addr::new(v4[0], v4[1], v4[2], v4[3]).to_string();
    }
    if ip.len() == 16 {
        let mut o = [0u8; 16];
        o.copy_from_slice(ip);
        return Ipv6Addr::from(o).to_string();
    }
    let hex: String = ip.iter().map(|b| format!("{b:02x}")).collect();
    format!("?{hex}")
}

fn to_list(ip: &[u8]) -> Data {
    Data::List(
        ip.iter()
            .map(|&b| Data::Number(Number::from_i64(b as i64)))
            .collect(),
    )
}

fn ipcidr(a: &[Data]) -> R {
    let text = match args::any(a, 0)? {
        Data::String(s) => s.clone(),
        Data::Bytes(b) => String::from_utf8_lossy(b).into_owned(),
        // The reference accepts other kinds without checking.
        _ => return Ok(Data::Bool(true)),
    };
    let bad = || fail(format!("invalid CIDR address: {text}"));
    let Some((addr, bits)) = text.split_once('/') else {
        return bad();
    };
    let max = if addr.contains(':') { 128 } else { 32 };
    let ok = parse_ip(addr).is_some()
        && !bits.is_empty()
        && bits.bytes().all(|b| b.is_ascii_digit())
        && !(bits.len() > 1 && bits.starts_with('0'))
        && bits.parse::<u32>().is_ok_and(|n| n <= max);
    if ok {
        Ok(Data::Bool(true))
    } else {
        bad()
    }
}

fn split_host_port(a: &[Data]) -> R {
    let s = args::string(a, 0)?;
    let err = |why: &str| fail(format!("address {s}: {why}"));
    let Some(i) = s.rfind(':') else {
        return err("missing port in address");
    };
    let (host, port);
    if s.starts_with('[') {
        let Some(end) = s.find(']') else {
            return err("missing ']' in address");
        };
        if end + 1 == s.len() {
            return err("missing port in address");
        }
        if end + 1 != i {
            return if s.as_bytes()[end + 1] == b':' {
                err("too many colons in address")
            } else {
                err("missing port in address")
            };
        }
        host = &s[1..end];
        port = &s[i + 1..];
        if host.contains('[') || host.contains(']') {
            return err("unexpected '[' in address");
        }
    } else {
        host = &s[..i];
        port = &s[i + 1..];
        if host.contains(':') {
            return err("too many colons in address");
        }
        if host.contains('[') {
            return err("unexpected '[' in address");
        }
        if host.contains(']') {
            return err("unexpected ']' in address");
        }
    }
    if port.contains('[') {
        return err("unexpected '[' in address");
    }
    if port.contains(']') {
        return err("unexpected ']' in address");
    }
    ok_strings([host, port])
}

fn join_host_port(a: &[Data]) -> R {
    let host = match args::any(a, 0)? {
        Data::List(_) => {
            let v = args::any(a, 0)?;
            match get_ip(v) {
                Some(ip) if ip.len() == 4 || ip.len() == 16 => ip_string(&ip),
                _ => return fail(format!("invalid host {}", args::short_text(v))),
            }
        }
        Data::Bytes(b) => String::from_utf8_lossy(b).into_owned(),
        Data::String(s) => s.clone(),
        other => {
            return fail(format!(
                "cannot use value {} (type {}) as string",
                args::short_text(other),
                Kind::of(other)
            ))
        }
    };
    let port = match args::any(a, 1)? {
        Data::String(s) => s.clone(),
        Data::Bytes(b) => String::from_utf8_lossy(b).into_owned(),
        Data::Number(n) => match n.to_i64() {
            Some(i) => i.to_string(),
            None => return fail(format!("cannot use value {n} (type float) as int")),
        },
        other => {
            return fail(format!(
                "cannot use value {} (type {}) as int",
                args::short_text(other),
                Kind::of(other)
            ))
        }
    };
    if host.contains(':') {
        ok_string(format!("[{host}]:{port}"))
    } else {
        ok_string(format!("{host}:{port}"))
    }
}

/// A domain name by the reference's IDNA profile: ASCII, labels of 1 to 63
/// letters, digits, `-` or `_` without a leading or trailing hyphen, an
/// optional final dot.
fn fqdn(s: &str) -> bool {
    let s = s.strip_suffix('.').unwrap_or(s);
    if !s.is_ascii() || s.is_empty() || s.len() > 253 {
        return false;
    }
    s.split('.').all(|label| {
        !label.is_empty()
            && label.len() <= 63
            && label
                .bytes()
                .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_')
            && !label.starts_with('-')
            && !label.ends_with('-')
            && (label.len() < 4 || &label[2..4] != "--" || label[..2].eq_ignore_ascii_case("xn"))
    })
}
