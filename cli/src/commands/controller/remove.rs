//! `dagger down` (run the teardown components, mark the controller down)
//! and `dagger delete` (remove its state).

use std::io::{BufRead, IsTerminal, Write};
use std::process::ExitCode;

use controller::lock::Wait;

use super::Common;

#[derive(clap::Args, Debug)]
pub struct DownArgs {
    #[command(flatten)]
    pub up: super::up::Args,
}

pub fn down(args: DownArgs) -> ExitCode {
    let mode = super::up::Mode {
        command: "down".into(),
        no_cache: false,
        only: None,
        teardown: true,
        replay: None,
        wait: if args.up.no_wait { Wait::No } else { Wait::Yes },
    };
    super::up::once(&args.up, &mode).0
}

#[derive(clap::Args, Debug)]
pub struct DeleteArgs {
    /// Do not ask for confirmation.
    #[arg(long, short = 'y')]
    pub yes: bool,
    #[command(flatten)]
    pub common: Common,
}

pub fn delete(args: DeleteArgs) -> ExitCode {
    let common = args.common;
    let (store, state) = match super::open(&common) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let name = state.name;
    if !args.yes {
        if !std::io::stdin().is_terminal() {
            return super::fail(
                &common,
                &format!("delete controller {name}: confirm with --yes (standard input is not a terminal)"),
                2,
            );
        }
        eprint!("delete controller {name} and its state (inputs, outputs, history)? [y/N] ");
        let _ = std::io::stderr().flush();
        let mut answer = String::new();
        let _ = std::io::stdin().lock().read_line(&mut answer);
        if !matches!(answer.trim(), "y" | "Y" | "yes") {
            common.info("not deleted");
            return ExitCode::from(1);
        }
    }
    let _lock = match super::lock(&common, &store, &name, "dagger delete", Wait::Yes) {
        Ok(l) => l,
        Err(code) => return code,
    };
    if let Err(e) = store.delete(&name) {
        return super::fail(&common, &e.to_string(), 1);
    }
    common.info(&format!("deleted controller {name}"));
    ExitCode::SUCCESS
}
