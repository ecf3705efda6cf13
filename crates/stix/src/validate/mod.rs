//! The validator: every MUST of STIX 2.1 that can be checked on one object.
//!
//! Each object type has a table of its properties ([`props::Prop`]): name,
//! kind of value, required or not. One generic pass checks an object against
//! the common-property table of its family plus its type's table; a small
//! function per type then checks what tables cannot say (properties that
//! exclude or need each other, timestamp order, TLP definitions). Properties
//! not in the tables are custom properties: their names and `_hex`/`_bin`
//! values are checked, nothing else. Diagnostics come out in a fixed order
//! (table pass in key order, then cross-property rules), so golden files are
//! stable.
//!
//! The checks follow the specification's text and, where it is silent, the
//! OASIS `stix2-validator`'s schemas; `interop/validator/EXPECTED_DIFFERENCES.md`
//! lists where the two knowingly part. Not checked here: the syntax of
//! indicator patterns (the `pattern` crate does that), membership in IANA
//! registries (media types, character sets) beyond their shape, and the
//! deprecated `objects` of `observed-data` beyond its shape.

mod common;
mod lang;
mod meta;
pub(crate) mod props;
mod sco;
mod sco_ext;
mod sdo;
pub(crate) mod values;

use serde_json::{Map, Value};

use crate::diagnostic::{Diagnostic, Seg, Severity, render_path, rules};
use crate::ident;
use crate::object::{ObjectKind, StixObject};

/// Checks one object against every MUST of the specification.
///
/// Returns errors for broken MUSTs and warnings for some SHOULDs; only
/// errors make an object invalid. A bundle's members are checked too, each
/// diagnostic naming the member's own id.
pub fn validate(obj: &StixObject) -> Vec<Diagnostic> {
    let mut c = Checker::new(Some(obj.id()));
    if let Value::Object(map) = obj.value() {
        check_object(&mut c, map);
    }
    c.out
}

/// Parses and validates one object's JSON text.
///
/// When the text cannot be parsed into an object, the object is `None` and
/// the diagnostics say why.
pub fn check(json: &str) -> (Option<StixObject>, Vec<Diagnostic>) {
    match StixObject::from_str(json) {
        Ok(obj) => {
            let diags = validate(&obj);
            (Some(obj), diags)
        }
        Err(d) => (None, vec![d]),
    }
}

/// True when no diagnostic is an error.
pub fn is_valid(diagnostics: &[Diagnostic]) -> bool {
    !diagnostics.iter().any(Diagnostic::is_error)
}

/// Collects diagnostics for one object while walking it.
pub(crate) struct Checker<'a> {
    id: Option<&'a str>,
    path: Vec<Seg<'a>>,
    out: Vec<Diagnostic>,
}

impl<'a> Checker<'a> {
    pub(crate) fn new(id: Option<&'a str>) -> Checker<'a> {
        Checker {
            id,
            path: Vec::new(),
            out: Vec::new(),
        }
    }

    fn push(&mut self, rule: &'static str, message: String, severity: Severity) {
        self.out.push(Diagnostic {
            object_id: self.id.map(str::to_owned),
            property: render_path(&self.path),
            rule,
            message,
            severity,
        });
    }

    /// Reports a broken MUST at the current path.
    pub(crate) fn error(&mut self, rule: &'static str, message: impl Into<String>) {
        self.push(rule, message.into(), Severity::Error);
    }

    /// Reports an unfollowed SHOULD at the current path.
    pub(crate) fn warning(&mut self, rule: &'static str, message: impl Into<String>) {
        self.push(rule, message.into(), Severity::Warning);
    }

    /// Runs `f` one step deeper in the path.
    pub(crate) fn at<R>(&mut self, seg: Seg<'a>, f: impl FnOnce(&mut Self) -> R) -> R {
        self.path.push(seg);
        let r = f(self);
        self.path.pop();
        r
    }

    /// Runs `f` at property `key` below the current path.
    pub(crate) fn key<R>(&mut self, key: &'a str, f: impl FnOnce(&mut Self) -> R) -> R {
        self.at(Seg::Key(key), f)
    }

    /// Reports an error at property `key` below the current path.
    pub(crate) fn error_at(
        &mut self,
        key: &'a str,
        rule: &'static str,
        message: impl Into<String>,
    ) {
        let message = message.into();
        self.key(key, |c| c.error(rule, message));
    }
}

/// A JSON number that is an integer (JSON Schema counts `5.0` as one).
/// Integers beyond `i64` saturate, so range checks still report them.
pub(crate) fn as_integer(v: &Value) -> Option<i64> {
    let Value::Number(n) = v else { return None };
    if let Some(i) = n.as_i64() {
        return Some(i);
    }
    if n.as_u64().is_some() {
        return Some(i64::MAX);
    }
    // `as` saturates, which is what a range check needs.
    n.as_f64().filter(|f| f.fract() == 0.0).map(|f| f as i64)
}

/// Checks one object (top level or a bundle member) of any type.
pub(crate) fn check_object<'a>(c: &mut Checker<'a>, o: &'a Map<String, Value>) {
    let Some(t) = check_type(c, o) else { return };
    check_id(c, o, t);
    match ObjectKind::of(t) {
        ObjectKind::Sdo => sdo::check_sdo(c, o, t),
        ObjectKind::Sro => sdo::check_sro(c, o, t),
        ObjectKind::Sco => sco::check_sco(c, o, t),
        ObjectKind::MarkingDefinition => meta::check_marking_definition(c, o),
        ObjectKind::LanguageContent => meta::check_language_content(c, o),
        ObjectKind::ExtensionDefinition => meta::check_extension_definition(c, o),
        ObjectKind::Bundle => meta::check_bundle(c, o),
        ObjectKind::Custom => meta::check_custom(c, o),
    }
}

fn check_type<'a>(c: &mut Checker<'a>, o: &'a Map<String, Value>) -> Option<&'a str> {
    let t = match o.get("type") {
        Some(Value::String(t)) => t.as_str(),
        Some(_) => {
            c.error_at("type", rules::VALUE_TYPE, "must be a string");
            return None;
        }
        None => {
            c.error_at("type", rules::REQUIRED, "every STIX object needs a type");
            return None;
        }
    };
    if let Err(why) = ident::check_type_name(t) {
        c.error_at(
            "type",
            rules::TYPE_NAME,
            format!("{t:?} is not a valid type name: it {why}"),
        );
    }
    if ident::RESERVED_TYPES.contains(&t) {
        c.error_at(
            "type",
            rules::RESERVED,
            format!("{t:?} is a reserved type name"),
        );
    }
    Some(t)
}

fn check_id<'a>(c: &mut Checker<'a>, o: &'a Map<String, Value>, t: &str) {
    let id = match o.get("id") {
        Some(Value::String(id)) => id.as_str(),
        Some(_) => return c.error_at("id", rules::VALUE_TYPE, "must be a string"),
        None => return c.error_at("id", rules::REQUIRED, "every STIX object needs an id"),
    };
    let parsed = match ident::parse_identifier(id) {
        Ok(p) => p,
        Err(why) => return c.error_at("id", rules::ID_FORMAT, format!("{id:?} {why}")),
    };
    if parsed.object_type != t {
        c.error_at("id", rules::ID_TYPE, format!("must start with \"{t}--\""));
        return;
    }
    if ident::is_sco(t) {
        let deterministic = crate::sco_id::has_contributing_properties(t, o);
        if !deterministic && parsed.version != 4 {
            c.error_at(
                "id",
                rules::UUID_VERSION,
                "an SCO without id-contributing properties must use a UUIDv4 id",
            );
        } else if deterministic && parsed.version == 5 {
            let expected = crate::sco_id::sco_id_of_map(t, o);
            if expected
                .as_deref()
                .is_some_and(|e| !e.eq_ignore_ascii_case(id))
            {
                c.key("id", |c| {
                    c.warning(
                        rules::UUID_VERSION,
                        format!(
                            "should be the deterministic id {}",
                            expected.unwrap_or_default()
                        ),
                    )
                });
            }
        }
    }
}

#[cfg(test)]
mod tests;
