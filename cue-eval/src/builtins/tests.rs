//! Runs the builtin calls of `testdata/builtins/*.txtar` directly against
//! the registry, comparing with the reference's recorded output.
//!
//! The cases are ordinary conformance cases (`-- in.cue --`,
//! `-- out/export.json --` or `-- out/export.err --`, produced by CUE
//! v0.4.3). Here, each line `name: pkg.Func(args)` whose arguments are JSON
//! literals is evaluated through the registry, and `name: pkg.Const` too;
//! other lines are left to the evaluator's conformance run.

use super::*;
use std::collections::HashMap;
use std::path::PathBuf;

fn sections(text: &str) -> HashMap<String, String> {
    crate::txtar_testing::sections(text).into_iter().collect()
}

/// Import name → package path, from the file's import declarations.
fn imports(src: &str) -> HashMap<String, &'static Package> {
    let header = crate::load::scan_header(src).expect("test header");
    header
        .imports
        .iter()
        .map(|i| {
            let pkg = package(&i.path).unwrap_or_else(|| panic!("unknown package {}", i.path));
            (
                i.alias.clone().unwrap_or_else(|| pkg.name().to_string()),
                pkg,
            )
        })
        .collect()
}

enum Outcome {
    Value(Data),
    Error(String),
    Skip,
}

/// Evaluates `expr` if it is `pkg.Member` or `pkg.Func(json args)`.
fn eval(expr: &str, pkgs: &HashMap<String, &'static Package>) -> Outcome {
    let (head, call_args) = match expr.find('(') {
        Some(i) if expr.ends_with(')') => (&expr[..i], Some(&expr[i + 1..expr.len() - 1])),
        _ => (expr, None),
    };
    let Some((pkg, member)) = head.split_once('.') else {
        return Outcome::Skip;
    };
    let Some(pkg) = pkgs.get(pkg) else {
        return Outcome::Skip;
    };
    let Some(m) = pkg.member(member) else {
        return Outcome::Skip;
    };
    match (&m.value, call_args) {
        (MemberValue::Const(c), None) => Outcome::Value(c.to_data()),
        (MemberValue::Func(f), Some(a)) => {
            if matches!(f.imp, Impl::Host(_)) {
                return Outcome::Skip;
            }
            let Ok(Data::List(args)) = Data::from_json(&format!("[{a}]")) else {
                return Outcome::Skip;
            };
            if f.is_validator_call(args.len()) {
                // A validator waiting for its value, not a call.
                return Outcome::Skip;
            }
            match f.call_data(&args) {
                Ok(v) => Outcome::Value(v),
                Err(e) => Outcome::Error(e.message(f)),
            }
        }
        _ => Outcome::Skip,
    }
}

fn json_of(d: &Data) -> String {
    // Compare encoder output: numbers keep their text, bytes become base64.
    d.to_json()
}

#[test]
fn builtin_cases_match_the_reference() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../testdata/builtins");
    let mut entries: Vec<_> = std::fs::read_dir(&dir)
        .expect("testdata/builtins")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "txtar"))
        .collect();
    entries.sort();
    let mut checked = 0;
    let mut failures = Vec::new();
    for path in &entries {
        let text = std::fs::read_to_string(path).expect("case");
        let secs = sections(&text);
        let src = &secs["in.cue"];
        let pkgs = imports(src);
        let expected = secs
            .get("out/export.json")
            .map(|j| Data::from_json(j).expect("expected json"));
        let err_text = secs.get("out/export.err");
        for line in src.lines() {
            let Some((name, expr)) = line.split_once(": ") else {
                continue;
            };
            if !name.chars().all(|c| c.is_alphanumeric() || c == '_') {
                continue;
            }
            let case = format!("{}: {name}", path.file_name().unwrap().to_string_lossy());
            match (eval(expr.trim(), &pkgs), &expected, err_text) {
                (Outcome::Skip, _, _) => continue,
                (Outcome::Value(v), Some(exp), _) => {
                    let want = exp.get(name).map(json_of);
                    if want.as_deref() != Some(json_of(&v).as_str()) {
                        failures.push(format!("{case}: got {} want {want:?}", json_of(&v)));
                    }
                }
                (Outcome::Error(e), None, Some(err)) => {
                    if !err.contains(&e) {
                        failures.push(format!("{case}: error {e:?} not in reference errors"));
                    }
                }
                // Other fields of a failing file: only those the
                // reference reports by path must fail.
                (Outcome::Value(_), None, Some(err))
                    if !err.lines().any(|l| l.starts_with(&format!("{name}: "))) =>
                {
                    continue
                }
                (Outcome::Value(v), None, Some(_)) => {
                    failures.push(format!("{case}: got {} but reference fails", json_of(&v)));
                }
                (Outcome::Error(e), Some(_), _) => {
                    failures.push(format!("{case}: unexpected error {e}"));
                }
                (_, None, None) => panic!("{case}: case has no expected output"),
            }
            checked += 1;
        }
    }
    eprintln!(
        "checked {checked} builtin calls in {} files of {}",
        entries.len(),
        dir.display()
    );
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(checked > 0, "no calls checked");
}

#[test]
fn registry_constants_parse() {
    for pkg in packages() {
        for m in pkg.members {
            if let MemberValue::Const(Const::Number(t)) = m.value {
                assert!(
                    crate::num::Number::parse(t).is_ok(),
                    "{}.{}",
                    pkg.path,
                    m.name
                );
            }
            if let MemberValue::Func(f) = &m.value {
                assert_eq!(f.package, pkg.path, "{}", m.name);
                assert_eq!(f.name, m.name);
            }
        }
    }
}

#[test]
fn argument_errors_read_like_the_reference() {
    let f = package("strings")
        .unwrap()
        .member("ToUpper")
        .unwrap()
        .func()
        .unwrap();
    let err = f
        .call_data(&[Data::Number(crate::num::Number::from_i64(1))])
        .unwrap_err();
    assert_eq!(
        err.message(f),
        "cannot use 1 (type int) as string in argument 1 to strings.ToUpper"
    );
    let err = f
        .call_data(&[Data::String("a".into()), Data::String("b".into())])
        .unwrap_err();
    assert_eq!(
        err.message(f),
        "too many arguments in call to strings.ToUpper (have 2, want 1)"
    );
    let f = package("crypto/sha256")
        .unwrap()
        .member("Sum256")
        .unwrap()
        .func()
        .unwrap();
    let err = f
        .call_data(&[Data::Number(crate::num::Number::from_i64(1))])
        .unwrap_err();
    assert_eq!(
        err.message(f),
        "cannot use 1 (type int) as (string|bytes) in argument 1 to \"crypto/sha256\".Sum256"
    );
}

#[test]
fn defaults_make_a_short_call_a_call_not_a_validator() {
    let is_abs = package("path")
        .unwrap()
        .member("IsAbs")
        .unwrap()
        .func()
        .unwrap();
    assert!(!is_abs.is_validator_call(1));
    let min_runes = package("strings")
        .unwrap()
        .member("MinRunes")
        .unwrap()
        .func()
        .unwrap();
    assert!(min_runes.is_validator_call(1));
    assert!(!min_runes.is_validator_call(2));
    let valid = package("uuid")
        .unwrap()
        .member("Valid")
        .unwrap()
        .func()
        .unwrap();
    assert!(valid.is_validator_call(0));
}

#[test]
fn validator_failures_list_arguments_only_when_given() {
    let unique = package("list")
        .unwrap()
        .member("UniqueItems")
        .unwrap()
        .func()
        .unwrap();
    assert_eq!(
        unique.validator_failure("[\"x\",\"x\"]", &[]),
        "invalid value [\"x\",\"x\"] (does not satisfy list.UniqueItems)"
    );
    let min = package("strings")
        .unwrap()
        .member("MinRunes")
        .unwrap()
        .func()
        .unwrap();
    assert_eq!(
        min.validator_failure("\"ab\"", &["3".into()]),
        "invalid value \"ab\" (does not satisfy strings.MinRunes(3))"
    );
}

/// A stand-in evaluator: values are data; the comparator orders numbers
/// by value (or the `k` field of structs); `validate` accepts structs only.
struct FakeHost {
    vals: Vec<Data>,
    fields: usize,
}

fn key(d: &Data) -> crate::num::Number {
    match d {
        Data::Number(n) => n.clone(),
        other => match other.get("k") {
            Some(Data::Number(n)) => n.clone(),
            _ => crate::num::Number::from_i64(0),
        },
    }
}

impl Host for FakeHost {
    fn data(&mut self, v: HostValue) -> Result<Data, BuiltinError> {
        Ok(self.vals[v.0 as usize].clone())
    }
    fn validate(&mut self, _schema: HostValue, data: &Data) -> Result<(), BuiltinError> {
        match data {
            Data::Struct(_) => Ok(()),
            _ => Err(BuiltinError::Plain("conflicting values".into())),
        }
    }
    fn less(&mut self, _cmp: HostValue, a: &Data, b: &Data) -> Result<bool, BuiltinError> {
        Ok(key(a) < key(b))
    }
    fn field_count(&mut self, _v: HostValue) -> Result<(usize, bool), BuiltinError> {
        Ok((self.fields, false))
    }
}

fn host_call(pkg: &str, name: &str, vals: Vec<Data>, fields: usize) -> Result<Data, BuiltinError> {
    let f = package(pkg).unwrap().member(name).unwrap().func().unwrap();
    let Impl::Host(h) = f.imp else {
        panic!("{pkg}.{name} is not a host function")
    };
    let n = vals.len() as u32;
    let mut host = FakeHost { vals, fields };
    h(&mut host, &(0..n).map(HostValue).collect::<Vec<_>>())
}

#[test]
fn sort_is_stable_and_uses_the_comparator() {
    let d = |j: &str| Data::from_json(j).unwrap();
    let sorted = host_call(
        "list",
        "Sort",
        vec![
            d(r#"[{"k":2,"i":0},{"k":1,"i":1},{"k":2,"i":2},{"k":0,"i":3}]"#),
            Data::Null,
        ],
        0,
    )
    .unwrap();
    assert_eq!(
        sorted.to_json(),
        d(r#"[{"k":0,"i":3},{"k":1,"i":1},{"k":2,"i":0},{"k":2,"i":2}]"#).to_json()
    );
    let yes = host_call("list", "IsSorted", vec![d("[1,2,2,3]"), Data::Null], 0).unwrap();
    assert_eq!(yes, Data::Bool(true));
    let no = host_call("list", "IsSorted", vec![d("[2,1]"), Data::Null], 0).unwrap();
    assert_eq!(no, Data::Bool(false));
}

#[test]
fn field_count_validators() {
    let n = |v: i64| Data::Number(crate::num::Number::from_i64(v));
    let err = host_call("struct", "MinFields", vec![Data::Null, n(2)], 1).unwrap_err();
    assert!(err.is_incomplete());
    assert_eq!(err.to_string(), "len(fields) < MinFields(2) (1 < 2)");
    assert_eq!(
        host_call("struct", "MinFields", vec![Data::Null, n(1)], 1).unwrap(),
        Data::Bool(true)
    );
    assert_eq!(
        host_call("struct", "MaxFields", vec![Data::Null, n(1)], 2).unwrap(),
        Data::Bool(false)
    );
}

#[test]
fn json_and_yaml_validate_decode_then_ask_the_host() {
    let s = |t: &str| Data::String(t.into());
    assert_eq!(
        host_call(
            "encoding/json",
            "Validate",
            vec![s(r#"{"a":1}"#), Data::Null],
            0
        )
        .unwrap(),
        Data::Bool(true)
    );
    let err = host_call("encoding/json", "Validate", vec![s("[1]"), Data::Null], 0).unwrap_err();
    assert_eq!(err.to_string(), "conflicting values");
    let err = host_call("encoding/json", "Validate", vec![s("{"), Data::Null], 0).unwrap_err();
    assert!(matches!(err, BuiltinError::Call(_)));
    assert_eq!(
        host_call(
            "encoding/yaml",
            "Validate",
            vec![s("a: 1\n---\nb: 2\n"), Data::Null],
            0
        )
        .unwrap(),
        Data::Bool(true)
    );
    let err = host_call(
        "encoding/yaml",
        "Validate",
        vec![s("a: 1\n---\n- 2\n"), Data::Null],
        0,
    )
    .unwrap_err();
    assert_eq!(err.to_string(), "conflicting values");
}

/// Every data function, called with awkward arguments of the kinds it
/// accepts, returns a value or an error and never panics.
#[test]
fn no_builtin_panics_on_awkward_arguments() {
    let n = |s: &str| Data::Number(crate::num::Number::parse(s).unwrap());
    let s = |t: &str| Data::String(t.into());
    let samples = |k: Kind| -> Vec<Data> {
        let mut v = Vec::new();
        if k.intersects(Kind::STRING) {
            for t in [
                "",
                "é☺",
                "ééééééééééé",
                "a:b/c",
                "{{",
                "(",
                "[",
                "\\",
                "\"",
                "0x",
                "-",
                "12",
                "urn:uuid:ééééééééééééééééééééééééééééééééééé",
                "1.5e3",
                "@@",
                "PMé",
                "urn:uuidéaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
                "aéééééééééééééééa",
                "aaé",
                "aé",
                "Jan",
                "PM",
                "2006-01-02 MST",
                "Z07:00",
            ] {
                v.push(s(t));
            }
        }
        if k.intersects(Kind::BYTES) {
            v.push(Data::Bytes(vec![0xff, 0x00]));
        }
        if k.intersects(Kind::INT) {
            for t in [
                "0",
                "-1",
                "3",
                "99999999999999999999999",
                "-9223372036854775808",
            ] {
                v.push(n(t));
            }
        }
        if k.intersects(Kind::FLOAT) {
            for t in ["0.5", "-2.5", "1e400", "1e-400"] {
                v.push(n(t));
            }
        }
        if k.intersects(Kind::LIST) {
            v.push(Data::List(vec![]));
            v.push(Data::List(vec![s("é"), n("1"), Data::Null]));
            v.push(Data::List(vec![Data::List(vec![n("300")])]));
        }
        if k.intersects(Kind::STRUCT) {
            v.push(Data::Struct(vec![("a".into(), n("1"))]));
        }
        if k.intersects(Kind::BOOL) {
            v.push(Data::Bool(true));
        }
        if k.intersects(Kind::NULL) {
            v.push(Data::Null);
        }
        v
    };
    let mut calls = 0;
    for pkg in packages() {
        for m in pkg.members {
            let Some(f) = m.func() else { continue };
            if !matches!(f.imp, Impl::Data(_)) {
                continue;
            }
            // All combinations of up to three parameters' samples.
            if std::env::var("TRACE_BUILTINS").is_ok() {
                eprintln!("{}", f.qualified_name());
            }
            let lists: Vec<Vec<Data>> = f.params.iter().map(|p| samples(p.kind)).collect();
            let mut idx = vec![0usize; lists.len()];
            loop {
                let args: Vec<Data> = idx.iter().zip(&lists).map(|(&i, l)| l[i].clone()).collect();
                let r = std::panic::catch_unwind(|| f.call_data(&args));
                assert!(r.is_ok(), "{} panicked on {:?}", f.qualified_name(), args);
                calls += 1;
                // Next combination (odometer), limited per function.
                let mut k = 0;
                while k < idx.len() {
                    idx[k] += 1;
                    if idx[k] < lists[k].len() {
                        break;
                    }
                    idx[k] = 0;
                    k += 1;
                }
                if k == idx.len() || calls > 2_000_000 {
                    break;
                }
            }
        }
    }
    assert!(calls > 1000, "{calls}");
}
