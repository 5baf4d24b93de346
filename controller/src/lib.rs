//! Controllers kept on disk: a plan, its inputs and its computed outputs in
//! `.dagger/<name>/`, brought up to date by `dagger up`.
//!
//! [`store`] finds and creates controllers, [`state`] is the stored format
//! (documented in `STATE.md`), [`lock`] guards a controller against two
//! writers, [`secret_box`] keeps secrets out of the state in clear text,
//! [`inputs`] turns stored inputs into the plan engine's inputs, [`up`]
//! recomputes what changed and records the run in the history.

pub mod atomic;
pub mod history;
pub mod images;
pub mod inputs;
pub mod lock;
pub mod plan_source;
pub mod secret_box;
pub mod state;
pub mod store;
pub mod time;
pub mod up;
