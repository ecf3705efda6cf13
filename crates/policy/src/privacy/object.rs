//! The privacy filter over whole STIX objects: which properties are looked
//! at, in which field class, and the released form with the findings.
//!
//! **Where it looks.** Every string of an SDO or SRO except the ones that
//! are structure rather than prose (ids and references, timestamps, hashes,
//! URLs of external references, vocabulary fields such as `*_types`, the
//! `pattern_type`), so names, descriptions, aliases, note content, opinion
//! explanations, identity contact information and custom `x_` text are all
//! scanned. An indicator's `pattern` is an attacker-side value
//! ([`FieldClass::IndicatorValue`]). In SCOs, the values that can identify a
//! person are [`FieldClass::PersonalSco`] (e-mail addresses and display
//! names, user accounts, directory paths and file names, command lines,
//! e-mail subjects and bodies); every other SCO string is an observable and
//! so [`FieldClass::IndicatorValue`]. An `email-addr` that the envelope
//! names as a sender (`from_ref`, `sender_ref` of an `email-message`) is the
//! attacker's: its values are [`FieldClass::IndicatorValue`] too.
//!
//! **One rule the table cannot express:** a redaction in a property that
//! contributes to an SCO's deterministic id becomes a review instead. The id
//! is derived from the value, so a redacted copy would carry an id that
//! still confirms the value to anyone who guesses it. A reviewer may still
//! choose to redact it ([`Context::redact_ids`]).
//!
//! The released form is the object re-serialised with each redacted span
//! replaced by its marker; `None` when nothing was redacted, so an object
//! without findings is released byte for byte as submitted.

use std::collections::HashSet;

use serde_json::Value;

use super::policy::{Action, FieldClass, PrivacyPolicy, redact};
use super::{Detector, PiiKind};

/// One finding in one property of an object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldFinding {
    /// Where: property names and array indexes joined by `/`, e.g.
    /// `description` or `external_references/2/description`.
    pub path: String,
    /// What was found.
    pub kind: PiiKind,
    /// The class of the field it was found in.
    pub class: FieldClass,
    /// What the policy (and the SCO id rule) decided.
    pub action: Action,
    /// The byte span in the property's original text.
    pub span: std::ops::Range<usize>,
}

/// The outcome of [`filter_object`].
#[derive(Debug, Clone, PartialEq)]
pub struct Filtered {
    /// The released form, when a redaction changed the object.
    pub released: Option<Value>,
    /// Every finding that was redacted or needs review, in property order.
    pub findings: Vec<FieldFinding>,
}

impl Filtered {
    /// Whether the object must be held for a reviewer.
    pub fn needs_review(&self) -> bool {
        self.findings.iter().any(|f| f.action == Action::Review)
    }
}

/// What the filter needs to know about the rest of the envelope.
#[derive(Debug, Clone, Default)]
pub struct Context<'a> {
    /// Ids of `email-addr` objects that the envelope names as senders.
    pub senders: HashSet<&'a str>,
    /// Redact id-contributing SCO values too, as the policy says, instead
    /// of sending them to review: a reviewer's explicit choice.
    pub redact_ids: bool,
}

impl<'a> Context<'a> {
    /// Collects the senders named by the `email-message` objects among
    /// `objects`.
    pub fn of(objects: impl IntoIterator<Item = &'a Value>) -> Context<'a> {
        let mut senders = HashSet::new();
        for object in objects {
            if object.get("type").and_then(Value::as_str) == Some("email-message") {
                for key in ["from_ref", "sender_ref"] {
                    if let Some(id) = object.get(key).and_then(Value::as_str) {
                        senders.insert(id);
                    }
                }
            }
        }
        Context {
            senders,
            redact_ids: false,
        }
    }
}

/// Properties that are never prose, whatever the object.
fn structural(key: &str) -> bool {
    matches!(
        key,
        "type"
            | "id"
            | "spec_version"
            | "created"
            | "modified"
            | "lang"
            | "pattern_type"
            | "pattern_version"
            | "hashes"
            | "extension_type"
            | "granular_markings"
            | "valid_from"
            | "valid_until"
            | "first_seen"
            | "last_seen"
            | "first_observed"
            | "last_observed"
            | "published"
            | "start_time"
            | "stop_time"
            | "kill_chain_phases"
            | "url"
            | "external_id"
            | "source_name"
            | "identity_class"
            | "context"
    ) || key.ends_with("_ref")
        || key.ends_with("_refs")
        || key.ends_with("_types")
        || key.ends_with("_type")
        || key.ends_with("_date")
}

/// The class of an SCO's property.
fn sco_class(object_type: &str, key: &str, sender: bool) -> FieldClass {
    let personal = !sender
        && matches!(
            (object_type, key),
            ("email-addr", "value" | "display_name")
                | (
                    "user-account",
                    "user_id" | "account_login" | "display_name" | "credential"
                )
                | ("directory", "path")
                | ("file", "name")
                | ("process", "command_line" | "cwd" | "environment_variables")
                | ("email-message", "subject" | "body")
                | ("mime-part-type", "body")
        );
    if personal {
        FieldClass::PersonalSco
    } else {
        FieldClass::IndicatorValue
    }
}

/// Runs the detector over every property of `object` that can hold personal
/// data and applies `policy`.
pub fn filter_object(object: &Value, policy: &PrivacyPolicy, context: &Context<'_>) -> Filtered {
    let Some(map) = object.as_object() else {
        return Filtered {
            released: None,
            findings: Vec::new(),
        };
    };
    let object_type = map.get("type").and_then(Value::as_str).unwrap_or_default();
    let id = map.get("id").and_then(Value::as_str).unwrap_or_default();
    let sco = charter_stix::SCO_TYPES.contains(&object_type);
    let contributing: &[&str] = if sco && !context.redact_ids {
        charter_stix::id_contributing_properties(object_type).unwrap_or(&[])
    } else {
        &[]
    };
    let walk = Walk {
        policy,
        object_type,
        sco,
        sender: context.senders.contains(id),
        contributing,
    };
    let mut findings = Vec::new();
    let mut changes = Vec::new();
    for (key, value) in map {
        if structural(key) || object_type == "marking-definition" {
            continue;
        }
        let class = if sco {
            sco_class(object_type, key, walk.sender)
        } else if object_type == "indicator" && key == "pattern" {
            FieldClass::IndicatorValue
        } else {
            FieldClass::FreeText
        };
        let top = walk.contributing.contains(&key.as_str());
        let at = Path::Key(None, key);
        if let Some(new) = walk.value(value, &at, class, top, &mut findings) {
            changes.push((key, new));
        }
    }
    let released = (!changes.is_empty()).then(|| {
        let mut out = map.clone();
        for (key, new) in changes {
            out.insert(key.clone(), new);
        }
        Value::Object(out)
    });
    Filtered { released, findings }
}

/// Where a value sits in its object, rendered only for findings.
enum Path<'a> {
    /// A property of the object (no parent) or of a nested object.
    Key(Option<&'a Path<'a>>, &'a str),
    /// An item of an array.
    Index(&'a Path<'a>, usize),
}

impl Path<'_> {
    fn render(&self) -> String {
        match self {
            Path::Key(None, key) => (*key).to_owned(),
            Path::Key(Some(parent), key) => format!("{}/{key}", parent.render()),
            Path::Index(parent, i) => format!("{}/{i}", parent.render()),
        }
    }

    /// The top-level property this path starts from.
    fn root(&self) -> &str {
        match self {
            Path::Key(None, key) => key,
            Path::Key(Some(parent), _) | Path::Index(parent, _) => parent.root(),
        }
    }
}

struct Walk<'p> {
    policy: &'p PrivacyPolicy,
    object_type: &'p str,
    sco: bool,
    sender: bool,
    contributing: &'p [&'p str],
}

impl Walk<'_> {
    /// Filters one value at `path`, recording its findings; returns its
    /// released form only when a redaction changed it, so nothing is copied
    /// for the (usual) object without findings. Nested objects keep the
    /// class of the top-level property, but their structural keys are
    /// skipped.
    fn value(
        &self,
        value: &Value,
        path: &Path<'_>,
        class: FieldClass,
        id_part: bool,
        findings: &mut Vec<FieldFinding>,
    ) -> Option<Value> {
        match value {
            Value::String(text) => self.text(text, path, class, id_part, findings),
            Value::Array(items) => {
                let mut changed: Vec<(usize, Value)> = Vec::new();
                for (i, item) in items.iter().enumerate() {
                    let at = Path::Index(path, i);
                    if let Some(new) = self.value(item, &at, class, id_part, findings) {
                        changed.push((i, new));
                    }
                }
                if changed.is_empty() {
                    return None;
                }
                let mut out = items.clone();
                for (i, new) in changed {
                    out[i] = new;
                }
                Some(Value::Array(out))
            }
            Value::Object(map) => {
                let mut changed: Vec<(&String, Value)> = Vec::new();
                for (key, item) in map {
                    if structural(key) {
                        continue;
                    }
                    let class = if self.sco && path.root() == "extensions" {
                        sco_class(self.object_type, key, self.sender)
                    } else {
                        class
                    };
                    let at = Path::Key(Some(path), key);
                    if let Some(new) = self.value(item, &at, class, false, findings) {
                        changed.push((key, new));
                    }
                }
                if changed.is_empty() {
                    return None;
                }
                let mut out = map.clone();
                for (key, new) in changed {
                    out.insert(key.clone(), new);
                }
                Some(Value::Object(out))
            }
            _ => None,
        }
    }

    /// Filters one string.
    fn text(
        &self,
        text: &str,
        path: &Path<'_>,
        class: FieldClass,
        id_part: bool,
        findings: &mut Vec<FieldFinding>,
    ) -> Option<Value> {
        let found = Detector::shared().scan(text);
        if found.is_empty() {
            return None;
        }
        let mut policy;
        let policy = if id_part {
            // Redacting an id-contributing value would leave an id that
            // still confirms it: review instead.
            policy = self.policy.clone();
            for f in &found {
                if policy.action(f.kind, class) == Action::Redact {
                    policy.set(f.kind, class, Action::Review);
                }
            }
            &policy
        } else {
            self.policy
        };
        let result = redact(text, &found, policy, class);
        let rendered = path.render();
        for (finding, action) in result
            .redacted
            .iter()
            .map(|f| (f, Action::Redact))
            .chain(result.review.iter().map(|f| (f, Action::Review)))
        {
            findings.push(FieldFinding {
                path: rendered.clone(),
                kind: finding.kind,
                class,
                action,
                span: finding.span.clone(),
            });
        }
        (!result.redacted.is_empty()).then_some(Value::String(result.text))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn run(object: Value) -> Filtered {
        filter_object(&object, &PrivacyPolicy::default(), &Context::default())
    }

    #[test]
    fn free_text_is_redacted_and_structure_is_not() {
        let object = json!({
            "type": "report", "spec_version": "2.1",
            "id": "report--6d4ffe54-6b2c-4a8b-9f4c-2c1b4d0bba11",
            "created": "2024-01-01T00:00:00.000Z", "modified": "2024-01-01T00:00:00.000Z",
            "name": "Phishing wave", "published": "2024-01-01T00:00:00Z",
            "description": "Victim jane.doe@example.org called +44 20 7946 0958.",
            "object_refs": ["identity--6d4ffe54-6b2c-4a8b-9f4c-2c1b4d0bba12"],
            "external_references": [{"source_name": "mail", "url": "mailto:x@example.org",
                                     "description": "reported by bob@example.net"}],
            "x_acme_notes": {"analyst": "ops@example.com"}
        });
        let out = run(object);
        let released = out.released.clone().expect("changed");
        assert_eq!(
            released["description"],
            "Victim [REDACTED:email] called [REDACTED:phone]."
        );
        assert_eq!(
            released["external_references"][0]["description"],
            "reported by [REDACTED:email]"
        );
        assert_eq!(
            released["external_references"][0]["url"],
            "mailto:x@example.org"
        );
        assert_eq!(released["x_acme_notes"]["analyst"], "[REDACTED:email]");
        let paths: Vec<&str> = out.findings.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "description",
                "description",
                "external_references/0/description",
                "x_acme_notes/analyst"
            ]
        );
        assert!(!out.needs_review());
    }

    #[test]
    fn patterns_go_to_review_unchanged() {
        let object = json!({
            "type": "indicator", "spec_version": "2.1",
            "id": "indicator--6d4ffe54-6b2c-4a8b-9f4c-2c1b4d0bba13",
            "created": "2024-01-01T00:00:00.000Z", "modified": "2024-01-01T00:00:00.000Z",
            "pattern": "[email-addr:value = 'payroll@evil-example.com']",
            "pattern_type": "stix", "valid_from": "2024-01-01T00:00:00Z"
        });
        let out = run(object);
        assert!(out.released.is_none(), "never silently redacted");
        assert!(out.needs_review());
        assert_eq!(out.findings[0].class, FieldClass::IndicatorValue);
    }

    #[test]
    fn id_contributing_sco_values_are_reviewed_not_redacted() {
        let victim = json!({
            "type": "email-addr", "spec_version": "2.1",
            "id": "email-addr--2d77a846-6264-5d51-b586-e43822ea1ea3",
            "value": "jane.doe@example.org", "display_name": "Jane jane.doe@example.org"
        });
        let out = run(victim.clone());
        let released = out.released.clone().expect("display name redacted");
        assert_eq!(released["value"], "jane.doe@example.org");
        assert_eq!(released["display_name"], "Jane [REDACTED:email]");
        assert!(out.needs_review(), "the value itself waits for a reviewer");
        assert_eq!(out.findings[0].class, FieldClass::PersonalSco);

        let message = json!({"type": "email-message", "from_ref": victim["id"]});
        let context = Context::of([&message]);
        let out = filter_object(&victim, &PrivacyPolicy::default(), &context);
        assert!(out.released.is_none(), "a sender is the attacker's");
        assert!(
            out.findings
                .iter()
                .all(|f| f.class == FieldClass::IndicatorValue && f.action == Action::Review)
        );
    }

    #[test]
    fn path_user_names_in_directories() {
        let dir = json!({
            "type": "directory", "spec_version": "2.1",
            "id": "directory--6d4ffe54-6b2c-4a8b-9f4c-2c1b4d0bba14",
            "path": "C:\\Users\\jsmith\\AppData\\Roaming"
        });
        let out = run(dir);
        assert!(out.needs_review(), "path contributes to the id");
        assert_eq!(out.findings[0].kind, PiiKind::PathUsername);
    }

    #[test]
    fn clean_objects_are_released_as_submitted() {
        let object = json!({
            "type": "malware", "spec_version": "2.1",
            "id": "malware--6d4ffe54-6b2c-4a8b-9f4c-2c1b4d0bba15",
            "created": "2024-01-01T00:00:00.000Z", "modified": "2024-01-01T00:00:00.000Z",
            "name": "Industroyer2", "is_family": true,
            "description": "Targets IEC-104 on port 2404; see CVE-2021-44228 and T0855."
        });
        let out = run(object);
        assert_eq!(out.released, None);
        assert!(out.findings.is_empty());
    }
}
