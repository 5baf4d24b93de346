//! Reads what the loader needs from a file's header: the package clause and
//! the import declarations, without parsing the rest of the file.
//!
//! A CUE file starts with optional comments and attributes, then an optional
//! `package name`, then `import` declarations (`import "p"`, `import a "p"`,
//! `import ( ... )`). The scan stops at the first token that is none of these,
//! so a syntax error later in the file is left for the parser to report.
//!
//! This is a lexical scan on purpose (like the reference's `ImportsOnly`
//! parse mode): the loader decides which files form a package before any
//! of them is parsed, and files of other packages are never parsed at all.
//! A test checks that it agrees with `cue_syntax::parse_file` on every
//! input of the conformance corpus.

/// One import spec of a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportSpec {
    /// The local name given before the path, if any.
    pub alias: Option<String>,
    /// The import path, unquoted (may carry a `:name` qualifier).
    pub path: String,
    /// Byte offset of the path literal in the file.
    pub offset: usize,
    /// Byte offset of the whole spec (the alias when there is one, else the
    /// path literal): where the reference reports loading errors.
    pub spec_offset: usize,
}

/// The header of a file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Header {
    /// The package clause's name, if the file has one.
    pub package: Option<String>,
    /// Byte offset of the package name.
    pub package_offset: usize,
    /// The file's imports, in order.
    pub imports: Vec<ImportSpec>,
    /// The expression of a file-level `@if(...)` attribute (before the
    /// package clause): the file is only built when it holds for the tags.
    pub build_if: Option<String>,
}

/// A malformed header (for example an unterminated import list).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeaderError {
    /// What is wrong.
    pub message: String,
    /// Byte offset of the problem.
    pub offset: usize,
}

struct Scanner<'a> {
    src: &'a str,
    pos: usize,
}

impl<'a> Scanner<'a> {
    fn rest(&self) -> &'a str {
        &self.src[self.pos..]
    }

    /// Skips whitespace (newlines included) and `//` comments.
    fn skip_space(&mut self) {
        loop {
            let rest = self.rest();
            let trimmed = rest.trim_start();
            self.pos += rest.len() - trimmed.len();
            if self.rest().starts_with("//") {
                match self.rest().find('\n') {
                    Some(i) => self.pos += i + 1,
                    None => self.pos = self.src.len(),
                }
            } else {
                return;
            }
        }
    }

    fn peek_char(&self) -> Option<char> {
        self.rest().chars().next()
    }

    /// Reads an identifier (letters, digits, `_`, `$`, `#`), if one starts here.
    fn ident(&mut self) -> Option<&'a str> {
        let rest = self.rest();
        let len = rest
            .char_indices()
            .find(|&(i, c)| !(c.is_alphanumeric() || c == '_' || c == '$' || (c == '#' && i == 0)))
            .map(|(i, _)| i)
            .unwrap_or(rest.len());
        if len == 0 || rest.starts_with(|c: char| c.is_ascii_digit()) {
            return None;
        }
        self.pos += len;
        Some(&rest[..len])
    }

    /// Looks at the identifier at the cursor without consuming it.
    fn peek_ident(&mut self) -> Option<&'a str> {
        let save = self.pos;
        let id = self.ident();
        self.pos = save;
        id
    }

    /// Skips an attribute `@name(...)` with balanced parentheses and
    /// returns its name and the text between the parentheses.
    fn skip_attribute(&mut self) -> Result<(String, String), HeaderError> {
        let start = self.pos;
        self.pos += 1; // '@'
        let name = self.ident().unwrap_or("").to_string();
        if self.peek_char() != Some('(') {
            return Ok((name, String::new()));
        }
        let mut depth = 0usize;
        for (i, c) in self.rest().char_indices() {
            match c {
                '(' => depth += 1,
                ')' => {
                    depth -= 1;
                    if depth == 0 {
                        let body = self.rest()[1..i].to_string();
                        self.pos += i + 1;
                        return Ok((name, body));
                    }
                }
                _ => {}
            }
        }
        Err(HeaderError {
            message: "unterminated attribute".into(),
            offset: start,
        })
    }

    /// Reads a double-quoted string literal and unquotes it.
    fn string(&mut self) -> Result<String, HeaderError> {
        let start = self.pos;
        let err = |m: &str| HeaderError {
            message: m.to_string(),
            offset: start,
        };
        if self.peek_char() != Some('"') {
            return Err(err("expected import path string"));
        }
        let mut out = String::new();
        let mut chars = self.rest().char_indices().skip(1);
        while let Some((i, c)) = chars.next() {
            match c {
                '"' => {
                    self.pos += i + 1;
                    return Ok(out);
                }
                '\n' => break,
                '\\' => match chars.next() {
                    Some((_, 'n')) => out.push('\n'),
                    Some((_, 't')) => out.push('\t'),
                    Some((_, '\\')) => out.push('\\'),
                    Some((_, '"')) => out.push('"'),
                    Some((_, '/')) => out.push('/'),
                    _ => return Err(err("unsupported escape in import path")),
                },
                c => out.push(c),
            }
        }
        Err(err("unterminated string literal"))
    }

    fn import_spec(&mut self) -> Result<ImportSpec, HeaderError> {
        let spec_offset = self.pos;
        let alias = if self.peek_char() == Some('"') {
            None
        } else {
            let at = self.pos;
            match self.ident() {
                Some(id) => Some(id.to_string()),
                None => {
                    return Err(HeaderError {
                        message: "expected import path string".into(),
                        offset: at,
                    })
                }
            }
        };
        self.skip_space();
        let offset = self.pos;
        let path = self.string()?;
        Ok(ImportSpec {
            alias,
            path,
            offset,
            spec_offset,
        })
    }
}

/// Scans the header of a CUE file.
pub fn scan(src: &str) -> Result<Header, HeaderError> {
    let mut s = Scanner { src, pos: 0 };
    let mut header = Header::default();
    // Leading attributes (e.g. `@if(foo)`) and the package clause.
    loop {
        s.skip_space();
        if s.peek_char() == Some('@') {
            let (name, body) = s.skip_attribute()?;
            if name == "if" {
                header.build_if = Some(body);
            }
            continue;
        }
        break;
    }
    if s.peek_ident() == Some("package") {
        s.ident();
        s.skip_space();
        let at = s.pos;
        match s.ident() {
            Some(name) if s.peek_char() != Some(':') => {
                header.package = Some(name.to_string());
                header.package_offset = at;
            }
            // `package: ...` is a field named package, not a clause.
            _ => return Ok(header),
        }
    }
    loop {
        s.skip_space();
        if s.peek_char() == Some('@') {
            s.skip_attribute()?;
            continue;
        }
        if s.peek_ident() != Some("import") {
            break;
        }
        let save = s.pos;
        s.ident();
        // Skip spaces but not into something like `import: 1`.
        s.skip_space();
        match s.peek_char() {
            Some('(') => {
                s.pos += 1;
                loop {
                    s.skip_space();
                    match s.peek_char() {
                        Some(')') => {
                            s.pos += 1;
                            break;
                        }
                        Some(',') | Some(';') => s.pos += 1,
                        None => {
                            return Err(HeaderError {
                                message: "unterminated import list".into(),
                                offset: save,
                            })
                        }
                        _ => {
                            let spec = s.import_spec()?;
                            header.imports.push(spec);
                        }
                    }
                }
            }
            Some('"') => header.imports.push(s.import_spec()?),
            Some(c) if c.is_alphabetic() || c == '_' => header.imports.push(s.import_spec()?),
            _ => break,
        }
    }
    Ok(header)
}

/// Evaluates a build-tag expression (`foo`, `!foo`, `a && (b || !c)`)
/// with the given tags set; `None` when it is malformed.
pub fn eval_tags(expr: &str, tags: &[String]) -> Option<bool> {
    struct P<'a> {
        t: &'a [u8],
        i: usize,
        tags: &'a [String],
    }
    impl P<'_> {
        fn ws(&mut self) {
            while self.i < self.t.len() && self.t[self.i].is_ascii_whitespace() {
                self.i += 1;
            }
        }
        fn or(&mut self) -> Option<bool> {
            let mut v = self.and()?;
            loop {
                self.ws();
                if self.t[self.i..].starts_with(b"||") {
                    self.i += 2;
                    let r = self.and()?;
                    v = v || r;
                } else {
                    return Some(v);
                }
            }
        }
        fn and(&mut self) -> Option<bool> {
            let mut v = self.not()?;
            loop {
                self.ws();
                if self.t[self.i..].starts_with(b"&&") {
                    self.i += 2;
                    let r = self.not()?;
                    v = v && r;
                } else {
                    return Some(v);
                }
            }
        }
        fn not(&mut self) -> Option<bool> {
            self.ws();
            match self.t.get(self.i)? {
                b'!' => {
                    self.i += 1;
                    Some(!self.not()?)
                }
                b'(' => {
                    self.i += 1;
                    let v = self.or()?;
                    self.ws();
                    (self.t.get(self.i) == Some(&b')')).then(|| {
                        self.i += 1;
                        v
                    })
                }
                _ => {
                    let start = self.i;
                    while self.i < self.t.len()
                        && (self.t[self.i].is_ascii_alphanumeric() || self.t[self.i] == b'_')
                    {
                        self.i += 1;
                    }
                    let name = std::str::from_utf8(&self.t[start..self.i]).ok()?;
                    (!name.is_empty()).then(|| self.tags.iter().any(|t| t == name))
                }
            }
        }
    }
    let mut p = P {
        t: expr.as_bytes(),
        i: 0,
        tags,
    };
    let v = p.or()?;
    p.ws();
    (p.i == p.t.len()).then_some(v)
}

/// Converts a byte offset in `src` to a 1-based (line, column) pair.
pub fn line_col(src: &str, offset: usize) -> (u32, u32) {
    let offset = offset.min(src.len());
    let before = &src[..offset];
    let line = before.matches('\n').count() + 1;
    let col = match before.rfind('\n') {
        Some(i) => offset - i,
        None => offset + 1,
    };
    (line as u32, col as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn package_and_grouped_imports() {
        let src = "// comment\n@if(x)\npackage foo\n\nimport (\n\t\"strings\"\n\tj \"encoding/json\"\n)\nimport \"list\"\n\na: 1\n";
        let h = scan(src).unwrap();
        assert_eq!(h.package.as_deref(), Some("foo"));
        let paths: Vec<_> = h.imports.iter().map(|i| i.path.as_str()).collect();
        assert_eq!(paths, ["strings", "encoding/json", "list"]);
        assert_eq!(h.imports[1].alias.as_deref(), Some("j"));
        assert_eq!(line_col(src, h.imports[1].offset), (7, 4));
    }

    #[test]
    fn build_tags() {
        let h = scan("@if(foo && !bar)\npackage p\n").unwrap();
        let e = h.build_if.unwrap();
        assert_eq!(eval_tags(&e, &[]), Some(false));
        assert_eq!(eval_tags(&e, &["foo".into()]), Some(true));
        assert_eq!(eval_tags(&e, &["foo".into(), "bar".into()]), Some(false));
        assert_eq!(eval_tags("!(a || b)", &[]), Some(true));
        assert_eq!(eval_tags("a &&", &[]), None);
    }

    #[test]
    fn no_package_clause() {
        let h = scan("import \"x/y\"\n\nfoo: [y]\n").unwrap();
        assert_eq!(h.package, None);
        assert_eq!(h.imports.len(), 1);
        assert_eq!(h.imports[0].path, "x/y");
    }

    #[test]
    fn field_named_package_is_not_a_clause() {
        let h = scan("package: 1\nimport: 2\n").unwrap();
        assert_eq!(h.package, None);
        assert!(h.imports.is_empty());
    }

    #[test]
    fn unterminated_import_list_is_an_error() {
        let e = scan("package a\nimport (\n \"x\"\n").unwrap_err();
        assert!(e.message.contains("unterminated import list"));
    }

    #[test]
    fn stops_at_first_declaration() {
        let h = scan("package a\nx: 1\nimport \"late\"\n").unwrap();
        assert!(h.imports.is_empty());
    }
}
