//! `encoding/hex` (work in progress).

use super::Package;

pub static PACKAGE: Package = Package {
    path: "encoding/hex",
    cue: None,
    members: &[],
};
