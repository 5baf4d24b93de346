//! `uuid` (work in progress).

use super::Package;

pub static PACKAGE: Package = Package {
    path: "uuid",
    cue: None,
    members: &[],
};
