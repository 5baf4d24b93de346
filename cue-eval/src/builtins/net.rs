//! `net` (work in progress).

use super::Package;

pub static PACKAGE: Package = Package {
    path: "net",
    cue: None,
    members: &[],
};
