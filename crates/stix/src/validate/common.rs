//! The common properties: their tables and the checks of their structures
//! (external references, granular markings, extensions).

use serde_json::{Map, Value};

use super::Checker;
use super::props::{Kind, Prop, Refs, check_kind, check_nested, list, object, opt, req, string};
use super::values;
use crate::diagnostic::{Seg, rules};
use crate::ident;

const MARKING_REFS: Refs = Refs::Only(&["marking-definition"]);

/// Common properties of SDOs, SROs, language-content and extension-definition.
pub(crate) const CORE: &[Prop] = &[
    req("type", Kind::Skip),
    req("id", Kind::Skip),
    req("spec_version", Kind::With(spec_version)),
    req("created", Kind::TimestampMillis),
    req("modified", Kind::TimestampMillis),
    opt("created_by_ref", Kind::Ref(Refs::Only(&["identity"]))),
    opt("revoked", Kind::Bool),
    opt("labels", Kind::Strs),
    opt("confidence", Kind::Int(0, 100)),
    opt("lang", Kind::Lang),
    opt("external_references", Kind::With(external_references)),
    opt("object_marking_refs", Kind::RefList(MARKING_REFS)),
    opt("granular_markings", Kind::With(granular_markings)),
    opt("extensions", Kind::With(extensions)),
];

/// Common properties of SCOs.
pub(crate) const SCO_CORE: &[Prop] = &[
    req("type", Kind::Skip),
    req("id", Kind::Skip),
    opt("spec_version", Kind::With(spec_version)),
    opt("object_marking_refs", Kind::RefList(MARKING_REFS)),
    opt("granular_markings", Kind::With(granular_markings)),
    opt("defanged", Kind::Bool),
    opt("extensions", Kind::With(extensions)),
];

/// The common `description`, which most SDOs and SROs carry.
pub(crate) const DESCRIPTION: Prop = opt("description", Kind::Str);

fn spec_version<'a>(c: &mut Checker<'a>, v: &'a Value) {
    let Some(s) = string(c, v) else { return };
    if s != "2.1" {
        c.error(
            rules::SPEC_VERSION,
            format!("{s:?}: only STIX 2.1 objects are accepted (spec_version \"2.1\")"),
        );
    }
}

/// Checks `external_references`.
pub(crate) fn external_references<'a>(c: &mut Checker<'a>, v: &'a Value) {
    list(c, v, |c, item| {
        let Some(r) = object(c, item) else { return };
        check_nested(
            c,
            r,
            &[
                req("source_name", Kind::Str),
                opt("description", Kind::Str),
                opt("url", Kind::Uri),
                opt("hashes", Kind::Hashes),
                opt("external_id", Kind::Str),
            ],
        );
        if !["description", "url", "external_id"]
            .iter()
            .any(|k| r.contains_key(*k))
        {
            c.error(
                rules::EXTERNAL_REFERENCE,
                "needs at least one of description, url and external_id besides source_name",
            );
        }
        let source = r.get("source_name").and_then(Value::as_str);
        let external_id = r.get("external_id").and_then(Value::as_str);
        let (cve, capec) = (source == Some("cve"), source == Some("capec"));
        match external_id {
            None if cve || capec => c.error_at(
                "external_id",
                rules::EXTERNAL_REFERENCE,
                "a cve or capec reference needs its external_id",
            ),
            Some(e) if cve && !values::is_cve_id(e) => c.error_at(
                "external_id",
                rules::EXTERNAL_REFERENCE,
                format!("{e:?} is not a CVE id (CVE-YYYY-NNNN)"),
            ),
            Some(e) if capec && !values::is_capec_id(e) => c.error_at(
                "external_id",
                rules::EXTERNAL_REFERENCE,
                format!("{e:?} is not a CAPEC id (CAPEC-N)"),
            ),
            Some(e) if !cve && !capec && (values::is_cve_id(e) || values::is_capec_id(e)) => c
                .error_at(
                    "source_name",
                    rules::EXTERNAL_REFERENCE,
                    format!("a reference to {e:?} must have source_name \"cve\" or \"capec\""),
                ),
            _ => {}
        }
    });
}

/// Checks `granular_markings` (selectors are resolved in [`check_selectors`]).
pub(crate) fn granular_markings<'a>(c: &mut Checker<'a>, v: &'a Value) {
    list(c, v, |c, item| {
        let Some(g) = object(c, item) else { return };
        check_nested(
            c,
            g,
            &[
                req("selectors", Kind::With(selectors)),
                opt("marking_ref", Kind::Ref(MARKING_REFS)),
                opt("lang", Kind::Lang),
            ],
        );
        match (g.contains_key("marking_ref"), g.contains_key("lang")) {
            (true, true) => c.error_at(
                "lang",
                rules::CO_OCCURRENCE,
                "a granular marking has marking_ref or lang, not both",
            ),
            (false, false) => c.error(
                rules::AT_LEAST_ONE,
                "a granular marking needs marking_ref or lang",
            ),
            _ => {}
        }
    });
}

fn selectors<'a>(c: &mut Checker<'a>, v: &'a Value) {
    list(c, v, |c, item| {
        if let Some(s) = string(c, item) {
            if !values::is_selector(s) {
                c.error(rules::SELECTOR, format!("{s:?} is not a valid selector"));
            }
        }
    });
}

/// Checks that every granular-marking selector points at something in `o`.
pub(crate) fn check_selectors<'a>(c: &mut Checker<'a>, o: &'a Map<String, Value>) {
    let Some(markings) = o.get("granular_markings").and_then(Value::as_array) else {
        return;
    };
    for (i, g) in markings.iter().enumerate() {
        let Some(sels) = g.get("selectors").and_then(Value::as_array) else {
            continue;
        };
        for (j, sel) in sels.iter().enumerate() {
            let Some(sel) = sel.as_str() else { continue };
            if !values::is_selector(sel) || resolves(o, sel) {
                continue;
            }
            c.key("granular_markings", |c| {
                c.at(Seg::Index(i), |c| {
                    c.key("selectors", |c| {
                        c.at(Seg::Index(j), |c| {
                            c.error(
                                rules::SELECTOR,
                                format!("{sel:?} does not point at a property of this object"),
                            )
                        })
                    })
                })
            });
        }
    }
}

fn resolves(o: &Map<String, Value>, selector: &str) -> bool {
    let mut segments = selector.split('.');
    let Some(mut here) = segments.next().and_then(|first| o.get(first)) else {
        return false;
    };
    for seg in segments {
        let next = match seg.strip_prefix('[').and_then(|s| s.strip_suffix(']')) {
            Some(index) => index.parse::<usize>().ok().and_then(|i| here.get(i)),
            None => here.as_object().and_then(|m| m.get(seg)),
        };
        match next {
            Some(v) => here = v,
            None => return false,
        }
    }
    true
}

/// The values of the extension-type enumeration.
pub(crate) const EXTENSION_TYPES: &[&str] = &[
    "new-sdo",
    "new-sco",
    "new-sro",
    "property-extension",
    "toplevel-property-extension",
];

/// Checks `extensions`: keys are extension-definition ids or predefined
/// extension names ending in `-ext`.
pub(crate) fn extensions<'a>(c: &mut Checker<'a>, v: &'a Value) {
    check_extensions(c, v, true);
}

/// Checks `extensions` of a marking definition: extension-definition ids only.
pub(crate) fn marking_extensions<'a>(c: &mut Checker<'a>, v: &'a Value) {
    check_extensions(c, v, false);
}

fn check_extensions<'a>(c: &mut Checker<'a>, v: &'a Value, allow_named: bool) {
    let Some(exts) = object(c, v) else { return };
    if exts.is_empty() {
        c.error(rules::EXTENSION, "extensions must not be empty");
    }
    for (key, ext) in exts {
        c.key(key, |c| {
            let by_definition = key
                .strip_prefix("extension-definition--")
                .is_some_and(|u| ident::check_uuid(u).is_ok());
            if !(by_definition || allow_named && values::is_extension_name(key)) {
                let allowed = if allow_named {
                    "an extension-definition id or a name ending in -ext"
                } else {
                    "an extension-definition id"
                };
                c.error(rules::EXTENSION, format!("{key:?} is not {allowed}"));
                return;
            }
            let Some(body) = object(c, ext) else { return };
            if body.is_empty() {
                c.error(rules::EXTENSION, "an extension must not be empty");
            }
            for (name, value) in body {
                let name = name.as_str();
                if let Err(why) = ident::check_property_name(name) {
                    c.error_at(
                        name,
                        rules::PROPERTY_NAME,
                        format!("{name:?} is not a valid property name: it {why}"),
                    );
                }
                c.key(name, |c| {
                    if value.is_null() {
                        c.error(rules::NULL_VALUE, "properties must not be null");
                    } else {
                        super::props::check_custom_value(c, name, value);
                    }
                });
            }
            if by_definition {
                match body.get("extension_type") {
                    Some(t) => c.key("extension_type", |c| {
                        check_kind(c, Kind::Enum(EXTENSION_TYPES), t)
                    }),
                    None => c.error_at(
                        "extension_type",
                        rules::REQUIRED,
                        "is required in an extension-definition extension",
                    ),
                }
            }
        });
    }
}
