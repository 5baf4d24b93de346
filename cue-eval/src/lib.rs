//! CUE evaluator: compiles the AST and evaluates values (the CUE lattice).
pub mod num;
pub mod data;
pub mod export;
pub mod order;
