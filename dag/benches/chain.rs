//! Evaluation cost of a run over a chain of components (issue #12): each
//! component `cI` execs with the value exported by `cI-1` interpolated into
//! its args and exports a string, so every component runs and every fill
//! makes exactly one more component runnable.
//!
//! Prints, per chain length, the first evaluation (loading the plan), the
//! re-evaluations after fills (`Report::fill_time`) and the scheduler's own
//! work, best of `BENCH_RUNS` (default 3) runs; then the ratio of total
//! evaluation time 200/50 (linear growth is 4; the goal is at most 4.5).
//!
//! With `CHAIN_FILLS_ONLY=1`, the same fills are made without the
//! scheduler (no graph built between them): the evaluator's own growth.
//!
//! Run with `cargo bench -p dag --bench chain` (or scripts/bench-chain.sh).

use std::sync::Arc;
use std::time::{Duration, Instant};

use dag::cue_plan::CuePlan;
use dag::fake::FakeSolver;
use dag::run::{run, Options};

/// The plan text of a chain of `n` components. Each exports a short
/// string of its own (so values do not grow along the chain) and
/// interpolates the previous one's into its exec args.
fn chain_plan(n: usize) -> String {
    let mut s = String::from("package main\n\nimport \"dagger.io/llb\"\n\n");
    for i in 0..n {
        let input = if i == 0 {
            "start".to_string()
        } else {
            format!("\\(c{})", i - 1)
        };
        s.push_str(&format!(
            "c{i}: {{\n\tstring\n\t#compute: [\n\
             \t\tllb.#WriteFile & {{content: \"v{i}\", dest: \"/out\"}},\n\
             \t\tllb.#Exec & {{args: [\"echo\", \"{input}\"]}},\n\
             \t\tllb.#Export & {{source: \"/out\"}},\n\t]\n}}\n\n"
        ));
    }
    s
}

struct Figures {
    first: Duration,
    fills: Duration,
    schedule: Duration,
    count: usize,
}

fn measure(n: usize) -> Figures {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("plan.cue"), chain_plan(n)).expect("write plan");
    let start = Instant::now();
    let mut plan = CuePlan::load(dir.path(), &[]).expect("plan loads");
    let first = start.elapsed();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let options = Options {
        plan_dir: dir.path().to_path_buf(),
        allow_host_paths: Vec::new(),
        events: dag::events::discard(),
    };
    let solver = Arc::new(FakeSolver::new());
    let report = rt
        .block_on(run(&mut plan, solver.clone(), &options))
        .expect("run succeeds");
    assert_eq!(report.ran.len(), n, "every component runs");
    assert!(report.skipped.is_empty(), "{:?}", report.skipped);
    // The last value went all the way down the chain.
    let last = dag::plan::Plan::root(&plan)
        .lookup(&dag::path::Path::root().field(&format!("c{}", n - 1)))
        .and_then(|node| node.as_str().map(str::to_string));
    assert_eq!(last.as_deref(), Some(format!("v{}", n - 1).as_str()));
    // The exec of the last one got the value of the one before.
    let echoed = format!("exec echo v{}", n.saturating_sub(2));
    assert!(n < 2 || solver.entries().contains(&echoed), "{echoed}");
    Figures {
        first,
        fills: report.fill_time,
        schedule: report.schedule_time,
        count: report.fills,
    }
}

/// The fills alone, without the scheduler: `cI` gets `vI` in order.
fn measure_fills_only(n: usize) -> Figures {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("plan.cue"), chain_plan(n)).expect("write plan");
    let start = Instant::now();
    let mut plan = CuePlan::load(dir.path(), &[]).expect("plan loads");
    let first = start.elapsed();
    let mut fills = Duration::ZERO;
    for i in 0..n {
        let path = dag::path::Path::root().field(&format!("c{i}"));
        let value = serde_json::Value::String(format!("v{i}"));
        let start = Instant::now();
        dag::plan::Plan::fill_all(&mut plan, &[(path, value)]).expect("fill");
        fills += start.elapsed();
    }
    Figures {
        first,
        fills,
        schedule: Duration::ZERO,
        count: n,
    }
}

fn best(n: usize, runs: usize) -> Figures {
    let mut best: Option<Figures> = None;
    for _ in 0..runs {
        let f = if std::env::var_os("CHAIN_FILLS_ONLY").is_some() {
            measure_fills_only(n)
        } else {
            measure(n)
        };
        let total = f.first + f.fills;
        if best.as_ref().is_none_or(|b| total < b.first + b.fills) {
            best = Some(f);
        }
    }
    best.expect("at least one run")
}

fn main() {
    let runs: usize = std::env::var("BENCH_RUNS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(3);
    // `cargo bench` passes `--bench`; any other argument is a chain length.
    let mut sizes: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    if sizes.is_empty() {
        sizes = vec![50, 200];
    }
    let mut totals = Vec::new();
    for &n in &sizes {
        let f = best(n, runs);
        let total = f.first + f.fills;
        println!(
            "chain {n:>4}: first evaluation {:>9.2?}  re-evaluations {:>9.2?} ({} fills)  total {:>9.2?}  scheduler {:>9.2?}",
            f.first, f.fills, f.count, total, f.schedule
        );
        totals.push((n, total));
    }
    if let (Some(&(a, ta)), Some(&(b, tb))) = (totals.first(), totals.last()) {
        if a != b {
            println!(
                "ratio total evaluation {b}/{a}: {:.2} (linear: {:.2})",
                tb.as_secs_f64() / ta.as_secs_f64(),
                b as f64 / a as f64
            );
        }
    }
}
