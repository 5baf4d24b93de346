//! BuildKit LLB construction and client.

pub mod client;
pub mod digest;
pub mod dump;
pub mod marshal;
pub mod ops;

pub use digest::Digest;
pub use marshal::MarshalOptions;
pub use ops::{BuildError, Platform, State};
