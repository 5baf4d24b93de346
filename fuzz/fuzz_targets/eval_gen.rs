//! Fuzzes evaluation with generated programs: the bytes drive the
//! grammar-aware generator (`cue_gen::Program`, an `Arbitrary` syntax tree
//! rendered as CUE), so nearly every input parses and the evaluator, not
//! the parser, is exercised. `cue-gen --bytes ARTIFACT` prints the program
//! of an input.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|program: cue_gen::Program| {
    cue_syntax_fuzz::eval_text(&program.to_string());
});
