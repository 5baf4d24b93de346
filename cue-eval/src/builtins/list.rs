//! `list`: slicing, flattening, aggregates over number lists, sorting (with
//! a comparator struct, through the [`Host`]) and list validators.
//!
//! Aggregates follow the reference's decimal results: the kind of a
//! computed number is `int` when its exponent is not negative (`3`), else
//! `float` (`3.0`, `1.5`).

use super::args::{self, fail};
use super::{func, host_func, BuiltinError, Host, HostValue, Kind, Package};
use crate::data::Data;
use crate::num::{NumKind, Number};

const P: &str = "list";
const L: Kind = Kind::LIST;
const I: Kind = Kind::INT;
const B: Kind = Kind::BOOL;
const N: Kind = Kind::NUMBER;
const T: Kind = Kind::TOP;

type R = Result<Data, BuiltinError>;

pub static PACKAGE: Package = Package {
    path: P,
    cue: Some(
        "Comparer: {\n\tT: _\n\tx: T\n\ty: T\n\tless: bool\n}\n\
         Ascending: {\n\tComparer\n\tT: number | string\n\tx: T\n\ty: T\n\tless: true && (x < y)\n}\n\
         Descending: {\n\tComparer\n\tT: number | string\n\tx: T\n\ty: T\n\tless: (x > y)\n}\n",
    ),
    members: &[
        func!(P, "Drop", [L, I], L, drop),
        func!(P, "FlattenN", [T, I], L, flatten_n),
        func!(P, "Repeat", [L, I], L, repeat),
        func!(P, "Concat", [L], L, concat),
        func!(P, "Take", [L, I], L, take),
        func!(P, "Slice", [L, I, I], L, slice),
        func!(P, "MinItems", [L, I], B, min_items),
        func!(P, "MaxItems", [L, I], B, max_items),
        func!(P, "UniqueItems", [L], B, unique_items),
        func!(P, "Contains", [L, T], B, contains),
        func!(P, "Avg", [L], N, avg),
        func!(P, "Max", [L], N, max),
        func!(P, "Min", [L], N, min),
        func!(P, "Product", [L], N, product),
        func!(P, "Range", [N, N, N], L, range),
        func!(P, "Sum", [L], N, sum),
        host_func!(P, "Sort", [L, T], L, sort),
        host_func!(P, "SortStable", [L, T], L, sort),
        func!(P, "SortStrings", [L], L, sort_strings),
        host_func!(P, "IsSorted", [L, T], B, is_sorted),
        func!(P, "IsSortedStrings", [L], B, is_sorted_strings),
    ],
};

/// A computed decimal as the reference returns it: int kind unless the
/// exponent is negative.
pub(crate) fn decimal(n: Number) -> Data {
    let kind = if n.exponent() >= 0 {
        NumKind::Int
    } else {
        NumKind::Float
    };
    Data::Number(n.with_kind(kind))
}

fn drop(a: &[Data]) -> R {
    let (x, n) = (args::list(a, 0)?, args::int(a, 1)?);
    if n < 0 {
        return fail("negative index");
    }
    Ok(Data::List(x.get(n as usize..).unwrap_or(&[]).to_vec()))
}

fn flatten(xs: &[Data], depth: i64, out: &mut Vec<Data>) {
    for x in xs {
        match x {
            Data::List(inner) if depth != 0 => flatten(inner, depth.saturating_sub(1), out),
            other => out.push(other.clone()),
        }
    }
}

fn flatten_n(a: &[Data]) -> R {
    let depth = args::int(a, 1)?;
    match args::any(a, 0)? {
        Data::List(xs) => {
            let mut out = Vec::new();
            flatten(xs, depth, &mut out);
            Ok(Data::List(out))
        }
        other => Err(BuiltinError::ArgKind {
            index: 0,
            value: args::short_text(other),
            found: Kind::of(other),
            expected: Kind::LIST,
        }),
    }
}

fn repeat(a: &[Data]) -> R {
    let (x, n) = (args::list(a, 0)?, args::int(a, 1)?);
    if n < 0 {
        return fail("negative count");
    }
    args::check_elems(x.len() as u128 * n as u128)?;
    let mut out = Vec::with_capacity(x.len().saturating_mul(n as usize));
    if x.is_empty() {
        return Ok(Data::List(out));
    }
    for _ in 0..n {
        out.extend_from_slice(x);
    }
    Ok(Data::List(out))
}

fn concat(a: &[Data]) -> R {
    let mut out = Vec::new();
    for x in args::list(a, 0)? {
        match x {
            Data::List(inner) => out.extend_from_slice(inner),
            other => {
                return fail(format!(
                    "cannot use value {} (type {}) as list",
                    args::short_text(other),
                    Kind::of(other)
                ));
            }
        }
    }
    Ok(Data::List(out))
}

fn take(a: &[Data]) -> R {
    let (x, n) = (args::list(a, 0)?, args::int(a, 1)?);
    if n < 0 {
        return fail("negative index");
    }
    Ok(Data::List(x[..(n as usize).min(x.len())].to_vec()))
}

fn slice(a: &[Data]) -> R {
    let (x, i, j) = (args::list(a, 0)?, args::int(a, 1)?, args::int(a, 2)?);
    if i < 0 {
        return fail("negative index");
    }
    if i > j {
        return fail(format!("invalid index: {i} > {j}"));
    }
    if i as usize > x.len() || j as usize > x.len() {
        return fail("slice bounds out of range");
    }
    Ok(Data::List(x[i as usize..j as usize].to_vec()))
}

fn min_items(a: &[Data]) -> R {
    Ok(Data::Bool(
        args::list(a, 0)?.len() as i64 >= args::int(a, 1)?,
    ))
}

fn max_items(a: &[Data]) -> R {
    Ok(Data::Bool(
        args::list(a, 0)?.len() as i64 <= args::int(a, 1)?,
    ))
}

fn unique_items(a: &[Data]) -> R {
    // The reference compares the values' printed forms.
    let mut texts: Vec<String> = args::list(a, 0)?.iter().map(args::short_text).collect();
    texts.sort();
    Ok(Data::Bool(texts.windows(2).all(|w| w[0] != w[1])))
}

fn contains(a: &[Data]) -> R {
    let v = args::any(a, 1)?;
    Ok(Data::Bool(args::list(a, 0)?.iter().any(|w| equal(w, v))))
}

/// CUE value equality of concrete data: numbers must also agree in kind
/// (`1` is not `1.0`); struct field order does not matter.
pub(crate) fn equal(a: &Data, b: &Data) -> bool {
    match (a, b) {
        (Data::Number(x), Data::Number(y)) => x.kind() == y.kind() && x == y,
        (Data::List(x), Data::List(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| equal(p, q))
        }
        (Data::Struct(x), Data::Struct(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.iter().any(|(k2, v2)| k == k2 && equal(v, v2)))
        }
        _ => a == b,
    }
}

fn sum_of(xs: &[&Number]) -> Number {
    xs.iter().fold(Number::from_i64(0), |acc, x| acc.add(x))
}

fn sum(a: &[Data]) -> R {
    Ok(decimal(sum_of(&args::number_list(a, 0)?)))
}

fn product(a: &[Data]) -> R {
    let xs = args::number_list(a, 0)?;
    Ok(decimal(
        xs.iter().fold(Number::from_i64(1), |acc, x| acc.mul(x)),
    ))
}

fn avg(a: &[Data]) -> R {
    let xs = args::number_list(a, 0)?;
    if xs.is_empty() {
        return fail("empty list");
    }
    match sum_of(&xs).div(&Number::from_i64(xs.len() as i64)) {
        Ok(n) => Ok(decimal(n)),
        Err(e) => fail(e.to_string()),
    }
}

fn extreme(a: &[Data], want: std::cmp::Ordering) -> R {
    let xs = args::number_list(a, 0)?;
    let Some(first) = xs.first() else {
        return fail("empty list");
    };
    let mut best = *first;
    for x in &xs[1..] {
        if x.cmp_value(best) == want {
            best = x;
        }
    }
    Ok(decimal(best.clone()))
}

fn max(a: &[Data]) -> R {
    extreme(a, std::cmp::Ordering::Greater)
}

fn min(a: &[Data]) -> R {
    extreme(a, std::cmp::Ordering::Less)
}

fn range(a: &[Data]) -> R {
    let (start, limit, step) = (
        args::number(a, 0)?,
        args::number(a, 1)?,
        args::number(a, 2)?,
    );
    if step.is_zero() {
        return fail("step must be non zero");
    }
    let up = !step.is_negative();
    if up && start > limit {
        return fail("end must be greater than start when step is positive");
    }
    if !up && start < limit {
        return fail("end must be less than start when step is negative");
    }
    // Refuse ranges too large to hold, before building them.
    let max = Number::from_i64(crate::limits::MAX_LIST_ELEMS as i64);
    match limit.sub(start).div(step) {
        Ok(q) if q <= max => {}
        Ok(q) => {
            return fail(format!(
                "result of {} elements is too large (the limit is {max})",
                q.to_bigint()
                    .map_or_else(|| q.to_string(), |c| c.to_string())
            ))
        }
        Err(e) => return fail(e.to_string()),
    }
    let mut out = Vec::new();
    let mut n = start.clone();
    while (up && n < *limit) || (!up && n > *limit) {
        out.push(decimal(n.clone()));
        n = step.add(&n);
    }
    Ok(Data::List(out))
}

fn sort(h: &mut dyn Host, a: &[HostValue]) -> R {
    let list = match h.data(a[0])? {
        Data::List(l) => l,
        other => {
            return Err(BuiltinError::ArgKind {
                index: 0,
                value: args::short_text(&other),
                found: Kind::of(&other),
                expected: Kind::LIST,
            })
        }
    };
    let mut err = None;
    let mut sorted = list;
    // Stable sort asks only "is b before a"; a failed comparison counts as
    // "less", as in the reference, and the first error is reported.
    sorted.sort_by(|x, y| match h.less(a[1], x, y) {
        Ok(true) => std::cmp::Ordering::Less,
        Ok(false) => std::cmp::Ordering::Greater,
        Err(e) => {
            err.get_or_insert(e);
            std::cmp::Ordering::Less
        }
    });
    match err {
        Some(e) => Err(e),
        None => Ok(Data::List(sorted)),
    }
}

fn is_sorted(h: &mut dyn Host, a: &[HostValue]) -> R {
    let Data::List(list) = h.data(a[0])? else {
        return fail("not a list");
    };
    for w in list.windows(2) {
        if h.less(a[1], &w[1], &w[0]).unwrap_or(true) {
            return Ok(Data::Bool(false));
        }
    }
    Ok(Data::Bool(true))
}

fn sort_strings(a: &[Data]) -> R {
    let mut xs = args::string_list(a, 0)?;
    xs.sort();
    args::ok_strings(xs)
}

fn is_sorted_strings(a: &[Data]) -> R {
    let xs = args::string_list(a, 0)?;
    Ok(Data::Bool(xs.windows(2).all(|w| w[0] <= w[1])))
}
