//! `math`: rounding to integers, exact decimal helpers (`Abs`, `Pow`,
//! `Pow10`, `MultipleOf`, ...), Go's float64 functions and the constants.
//!
//! Float64 functions return the shortest decimal text of Go's result as a
//! float (`2.0`, `1.4142135623730951`). `Exp`, `Exp2`, `Log`, `Log10`,
//! `Log2`, `Cbrt` and `Pow` are decimal functions in the reference (24
//! digits); they are computed in high precision by `bigmath`.

use super::args::{self, fail, ok_int};
use super::bigmath;
use super::list::decimal;
use super::{func, num_const, BuiltinError, Kind, Package};
use crate::data::Data;
use crate::num::{NumKind, Number};
use num_bigint::BigInt;
use num_integer::Integer;
use num_traits::{One, Signed, Zero};

const P: &str = "math";
const N: Kind = Kind::NUMBER;
const I: Kind = Kind::INT;
const B: Kind = Kind::BOOL;

type R = Result<Data, BuiltinError>;

macro_rules! f1 {
    ($name:expr, $f:expr) => {
        func!(P, $name, [N], N, |a: &[Data]| float_result($f(float(
            a, 0
        )?)))
    };
}

macro_rules! f2 {
    ($name:expr, $f:expr) => {
        func!(P, $name, [N, N], N, |a: &[Data]| float_result($f(
            float(a, 0)?,
            float(a, 1)?
        )))
    };
}

pub static PACKAGE: Package = Package {
    path: P,
    cue: None,
    members: &[
        num_const!("MaxExp", "2147483647"),
        num_const!("MinExp", "-2147483648"),
        num_const!("MaxPrec", "4294967295"),
        num_const!("ToNearestEven", "0"),
        num_const!("ToNearestAway", "1"),
        num_const!("ToZero", "2"),
        num_const!("AwayFromZero", "3"),
        num_const!("ToNegativeInf", "4"),
        num_const!("ToPositiveInf", "5"),
        num_const!("Below", "-1"),
        num_const!("Exact", "0"),
        num_const!("Above", "1"),
        num_const!("MaxBase", "62"),
        num_const!(
            "E",
            "2.71828182845904523536028747135266249775724709369995957496696763"
        ),
        num_const!(
            "Pi",
            "3.14159265358979323846264338327950288419716939937510582097494459"
        ),
        num_const!(
            "Phi",
            "1.61803398874989484820458683436563811772030917980576286213544861"
        ),
        num_const!(
            "Sqrt2",
            "1.41421356237309504880168872420969807856967187537694807317667974"
        ),
        num_const!(
            "SqrtE",
            "1.64872127070012814684865078781416357165377610071014801157507931"
        ),
        num_const!(
            "SqrtPi",
            "1.77245385090551602729816748334114518279754945612238712821380779"
        ),
        num_const!(
            "SqrtPhi",
            "1.27201964951406896425242246173749149171560804184009624861664038"
        ),
        num_const!(
            "Ln2",
            "0.693147180559945309417232121458176568075500134360255254120680009"
        ),
        num_const!(
            "Log2E",
            "1.442695040888963407359924681001892137426645954152985934135449408"
        ),
        num_const!(
            "Ln10",
            "2.3025850929940456840179914546843642076011014886287729760333278"
        ),
        num_const!(
            "Log10E",
            "0.43429448190325182765112891891660508229439700580366656611445378"
        ),
        func!(P, "Jacobi", [I, I], I, jacobi),
        func!(P, "Floor", [N], I, |a: &[Data]| to_integral(
            a,
            Rounding::Floor
        )),
        func!(P, "Ceil", [N], I, |a: &[Data]| to_integral(
            a,
            Rounding::Ceil
        )),
        func!(P, "Trunc", [N], I, |a: &[Data]| to_integral(
            a,
            Rounding::Trunc
        )),
        func!(P, "Round", [N], I, |a: &[Data]| to_integral(
            a,
            Rounding::HalfUp
        )),
        func!(P, "RoundToEven", [N], I, |a: &[Data]| to_integral(
            a,
            Rounding::HalfEven
        )),
        func!(P, "MultipleOf", [N, N], B, multiple_of),
        func!(P, "Abs", [N], N, abs),
        f1!("Acosh", f64::acosh),
        f1!("Asin", f64::asin),
        f1!("Acos", f64::acos),
        f1!("Asinh", f64::asinh),
        f1!("Atan", f64::atan),
        f2!("Atan2", f64::atan2),
        f1!("Atanh", f64::atanh),
        func!(P, "Cbrt", [N], N, |a: &[Data]| Ok(decimal(bigmath::cbrt(
            args::number(a, 0)?
        )))),
        func!(P, "Copysign", [N, N], N, copysign),
        func!(P, "Dim", [N, N], N, dim),
        f1!("Erf", erf),
        f1!("Erfc", |x: f64| 1.0 - erf(x)),
        f1!("Erfinv", erfinv),
        f1!("Erfcinv", |x: f64| erfinv(1.0 - x)),
        func!(P, "Exp", [N], N, exp),
        func!(P, "Exp2", [N], N, exp2),
        f1!("Expm1", f64::exp_m1),
        f1!("Gamma", gamma),
        f2!("Hypot", f64::hypot),
        f1!("J0", |x| bessel_j(0, x)),
        f1!("Y0", |x| bessel_y(0, x)),
        f1!("J1", |x| bessel_j(1, x)),
        f1!("Y1", |x| bessel_y(1, x)),
        func!(P, "Jn", [I, N], N, |a: &[Data]| float_result(bessel_j(
            args::int(a, 0)?,
            float(a, 1)?
        ))),
        func!(P, "Yn", [I, N], N, |a: &[Data]| float_result(bessel_y(
            args::int(a, 0)?,
            float(a, 1)?
        ))),
        func!(P, "Ldexp", [N, I], N, |a: &[Data]| float_result(
            float(a, 0)? * 2f64.powi(args::int(a, 1)?.clamp(-2000, 2000) as i32)
        )),
        func!(P, "Log", [N], N, |a: &[Data]| log_with(a, bigmath::ln)),
        func!(P, "Log10", [N], N, |a: &[Data]| log_with(a, bigmath::log10)),
        func!(P, "Log2", [N], N, |a: &[Data]| log_with(a, bigmath::log2)),
        f1!("Log1p", f64::ln_1p),
        f1!("Logb", |x: f64| if x == 0.0 {
            f64::NEG_INFINITY
        } else {
            x.abs().log2().floor()
        }),
        func!(P, "Ilogb", [N], I, |a: &[Data]| {
            let x = float(a, 0)?;
            ok_int(x.abs().log2().floor() as i64)
        }),
        f2!("Mod", |x: f64, y: f64| x % y),
        func!(P, "Pow", [N, N], N, pow),
        func!(P, "Pow10", [I], N, pow10),
        f2!("Remainder", remainder),
        func!(P, "Signbit", [N], B, |a: &[Data]| Ok(Data::Bool(
            args::number(a, 0)?.is_negative()
        ))),
        f1!("Cos", f64::cos),
        f1!("Sin", f64::sin),
        f1!("Sinh", f64::sinh),
        f1!("Cosh", f64::cosh),
        f1!("Sqrt", f64::sqrt),
        f1!("Tan", f64::tan),
        f1!("Tanh", f64::tanh),
    ],
};

/// Argument `i` as a float64, with the reference's range check (an exact
/// zero counts as "rounded down", a quirk of its conversion).
pub(crate) fn float(a: &[Data], i: usize) -> Result<f64, BuiltinError> {
    let n = args::number(a, i)?;
    let f = n.to_f64();
    // Underflow to zero rounds toward zero; overflow to infinity away.
    let problem = if f == 0.0 || f.is_infinite() {
        let down = (f == 0.0) != n.is_negative();
        Some(if down {
            "value was rounded down"
        } else {
            "value was rounded up"
        })
    } else {
        None
    };
    match problem {
        Some(p) => Err(BuiltinError::Plain(format!(
            "cannot use {} (type {}) as float64 in argument {i} to {{name}}: {p}",
            n,
            if n.is_int_kind() { "int" } else { "float" }
        ))),
        None => Ok(f),
    }
}

/// A float64 result as the reference converts it: the text of Go's
/// `FormatFloat(f, 'g', -1, 64)` as a float (`1000.0`, `1e+21`).
pub(crate) fn float_result(f: f64) -> R {
    if f.is_nan() {
        return fail("NaN");
    }
    if f.is_infinite() {
        return fail(if f > 0.0 { "+Inf" } else { "-Inf" });
    }
    let text = super::strconv::format_float(f, b'g', -1, 64).unwrap_or_default();
    match Number::parse(&text) {
        Ok(n) => Ok(Data::Number(n.with_kind(NumKind::Float))),
        Err(_) => fail(format!("invalid float {text}")),
    }
}

fn pow10_big(n: u32) -> BigInt {
    num_traits::pow(BigInt::from(10), n as usize)
}

/// `(coefficient, exponent)` of a number, reduced.
fn parts(n: &Number) -> (BigInt, i32) {
    let r = n.reduced();
    (r.coefficient().clone(), r.exponent())
}

enum Rounding {
    Floor,
    Ceil,
    Trunc,
    HalfUp,
    HalfEven,
}

fn to_integral(a: &[Data], mode: Rounding) -> R {
    let (c, e) = parts(args::number(a, 0)?);
    if e >= 0 {
        return ok_int(c * pow10_big(e as u32));
    }
    let d = pow10_big(e.unsigned_abs());
    let (q, r) = c.div_rem(&d); // truncating
    let q = match mode {
        Rounding::Trunc => q,
        Rounding::Floor if r.is_negative() => q - 1,
        Rounding::Floor => q,
        Rounding::Ceil if r.is_positive() => q + 1,
        Rounding::Ceil => q,
        Rounding::HalfUp | Rounding::HalfEven => {
            let twice: BigInt = r.abs() * 2u32;
            let away = match twice.cmp(&d) {
                std::cmp::Ordering::Greater => true,
                std::cmp::Ordering::Less => false,
                std::cmp::Ordering::Equal => matches!(mode, Rounding::HalfUp) || q.is_odd(),
            };
            if !away {
                q
            } else if c.is_negative() {
                q - 1
            } else {
                q + 1
            }
        }
    };
    ok_int(q)
}

fn multiple_of(a: &[Data]) -> R {
    let (x, y) = (args::number(a, 0)?, args::number(a, 1)?);
    let q = match x.div(y) {
        Ok(q) => q,
        Err(e) => return fail(e.to_string()),
    };
    // The reference divides with a 1-digit context: true when the exact
    // quotient has a single significant digit.
    let exact = Number::new(
        q.coefficient() * y.coefficient(),
        q.exponent() + y.exponent(),
        NumKind::Float,
    ) == *x;
    let (c, _) = parts(&q);
    Ok(Data::Bool(exact && c.abs() < BigInt::from(10)))
}

fn abs(a: &[Data]) -> R {
    Ok(decimal(args::number(a, 0)?.abs()))
}

fn copysign(a: &[Data]) -> R {
    let (x, y) = (args::number(a, 0)?, args::number(a, 1)?);
    let m = x.abs();
    Ok(decimal(if y.is_negative() { m.neg() } else { m }))
}

fn dim(a: &[Data]) -> R {
    let d = args::number(a, 0)?.sub(args::number(a, 1)?);
    if d.is_negative() {
        return Ok(decimal(Number::from_i64(0)));
    }
    Ok(decimal(d))
}

fn jacobi(a: &[Data]) -> R {
    let (x, y) = (args::bigint(a, 0)?, args::bigint(a, 1)?);
    if y.is_even() || y.is_negative() {
        return fail(format!(
            "big: invalid 2nd argument to Int.Jacobi: need odd integer but got {y}"
        ));
    }
    let mut a = x.mod_floor(&y);
    let mut n = y;
    let mut j = 1i64;
    while !a.is_zero() {
        while a.is_even() {
            a /= 2;
            let r = (&n % 8u32).try_into().unwrap_or(0u32);
            if r == 3 || r == 5 {
                j = -j;
            }
        }
        std::mem::swap(&mut a, &mut n);
        if (&a % 4u32) == BigInt::from(3) && (&n % 4u32) == BigInt::from(3) {
            j = -j;
        }
        a = a.mod_floor(&n);
    }
    ok_int(if n.is_one() { j } else { 0 })
}

/// An exact `x^n` for integer `n >= 0`, rounded to the 24-digit context.
fn pow_int(x: &Number, n: u32) -> Number {
    let (c, e) = (x.coefficient().clone(), x.exponent());
    let exact = Number::new(num_traits::pow(c, n as usize), e * n as i32, NumKind::Float);
    // Adding zero applies the context's rounding.
    exact.add(&Number::new(
        BigInt::zero(),
        exact.exponent().min(0),
        NumKind::Float,
    ))
}

fn pow(a: &[Data]) -> R {
    let (x, y) = (args::number(a, 0)?, args::number(a, 1)?);
    if let Some(n) = y.to_bigint().and_then(|n| i64::try_from(n).ok()) {
        if n.unsigned_abs() <= 10_000 {
            let p = pow_int(x, n.unsigned_abs() as u32);
            if n >= 0 {
                return Ok(decimal(p));
            }
            return match Number::from_i64(1).div(&p) {
                Ok(q) => Ok(decimal(q)),
                Err(e) => fail(e.to_string()),
            };
        }
    }
    match bigmath::pow(x, y) {
        Some(p) => Ok(decimal(p)),
        None => fail("invalid operation"),
    }
}

fn exp(a: &[Data]) -> R {
    Ok(decimal(bigmath::exp(args::number(a, 0)?)))
}

fn exp2(a: &[Data]) -> R {
    let x = args::number(a, 0)?;
    if let Some(n) = x.to_bigint().and_then(|n| i64::try_from(n).ok()) {
        if (0..=10_000).contains(&n) {
            return Ok(decimal(pow_int(&Number::from_i64(2), n as u32)));
        }
    }
    match bigmath::pow(&Number::from_i64(2), x) {
        Some(p) => Ok(decimal(p)),
        None => fail("invalid operation"),
    }
}

fn log_with(a: &[Data], f: fn(&Number) -> Option<Number>) -> R {
    let x = args::number(a, 0)?;
    if x.is_zero() {
        return fail("-Infinity");
    }
    match f(x) {
        Some(v) => Ok(decimal(v)),
        None => fail("invalid operation"),
    }
}

fn pow10(a: &[Data]) -> R {
    let n = args::int(a, 0)?;
    let n = i32::try_from(n).map_err(|_| {
        BuiltinError::Plain(format!(
            "int {n} overflows int32 in argument 0 in call to {{name}}"
        ))
    })?;
    Ok(decimal(Number::new(BigInt::one(), n, NumKind::Float)))
}

fn remainder(x: f64, y: f64) -> f64 {
    let n = (x / y).round_ties_even();
    x - n * y
}

/// Error function (Abramowitz–Stegun 7.1.26 is too coarse; use a series /
/// continued fraction with full double precision).
fn erf(x: f64) -> f64 {
    if x < 0.0 {
        return -erf(-x);
    }
    if x < 2.5 {
        // Maclaurin series.
        let mut sum = x;
        let mut term = x;
        let x2 = x * x;
        let mut n = 0.0;
        // Bounded: a NaN argument never meets the stopping test.
        while n < 500.0 {
            n += 1.0;
            term *= -x2 / n;
            let add = term / (2.0 * n + 1.0);
            sum += add;
            if add.abs() < 1e-17 * sum.abs() {
                break;
            }
        }
        sum * 2.0 / std::f64::consts::PI.sqrt()
    } else {
        // Continued fraction for erfc.
        let mut f = 0.0;
        for k in (1..60).rev() {
            f = (k as f64 / 2.0) / (x + f);
        }
        1.0 - (-x * x).exp() / std::f64::consts::PI.sqrt() / (x + f)
    }
}

fn erfinv(y: f64) -> f64 {
    if y <= -1.0 || y >= 1.0 {
        return if y == 1.0 {
            f64::INFINITY
        } else if y == -1.0 {
            f64::NEG_INFINITY
        } else {
            f64::NAN
        };
    }
    // Newton iterations from a rough start.
    let mut x = 0.0f64;
    for _ in 0..100 {
        let err = erf(x) - y;
        let d = 2.0 / std::f64::consts::PI.sqrt() * (-x * x).exp();
        let step = err / d;
        x -= step;
        if step.abs() < 1e-17 {
            break;
        }
    }
    x
}

fn gamma(x: f64) -> f64 {
    if x == x.floor() && x > 0.0 && x < 171.0 {
        return (1..x as u64).fold(1.0, |acc, k| acc * k as f64);
    }
    // Lanczos approximation.
    if x < 0.5 {
        return std::f64::consts::PI / ((std::f64::consts::PI * x).sin() * gamma(1.0 - x));
    }
    const G: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    let x = x - 1.0;
    let mut s = G[0];
    for (i, g) in G.iter().enumerate().skip(1) {
        s += g / (x + i as f64);
    }
    let t = x + 7.5;
    (2.0 * std::f64::consts::PI).sqrt() * t.powf(x + 0.5) * (-t).exp() * s
}

/// Bessel function of the first kind by its power series.
fn bessel_j(n: i64, x: f64) -> f64 {
    // Orders this high are zero to double precision for any argument the
    // series can handle.
    let n = n.clamp(-1000, 1000);
    let (n, sign) = if n < 0 {
        (-n, if n % 2 == 0 { 1.0 } else { -1.0 })
    } else {
        (n, 1.0)
    };
    let half = x / 2.0;
    let mut term = half.powi(n as i32) / gamma(n as f64 + 1.0);
    let mut sum = term;
    for k in 1..200 {
        term *= -half * half / (k as f64 * (k + n) as f64);
        sum += term;
        if term.abs() < 1e-17 * sum.abs() {
            break;
        }
    }
    sign * sum
}

/// Bessel function of the second kind (numerical limit formula).
fn bessel_y(n: i64, x: f64) -> f64 {
    let n = n.clamp(-1000, 1000);
    let nu = n as f64 + 1e-7;
    let j = |v: f64| {
        let half = x / 2.0;
        let mut term = half.powf(v) / gamma(v + 1.0);
        let mut sum = term;
        for k in 1..200 {
            term *= -half * half / (k as f64 * (k as f64 + v));
            sum += term;
        }
        sum
    };
    (j(nu) * (nu * std::f64::consts::PI).cos() - j(-nu)) / (nu * std::f64::consts::PI).sin()
}
