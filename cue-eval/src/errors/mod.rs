//! Errors reported by evaluation: a path, a message in the reference's
//! wording and source positions. Rendering (`cue`-style report, sorting and
//! collapsing) lives in `report.rs`.

mod report;

use std::fmt;

/// A source position, 1-based.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Position {
    /// File name as given to the evaluator (e.g. `in.cue`).
    pub file: String,
    pub line: u32,
    pub col: u32,
}

/// One error.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    /// Field path of the value where the error arose (`["a", "b"]`).
    pub path: Vec<String>,
    /// The message, without path or positions.
    pub message: String,
    /// The primary position first, then related ones. A first position
    /// with line 0 means the error has no primary position (conflicts),
    /// which decides where the report sorts it (see `report.rs`).
    pub positions: Vec<Position>,
}

impl Error {
    /// An error without positions.
    pub fn new(path: Vec<String>, message: impl Into<String>) -> Error {
        Error {
            path,
            message: message.into(),
            positions: Vec::new(),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.path.is_empty() {
            write!(f, "{}: ", self.path.join("."))?;
        }
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

/// A list of errors.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Errors(pub Vec<Error>);

impl fmt::Display for Errors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for e in &self.0 {
            writeln!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Errors {}

impl From<Error> for Errors {
    fn from(e: Error) -> Errors {
        Errors(vec![e])
    }
}
