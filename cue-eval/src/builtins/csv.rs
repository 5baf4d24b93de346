//! `encoding/csv` (work in progress).

use super::Package;

pub static PACKAGE: Package = Package {
    path: "encoding/csv",
    cue: None,
    members: &[],
};
