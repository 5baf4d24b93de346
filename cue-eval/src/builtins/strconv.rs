//! `strconv` (work in progress).

use super::Package;

pub static PACKAGE: Package = Package {
    path: "strconv",
    cue: None,
    members: &[],
};
