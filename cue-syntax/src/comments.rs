//! Attaching comments to the tree, after parsing.
//!
//! The grammar never sees comments. Each comment is placed in the innermost
//! block (file, struct or list) whose span contains it:
//! - inside an item (declaration or element) that has no inner block holding
//!   it: the item's trailing comments;
//! - after an item on the same line: that item's trailing comments;
//! - otherwise before the next item: its leading comments;
//! - with no next item: the block's `trailing_comments`.
//!
//! Blank lines before comments are recorded here
//! ([`Comment::blank_line_before`]); those before items are set while
//! parsing ([`Comments::blank_line_before`]).

use crate::ast::*;
use crate::lexer::RawComment;

pub(crate) fn attach(file: &mut File, src: &str, raw: &[RawComment]) {
    let fid = file.span.file;
    for rc in raw {
        let c = Comment {
            span: Span::new(fid, rc.start, rc.end),
            text: src[rc.start as usize..rc.end as usize]
                .trim_end()
                .to_string(),
            blank_line_before: blank_before(src, rc.start as usize),
        };
        place_in_decls(&mut file.decls, &mut file.trailing_comments, c, src);
    }
}

/// Whether an empty line separates `pos` from the text before it.
pub(crate) fn blank_before(src: &str, pos: usize) -> bool {
    let mut newlines = 0;
    for &b in src.as_bytes()[..pos.min(src.len())].iter().rev() {
        match b {
            b'\n' => {
                newlines += 1;
                if newlines >= 2 {
                    return true;
                }
            }
            b' ' | b'\t' | b'\r' => {}
            _ => return false,
        }
    }
    false
}

fn contains(span: Span, pos: u32) -> bool {
    span.start <= pos && pos < span.end
}

fn same_line(src: &str, from: u32, to: u32) -> bool {
    let (a, b) = (from as usize, to as usize);
    a <= b && !src.as_bytes()[a.min(src.len())..b.min(src.len())].contains(&b'\n')
}

fn place_in_decls(decls: &mut [Decl], trailing: &mut Vec<Comment>, c: Comment, src: &str) {
    let pos = c.span.start;
    // Declarations are in source order: binary search, not a scan, so that
    // attaching stays linear overall.
    let after = decls.partition_point(|d| d.span().end <= pos);
    if after < decls.len() && contains(decls[after].span(), pos) {
        place_in_decl(&mut decls[after], c, src);
        return;
    }
    let prev = after.checked_sub(1);
    if let Some(p) = prev {
        if same_line(src, decls[p].span().end, pos) {
            decls[p].comments_mut().trailing.push(c);
            return;
        }
    }
    let next = prev.map_or(0, |p| p + 1);
    match decls.get_mut(next) {
        Some(d) => d.comments_mut().leading.push(c),
        None => trailing.push(c),
    }
}

fn place_in_decl(d: &mut Decl, c: Comment, src: &str) {
    let left = match d {
        Decl::Field(f) => place_in_field(f, c, src),
        Decl::Let(l) => place_in_expr(&mut l.value, c, src),
        Decl::Embed(e) => place_in_expr(&mut e.expr, c, src),
        Decl::Ellipsis(e) => match &mut e.value {
            Some(v) => place_in_expr(v, c, src),
            None => Some(c),
        },
        Decl::Comprehension(comp) => place_in_comprehension(comp, c, src),
        Decl::Package(_) | Decl::Import(_) | Decl::Attribute(_) | Decl::Bad(_) => Some(c),
    };
    if let Some(c) = left {
        d.comments_mut().trailing.push(c);
    }
}

fn place_in_field(f: &mut Field, c: Comment, src: &str) -> Option<Comment> {
    let pos = c.span.start;
    match &mut f.label {
        Label::Paren(p) if contains(p.span, pos) => return place_in_expr(&mut p.expr, c, src),
        Label::Pattern(p) if contains(p.span, pos) => return place_in_expr(&mut p.expr, c, src),
        _ => {}
    }
    place_in_expr(&mut f.value, c, src)
}

fn place_in_comprehension(comp: &mut Comprehension, c: Comment, src: &str) -> Option<Comment> {
    let pos = c.span.start;
    if contains(comp.body.span, pos) {
        place_in_decls(
            &mut comp.body.decls,
            &mut comp.body.trailing_comments,
            c,
            src,
        );
        return None;
    }
    for clause in &mut comp.clauses {
        if contains(clause.span(), pos) {
            return match clause {
                Clause::For { source, .. } => place_in_expr(source, c, src),
                Clause::If { cond, .. } => place_in_expr(cond, c, src),
                Clause::Let { value, .. } => place_in_expr(value, c, src),
            };
        }
    }
    Some(c)
}

/// Places `c` in the innermost block of `e` containing it; gives it back if
/// there is none.
fn place_in_expr(e: &mut Expr, c: Comment, src: &str) -> Option<Comment> {
    let pos = c.span.start;
    if !contains(e.span(), pos) {
        return Some(c);
    }
    match e {
        // `a: b: x`: the printer writes the inner field on the outer field's
        // line, so a comment that is not inside a block of `x` stays with
        // the outer declaration.
        Expr::Struct(s) if s.elided => match s.decls.as_mut_slice() {
            [Decl::Field(f)] => place_in_field(f, c, src),
            _ => Some(c),
        },
        Expr::Struct(s) => {
            place_in_decls(&mut s.decls, &mut s.trailing_comments, c, src);
            None
        }
        Expr::List(l) => {
            place_in_list(l, c, src);
            None
        }
        Expr::Paren(p) => place_in_expr(&mut p.expr, c, src),
        Expr::Unary(u) => place_in_expr(&mut u.expr, c, src),
        Expr::Binary(b) => {
            if contains(b.lhs.span(), pos) {
                place_in_expr(&mut b.lhs, c, src)
            } else {
                place_in_expr(&mut b.rhs, c, src)
            }
        }
        Expr::Selector(s) => place_in_expr(&mut s.base, c, src),
        Expr::Index(i) => {
            if contains(i.base.span(), pos) {
                place_in_expr(&mut i.base, c, src)
            } else {
                place_in_expr(&mut i.index, c, src)
            }
        }
        Expr::Slice(s) => {
            let mut c = Some(c);
            for part in std::iter::once(&mut s.base)
                .chain(s.lo.as_mut())
                .chain(s.hi.as_mut())
            {
                if let Some(cc) = c.take() {
                    c = place_in_expr(part, cc, src);
                }
            }
            c
        }
        Expr::Call(call) => {
            let mut c = place_in_expr(&mut call.func, c, src);
            for a in &mut call.args {
                if let Some(cc) = c.take() {
                    c = place_in_expr(a, cc, src);
                }
            }
            c
        }
        Expr::Interpolation(i) => {
            let mut c = Some(c);
            for p in &mut i.parts {
                if let (InterpPart::Expr(x), Some(cc)) = (p, c.take()) {
                    c = place_in_expr(x, cc, src);
                }
            }
            c
        }
        _ => Some(c),
    }
}

fn place_in_list(l: &mut ListLit, c: Comment, src: &str) {
    let pos = c.span.start;
    let after = l.elems.partition_point(|el| el.span.end <= pos);
    if let Some(el) = l.elems.get_mut(after).filter(|el| contains(el.span, pos)) {
        let left = match &mut el.kind {
            ElementKind::Expr(e) => place_in_expr(e, c, src),
            ElementKind::Comprehension(comp) => place_in_comprehension(comp, c, src),
        };
        if let Some(c) = left {
            el.comments.trailing.push(c);
        }
        return;
    }
    if let Some(ell) = l.ellipsis.as_deref_mut() {
        if contains(ell.span, pos) {
            let left = match &mut ell.value {
                Some(v) => place_in_expr(v, c, src),
                None => Some(c),
            };
            if let Some(c) = left {
                ell.comments.trailing.push(c);
            }
            return;
        }
    }
    let prev = after.checked_sub(1);
    if let Some(p) = prev {
        if same_line(src, l.elems[p].span.end, pos) {
            l.elems[p].comments.trailing.push(c);
            return;
        }
    }
    let next = prev.map_or(0, |p| p + 1);
    if let Some(el) = l.elems.get_mut(next) {
        el.comments.leading.push(c);
        return;
    }
    match l.ellipsis.as_deref_mut() {
        Some(ell) if ell.span.start >= pos => ell.comments.leading.push(c),
        Some(ell) if same_line(src, ell.span.end, pos) => ell.comments.trailing.push(c),
        _ => l.trailing_comments.push(c),
    }
}
