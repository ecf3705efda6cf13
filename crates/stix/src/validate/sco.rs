//! STIX Cyber-observable Objects: property tables, their predefined
//! extensions, and the rules between properties.

use serde_json::{Map, Value};

use super::Checker;
use super::common::{self, SCO_CORE};
use super::props::{
    Kind, Prop, Refs, at_least_one, check_dict, check_kind, check_nested, check_order, check_props,
    exclusive, list, needs, object, opt, req, string,
};
use super::{sco_ext, values};
use crate::diagnostic::rules;

const TS: Kind = Kind::Timestamp;
const STR: Kind = Kind::Str;
const STRS: Kind = Kind::Strs;
const BOOL: Kind = Kind::Bool;
const INT: Kind = Kind::Int(i64::MIN, i64::MAX);
const COUNT: Kind = Kind::Int(0, i64::MAX);
const HEX: Kind = Kind::Hex;

const fn one(t: &'static [&'static str]) -> Kind {
    Kind::Ref(Refs::Only(t))
}

const fn many(t: &'static [&'static str]) -> Kind {
    Kind::RefList(Refs::Only(t))
}

const ARTIFACT: &[Prop] = &[
    opt("mime_type", Kind::With(mime_type)),
    opt("payload_bin", Kind::Bin),
    opt("url", Kind::Uri),
    opt("hashes", Kind::Hashes),
    opt(
        "encryption_algorithm",
        Kind::Enum(&["AES-256-GCM", "ChaCha20-Poly1305", "mime-type-indicated"]),
    ),
    opt("decryption_key", STR),
];

const AUTONOMOUS_SYSTEM: &[Prop] = &[req("number", INT), opt("name", STR), opt("rir", STR)];

const DIRECTORY: &[Prop] = &[
    req("path", STR),
    opt("path_enc", Kind::With(charset)),
    opt("ctime", TS),
    opt("mtime", TS),
    opt("atime", TS),
    opt("contains_refs", many(&["file", "directory"])),
];

const DOMAIN_NAME: &[Prop] = &[
    req("value", Kind::With(hostname)),
    opt(
        "resolves_to_refs",
        many(&["ipv4-addr", "ipv6-addr", "domain-name"]),
    ),
];

const EMAIL_ADDR: &[Prop] = &[
    req("value", Kind::With(email)),
    opt("display_name", STR),
    opt("belongs_to_ref", one(&["user-account"])),
];

const EMAIL: &[&str] = &["email-addr"];

const EMAIL_MESSAGE: &[Prop] = &[
    req("is_multipart", BOOL),
    opt("date", TS),
    opt("content_type", STR),
    opt("from_ref", one(EMAIL)),
    opt("sender_ref", one(EMAIL)),
    opt("to_refs", many(EMAIL)),
    opt("cc_refs", many(EMAIL)),
    opt("bcc_refs", many(EMAIL)),
    opt("message_id", STR),
    opt("subject", STR),
    opt("received_lines", STRS),
    opt("additional_header_fields", Kind::With(header_fields)),
    opt("body", STR),
    opt("body_multipart", Kind::With(mime_parts)),
    opt("raw_email_ref", one(&["artifact"])),
];

const FILE: &[Prop] = &[
    opt("hashes", Kind::Hashes),
    opt("size", COUNT),
    opt("name", STR),
    opt("name_enc", Kind::With(charset)),
    opt("magic_number_hex", HEX),
    opt("mime_type", STR),
    opt("ctime", TS),
    opt("mtime", TS),
    opt("atime", TS),
    opt("parent_directory_ref", one(&["directory"])),
    opt("contains_refs", Kind::RefList(Refs::ScoOrCustom)),
    opt("content_ref", one(&["artifact"])),
];

const IPV4_ADDR: &[Prop] = &[
    req("value", Kind::With(ipv4)),
    opt("resolves_to_refs", many(&["mac-addr"])),
    opt("belongs_to_refs", many(&["autonomous-system"])),
];

const IPV6_ADDR: &[Prop] = &[
    req("value", Kind::With(ipv6)),
    opt("resolves_to_refs", many(&["mac-addr"])),
    opt("belongs_to_refs", many(&["autonomous-system"])),
];

const MAC_ADDR: &[Prop] = &[req("value", Kind::With(mac))];

const MUTEX: &[Prop] = &[req("name", STR)];

const ENDPOINTS: &[&str] = &["ipv4-addr", "ipv6-addr", "mac-addr", "domain-name"];
const TRAFFIC: &[&str] = &["network-traffic"];

const NETWORK_TRAFFIC: &[Prop] = &[
    opt("start", TS),
    opt("end", TS),
    opt("is_active", BOOL),
    opt("src_ref", one(ENDPOINTS)),
    opt("dst_ref", one(ENDPOINTS)),
    opt("src_port", Kind::Int(0, 65535)),
    opt("dst_port", Kind::Int(0, 65535)),
    req("protocols", STRS),
    opt("src_byte_count", INT),
    opt("dst_byte_count", INT),
    opt("src_packets", INT),
    opt("dst_packets", INT),
    opt("ipfix", Kind::With(ipfix)),
    opt("src_payload_ref", one(&["artifact"])),
    opt("dst_payload_ref", one(&["artifact"])),
    opt("encapsulates_refs", many(TRAFFIC)),
    opt("encapsulated_by_ref", one(TRAFFIC)),
];

const PROCESS: &[Prop] = &[
    opt("is_hidden", BOOL),
    opt("pid", INT),
    opt("created_time", TS),
    opt("cwd", STR),
    opt("command_line", STR),
    opt("environment_variables", Kind::Dict),
    opt("opened_connection_refs", many(TRAFFIC)),
    opt("creator_user_ref", one(&["user-account"])),
    opt("image_ref", one(&["file"])),
    opt("parent_ref", one(&["process"])),
    opt("child_refs", many(&["process"])),
];

const SOFTWARE: &[Prop] = &[
    req("name", STR),
    opt("cpe", Kind::With(cpe)),
    opt("swid", STR),
    opt("languages", Kind::With(languages)),
    opt("vendor", STR),
    opt("version", STR),
];

const URL: &[Prop] = &[req("value", Kind::Uri)];

const USER_ACCOUNT: &[Prop] = &[
    opt("user_id", STR),
    opt("credential", STR),
    opt("account_login", STR),
    opt("account_type", STR),
    opt("display_name", STR),
    opt("is_service_account", BOOL),
    opt("is_privileged", BOOL),
    opt("can_escalate_privs", BOOL),
    opt("is_disabled", BOOL),
    opt("account_created", TS),
    opt("account_expires", TS),
    opt("credential_last_changed", TS),
    opt("account_first_login", TS),
    opt("account_last_login", TS),
];

const WINDOWS_REGISTRY_KEY: &[Prop] = &[
    opt("key", Kind::With(registry_key)),
    opt("values", Kind::With(registry_values)),
    opt("modified_time", TS),
    opt("creator_user_ref", one(&["user-account"])),
    opt("number_of_subkeys", INT),
];

const X509_CERTIFICATE: &[Prop] = &[
    opt("is_self_signed", BOOL),
    opt("hashes", Kind::Hashes),
    opt("version", STR),
    opt("serial_number", STR),
    opt("signature_algorithm", STR),
    opt("issuer", STR),
    opt("validity_not_before", TS),
    opt("validity_not_after", TS),
    opt("subject", STR),
    opt("subject_public_key_algorithm", STR),
    opt("subject_public_key_modulus", STR),
    opt("subject_public_key_exponent", INT),
    opt("x509_v3_extensions", Kind::With(x509_v3_extensions)),
];

/// Checks an SCO of type `t`.
pub(crate) fn check_sco<'a>(c: &mut Checker<'a>, o: &'a Map<String, Value>, t: &str) {
    let table = match t {
        "artifact" => ARTIFACT,
        "autonomous-system" => AUTONOMOUS_SYSTEM,
        "directory" => DIRECTORY,
        "domain-name" => DOMAIN_NAME,
        "email-addr" => EMAIL_ADDR,
        "email-message" => EMAIL_MESSAGE,
        "file" => FILE,
        "ipv4-addr" => IPV4_ADDR,
        "ipv6-addr" => IPV6_ADDR,
        "mac-addr" => MAC_ADDR,
        "mutex" => MUTEX,
        "network-traffic" => NETWORK_TRAFFIC,
        "process" => PROCESS,
        "software" => SOFTWARE,
        "url" => URL,
        "user-account" => USER_ACCOUNT,
        "windows-registry-key" => WINDOWS_REGISTRY_KEY,
        _ => X509_CERTIFICATE,
    };
    check_props(c, o, &[SCO_CORE, table]);
    common::check_selectors(c, o);
    match t {
        "artifact" => {
            match (o.contains_key("payload_bin"), o.contains_key("url")) {
                (true, true) => exclusive(c, o, "payload_bin", "url"),
                (false, false) => at_least_one(c, o, &["payload_bin", "url"]),
                _ => needs(c, o, "url", "hashes"),
            }
            needs(c, o, "decryption_key", "encryption_algorithm");
        }
        "email-message" => match o.get("is_multipart") {
            Some(Value::Bool(true)) if o.contains_key("body") => c.error_at(
                "body",
                rules::CO_OCCURRENCE,
                "must not be present when is_multipart is true",
            ),
            Some(Value::Bool(false)) if o.contains_key("body_multipart") => c.error_at(
                "body_multipart",
                rules::CO_OCCURRENCE,
                "must not be present when is_multipart is false",
            ),
            _ => {}
        },
        "file" => {
            at_least_one(c, o, &["hashes", "name"]);
            sco_ext::file_extensions(c, o);
        }
        "network-traffic" => {
            at_least_one(c, o, &["src_ref", "dst_ref"]);
            if o.get("is_active") == Some(&Value::Bool(true)) && o.contains_key("end") {
                c.error_at(
                    "end",
                    rules::CO_OCCURRENCE,
                    "must not be present when is_active is true",
                );
            }
            check_order(c, o, "end", "start", true);
            sco_ext::traffic_extensions(c, o);
        }
        "process" => {
            let mut names: Vec<&str> = PROCESS.iter().map(|p| p.name).collect();
            names.push("extensions");
            at_least_one(c, o, &names);
            sco_ext::process_extensions(c, o);
        }
        "user-account" => {
            let mut names: Vec<&str> = USER_ACCOUNT.iter().map(|p| p.name).collect();
            names.push("extensions");
            at_least_one(c, o, &names);
            sco_ext::extension(
                c,
                o,
                "unix-account-ext",
                sco_ext::UNIX_ACCOUNT_EXT,
                &["gid", "groups", "home_dir", "shell"],
            );
        }
        "windows-registry-key" => {
            let names: Vec<&str> = WINDOWS_REGISTRY_KEY.iter().map(|p| p.name).collect();
            at_least_one(c, o, &names);
        }
        "x509-certificate" => {
            let names: Vec<&str> = X509_CERTIFICATE.iter().map(|p| p.name).collect();
            at_least_one(c, o, &names);
        }
        _ => {}
    }
}

fn format_check<'a>(c: &mut Checker<'a>, v: &'a Value, ok: fn(&str) -> bool, what: &str) {
    if let Some(s) = string(c, v) {
        if !ok(s) {
            c.error(rules::FORMAT, format!("{s:?} is not {what}"));
        }
    }
}

fn mime_type<'a>(c: &mut Checker<'a>, v: &'a Value) {
    format_check(c, v, values::is_mime_type, "a media type (type/subtype)");
}

fn charset<'a>(c: &mut Checker<'a>, v: &'a Value) {
    format_check(c, v, values::is_charset, "a character-set name");
}

fn hostname<'a>(c: &mut Checker<'a>, v: &'a Value) {
    format_check(c, v, values::is_hostname, "a domain name");
}

fn email<'a>(c: &mut Checker<'a>, v: &'a Value) {
    format_check(c, v, values::is_email, "an e-mail address");
}

fn ipv4<'a>(c: &mut Checker<'a>, v: &'a Value) {
    format_check(c, v, values::is_ipv4_cidr, "an IPv4 address or CIDR block");
}

fn ipv6<'a>(c: &mut Checker<'a>, v: &'a Value) {
    format_check(c, v, values::is_ipv6_cidr, "an IPv6 address or CIDR block");
}

fn mac<'a>(c: &mut Checker<'a>, v: &'a Value) {
    format_check(
        c,
        v,
        values::is_mac,
        "a MAC address (colon-separated, lower case)",
    );
}

fn cpe<'a>(c: &mut Checker<'a>, v: &'a Value) {
    format_check(c, v, values::is_cpe23, "a CPE 2.3 formatted string");
}

fn languages<'a>(c: &mut Checker<'a>, v: &'a Value) {
    list(c, v, |c, item| check_kind(c, Kind::Lang, item));
}

fn registry_key<'a>(c: &mut Checker<'a>, v: &'a Value) {
    let Some(s) = string(c, v) else { return };
    let head = s.get(..4).unwrap_or(s).to_ascii_uppercase();
    if ["HKLM", "HKCC", "HKCR", "HKCU"].contains(&head.as_str()) || head.starts_with("HKU") {
        c.error(
            rules::FORMAT,
            "the hive must be written in full (HKEY_LOCAL_MACHINE, not HKLM)",
        );
    }
}

fn registry_values<'a>(c: &mut Checker<'a>, v: &'a Value) {
    let types = &[
        "REG_NONE",
        "REG_SZ",
        "REG_EXPAND_SZ",
        "REG_BINARY",
        "REG_DWORD",
        "REG_DWORD_BIG_ENDIAN",
        "REG_DWORD_LITTLE_ENDIAN",
        "REG_LINK",
        "REG_MULTI_SZ",
        "REG_RESOURCE_LIST",
        "REG_FULL_RESOURCE_DESCRIPTION",
        "REG_RESOURCE_REQUIREMENTS_LIST",
        "REG_QWORD",
        "REG_INVALID_TYPE",
    ];
    list(c, v, |c, item| {
        let Some(o) = object(c, item) else { return };
        check_nested(
            c,
            o,
            &[
                opt("name", STR),
                opt("data", STR),
                opt("data_type", Kind::Enum(types)),
            ],
        );
        at_least_one(c, o, &["name", "data", "data_type"]);
    });
}

fn x509_v3_extensions<'a>(c: &mut Checker<'a>, v: &'a Value) {
    const NAMES: &[&str] = &[
        "basic_constraints",
        "name_constraints",
        "policy_constraints",
        "key_usage",
        "extended_key_usage",
        "subject_key_identifier",
        "authority_key_identifier",
        "subject_alternative_name",
        "issuer_alternative_name",
        "subject_directory_attributes",
        "crl_distribution_points",
        "inhibit_any_policy",
        "certificate_policies",
        "policy_mappings",
    ];
    let Some(o) = object(c, v) else { return };
    let mut table: Vec<Prop> = NAMES.iter().map(|&n| opt(n, STR)).collect();
    table.push(opt("private_key_usage_period_not_before", TS));
    table.push(opt("private_key_usage_period_not_after", TS));
    check_nested(c, o, &table);
    let all: Vec<&str> = table.iter().map(|p| p.name).collect();
    at_least_one(c, o, &all);
}

pub(super) fn header_fields<'a>(c: &mut Checker<'a>, v: &'a Value) {
    check_dict(c, v, |c, item| match item {
        Value::String(_) => {}
        Value::Array(_) => list(c, item, |c, s| check_kind(c, STR, s)),
        _ => c.error(rules::VALUE_TYPE, "must be a string or a list of strings"),
    });
}

pub(super) fn exif_tags<'a>(c: &mut Checker<'a>, v: &'a Value) {
    check_dict(c, v, |c, item| {
        if !item.is_string() && super::as_integer(item).is_none() {
            c.error(rules::VALUE_TYPE, "must be a string or an integer");
        }
    });
}

fn ipfix<'a>(c: &mut Checker<'a>, v: &'a Value) {
    exif_tags(c, v);
}

fn mime_parts<'a>(c: &mut Checker<'a>, v: &'a Value) {
    list(c, v, |c, item| {
        let Some(o) = object(c, item) else { return };
        check_nested(
            c,
            o,
            &[
                opt("body", STR),
                opt("body_raw_ref", one(&["artifact", "file"])),
                opt("content_type", STR),
                opt("content_disposition", STR),
            ],
        );
        match (o.contains_key("body"), o.contains_key("body_raw_ref")) {
            (true, true) => exclusive(c, o, "body", "body_raw_ref"),
            (false, false) => at_least_one(c, o, &["body", "body_raw_ref"]),
            _ => {}
        }
    });
}
