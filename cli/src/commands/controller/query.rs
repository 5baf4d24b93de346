//! `dagger query [EXPR]`: the controller's whole configuration (plan,
//! inputs and last outputs unified), or an expression evaluated against
//! it, without changing anything.

use std::io::Write;
use std::process::ExitCode;

use clap::ValueEnum;
use controller::state::ControllerState;

use super::Common;

/// How `query` prints.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum QueryFormat {
    /// Concrete data as JSON.
    Json,
    /// Concrete data as YAML.
    Yaml,
    /// CUE, with definitions and constraints.
    Cue,
    /// A string as is; other values as JSON.
    Text,
    /// `NAME=value` lines, one per concrete scalar field (nested names joined by `_`).
    Env,
}

#[derive(clap::Args, Debug)]
pub struct Args {
    /// A CUE expression evaluated against the configuration (`app.url`);
    /// the whole configuration when omitted.
    pub expr: Option<String>,
    #[arg(long, value_enum, default_value_t = QueryFormat::Json)]
    pub format: QueryFormat,
    /// Leave the inputs out.
    #[arg(long)]
    pub no_input: bool,
    /// Leave the computed outputs out.
    #[arg(long)]
    pub no_output: bool,
    /// Leave the plan out (inputs and outputs only).
    #[arg(long)]
    pub no_plan: bool,
    /// Answer against run N's plan, inputs and outputs (see `dagger history`).
    #[arg(long, value_name = "N")]
    pub version: Option<u64>,
    #[command(flatten)]
    pub common: Common,
}

pub fn run(args: Args) -> ExitCode {
    let common = args.common.clone();
    let (store, mut state) = match super::open(&common) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let mut dirs = None;
    if let Some(n) = args.version {
        let Some(run) = state.runs.iter().find(|r| r.number == n) else {
            return super::fail(
                &common,
                &format!(
                    "controller {} has no run {n} (see `dagger history`)",
                    state.name
                ),
                1,
            );
        };
        let snap = match controller::history::get(&store, &state.name, &run.snapshot) {
            Ok(s) => s,
            Err(e) => return super::fail(&common, &e.to_string(), 1),
        };
        match controller::history::materialize(&store, &state.name, &snap) {
            Ok(d) => dirs = Some(d),
            Err(e) => return super::fail(&common, &e.to_string(), 1),
        }
        state.inputs = snap.inputs;
        state.outputs = snap.outputs;
    }
    match render(&store, &state, dirs, &args) {
        Ok(text) => {
            let mut out = std::io::stdout().lock();
            if out
                .write_all(text.as_bytes())
                .and_then(|_| out.flush())
                .is_err()
            {
                return ExitCode::from(1);
            }
            ExitCode::SUCCESS
        }
        Err(e) => super::fail(&common, e.trim_end(), 1),
    }
}

fn render(
    store: &controller::store::Store,
    state: &ControllerState,
    dirs: Option<controller::plan_source::PlanDirs>,
    args: &Args,
) -> Result<String, String> {
    let mut inputs = Vec::new();
    if !args.no_input {
        inputs
            .extend(controller::inputs::engine_inputs_for_query(state).map_err(|e| e.to_string())?);
    }
    if !args.no_output {
        inputs
            .extend(controller::inputs::output_inputs(&state.outputs).map_err(|e| e.to_string())?);
    }
    let secrets = dag::secrets::Secrets::new(inputs.iter().filter_map(|i| match i {
        dag::inputs::Input::Secret { path, value } => Some((path.to_string(), value.clone())),
        _ => None,
    }));
    // Without the plan: an empty package with only the inputs and outputs.
    let tmp;
    let load_dir = if args.no_plan {
        tmp = tempfile::tempdir().map_err(|e| format!("cannot make a directory: {e}"))?;
        std::fs::write(tmp.path().join("plan.cue"), "package plan\n").map_err(|e| e.to_string())?;
        tmp.path().to_path_buf()
    } else {
        match dirs {
            Some(d) => d.load,
            None => {
                controller::plan_source::prepare(store, &state.name, &state.plan)
                    .map_err(|e| e.to_string())?
                    .load
            }
        }
    };
    let plan = dag::cue_plan::CuePlan::load_only(&load_dir, &inputs).map_err(|e| e.0)?;
    let program = plan.program().map_err(|e| e.0)?;
    let out = match args.format {
        QueryFormat::Cue => super::super::eval::OutFormat::Cue,
        QueryFormat::Yaml => super::super::eval::OutFormat::Yaml,
        _ => super::super::eval::OutFormat::Json,
    };
    let mut req = super::super::eval::Request::new(Vec::new(), out);
    if let Some(e) = &args.expr {
        req.exprs.push(e.clone());
    }
    let cwd = std::env::current_dir().unwrap_or_default();
    let text = super::super::eval::on_big_stack({
        let cwd = cwd.clone();
        move || super::super::eval::render_program(program, &cwd, &req)
    })?;
    // A secret is printed as `<secret>`, as by `compute`.
    let text = secrets.redact(&text);
    Ok(match args.format {
        QueryFormat::Text => {
            let v: serde_json::Value =
                serde_json::from_str(&text).map_err(|e| format!("cannot read the result: {e}"))?;
            match v {
                serde_json::Value::String(s) => format!("{s}\n"),
                other => format!("{other}\n"),
            }
        }
        QueryFormat::Env => {
            let v: serde_json::Value =
                serde_json::from_str(&text).map_err(|e| format!("cannot read the result: {e}"))?;
            let mut lines = Vec::new();
            env_lines("", &v, &mut lines);
            lines.join("")
        }
        _ => text,
    })
}

/// `NAME=value` lines for the concrete scalars of `v`.
fn env_lines(prefix: &str, v: &serde_json::Value, out: &mut Vec<String>) {
    match v {
        serde_json::Value::Object(m) => {
            for (k, x) in m {
                let name: String = k
                    .chars()
                    .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
                    .collect();
                let name = if prefix.is_empty() {
                    name
                } else {
                    format!("{prefix}_{name}")
                };
                env_lines(&name, x, out);
            }
        }
        serde_json::Value::Array(_) => {
            out.push(format!("{prefix}={}\n", shell_quote(&v.to_string())))
        }
        serde_json::Value::String(s) => out.push(format!("{prefix}={}\n", shell_quote(s))),
        other => out.push(format!("{prefix}={other}\n")),
    }
}

fn shell_quote(s: &str) -> String {
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:@%+=,".contains(c))
    {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}
