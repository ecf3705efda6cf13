//! The wire form of release-record entries: what the JSON API answers, what
//! `charter audit export` writes (one entry per line), and what
//! `charter audit verify --file` reads back.
//!
//! One entry is one JSON object:
//!
//! ```json
//! {"seq": 7, "at": "2026-03-01T09:30:00.123456Z", "actor": "ana",
//!  "action": "release", "channel": "taxii", "detail": {"collection": "..."},
//!  "prev_hash": "...", "hash": "..."}
//! ```
//!
//! The key design decision: **the form keeps everything an entry's hash
//! covers, exactly**, so a copy of the record kept elsewhere can be verified
//! without the node. `at` is RFC 3339 in UTC with six fractional digits,
//! which the record's integer microseconds round-trip through. `detail` is
//! the stored detail text embedded as JSON byte for byte (never parsed and
//! re-written). A stored detail that is not a JSON object or array — the
//! hub never writes one, but a tampered record may hold anything — is given
//! as a JSON string instead, and reading back, a string `detail` stands for
//! its content; so every stored text has one unambiguous form.

use charter_hub::{AuditEntry, AuditProblemKind, Released, Timestamp};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

/// One entry as serialized.
#[derive(Debug, Serialize)]
pub struct EntryForm<'a> {
    seq: i64,
    at: String,
    actor: &'a str,
    action: &'a str,
    channel: &'a str,
    detail: Detail<'a>,
    prev_hash: &'a str,
    hash: &'a str,
}

/// The stored detail: embedded verbatim when it is a JSON object or array,
/// else as a string.
#[derive(Debug, Serialize)]
#[serde(untagged)]
enum Detail<'a> {
    Json(&'a RawValue),
    Text(&'a str),
}

impl<'a> Detail<'a> {
    fn of(text: &'a str) -> Detail<'a> {
        if text.starts_with(['{', '[']) {
            if let Ok(raw) = serde_json::from_str::<&RawValue>(text) {
                // Only when the raw value is the whole text, so nothing
                // (such as trailing whitespace) is lost on the way out.
                if raw.get().len() == text.len() {
                    return Detail::Json(raw);
                }
            }
        }
        Detail::Text(text)
    }
}

impl<'a> EntryForm<'a> {
    fn new(entry: &'a AuditEntry) -> EntryForm<'a> {
        EntryForm {
            seq: entry.seq,
            at: Timestamp::from_unix_micros(entry.at).as_str().to_owned(),
            actor: &entry.actor,
            action: &entry.action,
            channel: &entry.channel,
            detail: Detail::of(&entry.detail),
            prev_hash: &entry.prev_hash,
            hash: &entry.hash,
        }
    }
}

/// The serializable form of each released entry, in order.
pub fn entries(released: &Released<Vec<AuditEntry>>) -> Vec<EntryForm<'_>> {
    released.get().iter().map(EntryForm::new).collect()
}

/// The released entries as JSON Lines: one compact object per line, each
/// line ending in `\n`.
pub fn jsonl(released: &Released<Vec<AuditEntry>>) -> String {
    let mut out = String::new();
    for form in entries(released) {
        // A struct of strings, integers and valid raw JSON always serializes.
        match serde_json::to_string(&form) {
            Ok(line) => out.push_str(&line),
            Err(e) => {
                tracing::error!(error = %e, seq = form.seq, "audit entry serialization failed");
                continue;
            }
        }
        out.push('\n');
    }
    out
}

/// Why a line of an exported record could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineError {
    message: String,
}

impl std::fmt::Display for LineError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for LineError {}

/// An entry as read back.
#[derive(Deserialize)]
struct Line<'a> {
    seq: i64,
    at: String,
    actor: String,
    action: String,
    channel: String,
    #[serde(borrow)]
    detail: &'a RawValue,
    prev_hash: String,
    hash: String,
}

/// Reads one entry back from its serialized form (one line of an export).
pub fn parse_line(line: &str) -> Result<AuditEntry, LineError> {
    let error = |message: String| LineError { message };
    let parsed: Line<'_> =
        serde_json::from_str(line).map_err(|e| error(format!("not an audit entry: {e}")))?;
    let at = charter_hub::parse_timestamp("at", &parsed.at)
        .map_err(|e| error(format!("entry {}: {e}", parsed.seq)))?;
    let raw = parsed.detail.get();
    let detail = if raw.starts_with('"') {
        serde_json::from_str::<String>(raw)
            .map_err(|e| error(format!("entry {}: detail: {e}", parsed.seq)))?
    } else {
        raw.to_owned()
    };
    Ok(AuditEntry {
        seq: parsed.seq,
        at: at.unix_micros(),
        actor: parsed.actor,
        action: parsed.action,
        channel: parsed.channel,
        detail,
        prev_hash: parsed.prev_hash,
        hash: parsed.hash,
    })
}

/// The name of a kind of problem, as the API and the command line give it.
pub fn problem_kind(kind: AuditProblemKind) -> &'static str {
    match kind {
        AuditProblemKind::Edited => "edited",
        AuditProblemKind::Missing => "missing",
        AuditProblemKind::OutOfOrder => "out-of-order",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(detail: &str) -> AuditEntry {
        AuditEntry {
            seq: 7,
            at: 1_772_357_400_123_456,
            actor: "ana".to_owned(),
            action: "release".to_owned(),
            channel: "taxii".to_owned(),
            detail: detail.to_owned(),
            prev_hash: "0".repeat(64),
            hash: "f".repeat(64),
        }
    }

    fn round_trip(detail: &str) -> (String, AuditEntry) {
        let form = serde_json::to_string(&EntryForm::new(&entry(detail))).expect("serializes");
        let back = parse_line(&form).expect("reads back");
        (form, back)
    }

    #[test]
    fn every_hashed_field_survives_the_round_trip() {
        for detail in [
            r#"{"b":1,"a":[1.5,"x\u00e9"]}"#,
            "[]",
            "not json",
            r#""quoted""#,
            "{\"a\":1} ",
            "",
        ] {
            let (form, back) = round_trip(detail);
            let original = entry(detail);
            assert_eq!(back.detail, original.detail, "{form}");
            assert_eq!((back.seq, back.at), (original.seq, original.at), "{form}");
            assert_eq!(
                (back.actor, back.action, back.channel),
                (original.actor, original.action, original.channel)
            );
            assert_eq!(
                (back.prev_hash, back.hash),
                (original.prev_hash, original.hash)
            );
        }
    }

    #[test]
    fn json_details_are_embedded_as_json() {
        let (form, _) = round_trip(r#"{"op":"org.add"}"#);
        assert!(form.contains(r#""detail":{"op":"org.add"}"#), "{form}");
        assert!(
            form.contains(r#""at":"2026-03-01T09:30:00.123456Z""#),
            "{form}"
        );
        let (form, _) = round_trip("{broken");
        assert!(form.contains(r#""detail":"{broken""#), "{form}");
    }

    #[test]
    fn malformed_lines_are_refused_with_a_reason() {
        assert!(parse_line("{}").is_err());
        assert!(parse_line("not json").is_err());
        let (form, _) = round_trip("{}");
        let bad_time = form.replace("2026-03-01T09:30:00.123456Z", "yesterday");
        let err = parse_line(&bad_time).expect_err("bad timestamp");
        assert!(err.to_string().contains("entry 7"), "{err}");
    }
}
