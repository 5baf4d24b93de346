//! A grammar-aware generator of CUE programs, driven by [`arbitrary`].
//!
//! [`Program`] is a small CUE syntax tree built from an [`Unstructured`]
//! byte source: fields (regular, definitions, hidden, optional, quoted,
//! dynamic, interpolated), aliases, `let`, embedding, pattern constraints,
//! `...`, comprehensions, references to names in scope, selectors and
//! indexes, unary bounds, arithmetic and comparison, disjunctions with
//! defaults, interpolation, list and struct literals, and calls into the
//! standard library (`strings`, `list`, `math`, `strconv`, `regexp`,
//! `struct`, `encoding/json`, `math/bits`). Rendering it (`Display`) gives
//! CUE text that parses: the tree is built so that every reference names
//! something in scope, every `let` and alias is used, and every import is
//! used (an unused one is an error in CUE).
//!
//! The same bytes always give the same program, so the fuzz target
//! `eval_gen` and `cue-gen` (the programs `scripts/diff-cue.py --gen fuzz`
//! compares with the reference) share this one grammar.
//!
//! Every choice puts its terminating alternative first: when the bytes run
//! out, [`Unstructured`] answers with the smallest value, and generation
//! ends with atoms.

use arbitrary::{Arbitrary, Result, Unstructured};
use std::collections::BTreeSet;
use std::fmt::{self, Write as _};

/// A generated CUE file.
#[derive(Clone, Debug)]
pub struct Program {
    /// Import paths, each used by some call.
    pub imports: BTreeSet<&'static str>,
    /// The file's declarations.
    pub decls: Vec<Decl>,
}

/// A field label.
#[derive(Clone, Debug)]
pub enum Label {
    /// `a`, `#A`, `_h` (an identifier, as written).
    Ident(String),
    /// A quoted label, as written (`"a-b"`).
    Quoted(String),
    /// An interpolated label `"\(k)x"`.
    Interp(Vec<Part>),
    /// A dynamic label `(expr)`.
    Dynamic(Box<Expr>),
}

/// A declaration in a struct or at the top of the file.
#[derive(Clone, Debug)]
pub enum Decl {
    /// `[A=]label[?]: value [@attr]`.
    Field {
        alias: Option<String>,
        label: Label,
        optional: bool,
        value: Expr,
        attr: bool,
    },
    /// `[[A=]pattern]: value`.
    Pattern {
        alias: Option<String>,
        pattern: Expr,
        value: Expr,
    },
    /// `let N = value`.
    Let { name: String, value: Expr },
    /// An embedded expression.
    Embed(Expr),
    /// `...`.
    Ellipsis,
    /// `for ... if ... let ... { decls }`.
    Comprehension {
        clauses: Vec<Clause>,
        body: Vec<Decl>,
    },
}

/// A comprehension clause.
#[derive(Clone, Debug)]
pub enum Clause {
    /// `for [key, ]value in source`.
    For {
        key: Option<String>,
        value: String,
        source: Expr,
    },
    /// `if cond`.
    If(Expr),
    /// `let name = value`.
    Let { name: String, value: Expr },
}

/// A piece of an interpolated string.
#[derive(Clone, Debug)]
pub enum Part {
    /// Literal text, already escaped for a double-quoted string.
    Text(&'static str),
    /// `\(expr)`.
    Expr(Expr),
}

/// An expression.
#[derive(Clone, Debug)]
pub enum Expr {
    /// A reference to a name in scope.
    Ref(String),
    /// A literal or predeclared identifier, as written (`1`, `"a"`, `int`).
    Lit(&'static str),
    /// A unary operator: `-`, `+`, `!`, or a bound (`>`, `<=`, `!=`, `=~`, ...).
    Unary(&'static str, Box<Expr>),
    /// A binary operator (not `|`).
    Binary(&'static str, Box<Expr>, Box<Expr>),
    /// A disjunction; `true` marks a default.
    Disj(Vec<(bool, Expr)>),
    /// A struct literal.
    Struct(Vec<Decl>),
    /// A list literal with an optional `...` or `...T` tail.
    List(Vec<Expr>, Option<Option<Box<Expr>>>),
    /// `[for ... { decls }]`.
    ListComp(Vec<Clause>, Vec<Decl>),
    /// `x.f`.
    Selector(Box<Expr>, &'static str),
    /// `x[i]`.
    Index(Box<Expr>, Box<Expr>),
    /// A call of a builtin (`len`, `strings.ToUpper`, ...).
    Call(&'static str, Vec<Expr>),
    /// `"...\(x)..."`.
    Interp(Vec<Part>),
    /// `(x)`.
    Paren(Box<Expr>),
}

const IDENTS: &[&str] = &["a", "b", "c", "d", "x", "y"];
const DEFS: &[&str] = &["#A", "#B", "#C"];
const HIDDEN: &[&str] = &["_h", "_i"];
const QUOTED: &[&str] = &["\"a\"", "\"a-b\"", "\"x y\"", "\"#A\"", "\"1\""];
const INTS: &[&str] = &[
    "0",
    "1",
    "2",
    "3",
    "10",
    "-1",
    "100",
    "0x10",
    "0o7",
    "0b101",
    "1_000",
    "1Ki",
    "12345678901234567890",
];
const SMALL_INTS: &[&str] = &["0", "1", "2", "3", "-1", "5"];
const FLOATS: &[&str] = &[
    "1.5", "2.0", "1e3", ".5", "1e-2", "0.1", "3.14159", "-2.5", "1.5M",
];
const STRINGS: &[&str] = &[
    "\"a\"",
    "\"b\"",
    "\"foo\"",
    "\"\"",
    "\"x y\"",
    "\"a,b\"",
    "\"A\\nB\"",
    "\"é\"",
    "\"\\u00e9\"",
    "\"1\"",
    "\"true\"",
    "#\"r\"aw\"#",
    "\"\"\"\n\tmulti\n\tline\n\t\"\"\"",
];
const BYTES: &[&str] = &["'ab'", "''", "'\\x00\\xff'"];
const TYPES: &[&str] = &[
    "int", "string", "number", "bool", "float", "bytes", "null", "_",
];
const REGEXPS: &[&str] = &["\"^a\"", "\"[a-z]+\"", "\"o+\"", "\"^$\"", "\"(\"", "\".\""];
const SEPARATORS: &[&str] = &["\",\"", "\"\"", "\" \"", "\"o\""];
const TEXT: &[&str] = &["", "x", "-", " ", "a\\n", "é"];
const BOUNDS: &[&str] = &[">", ">=", "<", "<=", "!=", "=~", "!~"];
const ARITH: &[&str] = &["+", "-", "*", "/", "div", "mod", "quo", "rem"];
const CMP: &[&str] = &["==", "!=", "<", "<=", ">", ">=", "=~", "!~"];

/// What a builtin argument should mostly be.
#[derive(Clone, Copy)]
enum Arg {
    Any,
    Str,
    Int,
    Num,
    List,
    NumList,
    StrList,
    Struct,
    Regexp,
    Sep,
    Comparer,
}

use Arg::*;

/// Builtins: name as called, import path, argument kinds.
const BUILTINS: &[(&str, Option<&str>, &[Arg])] = &[
    ("len", None, &[Any]),
    ("close", None, &[Struct]),
    ("and", None, &[List]),
    ("or", None, &[List]),
    ("div", None, &[Int, Int]),
    ("mod", None, &[Int, Int]),
    ("quo", None, &[Int, Int]),
    ("rem", None, &[Int, Int]),
    ("strings.ToUpper", Some("strings"), &[Str]),
    ("strings.ToLower", Some("strings"), &[Str]),
    ("strings.ToTitle", Some("strings"), &[Str]),
    ("strings.Contains", Some("strings"), &[Str, Str]),
    ("strings.HasPrefix", Some("strings"), &[Str, Str]),
    ("strings.Join", Some("strings"), &[StrList, Sep]),
    ("strings.Split", Some("strings"), &[Str, Sep]),
    ("strings.SplitN", Some("strings"), &[Str, Sep, Int]),
    ("strings.Repeat", Some("strings"), &[Str, Int]),
    ("strings.TrimSpace", Some("strings"), &[Str]),
    ("strings.Trim", Some("strings"), &[Str, Str]),
    ("strings.Replace", Some("strings"), &[Str, Str, Str, Int]),
    ("strings.Index", Some("strings"), &[Str, Str]),
    ("strings.Fields", Some("strings"), &[Str]),
    ("strings.Runes", Some("strings"), &[Str]),
    ("strings.SliceRunes", Some("strings"), &[Str, Int, Int]),
    ("strings.ByteAt", Some("strings"), &[Str, Int]),
    ("strings.MinRunes", Some("strings"), &[Int]),
    ("strings.MaxRunes", Some("strings"), &[Int]),
    ("list.Sum", Some("list"), &[NumList]),
    ("list.Product", Some("list"), &[NumList]),
    ("list.Max", Some("list"), &[NumList]),
    ("list.Min", Some("list"), &[NumList]),
    ("list.Avg", Some("list"), &[NumList]),
    ("list.Concat", Some("list"), &[List]),
    ("list.FlattenN", Some("list"), &[List, Int]),
    ("list.Contains", Some("list"), &[List, Any]),
    ("list.Sort", Some("list"), &[NumList, Comparer]),
    ("list.SortStrings", Some("list"), &[StrList]),
    ("list.IsSorted", Some("list"), &[NumList, Comparer]),
    ("list.Range", Some("list"), &[Int, Int, Int]),
    ("list.Repeat", Some("list"), &[List, Int]),
    ("list.Take", Some("list"), &[List, Int]),
    ("list.Drop", Some("list"), &[List, Int]),
    ("list.Slice", Some("list"), &[List, Int, Int]),
    ("list.UniqueItems", Some("list"), &[]),
    ("list.MinItems", Some("list"), &[Int]),
    ("list.MaxItems", Some("list"), &[Int]),
    ("math.Floor", Some("math"), &[Num]),
    ("math.Ceil", Some("math"), &[Num]),
    ("math.Round", Some("math"), &[Num]),
    ("math.Trunc", Some("math"), &[Num]),
    ("math.Abs", Some("math"), &[Num]),
    ("math.Sqrt", Some("math"), &[Num]),
    ("math.Pow", Some("math"), &[Num, Int]),
    ("math.Log", Some("math"), &[Num]),
    ("math.Exp2", Some("math"), &[Int]),
    ("math.MultipleOf", Some("math"), &[Int]),
    ("math.Pi", Some("math"), &[]),
    ("strconv.Itoa", Some("strconv"), &[Int]),
    ("strconv.Atoi", Some("strconv"), &[Str]),
    ("strconv.FormatInt", Some("strconv"), &[Int, Int]),
    ("strconv.ParseInt", Some("strconv"), &[Str, Int, Int]),
    ("strconv.Quote", Some("strconv"), &[Str]),
    ("strconv.Unquote", Some("strconv"), &[Str]),
    ("strconv.ParseBool", Some("strconv"), &[Str]),
    ("regexp.Match", Some("regexp"), &[Regexp, Str]),
    ("regexp.Find", Some("regexp"), &[Regexp, Str]),
    ("regexp.FindAll", Some("regexp"), &[Regexp, Str, Int]),
    ("regexp.ReplaceAll", Some("regexp"), &[Regexp, Str, Str]),
    ("struct.MinFields", Some("struct"), &[Int]),
    ("struct.MaxFields", Some("struct"), &[Int]),
    ("json.Marshal", Some("encoding/json"), &[Any]),
    ("json.Unmarshal", Some("encoding/json"), &[Str]),
    ("json.Valid", Some("encoding/json"), &[Str]),
    ("bits.And", Some("math/bits"), &[Int, Int]),
    ("bits.Lsh", Some("math/bits"), &[Int, Int]),
    ("bits.OnesCount", Some("math/bits"), &[Int]),
];

/// Builtins that are values, not functions (`math.Pi`, validators called
/// with no arguments are still calls: `list.UniqueItems()`).
const CONSTANTS: &[&str] = &["math.Pi"];

/// Generation state: the bytes, names in scope and fresh-name counters.
struct Gen<'a, 'b> {
    u: &'b mut Unstructured<'a>,
    /// Names visible at this point, innermost scope last.
    scopes: Vec<Vec<String>>,
    imports: BTreeSet<&'static str>,
    fresh: u32,
}

impl<'a> Arbitrary<'a> for Program {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        let mut g = Gen {
            u,
            scopes: Vec::new(),
            imports: BTreeSet::new(),
            fresh: 0,
        };
        let decls = g.decls(4, true)?;
        let mut p = Program {
            imports: g.imports,
            decls,
        };
        p.drop_unused_names();
        Ok(p)
    }
}

impl<'a, 'b> Gen<'a, 'b> {
    /// An index in `0..weights.len()`, weighted; 0 when the bytes are spent.
    fn pick(&mut self, weights: &[u32]) -> Result<usize> {
        let total: u32 = weights.iter().sum();
        let mut n = self.u.int_in_range(0..=total - 1)?;
        for (i, w) in weights.iter().enumerate() {
            if n < *w {
                return Ok(i);
            }
            n -= w;
        }
        Ok(0)
    }

    fn one<T: Copy>(&mut self, xs: &[T]) -> Result<T> {
        Ok(xs[self.u.choose_index(xs.len())?])
    }

    fn chance(&mut self, n: u8) -> Result<bool> {
        // True with probability about 1/n.
        Ok(self.u.int_in_range(0..=n - 1)? == n - 1)
    }

    fn fresh(&mut self, prefix: &str) -> String {
        self.fresh += 1;
        format!("{prefix}{}", self.fresh)
    }

    fn names(&self) -> Vec<String> {
        self.scopes.iter().flatten().cloned().collect()
    }

    /// A reference to a name in scope, if there is one.
    fn reference(&mut self) -> Result<Option<Expr>> {
        let names = self.names();
        if names.is_empty() {
            return Ok(None);
        }
        // Favour the innermost names (comprehension variables, aliases).
        let inner = self.scopes.last().map_or(0, Vec::len);
        let i = if inner > 0 && self.chance(3)? {
            names.len() - inner + self.u.choose_index(inner)?
        } else {
            self.u.choose_index(names.len())?
        };
        Ok(Some(Expr::Ref(names[i].clone())))
    }

    /// A reference to a definition in scope, if there is one.
    fn definition(&mut self) -> Result<Option<Expr>> {
        let defs: Vec<String> = self
            .names()
            .into_iter()
            .filter(|n| n.starts_with('#'))
            .collect();
        if defs.is_empty() {
            return Ok(None);
        }
        Ok(Some(Expr::Ref(
            defs[self.u.choose_index(defs.len())?].clone(),
        )))
    }

    fn literal(&mut self) -> Result<Expr> {
        let x = match self.pick(&[4, 2, 4, 1, 2, 1, 3, 1])? {
            0 => self.one(INTS)?,
            1 => self.one(FLOATS)?,
            2 => self.one(STRINGS)?,
            3 => self.one(BYTES)?,
            4 => self.one(&["true", "false"])?,
            5 => "null",
            6 => self.one(TYPES)?,
            _ => "_|_",
        };
        Ok(Expr::Lit(x))
    }

    /// A leaf: a literal, a bound or a reference.
    fn atom(&mut self) -> Result<Expr> {
        match self.pick(&[5, 3, 2])? {
            0 => self.literal(),
            1 => Ok(match self.reference()? {
                Some(r) => r,
                None => self.literal()?,
            }),
            _ => {
                let op = self.one(BOUNDS)?;
                let x = match op {
                    "=~" | "!~" => self.one(REGEXPS)?,
                    "!=" => self.one(&["null", "\"a\"", "0", "1"])?,
                    _ => self.one(&["0", "1", "10", "1.5", "-1", "\"m\""])?,
                };
                Ok(Expr::Unary(op, Box::new(Expr::Lit(x))))
            }
        }
    }

    fn expr(&mut self, depth: u32) -> Result<Expr> {
        if depth == 0 {
            return self.atom();
        }
        let d = depth - 1;
        let k = self.pick(&[
            6, // atom
            4, // reference
            3, // &
            3, // disjunction
            3, // struct
            2, // list
            3, // arithmetic, comparison, logic
            1, // interpolation
            2, // selector, index
            3, // builtin call
            1, // list comprehension
            1, // unary
            1, // parenthesis
            2, // definition & struct, close
        ])?;
        Ok(match k {
            0 => self.atom()?,
            1 => match self.reference()? {
                Some(r) => r,
                None => self.atom()?,
            },
            2 => Expr::Binary("&", Box::new(self.expr(d)?), Box::new(self.expr(d)?)),
            3 => {
                let n = self.u.int_in_range(2..=3)?;
                let mut alts = Vec::new();
                let mut defaults = 0;
                for _ in 0..n {
                    let star = defaults < 2 && self.chance(3)?;
                    defaults += star as u32;
                    alts.push((star, self.expr(d)?));
                }
                Expr::Disj(alts)
            }
            4 => Expr::Struct(self.decls(d, false)?),
            5 => self.list(d)?,
            6 => {
                let (op, cmp) = match self.pick(&[5, 3, 1])? {
                    0 => (self.one(ARITH)?, false),
                    1 => (self.one(CMP)?, true),
                    _ => (self.one(&["&&", "||"])?, true),
                };
                let a = self.operand(d)?;
                let b = if cmp && (op == "=~" || op == "!~") {
                    Expr::Lit(self.one(REGEXPS)?)
                } else {
                    self.operand(d)?
                };
                Expr::Binary(op, Box::new(a), Box::new(b))
            }
            7 => Expr::Interp(self.parts(d)?),
            8 => {
                let base = match self.reference()? {
                    Some(r) if self.pick(&[3, 1])? == 0 => r,
                    _ => self.expr(d)?,
                };
                if self.chance(3)? {
                    let i = match self.pick(&[3, 2, 1])? {
                        0 => Expr::Lit(self.one(SMALL_INTS)?),
                        1 => Expr::Lit(self.one(&["\"a\"", "\"b\"", "\"x\""])?),
                        _ => self.expr(d)?,
                    };
                    Expr::Index(Box::new(base), Box::new(i))
                } else {
                    let f = match self.pick(&[6, 2, 1])? {
                        0 => self.one(IDENTS)?,
                        1 => self.one(DEFS)?,
                        _ => self.one(HIDDEN)?,
                    };
                    Expr::Selector(Box::new(base), f)
                }
            }
            9 => self.call(d)?,
            10 => {
                let mark = self.scopes.len();
                let clauses = self.clauses(d)?;
                let body = if self.chance(4)? {
                    self.decls(d, false)?
                } else {
                    vec![Decl::Embed(self.expr(d)?)]
                };
                self.scopes.truncate(mark);
                Expr::ListComp(clauses, body)
            }
            11 => {
                let op = self.one(&["-", "+", "!", ">", "<=", "!="])?;
                Expr::Unary(op, Box::new(self.operand(d)?))
            }
            12 => Expr::Paren(Box::new(self.expr(d)?)),
            _ => {
                let s = Expr::Struct(self.decls(d, false)?);
                match self.definition()? {
                    Some(def) if self.chance(2)? => Expr::Binary("&", Box::new(def), Box::new(s)),
                    _ => Expr::Call("close", vec![s]),
                }
            }
        })
    }

    /// An operand of arithmetic: mostly a reference or a concrete value.
    fn operand(&mut self, depth: u32) -> Result<Expr> {
        match self.pick(&[4, 3, 2])? {
            0 => {
                let x = match self.pick(&[3, 1, 2, 1])? {
                    0 => self.one(INTS)?,
                    1 => self.one(FLOATS)?,
                    2 => self.one(STRINGS)?,
                    _ => self.one(&["true", "false", "null", "'ab'"])?,
                };
                Ok(Expr::Lit(x))
            }
            1 => Ok(match self.reference()? {
                Some(r) => r,
                None => Expr::Lit(self.one(SMALL_INTS)?),
            }),
            _ => self.expr(depth),
        }
    }

    fn list(&mut self, depth: u32) -> Result<Expr> {
        let n = self.u.int_in_range(0..=3)?;
        let mut xs = Vec::new();
        for _ in 0..n {
            xs.push(self.expr(depth)?);
        }
        let tail = match self.pick(&[6, 1, 1])? {
            0 => None,
            1 => Some(None),
            _ => Some(Some(Box::new(self.expr(depth)?))),
        };
        Ok(Expr::List(xs, tail))
    }

    fn parts(&mut self, depth: u32) -> Result<Vec<Part>> {
        let mut parts = vec![Part::Text(self.one(TEXT)?)];
        for _ in 0..self.u.int_in_range(1..=2)? {
            parts.push(Part::Expr(self.operand(depth)?));
            parts.push(Part::Text(self.one(TEXT)?));
        }
        Ok(parts)
    }

    fn call(&mut self, depth: u32) -> Result<Expr> {
        let (name, import, args) = self.one(BUILTINS)?;
        if let Some(path) = import {
            self.imports.insert(path);
        }
        if CONSTANTS.contains(&name) {
            return Ok(Expr::Ref(name.to_string()));
        }
        let mut xs = Vec::new();
        for a in args {
            xs.push(self.arg(*a, depth)?);
        }
        Ok(Expr::Call(name, xs))
    }

    fn arg(&mut self, kind: Arg, depth: u32) -> Result<Expr> {
        // Now and then anything at all (a reference, an error, a type).
        if self.chance(5)? {
            return self.expr(depth);
        }
        Ok(match kind {
            Any => self.expr(depth)?,
            Str => match self.pick(&[4, 1, 1])? {
                0 => Expr::Lit(self.one(STRINGS)?),
                1 => Expr::Interp(self.parts(depth)?),
                _ => self.operand(depth)?,
            },
            Int => Expr::Lit(self.one(SMALL_INTS)?),
            Num => Expr::Lit(match self.pick(&[2, 1])? {
                0 => self.one(SMALL_INTS)?,
                _ => self.one(FLOATS)?,
            }),
            List => self.list(depth)?,
            NumList | StrList => {
                let n = self.u.int_in_range(0..=4)?;
                let mut xs = Vec::new();
                for _ in 0..n {
                    xs.push(Expr::Lit(match kind {
                        NumList if self.chance(4)? => self.one(FLOATS)?,
                        NumList => self.one(SMALL_INTS)?,
                        _ => self.one(STRINGS)?,
                    }));
                }
                Expr::List(xs, None)
            }
            Struct => Expr::Struct(self.decls(depth, false)?),
            Regexp => Expr::Lit(self.one(REGEXPS)?),
            Sep => Expr::Lit(self.one(SEPARATORS)?),
            Comparer => Expr::Ref(
                self.one(&["list.Ascending", "list.Descending"])?
                    .to_string(),
            ),
        })
    }

    /// Comprehension clauses; the names they bind are pushed as a scope
    /// (the caller truncates `scopes` afterwards).
    fn clauses(&mut self, depth: u32) -> Result<Vec<Clause>> {
        let mut out = Vec::new();
        let n = self.u.int_in_range(1..=3)?;
        for i in 0..n {
            // The first clause is a `for` or an `if`.
            let k = if i == 0 {
                self.pick(&[4, 1])?
            } else {
                self.pick(&[1, 2, 1])?
            };
            match k {
                0 => {
                    let source = match self.pick(&[3, 2, 2, 1])? {
                        0 => {
                            let n = self.u.int_in_range(0..=3)?;
                            let mut xs = Vec::new();
                            for _ in 0..n {
                                xs.push(self.atom()?);
                            }
                            Expr::List(xs, None)
                        }
                        1 => Expr::Struct(self.decls(depth.min(1), false)?),
                        2 => match self.reference()? {
                            Some(r) => r,
                            None => Expr::List(vec![Expr::Lit("1"), Expr::Lit("2")], None),
                        },
                        _ => self.expr(depth)?,
                    };
                    let key = if self.chance(2)? {
                        Some(self.fresh("k"))
                    } else {
                        None
                    };
                    let value = self.fresh("v");
                    let mut scope = vec![value.clone()];
                    scope.extend(key.clone());
                    self.scopes.push(scope);
                    out.push(Clause::For { key, value, source });
                }
                1 => {
                    let cond = match self.reference()? {
                        Some(r) if self.pick(&[3, 1])? == 0 => {
                            let op = self.one(CMP)?;
                            let rhs = match op {
                                "=~" | "!~" => self.one(REGEXPS)?,
                                _ => self.one(&["0", "1", "2", "\"a\"", "null", "true"])?,
                            };
                            Expr::Binary(op, Box::new(r), Box::new(Expr::Lit(rhs)))
                        }
                        _ => self.expr(depth)?,
                    };
                    out.push(Clause::If(cond));
                }
                _ => {
                    let value = self.expr(depth)?;
                    let name = self.fresh("L");
                    self.scopes.push(vec![name.clone()]);
                    out.push(Clause::Let { name, value });
                }
            }
        }
        Ok(out)
    }

    /// The declarations of a struct (or of the file when `top`).
    fn decls(&mut self, depth: u32, top: bool) -> Result<Vec<Decl>> {
        let n = if top {
            self.u.int_in_range(1..=7)?
        } else {
            self.u.int_in_range(0..=4)?
        };
        // Kinds and labels first: the names a struct declares are in scope
        // in all its values (references may point forward, or be cycles).
        enum Plan {
            Field(Option<String>, Label, bool, bool),
            Pattern(Option<String>),
            Let(String),
            Embed,
            Ellipsis,
            Comprehension,
            Dynamic,
        }
        let mut plans = Vec::new();
        let mut scope = Vec::new();
        for _ in 0..n {
            let k = self.pick(&[14, 2, 2, 2, if top { 0 } else { 1 }, 2, 1])?;
            let p = match k {
                0 => {
                    let label = match self.pick(&[10, 4, 2, 2])? {
                        0 => Label::Ident(self.one(IDENTS)?.to_string()),
                        1 => Label::Ident(self.one(DEFS)?.to_string()),
                        2 => Label::Ident(self.one(HIDDEN)?.to_string()),
                        _ => Label::Quoted(self.one(QUOTED)?.to_string()),
                    };
                    if let Label::Ident(name) = &label {
                        scope.push(name.clone());
                    }
                    let alias = if self.chance(12)? {
                        let a = self.fresh("A");
                        scope.push(a.clone());
                        Some(a)
                    } else {
                        None
                    };
                    let optional = self.chance(10)?;
                    let attr = self.chance(20)?;
                    Plan::Field(alias, label, optional, attr)
                }
                1 => Plan::Let({
                    let name = self.fresh("L");
                    scope.push(name.clone());
                    name
                }),
                2 => Plan::Embed,
                3 => Plan::Pattern(if self.chance(3)? {
                    Some(self.fresh("P"))
                } else {
                    None
                }),
                4 => Plan::Ellipsis,
                5 => Plan::Comprehension,
                _ => Plan::Dynamic,
            };
            plans.push(p);
        }
        scope.sort();
        scope.dedup();
        self.scopes.push(scope);
        let mut out = Vec::new();
        for p in plans {
            out.push(match p {
                Plan::Field(alias, label, optional, attr) => Decl::Field {
                    alias,
                    label,
                    optional,
                    value: self.expr(depth)?,
                    attr,
                },
                Plan::Let(name) => Decl::Let {
                    name,
                    value: self.expr(depth)?,
                },
                Plan::Embed => Decl::Embed(match self.pick(&[2, 2, 1, 1])? {
                    0 => match self.definition()? {
                        Some(def) => def,
                        None => Expr::Struct(self.decls(depth.saturating_sub(1), false)?),
                    },
                    1 => Expr::Struct(self.decls(depth.saturating_sub(1), false)?),
                    2 => self.call(depth.saturating_sub(1))?,
                    _ => self.expr(depth)?,
                }),
                Plan::Pattern(alias) => {
                    let pattern = match self.pick(&[3, 2, 1, 1])? {
                        0 => Expr::Lit("string"),
                        1 => Expr::Unary("=~", Box::new(Expr::Lit(self.one(REGEXPS)?))),
                        2 => Expr::Unary(">", Box::new(Expr::Lit("\"b\""))),
                        _ => Expr::Disj(vec![
                            (false, Expr::Lit("\"a\"")),
                            (false, Expr::Lit("\"x\"")),
                        ]),
                    };
                    if let Some(a) = &alias {
                        self.scopes.push(vec![a.clone()]);
                    }
                    let value = self.expr(depth)?;
                    if alias.is_some() {
                        self.scopes.pop();
                    }
                    Decl::Pattern {
                        alias,
                        pattern,
                        value,
                    }
                }
                Plan::Ellipsis => Decl::Ellipsis,
                Plan::Comprehension => {
                    let mark = self.scopes.len();
                    let clauses = self.clauses(depth.saturating_sub(1))?;
                    let vars: Vec<String> = self.scopes[mark..].iter().flatten().cloned().collect();
                    let mut body = self.decls(depth.saturating_sub(1), false)?;
                    // Labels from the variables, so iterations add
                    // distinct fields.
                    if let (Some(var), Some(Decl::Field { label, .. })) =
                        (vars.first(), body.first_mut())
                    {
                        if self.chance(2)? {
                            *label = Label::Interp(vec![
                                Part::Text(self.one(TEXT)?),
                                Part::Expr(Expr::Ref(var.clone())),
                            ]);
                        }
                    }
                    self.scopes.truncate(mark);
                    Decl::Comprehension { clauses, body }
                }
                Plan::Dynamic => {
                    let label = if self.chance(2)? {
                        Label::Interp(self.parts(depth.saturating_sub(1))?)
                    } else {
                        Label::Dynamic(Box::new(self.operand(depth.saturating_sub(1))?))
                    };
                    Decl::Field {
                        alias: None,
                        label,
                        optional: false,
                        value: self.expr(depth)?,
                        attr: false,
                    }
                }
            });
        }
        self.scopes.pop();
        Ok(out)
    }
}

impl Program {
    /// Drops `let`s, aliases and comprehension `let` clauses nothing
    /// refers to (CUE rejects them), until none is left.
    fn drop_unused_names(&mut self) {
        loop {
            let mut used = BTreeSet::new();
            for d in &self.decls {
                d.refs(&mut used);
            }
            if !drop_decls(&mut self.decls, &used) {
                return;
            }
        }
    }
}

fn unused(name: &str, used: &BTreeSet<String>) -> bool {
    !used.contains(name)
}

impl Decl {
    fn refs(&self, used: &mut BTreeSet<String>) {
        match self {
            Decl::Field { label, value, .. } => {
                label.refs(used);
                value.refs(used);
            }
            Decl::Pattern { pattern, value, .. } => {
                pattern.refs(used);
                value.refs(used);
            }
            Decl::Let { value, .. } => value.refs(used),
            Decl::Embed(x) => x.refs(used),
            Decl::Ellipsis => {}
            Decl::Comprehension { clauses, body } => {
                clauses.iter().for_each(|c| c.refs(used));
                body.iter().for_each(|d| d.refs(used));
            }
        }
    }

    fn drop_unused(&mut self, used: &BTreeSet<String>) -> bool {
        let mut changed = false;
        match self {
            Decl::Field {
                alias,
                label,
                value,
                ..
            } => {
                if alias.as_deref().is_some_and(|a| unused(a, used)) {
                    *alias = None;
                    changed = true;
                }
                changed |= label.drop_unused(used);
                changed |= value.drop_unused(used);
            }
            Decl::Pattern {
                alias,
                pattern,
                value,
            } => {
                if alias.as_deref().is_some_and(|a| unused(a, used)) {
                    *alias = None;
                    changed = true;
                }
                changed |= pattern.drop_unused(used);
                changed |= value.drop_unused(used);
            }
            Decl::Let { value, .. } => changed |= value.drop_unused(used),
            Decl::Embed(x) => changed |= x.drop_unused(used),
            Decl::Ellipsis => {}
            Decl::Comprehension { clauses, body } => {
                changed |= drop_clauses(clauses, used);
                changed |= drop_decls(body, used);
            }
        }
        changed
    }
}

fn drop_decls(decls: &mut Vec<Decl>, used: &BTreeSet<String>) -> bool {
    let before = decls.len();
    decls.retain(|d| !matches!(d, Decl::Let { name, .. } if unused(name, used)));
    let mut changed = decls.len() != before;
    for d in decls {
        changed |= d.drop_unused(used);
    }
    changed
}

fn drop_clauses(clauses: &mut Vec<Clause>, used: &BTreeSet<String>) -> bool {
    let before = clauses.len();
    // A comprehension must start with `for` or `if`: a leading `let` that
    // is used stays (CUE accepts it after a `for`/`if` only, so it is
    // turned into its own `if true` guard).
    clauses.retain(|c| !matches!(c, Clause::Let { name, .. } if unused(name, used)));
    let mut changed = clauses.len() != before;
    if matches!(clauses.first(), Some(Clause::Let { .. }) | None) {
        clauses.insert(0, Clause::If(Expr::Lit("true")));
        changed = true;
    }
    for c in clauses {
        changed |= match c {
            Clause::For { source, .. } => source.drop_unused(used),
            Clause::If(x) => x.drop_unused(used),
            Clause::Let { value, .. } => value.drop_unused(used),
        };
    }
    changed
}

impl Clause {
    fn refs(&self, used: &mut BTreeSet<String>) {
        match self {
            Clause::For { source, .. } => source.refs(used),
            Clause::If(x) => x.refs(used),
            Clause::Let { value, .. } => value.refs(used),
        }
    }
}

impl Label {
    fn refs(&self, used: &mut BTreeSet<String>) {
        match self {
            Label::Ident(_) | Label::Quoted(_) => {}
            Label::Interp(parts) => parts_refs(parts, used),
            Label::Dynamic(x) => x.refs(used),
        }
    }

    fn drop_unused(&mut self, used: &BTreeSet<String>) -> bool {
        match self {
            Label::Ident(_) | Label::Quoted(_) => false,
            Label::Interp(parts) => parts_drop(parts, used),
            Label::Dynamic(x) => x.drop_unused(used),
        }
    }
}

fn parts_refs(parts: &[Part], used: &mut BTreeSet<String>) {
    for p in parts {
        if let Part::Expr(x) = p {
            x.refs(used);
        }
    }
}

fn parts_drop(parts: &mut [Part], used: &BTreeSet<String>) -> bool {
    let mut changed = false;
    for p in parts {
        if let Part::Expr(x) = p {
            changed |= x.drop_unused(used);
        }
    }
    changed
}

impl Expr {
    fn refs(&self, used: &mut BTreeSet<String>) {
        match self {
            Expr::Ref(n) => {
                used.insert(n.clone());
            }
            Expr::Lit(_) => {}
            Expr::Unary(_, x) | Expr::Paren(x) | Expr::Selector(x, _) => x.refs(used),
            Expr::Binary(_, a, b) | Expr::Index(a, b) => {
                a.refs(used);
                b.refs(used);
            }
            Expr::Disj(alts) => alts.iter().for_each(|(_, x)| x.refs(used)),
            Expr::Struct(ds) => ds.iter().for_each(|d| d.refs(used)),
            Expr::List(xs, tail) => {
                xs.iter().for_each(|x| x.refs(used));
                if let Some(Some(t)) = tail {
                    t.refs(used);
                }
            }
            Expr::ListComp(cs, body) => {
                cs.iter().for_each(|c| c.refs(used));
                body.iter().for_each(|d| d.refs(used));
            }
            Expr::Call(_, xs) => xs.iter().for_each(|x| x.refs(used)),
            Expr::Interp(parts) => parts_refs(parts, used),
        }
    }

    fn drop_unused(&mut self, used: &BTreeSet<String>) -> bool {
        match self {
            Expr::Ref(_) | Expr::Lit(_) => false,
            Expr::Unary(_, x) | Expr::Paren(x) | Expr::Selector(x, _) => x.drop_unused(used),
            Expr::Binary(_, a, b) | Expr::Index(a, b) => a.drop_unused(used) | b.drop_unused(used),
            Expr::Disj(alts) => alts
                .iter_mut()
                .fold(false, |c, (_, x)| x.drop_unused(used) | c),
            Expr::Struct(ds) => drop_decls(ds, used),
            Expr::List(xs, tail) => {
                let mut c = xs.iter_mut().fold(false, |c, x| x.drop_unused(used) | c);
                if let Some(Some(t)) = tail {
                    c |= t.drop_unused(used);
                }
                c
            }
            Expr::ListComp(cs, body) => drop_clauses(cs, used) | drop_decls(body, used),
            Expr::Call(_, xs) => xs.iter_mut().fold(false, |c, x| x.drop_unused(used) | c),
            Expr::Interp(parts) => parts_drop(parts, used),
        }
    }

    /// Binding strength: 1 `|`, 2 `&`, 3 `||`, 4 `&&`, 5 comparison,
    /// 6 `+ -`, 7 `* /` and friends, 8 unary, 9 primary.
    fn prec(&self) -> u8 {
        match self {
            Expr::Disj(_) => 1,
            Expr::Binary(op, ..) => binary_prec(op),
            Expr::Unary(..) => 8,
            _ => 9,
        }
    }
}

fn binary_prec(op: &str) -> u8 {
    match op {
        "&" => 2,
        "||" => 3,
        "&&" => 4,
        "==" | "!=" | "<" | "<=" | ">" | ">=" | "=~" | "!~" => 5,
        "+" | "-" => 6,
        _ => 7,
    }
}

/// Rendering: indentation by tabs, one declaration a line.
struct Printer {
    out: String,
    indent: usize,
}

impl Printer {
    fn newline(&mut self) {
        self.out.push('\n');
        for _ in 0..self.indent {
            self.out.push('\t');
        }
    }

    /// `x`, in parentheses when it binds less than `min`.
    fn sub(&mut self, x: &Expr, min: u8) {
        if x.prec() < min {
            self.out.push('(');
            self.expr(x);
            self.out.push(')');
        } else {
            self.expr(x);
        }
    }

    fn expr(&mut self, x: &Expr) {
        match x {
            Expr::Ref(n) => self.out.push_str(n),
            Expr::Lit(s) => self.out.push_str(s),
            Expr::Unary(op, x) => {
                self.out.push_str(op);
                let start = self.out.len();
                self.sub(x, 8);
                // `<-` and `--` are tokens (or the start of one): keep a
                // space after the operator when the operand starts with
                // punctuation.
                if self.out[start..].starts_with(['-', '+', '!', '<', '>', '=', '*']) {
                    self.out.insert(start, ' ');
                }
            }
            Expr::Binary(op, a, b) => {
                let p = binary_prec(op);
                self.sub(a, p);
                let _ = write!(self.out, " {op} ");
                self.sub(b, p + 1);
            }
            Expr::Disj(alts) => {
                for (i, (star, x)) in alts.iter().enumerate() {
                    if i > 0 {
                        self.out.push_str(" | ");
                    }
                    if *star {
                        self.out.push('*');
                        // The default mark applies to a unary expression.
                        self.sub(x, 8);
                    } else {
                        self.sub(x, 2);
                    }
                }
            }
            Expr::Struct(ds) => self.block(ds),
            Expr::List(xs, tail) => {
                self.out.push('[');
                for (i, x) in xs.iter().enumerate() {
                    if i > 0 {
                        self.out.push_str(", ");
                    }
                    self.expr(x);
                }
                if let Some(t) = tail {
                    if !xs.is_empty() {
                        self.out.push_str(", ");
                    }
                    self.out.push_str("...");
                    if let Some(t) = t {
                        self.sub(t, 8);
                    }
                }
                self.out.push(']');
            }
            Expr::ListComp(cs, body) => {
                self.out.push('[');
                self.clauses(cs);
                self.out.push(' ');
                self.block(body);
                self.out.push(']');
            }
            Expr::Selector(x, f) => {
                self.base(x);
                self.out.push('.');
                self.out.push_str(f);
            }
            Expr::Index(x, i) => {
                self.base(x);
                self.out.push('[');
                self.expr(i);
                self.out.push(']');
            }
            Expr::Call(f, xs) => {
                self.out.push_str(f);
                self.out.push('(');
                for (i, x) in xs.iter().enumerate() {
                    if i > 0 {
                        self.out.push_str(", ");
                    }
                    self.expr(x);
                }
                self.out.push(')');
            }
            Expr::Interp(parts) => self.interp(parts),
            Expr::Paren(x) => {
                self.out.push('(');
                self.expr(x);
                self.out.push(')');
            }
        }
    }

    /// The operand of a selector or index: a primary expression that is
    /// not a number (`1.a` would lex as a float).
    fn base(&mut self, x: &Expr) {
        let number = matches!(x, Expr::Lit(s) if s.starts_with(|c: char| c.is_ascii_digit() || c == '.' || c == '-'));
        if number || x.prec() < 9 {
            self.out.push('(');
            self.expr(x);
            self.out.push(')');
        } else {
            self.expr(x);
        }
    }

    fn interp(&mut self, parts: &[Part]) {
        self.out.push('"');
        for p in parts {
            match p {
                Part::Text(t) => self.out.push_str(t),
                Part::Expr(x) => {
                    self.out.push_str("\\(");
                    self.expr(x);
                    self.out.push(')');
                }
            }
        }
        self.out.push('"');
    }

    fn clauses(&mut self, cs: &[Clause]) {
        for (i, c) in cs.iter().enumerate() {
            if i > 0 {
                self.out.push(' ');
            }
            match c {
                Clause::For { key, value, source } => {
                    self.out.push_str("for ");
                    if let Some(k) = key {
                        let _ = write!(self.out, "{k}, ");
                    }
                    let _ = write!(self.out, "{value} in ");
                    self.expr(source);
                }
                Clause::If(x) => {
                    self.out.push_str("if ");
                    self.expr(x);
                }
                Clause::Let { name, value } => {
                    let _ = write!(self.out, "let {name} = ");
                    self.expr(value);
                }
            }
        }
    }

    fn block(&mut self, ds: &[Decl]) {
        if ds.is_empty() {
            self.out.push_str("{}");
            return;
        }
        self.out.push('{');
        self.indent += 1;
        for d in ds {
            self.newline();
            self.decl(d);
        }
        self.indent -= 1;
        self.newline();
        self.out.push('}');
    }

    fn label(&mut self, l: &Label) {
        match l {
            Label::Ident(s) | Label::Quoted(s) => self.out.push_str(s),
            Label::Interp(parts) => self.interp(parts),
            Label::Dynamic(x) => {
                self.out.push('(');
                self.expr(x);
                self.out.push(')');
            }
        }
    }

    fn decl(&mut self, d: &Decl) {
        match d {
            Decl::Field {
                alias,
                label,
                optional,
                value,
                attr,
            } => {
                if let Some(a) = alias {
                    let _ = write!(self.out, "{a}=");
                }
                self.label(label);
                if *optional {
                    self.out.push('?');
                }
                self.out.push_str(": ");
                self.expr(value);
                if *attr {
                    self.out.push_str(" @fuzz(x)");
                }
            }
            Decl::Pattern {
                alias,
                pattern,
                value,
            } => {
                self.out.push('[');
                if let Some(a) = alias {
                    let _ = write!(self.out, "{a}=");
                }
                self.expr(pattern);
                self.out.push_str("]: ");
                self.expr(value);
            }
            Decl::Let { name, value } => {
                let _ = write!(self.out, "let {name} = ");
                self.expr(value);
            }
            Decl::Embed(x) => {
                // An embedded list or parenthesized expression would read
                // as a pattern or dynamic label: wrap it in a struct.
                if matches!(x, Expr::List(..) | Expr::Paren(_) | Expr::ListComp(..)) {
                    self.out.push_str("{ ");
                    self.expr(x);
                    self.out.push_str(" }");
                } else {
                    self.expr(x);
                }
            }
            Decl::Ellipsis => self.out.push_str("..."),
            Decl::Comprehension { clauses, body } => {
                self.clauses(clauses);
                self.out.push(' ');
                self.block(body);
            }
        }
    }
}

impl fmt::Display for Program {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut p = Printer {
            out: String::new(),
            indent: 0,
        };
        for path in &self.imports {
            let _ = writeln!(p.out, "import \"{path}\"");
        }
        if !self.imports.is_empty() {
            p.out.push('\n');
        }
        for d in &self.decls {
            p.decl(d);
            p.out.push('\n');
        }
        f.write_str(&p.out)
    }
}

/// The program the bytes `data` give (empty bytes give a small program).
pub fn program(data: &[u8]) -> Program {
    let mut u = Unstructured::new(data);
    Program::arbitrary(&mut u).unwrap_or_else(|_| Program {
        imports: BTreeSet::new(),
        decls: Vec::new(),
    })
}

/// A deterministic byte source (splitmix64) for seeded generation.
pub struct SplitMix(pub u64);

impl SplitMix {
    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// `n` random bytes.
    pub fn bytes(&mut self, n: usize) -> Vec<u8> {
        let mut out = Vec::with_capacity(n + 8);
        while out.len() < n {
            out.extend_from_slice(&self.next_u64().to_le_bytes());
        }
        out.truncate(n);
        out
    }
}

/// Program number `index` of the run seeded `seed`: the same pair always
/// gives the same program.
pub fn seeded(seed: u64, index: u64, len: usize) -> Program {
    let mut rng = SplitMix(seed.wrapping_mul(0x1000_0000_01b3) ^ index);
    let bytes = rng.bytes(len);
    program(&bytes)
}
