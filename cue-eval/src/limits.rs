//! Resource limits of one evaluation: what stops a small input from
//! exhausting memory, stack or time (`"x" * 1e11`, `list.Range(0, 1e11,
//! 1)`, values doubling through references, runaway recursion). Every limit
//! ends the evaluation with an ordinary located error, never a panic.
//!
//! - **Operations** that build a value fail before allocating it when the
//!   result would be larger than [`MAX_VALUE_BYTES`] (strings and bytes) or
//!   [`MAX_LIST_ELEMS`] (lists), or than what is left of the memory limit;
//!   the message names the operation and the size.
//! - **Numbers** keep the reference's decimal context: a result whose
//!   adjusted exponent is outside ±[`MAX_EXPONENT`] is `failed arithmetic:
//!   exponent out of range`, and a literal outside it keeps only its digits,
//!   as `cue` v0.4.3 does. Integer bit operations stop at
//!   [`MAX_INT_BITS`] bits.
//! - **Depth**: evaluation nested deeper than [`MAX_DEPTH`] (recursion
//!   through references that never reaches a value) is an error.
//! - **Memory**: the evaluator counts what it holds ([`VERTEX_COST`] per
//!   vertex of its arena, the bytes of strings it built, and what exports
//!   copy out and print) and stops at [`Limits::max_memory`] with one error
//!   naming the largest value. The arena only grows, so this also bounds
//!   most of the work done.
//! - **Time**: evaluation stops at [`Limits::max_time`] after the
//!   evaluator was created.

use std::time::Duration;

/// Bytes a string or bytes value built by one operation may hold (256 MiB).
pub const MAX_VALUE_BYTES: usize = 1 << 28;

/// Elements a list built by one operation may hold (1,048,576).
pub const MAX_LIST_ELEMS: usize = 1 << 20;

/// Values one decoded document may hold (`json.Unmarshal`,
/// `yaml.Unmarshal`, data read from inputs; YAML aliases count in full):
/// 4,194,304.
pub const MAX_DECODED_VALUES: usize = 1 << 22;

/// Largest adjusted exponent (`exponent + digits - 1`) of a computed
/// number, in absolute value (the reference's `apd` system limit).
pub const MAX_EXPONENT: i64 = 100_000;

/// Bits of an integer built by a bit operation (`bits.Lsh`, `bits.Set`).
pub const MAX_INT_BITS: u64 = 1 << 20;

/// Vertices evaluated inside one another.
pub const MAX_DEPTH: u32 = 20_000;

/// What one vertex of the arena is counted as, in bytes: the vertex and,
/// on average, its conjuncts, environments and arc index.
pub const VERTEX_COST: u64 = 512;

/// How every error that ended an evaluation begins (memory, time or depth
/// limit): it stands for the whole instance, wherever its path points, and
/// is the only error reported.
pub const LIMIT_EXCEEDED: &str = "evaluation exceeds the ";

/// The default memory limit of one evaluation (2 GiB).
pub const DEFAULT_MAX_MEMORY: u64 = 2 << 30;

/// The default time limit of one evaluation (60 seconds).
pub const DEFAULT_MAX_TIME: Duration = Duration::from_secs(60);

/// The limits of one evaluation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Bytes the evaluator may hold (see the module documentation).
    pub max_memory: u64,
    /// Time from the evaluator's creation after which evaluating stops
    /// (`None`: no limit). Unlike the others, this limit depends on the
    /// machine.
    pub max_time: Option<Duration>,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_memory: DEFAULT_MAX_MEMORY,
            max_time: Some(DEFAULT_MAX_TIME),
        }
    }
}

/// Parses a size: a number of bytes with an optional unit (`K`, `M`, `G`,
/// `T` with or without `iB`/`B`, all powers of 1024; case-insensitive),
/// e.g. `512MiB`, `2G`, `1048576`.
pub fn parse_size(text: &str) -> Result<u64, String> {
    let t = text.trim();
    let split = t
        .find(|c: char| !c.is_ascii_digit() && c != '_')
        .unwrap_or(t.len());
    let (digits, unit) = t.split_at(split);
    let digits: String = digits.chars().filter(|&c| c != '_').collect();
    let n: u64 = digits
        .parse()
        .map_err(|_| format!("invalid size {text:?} (expected e.g. 512MiB or 2GiB)"))?;
    let shift = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 0,
        "k" | "kb" | "kib" => 10,
        "m" | "mb" | "mib" => 20,
        "g" | "gb" | "gib" => 30,
        "t" | "tb" | "tib" => 40,
        _ => return Err(format!("invalid size unit in {text:?} (use K, M, G or T)")),
    };
    n.checked_mul(1 << shift)
        .filter(|&b| b > 0)
        .ok_or_else(|| format!("invalid size {text:?}"))
}

/// A size as people read it: `2 GiB`, `64 MiB`, `1.5 KiB`, `100 bytes`.
pub fn show_size(n: u64) -> String {
    const UNITS: [(u32, &str); 4] = [(40, "TiB"), (30, "GiB"), (20, "MiB"), (10, "KiB")];
    for (shift, unit) in UNITS {
        if n >= 1 << shift {
            let whole = n >> shift;
            let tenths = ((n - (whole << shift)) * 10) >> shift;
            return if tenths == 0 {
                format!("{whole} {unit}")
            } else {
                format!("{whole}.{tenths} {unit}")
            };
        }
    }
    format!("{n} bytes")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse_with_units() {
        assert_eq!(parse_size("1048576"), Ok(1 << 20));
        assert_eq!(parse_size("64MiB"), Ok(64 << 20));
        assert_eq!(parse_size("64m"), Ok(64 << 20));
        assert_eq!(parse_size("2 GiB"), Ok(2 << 30));
        assert_eq!(parse_size("2GB"), Ok(2 << 30));
        assert_eq!(parse_size("1T"), Ok(1 << 40));
        assert!(parse_size("").is_err());
        assert!(parse_size("0").is_err());
        assert!(parse_size("12 parsecs").is_err());
        assert!(parse_size("99999999999T").is_err());
    }

    #[test]
    fn sizes_show_in_binary_units() {
        assert_eq!(show_size(2 << 30), "2 GiB");
        assert_eq!(show_size(64 << 20), "64 MiB");
        assert_eq!(show_size(1536), "1.5 KiB");
        assert_eq!(show_size(100), "100 bytes");
    }
}
