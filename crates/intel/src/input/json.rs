//! JSON Lines, told apart line by line: STIX (observed-data, SCOs, bundles of them), Suricata
//! `eve.json` (a line with `event_type`), and Zeek logs written as JSON (anything else).
//!
//! STIX observed-data that names its SCOs by `object_refs` is resolved against the SCOs of
//! earlier lines, of which the last [`SCO_CACHE`] are kept, so memory stays bounded.

use std::collections::VecDeque;

use charter_pattern::index::Field;
use foldhash::HashMap;
use serde_json::{Map, Value, json};

use super::zeek::{self, Role};
use super::{Input, Reader, Record};
use crate::{Error, ErrorKind, Result};

/// How many recent SCOs are kept for `object_refs`.
pub const SCO_CACHE: usize = 10_000;

/// A reader of JSON Lines.
pub struct JsonReader {
    input: Input,
    position: u64,
    scos: HashMap<String, Value>,
    order: VecDeque<String>,
}

impl JsonReader {
    /// A reader over `input`.
    pub fn new(input: Input) -> JsonReader {
        JsonReader {
            input,
            position: 0,
            scos: HashMap::default(),
            order: VecDeque::new(),
        }
    }

    fn remember(&mut self, id: &str, sco: &Value) {
        if self.scos.len() >= SCO_CACHE {
            if let Some(old) = self.order.pop_front() {
                self.scos.remove(&old);
            }
        }
        if self.scos.insert(id.to_owned(), sco.clone()).is_none() {
            self.order.push_back(id.to_owned());
        }
    }

    fn stix(&mut self, record: &mut Record, value: Value) {
        let ty = value
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or_default();
        if ty == "observed-data" {
            let mut objects = Map::new();
            if let Some(Value::Object(embedded)) = value.get("objects") {
                objects = embedded.clone();
            }
            if let Some(Value::Array(refs)) = value.get("object_refs") {
                for r in refs.iter().filter_map(Value::as_str) {
                    if let Some(sco) = self.scos.get(r) {
                        objects.insert(r.to_owned(), sco.clone());
                    }
                }
            }
            for sco in objects.values() {
                push_sco(record, sco);
            }
            if let Some(t) = value
                .get("first_observed")
                .and_then(Value::as_str)
                .and_then(crate::time::parse_rfc3339)
            {
                record.time = t;
            }
            let mut od = value;
            if let Value::Object(m) = &mut od {
                m.remove("object_refs");
                m.insert("objects".to_owned(), Value::Object(objects));
            }
            record.stix = Some(od);
        } else {
            if let Some(id) = value.get("id").and_then(Value::as_str) {
                let id = id.to_owned();
                self.remember(&id, &value);
            }
            push_sco(record, &value);
            let mut objects = Map::new();
            objects.insert("0".to_owned(), value);
            let time = charter_stix::Timestamp::from_unix_micros(record.time);
            record.stix = Some(json!({
                "type": "observed-data", "spec_version": "2.1",
                "id": "observed-data--00000000-0000-4000-8000-000000000000",
                "first_observed": time.as_str(), "last_observed": time.as_str(),
                "number_observed": 1, "objects": objects,
            }));
        }
    }
}

/// Pushes the values of one SCO: `value` classified by its type, every hash, and the other
/// top-level string properties by path.
fn push_sco(record: &mut Record, sco: &Value) {
    let Some(map) = sco.as_object() else {
        return;
    };
    let ty = map.get("type").and_then(Value::as_str).unwrap_or_default();
    for (key, v) in map {
        match (key.as_str(), v) {
            ("type" | "id" | "spec_version" | "defanged", _) => {}
            ("hashes", Value::Object(hashes)) => {
                for (alg, h) in hashes {
                    if let Some(h) = h.as_str() {
                        record.push(Field::of_parts(ty, &["hashes", alg]), h);
                    }
                }
            }
            (_, Value::String(s)) => record.push(Field::of_parts(ty, &[key]), s),
            _ => {}
        }
    }
}

/// Pushes the values of one Suricata EVE event.
fn suricata(record: &mut Record, event: &Map<String, Value>) {
    fn s(v: Option<&Value>) -> Option<&str> {
        v.and_then(Value::as_str)
    }
    if let Some(t) = s(event.get("timestamp")).and_then(crate::time::parse_rfc3339) {
        record.time = t;
    }
    for key in ["src_ip", "dest_ip"] {
        if let Some(ip) = s(event.get(key)) {
            record.push(Field::Ip, ip);
        }
    }
    if let Some(Value::Object(dns)) = event.get("dns") {
        if let Some(name) = s(dns.get("rrname")) {
            record.push(Field::Domain, name);
        }
        for list in ["queries", "answers"] {
            if let Some(Value::Array(items)) = dns.get(list) {
                for item in items {
                    if let Some(name) = s(item.get("rrname")) {
                        record.push(Field::Domain, name);
                    }
                    if let Some(data) = s(item.get("rdata")) {
                        zeek::push(record, Role::Answers, data, ',', None);
                    }
                }
            }
        }
    }
    if let Some(Value::Object(http)) = event.get("http") {
        let host = s(http.get("hostname"));
        if let Some(h) = host {
            zeek::push_host(record, h);
        }
        if let (Some(h), Some(url)) = (host, s(http.get("url"))) {
            record.push(Field::Url, &format!("http://{h}{url}"));
        }
    }
    if let Some(sni) = event.get("tls").and_then(|t| s(t.get("sni"))) {
        record.push(Field::Domain, sni);
    }
    if let Some(Value::Object(file)) = event.get("fileinfo") {
        for key in ["md5", "sha1", "sha256"] {
            if let Some(h) = s(file.get(key)) {
                record.push(Field::Hash, h);
            }
        }
    }
}

/// Pushes the values of one Zeek JSON record.
fn zeek_json(record: &mut Record, map: &Map<String, Value>) {
    let host = map.get("host").and_then(Value::as_str);
    for (key, v) in map {
        let Some(role) = zeek::role(key) else {
            continue;
        };
        match v {
            Value::String(s) => zeek::push(record, role, s, ',', host),
            Value::Number(n) if role == Role::Time => {
                if let Some(f) = n.as_f64() {
                    #[allow(clippy::cast_possible_truncation)] // Saturating by `as`.
                    let t = (f * 1e6) as i64;
                    record.time = t;
                }
            }
            Value::Array(items) => {
                for item in items.iter().filter_map(Value::as_str) {
                    zeek::push(record, role, item, ',', host);
                }
            }
            _ => {}
        }
    }
}

impl Reader for JsonReader {
    fn next_record(&mut self, record: &mut Record) -> Result<bool> {
        loop {
            self.position += 1;
            let position = self.position;
            let Some(line) = self.input.line(position)? else {
                return Ok(false);
            };
            if is_blank(line) {
                continue;
            }
            record.clear();
            record.position = position;
            // serde_json checks the UTF-8 of what it reads as text.
            let value: Value = serde_json::from_slice(line).map_err(|e| {
                Error::new(
                    ErrorKind::BadRecord,
                    format!("line {position}: not JSON: {e}"),
                )
            })?;
            let Value::Object(map) = &value else {
                return Err(Error::new(
                    ErrorKind::BadRecord,
                    format!("line {}: a JSON value that is not an object", self.position),
                ));
            };
            if map.contains_key("event_type") {
                suricata(record, map);
            } else if is_stix(map) {
                if map.get("type").and_then(Value::as_str) == Some("bundle") {
                    // A bundle on one line: its SCOs are remembered, its observed-data (the
                    // first) is the record.
                    let objects = map
                        .get("objects")
                        .and_then(Value::as_array)
                        .cloned()
                        .unwrap_or_default();
                    let mut observed = None;
                    for o in objects {
                        if o.get("type").and_then(Value::as_str) == Some("observed-data") {
                            observed.get_or_insert(o);
                        } else if let Some(id) = o.get("id").and_then(Value::as_str) {
                            let id = id.to_owned();
                            self.remember(&id, &o);
                        }
                    }
                    if let Some(o) = observed {
                        self.stix(record, o);
                    }
                } else {
                    self.stix(record, value);
                }
            } else {
                zeek_json(record, map);
            }
            return Ok(true);
        }
    }

    fn bytes_read(&self) -> u64 {
        self.input.bytes_read()
    }
}

/// Whether `line` is only white space (as `str::trim` sees it), looking at the bytes and
/// decoding only when the first byte that is not ASCII white space is not ASCII.
fn is_blank(line: &[u8]) -> bool {
    match line
        .iter()
        .position(|&b| !matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c))
    {
        None => true,
        Some(i) if line[i].is_ascii() => false,
        Some(_) => std::str::from_utf8(line).is_ok_and(|s| s.trim().is_empty()),
    }
}

fn is_stix(map: &Map<String, Value>) -> bool {
    let Some(ty) = map.get("type").and_then(Value::as_str) else {
        return false;
    };
    ty == "bundle"
        || ty == "observed-data"
        || map
            .get("id")
            .and_then(Value::as_str)
            .is_some_and(|id| id.strip_prefix(ty).is_some_and(|r| r.starts_with("--")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(data: &[u8]) -> (Vec<(u64, Vec<String>)>, Vec<String>) {
        let input = super::super::open_input(Box::new(std::io::Cursor::new(data.to_vec())))
            .expect("test value");
        let mut reader = JsonReader::new(input);
        let mut record = Record::default();
        let (mut out, mut bad) = (Vec::new(), Vec::new());
        loop {
            match reader.next_record(&mut record) {
                Ok(true) => out.push((
                    record.position,
                    record.values().map(|(_, v)| v.to_owned()).collect(),
                )),
                Ok(false) => break,
                Err(e) => bad.push(e.message().to_owned()),
            }
        }
        (out, bad)
    }

    #[test]
    fn a_line_that_is_not_utf8_is_one_bad_record() {
        let mut data = b"{\"src_ip\": \"10.0.0.1\", \"event_type\": \"flow\"}\r\n".to_vec();
        data.extend_from_slice(b"{\"query\": \"x\xff.example\"}\n");
        data.extend_from_slice(b"  \t\r\n\n");
        data.extend_from_slice("\u{a0}\u{2003}\n".as_bytes());
        data.extend_from_slice(b"{\"query\": \"y.example\"}");
        let (records, bad) = read(&data);
        assert_eq!(
            records,
            [
                (1, vec!["10.0.0.1".to_owned()]),
                (6, vec!["y.example".to_owned()])
            ]
        );
        assert_eq!(bad.len(), 1);
        assert!(bad[0].starts_with("line 2: not JSON: "), "{bad:?}");
    }

    #[test]
    fn blank_is_what_trim_calls_blank() {
        for b in 0..=0x7fu8 {
            let line = [b' ', b, b'\t'];
            let text = std::str::from_utf8(&line).expect("test value");
            assert_eq!(is_blank(&line), text.trim().is_empty(), "{b:#x}");
        }
        assert!(is_blank("\u{3000}\u{85} ".as_bytes()));
        assert!(!is_blank(" \u{3000}x".as_bytes()));
        assert!(!is_blank(b" \xff"));
        assert!(is_blank(b""));
    }
}
