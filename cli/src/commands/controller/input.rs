//! `dagger input KIND PATH VALUE`, `input list`, `input unset PATH`.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use controller::lock::Wait;
use controller::state::{InputValue, SecretRef};

use super::Common;

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(subcommand)]
    pub action: Action,
    #[command(flatten)]
    pub common: Common,
}

#[derive(clap::Subcommand, Debug)]
pub enum Action {
    /// Set a field to a string.
    Text { path: String, value: String },
    /// Set a field to a JSON value: inline, `@FILE` or `-` (stdin).
    Json { path: String, value: String },
    /// Set a field to a YAML value: inline, `@FILE` or `-`.
    Yaml { path: String, value: String },
    /// Unify a field with CUE source: inline, `@FILE` or `-`.
    Cue { path: String, value: String },
    /// Make a field an artifact of a host directory.
    Dir { path: String, dir: PathBuf },
    /// Make a field an artifact of a git checkout (REF defaults to HEAD).
    Git {
        path: String,
        remote: String,
        reference: Option<String>,
        subdir: Option<String>,
    },
    /// Make a field an artifact of a container image.
    Container { path: String, reference: String },
    /// Set a field to a secret: VALUE (or `-` for stdin) is stored
    /// encrypted; --from-env / --from-file store only a reference.
    Secret {
        path: String,
        value: Option<String>,
        /// Read the secret from this environment variable at each use.
        #[arg(long = "from-env", value_name = "VAR", conflicts_with_all = ["value", "from_file"])]
        from_env: Option<String>,
        /// Read the secret from this file at each use.
        #[arg(long = "from-file", value_name = "FILE", conflicts_with = "value")]
        from_file: Option<PathBuf>,
    },
    /// List the inputs (secrets are never shown).
    List,
    /// Remove the input of a field.
    Unset { path: String },
}

pub fn run(args: Args) -> ExitCode {
    let common = args.common;
    let (store, state) = match super::open(&common) {
        Ok(s) => s,
        Err(code) => return code,
    };
    if let Action::List = args.action {
        return list(&state);
    }
    let name = state.name.clone();
    let (path, value) = match value_of(&name, args.action) {
        Ok(v) => v,
        Err((e, code)) => return super::fail(&common, &e, code),
    };
    let _lock = match super::lock(&common, &store, &name, "dagger input", Wait::Yes) {
        Ok(l) => l,
        Err(code) => return code,
    };
    let mut state = match store.load(&name) {
        Ok(s) => s,
        Err(e) => return super::fail(&common, &e.to_string(), 1),
    };
    let message = match value {
        Some(v) => {
            let kind = v.kind();
            state.inputs.insert(path.clone(), v);
            format!("controller {name}: input {path} set ({kind})")
        }
        None => {
            if state.inputs.remove(&path).is_none() {
                let known: Vec<&str> = state.inputs.keys().map(String::as_str).collect();
                return super::fail(
                    &common,
                    &format!(
                        "controller {name} has no input {path} (its inputs: {})",
                        if known.is_empty() {
                            "none".to_string()
                        } else {
                            known.join(", ")
                        }
                    ),
                    1,
                );
            }
            format!("controller {name}: input {path} removed")
        }
    };
    if let Err(e) = store.save(&state) {
        return super::fail(&common, &e.to_string(), 1);
    }
    common.info(&message);
    ExitCode::SUCCESS
}

type Failure = (String, u8);

/// The field path and the value to store (`None`: unset).
fn value_of(controller: &str, action: Action) -> Result<(String, Option<InputValue>), Failure> {
    let usage = |e: String| (e, 2u8);
    let check = |p: &str| {
        controller::inputs::parse_path(p)
            .map(|_| p.to_string())
            .map_err(|e| usage(e.to_string()))
    };
    Ok(match action {
        Action::Text { path, value } => (check(&path)?, Some(InputValue::Text { value })),
        Action::Json { path, value } => {
            let text = super::value_arg(&value).map_err(usage)?;
            let v: serde_json::Value = serde_json::from_str(&text)
                .map_err(|e| usage(format!("input json {path}: invalid JSON: {e}")))?;
            (check(&path)?, Some(InputValue::Json { value: v }))
        }
        Action::Yaml { path, value } => {
            let text = super::value_arg(&value).map_err(usage)?;
            serde_yaml::from_str::<serde_json::Value>(&text)
                .map_err(|e| usage(format!("input yaml {path}: invalid YAML: {e}")))?;
            (check(&path)?, Some(InputValue::Yaml { text }))
        }
        Action::Cue { path, value } => {
            let text = super::value_arg(&value).map_err(usage)?;
            let wrapped = format!("x: {{\n{text}\n}}");
            let (_, errors) = cue_syntax::parse_file(cue_syntax::FileId(0), &wrapped);
            if let Some(e) = errors.first() {
                return Err(usage(format!("input cue {path}: invalid CUE: {}", e.kind)));
            }
            (check(&path)?, Some(InputValue::Cue { text }))
        }
        Action::Dir { path, dir } => {
            let abs = std::fs::canonicalize(&dir)
                .map_err(|e| (format!("input dir {path}: {}: {e}", dir.display()), 1))?;
            if !abs.is_dir() {
                return Err((
                    format!("input dir {path}: {} is not a directory", dir.display()),
                    1,
                ));
            }
            (
                check(&path)?,
                Some(InputValue::Dir {
                    path: abs.display().to_string(),
                }),
            )
        }
        Action::Git {
            path,
            remote,
            reference,
            subdir,
        } => (
            check(&path)?,
            Some(InputValue::Git {
                remote,
                reference: reference.unwrap_or_else(|| "HEAD".into()),
                subdir,
            }),
        ),
        Action::Container { path, reference } => {
            (check(&path)?, Some(InputValue::Container { reference }))
        }
        Action::Secret {
            path,
            value,
            from_env,
            from_file,
        } => {
            let path = check(&path)?;
            let secret = if let Some(var) = from_env {
                SecretRef::Env { var }
            } else if let Some(file) = from_file {
                let abs = std::fs::canonicalize(&file)
                    .map_err(|e| (format!("input secret {path}: {}: {e}", file.display()), 1))?;
                SecretRef::File {
                    path: abs.display().to_string(),
                }
            } else {
                let Some(value) = value else {
                    return Err(usage(format!(
                        "input secret {path}: give VALUE, `-` (standard input), --from-env VAR or --from-file FILE"
                    )));
                };
                let clear = if value == "-" {
                    let text = super::value_arg("-").map_err(usage)?;
                    text.strip_suffix('\n').unwrap_or(&text).to_string()
                } else {
                    value
                };
                controller::secret_box::seal(controller, &path, &clear).map_err(|e| (e.0, 1))?
            };
            (path, Some(InputValue::Secret { secret }))
        }
        Action::Unset { path } => (path, None),
        Action::List => unreachable!("handled by the caller"),
    })
}

fn list(state: &controller::state::ControllerState) -> ExitCode {
    let mut rows = vec![["PATH".to_string(), "KIND".into(), "VALUE".into()]];
    for (path, v) in &state.inputs {
        let shown = match v {
            InputValue::Text { value } => dag::output::json_string(value),
            InputValue::Json { value } => value.to_string(),
            InputValue::Yaml { text } | InputValue::Cue { text } => {
                text.trim().replace('\n', "\\n")
            }
            InputValue::Dir { path } => path.clone(),
            InputValue::Git {
                remote,
                reference,
                subdir,
            } => format!(
                "{remote} {reference}{}",
                subdir
                    .as_deref()
                    .map(|s| format!(" {s}"))
                    .unwrap_or_default()
            ),
            InputValue::Container { reference } => reference.clone(),
            InputValue::Secret { secret } => match secret {
                SecretRef::Encrypted { .. } => "<secret, encrypted>".into(),
                SecretRef::Env { var } => format!("<secret, from env {var}>"),
                SecretRef::File { path } => format!("<secret, from file {path}>"),
            },
        };
        let shown = if shown.chars().count() > 80 {
            format!("{}...", shown.chars().take(77).collect::<String>())
        } else {
            shown
        };
        rows.push([path.clone(), v.kind().to_string(), shown]);
    }
    let text = super::list::table(&rows);
    if std::io::stdout().lock().write_all(text.as_bytes()).is_err() {
        return ExitCode::from(1);
    }
    ExitCode::SUCCESS
}
