//! The txtar archive format: an optional comment, then files, each
//! introduced by a marker line `-- NAME --` and running to the next marker.

/// One file of an archive.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct File {
    /// The name between the markers, e.g. `in.cue` or `out/export.json`.
    pub name: String,
    /// The file's text, up to the next marker line.
    pub data: String,
}

/// A parsed archive.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Archive {
    /// Text before the first marker.
    pub comment: String,
    /// Files in archive order.
    pub files: Vec<File>,
}

impl Archive {
    /// The data of the first file called `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.files
            .iter()
            .find(|f| f.name == name)
            .map(|f| f.data.as_str())
    }
}

/// The file name of a marker line, if `line` is one.
fn marker_name(line: &str) -> Option<&str> {
    let line = line.strip_suffix('\r').unwrap_or(line);
    let inner = line.strip_prefix("-- ")?.strip_suffix(" --")?;
    let name = inner.trim();
    (!name.is_empty()).then_some(name)
}

/// Parses an archive; any text is a valid archive.
pub fn parse(text: &str) -> Archive {
    let mut archive = Archive::default();
    let mut current: Option<File> = None;
    let mut buf = String::new();
    for line in text.split_inclusive('\n') {
        let bare = line.strip_suffix('\n').unwrap_or(line);
        if let Some(name) = marker_name(bare) {
            match current.take() {
                Some(mut f) => {
                    f.data = std::mem::take(&mut buf);
                    archive.files.push(f);
                }
                None => archive.comment = std::mem::take(&mut buf),
            }
            current = Some(File {
                name: name.to_string(),
                data: String::new(),
            });
        } else {
            buf.push_str(line);
        }
    }
    match current {
        Some(mut f) => {
            f.data = buf;
            archive.files.push(f);
        }
        None => archive.comment = buf,
    }
    archive
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comment_and_files() {
        let a = parse(
            "# c1\n# c2\n-- in.cue --\na: 1\n\n-- sub/x.cue --\nb: 2\n-- out/export.json --\n{}\n",
        );
        assert_eq!(a.comment, "# c1\n# c2\n");
        let names: Vec<&str> = a.files.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["in.cue", "sub/x.cue", "out/export.json"]);
        assert_eq!(a.get("in.cue"), Some("a: 1\n\n"));
        assert_eq!(a.get("out/export.json"), Some("{}\n"));
        assert_eq!(a.get("missing"), None);
    }

    #[test]
    fn near_markers_are_content() {
        let a = parse("-- a --\n--b --\n-- c\n---- --\n-- d --");
        assert_eq!(a.files.len(), 2, "{a:?}");
        assert_eq!(a.files[0].data, "--b --\n-- c\n---- --\n");
        assert_eq!(a.files[1].name, "d");
        assert_eq!(a.files[1].data, "");
    }

    #[test]
    fn no_markers() {
        let a = parse("just text\n");
        assert_eq!(a.comment, "just text\n");
        assert!(a.files.is_empty());
    }
}
