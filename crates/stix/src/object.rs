//! One STIX object: its bytes as submitted, the parsed JSON, and its common
//! properties typed.
//!
//! The raw text is what is stored and served back; the parsed value is for
//! validation and indexing; the typed common properties are what the rest of
//! Charter decides on (markings, author, versions). Typing is lenient: a
//! property of the wrong JSON type is left at its default here and reported
//! by [`crate::validate`], so parsing never loses an object to a detail.

use serde_json::value::RawValue;
use serde_json::{Map, Value};

use crate::diagnostic::{Diagnostic, Severity, rules};
use crate::ident;
use crate::timestamp::Timestamp;

/// Which family of STIX object a type belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ObjectKind {
    /// A STIX Domain Object such as `indicator` or `malware`.
    Sdo,
    /// A STIX Relationship Object: `relationship` or `sighting`.
    Sro,
    /// A STIX Cyber-observable Object such as `file` or `ipv4-addr`.
    Sco,
    /// A `marking-definition`.
    MarkingDefinition,
    /// A `language-content` object.
    LanguageContent,
    /// An `extension-definition`.
    ExtensionDefinition,
    /// A `bundle` envelope.
    Bundle,
    /// Any type the specification does not define (e.g. `x-mitre-tactic`).
    Custom,
}

impl ObjectKind {
    /// The kind of an object type name.
    pub fn of(object_type: &str) -> ObjectKind {
        match object_type {
            "marking-definition" => ObjectKind::MarkingDefinition,
            "language-content" => ObjectKind::LanguageContent,
            "extension-definition" => ObjectKind::ExtensionDefinition,
            "bundle" => ObjectKind::Bundle,
            t if ident::is_sdo(t) => ObjectKind::Sdo,
            t if ident::is_sro(t) => ObjectKind::Sro,
            t if ident::is_sco(t) => ObjectKind::Sco,
            _ => ObjectKind::Custom,
        }
    }
}

/// An entry of `external_references`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ExternalReference {
    /// `source_name`, e.g. `mitre-attack` or `cve`.
    pub source_name: String,
    /// `description`.
    pub description: Option<String>,
    /// `url`.
    pub url: Option<String>,
    /// `external_id`, e.g. `T0800` or `CVE-2021-44228`.
    pub external_id: Option<String>,
}

/// An entry of `granular_markings`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GranularMarking {
    /// Selectors of the parts of the object the marking applies to.
    pub selectors: Vec<String>,
    /// The marking definition applied, when it is a marking.
    pub marking_ref: Option<String>,
    /// The language of the selected parts, when it is a language marking.
    pub lang: Option<String>,
}

/// The common properties of STIX objects, typed.
///
/// Timestamps that fail to parse are `None` here (and reported by the
/// validator); lists of the wrong shape are empty.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CommonProperties {
    /// `spec_version`.
    pub spec_version: Option<String>,
    /// `created`, when present and well formed.
    pub created: Option<Timestamp>,
    /// `modified`, when present and well formed.
    pub modified: Option<Timestamp>,
    /// `created_by_ref`: the identity that made the object.
    pub created_by_ref: Option<String>,
    /// `revoked`.
    pub revoked: Option<bool>,
    /// `labels`.
    pub labels: Vec<String>,
    /// `confidence`, 0–100.
    pub confidence: Option<i64>,
    /// `lang`.
    pub lang: Option<String>,
    /// `external_references`.
    pub external_references: Vec<ExternalReference>,
    /// `object_marking_refs`: ids of the marking definitions of the whole object.
    pub object_marking_refs: Vec<String>,
    /// `granular_markings`.
    pub granular_markings: Vec<GranularMarking>,
    /// `extensions`, as submitted.
    pub extensions: Map<String, Value>,
    /// `defanged` (SCOs).
    pub defanged: Option<bool>,
}

/// One parsed STIX object.
#[derive(Clone, Debug)]
pub struct StixObject {
    raw: Box<RawValue>,
    value: Value,
    object_type: String,
    id: String,
    kind: ObjectKind,
    common: CommonProperties,
}

impl StixObject {
    /// Parses the JSON text of one object; `Err` if it is not a JSON object or
    /// lacks a string `type` or `id`.
    pub fn parse(raw: Box<RawValue>) -> Result<StixObject, Diagnostic> {
        let value: Value = serde_json::from_str(raw.get()).map_err(|e| {
            parse_error(
                None,
                "(object)",
                rules::JSON,
                format!("not valid JSON: {e}"),
            )
        })?;
        let Value::Object(map) = &value else {
            return Err(parse_error(
                None,
                "(object)",
                rules::JSON,
                "a STIX object must be a JSON object".into(),
            ));
        };
        let id = match map.get("id") {
            Some(Value::String(s)) => s.clone(),
            Some(_) => {
                return Err(parse_error(
                    None,
                    "id",
                    rules::VALUE_TYPE,
                    "must be a string".into(),
                ));
            }
            None => {
                return Err(parse_error(
                    None,
                    "id",
                    rules::REQUIRED,
                    "every STIX object needs an id".into(),
                ));
            }
        };
        let object_type = match map.get("type") {
            Some(Value::String(s)) => s.clone(),
            Some(_) => {
                return Err(parse_error(
                    Some(id),
                    "type",
                    rules::VALUE_TYPE,
                    "must be a string".into(),
                ));
            }
            None => {
                return Err(parse_error(
                    Some(id),
                    "type",
                    rules::REQUIRED,
                    "every STIX object needs a type".into(),
                ));
            }
        };
        let common = common_properties(map);
        Ok(StixObject {
            kind: ObjectKind::of(&object_type),
            raw,
            value,
            object_type,
            id,
            common,
        })
    }

    /// Parses one object from JSON text (the text is kept verbatim).
    // An inherent `from_str` (not `FromStr`) keeps the call as short as
    // `StixObject::parse` and returns a `Diagnostic` the same way.
    #[allow(clippy::should_implement_trait)]
    pub fn from_str(json: &str) -> Result<StixObject, Diagnostic> {
        let raw = RawValue::from_string(json.to_owned()).map_err(|e| {
            parse_error(
                None,
                "(object)",
                rules::JSON,
                format!("not valid JSON: {e}"),
            )
        })?;
        StixObject::parse(raw)
    }

    /// The object's `id`.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The object's `type`.
    pub fn object_type(&self) -> &str {
        &self.object_type
    }

    /// `spec_version`, when present as a string.
    pub fn spec_version(&self) -> Option<&str> {
        self.common.spec_version.as_deref()
    }

    /// `created`, when present and well formed.
    pub fn created(&self) -> Option<&Timestamp> {
        self.common.created.as_ref()
    }

    /// `modified`, when present and well formed.
    pub fn modified(&self) -> Option<&Timestamp> {
        self.common.modified.as_ref()
    }

    /// The exact bytes submitted.
    pub fn raw(&self) -> &RawValue {
        &self.raw
    }

    /// The parsed JSON, for validation and indexing.
    pub fn value(&self) -> &Value {
        &self.value
    }

    /// The typed common properties.
    pub fn common(&self) -> &CommonProperties {
        &self.common
    }

    /// Which family the object's type belongs to.
    pub fn kind(&self) -> ObjectKind {
        self.kind
    }

    /// Gives back the raw text, e.g. to store it without a copy.
    pub fn into_raw(self) -> Box<RawValue> {
        self.raw
    }
}

fn parse_error(
    id: Option<String>,
    property: &str,
    rule: &'static str,
    message: String,
) -> Diagnostic {
    Diagnostic {
        object_id: id,
        property: property.to_owned(),
        rule,
        message,
        severity: Severity::Error,
    }
}

fn string(map: &Map<String, Value>, key: &str) -> Option<String> {
    map.get(key).and_then(Value::as_str).map(str::to_owned)
}

fn strings(map: &Map<String, Value>, key: &str) -> Vec<String> {
    match map.get(key) {
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
        _ => Vec::new(),
    }
}

fn timestamp(map: &Map<String, Value>, key: &str) -> Option<Timestamp> {
    map.get(key)
        .and_then(Value::as_str)
        .and_then(|s| Timestamp::parse(s).ok())
}

fn objects<'a>(
    map: &'a Map<String, Value>,
    key: &str,
) -> impl Iterator<Item = &'a Map<String, Value>> {
    map.get(key)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_object)
}

fn common_properties(map: &Map<String, Value>) -> CommonProperties {
    CommonProperties {
        spec_version: string(map, "spec_version"),
        created: timestamp(map, "created"),
        modified: timestamp(map, "modified"),
        created_by_ref: string(map, "created_by_ref"),
        revoked: map.get("revoked").and_then(Value::as_bool),
        labels: strings(map, "labels"),
        confidence: map.get("confidence").and_then(crate::validate::as_integer),
        lang: string(map, "lang"),
        external_references: objects(map, "external_references")
            .map(|r| ExternalReference {
                source_name: string(r, "source_name").unwrap_or_default(),
                description: string(r, "description"),
                url: string(r, "url"),
                external_id: string(r, "external_id"),
            })
            .collect(),
        object_marking_refs: strings(map, "object_marking_refs"),
        granular_markings: objects(map, "granular_markings")
            .map(|g| GranularMarking {
                selectors: strings(g, "selectors"),
                marking_ref: string(g, "marking_ref"),
                lang: string(g, "lang"),
            })
            .collect(),
        extensions: map
            .get("extensions")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default(),
        defanged: map.get("defanged").and_then(Value::as_bool),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const INDICATOR: &str = r#"{"type": "indicator", "spec_version": "2.1",
        "id": "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
        "created": "2016-04-06T20:03:48.000Z", "modified": "2016-04-06T20:03:48.1234Z",
        "created_by_ref": "identity--f431f809-377b-45e0-aa1c-6a4751cae5ff",
        "labels": ["a", 3], "confidence": 80, "lang": "en",
        "object_marking_refs": ["marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da"],
        "external_references": [{"source_name": "cve", "external_id": "CVE-2021-44228"}],
        "granular_markings": [{"selectors": ["name"], "lang": "fr"}],
        "pattern": "[ipv4-addr:value = '1.2.3.4']", "pattern_type": "stix",
        "valid_from": "2016-04-06T20:03:48Z"}"#;

    #[test]
    fn keeps_raw_and_types_common_properties() {
        let obj = StixObject::from_str(INDICATOR).expect("parses");
        assert_eq!(obj.raw().get(), INDICATOR);
        assert_eq!(obj.id(), "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f");
        assert_eq!(obj.object_type(), "indicator");
        assert_eq!(obj.kind(), ObjectKind::Sdo);
        assert_eq!(obj.spec_version(), Some("2.1"));
        assert_eq!(
            obj.modified().map(Timestamp::as_str),
            Some("2016-04-06T20:03:48.1234Z")
        );
        let c = obj.common();
        assert_eq!(c.labels, vec!["a".to_owned()]);
        assert_eq!(c.confidence, Some(80));
        assert_eq!(
            c.external_references[0].external_id.as_deref(),
            Some("CVE-2021-44228")
        );
        assert_eq!(c.granular_markings[0].lang.as_deref(), Some("fr"));
        assert_eq!(c.object_marking_refs.len(), 1);
        assert_eq!(obj.value()["pattern_type"], "stix");
    }

    #[test]
    fn refuses_what_is_not_an_object() {
        let err = StixObject::from_str("[1]").expect_err("array");
        assert_eq!(err.rule, rules::JSON);
        let err = StixObject::from_str(r#"{"type": "campaign"}"#).expect_err("no id");
        assert_eq!((err.property.as_str(), err.rule), ("id", rules::REQUIRED));
        let err = StixObject::from_str(r#"{"id": "x--1", "type": 3}"#).expect_err("type");
        assert_eq!(err.to_string(), "x--1: type: must be a string [value-type]");
        let err = StixObject::from_str("{").expect_err("syntax");
        assert_eq!(err.rule, rules::JSON);
    }

    #[test]
    fn kinds() {
        assert_eq!(ObjectKind::of("sighting"), ObjectKind::Sro);
        assert_eq!(ObjectKind::of("ipv4-addr"), ObjectKind::Sco);
        assert_eq!(ObjectKind::of("x-mitre-tactic"), ObjectKind::Custom);
        assert_eq!(ObjectKind::of("bundle"), ObjectKind::Bundle);
        assert_eq!(
            ObjectKind::of("marking-definition"),
            ObjectKind::MarkingDefinition
        );
    }
}
