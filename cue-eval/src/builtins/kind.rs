//! Value kinds as builtin signatures use them, printed as the reference
//! prints `adt.Kind` (`int`, `number`, `(string|bytes)`, `_`).

use crate::data::Data;
use std::fmt;

/// A set of value kinds (bit set, same bit order as the reference, which
/// decides the printed order).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Kind(u16);

impl Kind {
    /// No kind: the result kind of validators that only fail.
    pub const BOTTOM: Kind = Kind(0);
    /// `null`.
    pub const NULL: Kind = Kind(1);
    /// `bool`.
    pub const BOOL: Kind = Kind(1 << 1);
    /// `int`.
    pub const INT: Kind = Kind(1 << 2);
    /// `float`.
    pub const FLOAT: Kind = Kind(1 << 3);
    /// `string`.
    pub const STRING: Kind = Kind(1 << 4);
    /// `bytes`.
    pub const BYTES: Kind = Kind(1 << 5);
    /// A function.
    pub const FUNC: Kind = Kind(1 << 6);
    /// A list.
    pub const LIST: Kind = Kind(1 << 7);
    /// A struct.
    pub const STRUCT: Kind = Kind(1 << 8);
    /// `number` (`int | float`).
    pub const NUMBER: Kind = Kind((1 << 2) | (1 << 3));
    /// `string | bytes`.
    pub const STRING_BYTES: Kind = Kind((1 << 4) | (1 << 5));
    /// Any value (`_`).
    pub const TOP: Kind = Kind((1 << 9) - 1);

    /// Union of kinds.
    pub const fn or(self, other: Kind) -> Kind {
        Kind(self.0 | other.0)
    }

    /// Whether the sets share a kind.
    pub fn intersects(self, other: Kind) -> bool {
        self.0 & other.0 != 0
    }

    /// The kind of concrete data.
    pub fn of(d: &Data) -> Kind {
        match d {
            Data::Null => Kind::NULL,
            Data::Bool(_) => Kind::BOOL,
            Data::Number(n) if n.is_int_kind() => Kind::INT,
            Data::Number(_) => Kind::FLOAT,
            Data::String(_) => Kind::STRING,
            Data::Bytes(_) => Kind::BYTES,
            Data::List(_) => Kind::LIST,
            Data::Struct(_) => Kind::STRUCT,
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if *self == Kind::BOTTOM {
            return f.write_str("_|_");
        }
        if *self == Kind::TOP {
            return f.write_str("_");
        }
        // `int|float` prints as `number`, placed after every other kind.
        let mut bits = self.0;
        let number = bits & Kind::NUMBER.0 == Kind::NUMBER.0;
        if number {
            bits &= !Kind::NUMBER.0;
        }
        const NAMES: [&str; 9] = [
            "null", "bool", "int", "float", "string", "bytes", "func", "list", "struct",
        ];
        let mut names: Vec<&str> = (0..9)
            .filter(|i| bits & (1 << i) != 0)
            .map(|i| NAMES[i])
            .collect();
        if number {
            names.push("number");
        }
        if names.len() > 1 {
            write!(f, "({})", names.join("|"))
        } else {
            f.write_str(names.first().copied().unwrap_or("_|_"))
        }
    }
}

impl fmt::Debug for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Kind({self})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prints_like_the_reference() {
        assert_eq!(Kind::STRING_BYTES.to_string(), "(string|bytes)");
        assert_eq!(Kind::NUMBER.to_string(), "number");
        assert_eq!(Kind::LIST.to_string(), "list");
        assert_eq!(Kind::TOP.to_string(), "_");
        assert_eq!(Kind::INT.or(Kind::STRING).to_string(), "(int|string)");
    }
}
