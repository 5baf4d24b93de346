//! `struct`: field-count validators. They count regular fields of a struct
//! that may still grow, so they ask the [`Host`].

use super::args;
use super::{host_func, BuiltinError, Host, HostValue, Kind, Package};
use crate::data::Data;

const P: &str = "struct";

type R = Result<Data, BuiltinError>;

pub static PACKAGE: Package = Package {
    path: P,
    cue: None,
    members: &[
        host_func!(
            P,
            "MinFields",
            [Kind::STRUCT, Kind::INT],
            Kind::BOTTOM,
            min_fields
        ),
        host_func!(
            P,
            "MaxFields",
            [Kind::STRUCT, Kind::INT],
            Kind::BOOL,
            max_fields
        ),
    ],
};

fn limit(h: &mut dyn Host, v: HostValue) -> Result<i64, BuiltinError> {
    let d = h.data(v)?;
    args::int(std::slice::from_ref(&d), 0)
}

/// Too few fields is incomplete, not failed: more may still be added.
fn min_fields(h: &mut dyn Host, a: &[HostValue]) -> R {
    let n = limit(h, a[1])?;
    let (count, _open) = h.field_count(a[0])?;
    if (count as i64) < n {
        return Err(BuiltinError::Incomplete(format!(
            "len(fields) < MinFields({n}) ({count} < {n})"
        )));
    }
    Ok(Data::Bool(true))
}

fn max_fields(h: &mut dyn Host, a: &[HostValue]) -> R {
    let n = limit(h, a[1])?;
    let (count, _) = h.field_count(a[0])?;
    Ok(Data::Bool(count as i64 <= n))
}
