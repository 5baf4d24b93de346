//! Quick parse-speed check outside criterion: parses the benchmark input a
//! few times and prints MB/s by wall-clock and by this thread's CPU time
//! (the latter is what matters on a shared, loaded machine).
//!
//! `cargo run --release -p cue-syntax --example parse_speed [MB]`

use cue_syntax::{parse_file, FileId};
use std::time::Instant;

/// CPU time of this thread in nanoseconds (Linux), if available.
fn cpu_ns() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    s.split_whitespace().next()?.parse().ok()
}

fn main() {
    let mb: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(10);
    let src = cue_syntax::testing::bench_input(mb * 1_000_000);
    let runs = 5;
    let (mut wall, mut cpu, mut cpu_nodrop) = (0f64, 0u64, 0u64);
    for _ in 0..runs {
        let (t, c) = (Instant::now(), cpu_ns().unwrap_or(0));
        let parsed = parse_file(FileId(0), &src);
        let c_parsed = cpu_ns().unwrap_or(0);
        assert!(parsed.1.is_empty());
        if std::env::var_os("LEAK").is_some() {
            std::mem::forget(parsed);
        } else {
            drop(parsed);
        }
        wall += t.elapsed().as_secs_f64();
        cpu += cpu_ns().unwrap_or(0) - c;
        cpu_nodrop += c_parsed - c;
    }
    let bytes = (src.len() * runs) as f64 / 1e6;
    let c = cpu_ns().unwrap_or(0);
    let mut tokens = 0;
    for _ in 0..runs {
        tokens = cue_syntax::testing::lex_count(&src);
    }
    let lex = (cpu_ns().unwrap_or(0) - c) as f64 / 1e9;
    println!("lexer only: {tokens} tokens, {:.1} MB/s CPU", bytes / lex);
    println!("input: {:.1} MB, {runs} runs", src.len() as f64 / 1e6);
    println!("wall-clock (parse + drop): {:.1} MB/s", bytes / wall);
    println!(
        "CPU time   (parse + drop): {:.1} MB/s",
        bytes / (cpu as f64 / 1e9)
    );
    println!(
        "CPU time   (parse only):   {:.1} MB/s",
        bytes / (cpu_nodrop as f64 / 1e9)
    );
}
