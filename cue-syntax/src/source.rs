//! Source files: names, texts, and byte offset to line/column conversion.

use crate::ast::{self, FileId, Span};
use crate::error::{Location, ParseError};
use std::sync::Arc;

/// One source file.
#[derive(Clone, Debug)]
pub struct SourceFile {
    pub name: String,
    pub text: Arc<str>,
    /// Byte offsets where lines start (the first is 0).
    line_starts: Vec<u32>,
}

impl SourceFile {
    fn new(name: String, text: Arc<str>) -> SourceFile {
        let mut line_starts = vec![0];
        line_starts.extend(
            text.bytes()
                .enumerate()
                .filter(|&(_, b)| b == b'\n')
                .map(|(i, _)| i as u32 + 1),
        );
        SourceFile {
            name,
            text,
            line_starts,
        }
    }

    /// 1-based line and column (in bytes) of a byte offset.
    pub fn line_col(&self, offset: u32) -> (u32, u32) {
        let line = match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        (line as u32 + 1, offset - self.line_starts[line] + 1)
    }
}

/// 1-based line and column (in bytes) of `offset` in `text`, without an index.
pub(crate) fn line_col(text: &str, offset: usize) -> (u32, u32) {
    let offset = offset.min(text.len());
    let before = &text.as_bytes()[..offset];
    let line = before.iter().filter(|&&b| b == b'\n').count() as u32 + 1;
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |p| p + 1);
    (line, (offset - line_start) as u32 + 1)
}

/// Owns the source files of a run and hands out their [`FileId`]s.
#[derive(Clone, Debug, Default)]
pub struct SourceMap {
    files: Vec<SourceFile>,
}

impl SourceMap {
    /// An empty source map.
    pub fn new() -> SourceMap {
        SourceMap::default()
    }

    /// Adds a file and returns its id.
    pub fn add(&mut self, name: impl Into<String>, text: impl Into<Arc<str>>) -> FileId {
        let id = FileId(self.files.len() as u32);
        self.files.push(SourceFile::new(name.into(), text.into()));
        id
    }

    /// The file with this id.
    pub fn get(&self, id: FileId) -> Option<&SourceFile> {
        self.files.get(id.0 as usize)
    }

    /// The file name, or `-` for unknown ids.
    pub fn name(&self, id: FileId) -> &str {
        self.get(id).map_or("-", |f| f.name.as_str())
    }

    /// The file text, or "" for unknown ids.
    pub fn text(&self, id: FileId) -> &str {
        self.get(id).map_or("", |f| &f.text)
    }

    /// The source text a span covers.
    pub fn snippet(&self, span: Span) -> &str {
        self.text(span.file).get(span.range()).unwrap_or("")
    }

    /// 1-based (line, column) of a byte offset in a file; (0, 0) for unknown ids.
    pub fn line_col(&self, id: FileId, offset: u32) -> (u32, u32) {
        self.get(id).map_or((0, 0), |f| f.line_col(offset))
    }

    /// The location of the start of a span.
    pub fn location(&self, span: Span) -> Location {
        let (line, column) = self.line_col(span.file, span.start);
        Location {
            file: self.name(span.file).to_string(),
            line,
            column,
        }
    }

    /// Parses a file of this map; the errors carry its name and text.
    pub fn parse(&self, id: FileId) -> (ast::File, Vec<ParseError>) {
        let (file, errors) = crate::parse_file(id, self.text(id));
        let errors = match self.get(id) {
            Some(f) => errors
                .into_iter()
                .map(|e| e.with_source(&f.name, f.text.clone()))
                .collect(),
            None => errors,
        };
        (file, errors)
    }

    /// Iterates over all files with their ids.
    pub fn iter(&self) -> impl Iterator<Item = (FileId, &SourceFile)> {
        self.files
            .iter()
            .enumerate()
            .map(|(i, f)| (FileId(i as u32), f))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_are_one_based_bytes() {
        let mut map = SourceMap::new();
        let id = map.add("a.cue", "a: 1\nbé: 2\n");
        assert_eq!(map.line_col(id, 0), (1, 1));
        assert_eq!(map.line_col(id, 3), (1, 4));
        assert_eq!(map.line_col(id, 5), (2, 1));
        // `é` is two bytes, so `:` is at column 4.
        assert_eq!(map.line_col(id, 8), (2, 4));
        assert_eq!(line_col("a: 1\nbé: 2\n", 8), (2, 4));
        assert_eq!(map.name(id), "a.cue");
    }
}
