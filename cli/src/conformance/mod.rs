//! The conformance runners behind `dagger conformance`: txtar cases (the
//! layout of `../shared/cue-conformance`) whose inputs our evaluator
//! evaluates and compares with the reference's recorded outputs, and the
//! CUE command-line suite (`testdata/cue-cli`), whose `cue` commands run as
//! `dagger` commands and are compared with what the reference printed.

pub mod case;
pub mod cli_case;
pub mod cli_runner;
pub mod compare;
mod parallel;
pub mod runner;
pub mod txtar;
