//! CUE evaluator: compiles the AST and evaluates values (the CUE lattice).
pub mod api;
pub mod builtins;
pub mod compile;
pub mod data;
pub mod errors;
pub mod eval;
pub mod export;
pub mod incremental;
pub mod limits;
pub mod load;
pub mod num;
pub mod order;
pub mod print;
pub mod program;
pub mod value;
pub mod view;

#[cfg(test)]
mod txtar_testing;

/// How every error about a misused secret begins (`Compiled::set_secrets`).
pub const SECRET_MISUSE: &str = "a secret cannot be used";
