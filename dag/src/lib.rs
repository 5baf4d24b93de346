//! Plan engine: finds components in an evaluated plan and runs their DAG.
//!
//! Data flows: an evaluated plan ([`plan::Plan`], a tree of [`tree::Node`]s)
//! -> components and their [`graph::Graph`] -> typed ops ([`parse`]) ->
//! [`state::State`] graphs ([`compile`]) -> a [`solver::Solver`] (BuildKit)
//! -> exported values filled back into the plan ([`run`]) -> the printed
//! result ([`output`]).

#[cfg(feature = "buildkit")]
pub mod buildkit;
pub mod compile;
#[cfg(feature = "cue")]
pub mod cue_plan;
#[cfg(feature = "cue")]
pub mod cue_view;
pub mod embedded;
#[cfg(feature = "cue")]
pub mod embedded_fs;
pub mod events;
pub mod fake;
pub mod graph;
pub mod host;
pub mod inputs;
pub mod local;
pub mod memo;
pub mod ops;
pub mod output;
pub mod parse;
pub mod path;
pub mod plan;
pub mod run;
pub mod secrets;
pub mod solver;
pub mod state;
pub mod tree;
