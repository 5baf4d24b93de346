//! Checks on an import path as written, before it is mapped to a directory.
//!
//! The reference (CUE v0.4.3) rejects some paths in its parser and others
//! while loading; the checks here follow that order and wording:
//!
//! 1. [`is_valid`]: the parser's rule. A path (without its `:name`
//!    qualifier) is non-empty, and every character is graphic, not a space
//!    and none of ``!"#$%&'()*,:;<=>?[\]^{|}`` or a backtick — so a
//!    backslash is never part of a valid path.
//! 2. `.`, `..`, `./x` and `../x` are relative imports (rejected by the
//!    loader).
//! 3. A first element without a dot is a builtin package, looked up by name
//!    and never on disk; `/abs/x` has an empty first element, so it is an
//!    undefined builtin, as in the reference.
//! 4. [`has_parent_element`]: stricter than the reference. It cleans `..`
//!    lexically and accepts the path while the result stays below the
//!    module root; here a `..` element is always an error, so an import
//!    can never name a directory by climbing out of where it maps to
//!    (`cue.mod/gen/a.b/../../..` is the module root's parent's child).
//!    `.` and empty elements cannot move the directory and are cleaned as
//!    the reference does.

/// Characters the reference's parser never accepts in an import path.
const ILLEGAL: &str = "!\"#$%&'()*,:;<=>?[\\]^{|}`\u{FFFD}";

/// Whether `path` (as written, possibly with a `:name` qualifier) passes the
/// reference parser's import-path check; see the module documentation.
pub(crate) fn is_valid(path: &str) -> bool {
    let bare = match path.rfind(':') {
        Some(i) => &path[..i],
        None => path,
    };
    !bare.is_empty() && bare.chars().all(is_graphic_non_space)
}

/// Approximates Go's `unicode.IsGraphic(r) && !unicode.IsSpace(r)` without a
/// Unicode category table: controls, white space, private-use characters and
/// the invisible formatting characters (zero-width spaces and joiners,
/// direction marks and overrides, the byte-order mark) are not graphic.
fn is_graphic_non_space(c: char) -> bool {
    let invisible = matches!(
        c,
        '\u{00AD}'
            | '\u{061C}'
            | '\u{180E}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{206F}'
            | '\u{FEFF}'
            | '\u{FFF9}'..='\u{FFFB}'
            | '\u{E000}'..='\u{F8FF}'
    );
    !(c.is_control() || c.is_whitespace() || invisible || ILLEGAL.contains(c))
}

/// Whether `path` is relative (`.`, `..`, `./x`, `../x`), which the reference
/// loader rejects.
pub(crate) fn is_relative(path: &str) -> bool {
    path == "." || path == ".." || path.starts_with("./") || path.starts_with("../")
}

/// Whether the import path `bare` (without qualifier) has a `..` element.
pub(crate) fn has_parent_element(bare: &str) -> bool {
    bare.split('/').any(|e| e == "..")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_paths_are_the_ones_the_reference_parser_accepts() {
        for ok in [
            "strings",
            "a.b/c",
            "a.b/c:name",
            "a.b/x~y",
            "a.b/x@v1",
            "a.b/é",
            "a.b/./x",
            "a.b//x",
            "a.b/../x",
            "/abs/x",
            "a.b/x:",
        ] {
            assert!(is_valid(ok), "{ok:?} should be valid");
        }
        for bad in [
            "",
            ":name",
            "a.b\\x",
            "a.b/x y",
            "a.b/x\ty",
            "a.b/x;y",
            "a.b/x\"y",
            "a.b/x?y",
            "a.b/x`y",
            "a.b/x\u{200B}y",
            "a.b/x\u{202E}y",
            "a.b/x\u{7}y",
            "a.b/x\u{FFFD}",
        ] {
            assert!(!is_valid(bad), "{bad:?} should be invalid");
        }
    }

    #[test]
    fn the_qualifier_is_not_checked_by_the_character_rule() {
        // The reference strips everything from the last ':' first.
        assert!(is_valid("a.b/c:we ird"));
        assert!(!is_valid("a.b/c d:name"));
    }

    #[test]
    fn relative_paths_are_the_reference_loaders_four_forms() {
        for rel in [".", "..", "./x", "../x"] {
            assert!(is_relative(rel), "{rel:?}");
        }
        for not in ["a.b/../x", "/x", ".x", "..x", "x/."] {
            assert!(!is_relative(not), "{not:?}");
        }
    }

    #[test]
    fn any_parent_element_is_found() {
        for p in ["a.b/..", "a.b/../x", "a.b/c/../../..", "ex.com/m/../x"] {
            assert!(has_parent_element(p), "{p:?}");
        }
        for p in [
            "a.b/x..y", "a.b/.x", "a.b/./x", "a.b//x", "a.b/...", "..x/y",
        ] {
            assert!(!has_parent_element(p), "{p:?}");
        }
    }
}
