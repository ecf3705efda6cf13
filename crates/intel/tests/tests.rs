//! Integration tests of the readers: each input format on a small file in `test_data/`,
//! read as a scan reads it.

use charter_intel::input::{self, InputFormat, Record};
use charter_pattern::index::Field;

/// One record as read: position, time, (field, value) pairs.
type Read = (u64, i64, Vec<(String, String)>);

/// Every record of `file` as (position, time, values), and the bad-record messages.
fn read(file: &str, format: InputFormat, columns: Option<&[&str]>) -> (Vec<Read>, Vec<String>) {
    let path = format!("{}/test_data/{file}", env!("CARGO_MANIFEST_DIR"));
    let source = Box::new(std::fs::File::open(&path).expect("test value"));
    let mapping =
        columns.map(|c| input::csv::Mapping::parse(c.iter().copied()).expect("test value"));
    let mut reader = input::reader(
        format,
        input::open_input(source).expect("test value"),
        mapping,
    )
    .expect("test value");
    let mut record = Record::default();
    let mut out = Vec::new();
    let mut bad = Vec::new();
    loop {
        match reader.next_record(&mut record) {
            Ok(true) => out.push((
                record.position,
                record.time,
                record
                    .values()
                    .map(|(f, v)| (f.name().to_owned(), v.to_owned()))
                    .collect(),
            )),
            Ok(false) => break,
            Err(e) => bad.push(e.message().to_owned()),
        }
    }
    (out, bad)
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
        .collect()
}

#[test]
fn zeek_conn_tsv_plain_and_gzip() {
    for file in ["conn.log", "conn.log.gz"] {
        let (records, bad) = read(file, InputFormat::Auto, None);
        assert!(bad.is_empty(), "{bad:?}");
        assert_eq!(records.len(), 2);
        assert_eq!(
            records[0],
            (
                9,
                1_709_294_400_500_000,
                pairs(&[("ip", "10.0.0.5"), ("ip", "198.51.100.7")])
            )
        );
        assert_eq!(
            records[1].2,
            pairs(&[("ip", "10.0.0.5"), ("ip", "2001:db8::1")])
        );
    }
}

#[test]
fn zeek_http_joins_host_and_uri() {
    let (records, _) = read("http.log", InputFormat::Zeek, None);
    assert_eq!(
        records[0].2,
        pairs(&[
            ("ip", "10.0.0.5"),
            ("ip", "203.0.113.9"),
            ("domain", "bad.example"),
            ("url", "http://bad.example:8080/payload.bin"),
        ])
    );
}

#[test]
fn zeek_files_hash_and_host_sets() {
    let (records, _) = read("files.log", InputFormat::Auto, None);
    assert_eq!(
        records[0].2,
        pairs(&[
            ("ip", "203.0.113.9"),
            ("ip", "203.0.113.10"),
            ("ip", "10.0.0.5"),
            ("hash", "D41D8CD98F00B204E9800998ECF8427E"),
        ])
    );
}

#[test]
fn zeek_dns_json() {
    let (records, _) = read("dns.json", InputFormat::Auto, None);
    let values = &records[0].2;
    assert!(values.contains(&("domain".into(), "Evil.Example".into())));
    assert!(values.contains(&("ip".into(), "198.51.100.7".into())));
    assert!(values.contains(&("domain".into(), "cdn.example".into())));
    assert_eq!(records[0].1, 1_709_294_404_250_000);
}

#[test]
fn suricata_eve() {
    let (records, bad) = read("eve.json", InputFormat::Json, None);
    assert!(bad.is_empty(), "{bad:?}");
    assert_eq!(records.len(), 4);
    assert!(
        records[0]
            .2
            .contains(&("domain".into(), "evil.example".into()))
    );
    assert!(
        records[1]
            .2
            .contains(&("url".into(), "http://bad.example/payload.bin".into()))
    );
    assert!(
        records[2]
            .2
            .contains(&("hash".into(), "d41d8cd98f00b204e9800998ecf8427e".into()))
    );
    assert!(
        records[3]
            .2
            .contains(&("domain".into(), "c2.bad.example".into()))
    );
    assert_eq!(records[0].1, 1_709_294_405_000_000);
}

#[test]
fn stix_observed_data_resolves_refs_and_embeds() {
    let (records, bad) = read("observed.jsonl", InputFormat::Auto, None);
    assert!(bad.is_empty(), "{bad:?}");
    assert_eq!(records.len(), 3);
    assert_eq!(records[1].2, pairs(&[("ip", "198.51.100.7")]));
    assert_eq!(records[1].0, 2);
    assert!(records[2].2.contains(&(
        "hash".into(),
        "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855".into()
    )));
    assert!(
        records[2]
            .2
            .contains(&("file:name".into(), "empty.bin".into()))
    );
}

#[test]
fn csv_by_header_names() {
    let (records, _) = read(
        "proxy.csv",
        InputFormat::Csv,
        Some(&["time=time", "destination=ip", "site=domain"]),
    );
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].0, 2);
    assert_eq!(
        records[0].2,
        pairs(&[("ip", "198.51.100.7"), ("domain", "bad.example, inc")])
    );
}

#[test]
fn csv_mapping_errors_name_the_item() {
    let err = input::csv::Mapping::parse(["2=colour"]).expect_err("an error");
    assert!(
        err.message()
            .starts_with("--column '2=colour': 'colour' is not ip"),
        "{}",
        err.message()
    );
    let err = input::csv::Mapping::parse(["0=ip"]).expect_err("an error");
    assert_eq!(
        err.message(),
        "--column '0=ip': columns are numbered from 1"
    );
}

#[test]
fn plain_values_are_classified_and_bad_lines_named() {
    let (records, bad) = read("values.txt", InputFormat::Auto, None);
    let fields: Vec<String> = records.iter().map(|r| r.2[0].0.clone()).collect();
    assert_eq!(fields, ["ip", "domain", "url", "hash"]);
    assert_eq!(
        bad,
        ["line 6: 'not a value' is not an address, domain name, URL, e-mail address or hash"]
    );
}

#[test]
fn records_build_stix_the_evaluator_reads() {
    let mut record = Record::default();
    record.push(Field::Domain, "evil.example");
    record.push(Field::Hash, "d41d8cd98f00b204e9800998ecf8427e");
    let stix = record.to_stix();
    for pattern in [
        "[domain-name:value = 'evil.example']",
        "[file:hashes.MD5 = 'd41d8cd98f00b204e9800998ecf8427e']",
    ] {
        let p = charter_pattern::validate(pattern).expect("test value");
        assert!(
            charter_pattern::matches(&p, std::slice::from_ref(&stix)).expect("test value"),
            "{pattern}"
        );
    }
}
