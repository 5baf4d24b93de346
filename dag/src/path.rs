//! Paths from the plan root: field labels and list indices.

use std::fmt;

/// One step of a [`Path`].
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Seg {
    /// A field label as written in CUE, definitions keep their `#` (`#compute`),
    /// hidden fields their `_`.
    Field(String),
    /// A list element.
    Index(usize),
}

/// A value's location in the evaluated plan; the empty path is the root.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Path(pub Vec<Seg>);

impl Path {
    /// The root of the plan.
    pub fn root() -> Path {
        Path(Vec::new())
    }

    /// Parses a dotted path as given on the command line (`a.b."c-d"`); list
    /// indices are written `[0]`. Returns `None` for malformed text.
    pub fn parse(text: &str) -> Option<Path> {
        let mut segs = Vec::new();
        let mut chars = text.chars().peekable();
        let mut expect_label = true;
        while let Some(&c) = chars.peek() {
            if c == '[' {
                chars.next();
                let mut digits = String::new();
                for c in chars.by_ref() {
                    if c == ']' {
                        break;
                    }
                    digits.push(c);
                }
                segs.push(Seg::Index(digits.parse().ok()?));
                expect_label = false;
            } else if c == '.' {
                if expect_label {
                    return None;
                }
                chars.next();
                expect_label = true;
            } else if expect_label && c == '"' {
                chars.next();
                let mut label = String::new();
                loop {
                    match chars.next()? {
                        '"' => break,
                        '\\' => label.push(chars.next()?),
                        c => label.push(c),
                    }
                }
                segs.push(Seg::Field(label));
                expect_label = false;
            } else if expect_label {
                let mut label = String::new();
                while let Some(&c) = chars.peek() {
                    if c == '.' || c == '[' {
                        break;
                    }
                    label.push(c);
                    chars.next();
                }
                if !is_identifier(&label) {
                    return None;
                }
                segs.push(Seg::Field(label));
                expect_label = false;
            } else {
                return None;
            }
        }
        if expect_label && !segs.is_empty() {
            return None;
        }
        Some(Path(segs))
    }

    /// This path extended by one field.
    pub fn field(&self, label: &str) -> Path {
        let mut segs = self.0.clone();
        segs.push(Seg::Field(label.to_string()));
        Path(segs)
    }

    /// This path extended by one list index.
    pub fn index(&self, i: usize) -> Path {
        let mut segs = self.0.clone();
        segs.push(Seg::Index(i));
        Path(segs)
    }

    /// Whether `self` is `other` or lies inside it.
    pub fn starts_with(&self, other: &Path) -> bool {
        self.0.starts_with(&other.0)
    }

    /// Whether this is the root path.
    pub fn is_root(&self) -> bool {
        self.0.is_empty()
    }

    /// The field labels of this path, if it has no list index (as needed to
    /// write a CUE field `a: b: value`).
    pub fn labels(&self) -> Option<Vec<&str>> {
        self.0
            .iter()
            .map(|s| match s {
                Seg::Field(l) => Some(l.as_str()),
                Seg::Index(_) => None,
            })
            .collect()
    }
}

/// Whether `label` can be written without quotes in CUE.
pub fn is_identifier(label: &str) -> bool {
    let body = label.strip_prefix("#").unwrap_or(label);
    let body = body
        .strip_prefix('_')
        .map_or(body, |b| if b.is_empty() { "_" } else { b });
    let mut chars = body.chars();
    match chars.next() {
        Some(c) if c.is_alphabetic() || c == '_' || c == '$' => {}
        _ => return false,
    }
    chars.all(|c| c.is_alphanumeric() || c == '_' || c == '$')
}

/// Writes `label` as CUE source: bare when it is an identifier, quoted otherwise.
pub fn quote_label(label: &str) -> String {
    if is_identifier(label) {
        label.to_string()
    } else {
        serde_json::to_string(label).unwrap_or_else(|_| format!("\"{label}\""))
    }
}

impl fmt::Display for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return f.write_str("<root>");
        }
        for (i, seg) in self.0.iter().enumerate() {
            match seg {
                Seg::Field(l) => {
                    if i > 0 {
                        f.write_str(".")?;
                    }
                    f.write_str(&quote_label(l))?;
                }
                Seg::Index(n) => write!(f, "[{n}]")?,
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_quotes_labels_that_are_not_identifiers() {
        let p = Path::root()
            .field("a")
            .field("my-x")
            .field("#compute")
            .index(2);
        assert_eq!(p.to_string(), r##"a."my-x".#compute[2]"##);
        assert_eq!(Path::root().to_string(), "<root>");
    }

    #[test]
    fn parse_round_trips_display() {
        for text in ["a", "a.b", r#"a."my-x".c"#, "a.#compute[1].from", "_h.x"] {
            let p = Path::parse(text).unwrap_or_else(|| panic!("{text}"));
            assert_eq!(p.to_string(), text);
        }
        assert_eq!(Path::parse(""), Some(Path::root()));
    }

    #[test]
    fn parse_rejects_malformed_paths() {
        for text in ["a..b", ".a", "a.", "a-b", "1a"] {
            assert_eq!(Path::parse(text), None, "{text}");
        }
    }
}
