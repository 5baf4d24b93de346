//! `dagger output list`: the values the last `up` computed.

use std::io::Write;
use std::process::ExitCode;

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
    /// List each component's exported values.
    List,
}

pub fn run(args: Args) -> ExitCode {
    let (_, state) = match super::open(&args.common) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let Action::List = args.action;
    let mut rows = vec![["COMPONENT".to_string(), "VALUE".into()]];
    for (c, o) in &state.outputs {
        for v in &o.exports {
            let text = v.to_string();
            let shown = if text.chars().count() > 100 {
                format!("{}...", text.chars().take(97).collect::<String>())
            } else {
                text
            };
            rows.push([c.clone(), shown]);
        }
        if o.exports.is_empty() {
            rows.push([c.clone(), "(no exported value)".into()]);
        }
    }
    let text = super::list::table(&rows);
    if std::io::stdout().lock().write_all(text.as_bytes()).is_err() {
        return ExitCode::from(1);
    }
    ExitCode::SUCCESS
}
