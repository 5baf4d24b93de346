//! Evaluation benchmarks on generated inputs (the same shapes as
//! `scripts/gen-cue.py`, used by `scripts/bench-eval.sh`), so profiles of
//! the evaluator alone are repeatable: `cargo bench -p cue-eval`.

use criterion::{criterion_group, criterion_main, Criterion};
use cue_eval::api::{evaluate, Source};
use std::fmt::Write;

/// `n` leaf fields over items unifying a definition with defaults, bounds
/// and string interpolation (`gen-cue.py fields`).
fn fields(n: usize) -> String {
    let mut s = String::from(
        "#Item: {\n\tname:     string\n\tport:     *8080 | int & >0 & <65536\n\
         \treplicas: *1 | int & >=0\n\tlabel:    \"item-\\(name)-\\(port)\"\n\
         \tenabled:  *true | bool\n}\n\nitems: {\n",
    );
    for i in 0..(n / 5).max(1) {
        let _ = match i % 3 {
            0 => writeln!(
                s,
                "\ti{i}: #Item & {{name: \"n{i}\", port: {}}}",
                1000 + i % 60000
            ),
            1 => writeln!(s, "\ti{i}: #Item & {{name: \"n{i}\", replicas: {}}}", i % 7),
            _ => writeln!(s, "\ti{i}: #Item & {{name: \"n{i}\", enabled: false}}"),
        };
    }
    s.push_str("}\n");
    s
}

/// `n / 5` values checked against a disjunction-heavy schema
/// (`gen-cue.py disjunctions`).
fn disjunctions(n: usize) -> String {
    let mut s = String::from(
        "#Kind: \"a\" | \"b\" | \"c\" | \"d\" | \"e\" | \"f\" | \"g\" | \"h\"\n\
         #Size: *\"small\" | \"medium\" | \"large\" | \"xlarge\"\n\
         #Shape: {type: \"circle\", r: number} | {type: \"rect\", w: number, h: number} | \
         {type: \"tri\", a: number, b: number, c: number}\n\
         #Spec: {\n\tkind:  #Kind\n\tsize:  #Size\n\tmode:  *1 | 2 | 3 | 4\n\
         \tshape: #Shape\n\tlevel: *\"info\" | \"warn\" | \"error\" | int\n}\n\nspecs: [\n",
    );
    let shapes = [
        "{type: \"circle\", r: 1}",
        "{type: \"rect\", w: 2, h: 3}",
        "{type: \"tri\", a: 3, b: 4, c: 5}",
    ];
    let kinds = b"abcdefgh";
    for i in 0..(n / 5).max(1) {
        let extra = if i % 4 == 0 { " size: \"large\"," } else { "" };
        let _ = writeln!(
            s,
            "\t#Spec & {{kind: \"{}\",{extra} shape: {}}},",
            kinds[i % 8] as char,
            shapes[i % 3]
        );
    }
    s.push_str("]\n");
    s
}

/// Evaluates and exports `text` as JSON, as `dagger eval --out json` does.
fn export_json(text: &str) -> String {
    let sources = [Source {
        name: "bench.cue".to_string(),
        text: text.to_string(),
    }];
    let evaluated = evaluate(&sources).expect("the generated input evaluates");
    evaluated
        .export()
        .expect("the generated input is concrete")
        .to_json()
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("export");
    group.sample_size(10);
    let inputs = [
        ("fields-10k", fields(10_000)),
        ("disjunctions-10k", disjunctions(10_000)),
    ];
    for (name, text) in &inputs {
        group.bench_function(*name, |b| b.iter(|| export_json(text)));
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
