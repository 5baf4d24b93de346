//! `path`: slash-path manipulation for an operating system chosen by the
//! last argument (`"unix"` by default, `"windows"`, `"plan9"`), following
//! Go's `path/filepath` rules (lexical only; no file access).

use super::args::{self, fail, ok_string, ok_strings};
use super::{BuiltinError, Const, Func, Impl, Kind, Member, MemberValue, Package, Param};
use crate::data::Data;

const P: &str = "path";

const S: Param = Param {
    kind: Kind::STRING,
    default: None,
};
const L: Param = Param {
    kind: Kind::LIST,
    default: None,
};
const UNIX: Param = Param {
    kind: Kind::STRING,
    default: Some(Const::String("unix")),
};
const WINDOWS: Param = Param {
    kind: Kind::STRING,
    default: Some(Const::String("windows")),
};
const OS_REQUIRED: Param = Param {
    kind: Kind::STRING,
    default: None,
};

macro_rules! pfunc {
    ($name:expr, [$($p:expr),*], $res:expr, $f:expr) => {
        Member {
            name: $name,
            value: MemberValue::Func(Func {
                package: P,
                name: $name,
                params: &[$($p),*],
                result: $res,
                imp: Impl::Data($f),
            }),
        }
    };
}

pub static PACKAGE: Package = Package {
    path: P,
    cue: Some("Unix: \"unix\"\nWindows: \"windows\"\nPlan9: \"plan9\"\n"),
    members: &[
        pfunc!("Split", [S, UNIX], Kind::LIST, |a: &[Data]| {
            let (p, os) = (args::string(a, 0)?, os_arg(a, 1)?);
            let (dir, file) = split(p, os);
            ok_strings([dir, file])
        }),
        pfunc!("SplitList", [S, OS_REQUIRED], Kind::LIST, |a: &[Data]| {
            ok_strings(split_list(args::string(a, 0)?, os_arg(a, 1)?))
        }),
        pfunc!("Join", [L, UNIX], Kind::STRING, |a: &[Data]| {
            let elems: Vec<String> = args::string_list(a, 0)?
                .into_iter()
                .map(str::to_string)
                .collect();
            ok_string(join(&elems, os_arg(a, 1)?))
        }),
        // CUE v0.4.3 registers Match with two parameters, the second being
        // the OS, so `path.Match(pattern, name)` always fails there; kept.
        pfunc!("Match", [S, UNIX], Kind::BOOL, |a: &[Data]| {
            os_arg(a, 1)?;
            fail("runtime error: index out of range [2] with length 2")
        }),
        pfunc!("Clean", [S, UNIX], Kind::STRING, |a: &[Data]| ok_string(
            clean(args::string(a, 0)?, os_arg(a, 1)?)
        )),
        pfunc!("ToSlash", [S, OS_REQUIRED], Kind::STRING, |a: &[Data]| {
            let os = os_arg(a, 1)?;
            let p = args::string(a, 0)?;
            ok_string(if os.sep == '/' {
                p.to_string()
            } else {
                p.replace(os.sep, "/")
            })
        }),
        pfunc!(
            "FromSlash",
            [S, OS_REQUIRED],
            Kind::STRING,
            |a: &[Data]| { ok_string(from_slash(args::string(a, 0)?, os_arg(a, 1)?)) }
        ),
        pfunc!("Ext", [S, UNIX], Kind::STRING, |a: &[Data]| {
            let (p, os) = (args::string(a, 0)?, os_arg(a, 1)?);
            let b = p.as_bytes();
            for i in (0..b.len()).rev() {
                if os.is_sep(b[i]) {
                    break;
                }
                if b[i] == b'.' {
                    return ok_string(&p[i..]);
                }
            }
            ok_string("")
        }),
        pfunc!("Resolve", [S, S, UNIX], Kind::STRING, |a: &[Data]| {
            let (dir, sub, os) = (args::string(a, 0)?, args::string(a, 1)?, os_arg(a, 2)?);
            if os.is_abs(sub) {
                return ok_string(clean(sub, os));
            }
            ok_string(join(&[clean(dir, os), sub.to_string()], os))
        }),
        pfunc!("Rel", [S, S, UNIX], Kind::STRING, |a: &[Data]| {
            match rel(args::string(a, 0)?, args::string(a, 1)?, os_arg(a, 2)?) {
                Ok(s) => ok_string(s),
                Err(e) => fail(e),
            }
        }),
        pfunc!("Base", [S, UNIX], Kind::STRING, |a: &[Data]| ok_string(
            base(args::string(a, 0)?, os_arg(a, 1)?)
        )),
        pfunc!("Dir", [S, UNIX], Kind::STRING, |a: &[Data]| ok_string(dir(
            args::string(a, 0)?,
            os_arg(a, 1)?
        ))),
        pfunc!("IsAbs", [S, UNIX], Kind::BOOL, |a: &[Data]| Ok(Data::Bool(
            os_arg(a, 1)?.is_abs(args::string(a, 0)?)
        ))),
        pfunc!("VolumeName", [S, WINDOWS], Kind::STRING, |a: &[Data]| {
            let (p, os) = (args::string(a, 0)?, os_arg(a, 1)?);
            ok_string(&p[..os.volume_len(p)])
        }),
    ],
};

#[derive(Clone, Copy, PartialEq, Eq)]
enum Flavor {
    Unix,
    Windows,
    Plan9,
}

#[derive(Clone, Copy)]
struct Os {
    flavor: Flavor,
    sep: char,
}

impl Os {
    fn windows(self) -> bool {
        self.flavor == Flavor::Windows
    }

    fn is_sep(self, b: u8) -> bool {
        if self.windows() {
            b == b'\\' || b == b'/'
        } else {
            b == b'/'
        }
    }

    fn volume_len(self, p: &str) -> usize {
        if !self.windows() {
            return 0;
        }
        let b = p.as_bytes();
        if b.len() < 2 {
            return 0;
        }
        if b[1] == b':' && b[0].is_ascii_alphabetic() {
            return 2;
        }
        let slash = |c: u8| c == b'\\' || c == b'/';
        let l = b.len();
        if l >= 5 && slash(b[0]) && slash(b[1]) && !slash(b[2]) && b[2] != b'.' {
            let mut n = 3;
            while n < l - 1 {
                if slash(b[n]) {
                    n += 1;
                    if !slash(b[n]) {
                        if b[n] == b'.' {
                            break;
                        }
                        while n < l && !slash(b[n]) {
                            n += 1;
                        }
                        return n;
                    }
                    break;
                }
                n += 1;
            }
        }
        0
    }

    fn is_abs(self, p: &str) -> bool {
        match self.flavor {
            Flavor::Unix => p.starts_with('/'),
            Flavor::Plan9 => p.starts_with('/') || p.starts_with('#'),
            Flavor::Windows => {
                const RESERVED: [&str; 22] = [
                    "CON", "PRN", "AUX", "NUL", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6",
                    "COM7", "COM8", "COM9", "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7",
                    "LPT8", "LPT9",
                ];
                if RESERVED.iter().any(|r| r.eq_ignore_ascii_case(p)) {
                    return true;
                }
                let l = self.volume_len(p);
                l != 0 && p.len() > l && self.is_sep(p.as_bytes()[l])
            }
        }
    }

    fn same_word(self, a: &str, b: &str) -> bool {
        if self.windows() {
            a.to_lowercase() == b.to_lowercase()
        } else {
            a == b
        }
    }
}

/// Operating systems that behave like `unix`.
const UNIX_LIKE: &[&str] = &[
    "aix",
    "android",
    "darwin",
    "dragonfly",
    "freebsd",
    "hurd",
    "illumos",
    "ios",
    "js",
    "linux",
    "nacl",
    "netbsd",
    "openbsd",
    "solaris",
    "zos",
];

fn os_arg(a: &[Data], i: usize) -> Result<Os, BuiltinError> {
    let name = args::string(a, i)?;
    let flavor = match name {
        "windows" => Flavor::Windows,
        "plan9" => Flavor::Plan9,
        n if n == "unix" || UNIX_LIKE.contains(&n) => Flavor::Unix,
        other => {
            let all: Vec<String> = ["unix", "windows", "plan9"]
                .iter()
                .chain(UNIX_LIKE)
                .map(|o| args::quote(o))
                .collect();
            return Err(BuiltinError::Plain(format!(
                "cannot use {} as *{} in argument {} to {{name}}",
                args::quote(other),
                all.join(" | "),
                i + 1
            )));
        }
    };
    Ok(Os {
        flavor,
        sep: if flavor == Flavor::Windows { '\\' } else { '/' },
    })
}

fn from_slash(p: &str, os: Os) -> String {
    if os.sep == '/' {
        p.to_string()
    } else {
        p.replace('/', "\\")
    }
}

/// Go's `filepath.Clean`.
fn clean(original: &str, os: Os) -> String {
    let vol_len = os.volume_len(original);
    let vol = &original[..vol_len];
    let path = &original[vol_len..];
    if path.is_empty() {
        if vol_len > 1 && original.as_bytes()[1] != b':' {
            return from_slash(original, os);
        }
        return format!("{original}.");
    }
    let p = path.as_bytes();
    let rooted = os.is_sep(p[0]);
    let n = p.len();
    let sep = os.sep as u8;
    let mut out: Vec<u8> = Vec::with_capacity(n);
    let (mut r, mut dotdot) = (0, 0);
    if rooted {
        out.push(sep);
        r = 1;
        dotdot = 1;
    }
    while r < n {
        // A separator or a `.` element: skip it.
        if os.is_sep(p[r]) || (p[r] == b'.' && (r + 1 == n || os.is_sep(p[r + 1]))) {
            r += 1;
        } else if p[r] == b'.' && p.get(r + 1) == Some(&b'.') && (r + 2 == n || os.is_sep(p[r + 2]))
        {
            r += 2;
            if out.len() > dotdot {
                out.pop();
                while out.len() > dotdot && !os.is_sep(out[out.len() - 1]) {
                    out.pop();
                }
                // Remove the separator before the dropped element too.
                if out.len() > dotdot {
                    out.pop();
                }
            } else if !rooted {
                if !out.is_empty() {
                    out.push(sep);
                }
                out.extend_from_slice(b"..");
                dotdot = out.len();
            }
        } else {
            if (rooted && out.len() != 1) || (!rooted && !out.is_empty()) {
                out.push(sep);
            }
            while r < n && !os.is_sep(p[r]) {
                out.push(p[r]);
                r += 1;
            }
        }
    }
    if out.is_empty() {
        out.push(b'.');
    }
    let s = String::from_utf8_lossy(&out).into_owned();
    from_slash(&format!("{vol}{s}"), os)
}

fn split(p: &str, os: Os) -> (String, String) {
    let vol = os.volume_len(p);
    let b = p.as_bytes();
    let mut i = b.len();
    while i > vol && !os.is_sep(b[i - 1]) {
        i -= 1;
    }
    (p[..i].to_string(), p[i..].to_string())
}

fn split_list(p: &str, os: Os) -> Vec<String> {
    if p.is_empty() {
        return Vec::new();
    }
    match os.flavor {
        Flavor::Unix => p.split(':').map(str::to_string).collect(),
        Flavor::Plan9 => p.split('\0').map(str::to_string).collect(),
        Flavor::Windows => {
            let mut list = Vec::new();
            let mut cur = String::new();
            let mut quoted = false;
            for c in p.chars() {
                match c {
                    '"' => quoted = !quoted,
                    ';' if !quoted => list.push(std::mem::take(&mut cur)),
                    c => cur.push(c),
                }
            }
            list.push(cur);
            list
        }
    }
}

fn join(elems: &[String], os: Os) -> String {
    let Some(first) = elems.iter().position(|e| !e.is_empty()) else {
        return String::new();
    };
    let elems = &elems[first..];
    let sep = os.sep.to_string();
    if !os.windows() {
        return clean(&elems.join(&sep), os);
    }
    let e0 = &elems[0];
    if e0.len() == 2 && e0.as_bytes()[1] == b':' {
        let rest: Vec<&str> = elems[1..]
            .iter()
            .skip_while(|e| e.is_empty())
            .map(String::as_str)
            .collect();
        return clean(&format!("{e0}{}", rest.join(&sep)), os);
    }
    let p = clean(&elems.join(&sep), os);
    let is_unc = |s: &str| os.volume_len(s) > 2;
    if !is_unc(&p) {
        return p;
    }
    let head = clean(e0, os);
    if is_unc(&head) {
        return p;
    }
    let tail = clean(&elems[1..].join(&sep), os);
    if head.ends_with('\\') {
        format!("{head}{tail}")
    } else {
        format!("{head}\\{tail}")
    }
}

fn base(p: &str, os: Os) -> String {
    if p.is_empty() {
        return ".".into();
    }
    let mut p = p;
    while !p.is_empty() && os.is_sep(p.as_bytes()[p.len() - 1]) {
        p = &p[..p.len() - 1];
    }
    p = &p[os.volume_len(p)..];
    if let Some(i) = p.bytes().rposition(|c| os.is_sep(c)) {
        p = &p[i + 1..];
    }
    if p.is_empty() {
        return os.sep.to_string();
    }
    p.to_string()
}

fn dir(p: &str, os: Os) -> String {
    let vol_len = os.volume_len(p);
    let vol = &p[..vol_len];
    let b = p.as_bytes();
    let mut i = b.len();
    while i > vol_len && !os.is_sep(b[i - 1]) {
        i -= 1;
    }
    let d = clean(&p[vol_len..i], os);
    if d == "." && vol.len() > 2 {
        return vol.to_string();
    }
    format!("{vol}{d}")
}

fn rel(basepath: &str, targpath: &str, os: Os) -> Result<String, String> {
    let base_vol = &basepath[..os.volume_len(basepath)];
    let targ_vol = &targpath[..os.volume_len(targpath)];
    let base_c = clean(basepath, os);
    let targ_c = clean(targpath, os);
    if os.same_word(&targ_c, &base_c) {
        return Ok(".".into());
    }
    let mut base = &base_c[base_vol.len()..];
    let targ = &targ_c[targ_vol.len()..];
    if base == "." {
        base = "";
    }
    let sep = os.sep as u8;
    let base_slashed = base.as_bytes().first() == Some(&sep);
    let targ_slashed = targ.as_bytes().first() == Some(&sep);
    let cant = || format!("Rel: can't make {targpath} relative to {basepath}");
    if base_slashed != targ_slashed || !os.same_word(base_vol, targ_vol) {
        return Err(cant());
    }
    let (bb, tb) = (base.as_bytes(), targ.as_bytes());
    let (bl, tl) = (bb.len(), tb.len());
    let (mut b0, mut bi, mut t0, mut ti) = (0, 0, 0, 0);
    loop {
        while bi < bl && bb[bi] != sep {
            bi += 1;
        }
        while ti < tl && tb[ti] != sep {
            ti += 1;
        }
        if !os.same_word(&targ[t0..ti], &base[b0..bi]) {
            break;
        }
        if bi < bl {
            bi += 1;
        }
        if ti < tl {
            ti += 1;
        }
        b0 = bi;
        t0 = ti;
    }
    if &base[b0..bi] == ".." {
        return Err(cant());
    }
    if b0 != bl {
        let seps = base[b0..bl].matches(os.sep).count();
        let mut out = String::from("..");
        for _ in 0..seps {
            out.push(os.sep);
            out.push_str("..");
        }
        if t0 != tl {
            out.push(os.sep);
            out.push_str(&targ[t0..]);
        }
        return Ok(out);
    }
    Ok(targ[t0..].to_string())
}
