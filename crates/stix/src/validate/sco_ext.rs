//! The predefined extensions of SCOs (file, network-traffic, process,
//! user-account): property tables and the checks of their structures.

use serde_json::{Map, Value};

use super::Checker;
use super::props::{
    Kind, Prop, Refs, at_least_one, check_dict, check_kind, check_nested, list, object, opt, req,
};
use super::sco::{exif_tags, header_fields};
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

/// Checks the predefined extension `name` of `o`, when present.
pub(super) fn extension<'a>(
    c: &mut Checker<'a>,
    o: &'a Map<String, Value>,
    name: &'static str,
    table: &[Prop],
    any_of: &[&str],
) {
    let Some(ext) = o
        .get("extensions")
        .and_then(|e| e.get(name))
        .and_then(Value::as_object)
    else {
        return;
    };
    c.key("extensions", |c| {
        c.key(name, |c| {
            check_nested(c, ext, table);
            if !any_of.is_empty() {
                at_least_one(c, ext, any_of);
            }
        })
    });
}

/// The `unix-account-ext` of user-account.
pub(super) const UNIX_ACCOUNT_EXT: &[Prop] = &[
    opt("gid", INT),
    opt("groups", STRS),
    opt("home_dir", STR),
    opt("shell", STR),
];

pub(super) fn file_extensions<'a>(c: &mut Checker<'a>, o: &'a Map<String, Value>) {
    extension(
        c,
        o,
        "ntfs-ext",
        &[
            opt("sid", STR),
            opt("alternate_data_streams", Kind::With(data_streams)),
        ],
        &["sid", "alternate_data_streams"],
    );
    let raster = [
        opt("image_height", INT),
        opt("image_width", INT),
        opt("bits_per_pixel", INT),
        opt("exif_tags", Kind::With(exif_tags)),
    ];
    extension(
        c,
        o,
        "raster-image-ext",
        &raster,
        &["image_height", "image_width", "bits_per_pixel", "exif_tags"],
    );
    let pdf = [
        opt("version", STR),
        opt("is_optimized", BOOL),
        opt("document_info_dict", Kind::With(string_dict)),
        opt("pdfid0", STR),
        opt("pdfid1", STR),
    ];
    extension(
        c,
        o,
        "pdf-ext",
        &pdf,
        &[
            "version",
            "is_optimized",
            "document_info_dict",
            "pdfid0",
            "pdfid1",
        ],
    );
    let archive = [
        req("contains_refs", Kind::RefList(Refs::ScoOrCustom)),
        opt("comment", STR),
    ];
    extension(c, o, "archive-ext", &archive, &[]);
    let pe = [
        req("pe_type", STR),
        opt("imphash", STR),
        opt("machine_hex", HEX),
        opt("number_of_sections", COUNT),
        opt("time_date_stamp", Kind::With(whole_second_timestamp)),
        opt("pointer_to_symbol_table_hex", HEX),
        opt("number_of_symbols", COUNT),
        opt("size_of_optional_header", COUNT),
        opt("characteristics_hex", HEX),
        opt("file_header_hashes", Kind::Hashes),
        opt("optional_header", Kind::With(pe_optional_header)),
        opt("sections", Kind::With(pe_sections)),
    ];
    let pe_any: Vec<&str> = pe.iter().skip(1).map(|p| p.name).collect();
    extension(c, o, "windows-pebinary-ext", &pe, &pe_any);
}

pub(super) fn traffic_extensions<'a>(c: &mut Checker<'a>, o: &'a Map<String, Value>) {
    let http = [
        req("request_method", STR),
        req("request_value", STR),
        opt("request_version", STR),
        opt("request_header", Kind::With(header_fields)),
        opt("message_body_length", INT),
        opt("message_body_data_ref", one(&["artifact"])),
    ];
    extension(c, o, "http-request-ext", &http, &[]);
    extension(
        c,
        o,
        "icmp-ext",
        &[req("icmp_type_hex", HEX), req("icmp_code_hex", HEX)],
        &[],
    );
    let families = &[
        "AF_UNSPEC",
        "AF_INET",
        "AF_IPX",
        "AF_APPLETALK",
        "AF_NETBIOS",
        "AF_INET6",
        "AF_IRDA",
        "AF_BTH",
    ];
    let socket_types = &[
        "SOCK_STREAM",
        "SOCK_DGRAM",
        "SOCK_RAW",
        "SOCK_RDM",
        "SOCK_SEQPACKET",
    ];
    let socket = [
        req("address_family", Kind::Enum(families)),
        opt("is_blocking", BOOL),
        opt("is_listening", BOOL),
        opt("options", Kind::With(socket_options)),
        opt("socket_type", Kind::Enum(socket_types)),
        opt("socket_descriptor", COUNT),
        opt("socket_handle", INT),
    ];
    extension(c, o, "socket-ext", &socket, &[]);
    let tcp = [opt("src_flags_hex", HEX), opt("dst_flags_hex", HEX)];
    extension(c, o, "tcp-ext", &tcp, &["src_flags_hex", "dst_flags_hex"]);
}

pub(super) fn process_extensions<'a>(c: &mut Checker<'a>, o: &'a Map<String, Value>) {
    let windows = [
        opt("aslr_enabled", BOOL),
        opt("dep_enabled", BOOL),
        opt("priority", STR),
        opt("owner_sid", STR),
        opt("window_title", STR),
        opt("startup_info", Kind::Dict),
        opt(
            "integrity_level",
            Kind::Enum(&["low", "medium", "high", "system"]),
        ),
    ];
    let windows_any: Vec<&str> = windows.iter().map(|p| p.name).collect();
    extension(c, o, "windows-process-ext", &windows, &windows_any);
    let start = &[
        "SERVICE_AUTO_START",
        "SERVICE_BOOT_START",
        "SERVICE_DEMAND_START",
        "SERVICE_DISABLED",
        "SERVICE_SYSTEM_ALERT",
    ];
    let kinds = &[
        "SERVICE_KERNEL_DRIVER",
        "SERVICE_FILE_SYSTEM_DRIVER",
        "SERVICE_WIN32_OWN_PROCESS",
        "SERVICE_WIN32_SHARE_PROCESS",
    ];
    let status = &[
        "SERVICE_CONTINUE_PENDING",
        "SERVICE_PAUSE_PENDING",
        "SERVICE_PAUSED",
        "SERVICE_RUNNING",
        "SERVICE_START_PENDING",
        "SERVICE_STOP_PENDING",
        "SERVICE_STOPPED",
    ];
    let service = [
        opt("service_name", STR),
        opt("descriptions", STRS),
        opt("display_name", STR),
        opt("group_name", STR),
        opt("start_type", Kind::Enum(start)),
        opt("service_dll_refs", many(&["file"])),
        opt("service_type", Kind::Enum(kinds)),
        opt("service_status", Kind::Enum(status)),
    ];
    let service_any: Vec<&str> = service.iter().map(|p| p.name).collect();
    extension(c, o, "windows-service-ext", &service, &service_any);
}

fn string_dict<'a>(c: &mut Checker<'a>, v: &'a Value) {
    check_dict(c, v, |c, item| check_kind(c, STR, item));
}

fn socket_options<'a>(c: &mut Checker<'a>, v: &'a Value) {
    let Some(o) = object(c, v) else { return };
    for (k, item) in o {
        c.key(k, |c| {
            let well_formed = k.split_once('_').is_some_and(|(head, tail)| {
                ["SO", "ICMP", "ICMP6", "IP", "IPV6", "MCAST", "TCP", "IRLMP"].contains(&head)
                    && tail
                        .split('_')
                        .all(|w| !w.is_empty() && w.bytes().all(|b| b.is_ascii_uppercase()))
            });
            if !well_formed {
                c.error(
                    rules::DICT_KEY,
                    "socket option names look like SO_REUSEADDR",
                );
            }
            check_kind(c, INT, item);
        });
    }
}

fn data_streams<'a>(c: &mut Checker<'a>, v: &'a Value) {
    list(c, v, |c, item| {
        if let Some(o) = object(c, item) {
            check_nested(
                c,
                o,
                &[
                    req("name", STR),
                    opt("hashes", Kind::Hashes),
                    opt("size", COUNT),
                ],
            );
        }
    });
}

fn whole_second_timestamp<'a>(c: &mut Checker<'a>, v: &'a Value) {
    check_kind(c, TS, v);
    if let Some(s) = v.as_str() {
        if s.contains('.') {
            c.error(
                rules::TIMESTAMP_PRECISION,
                "must be precise to the second, without a fraction",
            );
        }
    }
}

fn pe_optional_header<'a>(c: &mut Checker<'a>, v: &'a Value) {
    let Some(o) = object(c, v) else { return };
    if o.is_empty() {
        c.error(rules::AT_LEAST_ONE, "must not be empty");
    }
    for (k, item) in o {
        c.key(k, |c| {
            if k.ends_with("_hex") {
                check_kind(c, HEX, item);
            } else if k == "hashes" {
                check_kind(c, Kind::Hashes, item);
            } else if k.starts_with("size_of_") {
                check_kind(c, COUNT, item);
            } else {
                check_kind(c, INT, item);
            }
        });
    }
}

fn pe_sections<'a>(c: &mut Checker<'a>, v: &'a Value) {
    list(c, v, |c, item| {
        if let Some(o) = object(c, item) {
            let table = [
                req("name", STR),
                opt("size", COUNT),
                opt("entropy", Kind::Num(f64::MIN, f64::MAX)),
                opt("hashes", Kind::Hashes),
            ];
            check_nested(c, o, &table);
        }
    });
}
