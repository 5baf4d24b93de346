//! `regexp` (work in progress).

use super::Package;

pub static PACKAGE: Package = Package {
    path: "regexp",
    cue: None,
    members: &[],
};
