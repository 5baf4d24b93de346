//! `dagger conformance [DIR...]`: run the CUE conformance cases (txtar
//! archives with the reference's outputs) and print one line per failing
//! case, the JSON-exact and eval-text rates, and `N passed, M failed`.
//! Cases of the CUE command-line suite (`testdata/cue-cli`, recognized by
//! their `script` section) run their `cue` commands as `dagger` commands
//! and report the same way.

use super::eval::{on_big_stack, render, OutFormat, Request};
use crate::conformance::cli_case::is_cli_case;
use crate::conformance::cli_runner;
use crate::conformance::compare::Actual;
use crate::conformance::runner::{self, Options};
use crate::conformance::txtar;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

/// Arguments of `dagger conformance`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Directories searched recursively for `*.txtar` cases (or case files).
    /// Cases of the CUE command-line suite (`testdata/cue-cli`) are
    /// recognized and run as such.
    #[arg(required_unless_present = "one")]
    pub dirs: Vec<PathBuf>,
    /// Run only the cases of the CUE command-line suite found (each `cue
    /// eval|export|vet|fmt` of a script run as `dagger eval`, `dagger eval
    /// --out json`, `dagger vet`, `dagger fmt`), skipping other cases.
    #[arg(long)]
    pub cli: bool,
    /// Cases run at the same time (default: the number of CPUs).
    #[arg(short = 'j', long)]
    pub jobs: Option<usize>,
    /// Seconds allowed per case (per command for the command-line suite).
    #[arg(long, default_value_t = 10)]
    pub timeout: u64,
    /// Also list passing cases whose JSON text is not byte-identical, and
    /// cases whose eval outcome disagrees.
    #[arg(short, long)]
    pub verbose: bool,
    /// Exit 1 when fewer cases than this pass.
    #[arg(long, value_name = "N")]
    pub min_pass: Option<usize>,
    /// Run one case in this process and print its verdict as JSON (used by
    /// the runner for each case).
    #[arg(long, hide = true, value_name = "CASE")]
    pub one: Option<PathBuf>,
    #[command(flatten)]
    pub log: super::log::LogArgs,
}

/// Runs `dagger conformance`.
pub fn run(args: Args) -> ExitCode {
    args.log.apply();
    if let Some(case) = &args.one {
        let verdict = runner::run_in_process(case, &evaluate_case);
        return match serde_json::to_string(&verdict) {
            Ok(line) => {
                println!("{line}");
                ExitCode::SUCCESS
            }
            Err(_) => ExitCode::from(1),
        };
    }
    let cases = match runner::find_cases(&args.dirs) {
        Ok(c) => c,
        Err(e) => {
            super::log::error_text(&format!("dagger conformance: cannot list cases: {e}"));
            return ExitCode::from(1);
        }
    };
    let exe = match std::env::current_exe() {
        Ok(p) => p,
        Err(e) => {
            super::log::error_text(&format!(
                "dagger conformance: cannot find the dagger executable: {e}"
            ));
            return ExitCode::from(1);
        }
    };
    let jobs = args.jobs.unwrap_or_else(|| {
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(2)
    });
    let opts = Options {
        jobs,
        timeout: Duration::from_secs(args.timeout),
    };
    let (cli_cases, cases): (Vec<_>, Vec<_>) = cases.into_iter().partition(|(_, path)| {
        std::fs::read_to_string(path).is_ok_and(|t| is_cli_case(&txtar::parse(&t)))
    });
    let cases = if args.cli { Vec::new() } else { cases };
    let mut passed = 0;
    let mut failed = 0;
    if !cases.is_empty() || cli_cases.is_empty() {
        let results = runner::run_isolated(&exe, &cases, &opts);
        print!("{}", runner::report(&results, args.verbose));
        passed += results.iter().filter(|r| r.verdict.pass).count();
        failed += results.iter().filter(|r| !r.verdict.pass).count();
    }
    if !cli_cases.is_empty() {
        let results = cli_runner::run_all(&exe, &cli_cases, opts.jobs, opts.timeout);
        print!("{}", cli_runner::report(&results, args.verbose));
        let p = results.iter().filter(|r| r.verdict.pass).count();
        // Both kinds of case in one run: the last line is the total.
        if !cases.is_empty() {
            println!("total of both suites:");
            println!(
                "{} passed, {} failed",
                passed + p,
                failed + results.len() - p
            );
        }
        passed += p;
    }
    match args.min_pass {
        Some(min) if passed < min => {
            super::log::error_text(&format!(
                "dagger conformance: {passed} cases passed, fewer than the floor of {min}"
            ));
            ExitCode::from(1)
        }
        _ => ExitCode::SUCCESS,
    }
}

/// Export and eval of one case's root files, in the case's directory.
fn evaluate_case(dir: &Path, roots: &[String]) -> Actual {
    let (dir, roots) = (dir.to_path_buf(), roots.to_vec());
    on_big_stack(move || {
        let export = render(&dir, &Request::new(roots.clone(), OutFormat::Json));
        let eval = render(&dir, &Request::new(roots.clone(), OutFormat::Cue));
        let yaml = export
            .is_ok()
            .then(|| render(&dir, &Request::new(roots, OutFormat::Yaml)));
        Actual {
            export,
            eval: Some(eval),
            yaml,
        }
    })
}
