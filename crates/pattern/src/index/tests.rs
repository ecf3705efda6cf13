//! Tests of the index: every way of filing a pattern, removal, and windowed state.

use serde_json::{Value, json};

use super::*;

fn index(patterns: &[&str]) -> Index {
    let mut index = Index::new();
    for p in patterns {
        index.insert(&crate::validate(p).expect("test value"));
    }
    index
}

fn observed(objects: Value, time: &str) -> Value {
    json!({"type": "observed-data", "id": "observed-data--00000000-0000-4000-8000-000000000000",
           "first_observed": time, "last_observed": time, "number_observed": 1, "objects": objects})
}

fn scan_one(index: &Index, probes: &[Probe<'_>], types: &[&str], stix: Value) -> Vec<u32> {
    let mut scanner = Scanner::new(index);
    let mut hits = Vec::new();
    scanner.observe(probes, types, 0, &mut || stix.clone(), &mut hits);
    let mut ords: Vec<u32> = hits.into_iter().map(|h| h.ord).collect();
    ords.sort_unstable();
    ords
}

fn p(field: ProbeField<'static>, value: &'static str) -> Probe<'static> {
    Probe { field, value }
}

#[test]
fn exact_values_are_direct_and_normalised() {
    let ix = index(&[
        "[ipv4-addr:value = '198.51.100.7']",
        "[domain-name:value = 'Evil.Example.COM']",
        "[file:hashes.'SHA-256' = 'AABBCCDDEEFF00112233445566778899AABBCCDDEEFF00112233445566778899']",
        "[ipv6-addr:value = '2001:db8::1']",
        "[ipv4-addr:value ISSUBSET '10.0.0.0/8']",
        "[url:value IN ('http://a.example/x', 'http://b.example/y')]",
        "[process:name = 'evil.exe']",
    ]);
    for ord in 0..7 {
        assert_eq!(ix.shape(ord), Some(Shape::Direct), "{ord}");
    }
    let none = json!(null);
    assert_eq!(
        scan_one(&ix, &[p(ProbeField::Ip, "198.51.100.7")], &[], none.clone()),
        [0]
    );
    assert_eq!(
        scan_one(
            &ix,
            &[p(ProbeField::Domain, "evil.example.com.")],
            &[],
            none.clone()
        ),
        [1]
    );
    assert_eq!(
        scan_one(
            &ix,
            &[p(
                ProbeField::Hash,
                "aabbccddeeff00112233445566778899aabbccddeeff00112233445566778899"
            )],
            &[],
            none.clone()
        ),
        [2]
    );
    assert_eq!(
        scan_one(
            &ix,
            &[p(ProbeField::Ip, "2001:0db8:0:0::1")],
            &[],
            none.clone()
        ),
        [3]
    );
    assert_eq!(
        scan_one(&ix, &[p(ProbeField::Ip, "10.200.1.1")], &[], none.clone()),
        [4]
    );
    assert_eq!(
        scan_one(
            &ix,
            &[p(ProbeField::Url, "http://b.example/y")],
            &[],
            none.clone()
        ),
        [5]
    );
    assert!(
        scan_one(
            &ix,
            &[p(ProbeField::Url, "HTTP://b.example/y")],
            &[],
            none.clone()
        )
        .is_empty()
    );
    assert_eq!(
        scan_one(
            &ix,
            &[p(ProbeField::Other("process:name"), "evil.exe")],
            &[],
            none.clone()
        ),
        [6]
    );
    assert!(scan_one(&ix, &[p(ProbeField::Ip, "198.51.100.8")], &[], none).is_empty());
}

#[test]
fn removed_indicators_stop_matching_and_tables_compact() {
    let mut ix = index(&[
        "[ipv4-addr:value = '198.51.100.7']",
        "[domain-name:value = 'a.example']",
    ]);
    ix.remove(0);
    assert!(!ix.contains(0));
    assert!(scan_one(&ix, &[p(ProbeField::Ip, "198.51.100.7")], &[], json!(null)).is_empty());
    ix.remove(1);
    assert!(ix.is_empty());
    assert!(scan_one(&ix, &[p(ProbeField::Domain, "a.example")], &[], json!(null)).is_empty());
    let ord = ix.insert(&crate::validate("[domain-name:value = 'a.example']").expect("test value"));
    assert_eq!(
        scan_one(&ix, &[p(ProbeField::Domain, "a.example")], &[], json!(null)),
        [ord]
    );
}

#[test]
fn regexes_and_conjunctions_are_confirmed_by_the_evaluator() {
    let ix = index(&[
        "[domain-name:value LIKE '%.bad.example']",
        "[file:name = 'x.exe' AND file:size > 10]",
        "[file:size > 1000000]",
    ]);
    assert_eq!(ix.shape(0), Some(Shape::Verified));
    assert_eq!(ix.shape(1), Some(Shape::Verified));
    let dns = observed(
        json!({"0": {"type": "domain-name", "value": "www.bad.example"}}),
        "2024-01-01T00:00:00Z",
    );
    assert_eq!(
        scan_one(
            &ix,
            &[p(ProbeField::Domain, "www.bad.example")],
            &["domain-name"],
            dns
        ),
        [0]
    );
    let small = observed(
        json!({"0": {"type": "file", "name": "x.exe", "size": 5}}),
        "2024-01-01T00:00:00Z",
    );
    assert!(
        scan_one(
            &ix,
            &[p(ProbeField::Other("file:name"), "x.exe")],
            &["file"],
            small
        )
        .is_empty()
    );
    let big = observed(
        json!({"0": {"type": "file", "name": "x.exe", "size": 2000000}}),
        "2024-01-01T00:00:00Z",
    );
    assert_eq!(
        scan_one(
            &ix,
            &[p(ProbeField::Other("file:name"), "x.exe")],
            &["file"],
            big
        ),
        [1, 2]
    );
}

#[test]
fn patterns_across_observations_keep_windowed_state() {
    let ix = index(&[
        "([domain-name:value = 'a.example'] FOLLOWEDBY [ipv4-addr:value = '198.51.100.7']) WITHIN 60 SECONDS",
    ]);
    assert_eq!(ix.shape(0), Some(Shape::Windowed));
    let mut scanner = Scanner::new(&ix);
    let mut hits = Vec::new();
    let dns = |t: &str| {
        observed(
            json!({"0": {"type": "domain-name", "value": "a.example"}}),
            t,
        )
    };
    let ip = |t: &str| {
        observed(
            json!({"0": {"type": "ipv4-addr", "value": "198.51.100.7"}}),
            t,
        )
    };
    // The address first: no match, order matters.
    scanner.observe(
        &[p(ProbeField::Ip, "198.51.100.7")],
        &[],
        0,
        &mut || ip("2024-01-01T00:00:00Z"),
        &mut hits,
    );
    assert!(hits.is_empty());
    scanner.observe(
        &[p(ProbeField::Domain, "a.example")],
        &[],
        10_000_000,
        &mut || dns("2024-01-01T00:00:10Z"),
        &mut hits,
    );
    assert!(hits.is_empty());
    // Too late: outside the window, and the state was pruned.
    scanner.observe(
        &[p(ProbeField::Ip, "198.51.100.7")],
        &[],
        200_000_000,
        &mut || ip("2024-01-01T00:03:20Z"),
        &mut hits,
    );
    assert!(hits.is_empty());
    scanner.observe(
        &[p(ProbeField::Domain, "a.example")],
        &[],
        300_000_000,
        &mut || dns("2024-01-01T00:05:00Z"),
        &mut hits,
    );
    scanner.observe(
        &[p(ProbeField::Ip, "198.51.100.7")],
        &[],
        310_000_000,
        &mut || ip("2024-01-01T00:05:10Z"),
        &mut hits,
    );
    assert_eq!(
        hits,
        vec![Hit {
            ord: 0,
            value: "198.51.100.7".into()
        }]
    );
}

#[test]
fn lookups_of_blocks_find_what_lies_inside() {
    let ix = index(&[
        "[ipv4-addr:value = '10.1.2.3']",
        "[ipv4-addr:value = '192.0.2.1']",
    ]);
    let mut out = Vec::new();
    ix.candidates(p(ProbeField::Ip, "10.0.0.0/8"), &mut |o| out.push(o));
    assert_eq!(out, [0]);
}

#[test]
fn memory_per_exact_indicator_is_small() {
    let mut ix = Index::new();
    for i in 0..10_000u32 {
        let pattern = format!(
            "[ipv4-addr:value = '{}']",
            std::net::Ipv4Addr::from(0x0a00_0000 + i)
        );
        ix.insert(&crate::validate(&pattern).expect("test value"));
    }
    let per = ix.heap_bytes() / 10_000;
    assert!(per < 60, "{per} bytes per IPv4 indicator");
}

#[test]
fn exact_values_take_observation_level_ors_of_direct_brackets() {
    let values = |text: &str| {
        let pattern = crate::parse(text).expect("a valid pattern");
        exact_values(&pattern)
    };
    assert_eq!(
        values(
            "[ipv4-addr:value = '198.51.100.0/24'] OR ([ipv6-addr:value = '2001:DB8::1'] OR [domain-name:value = 'a.example'])"
        ),
        Some(vec![
            (Field::Ip, "198.51.100.0/24".to_owned()),
            (Field::Ip, "2001:DB8::1".to_owned()),
            (Field::Domain, "a.example".to_owned()),
        ])
    );
    // Anything a list of values cannot express stays out.
    for text in [
        "[ipv4-addr:value = '198.51.100.7'] AND [domain-name:value = 'a.example']",
        "[ipv4-addr:value = '198.51.100.7'] OR [domain-name:value LIKE '%.example']",
        "[ipv4-addr:value = '198.51.100.7'] FOLLOWEDBY [ipv4-addr:value = '198.51.100.8']",
        "([ipv4-addr:value = '198.51.100.7'] OR [ipv4-addr:value = '198.51.100.8']) REPEATS 2 TIMES",
    ] {
        assert_eq!(values(text), None, "{text}");
    }
}

#[test]
fn candidates_of_many_probes_name_each_probe_across_batches() {
    let ix = index(&[
        "[ipv4-addr:value = '198.51.100.7']",
        "[domain-name:value = 'evil.example']",
        "[file:hashes.MD5 = 'd41d8cd98f00b204e9800998ecf8427e']",
        "[ipv6-addr:value = '2001:db8::1']",
        "[ipv4-addr:value ISSUBSET '10.0.0.0/8']",
        "[url:value MATCHES '^http://bad\\\\.example/']",
    ]);
    // Twenty probes, so three batches; hits at the edges of each.
    let mut probes = vec![p(ProbeField::Domain, "good.example"); 20];
    probes[0] = p(ProbeField::Ip, "198.51.100.7");
    probes[7] = p(ProbeField::Domain, "EVIL.example.");
    probes[8] = p(ProbeField::Hash, "D41D8CD98F00B204E9800998ECF8427E");
    probes[15] = p(ProbeField::Ip, "2001:0db8::0001");
    probes[16] = p(ProbeField::Ip, "10.9.8.7");
    probes[19] = p(ProbeField::Url, "http://bad.example/x");
    let mut found = Vec::new();
    ix.candidates_of(&probes, &mut |at, ord| found.push((at, ord)));
    assert_eq!(found, [(0, 0), (7, 1), (8, 2), (15, 3), (16, 4), (19, 5)]);
    // One probe at a time, the same.
    for (at, probe) in probes.iter().enumerate() {
        let mut one = Vec::new();
        ix.candidates(*probe, &mut |ord| one.push(ord));
        let want: Vec<u32> = found
            .iter()
            .filter(|(a, _)| *a == at)
            .map(|(_, o)| *o)
            .collect();
        assert_eq!(one, want, "probe {at}");
    }
    let mut none = Vec::new();
    ix.candidates_of(&[], &mut |at, ord| none.push((at, ord)));
    assert!(none.is_empty());
}

#[test]
fn the_filter_keeps_every_key_through_growth_removal_and_compaction() {
    // Thousands of keys of each kind grow the filter several times over; removing most of
    // them compacts the tables and rebuilds it. Every key still held must reach its table,
    // every removed one must not match, and a block behind an address the filter does not
    // hold must still be found.
    let n: u32 = 3_000;
    let mut ix = Index::new();
    let mut ords = Vec::new();
    for i in 0..n {
        let (a, b) = (i / 250, i % 250);
        let ip = ix.insert(
            &crate::validate(&format!("[ipv4-addr:value = '203.0.{a}.{b}']")).expect("test value"),
        );
        let name = ix.insert(
            &crate::validate(&format!("[domain-name:value = 'host{i}.example']"))
                .expect("test value"),
        );
        let hash = ix.insert(
            &crate::validate(&format!("[file:hashes.MD5 = '{i:032x}']")).expect("test value"),
        );
        ords.push((i, ip, name, hash));
    }
    let block = ix.insert(
        &crate::validate("[ipv4-addr:value ISSUBSET '198.51.100.0/24']").expect("test value"),
    );
    let bytes_grown = ix.filter.heap_bytes();
    assert!(
        bytes_grown >= (3 * n as usize) * 10 / 8,
        "filter sized for its keys: {bytes_grown}"
    );

    let probe = |ix: &Index, i: u32| {
        let (a, b) = (i / 250, i % 250);
        let (ip, name, hash) = (
            format!("203.0.{a}.{b}"),
            format!("HOST{i}.example"),
            format!("{i:032X}"),
        );
        let probes = [
            Probe {
                field: ProbeField::Ip,
                value: &ip,
            },
            Probe {
                field: ProbeField::Domain,
                value: &name,
            },
            Probe {
                field: ProbeField::Hash,
                value: &hash,
            },
        ];
        let mut out = Vec::new();
        ix.candidates_of(&probes, &mut |_, o| out.push(o));
        out.sort_unstable();
        out
    };
    for &(i, ip, name, hash) in &ords {
        assert_eq!(probe(&ix, i), [ip, name, hash], "value {i}");
    }
    for &(i, ip, name, hash) in &ords {
        if i % 4 != 0 {
            ix.remove(ip);
            ix.remove(name);
            ix.remove(hash);
        }
    }
    assert!(
        ix.filter.heap_bytes() < bytes_grown,
        "compaction rebuilt the filter smaller"
    );
    for &(i, ip, name, hash) in &ords {
        let want = if i % 4 == 0 {
            vec![ip, name, hash]
        } else {
            vec![]
        };
        assert_eq!(probe(&ix, i), want, "value {i} after removals");
    }
    assert_eq!(
        scan_one(&ix, &[p(ProbeField::Ip, "198.51.100.77")], &[], json!(null)),
        [block]
    );
    assert_eq!(
        probe(&ix, n + 7),
        Vec::<u32>::new(),
        "a value never inserted"
    );
}
