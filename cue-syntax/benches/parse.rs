//! Parse speed on a generated input of at least 10 MB of varied CUE.
//! Reports throughput in MB/s (decimal megabytes), time including drop.
//!
//! Two measurements of the same routine: `wall` (criterion's wall clock)
//! and `cpu` (this thread's CPU time, from `/proc/thread-self/schedstat`),
//! which stays meaningful on a loaded, shared machine.

use criterion::measurement::{Measurement, ValueFormatter, WallTime};
use criterion::{criterion_group, criterion_main, BenchmarkGroup, Criterion, Throughput};
use cue_syntax::{parse_file, FileId};

/// CPU time of the calling thread in nanoseconds (Linux; 0 elsewhere).
fn thread_cpu_ns() -> u64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

/// Thread CPU time as a criterion measurement, in nanoseconds like
/// [`WallTime`] (whose formatter it reuses).
struct ThreadCpuTime(WallTime);

impl Measurement for ThreadCpuTime {
    type Intermediate = u64;
    type Value = u64;

    fn start(&self) -> u64 {
        thread_cpu_ns()
    }
    fn end(&self, start: u64) -> u64 {
        thread_cpu_ns().saturating_sub(start)
    }
    fn add(&self, a: &u64, b: &u64) -> u64 {
        a + b
    }
    fn zero(&self) -> u64 {
        0
    }
    fn to_f64(&self, v: &u64) -> f64 {
        *v as f64
    }
    fn formatter(&self) -> &dyn ValueFormatter {
        self.0.formatter()
    }
}

fn input() -> String {
    let src = cue_syntax::testing::bench_input(10 * 1024 * 1024 + 1);
    let (_, errors) = parse_file(FileId(0), &src);
    assert!(
        errors.is_empty(),
        "generated input must parse: {}",
        errors[0]
    );
    src
}

fn run<M: Measurement>(mut group: BenchmarkGroup<'_, M>, src: &str) {
    group.throughput(Throughput::BytesDecimal(src.len() as u64));
    group.sample_size(10);
    group.bench_function("generated_10MB", |b| b.iter(|| parse_file(FileId(0), src)));
    group.finish();
}

fn bench_wall(c: &mut Criterion) {
    run(c.benchmark_group("parse_wall"), &input());
}

fn bench_cpu(c: &mut Criterion<ThreadCpuTime>) {
    run(c.benchmark_group("parse_cpu"), &input());
}

criterion_group!(wall, bench_wall);
criterion_group! {
    name = cpu;
    config = Criterion::default().with_measurement(ThreadCpuTime(WallTime));
    targets = bench_cpu
}
criterion_main!(wall, cpu);
