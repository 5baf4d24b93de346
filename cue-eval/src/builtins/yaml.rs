//! `encoding/yaml` (work in progress).

use super::Package;

pub static PACKAGE: Package = Package {
    path: "encoding/yaml",
    cue: None,
    members: &[],
};
