//! `math/bits` (work in progress).

use super::Package;

pub static PACKAGE: Package = Package {
    path: "math/bits",
    cue: None,
    members: &[],
};
