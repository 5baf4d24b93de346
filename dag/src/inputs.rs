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
        // Read once per process: inputs may be parsed more than once.
        static STDIN: std::sync::OnceLock<Result<String, String>> = std::sync::OnceLock::new();
        return STDIN
            .get_or_init(|| {
                let mut text = String::new();
                std::io::Read::read_to_string(&mut std::io::stdin(), &mut text)
                    .map(|_| trim(text))
                    .map_err(|e| format!("cannot read the secret from standard input: {e}"))
            })
            .clone();
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
            "cue" => return Ok(Input::Cue(value.to_string())),
            "json" => return Ok(Input::Json(value.to_string())),
            "yaml" => return Ok(Input::Yaml(value.to_string())),
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
        })
    }
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
}
