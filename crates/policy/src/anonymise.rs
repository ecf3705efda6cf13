//! Submitter anonymisation: the node's pseudonymous identities and the
//! rewrite of references to a submitter's own identity.
//!
//! Each node publishes one pseudonymous `identity` per sector and country
//! of its members ("a member of the energy sector in GB"). Its id is a
//! UUIDv5 of the node's identity, the sector and the country, so it is the
//! same on every submission, stable across restarts, and different on every
//! node; its JSON is fixed, so re-publishing it adds nothing. In the
//! released form of an anonymous submission every reference to the
//! submitter's own identity (`created_by_ref`, and any other `*_ref` or
//! `*_refs` value such as a sighting's `where_sighted_refs`) names the
//! pseudonym instead.

use serde_json::{Value, json};
use uuid::Uuid;

/// The namespace of pseudonym ids (a UUIDv5 of the DNS namespace and
/// `pseudonym.charter`).
fn namespace() -> Uuid {
    Uuid::new_v5(&Uuid::NAMESPACE_DNS, b"pseudonym.charter")
}

/// The sector a pseudonym names for an organisation with `sectors`: its
/// first sector in sorted order, or `unspecified`.
pub fn pseudonym_sector(sectors: &[String]) -> &str {
    sectors
        .iter()
        .map(String::as_str)
        .min()
        .unwrap_or("unspecified")
}

/// The node's pseudonymous identity for `sector` and `country`: its id and
/// its JSON text.
pub fn pseudonym(node_identity: &str, sector: &str, country: &str) -> (String, String) {
    let name = format!("{node_identity}|{sector}|{country}");
    let id = format!("identity--{}", Uuid::new_v5(&namespace(), name.as_bytes()));
    let mut object = json!({
        "type": "identity",
        "spec_version": "2.1",
        "id": id,
        "created": "2020-01-01T00:00:00.000Z",
        "modified": "2020-01-01T00:00:00.000Z",
        "name": format!("A member organisation ({sector}, {country})"),
        "description": "A pseudonymous identity this node publishes for the members of one sector and country who share without attribution.",
        "identity_class": "organization",
        "created_by_ref": node_identity,
        "object_marking_refs": [charter_stix::tlp::TLP_V2_CLEAR],
    });
    if sector != "unspecified" {
        object["sectors"] = json!([sector]);
    }
    (id, object.to_string())
}

/// Replaces every reference to `submitter` in `object` (the values of
/// `*_ref` and `*_refs` properties, at any depth) with `pseudonym`; returns
/// whether anything changed.
pub fn replace_identity(object: &mut Value, submitter: &str, pseudonym: &str) -> bool {
    let mut changed = false;
    if let Value::Object(map) = object {
        for (key, value) in map.iter_mut() {
            if key.ends_with("_ref") {
                if value.as_str() == Some(submitter) {
                    *value = Value::String(pseudonym.to_owned());
                    changed = true;
                }
            } else if key.ends_with("_refs") {
                if let Value::Array(items) = value {
                    for item in items {
                        if item.as_str() == Some(submitter) {
                            *item = Value::String(pseudonym.to_owned());
                            changed = true;
                        }
                    }
                }
            } else if value.is_object() || value.is_array() {
                changed |= replace_nested(value, submitter, pseudonym);
            }
        }
    }
    changed
}

fn replace_nested(value: &mut Value, submitter: &str, pseudonym: &str) -> bool {
    match value {
        Value::Object(_) => replace_identity(value, submitter, pseudonym),
        Value::Array(items) => items.iter_mut().fold(false, |changed, item| {
            replace_nested(item, submitter, pseudonym) | changed
        }),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pseudonyms_are_stable_and_distinct() {
        let (a, json_a) = pseudonym("identity--node", "energy", "GB");
        let (b, json_b) = pseudonym("identity--node", "energy", "GB");
        assert_eq!((a.as_str(), json_a.as_str()), (b.as_str(), json_b.as_str()));
        assert_ne!(a, pseudonym("identity--node", "energy", "US").0);
        assert_ne!(a, pseudonym("identity--node", "water", "GB").0);
        assert_ne!(a, pseudonym("identity--other", "energy", "GB").0);
        let object: Value = serde_json::from_str(&json_a).expect("json");
        assert_eq!(object["id"], a.as_str());
        assert_eq!(object["sectors"], json!(["energy"]));
        assert!(!json_a.contains("unspecified"));
    }

    #[test]
    fn sector_choice() {
        assert_eq!(
            pseudonym_sector(&["water".into(), "energy".into()]),
            "energy"
        );
        assert_eq!(pseudonym_sector(&[]), "unspecified");
    }

    #[test]
    fn references_to_the_submitter_are_replaced() {
        let mut sighting = json!({
            "type": "sighting", "created_by_ref": "identity--me",
            "sighting_of_ref": "indicator--x",
            "where_sighted_refs": ["identity--me", "identity--other"],
            "description": "identity--me stays in prose",
            "extensions": {"x-ext": {"owner_ref": "identity--me"}}
        });
        assert!(replace_identity(
            &mut sighting,
            "identity--me",
            "identity--p"
        ));
        assert_eq!(sighting["created_by_ref"], "identity--p");
        assert_eq!(
            sighting["where_sighted_refs"],
            json!(["identity--p", "identity--other"])
        );
        assert_eq!(sighting["extensions"]["x-ext"]["owner_ref"], "identity--p");
        assert_eq!(sighting["description"], "identity--me stays in prose");
        let mut other = json!({"created_by_ref": "identity--mitre"});
        assert!(!replace_identity(&mut other, "identity--me", "identity--p"));
    }
}
