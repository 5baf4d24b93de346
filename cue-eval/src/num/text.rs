//! Number text: `Display` reproduces `apd.Decimal.String()` (the 'G'
//! format of the General Decimal Arithmetic "to-scientific-string"): plain
//! digits when the exponent is `<= 0` and the adjusted exponent is `>= -6`,
//! otherwise `d.dddE±n` (`1E+3`, `1.5E-7`). Parsing accepts CUE number
//! literals: `_` separators, `0x 0o 0b` integers, decimals with a fraction or
//! exponent (floats), and the multipliers `K M G T P` (powers of 1000) and
//! `Ki Mi Gi Ti Pi` (powers of 1024), which always give ints.
//! Spec: "Integer and float literals".

use super::{NumKind, Number};
use num_bigint::BigInt;
use num_traits::{Signed, ToPrimitive, Zero};
use std::fmt;

/// A number literal that could not be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("invalid number literal {text:?}")]
pub struct ParseNumberError {
    /// The offending text.
    pub text: String,
}

impl fmt::Display for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Exponent 0: the coefficient's digits (the common case, integers).
        if self.exp == 0 {
            if let Some(i) = self.coeff.to_i64() {
                return f.write_str(itoa(i, &mut [0u8; 20]));
            }
        }
        let mut out = String::new();
        if self.coeff.is_negative() {
            out.push('-');
        }
        let digits = self.coeff.abs().to_string();
        let exp = self.exp as i64;
        let adj = exp + digits.len() as i64 - 1;
        if exp <= 0 && adj >= -6 {
            if exp < 0 {
                let left = -exp - digits.len() as i64;
                if left >= 0 {
                    out.push_str("0.");
                    out.extend(std::iter::repeat_n('0', left as usize));
                    out.push_str(&digits);
                } else {
                    let split = (-left) as usize;
                    out.push_str(&digits[..split]);
                    out.push('.');
                    out.push_str(&digits[split..]);
                }
            } else {
                out.push_str(&digits);
            }
        } else {
            out.push_str(&digits[..1]);
            if digits.len() > 1 {
                out.push('.');
                out.push_str(&digits[1..]);
            }
            out.push('E');
            out.push(if adj < 0 { '-' } else { '+' });
            out.push_str(&adj.abs().to_string());
        }
        f.write_str(&out)
    }
}

impl Number {
    /// Parses a CUE number literal (without sign).
    pub fn parse(text: &str) -> Result<Number, ParseNumberError> {
        let err = || ParseNumberError {
            text: text.to_string(),
        };
        let s: String = text.chars().filter(|&c| c != '_').collect();
        let (neg, s) = match s.strip_prefix('-') {
            Some(rest) => (true, rest.to_string()),
            None => (false, s.strip_prefix('+').unwrap_or(&s).to_string()),
        };
        let n = parse_unsigned(&s).ok_or_else(err)?;
        Ok(if neg { n.neg() } else { n })
    }
}

fn parse_unsigned(s: &str) -> Option<Number> {
    let lower = s.to_ascii_lowercase();
    for (prefix, radix) in [("0x", 16), ("0o", 8), ("0b", 2)] {
        if let Some(rest) = lower.strip_prefix(prefix) {
            let v = BigInt::parse_bytes(rest.as_bytes(), radix)?;
            return Some(Number::from_int(v));
        }
    }
    let (body, mult) = split_multiplier(s);
    let n = parse_decimal(body)?;
    match mult {
        None => Some(n),
        Some(m) => {
            let v = n.mul_exact(&m).to_bigint()?;
            Some(Number::from_int(v))
        }
    }
}

/// Splits a trailing multiplier suffix off.
fn split_multiplier(s: &str) -> (&str, Option<Number>) {
    let (body, binary) = match s.strip_suffix('i') {
        Some(b) => (b, true),
        None => (s, false),
    };
    let Some(last) = body.chars().last() else {
        return (s, None);
    };
    let power = match last {
        'K' => 1,
        'M' => 2,
        'G' => 3,
        'T' => 4,
        'P' => 5,
        _ => return (s, None),
    };
    let base: BigInt = if binary { 1024.into() } else { 1000.into() };
    let m = num_traits::pow(base, power);
    (&body[..body.len() - 1], Some(Number::from_int(m)))
}

fn parse_decimal(s: &str) -> Option<Number> {
    if s.is_empty() {
        return None;
    }
    let (mant, exp_part) = match s.find(['e', 'E']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let (int_part, frac) = match mant.find('.') {
        Some(i) => (&mant[..i], Some(&mant[i + 1..])),
        None => (mant, None),
    };
    if int_part.is_empty() && frac.is_none_or(|f| f.is_empty()) {
        return None;
    }
    let frac_digits = frac.unwrap_or("");
    if !int_part.bytes().all(|b| b.is_ascii_digit())
        || !frac_digits.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let mut exp: i64 = -(frac_digits.len() as i64);
    if let Some(e) = exp_part {
        let v: i64 = e.parse().ok()?;
        exp = exp.checked_add(v)?;
    }
    let digits = format!("{int_part}{frac_digits}");
    let coeff = if digits.is_empty() {
        BigInt::zero()
    } else {
        BigInt::parse_bytes(digits.as_bytes(), 10)?
    };
    let kind = if frac.is_some() || exp_part.is_some() {
        NumKind::Float
    } else {
        NumKind::Int
    };
    let exp = i32::try_from(exp).ok()?;
    let n = Number::new(coeff, exp, kind);
    if exp != 0 && !n.in_range() {
        // As the reference (`apd` refuses the exponent and keeps the
        // digits): `2.5e100001` is `25.0`.
        return Some(Number::new(n.coeff, 0, kind));
    }
    Some(n)
}

impl Number {
    /// Exact product (no rounding), for literal multipliers.
    fn mul_exact(&self, other: &Number) -> Number {
        Number::new(
            &self.coeff * &other.coeff,
            self.exp + other.exp,
            NumKind::Int,
        )
    }
}

/// The decimal text of `i`, written into `buf`.
fn itoa(i: i64, buf: &mut [u8; 20]) -> &str {
    let mut n = i.unsigned_abs();
    let mut pos = buf.len();
    loop {
        pos -= 1;
        buf[pos] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    if i < 0 {
        pos -= 1;
        buf[pos] = b'-';
    }
    std::str::from_utf8(&buf[pos..]).unwrap_or("")
}
