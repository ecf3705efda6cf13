//! Zeek's tab-separated logs: the `#separator`, `#set_separator`, `#unset_field`,
//! `#empty_field` and `#fields` header lines, then one record per line. Which columns hold
//! what comes from their names, so conn, dns, http, files, ssl and notice logs (and any log
//! with those fields) are read alike; the field roles are shared with Zeek's JSON logs.

use charter_pattern::index::{Field, classify};

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
            if let Some(t) = crate::time::parse_epoch_seconds(value) {
                record.time = t;
            }
        }
        Role::Ip => {
            for v in value.split(set_separator) {
                record.push(Field::Ip, v);
            }
        }
        Role::Domain => record.push(Field::Domain, value),
        Role::Host => push_host(record, value),
        Role::Uri => {
            if let Some(host) = host {
                let url = format!("http://{host}{value}");
                record.push(Field::Url, &url);
            }
        }
        Role::Hash => record.push(Field::Hash, value),
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
    let bare = if let Some(rest) = value.strip_prefix('[') {
        rest.split_once(']').map_or(rest, |(a, _)| a)
    } else if value.matches(':').count() == 1 {
        value.split_once(':').map_or(value, |(h, _)| h)
    } else {
        value
    };
    if charter_pattern::index::parse_ip(bare).is_some() {
        record.push(Field::Ip, bare);
    } else {
        record.push(Field::Domain, bare);
    }
}

/// A reader of Zeek TSV logs.
pub struct ZeekReader {
    input: Input,
    line: String,
    position: u64,
    separator: String,
    set_separator: char,
    unset: String,
    empty: String,
    /// The role of each column, by position.
    columns: Vec<Option<Role>>,
    /// The separator when it is one character.
    separator_char: Option<char>,
    /// The last column with a role: the rest of a line is not split.
    last_column: usize,
}

impl ZeekReader {
    /// A reader over `input`.
    pub fn new(input: Input) -> ZeekReader {
        ZeekReader {
            input,
            line: String::new(),
            position: 0,
            separator: "\t".to_owned(),
            set_separator: ',',
            unset: "-".to_owned(),
            empty: "(empty)".to_owned(),
            columns: Vec::new(),
            last_column: 0,
            separator_char: Some('\t'),
        }
    }

    fn header(&mut self) -> Result<()> {
        let line = self.line.clone();
        let (key, rest) = match line.split_once([' ', '\t']) {
            Some((k, r)) => (k, r),
            None => (line.as_str(), ""),
        };
        match key {
            "#separator" => {
                self.separator = unescape(rest.trim()).ok_or_else(|| {
                    Error::new(
                        ErrorKind::BadRecord,
                        format!(
                            "line {}: #separator '{rest}' is not a separator",
                            self.position
                        ),
                    )
                })?;
                let mut chars = self.separator.chars();
                self.separator_char = match (chars.next(), chars.next()) {
                    (Some(c), None) => Some(c),
                    _ => None,
                };
            }
            "#set_separator" => {
                self.set_separator = rest
                    .split(&self.separator)
                    .next()
                    .and_then(|s| s.chars().next())
                    .unwrap_or(',');
            }
            "#unset_field" => {
                self.unset = rest.split(&self.separator).next().unwrap_or("-").to_owned()
            }
            "#empty_field" => {
                self.empty = rest
                    .split(&self.separator)
                    .next()
                    .unwrap_or("(empty)")
                    .to_owned();
            }
            "#fields" => {
                let names: Vec<&str> = line.split(&self.separator).skip(1).collect();
                self.columns = names.iter().map(|n| role(n)).collect();
                self.last_column = self.columns.iter().rposition(Option::is_some).unwrap_or(0);
            }
            _ => {}
        }
        Ok(())
    }
}

/// `\x09` and friends, as Zeek writes its separator.
fn unescape(s: &str) -> Option<String> {
    if let Some(hex) = s.strip_prefix("\\x") {
        let b = u8::from_str_radix(hex, 16).ok()?;
        return Some(char::from(b).to_string());
    }
    if s.is_empty() {
        None
    } else {
        Some(s.to_owned())
    }
}

impl Reader for ZeekReader {
    fn next_record(&mut self, record: &mut Record) -> Result<bool> {
        loop {
            self.position += 1;
            if !self.input.line(&mut self.line, self.position)? {
                return Ok(false);
            }
            if self.line.starts_with('#') {
                self.header()?;
                continue;
            }
            if self.line.is_empty() {
                continue;
            }
            if self.columns.is_empty() {
                return Err(Error::new(
                    ErrorKind::BadRecord,
                    format!(
                        "line {}: a Zeek record before any #fields header",
                        self.position
                    ),
                ));
            }
            record.clear();
            record.position = self.position;
            let line = self.line.as_str();
            let (mut host, mut uri) = (None, None);
            let mut each = |i: usize, value: &'_ str, record: &mut Record| {
                let Some(Some(role)) = self.columns.get(i) else {
                    return;
                };
                if value == self.unset || value == self.empty {
                    return;
                }
                // Where the value sits in the line, to join the URI to the host at the end.
                let at = value.as_ptr() as usize - line.as_ptr() as usize;
                match role {
                    Role::Uri => uri = Some(at..at + value.len()),
                    Role::Host => {
                        host = Some(at..at + value.len());
                        push_host(record, value);
                    }
                    _ => push(record, *role, value, self.set_separator, None),
                }
            };
            let columns = self.last_column + 1;
            // A one-character separator (Zeek's tab) splits on a char, which is faster.
            match self.separator_char {
                Some(c) => {
                    for (i, value) in line.split(c).take(columns).enumerate() {
                        each(i, value, record);
                    }
                }
                None => {
                    for (i, value) in line
                        .split(self.separator.as_str())
                        .take(columns)
                        .enumerate()
                    {
                        each(i, value, record);
                    }
                }
            }
            if let (Some(h), Some(u)) = (host, uri) {
                record.push_joined(Field::Url, &["http://", &line[h], &line[u]]);
            }
            return Ok(true);
        }
    }

    fn bytes_read(&self) -> u64 {
        self.input.bytes()
    }
}
