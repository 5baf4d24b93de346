//! Export conformance against the reference corpus in
//! `../shared/cue-conformance`: each case's root-level `.cue` files are
//! evaluated as one instance and exported; the outcome (success/failure)
//! must agree with `out/export.json` / `out/export.err`, and for JSON
//! cases the value must be equal (ignoring key order). The test prints the
//! figures and fails if they fall below the recorded floor.

use cue_eval::api::{evaluate, Source};
use cue_eval::data::Data;
use std::path::{Path, PathBuf};

fn corpus_dir() -> Option<PathBuf> {
    let d = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/cue-conformance");
    d.is_dir().then_some(d)
}

fn txtar_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = rd.flatten().map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            txtar_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "txtar") {
            out.push(p);
        }
    }
}

/// Splits a txtar archive into (name, body) sections.
fn sections(text: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for line in text.split_inclusive('\n') {
        let t = line.trim_end_matches('\n');
        if let Some(name) = t.strip_prefix("-- ").and_then(|r| r.strip_suffix(" --")) {
            out.push((name.to_string(), String::new()));
        } else if let Some(last) = out.last_mut() {
            last.1.push_str(line);
        }
    }
    out
}

#[derive(Default, Debug)]
struct Stats {
    total: usize,
    outcome_ok: usize,
    json_total: usize,
    json_ok: usize,
    eval_outcome_ok: usize,
    eval_text_total: usize,
    eval_text_ok: usize,
}

/// Collapses runs of spaces and drops blank lines and trailing spaces.
fn normalize(s: &str) -> String {
    s.lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

fn run_case(path: &Path, stats: &mut Stats, verbose: bool) {
    if verbose {
        eprintln!("RUN   {}", path.display());
    }
    let text = std::fs::read_to_string(path).expect("read case");
    let secs = sections(&text);
    let sources: Vec<Source> = secs
        .iter()
        .filter(|(n, _)| n.ends_with(".cue") && !n.contains('/'))
        .map(|(n, b)| Source::new(n.clone(), b.clone()))
        .collect();
    let want_json = secs
        .iter()
        .find(|(n, _)| n == "out/export.json")
        .map(|(_, b)| b.clone());
    stats.total += 1;
    // Cases with modules or sub-packages go through the loader.
    let inst = if secs
        .iter()
        .any(|(n, _)| n.contains('/') && n.ends_with(".cue"))
    {
        let mut fs = cue_eval::load::MemFs::new();
        for (n, b) in secs.iter().filter(|(n, _)| !n.starts_with("out/")) {
            fs.add(Path::new("/case").join(n), b.clone());
        }
        let args: Vec<String> = sources.iter().map(|s| s.name.clone()).collect();
        match cue_eval::load::load(&fs, Path::new("/case"), &args) {
            Ok(p) => cue_eval::program::evaluate_program(&p),
            Err(e) => Err(cue_eval::errors::Errors(vec![
                cue_eval::errors::Error::new(vec![], e.to_string()),
            ])),
        }
    } else {
        evaluate(&sources)
    };
    let want_eval = secs
        .iter()
        .find(|(n, _)| n == "out/eval.cue")
        .map(|(_, b)| b.clone());
    let got_eval = inst
        .as_ref()
        .map_err(|e| e.clone())
        .and_then(|i| i.eval_syntax())
        .map(|f| {
            cue_syntax::format::format_file(&f, &cue_syntax::format::FormatOptions::spaces(4))
        });
    match (&want_eval, &got_eval) {
        (Some(w), Ok(g)) => {
            stats.eval_outcome_ok += 1;
            stats.eval_text_total += 1;
            if normalize(w) == normalize(g) {
                stats.eval_text_ok += 1;
            } else if verbose {
                eprintln!("EVAL  {}\n--- want\n{}--- got\n{}", path.display(), w, g);
            }
        }
        (Some(_), Err(_)) => stats.eval_text_total += 1,
        (None, Err(_)) => stats.eval_outcome_ok += 1,
        (None, Ok(_)) => {}
    }
    let got = inst.and_then(|i| i.export());
    let name = path.display().to_string();
    match (&want_json, &got) {
        (Some(j), Ok(d)) => {
            stats.outcome_ok += 1;
            stats.json_total += 1;
            let want = Data::from_json(j).expect("expected JSON parses");
            // Compare as JSON values (bytes export as base64 strings).
            let got = Data::from_json(&d.to_json()).unwrap_or_else(|_| d.clone());
            if want.same_value(&got) {
                stats.json_ok += 1;
            } else if verbose {
                eprintln!(
                    "VALUE {name}\n  want {}\n  got  {}",
                    j.trim(),
                    d.to_json().trim()
                );
            }
        }
        (Some(_), Err(e)) => {
            stats.json_total += 1;
            if verbose {
                eprintln!(
                    "ERR   {name}: {}",
                    e.to_string()
                        .lines()
                        .take(3)
                        .collect::<Vec<_>>()
                        .join(" | ")
                );
            }
        }
        (None, Err(_)) => stats.outcome_ok += 1,
        (None, Ok(d)) => {
            if verbose {
                eprintln!(
                    "OK?   {name}: {}",
                    d.to_json().chars().take(200).collect::<String>()
                );
            }
        }
    }
}

fn has_json(p: &Path) -> bool {
    std::fs::read_to_string(p).is_ok_and(|t| t.contains("-- out/export.json --"))
}

#[test]
fn export_conformance() {
    let Some(dir) = corpus_dir() else {
        eprintln!("conformance corpus not found; skipping");
        return;
    };
    let mut files = Vec::new();
    txtar_files(&dir, &mut files);
    let filter = std::env::var("CONFORMANCE_FILTER").ok();
    let verbose = std::env::var("CONFORMANCE_VERBOSE").is_ok();
    let mut stats = Stats::default();
    for f in &files {
        if let Some(flt) = &filter {
            if !f.display().to_string().contains(flt.as_str()) {
                continue;
            }
        }
        // A panic or a hang in one case must not hide the others' figures.
        let (tx, rx) = std::sync::mpsc::channel();
        let path = f.clone();
        std::thread::Builder::new()
            .stack_size(256 << 20)
            .spawn(move || {
                let mut s = Stats::default();
                run_case(&path, &mut s, verbose);
                let _ = tx.send(s);
            })
            .expect("spawn");
        match rx.recv_timeout(std::time::Duration::from_secs(10)) {
            Ok(s) => {
                stats.total += s.total;
                stats.outcome_ok += s.outcome_ok;
                stats.json_total += s.json_total;
                stats.json_ok += s.json_ok;
                stats.eval_outcome_ok += s.eval_outcome_ok;
                stats.eval_text_total += s.eval_text_total;
                stats.eval_text_ok += s.eval_text_ok;
            }
            Err(e) => {
                eprintln!("FAIL  {} ({e:?})", f.display());
                stats.total += 1;
                if has_json(f) {
                    stats.json_total += 1;
                }
            }
        }
    }
    eprintln!(
        "export outcome agrees: {}/{}; JSON value equal: {}/{}",
        stats.outcome_ok, stats.total, stats.json_ok, stats.json_total
    );
    eprintln!(
        "eval outcome agrees: {}/{}; eval text equal: {}/{}",
        stats.eval_outcome_ok, stats.total, stats.eval_text_ok, stats.eval_text_total
    );
    if filter.is_none() {
        assert!(stats.outcome_ok * 100 >= stats.total * FLOOR_OUTCOME_PCT);
        assert!(stats.json_ok * 100 >= stats.json_total * FLOOR_JSON_PCT);
    }
}

/// Floors raised as the evaluator improves.
const FLOOR_OUTCOME_PCT: usize = 90;
const FLOOR_JSON_PCT: usize = 85;
