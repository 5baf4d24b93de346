//! A case of the CUE command-line suite (`testdata/cue-cli`): one of CUE's
//! own testscript files with what the reference `cue` v0.4.3 printed for
//! each of its `cue` commands, as `scripts/update-cue-cli.py` records them.
//!
//! Layout of the archive: `script` (the testscript commands, kept for
//! reading), `in/PATH` (the script's files), and per command N
//! `out/N/cmd.json` (arguments after `cue`, the script's `!`, the file fed
//! on standard input, exit status, outputs stored with an added newline,
//! removed files), `out/N/stdout`, `out/N/stderr` and `out/N/files/PATH`
//! (files the command created or changed).

use super::txtar;
use std::collections::BTreeMap;

/// One `cue` command of a script and what the reference did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CliCommand {
    /// The arguments after `cue`, e.g. `["eval", "-e", "a", "x.cue"]`;
    /// `$WORK` stands for the work directory.
    pub argv: Vec<String>,
    /// The script expects the command to fail (`! cue ...`).
    pub negated: bool,
    /// The file (relative to the work directory) fed on standard input;
    /// none means empty standard input.
    pub stdin: Option<String>,
    /// The reference's exit status.
    pub exit: i32,
    /// The reference's standard output (`$WORK` for the work directory).
    pub stdout: String,
    /// The reference's standard error (`$WORK` for the work directory).
    pub stderr: String,
    /// Files the command created or changed, with their new contents.
    pub files: BTreeMap<String, String>,
    /// Files the command removed.
    pub removed: Vec<String>,
}

/// A script: its files and its commands.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CliCase {
    /// The testscript text (commands and comments).
    pub script: String,
    /// The files of the work directory, relative paths, in archive order.
    pub inputs: Vec<(String, String)>,
    /// The `cue` commands in script order.
    pub commands: Vec<CliCommand>,
}

/// The `out/N/cmd.json` record.
#[derive(serde::Deserialize)]
struct Meta {
    argv: Vec<String>,
    #[serde(default)]
    negated: bool,
    #[serde(default)]
    stdin: Option<String>,
    exit: i32,
    #[serde(default)]
    nonl: Vec<String>,
    #[serde(default)]
    removed: Vec<String>,
}

/// Whether an archive is a command-line case (it has a `script` section
/// and a first command).
pub fn is_cli_case(archive: &txtar::Archive) -> bool {
    archive.get("script").is_some() && archive.get("out/1/cmd.json").is_some()
}

impl CliCase {
    /// Reads a case from an archive's text.
    pub fn parse(text: &str) -> Result<CliCase, String> {
        let archive = txtar::parse(text);
        if !is_cli_case(&archive) {
            return Err("not a cue-cli case: no `script` or `out/1/cmd.json` section".into());
        }
        let mut case = CliCase {
            script: archive.get("script").unwrap_or_default().to_string(),
            ..CliCase::default()
        };
        for f in &archive.files {
            if let Some(name) = f.name.strip_prefix("in/") {
                case.inputs.push((name.to_string(), f.data.clone()));
            }
        }
        for n in 1.. {
            let prefix = format!("out/{n}/");
            let Some(meta) = archive.get(&format!("{prefix}cmd.json")) else {
                break;
            };
            let meta: Meta =
                serde_json::from_str(meta.trim()).map_err(|e| format!("{prefix}cmd.json: {e}"))?;
            if meta.argv.is_empty() {
                return Err(format!("{prefix}cmd.json: empty argv"));
            }
            // An output the reference printed without a final newline was
            // stored with one added.
            let output = |name: &str| -> String {
                let data = archive.get(&format!("{prefix}{name}")).unwrap_or_default();
                match meta.nonl.iter().any(|n| n == name) {
                    true => data.strip_suffix('\n').unwrap_or(data).to_string(),
                    false => data.to_string(),
                }
            };
            let files_prefix = format!("{prefix}files/");
            let files = archive
                .files
                .iter()
                .filter_map(|f| f.name.strip_prefix(&files_prefix))
                .map(|path| (path.to_string(), output(&format!("files/{path}"))))
                .collect();
            case.commands.push(CliCommand {
                stdout: output("stdout"),
                stderr: output("stderr"),
                files,
                argv: meta.argv,
                negated: meta.negated,
                stdin: meta.stdin,
                exit: meta.exit,
                removed: meta.removed,
            });
        }
        Ok(case)
    }
}

/// The `dagger` arguments for `cue ARGV`: `eval`, `vet` and `fmt` keep
/// their name; `export` is `eval --out json` (unless an `--out` is given,
/// as `dagger eval --out` is `cue export --out`'s equivalent). Other
/// commands have no counterpart.
pub fn dagger_args(argv: &[String]) -> Result<Vec<String>, String> {
    let (cmd, rest) = argv.split_first().ok_or("no cue command")?;
    let mut out = Vec::new();
    match cmd.as_str() {
        "eval" | "vet" | "fmt" => out.push(cmd.clone()),
        "export" => {
            out.push("eval".to_string());
            let has_out = rest.iter().any(|a| a == "--out" || a.starts_with("--out="));
            if !has_out {
                out.extend(["--out".to_string(), "json".to_string()]);
            }
        }
        other => return Err(format!("no dagger command for `cue {other}`")),
    }
    out.extend(rest.iter().cloned());
    Ok(out)
}

/// `argv` as a shell would read it: words with blanks or quotes are single
/// quoted.
pub fn shell_words(argv: &[String]) -> String {
    argv.iter()
        .map(|a| {
            let plain = !a.is_empty()
                && a.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_./=:+,@%$".contains(c));
            if plain {
                a.clone()
            } else {
                format!("'{}'", a.replace('\'', r"'\''"))
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    const CASE: &str = "# comment\n-- script --\nstdin in.json\n! cue eval x.cue -\n\
        -- in/x.cue --\na: 1\n-- in/input/ --\n\
        -- out/1/cmd.json --\n{\"argv\": [\"eval\", \"x.cue\", \"-\"], \"negated\": true, \
        \"stdin\": \"in.json\", \"exit\": 1, \"nonl\": [\"stderr\", \"files/o.txt\"], \"removed\": [\"y\"]}\n\
        -- out/1/stdout --\n-- out/1/stderr --\nboom\n-- out/1/files/o.txt --\nhi\n\
        -- out/2/cmd.json --\n{\"argv\": [\"fmt\"], \"exit\": 0}\n";

    #[test]
    fn parses_inputs_and_commands() {
        let case = CliCase::parse(CASE).unwrap();
        assert_eq!(case.script, "stdin in.json\n! cue eval x.cue -\n");
        assert_eq!(
            case.inputs,
            [
                ("x.cue".to_string(), "a: 1\n".to_string()),
                ("input/".to_string(), String::new())
            ]
        );
        assert_eq!(case.commands.len(), 2);
        let c = &case.commands[0];
        assert_eq!(c.argv, ["eval", "x.cue", "-"]);
        assert!(c.negated);
        assert_eq!(c.stdin.as_deref(), Some("in.json"));
        assert_eq!(c.exit, 1);
        assert_eq!(c.stdout, "");
        // Stored with an added newline, which the parser takes off again.
        assert_eq!(c.stderr, "boom");
        assert_eq!(c.files.get("o.txt").map(String::as_str), Some("hi"));
        assert_eq!(c.removed, ["y"]);
        let c = &case.commands[1];
        assert_eq!(
            (c.argv.as_slice(), c.negated, c.exit),
            (&["fmt".to_string()][..], false, 0)
        );
    }

    #[test]
    fn other_archives_are_not_cli_cases() {
        assert!(!is_cli_case(&txtar::parse(
            "-- in.cue --\na: 1\n-- out/export.json --\n{}\n"
        )));
        assert!(CliCase::parse("-- in.cue --\na: 1\n").is_err());
        assert!(CliCase::parse("-- script --\n-- out/1/cmd.json --\n{}\n").is_err());
    }

    fn words(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn maps_cue_commands_to_dagger() {
        assert_eq!(
            dagger_args(&words("eval -e a x.cue")).unwrap(),
            words("eval -e a x.cue")
        );
        assert_eq!(
            dagger_args(&words("export x.cue")).unwrap(),
            words("eval --out json x.cue")
        );
        assert_eq!(
            dagger_args(&words("export --out yaml")).unwrap(),
            words("eval --out yaml")
        );
        assert_eq!(
            dagger_args(&words("export --out=text")).unwrap(),
            words("eval --out=text")
        );
        assert_eq!(
            dagger_args(&words("vet a.cue b.json")).unwrap(),
            words("vet a.cue b.json")
        );
        assert_eq!(
            dagger_args(&words("fmt ./...")).unwrap(),
            words("fmt ./...")
        );
        assert_eq!(
            dagger_args(&words("def x.cue")).unwrap_err(),
            "no dagger command for `cue def`"
        );
    }

    #[test]
    fn quotes_words_for_display() {
        let argv = vec![
            "eval".to_string(),
            "-l".into(),
            "\"\\(a)\"".into(),
            "it's".into(),
        ];
        assert_eq!(shell_words(&argv), r#"eval -l '"\(a)"' 'it'\''s'"#);
    }
}
