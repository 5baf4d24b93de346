//! Printing expressions, labels and literals.

use super::Printer;
use crate::ast::*;
use crate::literal;

/// Binding strength of an expression, for adding parentheses to built trees:
/// binary operators 1..=7, unary 8, primaries 9.
fn strength(e: &Expr) -> u8 {
    match e {
        Expr::Binary(b) => b.op.precedence(),
        Expr::Unary(_) => 8,
        _ => 9,
    }
}

impl Printer<'_> {
    /// An expression printed at indentation `level` (the level of the line
    /// it starts on).
    pub(crate) fn expr(&self, e: &Expr, level: usize) -> String {
        self.expr_at(e, level, 1)
    }

    // `depth` is the reference printer's nesting depth of binary
    // expressions (1 at the top), which decides the spacing around `+` and
    // `*` (see `binary_compact`).
    fn expr_at(&self, e: &Expr, level: usize, depth: u8) -> String {
        match e {
            Expr::Ident(i) => i.name.clone(),
            Expr::Null(_) => "null".to_string(),
            Expr::Bool(b) => b.value.to_string(),
            Expr::Number(n) => n.text.clone(),
            Expr::String(s) => self.string(s, level),
            Expr::Bytes(b) => match &b.raw {
                Some(raw) => raw.clone(),
                // print: built bytes with newlines as a `'''` block, as strings.
                None if b.value.contains(&b'\n') => self.multiline_bytes(&b.value, level),
                None => literal::quote_bytes(&b.value),
            },
            Expr::Interpolation(i) => self.interpolation(i, level, depth + 1),
            Expr::Bottom(_) | Expr::Bad(_) => "_|_".to_string(),
            Expr::Struct(s) => self.struct_lit(s, level),
            Expr::List(l) => self.list(l, level),
            Expr::Paren(p) => format!("({})", self.expr_at(&p.expr, level, reduce(depth))),
            Expr::Unary(u) => {
                let inner = self.operand_at(&u.expr, 8, level, depth);
                let op = u.op.as_str();
                // `!` `<` `>` followed by `=...` would lex as another operator.
                let sep = if inner.starts_with('=') || (op == "-" && inner.starts_with('-')) {
                    " "
                } else {
                    ""
                };
                format!("{op}{sep}{inner}")
            }
            Expr::Binary(b) => self.binary_compact(b, level, depth),
            Expr::Selector(s) => {
                let base = self.operand_at(&s.base, 9, level, depth);
                match &s.sel {
                    Selector::Ident(i) => format!("{base}.{}", i.name),
                    Selector::String(st) => format!("{base}.{}", self.string(st, level)),
                }
            }
            Expr::Index(i) => format!(
                "{}[{}]",
                self.operand(&i.base, 9, level),
                self.expr_at(&i.index, level, depth + 1)
            ),
            Expr::Slice(s) => {
                // Blanks around `:` when a side is a binary expression.
                let spaced = depth <= 1
                    && matches!((&s.lo, &s.hi), (Some(l), Some(h))
                        if matches!(l, Expr::Binary(_)) || matches!(h, Expr::Binary(_)));
                format!(
                    "{}[{}{}{}]",
                    self.operand(&s.base, 9, level),
                    s.lo.as_ref()
                        .map(|e| self.expr_at(e, level, depth + 1))
                        .unwrap_or_default(),
                    if spaced { " : " } else { ":" },
                    s.hi.as_ref()
                        .map(|e| self.expr_at(e, level, depth + 1))
                        .unwrap_or_default()
                )
            }
            Expr::Call(c) => {
                let depth = if c.args.len() > 1 { depth + 1 } else { depth };
                let args: Vec<String> = c
                    .args
                    .iter()
                    .map(|a| self.expr_at(a, level, depth))
                    .collect();
                format!(
                    "{}({})",
                    self.operand_at(&c.func, 9, level, depth),
                    args.join(", ")
                )
            }
        }
    }

    /// `e` as an operand needing at least strength `min`, parenthesised if
    /// it binds less tightly (only built trees lack the parentheses).
    fn operand(&self, e: &Expr, min: u8, level: usize) -> String {
        self.operand_at(e, min, level, 1)
    }

    fn operand_at(&self, e: &Expr, min: u8, level: usize, depth: u8) -> String {
        if strength(e) < min {
            format!("({})", self.expr_at(e, level, reduce(depth)))
        } else {
            self.expr_at(e, level, depth)
        }
    }

    // print: the reference printer's binary layout (gofmt's): spaces around
    // an operator only when its level is below the expression's cutoff.
    fn binary_compact(&self, b: &BinaryExpr, level: usize, depth: u8) -> String {
        let p = b.op.precedence();
        let blank = p < cutoff(b, depth) || b.op.as_str().starts_with(char::is_alphabetic);
        let lhs_depth = if matches!(&b.lhs, Expr::Binary(x) if x.op.precedence() == p) {
            depth
        } else {
            depth + 1
        };
        let lhs = self.operand_at(&b.lhs, p, level, lhs_depth);
        // A line break before the right operand in the source is kept, one
        // level deeper (`"a" |` then `"b"` on the next line), as `cue fmt` does.
        if self.breaks_before(&b.lhs, &b.rhs) {
            let rhs = self.operand_at(&b.rhs, p + 1, level + 1, depth + 1);
            let sep = if blank { " " } else { "" };
            return format!(
                "{lhs}{sep}{}\n{}{rhs}",
                b.op.as_str(),
                self.indent(level + 1)
            );
        }
        let rhs = self.operand_at(&b.rhs, p + 1, level, depth + 1);
        if blank {
            format!("{lhs} {} {rhs}", b.op.as_str())
        } else {
            format!("{lhs}{}{rhs}", b.op.as_str())
        }
    }

    fn string(&self, s: &StringLit, level: usize) -> String {
        if let Some(raw) = &s.raw {
            return raw.clone();
        }
        if s.value.contains('\n') && !s.value.contains("\"\"\"") {
            return self.multiline_string(&s.value, level);
        }
        literal::quote_string(&s.value)
    }

    /// A built string with newlines, as a `"""` block indented one level
    /// deeper than the line it starts on.
    fn multiline_string(&self, value: &str, level: usize) -> String {
        let ind = self.indent(level + 1);
        let mut out = String::from("\"\"\"\n");
        for line in value.split('\n') {
            if !line.is_empty() {
                out.push_str(&ind);
                for ch in line.chars() {
                    match ch {
                        '\\' => out.push_str("\\\\"),
                        '\t' => out.push('\t'),
                        c if (c as u32) < 0x20 || c == '\u{7f}' => {
                            out.push_str(&format!("\\u{:04x}", c as u32))
                        }
                        c => out.push(c),
                    }
                }
            }
            out.push('\n');
        }
        out.push_str(&ind);
        out.push_str("\"\"\"");
        out
    }

    // print: a built multi-line bytes literal, one level deeper.
    fn multiline_bytes(&self, value: &[u8], level: usize) -> String {
        let ind = self.indent(level + 1);
        let mut out = String::from("'''\n");
        for line in value.split(|&c| c == b'\n') {
            if !line.is_empty() {
                let q = literal::quote_bytes(line);
                out.push_str(&ind);
                out.push_str(&q[1..q.len() - 1]);
            }
            out.push('\n');
        }
        out.push_str(&ind);
        out.push_str("'''");
        out
    }

    // print: a built multi-line interpolation: text lines indented one level
    // deeper, as a built multi-line string.
    fn multiline_interpolation(&self, i: &Interpolation, level: usize, depth: u8) -> String {
        let st = i.style;
        let hashes = "#".repeat(st.hashes as usize);
        let q = if st.bytes { "'''" } else { "\"\"\"" };
        let mut body = String::new();
        for p in &i.parts {
            match p {
                InterpPart::Text { value, .. } => {
                    for ch in String::from_utf8_lossy(value).chars() {
                        match ch {
                            '\n' | '\t' => body.push(ch),
                            '\\' => body.push_str("\\\\"),
                            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                                body.push_str(&format!("\\u{:04x}", c as u32))
                            }
                            c => body.push(c),
                        }
                    }
                }
                InterpPart::Expr(e) => {
                    body.push('\\');
                    body.push_str(&hashes);
                    body.push('(');
                    body.push_str(&self.expr_at(e, level, depth));
                    body.push(')');
                }
            }
        }
        let ind = self.indent(level + 1);
        let mut out = format!("{hashes}{q}\n");
        for line in body.split('\n') {
            if !line.is_empty() {
                out.push_str(&ind);
                out.push_str(line);
            }
            out.push('\n');
        }
        out.push_str(&ind);
        out.push_str(q);
        out.push_str(&hashes);
        out
    }

    fn interpolation(&self, i: &Interpolation, level: usize, depth: u8) -> String {
        let st = i.style;
        if self.eval_layout
            && st.multiline
            && i.parts
                .iter()
                .any(|p| matches!(p, InterpPart::Text { raw: None, .. }))
        {
            return self.multiline_interpolation(i, level, depth);
        }
        let hashes = "#".repeat(st.hashes as usize);
        let q = match (st.bytes, st.multiline) {
            (false, false) => "\"",
            (false, true) => "\"\"\"",
            (true, false) => "'",
            (true, true) => "'''",
        };
        let mut out = format!("{hashes}{q}");
        let built = i
            .parts
            .iter()
            .any(|p| matches!(p, InterpPart::Text { raw: None, .. }));
        if st.multiline && built {
            out.push('\n');
        }
        for p in &i.parts {
            match p {
                InterpPart::Text { raw: Some(raw), .. } => out.push_str(raw),
                InterpPart::Text { value, raw: None } => {
                    let text = String::from_utf8_lossy(value);
                    let quote = if st.bytes { '\'' } else { '"' };
                    literal::escape_text(&text, quote, &mut out);
                }
                InterpPart::Expr(e) => {
                    out.push('\\');
                    out.push_str(&hashes);
                    out.push('(');
                    out.push_str(&self.expr_at(e, level, depth));
                    out.push(')');
                }
            }
        }
        if st.multiline && built {
            out.push('\n');
            out.push_str(&self.indent(level + 1));
        }
        out.push_str(q);
        out.push_str(&hashes);
        out
    }

    pub(crate) fn label(&self, l: &Label, level: usize) -> String {
        match l {
            Label::Ident(i) | Label::Definition(i) | Label::Hidden(i) => i.name.clone(),
            Label::String(s) => match &s.raw {
                Some(raw) => raw.clone(),
                None => literal::quote_string(&s.value),
            },
            Label::Interpolated(i) => self.interpolation(i, level, 2),
            Label::Paren(p) => format!("({})", self.expr(&p.expr, level)),
            Label::Pattern(p) => match (&p.alias, &p.expr) {
                (Some(a), e) => format!("[{}]", alias_join(&a.name, &self.expr(e, level))),
                // The comprehension case keeps its brackets (see `PatternLabel`).
                (None, e @ Expr::List(_)) if is_comprehension_list(e) => self.expr(e, level),
                (None, e) => format!("[{}]", self.expr(e, level)),
            },
        }
    }

    pub(crate) fn struct_lit(&self, s: &StructLit, level: usize) -> String {
        if s.elided {
            if let [Decl::Field(f)] = s.decls.as_slice() {
                return self.field_inline(f, level);
            }
        }
        self.braced(s, level)
    }

    /// A struct with braces, whatever its `elided` flag.
    fn braced(&self, s: &StructLit, level: usize) -> String {
        if s.decls.is_empty() && s.trailing_comments.is_empty() {
            return "{}".to_string();
        }
        let mut out = String::from("{\n");
        self.block(&s.decls, &s.trailing_comments, level + 1, false, &mut out);
        out.push_str(&self.indent(level));
        out.push('}');
        out
    }

    /// Whether the source has a line break between `lhs` and `rhs` (never
    /// for built trees or without the source).
    fn breaks_before(&self, lhs: &Expr, rhs: &Expr) -> bool {
        let (Some(src), l, r) = (self.src, lhs.span(), rhs.span()) else {
            return false;
        };
        !l.is_synthetic()
            && !r.is_synthetic()
            && l.file == r.file
            && src
                .get(l.end as usize..r.start as usize)
                .is_some_and(|s| s.contains('\n'))
    }

    fn list_is_broken(&self, l: &ListLit) -> bool {
        if !l.trailing_comments.is_empty()
            || l.elems.iter().any(|e| !e.comments.is_empty())
            || l.ellipsis.as_ref().is_some_and(|e| !e.comments.is_empty())
        {
            return true;
        }
        let Some(src) = self.src else {
            return false;
        };
        let first = l
            .elems
            .first()
            .map(|e| e.span.start)
            .or(l.ellipsis.as_ref().map(|e| e.span.start));
        match first {
            Some(first) if !l.span.is_synthetic() => src
                .get(l.span.start as usize..first as usize)
                .is_some_and(|s| s.contains('\n')),
            _ => false,
        }
    }

    pub(crate) fn list(&self, l: &ListLit, level: usize) -> String {
        if self.list_is_broken(l) {
            return self.list_broken(l, level);
        }
        let mut parts: Vec<String> = l
            .elems
            .iter()
            .map(|e| self.element(&e.kind, level))
            .collect();
        if let Some(ell) = &l.ellipsis {
            parts.push(self.ellipsis(ell, level));
        }
        // The reference prints `[ for x in y {` (both `cue fmt` and `cue eval`).
        let lead = match l.elems.first() {
            Some(e) if matches!(e.kind, ElementKind::Comprehension(_)) => " ",
            _ => "",
        };
        format!("[{lead}{}]", parts.join(", "))
    }

    fn list_broken(&self, l: &ListLit, level: usize) -> String {
        let ind = self.indent(level + 1);
        let mut out = String::from("[\n");
        let mut first = true;
        let mut item = |out: &mut String, comments: &Comments, text: String, comma: bool| {
            for c in &comments.leading {
                if c.blank_line_before && !first {
                    out.push('\n');
                }
                out.push_str(&ind);
                out.push_str(&c.text);
                out.push('\n');
            }
            if comments.blank_line_before && !first && comments.leading.is_empty() {
                out.push('\n');
            }
            first = false;
            out.push_str(&ind);
            out.push_str(&text);
            if comma {
                out.push(',');
            }
            push_trailing(out, &comments.trailing, &ind);
            out.push('\n');
        };
        for e in &l.elems {
            item(
                &mut out,
                &e.comments,
                self.element(&e.kind, level + 1),
                true,
            );
        }
        if let Some(ell) = &l.ellipsis {
            item(
                &mut out,
                &ell.comments,
                self.ellipsis(ell, level + 1),
                false,
            );
        }
        for c in &l.trailing_comments {
            out.push_str(&ind);
            out.push_str(&c.text);
            out.push('\n');
        }
        out.push_str(&self.indent(level));
        out.push(']');
        out
    }

    fn element(&self, e: &ElementKind, level: usize) -> String {
        match e {
            ElementKind::Expr(x) => self.expr(x, level),
            ElementKind::Comprehension(c) => self.comprehension(c, level),
        }
    }

    pub(crate) fn ellipsis(&self, e: &Ellipsis, level: usize) -> String {
        match &e.value {
            Some(v) => format!("...{}", self.expr(v, level)),
            None => "...".to_string(),
        }
    }

    pub(crate) fn comprehension(&self, c: &Comprehension, level: usize) -> String {
        let mut out = String::new();
        for clause in &c.clauses {
            match clause {
                Clause::For {
                    key, value, source, ..
                } => {
                    out.push_str("for ");
                    if let Some(k) = key {
                        out.push_str(&k.name);
                        out.push_str(", ");
                    }
                    out.push_str(&value.name);
                    out.push_str(" in ");
                    out.push_str(&self.expr(source, level));
                }
                Clause::If { cond, .. } => {
                    out.push_str("if ");
                    out.push_str(&self.expr(cond, level));
                }
                Clause::Let { name, value, .. } => {
                    out.push_str("let ");
                    out.push_str(&name.name);
                    out.push_str(" = ");
                    out.push_str(&self.expr(value, level));
                }
            }
            out.push(' ');
        }
        // A body that only embeds one short value stays on the line
        // (`[for x in l {x}]`); otherwise it gets braces and lines, even if a
        // built tree marks it elided.
        if let ([Decl::Embed(e)], true, false) = (
            c.body.decls.as_slice(),
            c.body.trailing_comments.is_empty(),
            self.eval_layout,
        ) {
            let text = self.expr(&e.expr, level);
            if e.comments.is_empty() && !text.contains('\n') {
                out.push('{');
                out.push_str(&text);
                out.push('}');
                return out;
            }
        }
        out.push_str(&self.braced(&c.body, level));
        out
    }
}

fn is_comprehension_list(e: &Expr) -> bool {
    matches!(e, Expr::List(l) if l.elems.len() == 1
        && l.ellipsis.is_none()
        && matches!(l.elems[0].kind, ElementKind::Comprehension(_)))
}

/// Trailing comments after an item: the first on the same line, the others
/// on their own lines (reparsed, they lead the next item).
pub(crate) fn push_trailing(out: &mut String, trailing: &[Comment], ind: &str) {
    for (i, c) in trailing.iter().enumerate() {
        if i == 0 {
            out.push(' ');
        } else {
            out.push('\n');
            out.push_str(ind);
        }
        out.push_str(&c.text);
    }
}

/// `name=value`, with a space when the value starts with `=` (`X= =~"a"`),
/// which would otherwise lex as `==`.
pub(crate) fn alias_join(name: &str, value: &str) -> String {
    if value.starts_with('=') {
        format!("{name}= {value}")
    } else {
        format!("{name}={value}")
    }
}

// print: the reference printer's binary-expression cutoff (gofmt's rule with
// CUE's levels: 7 `*` `/` `div` ..., 6 `+` `-`, 5 and below always spaced).
fn walk_binary(e: &BinaryExpr) -> (bool, bool, u8) {
    let p = e.op.precedence();
    let (mut has6, mut has7) = (p == 6, p == 7);
    let mut problem = 0u8;
    if let Expr::Binary(l) = &e.lhs {
        if l.op.precedence() >= p {
            let (a, b, m) = walk_binary(l);
            has6 |= a;
            has7 |= b;
            problem = problem.max(m);
        }
    }
    match &e.rhs {
        Expr::Binary(r) if r.op.precedence() > p => {
            let (a, b, m) = walk_binary(r);
            has6 |= a;
            has7 |= b;
            problem = problem.max(m);
        }
        Expr::Unary(u) => {
            let pair = format!("{}{}", e.op.as_str(), u.op.as_str());
            if (pair == "++" || pair == "--") && problem < 6 {
                problem = 6;
            }
        }
        _ => {}
    }
    (has6, has7, problem)
}

fn cutoff(e: &BinaryExpr, depth: u8) -> u8 {
    let (has6, has7, problem) = walk_binary(e);
    if problem > 0 {
        return problem + 1;
    }
    if has6 && has7 {
        return if depth == 1 { 7 } else { 6 };
    }
    if depth == 1 {
        8
    } else {
        6
    }
}

fn reduce(depth: u8) -> u8 {
    depth.saturating_sub(1).max(1)
}
