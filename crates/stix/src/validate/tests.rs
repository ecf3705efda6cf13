//! One passing and one failing case per rule family.

use serde_json::{Value, json};

use crate::{Severity, check};

/// The errors of an object, as `property [rule]`.
fn errors(v: &Value) -> Vec<String> {
    let (_, diags) = check(&v.to_string());
    diags
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| format!("{} [{}]", d.property, d.rule))
        .collect()
}

/// Sets (or, with `Value::Null`, removes) top-level properties of a copy.
fn with(base: &Value, changes: &[(&str, Value)]) -> Value {
    let mut v = base.clone();
    for (k, new) in changes {
        let map = v.as_object_mut().expect("test objects are objects");
        if new.is_null() {
            map.remove(*k);
        } else {
            map.insert((*k).to_owned(), new.clone());
        }
    }
    v
}

fn campaign() -> Value {
    json!({
        "type": "campaign", "spec_version": "2.1",
        "id": "campaign--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
        "created": "2016-04-06T20:03:00.000Z", "modified": "2016-04-06T20:03:00.000Z",
        "name": "Green Group Attacks"
    })
}

fn indicator() -> Value {
    json!({
        "type": "indicator", "spec_version": "2.1",
        "id": "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
        "created": "2016-04-06T20:03:48.000Z", "modified": "2016-04-06T20:03:48.000Z",
        "pattern": "[ipv4-addr:value = '198.51.100.3']", "pattern_type": "stix",
        "valid_from": "2016-01-01T00:00:00Z"
    })
}

const IDENTITY: &str = "identity--f431f809-377b-45e0-aa1c-6a4751cae5ff";
const MARKING: &str = "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da";

#[test]
fn valid_objects_pass() {
    assert_eq!(errors(&campaign()), Vec::<String>::new());
    assert_eq!(errors(&indicator()), Vec::<String>::new());
}

#[test]
fn ids_and_types() {
    let bad_id = with(
        &campaign(),
        &[(
            "id",
            json!("campaign--8e2e2d2b-17d4-6cbf-938f-98ee46b3cd3f"),
        )],
    );
    assert_eq!(errors(&bad_id), ["id [id-format]"]);
    let wrong_prefix = with(
        &campaign(),
        &[("id", json!("malware--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"))],
    );
    assert_eq!(errors(&wrong_prefix), ["id [id-type-prefix]"]);
    let custom = json!({"type": "x--bad", "id": "x--bad--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"});
    assert_eq!(errors(&custom), ["type [type-name]", "id [id-format]"]);
    let reserved = json!({"type": "action", "id": "action--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"});
    assert_eq!(errors(&reserved), ["type [reserved-name]"]);
}

#[test]
fn required_and_spec_version() {
    let missing = with(
        &campaign(),
        &[("name", Value::Null), ("spec_version", Value::Null)],
    );
    assert_eq!(
        errors(&missing),
        [
            "spec_version [required-property]",
            "name [required-property]"
        ]
    );
    let old = with(&campaign(), &[("spec_version", json!("2.0"))]);
    assert_eq!(errors(&old), ["spec_version [spec-version]"]);
}

#[test]
fn timestamps() {
    let bad = with(
        &campaign(),
        &[("first_seen", json!("2016-02-30T00:00:00Z"))],
    );
    assert_eq!(errors(&bad), ["first_seen [timestamp-format]"]);
    let coarse = with(&campaign(), &[("created", json!("2016-04-06T20:03:00Z"))]);
    assert_eq!(errors(&coarse), ["created [timestamp-precision]"]);
    let backwards = with(
        &campaign(),
        &[("modified", json!("2016-04-06T20:02:59.999Z"))],
    );
    assert_eq!(errors(&backwards), ["modified [timestamp-order]"]);
    let until = with(
        &indicator(),
        &[("valid_until", json!("2016-01-01T00:00:00Z"))],
    );
    assert_eq!(errors(&until), ["valid_until [timestamp-order]"]);
    let seen = with(
        &campaign(),
        &[
            ("first_seen", json!("2016-01-02T00:00:00Z")),
            ("last_seen", json!("2016-01-02T00:00:00.000Z")),
        ],
    );
    assert_eq!(errors(&seen), Vec::<String>::new());
}

#[test]
fn common_property_values() {
    let v = with(
        &campaign(),
        &[
            ("confidence", json!(101)),
            ("labels", json!([])),
            ("revoked", json!("no")),
            ("lang", json!("en_GB")),
            ("x_acme", Value::Null),
        ],
    );
    assert_eq!(
        errors(&v),
        [
            "confidence [value-range]",
            "labels [empty-list]",
            "lang [value-format]",
            "revoked [value-type]"
        ]
    );
    let ok = with(
        &campaign(),
        &[
            ("confidence", json!(100)),
            ("labels", json!(["x"])),
            ("lang", json!("sr-Latn-RS")),
        ],
    );
    assert_eq!(errors(&ok), Vec::<String>::new());
    let null: Value = serde_json::from_str(
        &campaign()
            .to_string()
            .replace('}', r#","x_acme_note":null}"#),
    )
    .expect("valid JSON");
    assert_eq!(errors(&null), ["x_acme_note [null-value]"]);
}

#[test]
fn references() {
    let v = with(
        &campaign(),
        &[
            (
                "created_by_ref",
                json!("malware--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"),
            ),
            ("object_marking_refs", json!([MARKING, IDENTITY])),
        ],
    );
    assert_eq!(
        errors(&v),
        [
            "created_by_ref [ref-type]",
            "object_marking_refs[1] [ref-type]"
        ]
    );
    let ok = with(
        &campaign(),
        &[
            ("created_by_ref", json!(IDENTITY)),
            ("object_marking_refs", json!([MARKING])),
        ],
    );
    assert_eq!(errors(&ok), Vec::<String>::new());
}

#[test]
fn external_references() {
    let v = with(
        &campaign(),
        &[(
            "external_references",
            json!([
                {"source_name": "mitre-attack", "external_id": "T0800", "url": "https://attack.mitre.org/techniques/T0800"},
                {"source_name": "cve", "external_id": "CVE-21-1"},
                {"source_name": "vendor", "url": "not a url"},
                {"source_name": "vendor"},
                {"source_name": "vendor", "external_id": "CAPEC-66"}
            ]),
        )],
    );
    assert_eq!(
        errors(&v),
        [
            "external_references[1].external_id [external-reference]",
            "external_references[2].url [value-format]",
            "external_references[3] [external-reference]",
            "external_references[4].source_name [external-reference]",
        ]
    );
}

#[test]
fn custom_names_and_encodings() {
    let v = with(
        &campaign(),
        &[
            ("x_mitre_version", json!("1.0")),
            ("Bad", json!(1)),
            ("x_acme_hex", json!("abc")),
            ("x_acme_bin", json!("YQ==")),
        ],
    );
    assert_eq!(
        errors(&v),
        ["Bad [property-name]", "x_acme_hex [value-format]"]
    );
    let tactic = json!({
        "type": "x-mitre-tactic", "spec_version": "2.1", "id": "x-mitre-tactic--69da72d2-f550-41c5-ab9e-e8255707f28a",
        "created": "2021-04-10T17:32:33.899Z", "modified": "2023-10-13T17:56:58.380Z",
        "name": "Collection", "x_mitre_shortname": "collection"
    });
    assert_eq!(errors(&tactic), Vec::<String>::new());
    let reserved = with(&campaign(), &[("severity", json!("high"))]);
    assert_eq!(errors(&reserved), ["severity [reserved-name]"]);
}

#[test]
fn granular_markings() {
    let v = with(
        &campaign(),
        &[(
            "granular_markings",
            json!([
                {"selectors": ["name"], "marking_ref": MARKING},
                {"selectors": ["description"], "lang": "fr"},
                {"selectors": ["name"]}
            ]),
        )],
    );
    assert_eq!(
        errors(&v),
        [
            "granular_markings[2] [at-least-one-of]",
            "granular_markings[1].selectors[0] [marking-selector]"
        ]
    );
}

#[test]
fn extensions() {
    let ext = "extension-definition--d83fce45-ef58-4c6c-a3f4-1fbc32e98c6e";
    let v = with(
        &campaign(),
        &[(
            "extensions",
            json!({ext: {"extension_type": "property-extension", "rank": 3}}),
        )],
    );
    assert_eq!(errors(&v), Vec::<String>::new());
    let v = with(
        &campaign(),
        &[("extensions", json!({ext: {"rank": 3}, "acme": {"a": 1}}))],
    );
    assert_eq!(
        errors(&v),
        [
            "extensions.acme [extension]",
            format!("extensions.{ext}.extension_type [required-property]").as_str()
        ]
    );
}

#[test]
fn relationships_and_sightings() {
    let rel = json!({
        "type": "relationship", "spec_version": "2.1", "id": "relationship--44298a74-ba52-4f0c-87a3-1824e67d7fad",
        "created": "2016-04-06T20:06:37.000Z", "modified": "2016-04-06T20:06:37.000Z",
        "relationship_type": "indicates", "source_ref": "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
        "target_ref": "malware--31b940d4-6f7f-459a-80ea-9c1f17b5891b"
    });
    assert_eq!(errors(&rel), Vec::<String>::new());
    let bad = with(
        &rel,
        &[
            ("relationship_type", json!("Indicates")),
            (
                "target_ref",
                json!("sighting--31b940d4-6f7f-459a-80ea-9c1f17b5891b"),
            ),
        ],
    );
    assert_eq!(
        errors(&bad),
        ["relationship_type [value-format]", "target_ref [ref-type]"]
    );
    let sighting = json!({
        "type": "sighting", "spec_version": "2.1", "id": "sighting--ee20065d-2555-424f-ad9e-0f8fd9d0e9f6",
        "created": "2016-04-06T20:08:31.000Z", "modified": "2016-04-06T20:08:31.000Z",
        "sighting_of_ref": "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f", "count": 1000000000,
        "where_sighted_refs": ["identity--b67d30ff-02ac-498a-92f9-32f845f448ff", "file--b67d30ff-02ac-498a-92f9-32f845f448ff"]
    });
    assert_eq!(
        errors(&sighting),
        ["count [value-range]", "where_sighted_refs[1] [ref-type]"]
    );
}

#[test]
fn observed_data() {
    let od = json!({
        "type": "observed-data", "spec_version": "2.1", "id": "observed-data--b67d30ff-02ac-498a-92f9-32f845f448cf",
        "created": "2016-04-06T19:58:16.000Z", "modified": "2016-04-06T19:58:16.000Z",
        "first_observed": "2015-12-21T19:00:00Z", "last_observed": "2015-04-06T19:00:00Z", "number_observed": 0,
        "object_refs": ["ipv4-addr--efcd5e80-570d-4131-b213-62cb18eaa6a8"], "objects": {"0": {"type": "file", "name": "a"}}
    });
    assert_eq!(
        errors(&od),
        [
            "number_observed [value-range]",
            "last_observed [timestamp-order]",
            "objects [property-combination]"
        ]
    );
}

#[test]
fn scos() {
    let file = json!({"type": "file", "spec_version": "2.1", "id": "file--06ce4029-bd3e-524d-bc97-61a81394c0d6", "name": "qwerty.dll"});
    assert_eq!(errors(&file), Vec::<String>::new());
    let bad = json!({
        "type": "file", "id": "file--06ce4029-bd3e-424d-bc97-61a81394c0d6",
        "hashes": {"MD5": "abc"}, "size": -1, "parent_directory_ref": "file--06ce4029-bd3e-424d-bc97-61a81394c0d6"
    });
    assert_eq!(
        errors(&bad),
        [
            "hashes.MD5 [hash-value]",
            "parent_directory_ref [ref-type]",
            "size [value-range]"
        ]
    );
    let ip = json!({"type": "ipv4-addr", "id": "ipv4-addr--28bb3599-77cd-5a82-a950-b5bc3caf07c4", "value": "198.51.100.300"});
    assert_eq!(errors(&ip), ["value [value-format]"]);
    let process =
        json!({"type": "process", "id": "process--28bb3599-77cd-5a82-a950-b5bc3caf07c4", "pid": 4});
    assert_eq!(errors(&process), ["id [uuid-version]"]);
    let traffic = json!({
        "type": "network-traffic", "id": "network-traffic--2568d22a-8998-58eb-99ec-3c8ca74f527d",
        "protocols": ["tcp"], "dst_port": 70000, "is_active": true, "end": "2020-01-01T00:00:00Z"
    });
    assert_eq!(
        errors(&traffic),
        [
            "dst_port [value-range]",
            "(object) [at-least-one-of]",
            "end [property-combination]"
        ]
    );
}

#[test]
fn marking_definitions() {
    let statement = json!({
        "type": "marking-definition", "spec_version": "2.1", "id": "marking-definition--d83fce45-ef58-4c6c-a3f4-1fbc32e98c6e",
        "created": "2016-08-01T00:00:00.000Z", "definition_type": "statement", "definition": {"statement": "Copyright ACME"}
    });
    assert_eq!(errors(&statement), Vec::<String>::new());
    let tlp = json!({
        "type": "marking-definition", "spec_version": "2.1", "id": crate::tlp::TLP_V1_GREEN,
        "created": "2017-01-20T00:00:00.000Z", "definition_type": "tlp", "name": "TLP:AMBER", "definition": {"tlp": "green"}
    });
    assert_eq!(errors(&tlp), ["name [tlp-definition]"]);
    let tlp2 = json!({
        "type": "marking-definition", "spec_version": "2.1", "id": crate::tlp::TLP_V2_AMBER_STRICT,
        "created": "2022-10-01T00:00:00.000Z", "name": "TLP:AMBER+STRICT",
        "extensions": {crate::tlp::TLP_V2_EXTENSION_DEFINITION: {"extension_type": "property-extension", "tlp_2_0": "amber+strict"}}
    });
    assert_eq!(errors(&tlp2), Vec::<String>::new());
    let circular = with(
        &statement,
        &[(
            "object_marking_refs",
            json!(["marking-definition--d83fce45-ef58-4c6c-a3f4-1fbc32e98c6e"]),
        )],
    );
    assert_eq!(
        errors(&circular),
        ["object_marking_refs[0] [circular-marking]"]
    );
}

#[test]
fn bundles_report_members_by_their_id() {
    let bundle = json!({
        "type": "bundle", "id": "bundle--5d0092c5-5f74-4287-9642-33f4c354e56d",
        "objects": [campaign(), with(&indicator(), &[("pattern_type", Value::Null)])]
    });
    let (_, diags) = check(&bundle.to_string());
    let text: Vec<String> = diags.iter().map(ToString::to_string).collect();
    assert_eq!(
        text,
        [
            "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f: pattern_type: is required [required-property]"
        ]
    );
}
