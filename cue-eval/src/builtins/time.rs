//! `time`: Go's time layouts (`2006-01-02T15:04:05Z07:00`), durations
//! (`1h30m`), the `Time`/`Format`/`Duration` validators and conversions.
//! All times are interpreted in UTC, as the reference does; zone
//! abbreviations parse as offset zero.

use super::args::{self, fail, ok_int, ok_string};
use super::{func, num_const, str_const, BuiltinError, Kind, Package};
use crate::data::Data;
use crate::num::Number;

const P: &str = "time";
const S: Kind = Kind::STRING;
const I: Kind = Kind::INT;
const B: Kind = Kind::BOOL;

type R = Result<Data, BuiltinError>;

const RFC3339_NANO: &str = "2006-01-02T15:04:05.999999999Z07:00";

pub static PACKAGE: Package = Package {
    path: P,
    cue: None,
    members: &[
        num_const!("Nanosecond", "1"),
        num_const!("Microsecond", "1000"),
        num_const!("Millisecond", "1000000"),
        num_const!("Second", "1000000000"),
        num_const!("Minute", "60000000000"),
        num_const!("Hour", "3600000000000"),
        str_const!("ANSIC", "Mon Jan _2 15:04:05 2006"),
        str_const!("UnixDate", "Mon Jan _2 15:04:05 MST 2006"),
        str_const!("RubyDate", "Mon Jan 02 15:04:05 -0700 2006"),
        str_const!("RFC822", "02 Jan 06 15:04 MST"),
        str_const!("RFC822Z", "02 Jan 06 15:04 -0700"),
        str_const!("RFC850", "Monday, 02-Jan-06 15:04:05 MST"),
        str_const!("RFC1123", "Mon, 02 Jan 2006 15:04:05 MST"),
        str_const!("RFC1123Z", "Mon, 02 Jan 2006 15:04:05 -0700"),
        str_const!("RFC3339", "2006-01-02T15:04:05Z07:00"),
        str_const!("RFC3339Nano", "2006-01-02T15:04:05.999999999Z07:00"),
        str_const!("RFC3339Date", "2006-01-02"),
        str_const!("Kitchen", "3:04PM"),
        str_const!("Kitchen24", "15:04"),
        num_const!("January", "1"),
        num_const!("February", "2"),
        num_const!("March", "3"),
        num_const!("April", "4"),
        num_const!("May", "5"),
        num_const!("June", "6"),
        num_const!("July", "7"),
        num_const!("August", "8"),
        num_const!("September", "9"),
        num_const!("October", "10"),
        num_const!("November", "11"),
        num_const!("December", "12"),
        num_const!("Sunday", "0"),
        num_const!("Monday", "1"),
        num_const!("Tuesday", "2"),
        num_const!("Wednesday", "3"),
        num_const!("Thursday", "4"),
        num_const!("Friday", "5"),
        num_const!("Saturday", "6"),
        func!(
            P,
            "Duration",
            [S],
            B,
            |a: &[Data]| match parse_duration(args::string(a, 0)?) {
                Ok(_) => Ok(Data::Bool(true)),
                Err(e) => fail(e),
            }
        ),
        func!(P, "FormatDuration", [I], S, |a: &[Data]| ok_string(
            format_duration(args::int(a, 0)?)
        )),
        func!(
            P,
            "ParseDuration",
            [S],
            I,
            |a: &[Data]| match parse_duration(args::string(a, 0)?) {
                Ok(d) => ok_int(d),
                Err(e) => fail(e),
            }
        ),
        func!(P, "Time", [S], B, |a: &[Data]| valid_time(
            args::string(a, 0)?,
            RFC3339_NANO
        )),
        func!(P, "Format", [S, S], B, |a: &[Data]| valid_time(
            args::string(a, 0)?,
            args::string(a, 1)?
        )),
        func!(P, "FormatString", [S, S], S, |a: &[Data]| {
            let (layout, value) = (args::string(a, 0)?, args::string(a, 1)?);
            match parse(RFC3339_NANO, value) {
                Ok(t) => ok_string(format(&t, layout)),
                Err(e) => fail(e),
            }
        }),
        func!(P, "Parse", [S, S], S, |a: &[Data]| {
            match parse(args::string(a, 0)?, args::string(a, 1)?) {
                Ok(t) => ok_string(format(&t.to_utc(), RFC3339_NANO)),
                Err(e) => fail(e),
            }
        }),
        func!(P, "Unix", [I, I], S, |a: &[Data]| {
            let (sec, nsec) = (args::int(a, 0)? as i128, args::int(a, 1)? as i128);
            let total = sec * 1_000_000_000 + nsec;
            let t = Civil::from_unix_nanos(total);
            ok_string(format(&t, RFC3339_NANO))
        }),
        func!(P, "Split", [S], Kind::TOP, split),
    ],
};

fn valid_time(value: &str, layout: &str) -> R {
    match parse(layout, value) {
        Ok(_) => Ok(Data::Bool(true)),
        Err(_) => fail(format!("invalid time {}", args::quote(value))),
    }
}

fn split(a: &[Data]) -> R {
    let t = parse(RFC3339_NANO, args::string(a, 0)?).or_else(fail)?;
    let n = |v: i64| Data::Number(Number::from_i64(v));
    Ok(Data::Struct(vec![
        ("year".into(), n(t.year)),
        ("month".into(), n(t.month as i64)),
        ("day".into(), n(t.day as i64)),
        ("hour".into(), n(t.hour as i64)),
        ("minute".into(), n(t.minute as i64)),
        ("second".into(), n(t.second as i64)),
        ("nanosecond".into(), n(t.nanos as i64)),
    ]))
}

// ---- durations -------------------------------------------------------

/// Go's `time.ParseDuration`: nanoseconds.
fn parse_duration(orig: &str) -> Result<i64, String> {
    let invalid = || format!("time: invalid duration {}", args::quote(orig));
    let mut s = orig;
    let mut neg = false;
    if let Some(c) = s.chars().next() {
        if c == '-' || c == '+' {
            neg = c == '-';
            s = &s[1..];
        }
    }
    if s == "0" {
        return Ok(0);
    }
    if s.is_empty() {
        return Err(invalid());
    }
    let mut total: u128 = 0;
    while !s.is_empty() {
        let digits = s.len() - s.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        let int_part = &s[..digits];
        s = &s[digits..];
        let mut frac = "";
        if let Some(rest) = s.strip_prefix('.') {
            let fd = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
            frac = &rest[..fd];
            s = &rest[fd..];
            if int_part.is_empty() && frac.is_empty() {
                return Err(invalid());
            }
        } else if int_part.is_empty() {
            return Err(invalid());
        }
        let ul = s.len()
            - s.trim_start_matches(|c: char| c != '.' && !c.is_ascii_digit())
                .len();
        let unit = &s[..ul];
        s = &s[ul..];
        if unit.is_empty() {
            return Err(format!(
                "time: missing unit in duration {}",
                args::quote(orig)
            ));
        }
        let scale: u128 = match unit {
            "ns" => 1,
            "us" | "\u{b5}s" | "\u{3bc}s" => 1_000,
            "ms" => 1_000_000,
            "s" => 1_000_000_000,
            "m" => 60_000_000_000,
            "h" => 3_600_000_000_000,
            _ => {
                return Err(format!(
                    "time: unknown unit {} in duration {}",
                    args::quote(unit),
                    args::quote(orig)
                ))
            }
        };
        let v: u128 = if int_part.is_empty() {
            0
        } else {
            int_part.parse().map_err(|_| invalid())?
        };
        let mut part = v.checked_mul(scale).ok_or_else(invalid)?;
        if !frac.is_empty() {
            // Fraction digits scaled exactly, truncated like Go.
            let mut f: u128 = 0;
            let mut div: u128 = 1;
            for c in frac.chars().take(30) {
                f = f * 10 + c.to_digit(10).unwrap_or(0) as u128;
                div *= 10;
            }
            part += f * scale / div;
        }
        total = total.checked_add(part).ok_or_else(invalid)?;
        if total > i64::MAX as u128 + neg as u128 {
            return Err(invalid());
        }
    }
    Ok(if neg {
        (total as i128).wrapping_neg() as i64
    } else {
        total as i64
    })
}

/// Go's `time.Duration.String`.
fn format_duration(d: i64) -> String {
    if d == 0 {
        return "0s".into();
    }
    let neg = d < 0;
    let u = d.unsigned_abs();
    let mut out = String::new();
    if u < 1_000_000_000 {
        // Sub-second: ns, µs or ms with a fraction.
        let (unit, scale) = if u < 1_000 {
            ("ns", 1)
        } else if u < 1_000_000 {
            ("\u{b5}s", 1_000)
        } else {
            ("ms", 1_000_000)
        };
        out.push_str(&frac_text(u, scale));
        out.push_str(unit);
    } else {
        let secs_total = u / 1_000_000_000;
        let nanos = u % 1_000_000_000;
        let h = secs_total / 3600;
        let m = (secs_total / 60) % 60;
        let s = secs_total % 60;
        if h > 0 {
            out.push_str(&format!("{h}h"));
        }
        if h > 0 || m > 0 {
            out.push_str(&format!("{m}m"));
        }
        out.push_str(&frac_text(s * 1_000_000_000 + nanos, 1_000_000_000));
        out.push('s');
    }
    if neg {
        out.insert(0, '-');
    }
    out
}

/// `v / scale` with the fraction's trailing zeros removed.
fn frac_text(v: u64, scale: u64) -> String {
    let int = v / scale;
    let frac = v % scale;
    if frac == 0 {
        return int.to_string();
    }
    let width = scale.to_string().len() - 1;
    let f = format!("{frac:0width$}");
    format!("{int}.{}", f.trim_end_matches('0'))
}

// ---- civil time --------------------------------------------------------

/// A date and time of day with a UTC offset (seconds east of UTC).
#[derive(Debug, Clone, PartialEq)]
struct Civil {
    year: i64,
    month: u32,
    day: u32,
    hour: u32,
    minute: u32,
    second: u32,
    nanos: u32,
    offset: i64,
    /// Zone name to print for `MST` (None: numeric or UTC).
    zone: Option<String>,
}

/// Days since 1970-01-01 of a proleptic Gregorian date.
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m as i64 + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + if m <= 2 { 1 } else { 0 };
    (y, m, d)
}

fn is_leap(y: i64) -> bool {
    y.rem_euclid(4) == 0 && (y.rem_euclid(100) != 0 || y.rem_euclid(400) == 0)
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

impl Civil {
    fn from_unix_nanos(total: i128) -> Civil {
        let secs = total.div_euclid(1_000_000_000) as i64;
        let nanos = total.rem_euclid(1_000_000_000) as u32;
        let days = secs.div_euclid(86_400);
        let sod = secs.rem_euclid(86_400);
        let (year, month, day) = civil_from_days(days);
        Civil {
            year,
            month,
            day,
            hour: (sod / 3600) as u32,
            minute: ((sod / 60) % 60) as u32,
            second: (sod % 60) as u32,
            nanos,
            offset: 0,
            zone: None,
        }
    }

    fn unix_secs(&self) -> i64 {
        days_from_civil(self.year, self.month, self.day) * 86_400
            + self.hour as i64 * 3600
            + self.minute as i64 * 60
            + self.second as i64
            - self.offset
    }

    fn to_utc(&self) -> Civil {
        Civil::from_unix_nanos(self.unix_secs() as i128 * 1_000_000_000 + self.nanos as i128)
    }

    fn weekday(&self) -> usize {
        // 1970-01-01 was a Thursday (4).
        (days_from_civil(self.year, self.month, self.day) + 4).rem_euclid(7) as usize
    }

    fn yday(&self) -> u32 {
        (days_from_civil(self.year, self.month, self.day) - days_from_civil(self.year, 1, 1)) as u32
            + 1
    }
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const DAYS: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];

/// A piece of a layout.
#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Lit(String),
    LongMonth,
    Month,
    NumMonth,
    ZeroMonth,
    LongWeekday,
    Weekday,
    Day,
    UnderDay,
    ZeroDay,
    UnderYearDay,
    ZeroYearDay,
    Hour,
    Hour12,
    ZeroHour12,
    Minute,
    ZeroMinute,
    Second,
    ZeroSecond,
    LongYear,
    Year,
    PM,
    Pm,
    TZ,
    /// Numeric zone: (`Z` allowed, colons, with seconds, hours only).
    Zone {
        iso: bool,
        colon: bool,
        seconds: bool,
        short: bool,
    },
    /// Fractional seconds: (digits, trim trailing zeros `9`s, separator).
    Frac(usize, bool, char),
}

/// Go's `nextStdChunk` over a whole layout.
fn tokenize(layout: &str) -> Vec<Tok> {
    let mut toks = Vec::new();
    let mut lit = String::new();
    let b = layout.as_bytes();
    let mut i = 0;
    let starts = |i: usize, s: &str| layout[i..].starts_with(s);
    while i < b.len() {
        let (tok, len): (Option<Tok>, usize) = match b[i] {
            b'J' if starts(i, "January") => (Some(Tok::LongMonth), 7),
            b'J' if starts(i, "Jan") => (Some(Tok::Month), 3),
            b'M' if starts(i, "Monday") => (Some(Tok::LongWeekday), 6),
            b'M' if starts(i, "Mon") => (Some(Tok::Weekday), 3),
            b'M' if starts(i, "MST") => (Some(Tok::TZ), 3),
            b'0' if i + 1 < b.len() && (b'1'..=b'6').contains(&b[i + 1]) => {
                let t = match b[i + 1] {
                    b'1' => Tok::ZeroMonth,
                    b'2' => Tok::ZeroDay,
                    b'3' => Tok::ZeroHour12,
                    b'4' => Tok::ZeroMinute,
                    b'5' => Tok::ZeroSecond,
                    _ => Tok::Year,
                };
                (Some(t), 2)
            }
            b'0' if starts(i, "002") => (Some(Tok::ZeroYearDay), 3),
            b'1' if starts(i, "15") => (Some(Tok::Hour), 2),
            b'1' => (Some(Tok::NumMonth), 1),
            b'2' if starts(i, "2006") => (Some(Tok::LongYear), 4),
            b'2' => (Some(Tok::Day), 1),
            b'_' if starts(i, "_2") => {
                if starts(i, "_2006") {
                    // `_` is literal before a year.
                    (None, 0)
                } else {
                    (Some(Tok::UnderDay), 2)
                }
            }
            b'_' if starts(i, "__2") => (Some(Tok::UnderYearDay), 3),
            b'3' => (Some(Tok::Hour12), 1),
            b'4' => (Some(Tok::Minute), 1),
            b'5' => (Some(Tok::Second), 1),
            b'P' if starts(i, "PM") => (Some(Tok::PM), 2),
            b'p' if starts(i, "pm") => (Some(Tok::Pm), 2),
            b'-' | b'Z' => {
                let iso = b[i] == b'Z';
                let cands: [(&str, bool, bool, bool); 5] = [
                    ("07:00:00", true, true, false),
                    ("070000", false, true, false),
                    ("07:00", true, false, false),
                    ("0700", false, false, false),
                    ("07", false, false, true),
                ];
                let rest = &layout[i + 1..];
                match cands.iter().find(|c| rest.starts_with(c.0)) {
                    Some(&(s, colon, seconds, short)) => (
                        Some(Tok::Zone {
                            iso,
                            colon,
                            seconds,
                            short,
                        }),
                        1 + s.len(),
                    ),
                    None => (None, 0),
                }
            }
            b'.' | b',' if i + 1 < b.len() && (b[i + 1] == b'0' || b[i + 1] == b'9') => {
                let c = b[i + 1];
                let mut j = i + 1;
                while j < b.len() && b[j] == c {
                    j += 1;
                }
                // Not a fraction if followed by a digit.
                if j < b.len() && b[j].is_ascii_digit() {
                    (None, 0)
                } else {
                    (Some(Tok::Frac(j - i - 1, c == b'9', b[i] as char)), j - i)
                }
            }
            _ => (None, 0),
        };
        match tok {
            Some(t) => {
                if !lit.is_empty() {
                    toks.push(Tok::Lit(std::mem::take(&mut lit)));
                }
                toks.push(t);
                i += len;
            }
            None => {
                let c = layout[i..].chars().next().unwrap_or(' ');
                lit.push(c);
                i += c.len_utf8();
            }
        }
    }
    if !lit.is_empty() {
        toks.push(Tok::Lit(lit));
    }
    toks
}

/// Go's `Time.Format`.
fn format(t: &Civil, layout: &str) -> String {
    let mut out = String::new();
    let hour12 = |h: u32| if h.is_multiple_of(12) { 12 } else { h % 12 };
    for tok in tokenize(layout) {
        match tok {
            Tok::Lit(s) => out.push_str(&s),
            Tok::LongMonth => out.push_str(MONTHS[t.month as usize - 1]),
            Tok::Month => out.push_str(&MONTHS[t.month as usize - 1][..3]),
            Tok::NumMonth => out.push_str(&t.month.to_string()),
            Tok::ZeroMonth => out.push_str(&format!("{:02}", t.month)),
            Tok::LongWeekday => out.push_str(DAYS[t.weekday()]),
            Tok::Weekday => out.push_str(&DAYS[t.weekday()][..3]),
            Tok::Day => out.push_str(&t.day.to_string()),
            Tok::UnderDay => out.push_str(&format!("{:>2}", t.day)),
            Tok::ZeroDay => out.push_str(&format!("{:02}", t.day)),
            Tok::UnderYearDay => out.push_str(&format!("{:>3}", t.yday())),
            Tok::ZeroYearDay => out.push_str(&format!("{:03}", t.yday())),
            Tok::Hour => out.push_str(&format!("{:02}", t.hour)),
            Tok::Hour12 => out.push_str(&hour12(t.hour).to_string()),
            Tok::ZeroHour12 => out.push_str(&format!("{:02}", hour12(t.hour))),
            Tok::Minute => out.push_str(&t.minute.to_string()),
            Tok::ZeroMinute => out.push_str(&format!("{:02}", t.minute)),
            Tok::Second => out.push_str(&t.second.to_string()),
            Tok::ZeroSecond => out.push_str(&format!("{:02}", t.second)),
            Tok::LongYear => {
                if t.year < 0 {
                    out.push_str(&format!("-{:04}", -t.year));
                } else {
                    out.push_str(&format!("{:04}", t.year));
                }
            }
            Tok::Year => out.push_str(&format!("{:02}", t.year.rem_euclid(100))),
            Tok::PM => out.push_str(if t.hour >= 12 { "PM" } else { "AM" }),
            Tok::Pm => out.push_str(if t.hour >= 12 { "pm" } else { "am" }),
            Tok::TZ => match &t.zone {
                Some(z) => out.push_str(z),
                None if t.offset == 0 => out.push_str("UTC"),
                None => {
                    let m = t.offset.abs() / 60;
                    out.push(if t.offset < 0 { '-' } else { '+' });
                    out.push_str(&format!("{:02}", m / 60));
                    if m % 60 != 0 {
                        out.push_str(&format!("{:02}", m % 60));
                    }
                }
            },
            Tok::Zone {
                iso,
                colon,
                seconds,
                short,
            } => {
                if iso && t.offset == 0 {
                    out.push('Z');
                    continue;
                }
                let z = t.offset.abs();
                out.push(if t.offset < 0 { '-' } else { '+' });
                out.push_str(&format!("{:02}", z / 3600));
                if !short {
                    if colon {
                        out.push(':');
                    }
                    out.push_str(&format!("{:02}", (z / 60) % 60));
                }
                if seconds {
                    if colon {
                        out.push(':');
                    }
                    out.push_str(&format!("{:02}", z % 60));
                }
            }
            Tok::Frac(n, trim, sep) => {
                let digits = format!("{:09}", t.nanos);
                let mut d = digits[..n.min(9)].to_string();
                if trim {
                    d = d.trim_end_matches('0').to_string();
                    if d.is_empty() {
                        continue;
                    }
                }
                out.push(sep);
                out.push_str(&d);
            }
        }
    }
    out
}

/// Reads up to `max` (at least `min`) digits.
fn digits(s: &mut &str, min: usize, max: usize) -> Option<u32> {
    let n = s.bytes().take(max).take_while(u8::is_ascii_digit).count();
    if n < min {
        return None;
    }
    let v = s[..n].parse().ok()?;
    *s = &s[n..];
    Some(v)
}

fn lookup(s: &mut &str, names: &[&str], short: bool) -> Option<usize> {
    for (i, name) in names.iter().enumerate() {
        let n = if short { &name[..3] } else { name };
        if s.get(..n.len()).is_some_and(|h| h.eq_ignore_ascii_case(n)) {
            *s = &s[n.len()..];
            return Some(i);
        }
    }
    None
}

/// Go's `time.ParseInLocation(layout, value, time.UTC)`.
fn parse(layout: &str, value: &str) -> Result<Civil, String> {
    let err = |elem: &str, rest: &str| {
        format!(
            "parsing time {} as {}: cannot parse {} as {}",
            args::quote(value),
            args::quote(layout),
            args::quote(rest),
            args::quote(elem)
        )
    };
    let range_err =
        |what: &str| format!("parsing time {}: {what} out of range", args::quote(value));
    let mut t = Civil {
        year: 1,
        month: 1,
        day: 1,
        hour: 0,
        minute: 0,
        second: 0,
        nanos: 0,
        offset: 0,
        zone: None,
    };
    let mut yday: Option<u32> = None;
    let mut pm: Option<bool> = None;
    let mut s = value;
    let toks = tokenize(layout);
    let layout_text = |tok: &Tok| -> String {
        match tok {
            Tok::Lit(l) => l.clone(),
            Tok::LongMonth => "January".into(),
            Tok::Month => "Jan".into(),
            Tok::NumMonth => "1".into(),
            Tok::ZeroMonth => "01".into(),
            Tok::LongWeekday => "Monday".into(),
            Tok::Weekday => "Mon".into(),
            Tok::Day => "2".into(),
            Tok::UnderDay => "_2".into(),
            Tok::ZeroDay => "02".into(),
            Tok::UnderYearDay => "__2".into(),
            Tok::ZeroYearDay => "002".into(),
            Tok::Hour => "15".into(),
            Tok::Hour12 => "3".into(),
            Tok::ZeroHour12 => "03".into(),
            Tok::Minute => "4".into(),
            Tok::ZeroMinute => "04".into(),
            Tok::Second => "5".into(),
            Tok::ZeroSecond => "05".into(),
            Tok::LongYear => "2006".into(),
            Tok::Year => "06".into(),
            Tok::PM => "PM".into(),
            Tok::Pm => "pm".into(),
            Tok::TZ => "MST".into(),
            Tok::Zone {
                iso,
                colon,
                seconds,
                short,
            } => {
                let mut z = String::from(if *iso { "Z07" } else { "-07" });
                if !short {
                    z.push_str(if *colon { ":00" } else { "00" });
                }
                if *seconds {
                    z.push_str(if *colon { ":00" } else { "00" });
                }
                z
            }
            Tok::Frac(n, nine, sep) => {
                format!("{sep}{}", if *nine { "9" } else { "0" }.repeat(*n))
            }
        }
    };
    for (i, tok) in toks.iter().enumerate() {
        let before = s;
        let fail_here = || err(&layout_text(tok), before);
        let ok = match tok {
            Tok::Lit(l) => {
                // Go skips leading spaces in the value around spaces.
                match s.strip_prefix(l.as_str()) {
                    Some(r) => {
                        s = r;
                        true
                    }
                    None => false,
                }
            }
            Tok::LongYear => {
                if s.len() >= 4 && s.as_bytes()[..4].iter().all(u8::is_ascii_digit) {
                    t.year = s[..4].parse().unwrap_or(0);
                    s = &s[4..];
                    true
                } else {
                    false
                }
            }
            Tok::Year => match digits(&mut s, 2, 2) {
                Some(y) => {
                    t.year = if y >= 69 {
                        1900 + y as i64
                    } else {
                        2000 + y as i64
                    };
                    true
                }
                None => false,
            },
            Tok::LongMonth | Tok::Month => {
                match lookup(&mut s, &MONTHS, matches!(tok, Tok::Month)) {
                    Some(m) => {
                        t.month = m as u32 + 1;
                        true
                    }
                    None => false,
                }
            }
            Tok::NumMonth | Tok::ZeroMonth => {
                let min = if matches!(tok, Tok::ZeroMonth) { 2 } else { 1 };
                match digits(&mut s, min, 2) {
                    Some(m) if (1..=12).contains(&m) => {
                        t.month = m;
                        true
                    }
                    Some(_) => return Err(range_err("month")),
                    None => false,
                }
            }
            Tok::LongWeekday | Tok::Weekday => {
                lookup(&mut s, &DAYS, matches!(tok, Tok::Weekday)).is_some()
            }
            Tok::Day | Tok::UnderDay | Tok::ZeroDay => {
                if matches!(tok, Tok::UnderDay) && s.starts_with(' ') {
                    s = &s[1..];
                }
                let min = if matches!(tok, Tok::ZeroDay) { 2 } else { 1 };
                match digits(&mut s, min, 2) {
                    Some(d) => {
                        t.day = d;
                        true
                    }
                    None => false,
                }
            }
            Tok::UnderYearDay | Tok::ZeroYearDay => {
                let mut n = 0;
                if matches!(tok, Tok::UnderYearDay) {
                    while n < 2 && s.starts_with(' ') {
                        s = &s[1..];
                        n += 1;
                    }
                }
                match digits(&mut s, 3 - n, 3) {
                    Some(d) => {
                        yday = Some(d);
                        true
                    }
                    None => false,
                }
            }
            Tok::Hour => match digits(&mut s, 2, 2) {
                Some(h) if h < 24 => {
                    t.hour = h;
                    true
                }
                Some(_) => return Err(range_err("hour")),
                None => false,
            },
            Tok::Hour12 | Tok::ZeroHour12 => {
                let min = if matches!(tok, Tok::ZeroHour12) { 2 } else { 1 };
                match digits(&mut s, min, 2) {
                    Some(h) if h <= 12 => {
                        t.hour = h;
                        true
                    }
                    Some(_) => return Err(range_err("hour")),
                    None => false,
                }
            }
            Tok::Minute | Tok::ZeroMinute => {
                let min = if matches!(tok, Tok::ZeroMinute) { 2 } else { 1 };
                match digits(&mut s, min, 2) {
                    Some(m) if m < 60 => {
                        t.minute = m;
                        true
                    }
                    Some(_) => return Err(range_err("minute")),
                    None => false,
                }
            }
            Tok::Second | Tok::ZeroSecond => {
                let min = if matches!(tok, Tok::ZeroSecond) { 2 } else { 1 };
                match digits(&mut s, min, 2) {
                    Some(v) if v < 60 => {
                        t.second = v;
                        // A fraction may follow even if the layout has none.
                        let next_is_frac = matches!(toks.get(i + 1), Some(Tok::Frac(..)));
                        if !next_is_frac
                            && s.len() > 1
                            && (s.starts_with('.') || s.starts_with(','))
                            && s.as_bytes()[1].is_ascii_digit()
                        {
                            let n = 1 + s[1..].bytes().take_while(u8::is_ascii_digit).count();
                            t.nanos = frac_nanos(&s[1..n]);
                            s = &s[n..];
                        }
                        true
                    }
                    Some(_) => return Err(range_err("second")),
                    None => false,
                }
            }
            Tok::PM | Tok::Pm => {
                if let Some(head) = s.get(..2) {
                    match head {
                        "PM" | "pm" if matches!(tok, Tok::PM) == s.starts_with('P') => {
                            pm = Some(true);
                            s = &s[2..];
                            true
                        }
                        "AM" | "am" if matches!(tok, Tok::PM) == s.starts_with('A') => {
                            pm = Some(false);
                            s = &s[2..];
                            true
                        }
                        _ => false,
                    }
                } else {
                    false
                }
            }
            Tok::TZ => {
                if s.starts_with("UTC") {
                    s = &s[3..];
                    true
                } else {
                    let n = s.bytes().take_while(u8::is_ascii_uppercase).count();
                    if (3..=5).contains(&n) {
                        t.zone = Some(s[..n].to_string());
                        s = &s[n..];
                        true
                    } else {
                        false
                    }
                }
            }
            Tok::Zone {
                iso,
                colon,
                seconds,
                short,
            } => {
                if *iso && s.starts_with('Z') {
                    s = &s[1..];
                    true
                } else {
                    let sign = match s.as_bytes().first() {
                        Some(b'+') => 1,
                        Some(b'-') => -1,
                        _ => 0,
                    };
                    if sign == 0 {
                        false
                    } else {
                        let mut r = &s[1..];
                        let parse2 = |r: &mut &str| digits(r, 2, 2);
                        let h = parse2(&mut r);
                        let mut m = Some(0);
                        let mut sec = Some(0);
                        if !short {
                            if *colon {
                                r = r.strip_prefix(':').unwrap_or("x");
                            }
                            m = parse2(&mut r);
                        }
                        if *seconds {
                            if *colon {
                                r = r.strip_prefix(':').unwrap_or("x");
                            }
                            sec = parse2(&mut r);
                        }
                        match (h, m, sec) {
                            (Some(h), Some(m), Some(sec)) if h < 24 && m < 60 && sec < 60 => {
                                t.offset = sign * (h as i64 * 3600 + m as i64 * 60 + sec as i64);
                                s = r;
                                true
                            }
                            _ => false,
                        }
                    }
                }
            }
            Tok::Frac(n, nine, sep) => {
                if *nine {
                    // Optional fraction of any length.
                    if s.len() > 1 && s.starts_with(*sep) && s.as_bytes()[1].is_ascii_digit() {
                        let k = 1 + s[1..].bytes().take_while(u8::is_ascii_digit).count();
                        t.nanos = frac_nanos(&s[1..k]);
                        s = &s[k..];
                    }
                    true
                } else if s.starts_with(*sep)
                    && s.len() > *n
                    && s.as_bytes()[1..=*n].iter().all(u8::is_ascii_digit)
                {
                    t.nanos = frac_nanos(&s[1..=*n]);
                    s = &s[n + 1..];
                    true
                } else {
                    false
                }
            }
        };
        if !ok {
            return Err(fail_here());
        }
    }
    if !s.is_empty() {
        return Err(format!(
            "parsing time {}: extra text: {}",
            args::quote(value),
            args::quote(s)
        ));
    }
    if let Some(p) = pm {
        if p && t.hour < 12 {
            t.hour += 12;
        } else if !p && t.hour == 12 {
            t.hour = 0;
        }
    }
    if let Some(yd) = yday {
        if yd < 1 || yd > if is_leap(t.year) { 366 } else { 365 } {
            return Err(range_err("day-of-year"));
        }
        let (_, m, d) = civil_from_days(days_from_civil(t.year, 1, 1) + yd as i64 - 1);
        t.month = m;
        t.day = d;
    }
    if t.day < 1 || t.day > days_in_month(t.year, t.month) {
        return Err(range_err("day"));
    }
    Ok(t)
}

/// Nanoseconds of a fraction's digits (extra digits truncated).
fn frac_nanos(d: &str) -> u32 {
    let mut v: u32 = 0;
    for i in 0..9 {
        v = v * 10 + d.as_bytes().get(i).map(|c| (c - b'0') as u32).unwrap_or(0);
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_round_trip() {
        for days in [-800_000i64, -1, 0, 59, 365 * 30 + 7, 2_000_000] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
        assert_eq!(civil_from_days(0), (1970, 1, 1));
    }

    #[test]
    fn duration_text() {
        assert_eq!(format_duration(5_400_000_000_000), "1h30m0s");
        assert_eq!(format_duration(1_500_000), "1.5ms");
        assert_eq!(parse_duration("1h30m").unwrap(), 5_400_000_000_000);
        assert_eq!(parse_duration("-1.5s").unwrap(), -1_500_000_000);
    }
}
