//! `math` (work in progress).

use super::Package;

pub static PACKAGE: Package = Package {
    path: "math",
    cue: None,
    members: &[],
};
