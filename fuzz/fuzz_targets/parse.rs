//! Fuzzes the parser and printer: any input must parse without panicking;
//! errors must render; a file that parses cleanly must print to text that
//! parses to the same tree (positions, comment placement and literal source
//! text aside), and printing must be idempotent.
#![no_main]

use cue_syntax::format::{format_file, format_file_with_source, FormatOptions};
use cue_syntax::{parse_file, testing, FileId, SourceMap};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(src) = std::str::from_utf8(data) else {
        return;
    };
    let (mut first, errors) = parse_file(FileId(0), src);
    // Printing must not panic even for trees with error nodes.
    let _ = format_file(&first, &FormatOptions::spaces(4));
    if !errors.is_empty() {
        let mut map = SourceMap::new();
        let id = map.add("fuzz.cue", src);
        for e in map.parse(id).1 {
            let _ = e.to_string();
        }
        return;
    }
    let opts = FormatOptions::tabs();
    let printed = format_file_with_source(&first, src, &opts);
    let (mut second, errors) = parse_file(FileId(0), &printed);
    assert!(
        errors.is_empty(),
        "printed text does not parse: {}\n--- input\n{src}\n--- printed\n{printed}",
        errors[0]
    );
    let again = format_file_with_source(&second, &printed, &opts);
    assert_eq!(printed, again, "printing is not idempotent");
    let c1 = testing::strip(&mut first);
    let c2 = testing::strip(&mut second);
    assert_eq!(c1, c2, "comments lost or changed\n--- printed\n{printed}");
    assert!(
        first == second,
        "tree changed by printing\n--- input\n{src}\n--- printed\n{printed}"
    );
});
