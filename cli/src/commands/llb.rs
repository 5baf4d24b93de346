//! `dagger llb PLAN_DIR [COMPONENT]`: print the LLB ops a component compiles
//! to, one JSON object per op with its digest (like `buildctl debug dump-llb`).
//! Without COMPONENT, every component whose ops are concrete, each preceded
//! by a `# PATH` line.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use ::dag::path::Path;
use ::dag::plan::Plan;

use super::compute::{load_plan, HostArgs, InputArgs};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Directory of the plan (a CUE package).
    pub plan_dir: PathBuf,
    /// CUE path of the component (`a.b`); all components when omitted.
    pub component: Option<String>,
    #[command(flatten)]
    pub inputs: InputArgs,
    #[command(flatten)]
    pub host: HostArgs,
    /// Print the same LLB on every machine, for golden files: BuildKit is
    /// not contacted (image configs are not resolved: execs have only
    /// their op's env, working directory and user), cache mounts are
    /// keyed by `<plan>` instead of the plan's directory and secret ids end
    /// in `#<keyed>` instead of this machine's keyed digest of the value.
    #[arg(long)]
    pub offline: bool,
    #[command(flatten)]
    pub log: super::log::LogArgs,
}

pub fn run(args: Args) -> ExitCode {
    args.log.apply();
    if args.offline {
        ::dag::secrets::use_placeholder_ids();
    }
    let allowed = match args.host.allowed(&args.inputs) {
        Ok(paths) => paths,
        Err(e) => {
            super::progress::Diag { json: false }.error(&e.to_string());
            return ExitCode::from(2);
        }
    };
    let plan = match load_plan(&args.plan_dir, &args.inputs) {
        Ok(p) => p,
        Err(code) => return code,
    };
    if let Err(e) = ::dag::run::validate(&plan) {
        super::progress::Diag { json: false }.error(&plan.secrets().redact(&e.to_string()));
        return ExitCode::from(1);
    }
    let root = plan.root();
    let host = match ::dag::host::HostAccess::new(&args.plan_dir, &allowed) {
        Ok(h) if args.offline => h.with_cache_scope("<plan>"),
        Ok(h) => h,
        Err(e) => {
            super::progress::Diag { json: false }.error(&e.to_string());
            return ExitCode::from(1);
        }
    };
    let components = match &args.component {
        Some(text) => {
            let Some(path) = Path::parse(text) else {
                super::progress::Diag { json: false }
                    .error(&format!("{text:?} is not a CUE path like a.b.c"));
                return ExitCode::from(2);
            };
            if root.lookup(&path).and_then(|n| n.get("#compute")).is_none() {
                let all: Vec<String> = ::dag::graph::find_components(root)
                    .iter()
                    .map(Path::to_string)
                    .collect();
                super::progress::Diag { json: false }.error(&format!(
                    "{path} is not a component; components: {}",
                    all.join(", ")
                ));
                return ExitCode::from(1);
            }
            vec![path]
        }
        None => ::dag::graph::find_components(root),
    };
    let single = args.component.is_some();
    let mut out = std::io::stdout().lock();
    for c in components {
        let Some(node) = root.lookup(&c) else {
            continue;
        };
        let mut ops = match ::dag::parse::component_ops(node, &c) {
            Ok(ops) => ops,
            Err(::dag::parse::OpsError::NotConcrete { path, reason }) if !single => {
                if writeln!(out, "# {c} (not concrete: {path}: {reason})").is_err() {
                    return ExitCode::from(1);
                }
                continue;
            }
            Err(e) => {
                super::progress::Diag { json: false }.error(&format!("component {c}: {e}"));
                return ExitCode::from(1);
            }
        };
        // What compute would refuse to send is not printed either.
        if let Err(misuse) = plan.secrets().check_ops(&mut ops, &c.field("#compute")) {
            super::progress::Diag { json: false }.error(&format!("component {c}: {misuse}"));
            return ExitCode::from(1);
        }
        let images = if args.offline {
            Default::default()
        } else {
            image_configs(&ops)
        };
        let compiled = match ::dag::compile::compile(&ops, &c.field("#compute"), &images, &host) {
            Ok(compiled) => compiled,
            Err(e) => {
                super::progress::Diag { json: false }.error(&format!("component {c}: {e}"));
                return ExitCode::from(1);
            }
        };
        let summaries = match ::dag::buildkit::llb_ops(&compiled.state, ::llb::Platform::host()) {
            Ok(s) => s,
            // Listing every component, one whose LLB exists only while
            // solving (a docker-build) is said so, and the others follow.
            Err(e) if !single && e.message.starts_with("docker-build:") => {
                if writeln!(out, "# {c} ({})", e.message).is_err() {
                    return ExitCode::from(1);
                }
                continue;
            }
            Err(e) => {
                super::progress::Diag { json: false }.error(&format!("component {c}: {e}"));
                return ExitCode::from(1);
            }
        };
        if !single && writeln!(out, "# {c}").is_err() {
            return ExitCode::from(1);
        }
        for s in summaries {
            match serde_json::to_string(&s) {
                Ok(line) => {
                    // A closed pipe (`| head`) ends the output quietly.
                    if writeln!(out, "{line}").is_err() {
                        return ExitCode::from(1);
                    }
                }
                Err(e) => {
                    super::progress::Diag { json: false }.error(&e.to_string());
                    return ExitCode::from(1);
                }
            }
        }
    }
    ExitCode::SUCCESS
}

/// The configs of the images the ops fetch, from the daemon when one
/// answers (as `compute` does); else none, with a warning (execs then show
/// only the ops' own env, working directory and user).
fn image_configs(ops: &[::dag::ops::Op]) -> ::dag::compile::ImageConfigs {
    let resolved = tokio::runtime::Runtime::new()
        .map_err(|e| e.to_string())
        .and_then(|rt| {
            rt.block_on(async {
                let solver = ::dag::buildkit::LazySolver::from_env();
                ::dag::compile::resolve_images(&solver, ops)
                    .await
                    .map_err(|(reference, e)| format!("{reference}: {e}"))
            })
        });
    resolved.unwrap_or_else(|e| {
        super::progress::Diag { json: false }.warning(&format!("image configs not resolved ({e}); exec env and working directory may differ from `compute`"));
        Default::default()
    })
}
