//! `dagger new NAME --plan-...`: create a controller.

use std::path::PathBuf;
use std::process::ExitCode;

use controller::state::PlanSource;

use super::Common;

/// Where the plan comes from: exactly one of these.
#[derive(clap::Args, Debug, Clone)]
#[group(required = true, multiple = false)]
pub struct PlanArgs {
    /// A directory holding the plan's CUE package.
    #[arg(long = "plan-dir", value_name = "DIR")]
    pub dir: Option<PathBuf>,
    /// One CUE file.
    #[arg(long = "plan-file", value_name = "FILE")]
    pub file: Option<PathBuf>,
    /// A git repository: REMOTE [REF [SUBDIR]] (REF defaults to HEAD).
    #[arg(long = "plan-git", value_name = "REMOTE [REF [SUBDIR]]", num_args = 1..=3)]
    pub git: Option<Vec<String>>,
    /// A CUE package by import path (embedded `dagger.io/...`, or in cue.mod/pkg).
    #[arg(long = "plan-package", value_name = "PKG")]
    pub package: Option<String>,
}

impl PlanArgs {
    /// The source to store.
    pub fn source(&self, store: &controller::store::Store) -> Result<PlanSource, String> {
        let stored = |p: &PathBuf| controller::plan_source::stored_path(store, p);
        if let Some(d) = &self.dir {
            return Ok(PlanSource::Dir { path: stored(d)? });
        }
        if let Some(f) = &self.file {
            return Ok(PlanSource::File { path: stored(f)? });
        }
        if let Some(g) = &self.git {
            return Ok(PlanSource::Git {
                remote: g[0].clone(),
                reference: g.get(1).cloned().unwrap_or_else(|| "HEAD".into()),
                subdir: g.get(2).cloned(),
            });
        }
        match &self.package {
            Some(p) => Ok(PlanSource::Package { package: p.clone() }),
            None => {
                Err("give a plan: --plan-dir, --plan-file, --plan-git or --plan-package".into())
            }
        }
    }
}

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The controller's name (letters, digits, '-', '_', '.').
    pub name: String,
    #[command(flatten)]
    pub plan: PlanArgs,
    /// Bring it up right away (`dagger up`).
    #[arg(long)]
    pub up: bool,
    #[command(flatten)]
    pub common: Common,
}

pub fn run(args: Args) -> ExitCode {
    let common = Common {
        deployment: Some(args.name.clone()),
        ..args.common.clone()
    };
    let store = match super::store() {
        Ok(s) => s,
        Err(e) => return super::fail(&common, &e, 1),
    };
    let source = match args.plan.source(&store) {
        Ok(s) => s,
        Err(e) => return super::fail(&common, &format!("plan: {e}"), 1),
    };
    if let Err(e) = controller::plan_source::check(&store, &source) {
        return super::fail(&common, &e.to_string(), 1);
    }
    if let Err(e) = store.create(&args.name, source.clone()) {
        return super::fail(&common, &e.to_string(), 1);
    }
    let dir = store.dir(&args.name);
    let shown = std::env::current_dir()
        .ok()
        .and_then(|cwd| {
            dir.strip_prefix(cwd)
                .ok()
                .map(|r| format!("./{}", r.display()))
        })
        .unwrap_or_else(|| dir.display().to_string());
    common.info(&format!(
        "created controller {} (plan: {}) in {shown}",
        args.name,
        controller::plan_source::describe(&source),
    ));
    if args.up {
        return super::up::run(super::up::Args::for_controller(common));
    }
    ExitCode::SUCCESS
}
