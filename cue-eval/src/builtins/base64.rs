//! `encoding/base64` (work in progress).

use super::Package;

pub static PACKAGE: Package = Package {
    path: "encoding/base64",
    cue: None,
    members: &[],
};
