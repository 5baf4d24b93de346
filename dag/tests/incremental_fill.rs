//! Incremental re-evaluation after fills (issue #12) against the reference:
//! the same plan evaluated in full after every fill. Each generated plan is
//! run by the scheduler with the in-memory solver on two `CuePlan`s fed the
//! same fills; after every fill both must give the same result (the same
//! error text, or none) and the same tree.

use std::sync::Arc;

use dag::cue_plan::CuePlan;
use dag::fake::FakeSolver;
use dag::path::Path;
use dag::plan::{Plan, PlanError};
use dag::run::{run, Options, RunError};
use dag::tree::Node;

/// An incremental plan and its full-evaluation twin, compared at every fill.
struct Twin {
    inc: CuePlan,
    full: CuePlan,
    fills: usize,
}

impl Plan for Twin {
    fn root(&self) -> &Node {
        self.inc.root()
    }

    fn fill(&mut self, path: &Path, value: &serde_json::Value) -> Result<(), PlanError> {
        self.fill_all(&[(path.clone(), value.clone())])
    }

    fn fill_all(&mut self, values: &[(Path, serde_json::Value)]) -> Result<(), PlanError> {
        let a = self.inc.fill_all(values);
        let b = self.full.fill_all(values);
        self.fills += 1;
        assert_eq!(a, b, "fill {} of {values:?}: results differ", self.fills);
        let (a_root, b_root) = (self.inc.root(), self.full.root());
        if a_root != b_root {
            // Name the top-level fields that differ, not the whole trees.
            let differing: Vec<String> = a_root
                .fields
                .iter()
                .zip(&b_root.fields)
                .filter(|(x, y)| x != y)
                .map(|(x, y)| format!("incremental: {x:#?}\nfull: {y:#?}"))
                .collect();
            panic!(
                "fill {} of {values:?}: trees differ\n{}",
                self.fills,
                if differing.is_empty() {
                    format!("{a_root:#?}\n{b_root:#?}")
                } else {
                    differing.join("\n")
                }
            );
        }
        a
    }

    fn secrets(&self) -> dag::secrets::Secrets {
        self.inc.secrets()
    }
}

fn options(dir: &std::path::Path) -> Options {
    Options {
        plan_dir: dir.to_path_buf(),
        allow_host_paths: Vec::new(),
        events: dag::events::discard(),
    }
}

/// Runs `plan` (CUE text of package `main`) on both twins; the run's result
/// and the twins.
fn run_twins(plan: &str) -> (Result<dag::run::Report, RunError>, Twin) {
    try_twins(plan).unwrap_or_else(|e| panic!("{e}\n{plan}"))
}

/// As [`run_twins`]; a plan that does not load is an error.
fn try_twins(plan: &str) -> Result<(Result<dag::run::Report, RunError>, Twin), PlanError> {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("plan.cue"), plan).unwrap();
    let inc = CuePlan::load(dir.path(), &[])?;
    let mut full = CuePlan::load(dir.path(), &[]).unwrap();
    full.set_incremental(false);
    assert!(inc.root() == full.root());
    let mut twin = Twin {
        inc,
        full,
        fills: 0,
    };
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let result = rt.block_on(run(
        &mut twin,
        Arc::new(FakeSolver::new()),
        &options(dir.path()),
    ));
    Ok((result, twin))
}

const HEADER: &str = "package main\n\nimport (\n\t\"strings\"\n\t\"dagger.io/llb\"\n)\n\n";

/// A component exporting `text` (CUE string contents, may interpolate),
/// with `constraint` as its type.
fn component(name: &str, constraint: &str, text: &str) -> String {
    format!(
        "{name}: {{\n\t{constraint}\n\t#compute: [\n\t\tllb.#Exec & {{args: [\"write\", \"out\", \"{text}\"]}},\n\t\tllb.#Export & {{source: \"/out\"}},\n\t]\n}}\n"
    )
}

/// A deterministic pseudo-random sequence (xorshift), so that a failing
/// case can be reproduced from its seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// A plan of `n` components, each reading zero to two earlier ones (by
/// interpolation), with regular fields, definitions, hidden fields, lets,
/// comprehensions and disjunctions that depend on exported values.
fn generated(seed: u64, n: usize) -> String {
    let mut rng = Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
    let mut s = String::from(HEADER);
    for i in 0..n {
        let mut text = format!("v{i}");
        let reads = if i == 0 { 0 } else { rng.below(3) };
        for _ in 0..reads {
            let j = rng.below(i);
            text.push_str(&format!("-\\(c{j})"));
        }
        // Now and then an export conflicts with its component's type, or
        // with a field that fixes what a component must export.
        let constraint = if rng.below(40) == 0 { "int" } else { "string" };
        s.push_str(&component(&format!("c{i}"), constraint, &text));
        let j = rng.below(i + 1);
        match rng.below(16) {
            0 => s.push_str(&format!("info{i}: {{of: c{i}, size: len(c{i})}}\n")),
            1 => s.push_str(&format!("#D{i}: {{x: c{i}}}\n_h{i}: #D{i}.x\n")),
            2 => s.push_str(&format!(
                "let l{i} = c{i}\nfromlet{i}: \"<\\(l{i})>\"\nagain{i}: [l{i}, l{i}]\n"
            )),
            3 => s.push_str(&format!(
                "both{i}: [for k, v in {{a: c{i}, b: c{j}}} {{\"\\(k)=\\(v)\"}}]\n"
            )),
            4 => s.push_str(&format!("mode{i}: *\"default\" | string\nmode{i}: c{i}\n")),
            5 => s.push_str(&format!(
                "nested{i}: deep: {{x: c{i}, y: nested{i}.deep.x}}\n"
            )),
            6 => s.push_str(&format!(
                "pick{i}: [if c{i} == \"v{i}\" {{\"yes\"}}, \"no\"][0]\n"
            )),
            7 => s.push_str(&format!(
                "#S{i}: {{a: string, b?: int}}\ns{i}: #S{i} & {{a: c{i}}}\n"
            )),
            8 => s.push_str(&format!(
                "opt{i}: {{x?: string, y: c{j}}}\npat{i}: {{[string]: string}} & {{k: c{i}}}\n"
            )),
            9 => s.push_str(&format!("dyn{i}: {{\"key-\\(c{i})\": c{j}}}\n")),
            10 => {
                // A component nested in a struct, read from the top level.
                let inner = component("inner", "string", &format!("in{i}-\\(c{j})"));
                s.push_str(&format!(
                    "group{i}: {{\n{inner}}}\nouter{i}: group{i}.inner\n"
                ));
            }
            11 => s.push_str(&format!(
                "upper{i}: strings.ToUpper(c{i})\nsize{i}: len(upper{i}) + len(c{j})\n"
            )),
            12 => s.push_str(&format!("strict{i}: c{i} & \"v{i}\"\n")),
            _ => {}
        }
    }
    s
}

#[test]
fn generated_plans_match_full_evaluation() {
    // More seeds with INCREMENTAL_SEEDS=N.
    let seeds: u64 = std::env::var("INCREMENTAL_SEEDS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(24);
    let mut partial_rounds = 0;
    let mut failed_runs = 0;
    for seed in 1..=seeds {
        let n = 3 + (seed as usize % 7);
        let plan = generated(seed, n);
        // A plan whose conflict shows before anything runs is not a case.
        let Ok((result, twin)) = try_twins(&plan) else {
            continue;
        };
        let counts = twin.inc.finalized_counts();
        partial_rounds += counts[1..].iter().filter(|&&c| c < counts[0]).count();
        // A failed run failed the same way on both twins (checked at each
        // fill); a run that went through ran everything.
        match result {
            Ok(report) => assert!(
                report.ran.len() >= n && report.skipped.is_empty(),
                "seed {seed}: {report:?}\n{plan}"
            ),
            Err(_) => failed_runs += 1,
        }
        assert!(twin.fills >= 1);
    }
    // The generated plans are mostly evaluated incrementally (lets and
    // comprehensions included), not all by the fallback.
    assert!(partial_rounds > 24, "{partial_rounds}");
    // Some runs end on an export that conflicts, most do not.
    assert!(
        failed_runs > 0 && failed_runs < seeds / 2,
        "{failed_runs} of {seeds}"
    );
}

#[test]
fn chain_evaluates_a_few_fields_per_fill() {
    let mut plan = String::from(HEADER);
    for i in 0..30 {
        let text = if i == 0 {
            "start".to_string()
        } else {
            format!("\\(c{})+{i}", i - 1)
        };
        plan.push_str(&component(&format!("c{i}"), "string", &text));
    }
    let (result, twin) = run_twins(&plan);
    let report = result.unwrap();
    assert_eq!(report.ran.len(), 30);
    let counts = twin.inc.finalized_counts();
    assert_eq!(counts[0], 30, "the load evaluates everything");
    // A fill changes the component and the ops of the next one; the one
    // after that still waits on an export and comes out the same.
    assert!(
        counts[1..].iter().all(|&c| c <= 3),
        "fields evaluated per fill: {counts:?}"
    );
    // The last fill reached only the last component; the full twin does
    // not know what changed.
    assert_eq!(twin.inc.changed(), Some(&[Path::root().field("c29")][..]));
    assert_eq!(twin.full.changed(), None);
    let last = twin.inc.root().lookup(&Path::root().field("c29")).unwrap();
    let want = (1..30).fold("start".to_string(), |acc, i| format!("{acc}+{i}"));
    assert_eq!(last.as_str(), Some(want.as_str()));
}

#[test]
fn diamond_and_fan_out_match() {
    let mut plan = String::from(HEADER);
    plan.push_str(&component("a", "string", "a"));
    plan.push_str(&component("b", "string", "b<\\(a)>"));
    plan.push_str(&component("c", "string", "c<\\(a)>"));
    plan.push_str(&component("d", "string", "d<\\(b)|\\(c)>"));
    for i in 0..6 {
        plan.push_str(&component(
            &format!("f{i}"),
            "string",
            &format!("f{i}<\\(d)>"),
        ));
    }
    plan.push_str("all: [f0, f1, f2, f3, f4, f5]\n");
    let (result, twin) = run_twins(&plan);
    result.unwrap();
    let d = twin.inc.root().lookup(&Path::root().field("d")).unwrap();
    assert_eq!(d.as_str(), Some("d<b<a>|c<a>>"));
    let all = twin.inc.root().lookup(&Path::root().field("all")).unwrap();
    assert_eq!(all.elems.len(), 6);
    assert_eq!(all.elems[5].as_str(), Some("f5<d<b<a>|c<a>>>"));
}

#[test]
fn export_conflicting_with_constraint_fails_the_same_way() {
    // The export conflicts with the component's own constraint.
    let mut plan = String::from(HEADER);
    plan.push_str(&component("a", "string", "a"));
    plan.push_str(&component("b", "=~\"^x\"", "b<\\(a)>"));
    plan.push_str(&component("c", "string", "c<\\(b)>"));
    let (result, _) = run_twins(&plan);
    let err = result.unwrap_err();
    assert!(
        matches!(&err, RunError::Fill { component, .. } if component.to_string() == "b"),
        "{err}"
    );

    // The export is fine for its component but conflicts elsewhere.
    let mut plan = String::from(HEADER);
    plan.push_str(&component("a", "string", "a"));
    plan.push_str(&component("b", "string", "b<\\(a)>"));
    plan.push_str("check: b & \"b<z>\"\n");
    let (result, _) = run_twins(&plan);
    let err = result.unwrap_err().to_string();
    assert!(err.contains("check"), "{err}");
}

#[test]
fn top_level_shapes_that_are_not_plain_fields_fall_back_to_full() {
    // An embedded struct at the top level: fields depend on values.
    let mut plan = String::from(HEADER);
    plan.push_str(&component("a", "string", "a"));
    plan.push_str(&component("b", "string", "b<\\(a)>"));
    plan.push_str("if a == \"a\" {\n\textra: \"\\(b)!\"\n}\n");
    let (result, twin) = run_twins(&plan);
    result.unwrap();
    let extra = twin
        .inc
        .root()
        .lookup(&Path::root().field("extra"))
        .unwrap();
    assert_eq!(extra.as_str(), Some("b<a>!"));
    let counts = twin.inc.finalized_counts();
    assert!(counts.iter().all(|&c| c >= 2), "{counts:?}");
}
