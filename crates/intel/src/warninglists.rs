//! MISP warning lists: lists of known-benign values (public resolvers, top domains, cloud
//! ranges, RFC 1918 …) in the format of the MISP `warninglists` repository, which the
//! `pymispwarninglists` package ships: one `list.json` per list,
//! `{"name", "type", "list": [...]}` with `type` one of `string`, `cidr`, `hostname`,
//! `substring` or `regex`.
//!
//! Matching: `string` compares whole values (domain names and hashes without regard to
//! case); `hostname` matches a name, a subdomain of it, or the host of a URL or e-mail
//! address; `cidr` matches addresses and blocks inside a listed block; `substring` matches a
//! value containing an entry; `regex` one matching it.
//!
//! [`WarningLists::fingerprint`] names the lists by what they match (each list's name, type
//! and entries, in load order), so a store can tell whether the flags it holds were computed
//! with the lists configured now.

use std::net::IpAddr;
use std::path::{Path, PathBuf};

use charter_pattern::index::{Field, IpKey, parse_ip};
use foldhash::HashSet;
use ipnet::IpNet;
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::{Error, ErrorKind, Result};

/// Every list loaded from one folder.
#[derive(Debug, Default)]
pub struct WarningLists {
    lists: Vec<WarningList>,
}

#[derive(Debug)]
struct WarningList {
    name: String,
    matcher: Matcher,
    /// SHA-256 over the name, the type and the sorted entries.
    digest: [u8; 32],
}

#[derive(Debug)]
enum Matcher {
    Strings(HashSet<String>),
    Hostnames(HashSet<String>),
    /// Blocks by prefix length (longest first), each a set of network addresses, so a check
    /// costs one set lookup per length in use (lists such as public-dns-v4 hold tens of
    /// thousands of blocks).
    Cidrs(Vec<(u8, HashSet<IpAddr>)>),
    Substrings(Vec<String>),
    Regexes(regex::RegexSet),
}

#[derive(Deserialize)]
struct ListFile {
    name: String,
    #[serde(rename = "type")]
    kind: String,
    list: Vec<String>,
}

impl WarningLists {
    /// Loads every `*.json` list under `dir` (any depth), in name order. A file that is not a
    /// warning list is an error naming it.
    pub fn load(dir: &Path) -> Result<WarningLists> {
        let mut files = Vec::new();
        collect(dir, &mut files)?;
        files.sort();
        let mut lists = Vec::new();
        for path in files {
            let text = std::fs::read_to_string(&path).map_err(|e| {
                Error::new(ErrorKind::Io, format!("reading {}: {e}", path.display()))
            })?;
            lists.push(parse(&text).map_err(|e| {
                Error::new(
                    ErrorKind::BadConfig,
                    format!("{}: {}", path.display(), e.message()),
                )
            })?);
        }
        Ok(WarningLists { lists })
    }

    /// Lists from JSON texts (for tests and embedding).
    pub fn from_texts<'a>(texts: impl IntoIterator<Item = &'a str>) -> Result<WarningLists> {
        let lists = texts.into_iter().map(parse).collect::<Result<Vec<_>>>()?;
        Ok(WarningLists { lists })
    }

    /// The number of lists.
    pub fn len(&self) -> usize {
        self.lists.len()
    }

    /// Whether no list is loaded.
    pub fn is_empty(&self) -> bool {
        self.lists.is_empty()
    }

    /// The names of the lists, in load order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.lists.iter().map(|l| l.name.as_str())
    }

    /// A fingerprint of what the lists match: lowercase hex SHA-256 over each list's name,
    /// type and entries, in load order. Equal lists give equal fingerprints whatever their
    /// files' formatting or descriptions; no lists give the SHA-256 of nothing.
    pub fn fingerprint(&self) -> String {
        let mut hasher = Sha256::new();
        for list in &self.lists {
            hasher.update(list.digest);
        }
        hasher
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    /// The name of the first list `value` (of `field`) is on.
    pub fn check(&self, field: &Field, value: &str) -> Option<&str> {
        self.lists_of(field, value).next()
    }

    /// The names of every list `value` (of `field`) is on, in load order.
    pub fn lists_of<'a>(&'a self, field: &Field, value: &str) -> impl Iterator<Item = &'a str> {
        let value = value.trim();
        let lower = value.to_ascii_lowercase();
        let ip = if *field == Field::Ip {
            parse_ip(value)
        } else {
            None
        };
        let host = host_of(field, &lower).map(str::to_owned);
        self.lists
            .iter()
            .filter(move |l| l.matcher.matches(&lower, ip, host.as_deref()))
            .map(|l| l.name.as_str())
    }
}

impl Matcher {
    fn matches(&self, lower: &str, ip: Option<IpKey>, host: Option<&str>) -> bool {
        match self {
            Matcher::Strings(set) => set.contains(lower),
            Matcher::Hostnames(set) => host.is_some_and(|h| {
                let mut rest = h;
                loop {
                    if set.contains(rest) {
                        return true;
                    }
                    match rest.split_once('.') {
                        Some((_, r)) => rest = r,
                        None => return false,
                    }
                }
            }),
            Matcher::Cidrs(by_len) => {
                let (addr, len) = match ip {
                    Some(IpKey::Addr(a)) => (a, if a.is_ipv4() { 32 } else { 128 }),
                    Some(IpKey::Net(a, l)) => (a, l),
                    None => return false,
                };
                let max = if addr.is_ipv4() { 32 } else { 128 };
                by_len.iter().any(|(l, set)| {
                    *l <= len
                        && *l <= max
                        && set.contains(&charter_pattern::index::keys::mask(addr, *l))
                })
            }
            Matcher::Substrings(subs) => subs.iter().any(|s| lower.contains(s.as_str())),
            Matcher::Regexes(set) => set.is_match(lower),
        }
    }
}

/// The host a `hostname` list is checked against: the name itself, or the host of a URL or
/// an e-mail address.
fn host_of<'a>(field: &Field, lower: &'a str) -> Option<&'a str> {
    let h = match field {
        Field::Domain => lower,
        Field::Url => {
            let rest = lower.split_once("://").map_or(lower, |(_, r)| r);
            let authority = rest.split(['/', '?', '#']).next().unwrap_or(rest);
            let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
            host.split(':').next().unwrap_or(host)
        }
        Field::Email => lower.rsplit_once('@').map(|(_, d)| d)?,
        _ => return None,
    };
    Some(h.strip_suffix('.').unwrap_or(h))
}

fn parse(text: &str) -> Result<WarningList> {
    let file: ListFile = serde_json::from_str(text).map_err(|e| {
        Error::new(
            ErrorKind::BadConfig,
            format!("not a MISP warning list: {e}"),
        )
    })?;
    let digest = digest(&file);
    let entries = file.list.iter().map(|s| s.trim().to_ascii_lowercase());
    let matcher = match file.kind.as_str() {
        "string" => Matcher::Strings(entries.collect()),
        "hostname" => Matcher::Hostnames(
            entries
                .map(|e| {
                    e.trim_start_matches("*.")
                        .trim_start_matches('.')
                        .trim_end_matches('.')
                        .to_owned()
                })
                .collect(),
        ),
        "cidr" => {
            let mut by_len: Vec<(u8, HashSet<IpAddr>)> = Vec::new();
            for e in entries {
                let net = match e.parse::<IpNet>() {
                    Ok(n) => n.trunc(),
                    Err(_) => match e.parse::<IpAddr>() {
                        Ok(a) => IpNet::from(a),
                        Err(_) => {
                            return Err(Error::new(
                                ErrorKind::BadConfig,
                                format!(
                                    "list '{}': '{e}' is not an address or CIDR block",
                                    file.name
                                ),
                            ));
                        }
                    },
                };
                let (len, addr) = (net.prefix_len(), net.network());
                match by_len.iter_mut().find(|(l, _)| *l == len) {
                    Some((_, set)) => {
                        set.insert(addr);
                    }
                    None => by_len.push((len, std::iter::once(addr).collect())),
                }
            }
            by_len.sort_by_key(|(len, _)| std::cmp::Reverse(*len));
            Matcher::Cidrs(by_len)
        }
        "substring" => Matcher::Substrings(entries.collect()),
        "regex" => Matcher::Regexes(
            regex::RegexSet::new(file.list.iter().map(|s| format!("(?i){s}"))).map_err(|e| {
                Error::new(
                    ErrorKind::BadConfig,
                    format!("list '{}': a regex does not compile: {e}", file.name),
                )
            })?,
        ),
        other => {
            return Err(Error::new(
                ErrorKind::BadConfig,
                format!(
                    "list '{}': type '{other}' is not string, cidr, hostname, substring or regex",
                    file.name
                ),
            ));
        }
    };
    Ok(WarningList {
        name: file.name,
        matcher,
        digest,
    })
}

/// A list's digest: each part length-prefixed, so no two lists share one by accident of
/// where one part ends and the next begins.
fn digest(file: &ListFile) -> [u8; 32] {
    let mut entries: Vec<&str> = file.list.iter().map(|s| s.trim()).collect();
    entries.sort_unstable();
    entries.dedup();
    let mut hasher = Sha256::new();
    for part in [file.name.as_str(), file.kind.as_str()]
        .into_iter()
        .chain(entries)
    {
        hasher.update((part.len() as u64).to_le_bytes());
        hasher.update(part.as_bytes());
    }
    hasher.finalize().into()
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    let entries = std::fs::read_dir(dir).map_err(|e| {
        Error::new(
            ErrorKind::Io,
            format!("reading the warning lists folder {}: {e}", dir.display()),
        )
    })?;
    for entry in entries {
        let entry =
            entry.map_err(|e| Error::new(ErrorKind::Io, format!("{}: {e}", dir.display())))?;
        let path = entry.path();
        if path.is_dir() {
            collect(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "json") {
            out.push(path);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lists() -> WarningLists {
        WarningLists::from_texts([
            r#"{"name": "List of known IPv4 public DNS resolvers", "type": "string", "list": ["8.8.8.8", "1.1.1.1"]}"#,
            r#"{"name": "RFC 1918", "type": "cidr", "list": ["10.0.0.0/8", "192.168.0.0/16"]}"#,
            r#"{"name": "Top domains", "type": "hostname", "list": ["google.com"]}"#,
            r#"{"name": "Sinkholes", "type": "substring", "list": ["sinkhole"]}"#,
            r#"{"name": "Test nets", "type": "regex", "list": ["^198\\.51\\.100\\."]}"#,
        ])
        .expect("test value")
    }

    #[test]
    fn each_list_type_matches_its_way() {
        let l = lists();
        assert_eq!(
            l.check(&Field::Ip, "8.8.8.8"),
            Some("List of known IPv4 public DNS resolvers")
        );
        assert_eq!(l.check(&Field::Ip, "10.9.8.7"), Some("RFC 1918"));
        assert_eq!(l.check(&Field::Ip, "10.9.0.0/16"), Some("RFC 1918"));
        assert_eq!(
            l.check(&Field::Domain, "Mail.Google.com"),
            Some("Top domains")
        );
        assert_eq!(
            l.check(&Field::Url, "https://www.google.com:443/x"),
            Some("Top domains")
        );
        assert_eq!(l.check(&Field::Domain, "notgoogle.com"), None);
        assert_eq!(
            l.check(&Field::Domain, "sinkhole.bad.example"),
            Some("Sinkholes")
        );
        assert_eq!(l.check(&Field::Ip, "198.51.100.7"), Some("Test nets"));
        assert_eq!(l.check(&Field::Ip, "203.0.113.9"), None);
    }

    #[test]
    fn the_real_lists_load_and_match() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("test_data/warninglists");
        let l = WarningLists::load(&dir).expect("test value");
        assert_eq!(l.len(), 7);
        assert_eq!(
            l.check(&Field::Ip, "10.20.30.40"),
            Some("List of RFC 1918 CIDR blocks")
        );
        assert_eq!(
            l.check(&Field::Domain, "www.google.com"),
            Some("Top 10K most-used sites from Tranco")
        );
        assert_eq!(
            l.check(&Field::Hash, "D41D8CD98F00B204E9800998ECF8427E"),
            Some("List of known hashes for empty files")
        );
        assert_eq!(
            l.check(&Field::Ip, "203.0.113.7")
                .map(|n| n.contains("5735")),
            Some(true)
        );
        assert_eq!(l.check(&Field::Ip, "77.90.185.20"), None);
        assert_eq!(
            l.check(&Field::Domain, "surely-not-a-top-site.example"),
            None
        );
    }

    #[test]
    fn a_value_on_several_lists_names_each() {
        let l = WarningLists::from_texts([
            r#"{"name": "a", "type": "string", "list": ["8.8.8.8"]}"#,
            r#"{"name": "b", "type": "cidr", "list": ["8.8.8.0/24"]}"#,
            r#"{"name": "c", "type": "cidr", "list": ["10.0.0.0/8"]}"#,
        ])
        .expect("test value");
        let names: Vec<&str> = l.lists_of(&Field::Ip, "8.8.8.8").collect();
        assert_eq!(names, ["a", "b"]);
        assert_eq!(l.check(&Field::Ip, "8.8.8.8"), Some("a"));
        assert_eq!(l.names().collect::<Vec<_>>(), ["a", "b", "c"]);
    }

    #[test]
    fn fingerprints_follow_what_the_lists_match() {
        let one = |text: &str| {
            WarningLists::from_texts([text])
                .expect("test value")
                .fingerprint()
        };
        let base = one(r#"{"name": "a", "type": "string", "list": ["x", "y"]}"#);
        assert_eq!(base.len(), 64);
        assert_eq!(
            base,
            one(
                r#"{"name": "a", "description": "new words", "type": "string", "list": ["y", "x"]}"#
            ),
            "order of entries and other fields do not count"
        );
        assert_ne!(
            base,
            one(r#"{"name": "a", "type": "string", "list": ["x", "z"]}"#)
        );
        assert_ne!(
            base,
            one(r#"{"name": "b", "type": "string", "list": ["x", "y"]}"#)
        );
        assert_ne!(
            base,
            one(r#"{"name": "a", "type": "substring", "list": ["x", "y"]}"#)
        );
        assert_eq!(
            WarningLists::default().fingerprint(),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            "no lists: the SHA-256 of nothing"
        );
    }

    #[test]
    fn bad_lists_are_named() {
        let err = WarningLists::from_texts([r#"{"name": "x", "type": "cidr", "list": ["ten"]}"#])
            .expect_err("an error");
        assert_eq!(
            err.message(),
            "list 'x': 'ten' is not an address or CIDR block"
        );
        let err = WarningLists::from_texts([r#"{"name": "x", "type": "glob", "list": []}"#])
            .expect_err("an error");
        assert!(err.message().contains("type 'glob'"), "{}", err.message());
    }
}
