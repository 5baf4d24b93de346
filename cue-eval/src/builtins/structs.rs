//! `struct` (work in progress).

use super::Package;

pub static PACKAGE: Package = Package {
    path: "struct",
    cue: None,
    members: &[],
};
