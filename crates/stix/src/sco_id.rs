//! Deterministic ids for STIX Cyber-observable Objects (spec section 2.9).
//!
//! An SCO's id is UUIDv5 in the STIX namespace over the RFC 8785 canonical
//! JSON of its type's id-contributing properties, so two parties that see
//! the same observable name it the same way. Where `hashes` contributes, one
//! hash is used: MD5, else SHA-1, else SHA-256, else SHA-512, else the first
//! key in sorted order (the specification leaves that last choice open).

use serde_json::{Map, Value};
use uuid::Uuid;

/// The namespace STIX 2.1 fixes for SCO ids.
pub const SCO_ID_NAMESPACE: Uuid = Uuid::from_u128(0x00ab_edb4_aa42_466c_9c01_fed2_3315_a9b7);

/// The id-contributing properties of an SCO type; `None` for types without
/// any (`process`) and for types the specification does not define.
pub fn id_contributing_properties(object_type: &str) -> Option<&'static [&'static str]> {
    let props: &'static [&'static str] = match object_type {
        "artifact" => &["hashes", "payload_bin"],
        "autonomous-system" => &["number"],
        "directory" => &["path"],
        "domain-name" | "email-addr" | "ipv4-addr" | "ipv6-addr" | "mac-addr" | "url" => &["value"],
        "email-message" => &["from_ref", "subject", "body"],
        "file" => &["hashes", "name", "extensions", "parent_directory_ref"],
        "mutex" => &["name"],
        "network-traffic" => &[
            "start",
            "end",
            "src_ref",
            "dst_ref",
            "src_port",
            "dst_port",
            "protocols",
            "extensions",
        ],
        "software" => &["name", "cpe", "swid", "vendor", "version"],
        "user-account" => &["account_type", "user_id", "account_login"],
        "windows-registry-key" => &["key", "values"],
        "x509-certificate" => &["hashes", "serial_number"],
        _ => return None,
    };
    Some(props)
}

/// The deterministic id of an SCO, or `None` when its type has no
/// id-contributing properties or the object carries none of them (such
/// objects take a UUIDv4 id instead).
pub fn sco_id(object_type: &str, value: &Value) -> Option<String> {
    sco_id_of_map(object_type, value.as_object()?)
}

/// [`sco_id`] for an object already known to be a JSON object.
pub(crate) fn sco_id_of_map(object_type: &str, obj: &Map<String, Value>) -> Option<String> {
    let props = id_contributing_properties(object_type)?;
    let mut contributing = Map::new();
    for &prop in props {
        let Some(v) = obj.get(prop) else { continue };
        let v = if prop == "hashes" {
            one_hash(v.as_object()?)?
        } else {
            v.clone()
        };
        contributing.insert(prop.to_owned(), v);
    }
    if contributing.is_empty() {
        return None;
    }
    let canonical = serde_json_canonicalizer::to_string(&Value::Object(contributing)).ok()?;
    let uuid = Uuid::new_v5(&SCO_ID_NAMESPACE, canonical.as_bytes());
    Some(format!("{object_type}--{uuid}"))
}

/// True when an SCO of this type carrying these properties should have a
/// deterministic (UUIDv5) id.
pub(crate) fn has_contributing_properties(object_type: &str, obj: &Map<String, Value>) -> bool {
    id_contributing_properties(object_type)
        .is_some_and(|props| props.iter().any(|p| obj.contains_key(*p)))
}

fn one_hash(hashes: &Map<String, Value>) -> Option<Value> {
    let key = ["MD5", "SHA-1", "SHA-256", "SHA-512"]
        .into_iter()
        .find(|k| hashes.contains_key(*k))
        .or_else(|| hashes.keys().next().map(String::as_str))?;
    let mut one = Map::new();
    one.insert(key.to_owned(), hashes.get(key)?.clone());
    Some(Value::Object(one))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Objects made by the OASIS `stix2` Python library, ids included.
    const KNOWN: &str = include_str!("../test_data/sco_ids.jsonl");

    #[test]
    fn matches_the_reference_library() {
        let mut checked = 0;
        for line in KNOWN.lines().filter(|l| !l.trim().is_empty()) {
            let v: Value = serde_json::from_str(line).expect("test data is JSON");
            let t = v["type"].as_str().expect("type");
            assert_eq!(sco_id(t, &v).as_deref(), v["id"].as_str(), "{line}");
            checked += 1;
        }
        assert_eq!(checked, 20);
    }

    #[test]
    fn known_spec_value() {
        let v = serde_json::json!({"type": "ipv4-addr", "value": "198.51.100.3"});
        assert_eq!(
            sco_id("ipv4-addr", &v).as_deref(),
            Some("ipv4-addr--28bb3599-77cd-5a82-a950-b5bc3caf07c4")
        );
    }

    #[test]
    fn none_without_contributing_properties() {
        let v = serde_json::json!({"type": "process", "pid": 4});
        assert_eq!(sco_id("process", &v), None);
        let v = serde_json::json!({"type": "user-account", "display_name": "x"});
        assert_eq!(sco_id("user-account", &v), None);
        assert_eq!(sco_id("x-foo", &serde_json::json!({"value": 1})), None);
    }
}
