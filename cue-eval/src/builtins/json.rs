//! `encoding/json` (work in progress).

use super::Package;

pub static PACKAGE: Package = Package {
    path: "encoding/json",
    cue: None,
    members: &[],
};
