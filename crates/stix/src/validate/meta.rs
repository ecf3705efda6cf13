//! Meta objects (marking-definition, language-content, extension-definition),
//! bundles, and custom objects.

use serde_json::{Map, Value};

use super::common::{self, CORE, SCO_CORE};
use super::props::{Kind, Prop, Refs, check_order, check_props, list, object, opt, req};
use super::{Checker, check_object, values};
use crate::diagnostic::{Seg, rules};
use crate::tlp::{TLP_V1_CREATED, TLP_V1_DEFINITIONS};

const MARKING_DEFINITION: &[Prop] = &[
    req("type", Kind::Skip),
    req("id", Kind::Skip),
    req("spec_version", CORE[2].kind),
    req("created", Kind::TimestampMillis),
    opt("created_by_ref", Kind::Ref(Refs::Only(&["identity"]))),
    opt(
        "external_references",
        Kind::With(common::external_references),
    ),
    opt(
        "object_marking_refs",
        Kind::RefList(Refs::Only(&["marking-definition"])),
    ),
    opt("granular_markings", Kind::With(common::granular_markings)),
    opt("extensions", Kind::With(common::marking_extensions)),
    opt("name", Kind::Str),
    opt("definition_type", Kind::Str),
    opt("definition", Kind::Object),
];

/// Checks a marking-definition.
pub(crate) fn check_marking_definition<'a>(c: &mut Checker<'a>, o: &'a Map<String, Value>) {
    check_props(c, o, &[MARKING_DEFINITION]);
    common::check_selectors(c, o);
    let id = o.get("id").and_then(Value::as_str);
    if let (Some(id), Some(Value::Array(refs))) = (id, o.get("object_marking_refs")) {
        for (i, r) in refs.iter().enumerate() {
            if r.as_str() == Some(id) {
                c.key("object_marking_refs", |c| {
                    c.at(Seg::Index(i), |c| {
                        c.error(
                            rules::CIRCULAR_MARKING,
                            "a marking definition must not mark itself",
                        )
                    })
                });
            }
        }
    }
    if let (Some(id), Some(Value::Array(gms))) = (id, o.get("granular_markings")) {
        for (i, g) in gms.iter().enumerate() {
            if g.get("marking_ref").and_then(Value::as_str) == Some(id) {
                c.key("granular_markings", |c| {
                    c.at(Seg::Index(i), |c| {
                        c.error_at(
                            "marking_ref",
                            rules::CIRCULAR_MARKING,
                            "a marking definition must not mark itself",
                        )
                    })
                });
            }
        }
    }
    let definition_type = o.get("definition_type").and_then(Value::as_str);
    if !o.contains_key("extensions") {
        for needed in ["definition_type", "definition"] {
            if !o.contains_key(needed) {
                c.error_at(
                    needed,
                    rules::REQUIRED,
                    "is required when the marking definition has no extensions",
                );
            }
        }
    }
    match definition_type {
        Some("statement") => {
            if let Some(def) = o.get("definition").and_then(Value::as_object) {
                match def.get("statement") {
                    Some(Value::String(_)) => {}
                    Some(_) => c.key("definition", |c| {
                        c.error_at("statement", rules::VALUE_TYPE, "must be a string")
                    }),
                    None => c.key("definition", |c| {
                        c.error_at(
                            "statement",
                            rules::REQUIRED,
                            "is required for a statement marking",
                        )
                    }),
                }
            }
        }
        Some("tlp") => check_tlp_v1(c, o),
        _ => {}
    }
}

/// A `tlp` marking definition must be one of the four STIX defines, exactly.
fn check_tlp_v1<'a>(c: &mut Checker<'a>, o: &'a Map<String, Value>) {
    let id = o.get("id").and_then(Value::as_str);
    let Some(&(_, name, level)) = TLP_V1_DEFINITIONS.iter().find(|d| Some(d.0) == id) else {
        c.error_at(
            "id",
            rules::TLP,
            "a tlp marking definition must be one of the four TLP 1.0 definitions of STIX 2.1",
        );
        return;
    };
    if o.get("name").and_then(Value::as_str) != Some(name) {
        c.error_at(
            "name",
            rules::TLP,
            format!("must be {name:?} for this TLP marking definition"),
        );
    }
    if o.get("created").and_then(Value::as_str) != Some(TLP_V1_CREATED) {
        c.error_at(
            "created",
            rules::TLP,
            format!("must be {TLP_V1_CREATED:?} for a TLP 1.0 marking definition"),
        );
    }
    let def_level = o
        .get("definition")
        .and_then(|d| d.get("tlp"))
        .and_then(Value::as_str);
    if def_level != Some(level) {
        c.key("definition", |c| {
            c.error_at(
                "tlp",
                rules::TLP,
                format!("must be {level:?} for this TLP marking definition"),
            )
        });
    }
    const ALLOWED: &[&str] = &[
        "type",
        "id",
        "spec_version",
        "created",
        "name",
        "definition_type",
        "definition",
    ];
    for key in o.keys() {
        if !ALLOWED.contains(&key.as_str()) {
            c.error_at(
                key,
                rules::TLP,
                "a TLP 1.0 marking definition has no other properties",
            );
        }
    }
}

const LANGUAGE_CONTENT: &[Prop] = &[
    req(
        "object_ref",
        Kind::Ref(Refs::Not(&["bundle", "language-content"])),
    ),
    opt("object_modified", Kind::Timestamp),
    req("contents", Kind::With(contents)),
];

/// Checks a language-content object.
pub(crate) fn check_language_content<'a>(c: &mut Checker<'a>, o: &'a Map<String, Value>) {
    check_props(c, o, &[CORE, LANGUAGE_CONTENT]);
    common::check_selectors(c, o);
    check_order(c, o, "modified", "created", true);
}

fn contents<'a>(c: &mut Checker<'a>, v: &'a Value) {
    super::props::check_dict(c, v, |c, item| {
        let Some(translations) = object(c, item) else {
            return;
        };
        for key in translations.keys() {
            let ok = (3..=250).contains(&key.len())
                && key
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
            if !ok {
                c.error_at(
                    key,
                    rules::PROPERTY_NAME,
                    format!("{key:?} is not a property name"),
                );
            }
        }
    });
    if let Some(o) = v.as_object() {
        for key in o.keys() {
            if !values::is_language_tag(key) {
                c.error_at(
                    key,
                    rules::FORMAT,
                    format!("{key:?} is not an RFC 5646 language tag"),
                );
            }
        }
    }
}

const EXTENSION_DEFINITION: &[Prop] = &[
    req("created_by_ref", Kind::Ref(Refs::Only(&["identity"]))),
    req("name", Kind::Str),
    opt("description", Kind::Str),
    req("schema", Kind::Str),
    req("version", Kind::Str),
    req("extension_types", Kind::Enums(common::EXTENSION_TYPES)),
    opt("extension_properties", Kind::Strs),
];

/// Checks an extension-definition.
pub(crate) fn check_extension_definition<'a>(c: &mut Checker<'a>, o: &'a Map<String, Value>) {
    check_props(c, o, &[CORE, EXTENSION_DEFINITION]);
    common::check_selectors(c, o);
    check_order(c, o, "modified", "created", true);
    let toplevel = o
        .get("extension_types")
        .and_then(Value::as_array)
        .is_some_and(|types| types.iter().any(|t| t == "toplevel-property-extension"));
    if o.contains_key("extension_properties") && !toplevel {
        c.error_at(
            "extension_properties",
            rules::CO_OCCURRENCE,
            "may only be present when extension_types includes toplevel-property-extension",
        );
    }
}

const BUNDLE: &[Prop] = &[
    req("type", Kind::Skip),
    req("id", Kind::Skip),
    opt("objects", Kind::With(bundle_objects)),
];

/// Checks a bundle and each of its objects.
pub(crate) fn check_bundle<'a>(c: &mut Checker<'a>, o: &'a Map<String, Value>) {
    check_props(c, o, &[BUNDLE]);
}

fn bundle_objects<'a>(c: &mut Checker<'a>, v: &'a Value) {
    list(c, v, |c, item| {
        let Some(member) = object(c, item) else {
            return;
        };
        // Each member is reported under its own id; one without a usable
        // id is reported under the bundle, at its position.
        match member.get("id").and_then(Value::as_str) {
            Some(id) => {
                let mut inner = Checker::new(Some(id));
                check_object(&mut inner, member);
                c.out.append(&mut inner.out);
            }
            None => check_object(c, member),
        }
    });
}

/// Checks an object of a type the specification does not define. With
/// `created` or `modified` it is taken as a custom SDO/SRO and needs the
/// common SDO properties; otherwise as a custom SCO.
pub(crate) fn check_custom<'a>(c: &mut Checker<'a>, o: &'a Map<String, Value>) {
    let domain_like = o.contains_key("created") || o.contains_key("modified");
    check_props(c, o, &[if domain_like { CORE } else { SCO_CORE }]);
    common::check_selectors(c, o);
    if domain_like {
        check_order(c, o, "modified", "created", true);
    }
    if let Some(t) = o.get("type").and_then(Value::as_str) {
        if !t.starts_with("x-") && !o.contains_key("extensions") {
            c.key("type", |c| {
                c.warning(rules::CUSTOM_PREFIX, "custom object types should start with \"x-\" or be defined by an extension-definition")
            });
        }
    }
}
