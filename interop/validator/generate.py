"""Generates valid and invalid STIX 2.1 objects for the validator oracle.

`generate()` returns (name, object) pairs, deterministic for a seed: the valid
objects of `bases.py`, then mutations of them across every rule family (ids,
timestamps, required properties, references, ranges, enumerations, custom
names, markings, extensions, type-specific rules). Names are stable, so
`EXPECTED_DIFFERENCES.md` can list cases by name.

Run as a script to write the cases as JSON Lines: `python generate.py OUT`.
"""

import copy
import json
import sys

import random

from bases import TLP_V2, Maker, bases

SEED = 20250101
DROP = object()  # a change that removes the property

SDO_NAMES = {"attack-pattern", "campaign", "course-of-action", "grouping", "identity", "incident", "indicator",
             "infrastructure", "intrusion-set", "location", "location-coordinates", "malware", "malware-analysis",
             "note", "observed-data", "opinion", "report", "threat-actor", "tool", "vulnerability"}
DOMAIN_LIKE = SDO_NAMES | {"relationship", "sighting", "language-content", "extension-definition", "x-mitre-tactic"}
SCO_NAMES = {"artifact", "autonomous-system", "directory", "domain-name", "email-addr", "email-message", "file",
             "ipv4-addr", "ipv6-addr", "mac-addr", "mutex", "network-traffic", "process", "software", "url",
             "user-account", "windows-registry-key", "x509-certificate", "x-custom-sco"}
# Bases that get every common mutation; the others get a seeded sample.
FULL_COMMON = {"campaign", "indicator", "relationship", "x-mitre-tactic"}
FULL_SCO = {"file", "ipv4-addr"}


def apply(obj: dict, changes: dict) -> dict:
    out = copy.deepcopy(obj)
    for key, value in changes.items():
        if value is DROP:
            out.pop(key, None)
        else:
            out[key] = value
    return out


def reid(obj: dict, fn) -> dict:
    """The object with its id rewritten by `fn(type, uuid)`."""
    object_type, _, uid = obj["id"].rpartition("--")
    return apply(obj, {"id": fn(object_type, uid)})


def id_mutations():
    def version(v):
        return lambda t, u: f"{t}--{u[:14]}{v}{u[15:]}"
    return [
        ("id-uuid-version-6", version("6")),
        ("id-uuid-version-0", version("0")),
        ("id-uuid-variant-7", lambda t, u: f"{t}--{u[:19]}7{u[20:]}"),
        ("id-uuid-not-hex", lambda t, u: f"{t}--{u[:-1]}g"),
        ("id-uuid-short", lambda t, u: f"{t}--{u[:-2]}"),
        ("id-single-hyphen", lambda t, u: f"{t}-{u}"),
        ("id-wrong-type", lambda t, u: f"{'malware' if t != 'malware' else 'tool'}--{u}"),
        ("id-uuid-upper-case", lambda t, u: f"{t}--{u.upper()}"),
        ("id-not-string", lambda t, u: 12345),
    ]


def timestamp_mutations(prop: str):
    return [
        (f"{prop}-no-millis", "2016-05-12T08:17:27Z"),
        (f"{prop}-feb-30", "2016-02-30T08:17:27.000Z"),
        (f"{prop}-leap-day-2015", "2015-02-29T08:17:27.000Z"),
        (f"{prop}-leap-day-2016-ok", "2016-02-29T08:17:27.000Z"),
        (f"{prop}-hour-24", "2016-05-12T24:17:27.000Z"),
        (f"{prop}-second-60", "2016-05-12T23:59:60.000Z"),
        (f"{prop}-lower-case-t", "2016-05-12t08:17:27.000Z"),
        (f"{prop}-offset", "2016-05-12T08:17:27.000+00:00"),
        (f"{prop}-no-zone", "2016-05-12T08:17:27.000"),
        (f"{prop}-date-only", "2016-05-12"),
        (f"{prop}-nanos-ok", "2016-05-12T08:17:27.123456789Z"),
        (f"{prop}-not-string", 1463040000),
    ]


CUSTOM = "extension-definition--d83fce45-ef58-4c6c-a3f4-1fbc32e98c6e"
MARKING = "marking-definition--" + TLP_V2["green"]


def common_mutations(mk: Maker):
    """Changes that apply to any SDO, SRO or custom domain object."""
    early = "2014-01-01T00:00:00.000Z"
    return [
        ("spec-version-2-2", {"spec_version": "2.2"}),
        ("spec-version-number", {"spec_version": 2.1}),
        ("modified-before-created", {"created": "2020-01-02T00:00:00.000Z", "modified": "2020-01-01T23:59:59.999Z"}),
        ("modified-equals-created-ok", {"created": early, "modified": early}),
        ("confidence-101", {"confidence": 101}),
        ("confidence-minus-1", {"confidence": -1}),
        ("confidence-string", {"confidence": "50"}),
        ("confidence-100-ok", {"confidence": 100}),
        ("labels-empty", {"labels": []}),
        ("labels-string", {"labels": "malicious"}),
        ("labels-ok", {"labels": ["ics", "grid"]}),
        ("revoked-string", {"revoked": "yes"}),
        ("revoked-ok", {"revoked": True}),
        ("lang-en-ok", {"lang": "en"}),
        ("lang-garbage", {"lang": "english please"}),
        ("created-by-ref-bad-format", {"created_by_ref": "identity-1234"}),
        ("created-by-ref-ok", {"created_by_ref": mk.id("identity")}),
        ("created-by-ref-not-identity", {"created_by_ref": mk.id("malware")}),
        ("marking-refs-ok", {"object_marking_refs": [MARKING]}),
        ("marking-refs-bad-format", {"object_marking_refs": ["TLP:GREEN"]}),
        ("marking-refs-empty", {"object_marking_refs": []}),
        ("marking-refs-not-marking", {"object_marking_refs": [mk.id("identity")]}),
        ("extref-no-source-name", {"external_references": [{"url": "https://example.com/a"}]}),
        ("extref-source-name-only", {"external_references": [{"source_name": "acme"}]}),
        ("extref-bad-url", {"external_references": [{"source_name": "acme", "url": "not a url"}]}),
        ("extref-cve-ok", {"external_references": [{"source_name": "cve", "external_id": "CVE-2021-44228"}]}),
        ("extref-cve-bad-id", {"external_references": [{"source_name": "cve", "external_id": "CVE-21-1"}]}),
        ("extref-cve-no-id", {"external_references": [{"source_name": "cve", "description": "x"}]}),
        ("extref-capec-bad-id", {"external_references": [{"source_name": "capec", "external_id": "66"}]}),
        ("extref-cve-id-other-source", {"external_references": [{"source_name": "nvd", "external_id": "CVE-2021-44228"}]}),
        ("extref-bad-md5", {"external_references": [{"source_name": "acme", "url": "https://a.example/x",
                                                      "hashes": {"MD5": "1234"}}]}),
        ("extref-empty", {"external_references": []}),
        ("granular-ok", {"granular_markings": [{"selectors": ["type"], "marking_ref": MARKING}]}),
        ("granular-missing-selector-target", {"granular_markings": [{"selectors": ["x_nowhere"], "marking_ref": MARKING}]}),
        ("granular-bad-selector", {"granular_markings": [{"selectors": ["Type!"], "marking_ref": MARKING}]}),
        ("granular-no-marking-ref", {"granular_markings": [{"selectors": ["type"]}]}),
        ("granular-lang-only", {"granular_markings": [{"selectors": ["type"], "lang": "en"}]}),
        ("granular-empty-selectors", {"granular_markings": [{"selectors": [], "marking_ref": MARKING}]}),
        ("custom-property-ok", {"x_acme_score": 7}),
        ("custom-property-upper-case", {"X_acme": 1}),
        ("custom-property-too-short", {"xy": 1}),
        ("custom-property-hyphen-start", {"-x_acme": 1}),
        ("custom-property-digit-start", {"9_acme": 1}),
        ("custom-property-null", {"x_acme_null": None}),
        ("custom-property-empty-list", {"x_acme_list": []}),
        ("custom-hex-bad", {"x_acme_hex": "xyz"}),
        ("custom-hex-ok", {"x_acme_hex": "deadbeef"}),
        ("custom-bin-bad", {"x_acme_bin": "not base64"}),
        ("custom-bin-ok", {"x_acme_bin": "aGVsbG8="}),
        ("reserved-severity", {"severity": "high"}),
        ("reserved-username", {"username": "root"}),
        ("reserved-phone-numbers", {"phone_numbers": ["+441234567890"]}),
        ("extensions-ok", {"extensions": {CUSTOM: {"extension_type": "property-extension", "rank": 5}}}),
        ("extensions-bad-key", {"extensions": {"acme": {"rank": 5}}}),
        ("extensions-empty", {"extensions": {}}),
        ("extensions-missing-extension-type", {"extensions": {CUSTOM: {"rank": 5}}}),
        ("extensions-bad-extension-type", {"extensions": {CUSTOM: {"extension_type": "new-thing"}}}),
        ("extensions-named-ext-ok", {"extensions": {"x-acme-ext": {"rank": 5}}}),
        ("extensions-named-ext-empty", {"extensions": {"x-acme-ext": {}}}),
    ]


def sco_common_mutations(mk: Maker):
    return [
        ("defanged-ok", {"defanged": True}),
        ("defanged-string", {"defanged": "yes"}),
        ("spec-version-2-2", {"spec_version": "2.2"}),
        ("marking-refs-ok", {"object_marking_refs": [MARKING]}),
        ("marking-refs-bad-format", {"object_marking_refs": ["green"]}),
        ("custom-property-ok", {"x_acme_seen": 3}),
        ("custom-property-upper-case", {"Acme": 1}),
        ("custom-property-null", {"x_acme_null": None}),
        ("reserved-severity", {"severity": "low"}),
        ("extensions-bad-key", {"extensions": {"acme": {"a": 1}}}),
        ("extensions-ok", {"extensions": {CUSTOM: {"extension_type": "property-extension", "score": 1}}}),
        ("granular-ok", {"granular_markings": [{"selectors": ["type"], "marking_ref": MARKING}]}),
        ("granular-missing-selector-target", {"granular_markings": [{"selectors": ["nothing_here"], "marking_ref": MARKING}]}),
    ]


def specific_mutations(mk: Maker):
    """Type-specific cases: (base, case, changes)."""
    sha256 = "fe90a7e910cb3a4739bed9180e807e93fa70c90f25a8915476f5e4bfbac681db"
    return [
        ("indicator", "valid-until-equals-valid-from", {"valid_from": "2020-01-01T00:00:00Z", "valid_until": "2020-01-01T00:00:00Z"}),
        ("indicator", "valid-until-before-valid-from", {"valid_until": "2019-01-01T00:00:00Z"}),
        ("indicator", "pattern-type-number", {"pattern_type": 1}),
        ("indicator", "pattern-type-sigma-ok", {"pattern_type": "sigma", "pattern": "title: x"}),
        ("indicator", "pattern-not-string", {"pattern": ["[ipv4-addr:value = '1.2.3.4']"]}),
        ("indicator", "pattern-syntax-error", {"pattern": "[ipv4-addr:value = ]"}),
        ("indicator", "indicator-types-empty", {"indicator_types": []}),
        ("indicator", "kill-chain-missing-phase", {"kill_chain_phases": [{"kill_chain_name": "lockheed"}]}),
        ("indicator", "valid-from-ten-digit-fraction", {"valid_from": "2020-01-01T00:00:00.1234567891Z", "valid_until": DROP}),
        ("campaign", "last-seen-before-first-seen", {"last_seen": "2015-12-31T00:00:00Z"}),
        ("campaign", "name-not-string", {"name": 7}),
        ("campaign", "description-not-string", {"description": ["a"]}),
        ("campaign", "aliases-empty", {"aliases": []}),
        ("campaign", "custom-property-mixed-case", {"x_acmeScore": 1}),
        ("campaign", "custom-property-251-chars", {"x_" + "a" * 249: 1}),
        ("campaign", "custom-property-250-chars-ok", {"x_" + "a" * 248: 1}),
        ("campaign", "lang-with-script", {"lang": "sr-Latn-RS"}),
        ("campaign", "lang-de-ok", {"lang": "de"}),
        ("threat-actor", "last-seen-before-first-seen", {"first_seen": "2020-01-01T00:00:00Z", "last_seen": "2019-01-01T00:00:00Z"}),
        ("intrusion-set", "last-seen-equals-first-seen-ok", {"last_seen": "2014-01-01T00:00:00Z"}),
        ("malware", "is-family-string", {"is_family": "true"}),
        ("malware", "is-family-true-without-name", {"name": DROP}),
        ("malware", "is-family-false-without-name-ok", {"name": DROP, "is_family": False}),
        ("malware", "operating-system-refs-not-software", {"operating_system_refs": [mk.id("tool")]}),
        ("malware", "sample-refs-not-file", {"sample_refs": [mk.id("indicator")]}),
        ("malware-analysis", "no-result-or-sco-refs", {"result": DROP}),
        ("malware-analysis", "sco-refs-ok", {"result": DROP, "analysis_sco_refs": [mk.id("file")]}),
        ("malware-analysis", "host-vm-ref-not-software", {"host_vm_ref": mk.id("tool")}),
        ("malware-analysis", "sample-ref-not-file", {"sample_ref": mk.id("url")}),
        ("location", "no-region-country-or-coordinates", {"region": DROP, "country": DROP}),
        ("location-coordinates", "latitude-91", {"latitude": 91}),
        ("location-coordinates", "longitude-minus-181", {"longitude": -181.5}),
        ("location-coordinates", "latitude-without-longitude", {"longitude": DROP}),
        ("location-coordinates", "latitude-string", {"latitude": "51.5"}),
        ("location", "precision-without-coordinates", {"precision": 10.0}),
        ("observed-data", "number-observed-0", {"number_observed": 0}),
        ("observed-data", "number-observed-1e9", {"number_observed": 1000000000}),
        ("observed-data", "number-observed-max-ok", {"number_observed": 999999999}),
        ("observed-data", "number-observed-float", {"number_observed": 2.5}),
        ("observed-data", "last-before-first-observed", {"last_observed": "2020-01-01T00:00:00Z"}),
        ("observed-data", "both-objects-and-object-refs", {"objects": {"0": {"type": "ipv4-addr", "value": "1.2.3.4"}}}),
        ("observed-data", "objects-only-ok", {"object_refs": DROP, "objects": {
            "0": {"type": "ipv4-addr", "id": mk.id("ipv4-addr"), "value": "198.51.100.9"}}}),
        ("observed-data", "objects-empty", {"object_refs": DROP, "objects": {}}),
        ("observed-data", "object-refs-to-sdo", {"object_refs": [mk.id("malware")]}),
        ("observed-data", "object-refs-to-sro-ok", {"object_refs": [mk.id("ipv4-addr"), mk.id("relationship")]}),
        ("opinion", "opinion-not-in-enum", {"opinion": "maybe"}),
        ("opinion", "opinion-strongly-agree-ok", {"opinion": "strongly-agree"}),
        ("opinion", "object-refs-empty", {"object_refs": []}),
        ("report", "published-bad", {"published": "2020-03-01"}),
        ("report", "object-refs-bad-item", {"object_refs": ["indicator"]}),
        ("grouping", "context-not-string", {"context": ["suspicious-activity"]}),
        ("note", "authors-empty", {"authors": []}),
        ("identity", "identity-class-open-vocab-ok", {"identity_class": "department"}),
        ("identity", "sectors-string", {"sectors": "energy"}),
        ("relationship", "relationship-type-upper-case", {"relationship_type": "Indicates"}),
        ("relationship", "relationship-type-space", {"relationship_type": "related to"}),
        ("relationship", "source-ref-bundle", {"source_ref": mk.id("bundle")}),
        ("relationship", "target-ref-relationship", {"target_ref": mk.id("relationship")}),
        ("relationship", "target-ref-sco-ok", {"target_ref": mk.id("ipv4-addr")}),
        ("relationship", "stop-time-equals-start-time", {"start_time": "2020-01-01T00:00:00Z", "stop_time": "2020-01-01T00:00:00Z"}),
        ("relationship", "source-ref-bad-format", {"source_ref": "indicator--1234"}),
        ("sighting", "count-minus-1", {"count": -1}),
        ("sighting", "count-0-ok", {"count": 0}),
        ("sighting", "count-too-large", {"count": 1000000000}),
        ("sighting", "last-seen-before-first-seen", {"last_seen": "2019-12-31T00:00:00Z"}),
        ("sighting", "sighting-of-ref-relationship", {"sighting_of_ref": mk.id("relationship")}),
        ("sighting", "sighting-of-ref-sco", {"sighting_of_ref": mk.id("ipv4-addr")}),
        ("sighting", "observed-data-refs-wrong-type", {"observed_data_refs": [mk.id("indicator")]}),
        ("sighting", "where-sighted-refs-wrong-type", {"where_sighted_refs": [mk.id("malware")]}),
        ("sighting", "where-sighted-refs-location-ok", {"where_sighted_refs": [mk.id("location")]}),
        ("sighting", "summary-string", {"summary": "no"}),
        ("artifact", "payload-bin-not-base64", {"payload_bin": "hello world"}),
        ("artifact", "payload-and-url", {"url": "https://example.com/a.bin", "hashes": {"SHA-256": sha256}}),
        ("artifact", "url-without-hashes", {"payload_bin": DROP, "url": "https://example.com/a.bin"}),
        ("artifact", "url-with-hashes-ok", {"payload_bin": DROP, "url": "https://example.com/a.bin", "hashes": {"SHA-256": sha256}}),
        ("artifact", "mime-type-bad", {"mime_type": "plaintext"}),
        ("artifact", "mime-type-unregistered", {"mime_type": "application/x-acme-dump"}),
        ("artifact", "decryption-key-without-algorithm", {"decryption_key": "secret"}),
        ("artifact", "encryption-algorithm-bad", {"encryption_algorithm": "rot13"}),
        ("autonomous-system", "number-string", {"number": "AS15139"}),
        ("directory", "path-not-string", {"path": ["C:"]}),
        ("directory", "contains-refs-wrong-type", {"contains_refs": [mk.id("ipv4-addr")]}),
        ("domain-name", "value-underscore", {"value": "bad_name.example.com"}),
        ("domain-name", "value-leading-hyphen", {"value": "-bad.example.com"}),
        ("domain-name", "value-space", {"value": "bad name.example.com"}),
        ("domain-name", "resolves-to-refs-ok", {"resolves_to_refs": [mk.id("ipv4-addr")]}),
        ("email-addr", "value-no-at", {"value": "ops.example.com"}),
        ("email-addr", "value-no-dot-in-domain", {"value": "ops@localhost"}),
        ("email-message", "is-multipart-string", {"is_multipart": "false"}),
        ("email-message", "body-with-multipart-true", {"is_multipart": True}),
        ("email-message", "multipart-ok", {"is_multipart": True, "body": DROP,
                                            "body_multipart": [{"content_type": "text/plain", "body": "hi"}]}),
        ("email-message", "multipart-part-without-body", {"is_multipart": True, "body": DROP,
                                                           "body_multipart": [{"content_type": "text/plain"}]}),
        ("email-message", "date-bad", {"date": "yesterday"}),
        ("file", "size-negative", {"size": -1}),
        ("file", "md5-too-short", {"hashes": {"MD5": "abc"}}),
        ("file", "sha256-not-hex", {"hashes": {"SHA-256": "z" * 64}}),
        ("file", "custom-hash-ok", {"hashes": {"x-acme-hash": "anything"}}),
        ("file", "hashes-empty", {"hashes": {}}),
        ("file", "no-name-no-hashes", {"name": DROP, "hashes": DROP}),
        ("file", "magic-number-not-hex", {"magic_number_hex": "ZZ"}),
        ("file", "ctime-bad", {"ctime": "2020-13-01T00:00:00Z"}),
        ("file", "archive-ext-ok", {"extensions": {"archive-ext": {"contains_refs": [mk.id("file")]}}}),
        ("file", "archive-ext-missing-contains", {"extensions": {"archive-ext": {"comment": "zip"}}}),
        ("file", "ntfs-ext-empty-of-required", {"extensions": {"ntfs-ext": {"x_acme": 1}}}),
        ("file", "pe-ext-missing-pe-type", {"extensions": {"windows-pebinary-ext": {"imphash": "abc"}}}),
        ("file", "pe-ext-ok", {"extensions": {"windows-pebinary-ext": {"pe_type": "exe", "number_of_sections": 4}}}),
        ("ipv4-addr", "value-octet-256", {"value": "198.51.100.256"}),
        ("ipv4-addr", "value-cidr-ok", {"value": "198.51.100.0/24"}),
        ("ipv4-addr", "value-cidr-33", {"value": "198.51.100.0/33"}),
        ("ipv4-addr", "value-three-octets", {"value": "198.51.100"}),
        ("ipv4-addr", "value-ipv6", {"value": "2001:db8::1"}),
        ("ipv6-addr", "value-bad", {"value": "2001:db8::g"}),
        ("ipv6-addr", "value-cidr-ok", {"value": "2001:db8::/32"}),
        ("ipv6-addr", "value-ipv4", {"value": "198.51.100.7"}),
        ("mac-addr", "value-upper-case", {"value": "D2:FB:49:24:37:18"}),
        ("mac-addr", "value-dashes", {"value": "d2-fb-49-24-37-18"}),
        ("mutex", "name-number", {"name": 5}),
        ("network-traffic", "dst-port-70000", {"dst_port": 70000}),
        ("network-traffic", "src-port-minus-1", {"src_port": -1}),
        ("network-traffic", "no-src-or-dst", {"src_ref": DROP}),
        ("network-traffic", "protocols-empty", {"protocols": []}),
        ("network-traffic", "end-before-start", {"end": "2019-12-31T00:00:00Z"}),
        ("network-traffic", "active-with-end", {"is_active": True}),
        ("network-traffic", "active-without-end-ok", {"is_active": True, "end": DROP}),
        ("network-traffic", "icmp-ext-ok", {"extensions": {"icmp-ext": {"icmp_type_hex": "08", "icmp_code_hex": "00"}}}),
        ("network-traffic", "icmp-ext-missing-code", {"extensions": {"icmp-ext": {"icmp_type_hex": "08"}}}),
        ("network-traffic", "socket-ext-bad-family", {"extensions": {"socket-ext": {"address_family": "AF_CAN"}}}),
        ("network-traffic", "tcp-ext-empty-of-flags", {"extensions": {"tcp-ext": {"x_acme": 1}}}),
        ("network-traffic", "http-ext-ok", {"extensions": {"http-request-ext": {
            "request_method": "get", "request_value": "/", "request_header": {"Host": ["www.example.com"]}}}}),
        ("network-traffic", "http-ext-header-strings", {"extensions": {"http-request-ext": {
            "request_method": "get", "request_value": "/", "request_header": {"Host": "www.example.com"}}}}),
        ("network-traffic", "http-ext-missing-method", {"extensions": {"http-request-ext": {"request_value": "/"}}}),
        ("process", "uuid-v5-id", {"id": "process--" + mk.sco_id("process", {"pid": 1221}).split("--")[1]}),
        ("process", "nothing-but-id", {"pid": DROP, "command_line": DROP}),
        ("process", "pid-string", {"pid": "1221"}),
        ("process", "only-created-time", {"pid": DROP, "command_line": DROP, "created_time": "2020-01-01T00:00:00Z"}),
        ("process", "windows-ext-bad-integrity", {"extensions": {"windows-process-ext": {"integrity_level": "ultra"}}}),
        ("software", "cpe-2-2", {"cpe": "cpe:/a:microsoft:word:2000"}),
        ("software", "languages-ok", {"languages": ["en"]}),
        ("software", "languages-bad", {"languages": ["english!"]}),
        ("url", "value-not-uri", {"value": "grid update"}),
        ("url", "value-space", {"value": "https://example.com/a b"}),
        ("user-account", "nothing-but-id", {"user_id": DROP, "account_type": DROP, "account_login": DROP,
                                            "id": mk.id("user-account")}),
        ("user-account", "nothing-but-id-v5", {"user_id": DROP, "account_type": DROP, "account_login": DROP,
                                               "display_name": "J", "id": mk.sco_id("user-account", {"x": 1})}),
        ("user-account", "is-privileged-string", {"is_privileged": "no"}),
        ("user-account", "unix-ext-ok", {"extensions": {"unix-account-ext": {"gid": 1001}}}),
        ("windows-registry-key", "abbreviated-hive", {"key": "HKLM\\System\\Foo"}),
        ("windows-registry-key", "value-bad-data-type", {"values": [{"name": "a", "data_type": "REG_TEXT"}]}),
        ("windows-registry-key", "value-empty-entry", {"values": [{}]}),
        ("windows-registry-key", "only-modified-time", {"key": DROP, "values": DROP,
                                                        "modified_time": "2020-01-01T00:00:00Z"}),
        ("windows-registry-key", "subkeys-string", {"number_of_subkeys": "2"}),
        ("x509-certificate", "v3-extensions-ok", {"x509_v3_extensions": {"basic_constraints": "CA:TRUE"}}),
        ("x509-certificate", "validity-bad", {"validity_not_before": "2016-03-12"}),
        ("x509-certificate", "exponent-string", {"subject_public_key_exponent": "65537"}),
        ("marking-statement", "statement-missing", {"definition": {}}),
        ("marking-statement", "statement-not-string", {"definition": {"statement": 5}}),
        ("marking-statement", "definition-not-object", {"definition": "Copyright"}),
        ("marking-statement", "no-definition-no-extensions", {"definition": DROP, "definition_type": DROP}),
        ("marking-statement", "created-no-millis", {"created": "2017-01-20T00:00:00Z"}),
        ("marking-statement", "circular-object-marking", {"object_marking_refs": ["SELF"]}),
        ("marking-statement", "marks-with-tlp-ok", {"object_marking_refs": [MARKING]}),
        ("marking-statement", "created-by-ref-ok", {"created_by_ref": mk.id("identity")}),
        ("marking-statement", "named-extension", {"extensions": {"x-acme-ext": {"a": 1}}}),
        ("marking-tlp1", "tlp-wrong-name", {"name": "TLP:RED"}),
        ("marking-tlp1", "tlp-wrong-level", {"definition": {"tlp": "amber"}}),
        ("marking-tlp1", "tlp-wrong-created", {"created": "2017-01-20T00:00:00.001Z"}),
        ("marking-tlp1", "tlp-unknown-id", {"id": mk.id("marking-definition")}),
        ("marking-tlp1", "tlp-extra-property", {"created_by_ref": mk.id("identity")}),
        ("marking-tlp2", "tlp2-extension-no-type", {"extensions": {"extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d": {"tlp_2_0": "red"}}}),
        ("language-content", "contents-bad-language", {"contents": {"german!": {"name": "x"}}}),
        ("language-content", "contents-bad-property", {"contents": {"de": {"Name": "x"}}}),
        ("language-content", "contents-empty", {"contents": {}}),
        ("language-content", "object-ref-bundle", {"object_ref": mk.id("bundle")}),
        ("language-content", "object-modified-bad", {"object_modified": "2020"}),
        ("extension-definition", "extension-type-bad", {"extension_types": ["new-thing"]}),
        ("extension-definition", "properties-without-toplevel", {"extension_properties": ["x_acme_rank"]}),
        ("extension-definition", "properties-with-toplevel-ok", {"extension_types": ["toplevel-property-extension"],
                                                                 "extension_properties": ["x_acme_rank"]}),
        ("extension-definition", "types-empty", {"extension_types": []}),
        ("x-mitre-tactic", "type-upper-case", {"type": "X-Mitre-Tactic"}),
        ("x-custom-sco", "type-underscore", {"type": "x_acme_sensor"}),
        ("x-custom-sco", "type-too-short", {"type": "xy"}),
        ("x-custom-sco", "type-double-hyphen", {"type": "x--acme"}),
        ("x-custom-sco", "type-trailing-hyphen", {"type": "x-acme-"}),
        ("x-custom-sco", "type-reserved-action", {"type": "action"}),
        ("x-custom-sco", "created-without-modified", {"created": "2020-01-01T00:00:00.000Z"}),
        ("x-custom-sco", "no-x-prefix-ok", {"type": "acme-sensor"}),
    ]


def generate(seed: int = SEED) -> list:
    """All cases, as (name, object) pairs, in a fixed order."""
    rng = random.Random(seed)
    mk = Maker(rng)
    base_list = bases(mk)
    by_name = dict(base_list)
    cases = [(f"{name}/valid", obj) for name, obj in base_list]

    for name, obj in base_list:
        for key in obj:
            if key != "type":
                cases.append((f"{name}/drop-{key}", apply(obj, {key: DROP})))

    ids = id_mutations()
    for name, obj in base_list:
        chosen = ids if name in FULL_COMMON | FULL_SCO else rng.sample(ids, 3)
        for case, fn in chosen:
            cases.append((f"{name}/{case}", reid(obj, fn)))

    for name in sorted(DOMAIN_LIKE):
        obj = by_name[name]
        muts = timestamp_mutations("created") + timestamp_mutations("modified")
        chosen = muts if name in FULL_COMMON else rng.sample(muts, 3)
        for case, value in chosen:
            changes = {case.split("-")[0]: value}
            # Keep the other timestamp out of the way so only the mutation counts.
            if case.startswith("created"):
                changes["modified"] = "2024-12-31T00:00:00.000Z"
            else:
                changes["created"] = "2014-01-01T00:00:00.000Z"
            cases.append((f"{name}/{case}", apply(obj, changes)))
        commons = common_mutations(mk)
        chosen = commons if name in FULL_COMMON else rng.sample(commons, 4)
        for case, changes in chosen:
            cases.append((f"{name}/{case}", apply(obj, changes)))

    for name in sorted(SCO_NAMES):
        commons = sco_common_mutations(mk)
        chosen = commons if name in FULL_SCO else rng.sample(commons, 2)
        for case, changes in chosen:
            cases.append((f"{name}/{case}", apply(by_name[name], changes)))

    for name, case, changes in specific_mutations(mk):
        obj = apply(by_name[name], changes)
        if obj.get("object_marking_refs") == ["SELF"]:
            obj["object_marking_refs"] = [obj["id"]]
        if "type" in changes and isinstance(obj.get("id"), str):
            obj["id"] = changes["type"] + "--" + obj["id"].rpartition("--")[2]
        cases.append((f"{name}/{case}", obj))

    members = [by_name["indicator"], by_name["malware"], by_name["relationship"], by_name["ipv4-addr"]]
    cases.append(("bundle/valid", {"type": "bundle", "id": mk.id("bundle"), "objects": members}))
    cases.append(("bundle/bad-member", {"type": "bundle", "id": mk.id("bundle"),
                                         "objects": members + [apply(by_name["tool"], {"name": DROP})]}))
    cases.append(("bundle/bad-id", {"type": "bundle", "id": "bundle--1", "objects": members}))

    names = [n for n, _ in cases]
    assert len(names) == len(set(names)), "case names are unique"
    return cases


def main() -> None:
    out = open(sys.argv[1], "w", encoding="utf-8") if len(sys.argv) > 1 else sys.stdout
    for name, obj in generate():
        out.write(json.dumps({"name": name, "object": obj}, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
