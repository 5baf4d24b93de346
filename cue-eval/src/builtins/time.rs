//! `time` (work in progress).

use super::Package;

pub static PACKAGE: Package = Package {
    path: "time",
    cue: None,
    members: &[],
};
