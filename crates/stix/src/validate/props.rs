//! Property tables and the generic checks they drive.
//!
//! A [`Prop`] names a property, the [`Kind`] of value it takes and whether it
//! is required. [`check_props`] walks an object once: each property found in
//! a table is checked against its kind; any other property is a custom one,
//! whose name and `_hex`/`_bin` suffix rules still apply; then missing
//! required properties are reported.

use serde_json::{Map, Value};

use super::{Checker, as_integer, values};
use crate::diagnostic::{Seg, rules};
use crate::ident;
use crate::timestamp::Timestamp;

/// A checker for a value that no simpler [`Kind`] describes.
pub(crate) type CheckFn = for<'x> fn(&mut Checker<'x>, &'x Value);

/// What kind of value a property takes.
#[derive(Clone, Copy)]
pub(crate) enum Kind {
    /// Checked elsewhere (`type`, `id`).
    Skip,
    /// A string.
    Str,
    /// A boolean.
    Bool,
    /// An integer within inclusive bounds.
    Int(i64, i64),
    /// A number within inclusive bounds.
    Num(f64, f64),
    /// A timestamp.
    Timestamp,
    /// A timestamp with at least millisecond precision (`created`, `modified`).
    TimestampMillis,
    /// A non-empty list of strings.
    Strs,
    /// One of the values of an enumeration.
    Enum(&'static [&'static str]),
    /// A non-empty list of values of an enumeration.
    Enums(&'static [&'static str]),
    /// An identifier of an allowed type.
    Ref(Refs),
    /// A non-empty list of identifiers of allowed types.
    RefList(Refs),
    /// A non-empty list of kill-chain phases.
    KillChain,
    /// A hashes dictionary.
    Hashes,
    /// A hex string.
    Hex,
    /// A base64 string.
    Bin,
    /// An RFC 3986 URI.
    Uri,
    /// A dictionary.
    Dict,
    /// Any JSON object.
    Object,
    /// An RFC 5646 language tag.
    Lang,
    /// A custom check.
    With(CheckFn),
}

/// Which object types a reference may point at.
#[derive(Clone, Copy)]
pub(crate) enum Refs {
    /// Any object.
    Any,
    /// Only these types.
    Only(&'static [&'static str]),
    /// Any type but these.
    Not(&'static [&'static str]),
    /// An SDO, or a custom object (which may be one).
    SdoOrCustom,
    /// Anything but an SDO.
    NotSdo,
    /// An SCO, or a custom object (which may be one).
    ScoOrCustom,
}

impl Refs {
    fn allows(self, t: &str) -> bool {
        match self {
            Refs::Any => true,
            Refs::Only(types) => types.contains(&t),
            Refs::Not(types) => !types.contains(&t),
            Refs::SdoOrCustom => ident::is_sdo(t) || !ident::is_predefined(t),
            Refs::NotSdo => !ident::is_sdo(t),
            Refs::ScoOrCustom => ident::is_sco(t) || !ident::is_predefined(t),
        }
    }

    fn describe(self) -> String {
        match self {
            Refs::Any => "any object".into(),
            Refs::Only(types) => format!("an object of type {}", types.join(" or ")),
            Refs::Not(types) => format!("an object of a type other than {}", types.join(", ")),
            Refs::SdoOrCustom => "an SDO (or a custom object)".into(),
            Refs::NotSdo => "an SCO or SRO, not an SDO".into(),
            Refs::ScoOrCustom => "an SCO (or a custom object)".into(),
        }
    }
}

/// One property of a type.
#[derive(Clone, Copy)]
pub(crate) struct Prop {
    pub(crate) name: &'static str,
    pub(crate) kind: Kind,
    pub(crate) required: bool,
}

/// A required property.
pub(crate) const fn req(name: &'static str, kind: Kind) -> Prop {
    Prop {
        name,
        kind,
        required: true,
    }
}

/// An optional property.
pub(crate) const fn opt(name: &'static str, kind: Kind) -> Prop {
    Prop {
        name,
        kind,
        required: false,
    }
}

/// Checks the top-level properties of an object against `tables`: names,
/// values, custom properties and required ones.
pub(crate) fn check_props<'a>(c: &mut Checker<'a>, o: &'a Map<String, Value>, tables: &[&[Prop]]) {
    for (name, value) in o {
        let name = name.as_str();
        if let Err(why) = ident::check_property_name(name) {
            c.error_at(
                name,
                rules::PROPERTY_NAME,
                format!("{name:?} is not a valid property name: it {why}"),
            );
        }
        if ident::RESERVED_PROPERTIES.contains(&name) {
            c.error_at(
                name,
                rules::RESERVED,
                format!("{name:?} is a reserved property name"),
            );
        }
        if value.is_null() {
            c.error_at(name, rules::NULL_VALUE, "properties must not be null");
            continue;
        }
        match find(tables, name) {
            Some(prop) => c.key(name, |c| check_kind(c, prop.kind, value)),
            None => c.key(name, |c| check_custom_value(c, name, value)),
        }
    }
    for table in tables {
        for prop in table.iter().filter(|p| p.required) {
            if !o.contains_key(prop.name) {
                c.error_at(prop.name, rules::REQUIRED, "is required");
            }
        }
    }
}

fn find<'t>(tables: &[&'t [Prop]], name: &str) -> Option<&'t Prop> {
    tables
        .iter()
        .flat_map(|t| t.iter())
        .find(|p| p.name == name)
}

/// Checks the properties of a nested structure against one table, without
/// the top-level name rules (nested names are fixed by the table).
pub(crate) fn check_nested<'a>(c: &mut Checker<'a>, o: &'a Map<String, Value>, table: &[Prop]) {
    for prop in table {
        match o.get(prop.name) {
            Some(v) if v.is_null() => c.error_at(prop.name, rules::NULL_VALUE, "must not be null"),
            Some(v) => c.key(prop.name, |c| check_kind(c, prop.kind, v)),
            None if prop.required => c.error_at(prop.name, rules::REQUIRED, "is required"),
            None => {}
        }
    }
}

/// What any custom property must satisfy: no empty list, and values of
/// `_hex`/`_bin` properties in their encodings.
pub(crate) fn check_custom_value<'a>(c: &mut Checker<'a>, name: &str, value: &'a Value) {
    if value.as_array().is_some_and(Vec::is_empty) {
        c.error(rules::EMPTY_LIST, "lists must not be empty");
    } else if name.len() > 4 && name.ends_with("_hex") {
        check_kind(c, Kind::Hex, value);
    } else if name.len() > 4 && name.ends_with("_bin") {
        check_kind(c, Kind::Bin, value);
    }
}

/// Checks one value against a kind, at the current path.
pub(crate) fn check_kind<'a>(c: &mut Checker<'a>, kind: Kind, v: &'a Value) {
    match kind {
        Kind::Skip => {}
        Kind::Str => {
            if !v.is_string() {
                c.error(rules::VALUE_TYPE, "must be a string");
            }
        }
        Kind::Bool => {
            if !v.is_boolean() {
                c.error(rules::VALUE_TYPE, "must be a boolean");
            }
        }
        Kind::Int(min, max) => match as_integer(v) {
            None => c.error(rules::VALUE_TYPE, "must be an integer"),
            Some(i) if i < min || i > max => c.error(rules::RANGE, range_message(min, max)),
            Some(_) => {}
        },
        Kind::Num(min, max) => match v.as_f64() {
            None => c.error(rules::VALUE_TYPE, "must be a number"),
            Some(f) if f < min || f > max => {
                c.error(rules::RANGE, format!("must be between {min} and {max}"))
            }
            Some(_) => {}
        },
        Kind::Timestamp | Kind::TimestampMillis => {
            let Some(s) = string(c, v) else { return };
            match Timestamp::parse(s) {
                Err(e) => c.error(rules::TIMESTAMP, e.to_string()),
                Ok(ts) if matches!(kind, Kind::TimestampMillis) && ts.fraction_digits() < 3 => c.error(
                    rules::TIMESTAMP_PRECISION,
                    format!("{s:?} must be precise to at least the millisecond (YYYY-MM-DDTHH:MM:SS.sssZ)"),
                ),
                Ok(_) => {}
            }
        }
        Kind::Strs => list(c, v, |c, item| check_kind(c, Kind::Str, item)),
        Kind::Enum(allowed) => {
            let Some(s) = string(c, v) else { return };
            if !allowed.contains(&s) {
                c.error(
                    rules::ENUM,
                    format!("{s:?} is not one of: {}", allowed.join(", ")),
                );
            }
        }
        Kind::Enums(allowed) => list(c, v, |c, item| check_kind(c, Kind::Enum(allowed), item)),
        Kind::Ref(refs) => check_ref(c, v, refs),
        Kind::RefList(refs) => list(c, v, |c, item| check_ref(c, item, refs)),
        Kind::KillChain => list(c, v, |c, item| {
            if let Some(o) = object(c, item) {
                check_nested(
                    c,
                    o,
                    &[
                        req("kill_chain_name", Kind::Str),
                        req("phase_name", Kind::Str),
                    ],
                );
            }
        }),
        Kind::Hashes => check_hashes(c, v),
        Kind::Hex => {
            if let Some(s) = string(c, v) {
                if !values::is_hex(s) {
                    c.error(
                        rules::FORMAT,
                        "must be hexadecimal, an even number of digits",
                    );
                }
            }
        }
        Kind::Bin => {
            if let Some(s) = string(c, v) {
                if !values::is_base64(s) {
                    c.error(rules::FORMAT, "must be base64 (RFC 4648, padded)");
                }
            }
        }
        Kind::Uri => {
            if let Some(s) = string(c, v) {
                if !values::is_uri(s) {
                    c.error(
                        rules::FORMAT,
                        format!("{s:?} is not a valid URI (RFC 3986)"),
                    );
                }
            }
        }
        Kind::Dict => check_dict(c, v, |_, _| {}),
        Kind::Object => {
            object(c, v);
        }
        Kind::Lang => {
            if let Some(s) = string(c, v) {
                if !values::is_language_tag(s) {
                    c.error(
                        rules::FORMAT,
                        format!("{s:?} is not an RFC 5646 language tag"),
                    );
                }
            }
        }
        Kind::With(f) => f(c, v),
    }
}

fn range_message(min: i64, max: i64) -> String {
    if max == i64::MAX {
        format!("must be at least {min}")
    } else {
        format!("must be between {min} and {max}")
    }
}

/// The string in `v`, or an error.
pub(crate) fn string<'a>(c: &mut Checker<'a>, v: &'a Value) -> Option<&'a str> {
    let s = v.as_str();
    if s.is_none() {
        c.error(rules::VALUE_TYPE, "must be a string");
    }
    s
}

/// The object in `v`, or an error.
pub(crate) fn object<'a>(c: &mut Checker<'a>, v: &'a Value) -> Option<&'a Map<String, Value>> {
    let o = v.as_object();
    if o.is_none() {
        c.error(rules::VALUE_TYPE, "must be an object");
    }
    o
}

/// Checks that `v` is a non-empty list and runs `each` on every item.
pub(crate) fn list<'a>(
    c: &mut Checker<'a>,
    v: &'a Value,
    mut each: impl FnMut(&mut Checker<'a>, &'a Value),
) {
    match v.as_array() {
        None => c.error(rules::VALUE_TYPE, "must be a list"),
        Some(items) if items.is_empty() => c.error(rules::EMPTY_LIST, "lists must not be empty"),
        Some(items) => {
            for (i, item) in items.iter().enumerate() {
                c.at(Seg::Index(i), |c| each(c, item));
            }
        }
    }
}

/// Checks an identifier and the type it points at.
pub(crate) fn check_ref<'a>(c: &mut Checker<'a>, v: &'a Value, refs: Refs) {
    let Some(s) = string(c, v) else { return };
    match ident::parse_identifier(s) {
        Err(why) => c.error(rules::ID_FORMAT, format!("{s:?} {why}")),
        Ok(id) if !refs.allows(id.object_type) => c.error(
            rules::REF_TYPE,
            format!("must refer to {}, not {}", refs.describe(), id.object_type),
        ),
        Ok(_) => {}
    }
}

/// Checks a dictionary: a non-empty object whose keys are at most 250
/// characters of `a-z A-Z 0-9 _ -`, with no null values or empty lists;
/// `each` then checks every value.
pub(crate) fn check_dict<'a>(
    c: &mut Checker<'a>,
    v: &'a Value,
    mut each: impl FnMut(&mut Checker<'a>, &'a Value),
) {
    let Some(o) = object(c, v) else { return };
    if o.is_empty() {
        c.error(rules::DICT_KEY, "dictionaries must not be empty");
    }
    for (k, item) in o {
        c.key(k, |c| {
            if !values::is_dict_key(k) {
                c.error(
                    rules::DICT_KEY,
                    "dictionary keys must be at most 250 characters of a-z, A-Z, 0-9, '_' and '-'",
                );
            }
            if item.is_null() {
                c.error(rules::NULL_VALUE, "dictionary values must not be null");
            } else if item.as_array().is_some_and(Vec::is_empty) {
                c.error(rules::EMPTY_LIST, "lists must not be empty");
            } else {
                each(c, item);
            }
        });
    }
}

/// Checks a hashes dictionary: keys of 3–250 characters, string values in
/// the form their algorithm requires.
pub(crate) fn check_hashes<'a>(c: &mut Checker<'a>, v: &'a Value) {
    let Some(o) = object(c, v) else { return };
    if o.is_empty() {
        c.error(rules::HASH, "hashes must not be empty");
    }
    for (k, item) in o {
        c.key(k, |c| {
            if k.len() < 3 || !values::is_dict_key(k) {
                c.error(
                    rules::HASH,
                    "hash names must be 3 to 250 characters of a-z, A-Z, 0-9, '_' and '-'",
                );
            }
            let Some(s) = string(c, item) else { return };
            if let Err(why) = values::check_hash(k, s) {
                c.error(rules::HASH, format!("not a valid {k} value: {why}"));
            }
        });
    }
}

/// The value of a timestamp property, when present and well formed.
pub(crate) fn timestamp_of(o: &Map<String, Value>, key: &str) -> Option<Timestamp> {
    o.get(key)
        .and_then(Value::as_str)
        .and_then(|s| Timestamp::parse(s).ok())
}

/// Requires `later` to be after `earlier` (or equal, when `or_equal`).
pub(crate) fn check_order<'a>(
    c: &mut Checker<'a>,
    o: &'a Map<String, Value>,
    later: &'static str,
    earlier: &'static str,
    or_equal: bool,
) {
    let (Some(l), Some(e)) = (timestamp_of(o, later), timestamp_of(o, earlier)) else {
        return;
    };
    let ok = if or_equal { l >= e } else { l > e };
    if !ok {
        let relation = if or_equal {
            "later than or equal to"
        } else {
            "later than"
        };
        c.error_at(
            later,
            rules::TIMESTAMP_ORDER,
            format!("{l} must be {relation} {earlier} ({e})"),
        );
    }
}

/// Reports when none of `names` is present.
pub(crate) fn at_least_one<'a>(c: &mut Checker<'a>, o: &Map<String, Value>, names: &[&str]) {
    if !names.iter().any(|n| o.contains_key(*n)) {
        c.error(
            rules::AT_LEAST_ONE,
            format!("at least one of {} is required", names.join(", ")),
        );
    }
}

/// Reports when `a` and `b` are both present.
pub(crate) fn exclusive<'a>(
    c: &mut Checker<'a>,
    o: &Map<String, Value>,
    a: &'static str,
    b: &'static str,
) {
    if o.contains_key(a) && o.contains_key(b) {
        c.error_at(
            b,
            rules::CO_OCCURRENCE,
            format!("must not be present together with {a}"),
        );
    }
}

/// Reports when `a` is present without `needs`.
pub(crate) fn needs<'a>(
    c: &mut Checker<'a>,
    o: &Map<String, Value>,
    a: &'static str,
    needs: &'static str,
) {
    if o.contains_key(a) && !o.contains_key(needs) {
        c.error_at(
            a,
            rules::CO_OCCURRENCE,
            format!("may only be present together with {needs}"),
        );
    }
}
