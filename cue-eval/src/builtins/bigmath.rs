//! High-precision logarithms, exponentials and cube roots for `math`,
//! rounded to the 24 significant digits of the reference's decimal context
//! (which keeps all 24 digits of an inexact result: `Log10(100)` is
//! `2.00000000000000000000000`).
//!
//! Computation is fixed point on big integers with [`SCALE_DIGITS`]
//! fractional digits, far beyond the 24 kept, so the final rounding is
//! correct except in astronomically rare near-ties.

use crate::num::{NumKind, Number};
use num_bigint::BigInt;
use num_integer::Integer;
use num_traits::{Signed, Zero};

/// Fractional digits of the fixed-point computations.
const SCALE_DIGITS: u32 = 70;
/// Significant digits of results (the reference's context precision).
const PRECISION: usize = 24;

fn pow10(n: u32) -> BigInt {
    num_traits::pow(BigInt::from(10), n as usize)
}

fn scale() -> BigInt {
    pow10(SCALE_DIGITS)
}

/// `a * b` in fixed point.
fn fmul(a: &BigInt, b: &BigInt) -> BigInt {
    (a * b) / scale()
}

/// `a / b` in fixed point.
fn fdiv(a: &BigInt, b: &BigInt) -> BigInt {
    (a * scale()) / b
}

/// `2 atanh(z)` = `ln((1+z)/(1-z))` for small fixed-point `z`.
fn two_atanh(z: &BigInt) -> BigInt {
    let z2 = fmul(z, z);
    let mut term = z.clone();
    let mut sum = BigInt::zero();
    let mut k = 1u32;
    while !term.is_zero() {
        sum += &term / k;
        term = fmul(&term, &z2);
        k += 2;
    }
    sum * 2
}

fn ln2() -> BigInt {
    two_atanh(&(scale() / 3))
}

fn ln10() -> BigInt {
    // ln 10 = 3 ln 2 + ln(5/4), ln(5/4) = 2 atanh(1/9).
    ln2() * 3 + two_atanh(&(scale() / 9))
}

/// `coeff × 10^exp` as fixed point (truncated).
fn to_fixed(n: &Number) -> BigInt {
    let e = n.exponent() as i64 + SCALE_DIGITS as i64;
    if e >= 0 {
        n.coefficient() * pow10(e as u32)
    } else {
        n.coefficient() / pow10((-e) as u32)
    }
}

/// The number of decimal digits of `|v|`.
fn digits(v: &BigInt) -> usize {
    if v.is_zero() {
        1
    } else {
        v.abs().to_string().len()
    }
}

/// Rounds `v × 10^exp` half up to [`PRECISION`] digits, keeping all of
/// them (an inexact result).
fn round24(v: &BigInt, exp: i64) -> Number {
    let neg = v.is_negative();
    let mut m = v.abs();
    let mut e = exp;
    let d = digits(&m);
    if d > PRECISION {
        let drop = (d - PRECISION) as u32;
        let div = pow10(drop);
        let (q, r) = m.div_rem(&div);
        m = if r * 2u8 >= div { q + 1u8 } else { q };
        e += drop as i64;
        if digits(&m) > PRECISION {
            m /= 10u8;
            e += 1;
        }
    } else {
        let add = (PRECISION - d) as u32;
        m *= pow10(add);
        e -= add as i64;
    }
    Number::new(if neg { -m } else { m }, e as i32, NumKind::Float)
}

/// Fixed-point value to a 24-digit number.
fn fixed_to_number(v: &BigInt) -> Number {
    round24(v, -(SCALE_DIGITS as i64))
}

/// Natural logarithm in fixed point (`x > 0`).
fn ln_fixed(x: &Number) -> BigInt {
    // x = m × 10^k with m in [0.1, 1): ln x = ln m + k ln 10.
    let d = digits(x.coefficient()) as i64;
    let k = x.exponent() as i64 + d;
    let m = Number::new(x.coefficient().clone(), -(d as i32), NumKind::Float);
    let mut mf = to_fixed(&m);
    // Bring m near 1 by powers of two: ln m = ln(m 2^j) - j ln 2.
    let mut j = 0i64;
    let lo = scale() * 3 / 4;
    while mf < lo {
        mf *= 2;
        j += 1;
    }
    let z = fdiv(&(&mf - scale()), &(&mf + scale()));
    two_atanh(&z) - ln2() * j + ln10() * k
}

/// `e^x` of a fixed-point value, as (fixed-point mantissa in [1, 10), power
/// of ten).
fn exp_fixed(x: &BigInt) -> (BigInt, i64) {
    let l10 = ln10();
    let n = x.div_floor(&l10);
    let r = x - &n * &l10; // in [0, ln 10)
                           // Halve r until small, sum the Taylor series, square back.
    let mut halvings = 0;
    let mut y = r;
    let limit = scale() / 1000;
    while y > limit {
        y /= 2;
        halvings += 1;
    }
    let mut term = scale();
    let mut sum = scale();
    let mut k = 1u32;
    loop {
        term = fmul(&term, &y) / k;
        if term.is_zero() {
            break;
        }
        sum += &term;
        k += 1;
    }
    for _ in 0..halvings {
        sum = fmul(&sum, &sum);
    }
    let n = i64::try_from(&n).unwrap_or(i64::MAX / 2);
    (sum, n)
}

/// `ln x`; `None` for `x <= 0`.
pub(crate) fn ln(x: &Number) -> Option<Number> {
    if x.is_negative() || x.is_zero() {
        return None;
    }
    if *x == Number::from_i64(1) {
        return Some(Number::from_i64(0));
    }
    Some(fixed_to_number(&ln_fixed(x)))
}

/// `log10 x`, computed in full precision.
pub(crate) fn log10(x: &Number) -> Option<Number> {
    if x.is_negative() || x.is_zero() {
        return None;
    }
    if *x == Number::from_i64(1) {
        return Some(Number::from_i64(0));
    }
    Some(fixed_to_number(&fdiv(&ln_fixed(x), &ln10())))
}

/// `log2 x` as the reference computes it: `ln x / ln 2`, each rounded to
/// 24 digits first.
pub(crate) fn log2(x: &Number) -> Option<Number> {
    let a = ln(x)?;
    if a.is_zero() {
        return Some(a);
    }
    let b = fixed_to_number(&ln2());
    a.div(&b).ok()
}

/// `e^x`.
pub(crate) fn exp(x: &Number) -> Number {
    if x.is_zero() {
        return Number::from_i64(1);
    }
    let (m, n) = exp_fixed(&to_fixed(x));
    round24(&m, n - SCALE_DIGITS as i64)
}

/// `x^y` for `x > 0` and any `y`: `e^(y ln x)`.
pub(crate) fn pow(x: &Number, y: &Number) -> Option<Number> {
    if x.is_negative() || x.is_zero() {
        return None;
    }
    let t = fmul(&ln_fixed(x), &to_fixed(y));
    let (m, n) = exp_fixed(&t);
    Some(round24(&m, n - SCALE_DIGITS as i64))
}

/// The real cube root, always with 24 digits.
pub(crate) fn cbrt(x: &Number) -> Number {
    if x.is_zero() {
        return Number::from_i64(0);
    }
    let neg = x.is_negative();
    let c = x.coefficient().abs();
    // Scale so the root has at least 30 digits and the exponent is a
    // multiple of three.
    let mut e = x.exponent() as i64;
    let mut n = c;
    let want = 3 * 32;
    let have = digits(&n) as i64;
    let mut shift = (want - have).max(0);
    while (e - shift).rem_euclid(3) != 0 {
        shift += 1;
    }
    n *= pow10(shift as u32);
    e -= shift;
    let root = n.cbrt();
    let v = if neg { -root } else { root };
    round24(&v, e / 3)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn num(s: &str) -> Number {
        Number::parse(s).unwrap()
    }

    #[test]
    fn matches_reference_digits() {
        // Values printed by cue v0.4.3 for math.Exp(1), Log10(100),
        // Log10(2), Log2(8), Cbrt(27), Cbrt(2), Pow(2, 0.5).
        assert_eq!(exp(&num("1")).to_string(), "2.71828182845904523536029");
        assert_eq!(
            log10(&num("100")).unwrap().to_string(),
            "2.00000000000000000000000"
        );
        assert_eq!(
            log10(&num("2")).unwrap().to_string(),
            "0.301029995663981195213739"
        );
        assert_eq!(
            log2(&num("8")).unwrap().to_string(),
            "3.00000000000000000000001"
        );
        assert_eq!(cbrt(&num("27")).to_string(), "3.00000000000000000000000");
        assert_eq!(cbrt(&num("2")).to_string(), "1.25992104989487316476721");
        assert_eq!(
            pow(&num("2"), &num("0.5")).unwrap().to_string(),
            "1.41421356237309504880169"
        );
    }
}
