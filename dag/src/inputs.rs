//! User inputs (`--input-*` flags) and exported values, turned into CUE
//! source that is unified with the plan.

use crate::output::json_string;
use crate::path::{quote_label, Path};

/// One input given on the command line.
#[derive(Clone, Debug, PartialEq)]
pub enum Input {
    /// `--input-string PATH=TEXT`
    String { path: Path, text: String },
    /// `--input-secret PATH=@FILE|env:VAR|-|VALUE`: a string that reaches
    /// containers only through secret mounts or env (see `secrets.rs`) and
    /// is printed as `<secret>`.
    Secret {
        path: Path,
        value: crate::state::SecretValue,
    },
    /// `--input-dir PATH=DIR`: the field becomes an artifact whose op is `local`.
    Dir { path: Path, dir: String },
    /// `--input-git PATH=REMOTE#REF`
    Git {
        path: Path,
        remote: String,
        reference: String,
    },
    /// `--input-cue CUE`
    Cue(String),
    /// `--input-json JSON`
    Json(String),
    /// `--input-yaml YAML`
    Yaml(String),
    /// `--input-cue|json|yaml` read from a file (`@FILE`) or standard input
    /// (`-`), at the root or placed at a field path (`PATH=@FILE`,
    /// `PATH=-`).
    Document {
        format: Format,
        /// Where the document goes; the root when `None`.
        path: Option<Path>,
        /// The document's text.
        text: String,
        /// The flag's value as given (`cfg=@site.yaml`), for messages.
        given: String,
    },
}

/// The language of an `--input-cue|json|yaml` document.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Cue,
    Json,
    Yaml,
}

impl Format {
    /// The flag that takes documents of this format.
    pub fn flag(self) -> &'static str {
        match self {
            Format::Cue => "--input-cue",
            Format::Json => "--input-json",
            Format::Yaml => "--input-yaml",
        }
    }
}

/// Standard input, read once per process: `-` may be given to several
/// flags (every one sees the same text), and inputs are parsed more than
/// once.
fn stdin_text() -> Result<String, String> {
    static STDIN: std::sync::OnceLock<Result<String, String>> = std::sync::OnceLock::new();
    STDIN
        .get_or_init(|| {
            let mut text = String::new();
            std::io::Read::read_to_string(&mut std::io::stdin(), &mut text)
                .map(|_| text)
                .map_err(|e| format!("cannot read standard input: {e}"))
        })
        .clone()
}

/// The value of `--input-secret PATH=SOURCE`: `@FILE` is the file's
/// contents (one trailing newline dropped), `env:VAR` the variable's value,
/// `-` standard input (one trailing newline dropped); anything else is the
/// value itself, visible to other local users in the process list.
fn secret_value(source: &str) -> Result<String, String> {
    let trim = |mut s: String| {
        if s.ends_with('\n') {
            s.pop();
            if s.ends_with('\r') {
                s.pop();
            }
        }
        s
    };
    if let Some(file) = source.strip_prefix('@') {
        return std::fs::read_to_string(file)
            .map(trim)
            .map_err(|e| format!("cannot read secret file {file:?}: {e}"));
    }
    if let Some(var) = source.strip_prefix("env:") {
        return std::env::var(var)
            .map_err(|_| format!("environment variable {var:?} is not set (or not UTF-8)"));
    }
    if source == "-" {
        return stdin_text()
            .map(trim)
            .map_err(|e| format!("cannot read the secret: {e}"));
    }
    Ok(source.to_string())
}

/// A malformed input.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{flag}: {message}")]
pub struct InputError {
    pub flag: &'static str,
    pub message: String,
}

impl Input {
    /// Parses the value of `--input-KIND` (`kind` is `string`, `dir`, ...).
    /// Relative directories are made absolute against `cwd`.
    pub fn parse(kind: &str, value: &str, cwd: &std::path::Path) -> Result<Input, InputError> {
        let flag = match kind {
            "string" => "--input-string",
            "secret" => "--input-secret",
            "dir" => "--input-dir",
            "git" => "--input-git",
            "cue" => return document(Format::Cue, value, cwd),
            "json" => return document(Format::Json, value, cwd),
            "yaml" => return document(Format::Yaml, value, cwd),
            _ => "--input",
        };
        let err = |message: String| InputError { flag, message };
        let (p, rest) = value
            .split_once('=')
            .ok_or_else(|| err(format!("expected PATH=VALUE, found {value:?}")))?;
        let path = Path::parse(p).filter(|p| !p.is_root() && p.labels().is_some());
        let path = path.ok_or_else(|| err(format!("{p:?} is not a field path like a.b.c")))?;
        Ok(match kind {
            "string" => Input::String {
                path,
                text: rest.to_string(),
            },
            "secret" => Input::Secret {
                path,
                value: crate::state::SecretValue(secret_value(rest).map_err(err)?),
            },
            "dir" => {
                let dir = cwd.join(rest);
                if !dir.is_dir() {
                    return Err(err(format!("{rest:?} is not a directory")));
                }
                Input::Dir {
                    path,
                    dir: dir.to_string_lossy().into_owned(),
                }
            }
            _ => {
                let (remote, reference) = match rest.rsplit_once('#') {
                    Some((r, f)) if !f.is_empty() => (r, f),
                    _ => (rest, "HEAD"),
                };
                Input::Git {
                    path,
                    remote: remote.to_string(),
                    reference: reference.to_string(),
                }
            }
        })
    }

    /// The input as CUE source (without a package clause).
    pub fn to_cue(&self) -> Result<String, InputError> {
        Ok(match self {
            Input::String { path, text } => field(path, &json_string(text)),
            Input::Secret { path, value } => field(path, &json_string(&value.0)),
            Input::Dir { path, dir } => field(
                path,
                &format!(
                    "{{#compute: [{{do: \"local\", dir: {}, include: []}}]}}",
                    json_string(dir)
                ),
            ),
            Input::Git {
                path,
                remote,
                reference,
            } => field(
                path,
                &format!(
                    "{{#compute: [{{do: \"fetch-git\", remote: {}, ref: {}}}]}}",
                    json_string(remote),
                    json_string(reference)
                ),
            ),
            Input::Cue(src) => src.clone(),
            Input::Json(src) => {
                serde_json::from_str::<serde_json::Value>(src).map_err(|e| InputError {
                    flag: "--input-json",
                    message: format!("invalid JSON: {e}"),
                })?;
                src.clone()
            }
            Input::Yaml(src) => {
                let v: serde_json::Value = serde_yaml::from_str(src).map_err(|e| InputError {
                    flag: "--input-yaml",
                    message: format!("invalid YAML: {e}"),
                })?;
                if !v.is_object() {
                    return Err(InputError {
                        flag: "--input-yaml",
                        message: "expected a mapping at the top level".into(),
                    });
                }
                json_value_to_cue(&v)
            }
            Input::Document {
                format,
                path,
                text,
                given,
            } => {
                let err = |message: String| InputError {
                    flag: format.flag(),
                    message: format!("{given}: {message}"),
                };
                match format {
                    Format::Cue => {
                        let body = without_package_clause(text);
                        let body = body.as_str();
                        match path {
                            None => body.to_string(),
                            Some(path) => {
                                if body.lines().any(|l| l.trim_start().starts_with("import")) {
                                    return Err(err("a CUE document with imports can only be given at the root (without PATH=)".into()));
                                }
                                field(path, &format!("{{\n{body}\n}}"))
                            }
                        }
                    }
                    Format::Json | Format::Yaml => {
                        let v: serde_json::Value = if *format == Format::Json {
                            serde_json::from_str(text)
                                .map_err(|e| err(format!("invalid JSON: {e}")))?
                        } else {
                            serde_yaml::from_str(text)
                                .map_err(|e| err(format!("invalid YAML: {e}")))?
                        };
                        match path {
                            Some(path) => field(path, &json_value_to_cue(&v)),
                            None if v.is_object() => json_value_to_cue(&v),
                            None => {
                                return Err(err(
                                    "expected an object (a mapping) at the top level; give PATH=@FILE to place another value".into(),
                                ))
                            }
                        }
                    }
                }
            }
        })
    }
}

/// `text` with its `package NAME` clause (the first line that is not blank
/// or a comment) blanked: a CUE file of any package can be given, and
/// becomes part of the plan's package. Lines keep their numbers.
fn without_package_clause(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut seen_code = false;
    for line in text.split_inclusive('\n') {
        let t = line.trim_start();
        if !seen_code && !t.is_empty() && !t.starts_with("//") {
            seen_code = true;
            if t.strip_prefix("package")
                .is_some_and(|r| r.starts_with(char::is_whitespace))
            {
                out.push_str(if line.ends_with('\n') { "\n" } else { "" });
                continue;
            }
        }
        out.push_str(line);
    }
    out
}

/// Parses the value of `--input-cue|json|yaml`: `-` (standard input),
/// `@FILE`, `PATH=@FILE` or `PATH=-` (the document at a field path), else
/// the document itself. For JSON and YAML, a value that is no document but
/// names an existing file, alone or after `PATH=`, is read as that file, as
/// the original's flags took file names.
fn document(format: Format, value: &str, cwd: &std::path::Path) -> Result<Input, InputError> {
    let err = |message: String| InputError {
        flag: format.flag(),
        message,
    };
    let read = |source: &str| -> Result<String, InputError> {
        if source == "-" {
            return stdin_text().map_err(|e| err(format!("{value}: {e}")));
        }
        let file = source.strip_prefix('@').unwrap_or(source);
        std::fs::read_to_string(cwd.join(file))
            .map_err(|e| err(format!("cannot read {file:?}: {e}")))
    };
    let placed = |path: Option<Path>, text: String| Input::Document {
        format,
        path,
        text,
        given: value.to_string(),
    };
    if value == "-" || value.starts_with('@') {
        return Ok(placed(None, read(value)?));
    }
    // PATH=@FILE or PATH=- (a path never holds '=' unquoted; a document
    // that starts like one is inline text).
    let split = value.split_once('=').and_then(|(p, rest)| {
        Some((
            Path::parse(p).filter(|p| !p.is_root() && p.labels().is_some())?,
            rest,
        ))
    });
    if let Some((path, rest)) = &split {
        if *rest == "-" || rest.starts_with('@') {
            return Ok(placed(Some(path.clone()), read(rest)?));
        }
    }
    if format != Format::Cue {
        let parses = match format {
            Format::Json => {
                serde_json::from_str::<serde_json::Value>(value).is_ok_and(|v| v.is_object())
            }
            _ => serde_yaml::from_str::<serde_json::Value>(value).is_ok_and(|v| v.is_object()),
        };
        if !parses {
            if cwd.join(value).is_file() {
                return Ok(placed(None, read(value)?));
            }
            if let Some((path, rest)) = split {
                if cwd.join(rest).is_file() {
                    return Ok(placed(Some(path), read(rest)?));
                }
            }
        }
    }
    Ok(match format {
        Format::Cue => Input::Cue(value.to_string()),
        Format::Json => Input::Json(value.to_string()),
        Format::Yaml => Input::Yaml(value.to_string()),
    })
}

/// CUE source `a: b: VALUE` for a field path without list indices.
pub fn field(path: &Path, value: &str) -> String {
    let labels = path.labels().unwrap_or_default();
    let mut s = String::new();
    for l in labels {
        s.push_str(&quote_label(l));
        s.push_str(": ");
    }
    s.push_str(value);
    s.push('\n');
    s
}

/// A JSON value as CUE source (JSON is CUE, with Go-style escaping).
pub fn json_value_to_cue(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => json_string(s),
        serde_json::Value::Array(a) => {
            format!(
                "[{}]",
                a.iter()
                    .map(json_value_to_cue)
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }
        serde_json::Value::Object(o) => format!(
            "{{{}}}",
            o.iter()
                .map(|(k, v)| format!("{}: {}", json_string(k), json_value_to_cue(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cwd() -> std::path::PathBuf {
        std::env::temp_dir()
    }

    #[test]
    fn string_input_becomes_a_field() {
        let i = Input::parse("string", "a.\"b-c\"=he said \"hi\"", &cwd()).unwrap();
        assert_eq!(i.to_cue().unwrap(), "a: \"b-c\": \"he said \\\"hi\\\"\"\n");
    }

    #[test]
    fn secret_input_is_a_string_field_with_a_hidden_debug() {
        let i = Input::parse("secret", "a.token=p=w", &cwd()).unwrap();
        assert_eq!(i.to_cue().unwrap(), "a: token: \"p=w\"\n");
        assert!(!format!("{i:?}").contains("p=w"), "{i:?}");
    }

    #[test]
    fn secret_input_reads_a_file_or_an_env_var() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("token");
        std::fs::write(&file, "from-file\n").unwrap();
        let i = Input::parse("secret", &format!("t=@{}", file.display()), &cwd()).unwrap();
        assert_eq!(i.to_cue().unwrap(), "t: \"from-file\"\n");
        std::env::set_var("DAGGER_TEST_SECRET_INPUT", "from-env");
        let i = Input::parse("secret", "t=env:DAGGER_TEST_SECRET_INPUT", &cwd()).unwrap();
        assert_eq!(i.to_cue().unwrap(), "t: \"from-env\"\n");
        let e = Input::parse("secret", "t=env:DAGGER_TEST_NOT_SET_EVER", &cwd()).unwrap_err();
        assert!(e.to_string().contains("DAGGER_TEST_NOT_SET_EVER"), "{e}");
        let e = Input::parse("secret", "t=@/definitely/not/here", &cwd()).unwrap_err();
        assert!(e.to_string().contains("cannot read secret file"), "{e}");
    }

    #[test]
    fn git_input_splits_remote_and_ref() {
        let i = Input::parse("git", "repo=http://127.0.0.1:1/r.git#v1", &cwd()).unwrap();
        assert_eq!(
            i,
            Input::Git {
                path: Path::parse("repo").unwrap(),
                remote: "http://127.0.0.1:1/r.git".into(),
                reference: "v1".into()
            }
        );
        assert!(i.to_cue().unwrap().contains(r#"do: "fetch-git""#));
    }

    #[test]
    fn dir_input_must_exist_and_becomes_a_local_artifact() {
        let e = Input::parse("dir", "src=/definitely/not/here", &cwd()).unwrap_err();
        assert!(e.to_string().contains("not a directory"), "{e}");
        let i = Input::parse("dir", "src=.", &cwd()).unwrap();
        assert!(i
            .to_cue()
            .unwrap()
            .starts_with("src: {#compute: [{do: \"local\""));
    }

    #[test]
    fn malformed_inputs_are_rejected_with_the_flag() {
        let e = Input::parse("string", "novalue", &cwd()).unwrap_err();
        assert_eq!(e.flag, "--input-string");
        let e = Input::parse("string", "a-b=x", &cwd()).unwrap_err();
        assert!(e.message.contains("not a field path"), "{e}");
        let e = Input::Yaml("- 1".into()).to_cue().unwrap_err();
        assert!(e.message.contains("mapping"));
        let e = Input::Json("{".into()).to_cue().unwrap_err();
        assert!(e.message.contains("invalid JSON"));
    }

    #[test]
    fn yaml_input_becomes_cue() {
        let cue = Input::Yaml("a: 1\nb: [x, y]\n".into()).to_cue().unwrap();
        assert_eq!(cue, r#"{"a": 1, "b": ["x", "y"]}"#);
    }

    #[test]
    fn documents_are_read_from_files_at_the_root_or_at_a_path() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("site.json"),
            r#"{"name": "web", "port": 8080}"#,
        )
        .unwrap();
        std::fs::write(dir.path().join("site.yaml"), "name: web\ntags: [a, b]\n").unwrap();
        std::fs::write(
            dir.path().join("extra.cue"),
            "// comment\npackage other\n\nx: 1 + 1\n",
        )
        .unwrap();
        let cwd = dir.path();
        let cue =
            |kind: &str, value: &str| Input::parse(kind, value, cwd).unwrap().to_cue().unwrap();
        assert_eq!(
            cue("json", "@site.json"),
            r#"{"name": "web", "port": 8080}"#
        );
        assert_eq!(
            cue("json", "app.cfg=@site.json"),
            "app: cfg: {\"name\": \"web\", \"port\": 8080}\n"
        );
        assert_eq!(
            cue("yaml", "@site.yaml"),
            r#"{"name": "web", "tags": ["a", "b"]}"#
        );
        assert_eq!(
            cue("yaml", "site=@site.yaml"),
            "site: {\"name\": \"web\", \"tags\": [\"a\", \"b\"]}\n"
        );
        // The package clause goes, the lines keep their numbers.
        assert_eq!(cue("cue", "@extra.cue"), "// comment\n\n\nx: 1 + 1\n");
        assert_eq!(
            cue("cue", "a.b=@extra.cue"),
            "a: b: {\n// comment\n\n\nx: 1 + 1\n\n}\n"
        );
        // Inline text is still inline.
        assert_eq!(cue("json", r#"{"a": 1}"#), r#"{"a": 1}"#);
        assert_eq!(cue("cue", "a: 1"), "a: 1");
        // The original's flags took file names: one that names a file is read.
        assert_eq!(
            cue("yaml", "site.yaml"),
            r#"{"name": "web", "tags": ["a", "b"]}"#
        );
        assert_eq!(
            cue("json", "x=site.json"),
            "x: {\"name\": \"web\", \"port\": 8080}\n"
        );
    }

    #[test]
    fn document_errors_name_the_flag_and_the_file() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("list.yaml"), "- 1\n").unwrap();
        std::fs::write(dir.path().join("bad.json"), "{").unwrap();
        std::fs::write(
            dir.path().join("imports.cue"),
            "import \"strings\"\nx: strings.ToUpper(\"a\")\n",
        )
        .unwrap();
        let cwd = dir.path();
        let e = Input::parse("json", "@missing.json", cwd).unwrap_err();
        assert_eq!(e.flag, "--input-json");
        assert!(e.message.contains("cannot read \"missing.json\""), "{e}");
        let e = Input::parse("json", "@bad.json", cwd)
            .unwrap()
            .to_cue()
            .unwrap_err();
        assert!(
            e.to_string()
                .starts_with("--input-json: @bad.json: invalid JSON"),
            "{e}"
        );
        let e = Input::parse("yaml", "@list.yaml", cwd)
            .unwrap()
            .to_cue()
            .unwrap_err();
        assert!(e.message.contains("expected an object"), "{e}");
        // A list is fine at a path.
        let cue = Input::parse("yaml", "xs=@list.yaml", cwd)
            .unwrap()
            .to_cue()
            .unwrap();
        assert_eq!(cue, "xs: [1]\n");
        let e = Input::parse("cue", "a=@imports.cue", cwd)
            .unwrap()
            .to_cue()
            .unwrap_err();
        assert!(e.message.contains("imports"), "{e}");
        // At the root, imports are fine.
        let cue = Input::parse("cue", "@imports.cue", cwd)
            .unwrap()
            .to_cue()
            .unwrap();
        assert!(cue.starts_with("import \"strings\""), "{cue}");
    }
}
