//! Printing declarations and blocks: one declaration per line, comments,
//! blank lines, and the alignment of field values and trailing comments.

use super::expr::{alias_join, push_trailing};
use super::Printer;
use crate::ast::*;

/// A declaration rendered for its block.
struct Rendered {
    /// For fields: `alias=label?:`, the cell that alignment pads.
    head: Option<String>,
    /// The rest (the whole text for non-fields); may span lines.
    body: String,
    /// Takes part in value alignment.
    alignable: bool,
    // print: with `eval_layout`, a multi-line value aligns, then ends the run.
    /// Ends the run of aligned lines it is part of.
    ends_run: bool,
}

fn width(s: &str) -> usize {
    s.chars().count()
}

impl Printer<'_> {
    /// Prints `decls` one per line at `level`, then the block's trailing
    /// comments. Every line ends with a newline.
    pub(crate) fn block(
        &self,
        decls: &[Decl],
        trailing: &[Comment],
        level: usize,
        is_file: bool,
        out: &mut String,
    ) {
        let ind = self.indent(level);
        let rendered: Vec<Rendered> = decls.iter().map(|d| self.render(d, level)).collect();
        let n = decls.len();
        let blank: Vec<bool> = (0..n)
            .map(|k| {
                if k == 0 {
                    return false;
                }
                let forced = is_file
                    && match (&decls[k - 1], &decls[k]) {
                        (Decl::Package(_), _) => true,
                        (Decl::Import(_), Decl::Import(_)) => false,
                        (Decl::Import(_), _) => true,
                        _ => false,
                    };
                let c = decls[k].comments();
                forced
                    || c.leading
                        .first()
                        .map_or(c.blank_line_before, |l| l.blank_line_before)
            })
            .collect();
        // A run of aligned lines ends at a blank line, a comment line, or a
        // declaration that is not a single-line field.
        let breaks = |k: usize| blank[k] || !decls[k].comments().leading.is_empty();

        let mut head_width = vec![0usize; n];
        let mut i = 0;
        while i < n {
            if !rendered[i].alignable {
                i += 1;
                continue;
            }
            let mut j = i + 1;
            if !rendered[i].ends_run {
                while j < n && rendered[j].alignable && !breaks(j) {
                    j += 1;
                    if rendered[j - 1].ends_run {
                        break;
                    }
                }
            }
            let w = (i..j)
                .filter_map(|k| rendered[k].head.as_deref().map(width))
                .max()
                .unwrap_or(0);
            head_width[i..j].iter_mut().for_each(|x| *x = w);
            i = j;
        }

        let lines: Vec<String> = rendered
            .iter()
            .enumerate()
            .map(|(k, r)| match &r.head {
                Some(h) if r.alignable => {
                    format!(
                        "{h}{} {}",
                        " ".repeat(head_width[k].saturating_sub(width(h))),
                        r.body
                    )
                }
                Some(h) => format!("{h} {}", r.body),
                None => r.body.clone(),
            })
            .collect();

        // Trailing comments of consecutive single-line declarations line up.
        let has_trailing =
            |k: usize| !decls[k].comments().trailing.is_empty() && !lines[k].contains('\n');
        let mut comment_col = vec![0usize; n];
        let mut i = 0;
        while i < n {
            if !has_trailing(i) {
                i += 1;
                continue;
            }
            let mut j = i + 1;
            while j < n && has_trailing(j) && !breaks(j) {
                j += 1;
            }
            let w = (i..j).map(|k| width(&lines[k])).max().unwrap_or(0);
            comment_col[i..j].iter_mut().for_each(|x| *x = w);
            i = j;
        }

        for (k, d) in decls.iter().enumerate() {
            let c = d.comments();
            if blank[k] {
                out.push('\n');
            }
            for (li, lc) in c.leading.iter().enumerate() {
                if li > 0 && lc.blank_line_before {
                    out.push('\n');
                }
                out.push_str(&ind);
                out.push_str(&lc.text);
                out.push('\n');
            }
            if !c.leading.is_empty() && c.blank_line_before {
                out.push('\n');
            }
            out.push_str(&ind);
            out.push_str(&lines[k]);
            if !c.trailing.is_empty() {
                let pad = comment_col[k].saturating_sub(width(&lines[k]));
                out.push_str(&" ".repeat(pad));
                push_trailing(out, &c.trailing, &ind);
            }
            out.push('\n');
        }
        for (k, c) in trailing.iter().enumerate() {
            if c.blank_line_before && (k > 0 || n > 0) {
                out.push('\n');
            }
            out.push_str(&ind);
            out.push_str(&c.text);
            out.push('\n');
        }
    }

    fn render(&self, d: &Decl, level: usize) -> Rendered {
        let plain = |body: String| Rendered {
            head: None,
            body,
            alignable: false,
            ends_run: false,
        };
        match d {
            Decl::Field(f) => {
                let head = self.field_head(f, level);
                let body = self.field_body(f, level);
                let literal = matches!(f.value, Expr::Struct(_) | Expr::List(_));
                let multiline = body.contains('\n');
                let (alignable, ends_run) = if self.eval_layout {
                    let text = matches!(
                        f.value,
                        Expr::String(_) | Expr::Bytes(_) | Expr::Interpolation(_)
                    );
                    (!(literal || (text && multiline)), multiline)
                } else {
                    (!literal && !multiline, false)
                };
                Rendered {
                    head: Some(head),
                    body,
                    alignable,
                    ends_run,
                }
            }
            Decl::Let(l) => plain(format!(
                "let {} = {}",
                l.name.name,
                self.expr(&l.value, level)
            )),
            Decl::Embed(e) => plain(self.expr(&e.expr, level)),
            Decl::Ellipsis(e) => plain(self.ellipsis(e, level)),
            Decl::Comprehension(c) => plain(self.comprehension(c, level)),
            Decl::Attribute(a) => plain(attribute(&a.attribute)),
            Decl::Package(p) => plain(format!("package {}", p.name.name)),
            Decl::Import(i) => plain(self.import(i, level)),
            Decl::Bad(_) => plain("_|_".to_string()),
        }
    }

    fn field_head(&self, f: &Field, level: usize) -> String {
        let mut s = String::new();
        if let Some(a) = &f.alias {
            s.push_str(&a.name);
            s.push('=');
        }
        s.push_str(&self.label(&f.label, level));
        if f.optional {
            s.push('?');
        }
        s.push(':');
        s
    }

    fn field_body(&self, f: &Field, level: usize) -> String {
        let value = self.expr(&f.value, level);
        let mut s = match &f.value_alias {
            Some(a) => alias_join(&a.name, &value),
            None => value,
        };
        for a in &f.attributes {
            s.push(' ');
            s.push_str(&attribute(a));
        }
        s
    }

    /// `label: value` on one line, for the shorthand `a: b: c`.
    pub(crate) fn field_inline(&self, f: &Field, level: usize) -> String {
        format!(
            "{} {}",
            self.field_head(f, level),
            self.field_body(f, level)
        )
    }

    fn import(&self, i: &ImportDecl, level: usize) -> String {
        let spec = |s: &ImportSpec| {
            let path = match &s.path.raw {
                Some(raw) => raw.clone(),
                None => crate::literal::quote_string(&s.path.value),
            };
            match &s.alias {
                Some(a) => format!("{} {path}", a.name),
                None => path,
            }
        };
        if !i.parenthesized && i.specs.len() == 1 && i.specs[0].comments.is_empty() {
            return format!("import {}", spec(&i.specs[0]));
        }
        let ind = self.indent(level + 1);
        let mut out = String::from("import (\n");
        for (k, s) in i.specs.iter().enumerate() {
            for c in &s.comments.leading {
                if c.blank_line_before && k > 0 {
                    out.push('\n');
                }
                out.push_str(&ind);
                out.push_str(&c.text);
                out.push('\n');
            }
            out.push_str(&ind);
            out.push_str(&spec(s));
            push_trailing(&mut out, &s.comments.trailing, &ind);
            out.push('\n');
        }
        out.push_str(&self.indent(level));
        out.push(')');
        out
    }
}

fn attribute(a: &Attribute) -> String {
    format!("@{}({})", a.name, a.body)
}
