//! Fuzz target: the lexer, parser and checks never panic or hang, and every error renders.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match charter_pattern::parse(text) {
        Ok(pattern) => {
            let _ = pattern.dump();
            for e in charter_pattern::check(&pattern) {
                let _ = e.render(text);
            }
        }
        Err(e) => {
            let _ = e.render(text);
        }
    }
});
