//! `text/template` (work in progress).

use super::Package;

pub static PACKAGE: Package = Package {
    path: "text/template",
    cue: None,
    members: &[],
};
