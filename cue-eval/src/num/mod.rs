//! CUE numbers: arbitrary-precision decimals with an int/float kind.
//!
//! A `Number` is `coeff × 10^exp` (a `BigInt` coefficient and an `i32`
//! exponent), as in the reference's `apd.Decimal`. The exponent is kept as
//! written or computed (`1.10` is `110e-2`), which is what makes `3 * 1.10`
//! print `3.30`. Arithmetic (`arith.rs`) uses CUE's 24-digit context;
//! text conversion (`text.rs`) reproduces `apd.Decimal.String()`.
//! Spec: "Numeric values", "Arithmetic operators".

mod arith;
pub use arith::{NumError, PRECISION};
mod text;

use num_bigint::BigInt;
use num_traits::{Signed, ToPrimitive, Zero};
use std::cmp::Ordering;

pub use text::ParseNumberError;

/// Whether a number is an `int` or a `float` in CUE's type system.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum NumKind {
    /// An integer value (`int`).
    Int,
    /// A decimal floating-point value (`float`).
    Float,
}

/// An arbitrary-precision decimal number with a CUE kind.
///
/// Equality and ordering compare numeric values only (`1 == 1.0`, as in CUE);
/// use [`Number::kind`] and [`Number::exponent`] to tell representations apart.
#[derive(Clone, Debug)]
pub struct Number {
    coeff: BigInt,
    exp: i32,
    kind: NumKind,
}

impl Number {
    /// Builds `coeff × 10^exp` of the given kind.
    pub fn new(coeff: BigInt, exp: i32, kind: NumKind) -> Number {
        Number { coeff, exp, kind }
    }

    /// An integer number.
    pub fn from_int(v: impl Into<BigInt>) -> Number {
        Number::new(v.into(), 0, NumKind::Int)
    }

    /// An integer from an `i64`.
    pub fn from_i64(v: i64) -> Number {
        Number::from_int(v)
    }

    /// A float equal to the shortest decimal text of `v` (NaN and infinities
    /// are not numbers in CUE and give `None`).
    pub fn from_f64(v: f64) -> Option<Number> {
        if !v.is_finite() {
            return None;
        }
        let s = format!("{v:e}");
        let mut n = Number::parse(&s).ok()?;
        n.kind = NumKind::Float;
        Some(n)
    }

    /// The CUE kind (`int` or `float`).
    pub fn kind(&self) -> NumKind {
        self.kind
    }

    /// True for `int` kind.
    pub fn is_int_kind(&self) -> bool {
        self.kind == NumKind::Int
    }

    /// The same value with another kind.
    pub fn with_kind(mut self, kind: NumKind) -> Number {
        self.kind = kind;
        self
    }

    /// The coefficient.
    pub fn coefficient(&self) -> &BigInt {
        &self.coeff
    }

    /// The decimal exponent.
    pub fn exponent(&self) -> i32 {
        self.exp
    }

    /// True if the value is zero.
    pub fn is_zero(&self) -> bool {
        self.coeff.is_zero()
    }

    /// True if the value is negative.
    pub fn is_negative(&self) -> bool {
        self.coeff.is_negative()
    }

    /// The value as an exact integer, if it has no fractional part.
    pub fn to_bigint(&self) -> Option<BigInt> {
        if self.exp >= 0 {
            Some(&self.coeff * pow10(self.exp as u32))
        } else {
            let d = pow10(self.exp.unsigned_abs());
            let (q, r) = num_integer::Integer::div_rem(&self.coeff, &d);
            r.is_zero().then_some(q)
        }
    }

    /// The value as an `i64`, if it is an integer in range.
    pub fn to_i64(&self) -> Option<i64> {
        if self.exp > 30 {
            return None;
        }
        self.to_bigint()?.to_i64()
    }

    /// The value as an `f64` (nearest).
    pub fn to_f64(&self) -> f64 {
        format!("{}e{}", self.coeff, self.exp)
            .parse()
            .unwrap_or(f64::NAN)
    }

    /// Compares numeric values.
    pub fn cmp_value(&self, other: &Number) -> Ordering {
        if (self.exp as i64 - other.exp as i64).abs() > 64 {
            // Far apart exponents: decide by sign and magnitude before
            // scaling a coefficient by a huge power of ten.
            let (sa, sb) = (self.coeff.sign(), other.coeff.sign());
            if sa != sb {
                return sa.cmp(&sb);
            }
            if sa == num_bigint::Sign::NoSign {
                return Ordering::Equal;
            }
            let (aa, ab) = (self.adjusted_exponent(), other.adjusted_exponent());
            if aa != ab {
                let o = aa.cmp(&ab);
                return if sa == num_bigint::Sign::Minus {
                    o.reverse()
                } else {
                    o
                };
            }
        }
        let (a, b) = align(self, other);
        a.cmp(&b)
    }

    /// The adjusted exponent: the exponent of the leading digit
    /// (`exponent + digits - 1`; the exponent itself for zero).
    pub fn adjusted_exponent(&self) -> i64 {
        if self.coeff.is_zero() {
            return self.exp as i64;
        }
        self.exp as i64 + digit_count(&self.coeff) as i64 - 1
    }

    /// Whether the adjusted exponent is within ±[`crate::limits::MAX_EXPONENT`],
    /// the range of the reference's decimal context; arithmetic results
    /// outside it are errors.
    pub fn in_range(&self) -> bool {
        const MAX: i64 = crate::limits::MAX_EXPONENT;
        let bits = self.coeff.bits();
        // A coefficient of `bits` bits has at most bits * log10(2) + 1 digits.
        let max_digits = (bits * 30103).div_ceil(100_000) as i64 + 1;
        let exp = self.exp as i64;
        if exp.abs() + max_digits < MAX {
            return true;
        }
        self.adjusted_exponent().abs() <= MAX
    }

    /// Removes trailing zeros from the coefficient (apd `Reduce`).
    pub fn reduced(&self) -> Number {
        let mut c = self.coeff.clone();
        let mut e = self.exp;
        if c.is_zero() {
            return Number::new(c, 0, self.kind);
        }
        let ten = BigInt::from(10);
        loop {
            let (q, r) = num_integer::Integer::div_rem(&c, &ten);
            if !r.is_zero() {
                break;
            }
            c = q;
            e += 1;
        }
        Number::new(c, e, self.kind)
    }
}

impl PartialEq for Number {
    fn eq(&self, other: &Number) -> bool {
        self.cmp_value(other) == Ordering::Equal
    }
}

impl Eq for Number {}

impl PartialOrd for Number {
    fn partial_cmp(&self, other: &Number) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Number {
    fn cmp(&self, other: &Number) -> Ordering {
        self.cmp_value(other)
    }
}

impl From<i64> for Number {
    fn from(v: i64) -> Number {
        Number::from_i64(v)
    }
}

/// `10^n` as a `BigInt`.
pub(crate) fn pow10(n: u32) -> BigInt {
    num_traits::pow(BigInt::from(10), n as usize)
}

/// Both coefficients scaled to the smaller exponent.
fn align(a: &Number, b: &Number) -> (BigInt, BigInt) {
    match a.exp.cmp(&b.exp) {
        Ordering::Equal => (a.coeff.clone(), b.coeff.clone()),
        Ordering::Greater => (&a.coeff * pow10((a.exp - b.exp) as u32), b.coeff.clone()),
        Ordering::Less => (a.coeff.clone(), &b.coeff * pow10((b.exp - a.exp) as u32)),
    }
}

/// Number of decimal digits of `|v|` (1 for zero).
pub(crate) fn digit_count(v: &BigInt) -> u32 {
    if v.is_zero() {
        return 1;
    }
    let mag = v.magnitude();
    // Estimate from the bit length, then correct.
    let bits = mag.bits();
    let mut est = ((bits as f64 - 1.0) * std::f64::consts::LOG10_2).floor() as u32 + 1;
    let p = num_bigint::BigUint::from(10u32).pow(est - 1);
    if *mag < p {
        est -= 1;
    } else if *mag >= &p * 10u32 {
        est += 1;
    }
    est.max(1)
}

#[cfg(test)]
mod tests;
