//! Pure LLB construction: sources, execs, file ops and the Dockerfile
//! frontend request, built as an immutable graph of [`State`]s. Nothing here
//! touches the network; [`crate::marshal`] turns a state into a
//! `pb::Definition`.
//!
//! ```
//! use llb::ops::{source, Exec, FileAction, Mount};
//! use llb::{MarshalOptions, Platform};
//!
//! let base = source::image("busybox").unwrap();
//! let out = base
//!     .exec(Exec::new(["sh", "-c", "echo hi > /out"]).mount("/tmp", Mount::tmpfs()))
//!     .unwrap()
//!     .root()
//!     .file(FileAction::mkdir("/data", 0o755, true));
//! let def = out.marshal(&MarshalOptions::for_platform(Platform::linux_amd64()));
//! assert_eq!(def.def.len(), 4); // image, exec, mkdir, terminal
//! ```

pub mod caps;
pub mod error;
pub mod exec;
pub mod file;
pub mod frontend;
pub mod git_url;
pub mod image_config;
pub mod path;
pub mod platform;
pub mod reference;
pub mod source;
pub mod state;

pub use error::BuildError;
pub use exec::{CacheSharing, Exec, ExecState, Mount, Network};
pub use file::{Copy, FileAction, FileOpBuilder};
pub use frontend::{DockerBuild, FrontendRequest};
pub use image_config::ImageConfig;
pub use platform::Platform;
pub use reference::ImageReference;
pub use source::{Git, Image, Local, ResolveMode};
pub use state::{component_op_name, OpMeta, State};
