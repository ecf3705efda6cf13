//! Zeek's tab-separated logs: the `#separator`, `#set_separator`, `#unset_field`,
//! `#empty_field` and `#fields` header lines, then one record per line. Which columns hold
//! what comes from their names, so conn, dns, http, files, ssl and notice logs (and any log
//! with those fields) are read alike; the field roles are shared with Zeek's JSON logs.

use charter_pattern::index::{Field, classify};

use super::bytes::{Fields, contains_each, each_field};
use super::{Input, Reader, Record};
use crate::{Error, ErrorKind, Result};

/// What a Zeek field holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// The record's time (`ts`).
    Time,
    /// IP addresses (a set in `tx_hosts`).
    Ip,
    /// A DNS name (`query`, `server_name`).
    Domain,
    /// The HTTP `Host` header: a name or an address, maybe with a port.
    Host,
    /// The HTTP request URI, joined to the host.
    Uri,
    /// A hash (`md5`, `sha1`, `sha256`).
    Hash,
    /// DNS answers: addresses or names.
    Answers,
}

/// The role of a Zeek field name, if it holds anything a scan compares.
pub fn role(name: &str) -> Option<Role> {
    Some(match name {
        "ts" => Role::Time,
        "id.orig_h" | "id.resp_h" | "tx_hosts" | "rx_hosts" | "src" | "dst" => Role::Ip,
        "query" | "server_name" => Role::Domain,
        "host" => Role::Host,
        "uri" => Role::Uri,
        "md5" | "sha1" | "sha256" => Role::Hash,
        "answers" => Role::Answers,
        _ => return None,
    })
}

/// Pushes the values of one field into `record`. `host` is the record's HTTP host, for
/// URIs.
pub fn push(record: &mut Record, role: Role, value: &str, set_separator: char, host: Option<&str>) {
    match role {
        Role::Time => {
            if let Some(t) = epoch_micros(value) {
                record.time = t;
            }
        }
        Role::Ip => {
            let (set, colon) = match u8::try_from(set_separator) {
                Ok(b) => contains_each(value.as_bytes(), b, b':'),
                Err(_) => (value.contains(set_separator), value.contains(':')),
            };
            if set {
                for v in value.split(set_separator) {
                    record.push(Field::Ip, v);
                }
            } else {
                // One address, the common case: no splitting, and its type from the scan.
                let ty = if colon { "ipv6-addr" } else { "ipv4-addr" };
                record.push_as(Field::Ip, value, ty);
            }
        }
        Role::Domain => record.push_as(Field::Domain, value, "domain-name"),
        Role::Host => push_host(record, value),
        Role::Uri => {
            if let Some(host) = host {
                let url = format!("http://{host}{value}");
                record.push(Field::Url, &url);
            }
        }
        Role::Hash => record.push_as(Field::Hash, value, "file"),
        Role::Answers => {
            for v in value.split(set_separator) {
                match classify(v) {
                    Some(Field::Ip) => record.push(Field::Ip, v),
                    Some(Field::Domain) => record.push(Field::Domain, v),
                    _ => {}
                }
            }
        }
    }
}

/// A host header: an address (IPv6 in brackets) or a name, either with an optional port.
pub fn push_host(record: &mut Record, value: &str) {
    let bytes = value.as_bytes();
    let bare = if let Some(rest) = value.strip_prefix('[') {
        rest.split_once(']').map_or(rest, |(a, _)| a)
    } else {
        match bytes.iter().position(|&b| b == b':') {
            // Exactly one colon: a name or an IPv4 address with a port.
            Some(i) if !bytes[i + 1..].contains(&b':') => value.get(..i).unwrap_or(value),
            _ => value,
        }
    };
    if may_be_ip(bare) && charter_pattern::index::parse_ip(bare).is_some() {
        record.push(Field::Ip, bare);
    } else {
        record.push_as(Field::Domain, bare, "domain-name");
    }
}

/// Whether `value` is made only of what an address or block is written with (after the
/// white space `parse_ip` trims): a name with any other letter is refused without parsing.
fn may_be_ip(value: &str) -> bool {
    super::trim(value)
        .bytes()
        .all(|b| b.is_ascii_hexdigit() || matches!(b, b'.' | b':' | b'/'))
}

/// Microseconds since the epoch of a `ts` value: [`crate::time::parse_epoch_seconds`],
/// with the usual form (digits, a dot, digits) read here without its general parsing.
fn epoch_micros(value: &str) -> Option<i64> {
    let b = value.as_bytes();
    let dot = b.iter().position(|&c| c == b'.').unwrap_or(b.len());
    let (whole, frac) = (&b[..dot], b.get(dot + 1..).unwrap_or_default());
    // Up to 18 digits cannot overflow an i64; anything else takes the general way.
    if whole.is_empty() || whole.len() > 18 || !whole.iter().all(u8::is_ascii_digit) {
        return crate::time::parse_epoch_seconds(value);
    }
    let secs = whole
        .iter()
        .fold(0i64, |n, &c| n * 10 + i64::from(c - b'0'));
    let (mut micros, mut scale) = (0i64, 100_000i64);
    for &c in frac.iter().take(6) {
        if !c.is_ascii_digit() {
            return None;
        }
        micros += i64::from(c - b'0') * scale;
        scale /= 10;
    }
    secs.checked_mul(1_000_000)?.checked_add(micros)
}

/// A reader of Zeek TSV logs.
pub struct ZeekReader {
    input: Input,
    position: u64,
    layout: Layout,
}

/// What the header lines said: the separators, the unset and empty markers, and the role
/// of each column.
struct Layout {
    separator: Vec<u8>,
    set_separator: char,
    unset: Vec<u8>,
    empty: Vec<u8>,
    /// The role of each column, by position.
    columns: Vec<Option<Role>>,
    /// The column names, for messages.
    names: Vec<String>,
    /// The number of columns up to the last with a role: the rest of a line is not split.
    read_columns: usize,
}

impl ZeekReader {
    /// A reader over `input`.
    pub fn new(input: Input) -> ZeekReader {
        ZeekReader {
            input,
            position: 0,
            layout: Layout {
                separator: b"\t".to_vec(),
                set_separator: ',',
                unset: b"-".to_vec(),
                empty: b"(empty)".to_vec(),
                columns: Vec::new(),
                names: Vec::new(),
                read_columns: 0,
            },
        }
    }
}

impl Layout {
    /// Takes in one header line (`#...`); lines of other keys (`#path`, `#open`) are skipped.
    fn header(&mut self, line: &[u8], position: u64) -> Result<()> {
        // The key ends at a space or a tab (as `#separator` is written), or at the separator.
        let blank = line.iter().position(|&b| b == b' ' || b == b'\t');
        let sep = super::bytes::find_bytes(&self.separator, line);
        let (key, rest) = match (blank, sep) {
            (Some(b), Some(s)) if s < b => (&line[..s], &line[s + self.separator.len()..]),
            (Some(b), _) => (&line[..b], &line[b + 1..]),
            (None, Some(s)) => (&line[..s], &line[s + self.separator.len()..]),
            (None, None) => (line, &b""[..]),
        };
        // The first field of the rest (the whole rest when it has no separator).
        let first = Fields::new(rest, &self.separator)
            .next()
            .unwrap_or_default();
        match key {
            b"#separator" => {
                let rest = String::from_utf8_lossy(rest);
                self.separator = unescape(rest.trim()).ok_or_else(|| {
                    Error::new(
                        ErrorKind::BadRecord,
                        format!("line {position}: #separator '{rest}' is not a separator"),
                    )
                })?;
            }
            b"#set_separator" => {
                self.set_separator = String::from_utf8_lossy(first).chars().next().unwrap_or(',');
            }
            b"#unset_field" => self.unset = first.to_vec(),
            b"#empty_field" => self.empty = first.to_vec(),
            b"#fields" => {
                self.names = Fields::new(line, &self.separator)
                    .skip(1)
                    .map(|n| String::from_utf8_lossy(n).into_owned())
                    .collect();
                self.columns = self.names.iter().map(|n| role(n)).collect();
                self.read_columns = self
                    .columns
                    .iter()
                    .rposition(Option::is_some)
                    .map_or(0, |i| i + 1);
            }
            _ => {}
        }
        Ok(())
    }

    /// Reads one record line into `record`. The line is checked as UTF-8 once, whole;
    /// when that fails, only the fields read are checked, so a bad byte in a column nobody
    /// reads is no error.
    fn record(&self, line: &[u8], position: u64, record: &mut Record) -> Result<()> {
        record.clear();
        record.position = position;
        let text = match std::str::from_utf8(line) {
            Ok(text) => text,
            Err(e) => std::str::from_utf8(&line[..e.valid_up_to()]).unwrap_or_default(),
        };
        let (mut host, mut uri) = (None, None);
        each_field(line, &self.separator, self.read_columns, |i, raw| {
            let Some(Some(role)) = self.columns.get(i) else {
                return Ok(());
            };
            if raw == self.unset.as_slice() || raw == self.empty.as_slice() {
                return Ok(());
            }
            let at = raw.as_ptr() as usize - line.as_ptr() as usize;
            let value = match text.get(at..at + raw.len()) {
                Some(value) => value,
                None => std::str::from_utf8(raw).map_err(|e| {
                    let name = self.names.get(i).map_or("?", String::as_str);
                    Error::new(
                        ErrorKind::BadRecord,
                        format!(
                            "line {position}: field '{name}' is not UTF-8 (a bad byte after {} bytes)",
                            e.valid_up_to()
                        ),
                    )
                })?,
            };
            match role {
                Role::Uri => uri = Some(value),
                Role::Host => {
                    host = Some(value);
                    push_host(record, value);
                }
                _ => push(record, *role, value, self.set_separator, None),
            }
            Ok(())
        })?;
        if let (Some(h), Some(u)) = (host, uri) {
            record.push_joined(Field::Url, &["http://", h, u]);
        }
        Ok(())
    }
}

/// `\x09` and friends, as Zeek writes its separator.
fn unescape(s: &str) -> Option<Vec<u8>> {
    if let Some(hex) = s.strip_prefix("\\x") {
        let b = u8::from_str_radix(hex, 16).ok()?;
        return Some(vec![b]);
    }
    if s.is_empty() {
        None
    } else {
        Some(s.as_bytes().to_vec())
    }
}

impl Reader for ZeekReader {
    fn next_record(&mut self, record: &mut Record) -> Result<bool> {
        loop {
            self.position += 1;
            let position = self.position;
            let Some(line) = self.input.line(position)? else {
                return Ok(false);
            };
            if line.first() == Some(&b'#') {
                self.layout.header(line, position)?;
                continue;
            }
            if line.is_empty() {
                continue;
            }
            if self.layout.columns.is_empty() {
                return Err(Error::new(
                    ErrorKind::BadRecord,
                    format!("line {position}: a Zeek record before any #fields header"),
                ));
            }
            self.layout.record(line, position, record)?;
            return Ok(true);
        }
    }

    fn bytes_read(&self) -> u64 {
        self.input.bytes_read()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    type Read = (u64, i64, Vec<(String, String)>);

    /// Every record of `data` read as a Zeek log, and the messages of the bad ones.
    fn read(data: &[u8]) -> (Vec<Read>, Vec<String>) {
        let input = super::super::open_input(Box::new(std::io::Cursor::new(data.to_vec())))
            .expect("test value");
        let mut reader = ZeekReader::new(input);
        let mut record = Record::default();
        let (mut out, mut bad) = (Vec::new(), Vec::new());
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

    fn values(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
            .collect()
    }

    const HEAD: &str = "#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n\
                        #unset_field\t-\n#fields\tts\tuid\tid.orig_h\thost\turi\tsha1\n";

    #[test]
    fn crlf_and_a_last_line_without_a_break() {
        let data = format!(
            "{}\r\n1.5\tC1\t10.0.0.1\tx.example\t/a\tAB12\r\n\r\n2\tC2\t10.0.0.2\ty.example\t/b\tCD34",
            HEAD.trim_end().replace('\n', "\r\n")
        );
        let (records, bad) = read(data.as_bytes());
        assert!(bad.is_empty(), "{bad:?}");
        assert_eq!(
            records,
            [
                (
                    6,
                    1_500_000,
                    values(&[
                        ("ip", "10.0.0.1"),
                        ("domain", "x.example"),
                        ("hash", "AB12"),
                        ("url", "http://x.example/a"),
                    ])
                ),
                (
                    8,
                    2_000_000,
                    values(&[
                        ("ip", "10.0.0.2"),
                        ("domain", "y.example"),
                        ("hash", "CD34"),
                        ("url", "http://y.example/b"),
                    ])
                ),
            ]
        );
    }

    #[test]
    fn unset_and_empty_fields_are_left_out_and_their_markers_are_the_headers() {
        let data = format!(
            "{HEAD}-\t-\t-\t(empty)\t/a\t-\n\
             #unset_field\tNONE\n#empty_field\tEMPTY\n\
             1\tC1\t-\tNONE\t/a\tEMPTY\n"
        );
        let (records, bad) = read(data.as_bytes());
        assert!(bad.is_empty(), "{bad:?}");
        // No host, so the URI makes no URL; no time either.
        assert_eq!(records[0], (6, 0, vec![]));
        // With other markers, '-' is a value like any other.
        assert_eq!(records[1], (9, 1_000_000, values(&[("ip", "-")])));
    }

    #[test]
    fn sets_split_at_the_set_separator() {
        let data = "#fields\ttx_hosts\tanswers\n\
                    10.0.0.1,10.0.0.2\tx.example,198.51.100.7,not a name\n\
                    #set_separator\t;\n\
                    10.0.0.3;2001:db8::1\t-\n";
        let (records, bad) = read(data.as_bytes());
        assert!(bad.is_empty(), "{bad:?}");
        assert_eq!(
            records[0].2,
            values(&[
                ("ip", "10.0.0.1"),
                ("ip", "10.0.0.2"),
                ("domain", "x.example"),
                ("ip", "198.51.100.7"),
            ])
        );
        assert_eq!(
            records[1].2,
            values(&[("ip", "10.0.0.3"), ("ip", "2001:db8::1")])
        );
    }

    #[test]
    fn bytes_that_are_not_utf8_matter_only_in_a_field_that_is_read() {
        let mut data = HEAD.as_bytes().to_vec();
        data.extend_from_slice(b"1\tC\xff\xfe1\t10.0.0.1\tx.example\t/a\tAB\n");
        data.extend_from_slice(b"2\tC2\t10.0.0.2\tx\xe9.example\t/a\tAB\n");
        data.extend_from_slice(b"3\tC3\t10.0.0.3\tx.example\t/a\tAB\t\xc3(\n");
        let (records, bad) = read(&data);
        assert_eq!(
            bad,
            ["line 7: field 'host' is not UTF-8 (a bad byte after 1 bytes)"]
        );
        assert_eq!(records.len(), 2);
        assert_eq!(records[0].0, 6);
        assert_eq!(records[0].2[0], ("ip".into(), "10.0.0.1".into()));
        assert_eq!(records[1].0, 8);
        assert_eq!(records[1].2.len(), 4);
    }

    #[test]
    fn a_very_long_line_is_read_whole() {
        let agent = "A".repeat(700_000);
        let data = format!(
            "#fields\tts\tuser_agent\tid.resp_h\n1\t{agent}\t198.51.100.7\n2\t-\t10.0.0.1\n"
        );
        let (records, bad) = read(data.as_bytes());
        assert!(bad.is_empty(), "{bad:?}");
        assert_eq!(records[0].2, values(&[("ip", "198.51.100.7")]));
        assert_eq!(records[1].2, values(&[("ip", "10.0.0.1")]));
    }

    #[test]
    fn a_separator_of_several_bytes_and_columns_past_the_last_read() {
        let data = "#separator ||\n#fields||id.orig_h||uid||query||note\n\
                    10.0.0.1||C|1||x.example||a|b||c\n10.0.0.2\n";
        let (records, bad) = read(data.as_bytes());
        assert!(bad.is_empty(), "{bad:?}");
        assert_eq!(
            records[0].2,
            values(&[("ip", "10.0.0.1"), ("domain", "x.example")])
        );
        // A line with fewer columns has what it has.
        assert_eq!(records[1].2, values(&[("ip", "10.0.0.2")]));
    }

    #[test]
    fn header_problems_are_named() {
        let (records, bad) = read(b"10.0.0.1\n#separator\n#fields\tsrc\n10.0.0.2\n");
        assert_eq!(
            bad,
            [
                "line 1: a Zeek record before any #fields header",
                "line 2: #separator '' is not a separator",
            ]
        );
        assert_eq!(records, [(4, 0, values(&[("ip", "10.0.0.2")]))]);
    }

    #[test]
    fn the_epoch_parser_agrees_with_the_general_one() {
        for ts in [
            "1709294400.500000",
            "1709294400.5",
            "1709294400",
            "1709294400.",
            "1709294400.1234567",
            "1709294400.12345x7",
            "1709294400.12x",
            ".5",
            "",
            "+1709294400.25",
            "-12.5",
            "12a.5",
            "999999999999999999.999999",
            "9999999999999999999.5",
            "99999999999999.5",
            "1.2.3",
            "٣.5",
        ] {
            assert_eq!(
                epoch_micros(ts),
                crate::time::parse_epoch_seconds(ts),
                "{ts:?}"
            );
        }
    }

    /// The host rule as first written, with nothing skipped: the reference for `push_host`.
    fn host_by_the_book(value: &str) -> (String, String) {
        let bare = if let Some(rest) = value.strip_prefix('[') {
            rest.split_once(']').map_or(rest, |(a, _)| a)
        } else if value.matches(':').count() == 1 {
            value.split_once(':').map_or(value, |(h, _)| h)
        } else {
            value
        };
        let field = if charter_pattern::index::parse_ip(bare).is_some() {
            "ip"
        } else {
            "domain"
        };
        (field.to_owned(), bare.trim().to_owned())
    }

    #[test]
    fn hosts_are_told_apart_as_the_rule_says() {
        for host in [
            "bad.example",
            "bad.example:8080",
            "198.51.100.7",
            "198.51.100.7:80",
            "[2001:db8::1]:443",
            "[2001:db8::1]",
            "2001:db8::1",
            "cafe.be",
            "cafe.be:80",
            "dead:beef",
            "10.0.0.0/8",
            " 10.0.0.1",
            "\u{a0}10.0.0.1",
            "::ffff:10.0.0.1",
            "xn--bcher-kva.example",
        ] {
            let mut record = Record::default();
            push_host(&mut record, host);
            let got: Vec<(String, String)> = record
                .values()
                .map(|(f, v)| (f.name().to_owned(), v.to_owned()))
                .collect();
            assert_eq!(got, [host_by_the_book(host)], "{host:?}");
            assert_eq!(
                record.types(),
                [super::super::sco_type(
                    &match got[0].0.as_str() {
                        "ip" => Field::Ip,
                        _ => Field::Domain,
                    },
                    &got[0].1
                )]
            );
        }
    }
}
