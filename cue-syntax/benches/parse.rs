//! Parse speed on a generated input of at least 10 MB of varied CUE.
//! Reports throughput in MB/s (decimal megabytes), time including drop.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use cue_syntax::{parse_file, FileId};

fn bench_parse(c: &mut Criterion) {
    let src = cue_syntax::testing::bench_input(10 * 1024 * 1024 + 1);
    let (_, errors) = parse_file(FileId(0), &src);
    assert!(
        errors.is_empty(),
        "generated input must parse: {}",
        errors[0]
    );
    let mut group = c.benchmark_group("parse");
    group.throughput(Throughput::BytesDecimal(src.len() as u64));
    group.sample_size(10);
    group.bench_function("generated_10MB", |b| b.iter(|| parse_file(FileId(0), &src)));
    group.finish();
}

criterion_group!(benches, bench_parse);
criterion_main!(benches);
