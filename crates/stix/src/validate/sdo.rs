//! STIX Domain Objects and Relationship Objects: property tables and the
//! rules between properties.
//!
//! Open vocabularies (`identity_class`, `malware_types`, …) are only SHOULDs,
//! so any string passes; enumerations (`opinion`) are MUSTs.

use serde_json::{Map, Value};

use super::Checker;
use super::common::{self, CORE, DESCRIPTION};
use super::props::{
    Kind, Prop, Refs, at_least_one, check_order, check_props, exclusive, opt, req, string,
};
use crate::diagnostic::rules;

const TS: Kind = Kind::Timestamp;
const STR: Kind = Kind::Str;
const STRS: Kind = Kind::Strs;
const ANY_REFS: Kind = Kind::RefList(Refs::Any);
const SOFTWARE: Refs = Refs::Only(&["software"]);

const ATTACK_PATTERN: &[Prop] = &[
    req("name", STR),
    DESCRIPTION,
    opt("aliases", STRS),
    opt("kill_chain_phases", Kind::KillChain),
];

const CAMPAIGN: &[Prop] = &[
    req("name", STR),
    DESCRIPTION,
    opt("aliases", STRS),
    opt("first_seen", TS),
    opt("last_seen", TS),
    opt("objective", STR),
];

const COURSE_OF_ACTION: &[Prop] = &[req("name", STR), DESCRIPTION];

const GROUPING: &[Prop] = &[
    opt("name", STR),
    DESCRIPTION,
    req("context", STR),
    req("object_refs", ANY_REFS),
];

const IDENTITY: &[Prop] = &[
    req("name", STR),
    DESCRIPTION,
    opt("roles", STRS),
    opt("identity_class", STR),
    opt("sectors", STRS),
    opt("contact_information", STR),
];

const INCIDENT: &[Prop] = &[
    req("name", STR),
    DESCRIPTION,
    opt("kill_chain_phases", Kind::KillChain),
];

const INDICATOR: &[Prop] = &[
    opt("name", STR),
    DESCRIPTION,
    opt("indicator_types", STRS),
    req("pattern", STR),
    req("pattern_type", STR),
    opt("pattern_version", STR),
    req("valid_from", TS),
    opt("valid_until", TS),
    opt("kill_chain_phases", Kind::KillChain),
];

const INFRASTRUCTURE: &[Prop] = &[
    req("name", STR),
    DESCRIPTION,
    opt("infrastructure_types", STRS),
    opt("aliases", STRS),
    opt("kill_chain_phases", Kind::KillChain),
    opt("first_seen", TS),
    opt("last_seen", TS),
];

const INTRUSION_SET: &[Prop] = &[
    req("name", STR),
    DESCRIPTION,
    opt("aliases", STRS),
    opt("first_seen", TS),
    opt("last_seen", TS),
    opt("goals", STRS),
    opt("resource_level", STR),
    opt("primary_motivation", STR),
    opt("secondary_motivations", STRS),
];

const LOCATION: &[Prop] = &[
    opt("name", STR),
    DESCRIPTION,
    opt("latitude", Kind::Num(-90.0, 90.0)),
    opt("longitude", Kind::Num(-180.0, 180.0)),
    opt("precision", Kind::Num(f64::MIN, f64::MAX)),
    opt("region", STR),
    opt("country", STR),
    opt("administrative_area", STR),
    opt("city", STR),
    opt("street_address", STR),
    opt("postal_code", STR),
];

const MALWARE: &[Prop] = &[
    opt("name", STR),
    DESCRIPTION,
    opt("malware_types", STRS),
    req("is_family", Kind::Bool),
    opt("aliases", STRS),
    opt("kill_chain_phases", Kind::KillChain),
    opt("first_seen", TS),
    opt("last_seen", TS),
    opt("operating_system_refs", Kind::RefList(SOFTWARE)),
    opt("architecture_execution_envs", STRS),
    opt("implementation_languages", STRS),
    opt("capabilities", STRS),
    opt(
        "sample_refs",
        Kind::RefList(Refs::Only(&["file", "artifact"])),
    ),
];

const MALWARE_ANALYSIS: &[Prop] = &[
    req("product", STR),
    opt("version", STR),
    opt("host_vm_ref", Kind::Ref(SOFTWARE)),
    opt("operating_system_ref", Kind::Ref(SOFTWARE)),
    opt("installed_software_refs", Kind::RefList(SOFTWARE)),
    opt("configuration_version", STR),
    opt("modules", STRS),
    opt("analysis_engine_version", STR),
    opt("analysis_definition_version", STR),
    opt("submitted", TS),
    opt("analysis_started", TS),
    opt("analysis_ended", TS),
    opt("result_name", STR),
    opt("result", STR),
    opt("analysis_sco_refs", Kind::RefList(Refs::ScoOrCustom)),
    opt(
        "sample_ref",
        Kind::Ref(Refs::Only(&["file", "network-traffic", "artifact"])),
    ),
];

const NOTE: &[Prop] = &[
    opt("abstract", STR),
    req("content", STR),
    opt("authors", STRS),
    req("object_refs", ANY_REFS),
];

const OBSERVED_DATA: &[Prop] = &[
    req("first_observed", TS),
    req("last_observed", TS),
    req("number_observed", Kind::Int(1, 999_999_999)),
    opt("objects", Kind::With(observed_objects)),
    opt("object_refs", Kind::RefList(Refs::NotSdo)),
];

const OPINION_ENUM: &[&str] = &[
    "strongly-disagree",
    "disagree",
    "neutral",
    "agree",
    "strongly-agree",
];

const OPINION: &[Prop] = &[
    opt("explanation", STR),
    opt("authors", STRS),
    req("opinion", Kind::Enum(OPINION_ENUM)),
    req("object_refs", ANY_REFS),
];

const REPORT: &[Prop] = &[
    req("name", STR),
    DESCRIPTION,
    opt("report_types", STRS),
    req("published", TS),
    req("object_refs", ANY_REFS),
];

const THREAT_ACTOR: &[Prop] = &[
    req("name", STR),
    DESCRIPTION,
    opt("threat_actor_types", STRS),
    opt("aliases", STRS),
    opt("first_seen", TS),
    opt("last_seen", TS),
    opt("roles", STRS),
    opt("goals", STRS),
    opt("sophistication", STR),
    opt("resource_level", STR),
    opt("primary_motivation", STR),
    opt("secondary_motivations", STRS),
    opt("personal_motivations", STRS),
];

const TOOL: &[Prop] = &[
    req("name", STR),
    DESCRIPTION,
    opt("tool_types", STRS),
    opt("aliases", STRS),
    opt("kill_chain_phases", Kind::KillChain),
    opt("tool_version", STR),
];

const VULNERABILITY: &[Prop] = &[req("name", STR), DESCRIPTION];

/// Types a relationship may not connect (the specification allows SDOs and
/// SCOs, and custom objects).
const NOT_RELATABLE: &[&str] = &[
    "relationship",
    "sighting",
    "bundle",
    "marking-definition",
    "language-content",
];

const RELATIONSHIP: &[Prop] = &[
    req("relationship_type", Kind::With(relationship_type)),
    DESCRIPTION,
    req("source_ref", Kind::Ref(Refs::Not(NOT_RELATABLE))),
    req("target_ref", Kind::Ref(Refs::Not(NOT_RELATABLE))),
    opt("start_time", TS),
    opt("stop_time", TS),
];

const SIGHTING: &[Prop] = &[
    DESCRIPTION,
    opt("first_seen", TS),
    opt("last_seen", TS),
    opt("count", Kind::Int(0, 999_999_999)),
    req("sighting_of_ref", Kind::Ref(Refs::SdoOrCustom)),
    opt(
        "observed_data_refs",
        Kind::RefList(Refs::Only(&["observed-data"])),
    ),
    opt(
        "where_sighted_refs",
        Kind::RefList(Refs::Only(&["identity", "location"])),
    ),
    opt("summary", Kind::Bool),
];

/// Checks an SDO of type `t`.
pub(crate) fn check_sdo<'a>(c: &mut Checker<'a>, o: &'a Map<String, Value>, t: &str) {
    let table = match t {
        "attack-pattern" => ATTACK_PATTERN,
        "campaign" => CAMPAIGN,
        "course-of-action" => COURSE_OF_ACTION,
        "grouping" => GROUPING,
        "identity" => IDENTITY,
        "incident" => INCIDENT,
        "indicator" => INDICATOR,
        "infrastructure" => INFRASTRUCTURE,
        "intrusion-set" => INTRUSION_SET,
        "location" => LOCATION,
        "malware" => MALWARE,
        "malware-analysis" => MALWARE_ANALYSIS,
        "note" => NOTE,
        "observed-data" => OBSERVED_DATA,
        "opinion" => OPINION,
        "report" => REPORT,
        "threat-actor" => THREAT_ACTOR,
        "tool" => TOOL,
        _ => VULNERABILITY,
    };
    check_props(c, o, &[CORE, table]);
    common::check_selectors(c, o);
    check_order(c, o, "modified", "created", true);
    match t {
        "campaign" | "infrastructure" | "intrusion-set" | "malware" | "threat-actor" => {
            check_order(c, o, "last_seen", "first_seen", true);
        }
        "indicator" => check_order(c, o, "valid_until", "valid_from", false),
        "location" => check_location(c, o),
        "malware-analysis" => at_least_one(c, o, &["result", "analysis_sco_refs"]),
        "observed-data" => {
            check_order(c, o, "last_observed", "first_observed", true);
            match (o.contains_key("objects"), o.contains_key("object_refs")) {
                (true, true) => exclusive(c, o, "object_refs", "objects"),
                (false, false) => at_least_one(c, o, &["object_refs", "objects"]),
                _ => {}
            }
        }
        _ => {}
    }
    if t == "malware" && o.get("is_family") == Some(&Value::Bool(true)) && !o.contains_key("name") {
        c.error_at(
            "name",
            rules::REQUIRED,
            "is required when is_family is true",
        );
    }
}

/// Checks an SRO of type `t`.
pub(crate) fn check_sro<'a>(c: &mut Checker<'a>, o: &'a Map<String, Value>, t: &str) {
    let relationship = t == "relationship";
    check_props(
        c,
        o,
        &[CORE, if relationship { RELATIONSHIP } else { SIGHTING }],
    );
    common::check_selectors(c, o);
    check_order(c, o, "modified", "created", true);
    if relationship {
        check_order(c, o, "stop_time", "start_time", false);
    } else {
        check_order(c, o, "last_seen", "first_seen", true);
    }
}

fn relationship_type<'a>(c: &mut Checker<'a>, v: &'a Value) {
    let Some(s) = string(c, v) else { return };
    if s.is_empty()
        || !s
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        c.error(
            rules::FORMAT,
            format!("{s:?} may contain only a-z, 0-9 and '-'"),
        );
    }
}

fn check_location<'a>(c: &mut Checker<'a>, o: &'a Map<String, Value>) {
    let (lat, lon) = (o.contains_key("latitude"), o.contains_key("longitude"));
    if lat != lon {
        let (present, missing) = if lat {
            ("latitude", "longitude")
        } else {
            ("longitude", "latitude")
        };
        c.error_at(
            present,
            rules::CO_OCCURRENCE,
            format!("may only be present together with {missing}"),
        );
    }
    if o.contains_key("precision") && !(lat && lon) {
        c.error_at(
            "precision",
            rules::CO_OCCURRENCE,
            "may only be present together with latitude and longitude",
        );
    }
    if !(o.contains_key("region") || o.contains_key("country") || (lat && lon)) {
        c.error(
            rules::AT_LEAST_ONE,
            "at least one of region, country, or latitude with longitude is required",
        );
    }
}

/// The deprecated `objects` of observed-data: a non-empty dictionary of
/// objects that each carry a `type`. Their content is not checked further.
fn observed_objects<'a>(c: &mut Checker<'a>, v: &'a Value) {
    super::props::check_dict(c, v, |c, item| match item.as_object() {
        None => c.error(rules::VALUE_TYPE, "must be an object"),
        Some(obj) => match obj.get("type") {
            Some(Value::String(_)) => {}
            Some(_) => c.error_at("type", rules::VALUE_TYPE, "must be a string"),
            None => c.error_at("type", rules::REQUIRED, "is required"),
        },
    });
}
