//! `path` (work in progress).

use super::Package;

pub static PACKAGE: Package = Package {
    path: "path",
    cue: None,
    members: &[],
};
