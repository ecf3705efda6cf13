//! Fuzz target: evaluation never panics or hangs, and prepared observations (which decide
//! through their indexes) give what a one-shot `matches` gives. The first 16 bytes describe
//! up to eight observations (object type and value, time, count); the rest is the pattern.
//! Patterns that only parse are evaluated too, since `matches` must be safe on any parsed
//! pattern.

#![no_main]

use libfuzzer_sys::fuzz_target;
use serde_json::{Value, json};

fn observations(spec: &[u8]) -> Vec<Value> {
    let mut out = Vec::new();
    for (i, pair) in spec.chunks(2).enumerate() {
        let (kind, when) = (pair[0], pair[1]);
        let sco = format!("sco--{i}");
        let object = match kind % 5 {
            0 => {
                json!({"type": "file", "id": sco, "name": if kind & 8 == 0 { "evil.exe" } else { "calc.exe" },
                        "size": kind as u64 * 100, "magic_number_hex": "4d5a"})
            }
            1 => {
                json!({"type": "ipv4-addr", "id": sco, "value": if kind & 8 == 0 { "198.51.100.7" } else { "10.0.0.0/8" }})
            }
            2 => {
                json!({"type": "domain-name", "id": sco, "value": "example.com", "resolves_to_refs": [format!("sco--{}", i / 2)]})
            }
            3 => {
                json!({"type": "process", "id": sco, "name": "cmd.exe", "x_list": [1, "a", null, [true]]})
            }
            _ => json!({"type": "ipv6-addr", "id": sco, "value": "2001:db8::1"}),
        };
        let first = format!("2020-01-01T00:{:02}:00Z", when % 60);
        let last = format!("2020-01-01T00:{:02}:00Z", (when % 60).max(when / 4 % 60));
        out.push(object);
        out.push(json!({"type": "observed-data", "id": format!("observed-data--{i}"), "first_observed": first,
                        "last_observed": last, "number_observed": 1 + (kind >> 5), "object_refs": [sco]}));
    }
    out
}

fuzz_target!(|data: &[u8]| {
    if data.len() < 16 {
        return;
    }
    let (spec, text) = data.split_at(16);
    let Ok(text) = std::str::from_utf8(text) else {
        return;
    };
    let Ok(pattern) = charter_pattern::parse(text) else {
        return;
    };
    let observed = observations(spec);
    let once = charter_pattern::matches(&pattern, &observed);
    if let Ok(prepared) = charter_pattern::Observations::new(&observed) {
        assert_eq!(once, charter_pattern::matches_prepared(&pattern, &prepared));
    }
});
