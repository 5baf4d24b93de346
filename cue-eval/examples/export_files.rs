//! Exports CUE files given on the command line as JSON (a development aid;
//! the product command is `dagger`'s). With `--txtar`, reads the root `.cue`
//! sections of a conformance archive instead.

use cue_eval::api::{evaluate, Source};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut sources = Vec::new();
    if args.first().map(String::as_str) == Some("--txtar") {
        let text = std::fs::read_to_string(&args[1]).expect("read");
        let mut cur: Option<(String, String)> = None;
        for line in text.split_inclusive('\n') {
            let t = line.trim_end_matches('\n');
            if let Some(name) = t.strip_prefix("-- ").and_then(|r| r.strip_suffix(" --")) {
                if let Some((n, b)) = cur.take() {
                    if n.ends_with(".cue") && !n.contains('/') {
                        sources.push(Source::new(n, b));
                    }
                }
                cur = Some((name.to_string(), String::new()));
            } else if let Some((_, b)) = cur.as_mut() {
                b.push_str(line);
            }
        }
        if let Some((n, b)) = cur.take() {
            if n.ends_with(".cue") && !n.contains('/') {
                sources.push(Source::new(n, b));
            }
        }
    } else {
        for a in &args {
            sources.push(Source::new(
                a.clone(),
                std::fs::read_to_string(a).expect("read"),
            ));
        }
    }
    let t = std::time::Instant::now();
    let inst = match evaluate(&sources) {
        Ok(i) => i,
        Err(e) => {
            eprint!("{e}");
            std::process::exit(1);
        }
    };
    match inst.export() {
        Ok(d) => print!("{}", d.to_json()),
        Err(e) => {
            eprint!("{e}");
            std::process::exit(1);
        }
    }
    eprintln!("time: {:?}", t.elapsed());
    // The process ends here: skip freeing the evaluator's arena.
    std::mem::forget(inst);
}
