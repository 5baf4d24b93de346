//! `text/tabwriter` (work in progress).

use super::Package;

pub static PACKAGE: Package = Package {
    path: "text/tabwriter",
    cue: None,
    members: &[],
};
