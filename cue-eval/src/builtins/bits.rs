//! `math/bits`: bit operations on arbitrary-size integers with two's
//! complement semantics for negative values (as Go's `big.Int`).

use super::args::{self, fail, ok_int};
use super::{func, BuiltinError, Kind, Package};
use crate::data::Data;
use num_bigint::BigInt;
use num_traits::{One, Zero};

const P: &str = "math/bits";
const I: Kind = Kind::INT;

type R = Result<Data, BuiltinError>;

pub static PACKAGE: Package = Package {
    path: P,
    cue: None,
    members: &[
        func!(P, "Lsh", [I, I], I, lsh),
        func!(P, "Rsh", [I, I], I, rsh),
        func!(P, "At", [I, I], I, at),
        func!(P, "Set", [I, I, I], I, set),
        func!(P, "And", [I, I], I, |a: &[Data]| ok_int(
            args::bigint(a, 0)? & args::bigint(a, 1)?
        )),
        func!(P, "Or", [I, I], I, |a: &[Data]| ok_int(
            args::bigint(a, 0)? | args::bigint(a, 1)?
        )),
        func!(P, "Xor", [I, I], I, |a: &[Data]| ok_int(
            args::bigint(a, 0)? ^ args::bigint(a, 1)?
        )),
        func!(P, "Clear", [I, I], I, |a: &[Data]| ok_int(
            args::bigint(a, 0)? & !args::bigint(a, 1)?
        )),
        func!(P, "OnesCount", [I], I, |a: &[Data]| ok_int(
            args::bigint(a, 0)?.magnitude().count_ones() as i64
        )),
        func!(P, "Len", [I], I, |a: &[Data]| ok_int(
            args::bigint(a, 0)?.bits() as i64
        )),
    ],
};

/// Argument `i` as a Go `uint` (shift counts and bit indices).
fn uint(a: &[Data], i: usize) -> Result<u64, BuiltinError> {
    let n = args::int(a, i)?;
    u64::try_from(n).map_err(|_| {
        BuiltinError::Plain(format!(
            "cannot use {n} (type int) as uint in argument {i} to {{name}}"
        ))
    })
}

fn lsh(a: &[Data]) -> R {
    let (x, n) = (args::bigint(a, 0)?, uint(a, 1)?);
    if !x.is_zero() {
        args::check_bits(x.bits() as u128 + n as u128)?;
    }
    ok_int(x << n.min(u32::MAX as u64) as usize)
}

fn rsh(a: &[Data]) -> R {
    let n = uint(a, 1)?;
    // Arithmetic shift: rounds toward negative infinity, as big.Int.Rsh.
    ok_int(args::bigint(a, 0)? >> n.min(1 << 32) as usize)
}

fn at(a: &[Data]) -> R {
    let i = uint(a, 1)?;
    if i > i32::MAX as u64 {
        return fail("bit index too large");
    }
    let x = args::bigint(a, 0)?;
    ok_int(((x >> i as usize) & BigInt::one()).is_one() as i64)
}

fn set(a: &[Data]) -> R {
    let (x, i, bit) = (args::bigint(a, 0)?, args::int(a, 1)?, uint(a, 2)?);
    if i < 0 {
        return fail("negative bit index");
    }
    args::check_bits(i as u128 + 1)?;
    let mask = BigInt::one() << i as usize;
    match bit {
        0 => ok_int(x & !mask),
        1 => ok_int(x | mask),
        _ => fail("set bit is not 0 or 1"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use num_traits::Signed;

    #[test]
    fn negative_values_use_twos_complement() {
        let n = |v: i64| Data::Number(crate::num::Number::from_i64(v));
        assert_eq!(rsh(&[n(-5), n(1)]).unwrap(), n(-3));
        assert_eq!(at(&[n(-1), n(70)]).unwrap(), n(1));
        assert!(BigInt::from(-1).is_negative());
    }
}
