//! `dagger list`: the controllers with their state.

use std::io::Write;
use std::process::ExitCode;

use super::Common;

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    pub common: Common,
}

pub fn run(args: Args) -> ExitCode {
    let common = args.common;
    let store = match super::store() {
        Ok(s) => s,
        Err(e) => return super::fail(&common, &e, 1),
    };
    let names = match store.names() {
        Ok(n) => n,
        Err(e) => return super::fail(&common, &e.to_string(), 1),
    };
    let mut out = std::io::stdout().lock();
    let mut rows = vec![[
        "NAME".to_string(),
        "STATUS".into(),
        "LAST RUN".into(),
        "PLAN".into(),
    ]];
    for name in names {
        match store.load(&name) {
            Ok(s) => {
                let last = s
                    .runs
                    .last()
                    .map(|r| {
                        format!(
                            "#{} {} {}",
                            r.number,
                            controller::time::rfc3339(r.started),
                            r.result
                        )
                    })
                    .unwrap_or_else(|| "-".into());
                rows.push([
                    name,
                    s.status.to_string(),
                    last,
                    controller::plan_source::describe(&s.plan),
                ]);
            }
            Err(e) => rows.push([name, "unreadable".into(), e.to_string(), String::new()]),
        }
    }
    let text = table(&rows);
    if out.write_all(text.as_bytes()).is_err() {
        return ExitCode::from(1);
    }
    ExitCode::SUCCESS
}

/// Columns padded to their widest cell.
pub fn table<const N: usize>(rows: &[[String; N]]) -> String {
    let mut widths = [0usize; N];
    for r in rows {
        for (i, c) in r.iter().enumerate() {
            widths[i] = widths[i].max(c.chars().count());
        }
    }
    let mut out = String::new();
    for r in rows {
        let mut line = String::new();
        for (i, c) in r.iter().enumerate() {
            if i + 1 == N {
                line.push_str(c);
            } else {
                line.push_str(&format!("{c:<w$}  ", w = widths[i]));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}
