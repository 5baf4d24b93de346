//! `dagger plan dir|file|git|package`: change a controller's plan.

use std::path::PathBuf;
use std::process::ExitCode;

use controller::lock::Wait;

use super::Common;

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(subcommand)]
    pub source: Source,
    #[command(flatten)]
    pub common: Common,
}

#[derive(clap::Subcommand, Debug)]
pub enum Source {
    /// A directory holding the plan's CUE package.
    Dir { dir: PathBuf },
    /// One CUE file.
    File { file: PathBuf },
    /// A git repository at REF (default HEAD), plan in SUBDIR.
    Git {
        remote: String,
        reference: Option<String>,
        subdir: Option<String>,
    },
    /// A CUE package by import path.
    Package { package: String },
}

pub fn run(args: Args) -> ExitCode {
    let common = args.common;
    let (store, _) = match super::open(&common) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let plan = match &args.source {
        Source::Dir { dir } => super::new::PlanArgs {
            dir: Some(dir.clone()),
            file: None,
            git: None,
            package: None,
        },
        Source::File { file } => super::new::PlanArgs {
            dir: None,
            file: Some(file.clone()),
            git: None,
            package: None,
        },
        Source::Git {
            remote,
            reference,
            subdir,
        } => super::new::PlanArgs {
            dir: None,
            file: None,
            git: Some(
                std::iter::once(remote.clone())
                    .chain(Some(reference.clone().unwrap_or_else(|| "HEAD".into())))
                    .chain(subdir.clone())
                    .collect(),
            ),
            package: None,
        },
        Source::Package { package } => super::new::PlanArgs {
            dir: None,
            file: None,
            git: None,
            package: Some(package.clone()),
        },
    };
    let source = match plan.source(&store) {
        Ok(s) => s,
        Err(e) => return super::fail(&common, &format!("plan: {e}"), 1),
    };
    if let Err(e) = controller::plan_source::check(&store, &source) {
        return super::fail(&common, &e.to_string(), 1);
    }
    let name = match store.select(common.deployment.as_deref()) {
        Ok(n) => n,
        Err(e) => return super::fail(&common, &e.to_string(), 1),
    };
    let _lock = match super::lock(&common, &store, &name, "dagger plan", Wait::Yes) {
        Ok(l) => l,
        Err(code) => return code,
    };
    // Read again under the lock: an `up` may have finished meanwhile.
    let mut state = match store.load(&name) {
        Ok(s) => s,
        Err(e) => return super::fail(&common, &e.to_string(), 1),
    };
    state.plan = source.clone();
    if let Err(e) = store.save(&state) {
        return super::fail(&common, &e.to_string(), 1);
    }
    common.info(&format!(
        "controller {name}: plan is now {}",
        controller::plan_source::describe(&source)
    ));
    ExitCode::SUCCESS
}
