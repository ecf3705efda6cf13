//! Generated indicators: valid STIX 2.1, distinct per (seed, n), cheap to make.

use std::fmt::Write;

/// The STIX id of indicator `n` of a run: a version-4-shaped UUID built from the seed and `n`.
pub fn id(seed: u32, n: u64) -> String {
    format!("indicator--{seed:08x}-0000-4000-8000-{n:012x}")
}

/// An envelope holding indicators `start..end`, serialised.
pub fn envelope(seed: u32, start: u64, end: u64) -> Vec<u8> {
    let mut out = String::with_capacity(((end - start) * 420 + 16) as usize);
    out.push_str("{\"objects\":[");
    for n in start..end {
        if n > start {
            out.push(',');
        }
        let (a, b, c) = ((n >> 16) & 255, (n >> 8) & 255, n & 255);
        // Writing into a String cannot fail.
        let _ = write!(
            out,
            concat!(
                "{{\"type\":\"indicator\",\"spec_version\":\"2.1\",\"id\":\"{id}\",",
                "\"created\":\"2024-01-01T00:00:00.000Z\",\"modified\":\"2024-01-01T00:00:00.000Z\",",
                "\"name\":\"Benchmark indicator {n}\",\"indicator_types\":[\"malicious-activity\"],",
                "\"pattern\":\"[ipv4-addr:value = '10.{a}.{b}.{c}']\",\"pattern_type\":\"stix\",",
                "\"valid_from\":\"2024-01-01T00:00:00Z\"}}"
            ),
            id = id(seed, n),
            n = n,
            a = a,
            b = b,
            c = c,
        );
    }
    out.push_str("]}");
    out.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_envelope_is_json_with_distinct_indicators() {
        let body = envelope(7, 250, 260);
        let value: serde_json::Value = serde_json::from_slice(&body).expect("the envelope is JSON");
        let objects = value["objects"].as_array().expect("objects is an array");
        assert_eq!(objects.len(), 10);
        assert_eq!(objects[0]["id"], id(7, 250));
        assert_eq!(objects[0]["pattern"], "[ipv4-addr:value = '10.0.0.250']");
        assert_eq!(objects[9]["pattern"], "[ipv4-addr:value = '10.0.1.3']");
        let ids: std::collections::HashSet<_> = objects.iter().map(|o| o["id"].as_str()).collect();
        assert_eq!(ids.len(), 10);
    }

    #[test]
    fn ids_are_shaped_like_version_4_uuids() {
        let id = id(1, 0xABCDEF);
        let uuid = id.strip_prefix("indicator--").expect("the type prefix");
        let groups: Vec<usize> = uuid.split('-').map(str::len).collect();
        assert_eq!(groups, [8, 4, 4, 4, 12]);
        assert!(uuid.split('-').nth(2).is_some_and(|g| g.starts_with('4')));
        assert!(uuid.split('-').nth(3).is_some_and(|g| g.starts_with('8')));
    }
}
