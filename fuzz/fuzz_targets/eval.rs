//! Fuzzes evaluation with arbitrary text: parse, compile, evaluate, export
//! to JSON and YAML and print as CUE, as `dagger eval` does
//! (`cue_syntax_fuzz::eval_text`). Nothing may panic, hang or run away
//! with memory.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(src) = std::str::from_utf8(data) {
        cue_syntax_fuzz::eval_text(src);
    }
});
