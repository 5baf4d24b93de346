//! The conformance runner behind `dagger conformance`: reads txtar cases
//! (the layout of `../shared/cue-conformance`), evaluates their inputs with
//! our evaluator and compares with the reference's recorded outputs.

pub mod case;
pub mod compare;
pub mod runner;
pub mod txtar;
