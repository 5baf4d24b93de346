//! CUE evaluator: compiles the AST and evaluates values (the CUE lattice).
pub mod builtins;
pub mod data;
pub mod export;
pub mod load;
pub mod num;
pub mod order;
