//! Encoders and decoders between [`Data`](crate::data::Data) and text:
//! JSON and YAML exactly as `cue export` writes them, and readers for JSON
//! and YAML input.

pub mod json;
pub(crate) mod json_decode;
pub mod yaml;
pub(crate) mod yaml_decode;

#[cfg(test)]
mod corpus_tests;
