//! Kinds: the bit set of basic types a value may still take
//! (spec "Types"; reference `adt/kind.go`). `number = int|float`, `_` is all.

use std::ops::{BitAnd, BitOr};

/// A set of basic kinds.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct Kind(pub u16);

impl Kind {
    pub const BOTTOM: Kind = Kind(0);
    pub const NULL: Kind = Kind(1);
    pub const BOOL: Kind = Kind(2);
    pub const INT: Kind = Kind(4);
    pub const FLOAT: Kind = Kind(8);
    pub const STRING: Kind = Kind(16);
    pub const BYTES: Kind = Kind(32);
    pub const LIST: Kind = Kind(64);
    pub const STRUCT: Kind = Kind(128);
    pub const FUNC: Kind = Kind(256);
    pub const NUMBER: Kind = Kind(4 | 8);
    pub const SCALAR: Kind = Kind(1 | 2 | 4 | 8 | 16 | 32);
    pub const TOP: Kind = Kind(511);

    /// True if no kind is left.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// True if every kind of `other` is in `self`.
    pub fn contains(self, other: Kind) -> bool {
        self.0 & other.0 == other.0
    }

    /// True if the sets share a kind.
    pub fn overlaps(self, other: Kind) -> bool {
        self.0 & other.0 != 0
    }

    /// The name CUE prints (`int`, `number`, `int|string`, `_`).
    pub fn name(self) -> String {
        if self == Kind::TOP {
            return "_".into();
        }
        if self.is_empty() {
            return "_|_".into();
        }
        let mut parts = Vec::new();
        let mut k = self.0;
        let names: [(u16, &str); 10] = [
            (1, "null"),
            (2, "bool"),
            (12, "number"),
            (4, "int"),
            (8, "float"),
            (16, "string"),
            (32, "bytes"),
            (64, "list"),
            (128, "struct"),
            (256, "func"),
        ];
        for (bits, name) in names {
            if k & bits == bits {
                parts.push(name);
                k &= !bits;
            }
        }
        parts.join("|")
    }
}

impl BitAnd for Kind {
    type Output = Kind;
    fn bitand(self, o: Kind) -> Kind {
        Kind(self.0 & o.0)
    }
}

impl BitOr for Kind {
    type Output = Kind;
    fn bitor(self, o: Kind) -> Kind {
        Kind(self.0 | o.0)
    }
}
