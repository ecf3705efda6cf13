//! Diagnostics: one broken rule, naming the object, the property and the rule.

use std::fmt;

/// How much a diagnostic matters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Severity {
    /// A MUST of the specification is broken: the object is invalid.
    Error,
    /// A SHOULD is not followed: the object is still valid.
    Warning,
}

/// One problem found in one object.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// The `id` of the object, when it has a usable one.
    pub object_id: Option<String>,
    /// JSON path of the property, such as `external_references[2].url`;
    /// `(object)` when the rule concerns the object as a whole.
    pub property: String,
    /// Short stable name of the rule broken; see [`rules`].
    pub rule: &'static str,
    /// What is wrong, for a person.
    pub message: String,
    /// Whether the object is invalid because of it.
    pub severity: Severity,
}

impl Diagnostic {
    /// True when the diagnostic makes the object invalid.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let id = self.object_id.as_deref().unwrap_or("(no id)");
        let warning = match self.severity {
            Severity::Error => "",
            Severity::Warning => "warning: ",
        };
        write!(
            f,
            "{id}: {}: {warning}{} [{}]",
            self.property, self.message, self.rule
        )
    }
}

/// The names of the rules diagnostics cite.
///
/// Each is a short kebab-case name; the set is part of the interface (tests
/// and clients match on them), so names are added, never changed.
pub mod rules {
    /// The text is not JSON, or not a JSON object.
    pub const JSON: &str = "json";
    /// A required property is missing.
    pub const REQUIRED: &str = "required-property";
    /// A property has the wrong JSON type.
    pub const VALUE_TYPE: &str = "value-type";
    /// A property is JSON `null`.
    pub const NULL_VALUE: &str = "null-value";
    /// A list is empty.
    pub const EMPTY_LIST: &str = "empty-list";
    /// `type` is not a valid object type name.
    pub const TYPE_NAME: &str = "type-name";
    /// An identifier is not `type--UUID`.
    pub const ID_FORMAT: &str = "id-format";
    /// `id` does not start with the object's own type.
    pub const ID_TYPE: &str = "id-type-prefix";
    /// The UUID version in an id is not the one required.
    pub const UUID_VERSION: &str = "uuid-version";
    /// `spec_version` is missing or not `2.1`.
    pub const SPEC_VERSION: &str = "spec-version";
    /// A property name breaks the naming rules.
    pub const PROPERTY_NAME: &str = "property-name";
    /// A reserved type or property name is used.
    pub const RESERVED: &str = "reserved-name";
    /// A timestamp is malformed.
    pub const TIMESTAMP: &str = "timestamp-format";
    /// `created`/`modified` is less precise than milliseconds.
    pub const TIMESTAMP_PRECISION: &str = "timestamp-precision";
    /// Two timestamps are in the wrong order (e.g. `modified` before `created`).
    pub const TIMESTAMP_ORDER: &str = "timestamp-order";
    /// A number is outside its allowed range.
    pub const RANGE: &str = "value-range";
    /// A value is not one of an enumeration's values.
    pub const ENUM: &str = "enum-value";
    /// A reference points at an object of a type it may not point at.
    pub const REF_TYPE: &str = "ref-type";
    /// Properties that exclude each other are both present, or one that
    /// needs another is present alone.
    pub const CO_OCCURRENCE: &str = "property-combination";
    /// None of a set of properties of which one is needed is present.
    pub const AT_LEAST_ONE: &str = "at-least-one-of";
    /// A string is not in the format its property requires (hex, base64,
    /// URI, address, language tag, …).
    pub const FORMAT: &str = "value-format";
    /// A hash value does not fit its algorithm, or a hash key is invalid.
    pub const HASH: &str = "hash-value";
    /// A dictionary key breaks the key rules.
    pub const DICT_KEY: &str = "dictionary-key";
    /// An `extensions` entry is malformed.
    pub const EXTENSION: &str = "extension";
    /// A granular-marking selector does not point into the object.
    pub const SELECTOR: &str = "marking-selector";
    /// A marking definition marks itself.
    pub const CIRCULAR_MARKING: &str = "circular-marking";
    /// A `tlp` marking definition is not one of the four TLP 1.0 objects.
    pub const TLP: &str = "tlp-definition";
    /// An external reference breaks its rules (CVE/CAPEC ids, content).
    pub const EXTERNAL_REFERENCE: &str = "external-reference";
    /// A custom name does not use the recommended `x-`/`x_` prefix.
    pub const CUSTOM_PREFIX: &str = "custom-prefix";
}

/// One step of a JSON path.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Seg<'a> {
    /// A property or dictionary key.
    Key(&'a str),
    /// A list index.
    Index(usize),
}

/// Renders a path as `a.b[2].c`; keys that are not plain names are quoted.
pub(crate) fn render_path(path: &[Seg<'_>]) -> String {
    if path.is_empty() {
        return "(object)".to_owned();
    }
    let mut out = String::new();
    for seg in path {
        match seg {
            Seg::Key(k) => {
                let plain = !k.is_empty()
                    && k.bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
                if plain {
                    if !out.is_empty() {
                        out.push('.');
                    }
                    out.push_str(k);
                } else {
                    out.push('[');
                    out.push_str(&serde_json::Value::from(*k).to_string());
                    out.push(']');
                }
            }
            Seg::Index(i) => {
                out.push('[');
                out.push_str(&i.to_string());
                out.push(']');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_paths() {
        let path = [
            Seg::Key("external_references"),
            Seg::Index(2),
            Seg::Key("url"),
        ];
        assert_eq!(render_path(&path), "external_references[2].url");
        assert_eq!(render_path(&[]), "(object)");
        let odd = [Seg::Key("hashes"), Seg::Key("a b")];
        assert_eq!(render_path(&odd), "hashes[\"a b\"]");
    }

    #[test]
    fn displays_with_id_and_rule() {
        let d = Diagnostic {
            object_id: None,
            property: "type".into(),
            rule: rules::REQUIRED,
            message: "missing".into(),
            severity: Severity::Error,
        };
        assert_eq!(d.to_string(), "(no id): type: missing [required-property]");
    }
}
