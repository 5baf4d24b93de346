//! Arithmetic in CUE's decimal context: 24 significant digits, rounding half
//! up, as the reference's `apd` context (`adt/decimal.go`). `+ - *` are exact
//! and then rounded; `/` always yields a float, rounded to 24 digits, with the
//! ideal exponent (`exp(a) - exp(b)`) restored when the quotient is exact.
//! `div mod` are Euclidean and `quo rem` truncating, on integers only.
//! Spec: "Arithmetic operators".

use super::{digit_count, pow10, NumKind, Number};
use num_bigint::BigInt;
use num_integer::Integer;
use num_traits::{Signed, Zero};

/// Significant digits of CUE's arithmetic context.
pub const PRECISION: u32 = 24;

/// Why an arithmetic operation has no result.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NumError {
    /// Division (or `div mod quo rem`) by zero.
    DivisionByZero,
    /// An integer operation got a non-integral operand.
    NotInteger,
}

impl std::fmt::Display for NumError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NumError::DivisionByZero => f.write_str("division by zero"),
            NumError::NotInteger => f.write_str("not an integer"),
        }
    }
}

fn result_kind(a: &Number, b: &Number) -> NumKind {
    if a.kind == NumKind::Int && b.kind == NumKind::Int {
        NumKind::Int
    } else {
        NumKind::Float
    }
}

/// Rounds `coeff × 10^exp` to `PRECISION` digits, half up.
fn round(coeff: BigInt, exp: i32) -> (BigInt, i32) {
    let digits = digit_count(&coeff);
    if digits <= PRECISION {
        return (coeff, exp);
    }
    let drop = digits - PRECISION;
    let neg = coeff.is_negative();
    let mag = coeff.abs();
    let div = pow10(drop);
    let (mut q, r) = mag.div_rem(&div);
    // Half up: round away from zero when the dropped part is >= half.
    if r * 2 >= div {
        q += 1;
    }
    let mut exp = exp + drop as i32;
    if digit_count(&q) > PRECISION {
        q /= 10;
        exp += 1;
    }
    (if neg { -q } else { q }, exp)
}

impl Number {
    /// `self + other`.
    pub fn add(&self, other: &Number) -> Number {
        let exp = self.exp.min(other.exp);
        let a = &self.coeff * pow10((self.exp - exp) as u32);
        let b = &other.coeff * pow10((other.exp - exp) as u32);
        let (c, e) = round(a + b, exp);
        Number::new(c, e, result_kind(self, other))
    }

    /// `self - other`.
    pub fn sub(&self, other: &Number) -> Number {
        self.add(&other.neg())
    }

    /// `self * other`.
    pub fn mul(&self, other: &Number) -> Number {
        let (c, e) = round(&self.coeff * &other.coeff, self.exp + other.exp);
        Number::new(c, e, result_kind(self, other))
    }

    /// `self / other` (always a float).
    pub fn div(&self, other: &Number) -> Result<Number, NumError> {
        if other.coeff.is_zero() {
            return Err(NumError::DivisionByZero);
        }
        let ideal = self.exp - other.exp;
        if self.coeff.is_zero() {
            return Ok(Number::new(BigInt::zero(), ideal, NumKind::Float));
        }
        let neg = self.coeff.is_negative() != other.coeff.is_negative();
        let a = self.coeff.abs();
        let b = other.coeff.abs();
        let shift =
            (PRECISION as i64 + 2 + digit_count(&b) as i64 - digit_count(&a) as i64).max(0) as u32;
        let (mut q, r) = (a * pow10(shift)).div_rem(&b);
        let mut exp = ideal - shift as i32;
        if r.is_zero() {
            let ten = BigInt::from(10);
            while exp < ideal {
                let (q2, r2) = q.div_rem(&ten);
                if !r2.is_zero() {
                    break;
                }
                q = q2;
                exp += 1;
            }
        }
        let (c, e) = round(q, exp);
        Ok(Number::new(if neg { -c } else { c }, e, NumKind::Float))
    }

    /// `-self`.
    pub fn neg(&self) -> Number {
        Number::new(-&self.coeff, self.exp, self.kind)
    }

    /// `|self|`.
    pub fn abs(&self) -> Number {
        Number::new(self.coeff.abs(), self.exp, self.kind)
    }

    fn int_operands(&self, other: &Number) -> Result<(BigInt, BigInt), NumError> {
        let a = self.to_bigint().ok_or(NumError::NotInteger)?;
        let b = other.to_bigint().ok_or(NumError::NotInteger)?;
        if b.is_zero() {
            return Err(NumError::DivisionByZero);
        }
        Ok((a, b))
    }

    /// Euclidean division and modulus: `a = q*b + m`, `0 <= m < |b|`.
    fn euclid(&self, other: &Number) -> Result<(BigInt, BigInt), NumError> {
        let (a, b) = self.int_operands(other)?;
        let m = a.mod_floor(&b.abs());
        let q = (&a - &m) / &b;
        Ok((q, m))
    }

    /// Euclidean quotient (`div`).
    pub fn int_div(&self, other: &Number) -> Result<Number, NumError> {
        Ok(Number::from_int(self.euclid(other)?.0))
    }

    /// Euclidean modulus (`mod`), never negative.
    pub fn int_mod(&self, other: &Number) -> Result<Number, NumError> {
        Ok(Number::from_int(self.euclid(other)?.1))
    }

    /// Truncated quotient (`quo`).
    pub fn int_quo(&self, other: &Number) -> Result<Number, NumError> {
        let (a, b) = self.int_operands(other)?;
        Ok(Number::from_int(a / b))
    }

    /// Truncated remainder (`rem`), with the sign of the dividend.
    pub fn int_rem(&self, other: &Number) -> Result<Number, NumError> {
        let (a, b) = self.int_operands(other)?;
        Ok(Number::from_int(a % b))
    }
}
