//! The standard library: CUE v0.4's builtin packages (`strings`, `list`,
//! `math`, `encoding/json`, ...), as a static registry.
//!
//! # Model
//!
//! A [`Package`] has named [`Member`]s: functions ([`Func`]) and constants
//! ([`Const`]); some packages also carry CUE source ([`Package::cue`]) for
//! members that are CUE values (e.g. `list.Ascending`, `path.Unix`,
//! `uuid.ns`), which the evaluator compiles and unifies into the package.
//!
//! A function has parameter kinds and a result kind. The evaluator calls one
//! like this (mirroring the reference's `adt.Builtin.call`):
//! 1. more arguments than parameters: error `too many arguments in call to
//!    {name} (have N, want M)`; fewer: missing ones take [`Param::default`],
//!    else `not enough arguments ...`;
//! 2. an argument whose kind does not meet the parameter kind: error
//!    `cannot use {value} (type {kind}) as {param kind} in argument {i+1} to
//!    {name}` (see [`Func::check_kinds`] for concrete data);
//! 3. [`Impl::Data`] functions get every argument as concrete [`Data`] (an
//!    argument that is not concrete yet makes the call incomplete);
//!    [`Impl::Host`] functions get opaque [`HostValue`]s and a [`Host`]
//!    (the evaluator) to unify, compare or inspect them.
//!
//! **Validators**: a function with a `bool` (or `_|_`) result called with
//! one argument fewer than it has parameters, that parameter having no
//! default ([`Func::is_validator_call`]), or not called at all (as in
//! `a: json.Valid`) is a validator; applied to a value `v` it is called with
//! `v` first. `Ok(Bool(false))` means `invalid value {v} (does not satisfy
//! {name}({args}))`; `Err(e)` is reported as the error itself.
//!
//! Errors ([`BuiltinError`]) keep the reference's wording; the evaluator adds
//! paths and positions. The qualified name used in messages is
//! `{package path}.{member}` ([`Func::qualified_name`]), e.g.
//! `encoding/json.Unmarshal`.

mod args;
mod kind;

mod base64;
mod bigmath;
mod bits;
mod crypto;
mod csv;
mod hex;
mod html;
mod json;
mod list;
mod math;
mod net;
mod path;
mod regexp;
mod strconv;
/// Go's `strconv.IsPrint`, approximated (also used by the printer).
pub(crate) use strconv::is_print;
mod strings;
mod structs;
mod tabwriter;
mod template;
mod time;
mod uuid;
mod yaml;

#[cfg(test)]
mod tests;

pub use kind::Kind;

use crate::data::Data;
use crate::num::Number;

/// A builtin package.
#[derive(Debug)]
pub struct Package {
    /// Import path, e.g. `encoding/json`.
    pub path: &'static str,
    /// Functions and constants, by name.
    pub members: &'static [Member],
    /// CUE source of further members (a struct body: `Unix: "unix"`), to be
    /// compiled by the evaluator in the package's scope.
    pub cue: Option<&'static str>,
}

impl PartialEq for Package {
    fn eq(&self, other: &Package) -> bool {
        self.path == other.path
    }
}

impl Eq for Package {}

impl Package {
    /// The member named `name`.
    pub fn member(&self, name: &str) -> Option<&'static Member> {
        self.members.iter().find(|m| m.name == name)
    }

    /// The name an unaliased import of this package binds (last element).
    pub fn name(&self) -> &'static str {
        self.path.rsplit('/').next().unwrap_or(self.path)
    }
}

/// A named member of a package.
#[derive(Debug)]
pub struct Member {
    /// Exported name, e.g. `ToUpper`.
    pub name: &'static str,
    /// What it is.
    pub value: MemberValue,
}

/// A function or a constant.
#[derive(Debug)]
pub enum MemberValue {
    /// A function (or validator).
    Func(Func),
    /// A constant.
    Const(Const),
}

impl Member {
    /// The member as a function.
    pub fn func(&self) -> Option<&Func> {
        match &self.value {
            MemberValue::Func(f) => Some(f),
            MemberValue::Const(_) => None,
        }
    }
}

/// A constant's value.
#[derive(Debug, Clone, Copy)]
pub enum Const {
    /// A number literal's text (`3.14159...`, `64`): int or float by its form.
    Number(&'static str),
    /// A string.
    String(&'static str),
}

impl Const {
    /// The constant as data.
    pub fn to_data(&self) -> Data {
        match self {
            Const::Number(t) => Data::Number(
                // The registry's literals are valid by construction (tested).
                Number::parse(t).unwrap_or_else(|_| Number::from_i64(0)),
            ),
            Const::String(s) => Data::String((*s).to_string()),
        }
    }
}

/// A function parameter.
#[derive(Debug, Clone, Copy)]
pub struct Param {
    /// Kinds of values accepted.
    pub kind: Kind,
    /// The value used when the argument is omitted (only trailing ones).
    pub default: Option<Const>,
}

/// How a function is implemented.
#[derive(Clone, Copy)]
pub enum Impl {
    /// Needs only concrete argument data.
    Data(fn(&[Data]) -> Result<Data, BuiltinError>),
    /// Needs the evaluator (schemas, comparators, open structs).
    Host(fn(&mut dyn Host, &[HostValue]) -> Result<Data, BuiltinError>),
}

impl std::fmt::Debug for Impl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Impl::Data(_) => f.write_str("Impl::Data"),
            Impl::Host(_) => f.write_str("Impl::Host"),
        }
    }
}

/// A builtin function.
#[derive(Debug)]
pub struct Func {
    /// Package path, for messages.
    pub package: &'static str,
    /// Member name.
    pub name: &'static str,
    /// Parameters.
    pub params: &'static [Param],
    /// Result kind (`Kind::BOOL` or `Kind::BOTTOM` ones are validators).
    pub result: Kind,
    /// The implementation.
    pub imp: Impl,
}

impl Func {
    /// `{package}.{name}`, as `error in call to ...` messages print it.
    pub fn qualified_name(&self) -> String {
        format!("{}.{}", self.package, self.name)
    }

    /// The name as argument-check messages print it: the package path is
    /// quoted when it has a `/` (`"crypto/sha256".Sum256`).
    pub fn display_name(&self) -> String {
        if self.package.contains('/') {
            format!("{:?}.{}", self.package, self.name)
        } else {
            self.qualified_name()
        }
    }

    /// Whether the function can be used as a validator.
    pub fn is_validator(&self) -> bool {
        self.result == Kind::BOOL || self.result == Kind::BOTTOM
    }

    /// Whether a call with `nargs` arguments makes a validator rather than
    /// a call (the reference's `Builtin.IsValidator`): one argument short,
    /// a `bool` or `_|_` result, and no default for the missing parameter
    /// (so `path.IsAbs("/a")` is a call, `strings.MinRunes(3)` a validator).
    pub fn is_validator_call(&self, nargs: usize) -> bool {
        self.is_validator()
            && nargs + 1 == self.params.len()
            && self.params[nargs].default.is_none()
    }

    /// The reference's message for a failed validator: the extra arguments
    /// are listed only when there are some (`strings.MinRunes(3)`, but
    /// `list.UniqueItems` and `encoding/json.Valid` for `json.Valid()`).
    pub fn validator_failure(&self, value: &str, args: &[String]) -> String {
        let mut name = self.qualified_name();
        if !args.is_empty() {
            name = format!("{name}({})", args.join(", "));
        }
        format!("invalid value {value} (does not satisfy {name})")
    }

    /// Checks the argument count and kinds of concrete `args`, filling
    /// defaults for omitted trailing arguments.
    pub fn check_kinds(&self, args: &[Data]) -> Result<Vec<Data>, BuiltinError> {
        if args.len() > self.params.len() {
            return Err(BuiltinError::TooManyArgs {
                have: args.len(),
                want: self.params.len(),
            });
        }
        let mut out = args.to_vec();
        for p in &self.params[args.len()..] {
            match p.default {
                Some(d) => out.push(d.to_data()),
                None => {
                    return Err(BuiltinError::NotEnoughArgs {
                        have: args.len(),
                        want: self.params.len(),
                    })
                }
            }
        }
        for (i, (a, p)) in out.iter().zip(self.params).enumerate() {
            let k = Kind::of(a);
            if !p.kind.intersects(k) {
                return Err(BuiltinError::ArgKind {
                    index: i,
                    value: args::short_text(a),
                    found: k,
                    expected: p.kind,
                });
            }
        }
        Ok(out)
    }

    /// Calls a [`Impl::Data`] function on concrete arguments (kinds and
    /// defaults checked first). Host functions report an error here.
    pub fn call_data(&self, args: &[Data]) -> Result<Data, BuiltinError> {
        let args = self.check_kinds(args)?;
        match self.imp {
            Impl::Data(f) => f(&args),
            Impl::Host(_) => Err(BuiltinError::Call(format!(
                "{} needs the evaluator",
                self.qualified_name()
            ))),
        }
    }
}

/// An evaluator value handed to a [`Impl::Host`] function, opaque here: the
/// evaluator decides what the number means (e.g. an index into a table of
/// the call's argument values).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct HostValue(pub u32);

/// What host functions need from the evaluator. Implemented by the
/// evaluator for the duration of one call.
pub trait Host {
    /// The value as concrete data (`cue export` rules); an incomplete value
    /// gives [`BuiltinError::Incomplete`].
    fn data(&mut self, v: HostValue) -> Result<Data, BuiltinError>;

    /// Unifies `schema` with `data` and checks the result is valid and
    /// concrete (for `json.Validate`, `yaml.Validate`); the error says why not.
    fn validate(&mut self, schema: HostValue, data: &Data) -> Result<(), BuiltinError>;

    /// Like [`Host::validate`] but without requiring a concrete result
    /// (for `yaml.ValidatePartial`). Defaults to the full check.
    fn validate_partial(&mut self, schema: HostValue, data: &Data) -> Result<(), BuiltinError> {
        self.validate(schema, data)
    }

    /// Evaluates `less` of the comparator struct `cmp` unified with
    /// `{x: a, y: b}` (for `list.Sort`, `list.IsSorted`).
    fn less(&mut self, cmp: HostValue, a: &Data, b: &Data) -> Result<bool, BuiltinError>;

    /// The number of regular fields of struct `v`, and whether more may still
    /// be added (open and not final) (for `struct.MinFields`/`MaxFields`).
    fn field_count(&mut self, v: HostValue) -> Result<(usize, bool), BuiltinError>;
}

/// Why a builtin call failed. The evaluator adds the path and position and,
/// for [`BuiltinError::Call`], the `error in call to {name}: ` prefix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BuiltinError {
    /// An argument of the wrong kind.
    #[error("cannot use {value} (type {found}) as {expected} in argument {} to {{name}}", .index + 1)]
    ArgKind {
        /// Zero-based argument index.
        index: usize,
        /// The argument as CUE text.
        value: String,
        /// Its kind.
        found: Kind,
        /// The parameter's kind.
        expected: Kind,
    },
    /// A list argument with an element of the wrong kind.
    #[error("invalid list element {elem} in argument {arg} to call: cannot use value {value} ({found}) as {expected}")]
    ListElem {
        /// Zero-based argument index (the reference prints it zero-based).
        arg: usize,
        /// Element index.
        elem: usize,
        /// The element as CUE text.
        value: String,
        /// Its kind.
        found: Kind,
        /// Expected type name.
        expected: &'static str,
    },
    /// More arguments than parameters.
    #[error("too many arguments in call to {{name}} (have {have}, want {want})")]
    TooManyArgs {
        /// Arguments given.
        have: usize,
        /// Parameters.
        want: usize,
    },
    /// Fewer arguments than parameters without defaults.
    #[error("not enough arguments in call to {{name}} (have {have}, want {want})")]
    NotEnoughArgs {
        /// Arguments given.
        have: usize,
        /// Parameters.
        want: usize,
    },
    /// An argument is not concrete yet (the call is incomplete, not failed).
    #[error("{0}")]
    Incomplete(String),
    /// The function failed: printed `error in call to {name}: {message}`.
    #[error("{0}")]
    Call(String),
    /// A message printed as is (e.g. a validator's own explanation).
    #[error("{0}")]
    Plain(String),
}

impl BuiltinError {
    /// The full message for a failed call of `func`.
    pub fn message(&self, func: &Func) -> String {
        match self {
            BuiltinError::Call(m) => format!("error in call to {}: {m}", func.qualified_name()),
            other => other.to_string().replace("{name}", &func.display_name()),
        }
    }

    /// Whether the error only means "not concrete yet".
    pub fn is_incomplete(&self) -> bool {
        matches!(self, BuiltinError::Incomplete(_))
    }
}

/// All builtin packages, sorted by path.
static PACKAGES: &[&Package] = &[
    &crypto::HMAC,
    &crypto::MD5,
    &crypto::SHA1,
    &crypto::SHA256,
    &crypto::SHA512,
    &base64::PACKAGE,
    &csv::PACKAGE,
    &hex::PACKAGE,
    &html::PACKAGE,
    &json::PACKAGE,
    &yaml::PACKAGE,
    &list::PACKAGE,
    &math::PACKAGE,
    &bits::PACKAGE,
    &net::PACKAGE,
    &path::PACKAGE,
    &regexp::PACKAGE,
    &strconv::PACKAGE,
    &strings::PACKAGE,
    &structs::PACKAGE,
    &tabwriter::PACKAGE,
    &template::PACKAGE,
    &time::PACKAGE,
    &uuid::PACKAGE,
];

/// The builtin package with import path `path` (`strings`, `encoding/json`).
pub fn package(path: &str) -> Option<&'static Package> {
    PACKAGES.iter().copied().find(|p| p.path == path)
}

/// Every builtin package.
pub fn packages() -> &'static [&'static Package] {
    PACKAGES
}

/// Declares a data function member: `func!("pkg", "Name", [kinds], result, f)`.
macro_rules! func {
    ($pkg:expr, $name:expr, [$($k:expr),*], $res:expr, $f:expr) => {
        $crate::builtins::Member {
            name: $name,
            value: $crate::builtins::MemberValue::Func($crate::builtins::Func {
                package: $pkg,
                name: $name,
                params: &[$($crate::builtins::Param { kind: $k, default: None }),*],
                result: $res,
                imp: $crate::builtins::Impl::Data($f),
            }),
        }
    };
}
pub(crate) use func;

/// Declares a host function member.
macro_rules! host_func {
    ($pkg:expr, $name:expr, [$($k:expr),*], $res:expr, $f:expr) => {
        $crate::builtins::Member {
            name: $name,
            value: $crate::builtins::MemberValue::Func($crate::builtins::Func {
                package: $pkg,
                name: $name,
                params: &[$($crate::builtins::Param { kind: $k, default: None }),*],
                result: $res,
                imp: $crate::builtins::Impl::Host($f),
            }),
        }
    };
}
pub(crate) use host_func;

/// Declares a numeric constant member.
macro_rules! num_const {
    ($name:expr, $text:expr) => {
        $crate::builtins::Member {
            name: $name,
            value: $crate::builtins::MemberValue::Const($crate::builtins::Const::Number($text)),
        }
    };
}
pub(crate) use num_const;

/// Declares a string constant member.
macro_rules! str_const {
    ($name:expr, $text:expr) => {
        $crate::builtins::Member {
            name: $name,
            value: $crate::builtins::MemberValue::Const($crate::builtins::Const::String($text)),
        }
    };
}
pub(crate) use str_const;
