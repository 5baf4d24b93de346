//! `dagger ops [--markdown]`: the ops a `#compute` list is made of, read from
//! the CUE source of the embedded package `dagger.io/llb` when the command
//! runs, so the listing cannot drift from what plans are checked against.
//!
//! The source is parsed with `cue-syntax` (doc comments, field labels and
//! their declared types, printed back by the project's printer) and
//! evaluated with `cue-eval` (each field's default, as a plan gets it). The
//! README's "Ops" section is this command's `--markdown` output
//! (`cli/tests/help.rs` checks that they agree and rewrites the section when
//! run with `UPDATE_README=1`).

use std::process::ExitCode;

use cue_eval::data::Data;
use cue_eval::view::{PathSeg, ViewKind};
use cue_syntax::ast::{BinaryOp, Decl, Expr, Field, Label, UnaryOp};
use cue_syntax::format::{format_expr, FormatOptions};
use cue_syntax::FileId;

/// Import path of the package documented.
pub const PACKAGE: &str = "dagger.io/llb";

/// Arguments of `dagger ops`.
#[derive(clap::Args, Debug)]
#[command(after_help = "\
Examples:
  # every op, its doc comment and its fields (type as declared, default)
  dagger ops

  # what `exec` takes
  dagger ops | sed -n '/^do: \"exec\"/,/^$/p'
    do: \"exec\"  (llb.#Exec)
      Run `args` in a container whose root filesystem is the current state.
      ...
        args:   [...string]
        env:    [string]: string
        dir:    *\"/\" | string  default \"/\"
        always: *false | true  default false
        ...

  # the README's \"Ops\" section
  dagger ops --markdown")]
pub struct Args {
    /// Print Markdown (the README's "Ops" section) instead of plain text.
    #[arg(long)]
    pub markdown: bool,
    #[command(flatten)]
    pub log: super::log::LogArgs,
}

/// Runs `dagger ops`.
pub fn run(args: Args) -> ExitCode {
    args.log.apply();
    match reference() {
        Ok(defs) => {
            let text = if args.markdown {
                markdown(&defs)
            } else {
                text(&defs)
            };
            let mut out = std::io::stdout().lock();
            match std::io::Write::write_all(&mut out, text.as_bytes())
                .and_then(|()| std::io::Write::flush(&mut out))
            {
                Ok(()) => ExitCode::SUCCESS,
                Err(_) => ExitCode::from(1),
            }
        }
        Err(e) => {
            super::progress::Diag { json: false }
                .error(&format!("the embedded package {PACKAGE}: {e}"));
            ExitCode::from(1)
        }
    }
}

/// One top-level definition of the package: an op (`#Exec`) or an alias
/// of several (`#Op`).
#[derive(Debug, Clone, PartialEq)]
pub struct Definition {
    /// `#Exec`
    pub name: String,
    /// The value of its `do` field, for an op.
    pub op: Option<String>,
    /// Its doc comment, one entry per line, `//` removed.
    pub doc: Vec<String>,
    /// Its fields other than `do`, in source order.
    pub fields: Vec<FieldDoc>,
    /// For a definition that is not a struct (`#Op`), its value on one line.
    pub value: Option<String>,
}

/// One field of an op.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldDoc {
    /// The label as written, `?` included for an optional field.
    pub label: String,
    /// The declared type on one line (`*"/" | string`).
    pub ty: String,
    /// The default a plan gets when it leaves the field out, as CUE.
    pub default: Option<String>,
    /// The field's doc comment, one entry per line.
    pub doc: Vec<String>,
}

/// The definitions of the embedded `dagger.io/llb`, in source order.
pub fn reference() -> Result<Vec<Definition>, String> {
    let files = ::dag::embedded::package(PACKAGE).ok_or("not embedded")?;
    let sources: Vec<cue_eval::api::Source> = files
        .iter()
        .map(|(name, text)| cue_eval::api::Source::new(*name, *text))
        .collect();
    let evaluated = cue_eval::api::evaluate(&sources).map_err(|e| e.to_string())?;
    let root = evaluated.root();
    let mut out = Vec::new();
    for (i, (name, src)) in files.iter().enumerate() {
        let id = FileId(u32::try_from(i).map_err(|e| e.to_string())?);
        let (file, errors) = cue_syntax::parse_file(id, src);
        if let Some(e) = errors.first() {
            return Err(format!("{name}: {e}"));
        }
        for decl in file.body() {
            let Decl::Field(field) = decl else { continue };
            let Label::Definition(def) = &field.label else {
                continue;
            };
            let mut d = Definition {
                name: def.name.clone(),
                op: None,
                doc: doc_lines(decl),
                fields: Vec::new(),
                value: None,
            };
            let Expr::Struct(body) = &field.value else {
                d.value = Some(one_line(&field.value));
                out.push(d);
                continue;
            };
            for inner in &body.decls {
                let Decl::Field(f) = inner else { continue };
                let Some(label) = f.label.static_name() else {
                    continue;
                };
                if label == "do" {
                    d.op = match &f.value {
                        Expr::String(s) => Some(s.value.clone()),
                        other => Some(one_line(other)),
                    };
                    continue;
                }
                let path = [
                    PathSeg::Field(def.name.clone()),
                    PathSeg::Field(label.to_string()),
                ];
                let default = match root.lookup(&path).map(|v| v.kind()) {
                    Some(ViewKind::Scalar(data)) => Some(default_text(&data, f)),
                    Some(ViewKind::Bottom(e)) => return Err(format!("{}.{label}: {e}", def.name)),
                    _ => None,
                };
                d.fields.push(FieldDoc {
                    label: format!("{label}{}", if f.optional { "?" } else { "" }),
                    ty: one_line(&f.value),
                    default,
                    doc: doc_lines(inner),
                });
            }
            out.push(d);
        }
    }
    Ok(out)
}

/// The doc comment of a declaration, `//` and one space removed.
fn doc_lines(decl: &Decl) -> Vec<String> {
    decl.comments()
        .leading
        .iter()
        .map(|c| {
            let t = c.text.strip_prefix("//").unwrap_or(&c.text);
            t.strip_prefix(' ').unwrap_or(t).to_string()
        })
        .collect()
}

/// The default as CUE: the evaluator's value, with the literal the source
/// marks with `*` in front when it is written differently (`0o644 (420)`).
fn default_text(data: &Data, field: &Field) -> String {
    let value = match data {
        Data::String(_) | Data::Bool(_) | Data::Null | Data::Number(_) => {
            data.to_json().trim_end().to_string()
        }
        other => other
            .to_json()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" "),
    };
    match marked_default(&field.value) {
        Some(Expr::Number(n)) if n.text != value => format!("{} ({value})", n.text),
        _ => value,
    }
}

/// The operand marked `*` in a disjunction, if any.
fn marked_default(e: &Expr) -> Option<&Expr> {
    match e {
        Expr::Binary(b) if b.op == BinaryOp::Disj => {
            marked_default(&b.lhs).or_else(|| marked_default(&b.rhs))
        }
        Expr::Unary(u) if u.op == UnaryOp::Default => Some(&u.expr),
        Expr::Paren(p) => marked_default(&p.expr),
        _ => None,
    }
}

/// An expression on one line: structs as `{a: x, b: y}`, the shorthand
/// `[string]: T` kept, everything else as the canonical printer prints it.
fn one_line(e: &Expr) -> String {
    match e {
        Expr::Struct(s) => {
            let decls: Vec<String> = s.decls.iter().map(decl_line).collect();
            if s.elided && decls.len() == 1 {
                decls.join("")
            } else {
                format!("{{{}}}", decls.join(", "))
            }
        }
        Expr::Binary(b) => format!(
            "{} {} {}",
            one_line(&b.lhs),
            b.op.as_str(),
            one_line(&b.rhs)
        ),
        Expr::Unary(u) => format!("{}{}", u.op.as_str(), one_line(&u.expr)),
        Expr::Paren(p) => format!("({})", one_line(&p.expr)),
        other => format_expr(other, &FormatOptions::tabs())
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" "),
    }
}

/// A declaration inside a struct on one line.
fn decl_line(d: &Decl) -> String {
    match d {
        Decl::Field(f) => {
            let label = match &f.label {
                Label::Pattern(p) => format!("[{}]", one_line(&p.expr)),
                Label::String(s) => format!("{:?}", s.value),
                other => other.static_name().unwrap_or("(label)").to_string(),
            };
            let q = if f.optional { "?" } else { "" };
            format!("{label}{q}: {}", one_line(&f.value))
        }
        Decl::Embed(e) => one_line(&e.expr),
        Decl::Ellipsis(e) => match &e.value {
            Some(v) => format!("...{}", one_line(v)),
            None => "...".to_string(),
        },
        _ => "...".to_string(),
    }
}

const INTRO: &str = "\
The ops of the embedded package dagger.io/llb, read from its CUE source when
this command runs. A component's #compute is a list of them, run in order,
each selected by its `do` field; write one as a plain struct
({do: \"exec\", args: [...]}) or through its definition
(import \"dagger.io/llb\", then llb.#Exec & {args: [...]}).
Types are as declared: `*` marks the default, `?` an optional field.
";

/// The plain-text listing of `dagger ops`.
pub fn text(defs: &[Definition]) -> String {
    let mut out = String::from(INTRO);
    for d in defs {
        out.push('\n');
        match (&d.op, &d.value) {
            (Some(op), _) => out.push_str(&format!("do: {op:?}  (llb.{})\n", d.name)),
            (None, Some(v)) => out.push_str(&format!("llb.{}: {v}\n", d.name)),
            (None, None) => out.push_str(&format!("llb.{}\n", d.name)),
        }
        for line in &d.doc {
            push_line(&mut out, 2, line);
        }
        let width = d.fields.iter().map(|f| f.label.len()).max().unwrap_or(0) + 1;
        let ty_width = d
            .fields
            .iter()
            .filter(|f| f.default.is_some())
            .map(|f| f.ty.len())
            .max()
            .unwrap_or(0);
        for f in &d.fields {
            let label = format!("{}:", f.label);
            let line = match &f.default {
                Some(def) => format!("{label:<width$} {:<ty_width$}  default {def}", f.ty),
                None => format!("{label:<width$} {}", f.ty),
            };
            push_line(&mut out, 4, &line);
            for doc in &f.doc {
                push_line(&mut out, 8, doc);
            }
        }
    }
    out
}

/// Appends `line` indented by `indent` spaces (an empty line stays empty).
fn push_line(out: &mut String, indent: usize, line: &str) {
    let line = line.trim_end();
    if !line.is_empty() {
        out.push_str(&" ".repeat(indent));
        out.push_str(line);
    }
    out.push('\n');
}

/// Marks where the generated section of README.md begins and ends.
pub const README_BEGIN: &str = "<!-- generated by `dagger ops --markdown`; do not edit (UPDATE_README=1 cargo test -p dagger-cli --test help) -->";
/// See [`README_BEGIN`].
pub const README_END: &str = "<!-- end of `dagger ops --markdown` -->";

/// The Markdown listing of `dagger ops --markdown` (the README's section,
/// markers included).
pub fn markdown(defs: &[Definition]) -> String {
    let cell = |s: &str| format!("`{}`", s.replace('|', "\\|"));
    let mut out = format!("{README_BEGIN}\n");
    out.push_str(
        "\nThe ops of the embedded package `dagger.io/llb`, as `dagger ops` prints them \
         from its CUE source (`dag/cue/dagger.io/llb/ops.cue`). A component's \
         `#compute` is a list of them, run in order, each selected by its `do` \
         field: write `{do: \"exec\", args: [...]}`, or `llb.#Exec & {args: [...]}` \
         after `import \"dagger.io/llb\"`. Types are as declared: `*` marks the \
         default, `?` an optional field.\n",
    );
    for d in defs {
        out.push('\n');
        match (&d.op, &d.value) {
            (Some(op), _) => out.push_str(&format!("### `{op}` (`llb.{}`)\n", d.name)),
            (None, _) => out.push_str(&format!("### `llb.{}`\n", d.name)),
        }
        if !d.doc.is_empty() {
            out.push('\n');
            out.push_str(&d.doc.join("\n"));
            out.push('\n');
        }
        if let Some(v) = &d.value {
            out.push_str(&format!("\n    {}: {v}\n", d.name));
        }
        if !d.fields.is_empty() {
            out.push_str("\n| field | type | default |\n|---|---|---|\n");
            for f in &d.fields {
                let default = f.default.as_deref().map(cell).unwrap_or_default();
                out.push_str(&format!(
                    "| {} | {} | {default} |\n",
                    cell(&f.label),
                    cell(&f.ty)
                ));
            }
        }
        for f in d.fields.iter().filter(|f| !f.doc.is_empty()) {
            out.push_str(&format!("\n`{}`: {}\n", f.label, f.doc.join("\n")));
        }
    }
    out.push('\n');
    out.push_str(README_END);
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_op_has_its_do_value_doc_and_fields() {
        let defs = reference().unwrap();
        let exec = defs.iter().find(|d| d.name == "#Exec").unwrap();
        assert_eq!(exec.op.as_deref(), Some("exec"));
        assert!(exec.doc[0].starts_with("Run `args`"), "{:?}", exec.doc);
        let field = |name: &str| exec.fields.iter().find(|f| f.label == name).unwrap();
        assert_eq!(field("args").ty, "[...string]");
        assert_eq!(field("args").default, None);
        assert_eq!(field("env").ty, "[string]: string");
        assert_eq!(field("dir").ty, "*\"/\" | string");
        assert_eq!(field("dir").default.as_deref(), Some("\"/\""));
        assert_eq!(field("always").default.as_deref(), Some("false"));
        assert!(field("mount")
            .ty
            .contains("{from: _, path: *\"/\" | string}"));
        assert!(!field("mount").doc.is_empty());
        let write = defs.iter().find(|d| d.name == "#WriteFile").unwrap();
        let mode = write.fields.iter().find(|f| f.label == "mode").unwrap();
        assert_eq!(mode.default.as_deref(), Some("0o644 (420)"));
        let build = defs.iter().find(|d| d.name == "#DockerBuild").unwrap();
        assert!(build.fields.iter().any(|f| f.label == "context?"));
        let any = defs.iter().find(|d| d.name == "#Op").unwrap();
        assert!(any
            .value
            .as_deref()
            .unwrap()
            .starts_with("#FetchContainer | "));
    }
}
