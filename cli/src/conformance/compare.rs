//! Judging our outputs against the reference's.
//!
//! A case passes when the export outcome agrees: both fail, or both succeed
//! with equal JSON values (key order ignored, numbers by value). Stricter,
//! separately counted checks: the JSON text is byte-identical ("exact"),
//! and `cue eval` agrees (same text after whitespace normalization, or
//! both fail).

use super::case::{Case, ExpectEval, ExpectExport};
use cue_eval::data::Data;
use serde::{Deserialize, Serialize};

/// What our evaluator produced for a case.
#[derive(Clone, Debug)]
pub struct Actual {
    /// `export --out json`: the JSON text, or the error report.
    pub export: Result<String, String>,
    /// `eval`: the CUE text, or the error report (`None` if not run).
    pub eval: Option<Result<String, String>>,
    /// `export --out yaml` (`None` if not run).
    pub yaml: Option<Result<String, String>>,
}

/// The judgement of one case.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verdict {
    /// The export outcome agrees (the pass criterion).
    pub pass: bool,
    /// The reference's export succeeded.
    pub expects_json: bool,
    /// Our JSON text is byte-identical to the reference's.
    pub json_exact: bool,
    /// The archive has an `out/eval.cue` (the reference's eval succeeded).
    pub expects_eval_text: bool,
    /// The archive has an `out/eval.err`.
    pub expects_eval_error: bool,
    /// Our eval outcome agrees with the reference's.
    pub eval_agrees: bool,
    /// The archive has an `out/export.yaml` (from the reference).
    pub expects_yaml: bool,
    /// Our YAML text is byte-identical to it.
    pub yaml_exact: bool,
    /// Why the case fails, or what else differs (short, one line).
    pub reason: Option<String>,
}

/// Compares our outputs for `case` with the reference's.
pub fn judge(case: &Case, actual: &Actual) -> Verdict {
    let mut v = Verdict::default();
    match (&case.export, &actual.export) {
        (None, _) => v.reason = Some("archive has no out/export.json or out/export.err".into()),
        (Some(ExpectExport::Json(want)), Ok(got)) => {
            v.expects_json = true;
            v.json_exact = want == got;
            match (Data::from_json(want), Data::from_json(got)) {
                (Ok(w), Ok(g)) => match first_difference(&w, &g, "") {
                    None => v.pass = true,
                    Some(path) => v.reason = Some(format!("export value differs at {path}")),
                },
                (Err(e), _) => v.reason = Some(format!("expected JSON does not parse: {e}")),
                (_, Err(e)) => v.reason = Some(format!("our JSON does not parse: {e}")),
            }
            if v.pass && !v.json_exact {
                v.reason = Some(text_difference(want, got));
            }
        }
        (Some(ExpectExport::Json(_)), Err(report)) => {
            v.expects_json = true;
            v.reason = Some(format!("export failed: {}", first_line(report)));
        }
        (Some(ExpectExport::Error(_)), Err(_)) => v.pass = true,
        (Some(ExpectExport::Error(want)), Ok(_)) => {
            v.reason = Some(format!(
                "export succeeded, reference failed: {}",
                first_line(want)
            ));
        }
    }
    if let Some(want) = &case.yaml {
        v.expects_yaml = true;
        v.yaml_exact = matches!(&actual.yaml, Some(Ok(got)) if got == want);
    }
    match (&case.eval, &actual.eval) {
        (Some(ExpectEval::Text(want)), Some(Ok(got))) => {
            v.expects_eval_text = true;
            v.eval_agrees = normalize(want) == normalize(got);
        }
        (Some(ExpectEval::Text(_)), _) => v.expects_eval_text = true,
        (Some(ExpectEval::Error(_)), got) => {
            v.expects_eval_error = true;
            v.eval_agrees = matches!(got, Some(Err(_)));
        }
        (None, _) => {}
    }
    v
}

/// The first line of a message, shortened for one-line reports.
pub fn first_line(s: &str) -> String {
    let line = s
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
        .trim();
    shorten(line, 120)
}

fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let cut: String = s.chars().take(max).collect();
        format!("{cut}...")
    }
}

/// Text for an export whose value matches but whose text does not.
fn text_difference(want: &str, got: &str) -> String {
    let line = want
        .lines()
        .zip(got.lines())
        .position(|(a, b)| a != b)
        .unwrap_or_else(|| want.lines().count().min(got.lines().count()));
    format!(
        "JSON text differs from line {}: want {:?}, got {:?}",
        line + 1,
        shorten(want.lines().nth(line).unwrap_or(""), 50),
        shorten(got.lines().nth(line).unwrap_or(""), 50)
    )
}

/// The path of the first value difference (key order ignored), if any.
pub fn first_difference(want: &Data, got: &Data, path: &str) -> Option<String> {
    let here = || {
        if path.is_empty() {
            "the root".to_string()
        } else {
            path.to_string()
        }
    };
    match (want, got) {
        (Data::Struct(w), Data::Struct(g)) => {
            for (k, wv) in w {
                let sub = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                match g.iter().find(|(gk, _)| gk == k) {
                    None => return Some(format!("{sub} (missing)")),
                    Some((_, gv)) => {
                        if let Some(d) = first_difference(wv, gv, &sub) {
                            return Some(d);
                        }
                    }
                }
            }
            g.iter()
                .find(|(gk, _)| !w.iter().any(|(wk, _)| wk == gk))
                .map(|(gk, _)| {
                    if path.is_empty() {
                        format!("{gk} (unexpected)")
                    } else {
                        format!("{path}.{gk} (unexpected)")
                    }
                })
        }
        (Data::List(w), Data::List(g)) => {
            if w.len() != g.len() {
                return Some(format!("{} (length {} vs {})", here(), w.len(), g.len()));
            }
            w.iter()
                .zip(g)
                .enumerate()
                .find_map(|(i, (a, b))| first_difference(a, b, &format!("{path}[{i}]")))
        }
        _ if want.same_value(got) => None,
        _ => Some(here()),
    }
}

/// Eval text normalized for comparison: trailing spaces dropped, runs of
/// spaces and tabs collapsed to one space, blank lines removed.
pub fn normalize(text: &str) -> String {
    let mut out = String::new();
    for line in text.lines() {
        let collapsed = line.split_whitespace().collect::<Vec<_>>().join(" ");
        if collapsed.is_empty() {
            continue;
        }
        out.push_str(&collapsed);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn case(text: &str) -> Case {
        Case::parse(text)
    }

    fn ok(s: &str) -> Result<String, String> {
        Ok(s.to_string())
    }

    fn err(s: &str) -> Result<String, String> {
        Err(s.to_string())
    }

    #[test]
    fn json_values_compare_ignoring_key_order() {
        let c =
            case("-- in.cue --\n-- out/export.json --\n{\n    \"a\": 1.0,\n    \"b\": [1]\n}\n");
        let v = judge(
            &c,
            &Actual {
                export: ok("{\"b\": [1], \"a\": 1}"),
                eval: None,
                yaml: None,
            },
        );
        assert!(v.pass && v.expects_json && !v.json_exact, "{v:?}");
        let exact = "{\n    \"a\": 1.0,\n    \"b\": [1]\n}\n";
        let v = judge(
            &c,
            &Actual {
                export: ok(exact),
                eval: None,
                yaml: None,
            },
        );
        assert!(v.pass && v.json_exact && v.reason.is_none(), "{v:?}");
        let v = judge(
            &c,
            &Actual {
                export: ok("{\"a\": 1, \"b\": [2]}"),
                eval: None,
                yaml: None,
            },
        );
        assert!(!v.pass);
        assert_eq!(v.reason.as_deref(), Some("export value differs at b[0]"));
    }

    #[test]
    fn error_expectations() {
        let c = case("-- in.cue --\n-- out/export.err --\nx: conflict\n    ./in.cue:1:1\n-- out/eval.err --\nx\n");
        let v = judge(
            &c,
            &Actual {
                export: err("anything"),
                eval: Some(err("e")),
                yaml: None,
            },
        );
        assert!(v.pass && v.eval_agrees && v.expects_eval_error);
        let v = judge(
            &c,
            &Actual {
                export: ok("{}"),
                eval: Some(ok("a: 1")),
                yaml: None,
            },
        );
        assert!(!v.pass && !v.eval_agrees);
        assert_eq!(
            v.reason.as_deref(),
            Some("export succeeded, reference failed: x: conflict")
        );
    }

    #[test]
    fn eval_text_after_normalization() {
        let c = case(
            "-- in.cue --\n-- out/export.json --\n{}\n-- out/eval.cue --\na:   1\n\nbb:  2   \n",
        );
        let v = judge(
            &c,
            &Actual {
                export: ok("{}\n"),
                eval: Some(ok("a: 1\nbb: 2\n")),
                yaml: None,
            },
        );
        assert!(v.pass && v.json_exact && v.eval_agrees && v.expects_eval_text);
        let v = judge(
            &c,
            &Actual {
                export: err("boom\n  ./in.cue:1:1"),
                eval: Some(ok("a: 2\nbb: 2\n")),
                yaml: None,
            },
        );
        assert!(!v.pass && !v.eval_agrees);
        assert_eq!(v.reason.as_deref(), Some("export failed: boom"));
    }

    #[test]
    fn yaml_compared_when_recorded() {
        let c = case("-- in.cue --\n-- out/export.json --\n{}\n-- out/export.yaml --\na: 1\n");
        let mut actual = Actual {
            export: ok("{}\n"),
            eval: None,
            yaml: Some(ok("a: 1\n")),
        };
        let v = judge(&c, &actual);
        assert!(v.expects_yaml && v.yaml_exact);
        actual.yaml = Some(ok("a: 2\n"));
        let v = judge(&c, &actual);
        assert!(v.expects_yaml && !v.yaml_exact && v.pass);
        let plain = case("-- in.cue --\n-- out/export.json --\n{}\n");
        assert!(!judge(&plain, &actual).expects_yaml);
    }

    #[test]
    fn differences_name_a_path() {
        let w = Data::from_json(r#"{"a": {"b": [1, {"c": 2}]}, "d": 1}"#).unwrap();
        let g = Data::from_json(r#"{"d": 1, "a": {"b": [1, {"c": 3}]}}"#).unwrap();
        assert_eq!(first_difference(&w, &g, "").as_deref(), Some("a.b[1].c"));
        let g = Data::from_json(r#"{"a": {"b": [1, {"c": 2}]}, "d": 1, "e": 0}"#).unwrap();
        assert_eq!(
            first_difference(&w, &g, "").as_deref(),
            Some("e (unexpected)")
        );
        let g = Data::from_json(r#"{"a": {"b": [1]}, "d": 1}"#).unwrap();
        assert_eq!(
            first_difference(&w, &g, "").as_deref(),
            Some("a.b (length 2 vs 1)")
        );
    }
}
