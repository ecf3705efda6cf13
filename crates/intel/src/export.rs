//! Export formats for sensors: Suricata rules, a Zeek Intel framework file, plain
//! blocklists and CSV. Each starts with comment lines stating what it is and the highest TLP
//! of its contents, which the caller computes (this crate knows no handling rules).
//!
//! Values reach these formats from other members, so every writer escapes or drops what the
//! format cannot carry: Suricata `content` bytes outside plain printable ASCII, or one of
//! `"`, `;`, `\`, `|`, are written as `|hex|`; tabs and line breaks never reach a Zeek or
//! blocklist line; CSV is written by the `csv` crate.

use std::io::{self, Write};

use charter_pattern::index::{Field, IpKey, parse_ip};

/// An export format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SensorFormat {
    /// Suricata rules (IP, DNS, TLS SNI and HTTP rules).
    Suricata,
    /// A Zeek Intel framework file.
    Zeek,
    /// One value per line.
    Blocklist,
    /// CSV, one row per value.
    Csv,
}

impl SensorFormat {
    /// Parses a format name: `suricata`, `zeek`, `blocklist` or `csv`.
    pub fn parse(name: &str) -> Option<SensorFormat> {
        Some(match name {
            "suricata" => SensorFormat::Suricata,
            "zeek" => SensorFormat::Zeek,
            "blocklist" => SensorFormat::Blocklist,
            "csv" => SensorFormat::Csv,
            _ => return None,
        })
    }

    /// The format's name.
    pub fn name(self) -> &'static str {
        match self {
            SensorFormat::Suricata => "suricata",
            SensorFormat::Zeek => "zeek",
            SensorFormat::Blocklist => "blocklist",
            SensorFormat::Csv => "csv",
        }
    }

    /// The media type it is served with.
    pub fn media_type(self) -> &'static str {
        match self {
            SensorFormat::Csv => "text/csv; charset=utf-8",
            _ => "text/plain; charset=utf-8",
        }
    }
}

/// One value of one indicator, ready for a sensor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SensorValue {
    /// The indicator's STIX id.
    pub id: String,
    /// The indicator's name (may be empty).
    pub name: String,
    /// The indicator version's TLP level, as `TLP:AMBER`.
    pub tlp: String,
    /// What the value is.
    pub field: Field,
    /// The value.
    pub value: String,
    /// The warning list the value is on, when it is on one.
    pub warning: Option<String>,
}

/// Writes `values` in `format`. `highest_tlp` (such as `TLP:AMBER+STRICT`) goes in the
/// header; `sid_base` is the first Suricata rule id.
pub fn write(
    format: SensorFormat,
    values: &[SensorValue],
    highest_tlp: &str,
    sid_base: u64,
    out: &mut dyn Write,
) -> io::Result<()> {
    match format {
        SensorFormat::Suricata => suricata(values, highest_tlp, sid_base, out),
        SensorFormat::Zeek => zeek(values, highest_tlp, out),
        SensorFormat::Blocklist => blocklist(values, highest_tlp, out),
        SensorFormat::Csv => csv(values, highest_tlp, out),
    }
}

fn header(out: &mut dyn Write, what: &str, highest_tlp: &str, count: usize) -> io::Result<()> {
    writeln!(out, "# Charter {what}: {count} values")?;
    writeln!(out, "# Highest TLP of the contents: {highest_tlp}")?;
    writeln!(out, "# Share only as that TLP level allows.")
}

/// One line's worth of a value: no tabs or line breaks.
fn one_line(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// Text for a Suricata `msg`: printable ASCII without `"`, `;` or `\`.
fn msg_text(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_graphic() && !matches!(c, '"' | ';' | '\\') || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// Bytes for a Suricata `content`: escaped as `|hex|` where needed.
fn content(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if (0x20..0x7f).contains(&b) && !matches!(b, b'"' | b';' | b'\\' | b'|') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("|{b:02X}|"));
        }
    }
    out
}

fn suricata(
    values: &[SensorValue],
    tlp: &str,
    sid_base: u64,
    out: &mut dyn Write,
) -> io::Result<()> {
    header(out, "Suricata rules", tlp, values.len())?;
    let mut sid = sid_base;
    for v in values {
        let msg = msg_text(&format!("Charter {} {} {}", v.tlp, v.name, v.id));
        let meta = format!("metadata:charter_id {}", msg_text(&v.id));
        match &v.field {
            Field::Ip => match parse_ip(&v.value) {
                Some(IpKey::Addr(a)) => {
                    writeln!(
                        out,
                        "alert ip [{a}] any <> any any (msg:\"{msg}\"; {meta}; sid:{sid}; rev:1;)"
                    )?;
                }
                Some(IpKey::Net(n, l)) => {
                    writeln!(
                        out,
                        "alert ip [{n}/{l}] any <> any any (msg:\"{msg}\"; {meta}; sid:{sid}; rev:1;)"
                    )?;
                }
                None => continue,
            },
            Field::Domain => {
                let c = content(&v.value.to_ascii_lowercase());
                writeln!(
                    out,
                    "alert dns any any -> any any (msg:\"{msg}\"; dns.query; content:\"{c}\"; nocase; startswith; endswith; {meta}; sid:{sid}; rev:1;)"
                )?;
                sid += 1;
                writeln!(
                    out,
                    "alert tls any any -> any any (msg:\"{msg}\"; tls.sni; content:\"{c}\"; nocase; startswith; endswith; {meta}; sid:{sid}; rev:1;)"
                )?;
            }
            // Suricata lower-cases the `http.host` buffer and refuses `nocase` on it, so the
            // host is written in lower case instead. The path is compared with the URI as
            // sent (`http.uri.raw`): the normalised `http.uri` decodes `%xx` escapes, so a
            // URL written with them would never match it.
            Field::Url => {
                let Some((host, path)) = split_url(&v.value) else {
                    continue;
                };
                writeln!(
                    out,
                    "alert http any any -> any any (msg:\"{msg}\"; http.host; content:\"{}\"; startswith; endswith; http.uri.raw; content:\"{}\"; startswith; endswith; {meta}; sid:{sid}; rev:1;)",
                    content(&host.to_ascii_lowercase()),
                    content(path)
                )?;
            }
            // Hashes need a list file beside the rules (filemd5/filesha256): the blocklist
            // export is that file. E-mail addresses have no keyword of their own.
            _ => continue,
        }
        sid += 1;
    }
    Ok(())
}

/// The host (without port or credentials) and the path (with query) of a URL.
fn split_url(url: &str) -> Option<(&str, &str)> {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = if host.starts_with('[') {
        host
    } else {
        host.split_once(':').map_or(host, |(h, _)| h)
    };
    if host.is_empty() {
        None
    } else {
        Some((host, path))
    }
}

fn zeek(values: &[SensorValue], tlp: &str, out: &mut dyn Write) -> io::Result<()> {
    header(out, "Zeek Intel framework file", tlp, values.len())?;
    writeln!(
        out,
        "#fields\tindicator\tindicator_type\tmeta.source\tmeta.desc\tmeta.url"
    )?;
    for v in values {
        let (indicator, kind) = match &v.field {
            Field::Ip => match parse_ip(&v.value) {
                Some(IpKey::Addr(a)) => (a.to_string(), "Intel::ADDR"),
                Some(IpKey::Net(n, l)) => (format!("{n}/{l}"), "Intel::SUBNET"),
                None => continue,
            },
            Field::Domain => (v.value.to_ascii_lowercase(), "Intel::DOMAIN"),
            // Zeek matches URLs without their scheme.
            Field::Url => (
                v.value
                    .split_once("://")
                    .map_or(v.value.as_str(), |(_, r)| r)
                    .to_owned(),
                "Intel::URL",
            ),
            Field::Email => (v.value.clone(), "Intel::EMAIL"),
            Field::Hash => (v.value.to_ascii_lowercase(), "Intel::FILE_HASH"),
            Field::Other(_) => continue,
        };
        let desc = one_line(&format!("{} {} {}", v.tlp, v.name, v.id));
        writeln!(
            out,
            "{}\t{kind}\tcharter\t{desc}\t-",
            one_line(&indicator).replace(' ', "%20")
        )?;
    }
    Ok(())
}

fn blocklist(values: &[SensorValue], tlp: &str, out: &mut dyn Write) -> io::Result<()> {
    let mut lines: Vec<String> = values
        .iter()
        .filter_map(|v| match &v.field {
            Field::Ip => parse_ip(&v.value).map(|k| match k {
                IpKey::Addr(a) => a.to_string(),
                IpKey::Net(n, l) => format!("{n}/{l}"),
            }),
            Field::Domain | Field::Hash => Some(one_line(&v.value.to_ascii_lowercase())),
            Field::Url | Field::Email => Some(one_line(&v.value)),
            Field::Other(_) => None,
        })
        .collect();
    lines.sort();
    lines.dedup();
    header(out, "blocklist", tlp, lines.len())?;
    for l in lines {
        writeln!(out, "{l}")?;
    }
    Ok(())
}

fn csv(values: &[SensorValue], tlp: &str, out: &mut dyn Write) -> io::Result<()> {
    header(out, "CSV export", tlp, values.len())?;
    let mut w = ::csv::Writer::from_writer(out);
    w.write_record([
        "value",
        "type",
        "indicator_id",
        "name",
        "tlp",
        "warninglist",
    ])?;
    for v in values {
        w.write_record([
            v.value.as_str(),
            v.field.name(),
            v.id.as_str(),
            v.name.as_str(),
            v.tlp.as_str(),
            v.warning.as_deref().unwrap_or(""),
        ])?;
    }
    w.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value(field: Field, v: &str) -> SensorValue {
        SensorValue {
            id: "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f".into(),
            name: "C2 \"server\"; bad".into(),
            tlp: "TLP:AMBER".into(),
            field,
            value: v.into(),
            warning: None,
        }
    }

    fn render(format: SensorFormat, values: &[SensorValue]) -> String {
        let mut out = Vec::new();
        write(format, values, "TLP:AMBER", 1_000_000, &mut out).expect("test value");
        String::from_utf8(out).expect("test value")
    }

    #[test]
    fn suricata_rules_escape_what_they_carry() {
        let text = render(
            SensorFormat::Suricata,
            &[
                value(Field::Ip, "198.51.100.7"),
                value(Field::Ip, "10.0.0.0/8"),
                value(Field::Domain, "Evil.Example"),
                value(Field::Url, "http://bad.example:8080/a;b|c?x=\"1\""),
                value(Field::Hash, "d41d8cd98f00b204e9800998ecf8427e"),
            ],
        );
        assert!(text.starts_with("# Charter Suricata rules"), "{text}");
        assert!(text.contains("# Highest TLP of the contents: TLP:AMBER"));
        assert!(text.contains("alert ip [198.51.100.7] any <> any any (msg:\"Charter TLP:AMBER C2 _server__ bad indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f\"; metadata:charter_id indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f; sid:1000000; rev:1;)"), "{text}");
        assert!(text.contains("alert ip [10.0.0.0/8]"));
        assert!(text.contains("dns.query; content:\"evil.example\"; nocase;"));
        assert!(text.contains("tls.sni; content:\"evil.example\""));
        assert!(text.contains("http.host; content:\"bad.example\"; startswith; endswith; http.uri.raw; content:\"/a|3B|b|7C|c?x=|22|1|22|\""), "{text}");
        let rules = text.lines().filter(|l| l.starts_with("alert")).count();
        assert_eq!(rules, 5);
        let sids: std::collections::HashSet<&str> = text
            .lines()
            .filter_map(|l| l.split("sid:").nth(1))
            .collect();
        assert_eq!(sids.len(), 5, "every rule has its own sid");
    }

    #[test]
    fn zeek_intel_is_tab_separated_with_types() {
        let text = render(
            SensorFormat::Zeek,
            &[
                value(Field::Ip, "2001:0db8::1"),
                value(Field::Url, "https://bad.example/x"),
                value(Field::Hash, "ABCD"),
            ],
        );
        let lines: Vec<&str> = text.lines().filter(|l| !l.starts_with("# ")).collect();
        assert_eq!(
            lines[0],
            "#fields\tindicator\tindicator_type\tmeta.source\tmeta.desc\tmeta.url"
        );
        assert!(
            lines[1].starts_with("2001:db8::1\tIntel::ADDR\tcharter\tTLP:AMBER "),
            "{}",
            lines[1]
        );
        assert!(lines[2].starts_with("bad.example/x\tIntel::URL\t"));
        assert!(lines[3].starts_with("abcd\tIntel::FILE_HASH\t"));
        for l in &lines[1..] {
            assert_eq!(l.split('\t').count(), 5, "{l}");
        }
    }

    #[test]
    fn blocklists_are_sorted_and_unique() {
        let text = render(
            SensorFormat::Blocklist,
            &[
                value(Field::Domain, "b.example"),
                value(Field::Domain, "A.example"),
                value(Field::Domain, "a.example"),
            ],
        );
        let body: Vec<&str> = text.lines().filter(|l| !l.starts_with('#')).collect();
        assert_eq!(body, ["a.example", "b.example"]);
    }

    #[test]
    fn csv_rows_quote_what_needs_it() {
        let text = render(SensorFormat::Csv, &[value(Field::Domain, "a.example")]);
        let body: Vec<&str> = text.lines().filter(|l| !l.starts_with('#')).collect();
        assert_eq!(body[0], "value,type,indicator_id,name,tlp,warninglist");
        assert_eq!(
            body[1],
            "a.example,domain,indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f,\"C2 \"\"server\"\"; bad\",TLP:AMBER,"
        );
    }
}
