//! `dagger history`: past runs of a controller.

use std::io::Write;
use std::process::ExitCode;

use super::Common;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// One JSON object per run instead of a table.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub common: Common,
}

pub fn run(args: Args) -> ExitCode {
    let (_, state) = match super::open(&args.common) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let mut text = String::new();
    if args.json {
        for r in &state.runs {
            text.push_str(&serde_json::to_string(r).unwrap_or_default());
            text.push('\n');
        }
    } else {
        let mut rows = vec![[
            "RUN".to_string(),
            "STARTED".into(),
            "COMMAND".into(),
            "RESULT".into(),
            "DURATION".into(),
            "PLAN".into(),
            "INPUTS".into(),
            "COMPONENTS".into(),
        ]];
        let short = |d: &str| d.trim_start_matches("sha256:").chars().take(12).collect();
        for r in &state.runs {
            let mut ran = 0;
            let mut reused = 0;
            for how in r.components.values() {
                match how.as_str() {
                    "ran" => ran += 1,
                    "reused" => reused += 1,
                    _ => {}
                }
            }
            rows.push([
                r.number.to_string(),
                controller::time::rfc3339(r.started),
                r.command.clone(),
                r.result.clone(),
                format!("{:.1}s", r.duration_ms as f64 / 1000.0),
                short(&r.plan_digest),
                short(&r.inputs_digest),
                format!("{ran} ran, {reused} reused"),
            ]);
        }
        text = super::list::table(&rows);
    }
    if std::io::stdout().lock().write_all(text.as_bytes()).is_err() {
        return ExitCode::from(1);
    }
    ExitCode::SUCCESS
}
