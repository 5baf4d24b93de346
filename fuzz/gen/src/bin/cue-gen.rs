//! Prints generated CUE programs: `cue-gen [--seed S] [-n N] [--len BYTES]
//! [--from I]`. Program `i` of seed `S` is always the same text; programs
//! are separated by a NUL byte (for `scripts/diff-cue.py --gen fuzz`).
//! `cue-gen --bytes FILE` prints the program a fuzzer input gives (e.g. a
//! crash artifact of the `eval_gen` target).

use std::io::Write as _;
use std::process::ExitCode;

fn main() -> ExitCode {
    let mut seed = 1u64;
    let mut n = 10u64;
    let mut from = 0u64;
    let mut len = 1024usize;
    let mut bytes = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = || args.next().unwrap_or_default();
        match a.as_str() {
            "--seed" => seed = value().parse().unwrap_or(seed),
            "-n" => n = value().parse().unwrap_or(n),
            "--from" => from = value().parse().unwrap_or(from),
            "--len" => len = value().parse().unwrap_or(len),
            "--bytes" => bytes = Some(value()),
            _ => {
                eprintln!(
                    "usage: cue-gen [--seed S] [-n N] [--from I] [--len BYTES] | --bytes FILE"
                );
                return ExitCode::from(2);
            }
        }
    }
    let mut out = std::io::stdout().lock();
    if let Some(path) = bytes {
        let data = match std::fs::read(&path) {
            Ok(d) => d,
            Err(e) => {
                eprintln!("cue-gen: {path}: {e}");
                return ExitCode::from(1);
            }
        };
        let _ = write!(out, "{}", cue_gen::program(&data));
        return ExitCode::SUCCESS;
    }
    for i in from..from + n {
        if i > from {
            let _ = out.write_all(b"\0");
        }
        let _ = write!(out, "{}", cue_gen::seeded(seed, i, len));
    }
    ExitCode::SUCCESS
}
