"""Valid STIX 2.1 objects of every type, for the validator oracle to mutate.

Every object here is valid for both Charter and the OASIS stix2-validator.
Values come from a seeded random generator so a run is reproducible.
"""

import json
import random
import uuid

SCO_NAMESPACE = uuid.UUID("00abedb4-aa42-466c-9c01-fed23315a9b7")

TLP_V1 = {
    "white": ("613f2e26-407d-48c7-9eca-b8e91df99dc9", "TLP:WHITE"),
    "green": ("34098fce-860f-48ae-8e50-ebd3cc5e41da", "TLP:GREEN"),
    "amber": ("f88d31f6-486f-44da-b317-01333bde0b82", "TLP:AMBER"),
    "red": ("5e57c739-391a-4eb3-b6be-7d15ca92d5ed", "TLP:RED"),
}
TLP_V2 = {
    "clear": "94868c89-83c2-464b-929b-a1a8aa3c8487",
    "green": "bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
    "amber": "55d920b0-5e8b-4f79-9ee9-91f868d9b421",
    "amber+strict": "939a9414-2ddd-4d32-a0cd-375ea402b003",
    "red": "e828b379-4e03-4974-9ac4-e53a884c97c1",
}
TLP_V2_EXTENSION = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"


class Maker:
    """Makes ids, timestamps and names from one seeded generator."""

    def __init__(self, rng: random.Random):
        self.rng = rng

    def uuid4(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def id(self, object_type: str) -> str:
        return f"{object_type}--{self.uuid4()}"

    def sco_id(self, object_type: str, contributing: dict) -> str:
        """The deterministic id, for objects whose values are plain ASCII."""
        canonical = json.dumps(contributing, sort_keys=True, separators=(",", ":"))
        return f"{object_type}--{uuid.uuid5(SCO_NAMESPACE, canonical)}"

    def timestamp(self, year_from=2015, year_to=2024, millis=True) -> str:
        year = self.rng.randint(year_from, year_to)
        month, day = self.rng.randint(1, 12), self.rng.randint(1, 28)
        h, m, s = self.rng.randint(0, 23), self.rng.randint(0, 59), self.rng.randint(0, 59)
        text = f"{year:04d}-{month:02d}-{day:02d}T{h:02d}:{m:02d}:{s:02d}"
        if millis:
            text += f".{self.rng.randint(0, 999):03d}"
        return text + "Z"

    def word(self) -> str:
        return self.rng.choice(
            ["Sandworm", "Triton", "Industroyer", "BlackEnergy", "Havex", "Stuxnet", "Pipedream", "Frosty Goop"]
        ) + f" {self.rng.randint(1, 999)}"


def domain(mk: Maker, object_type: str, **props) -> dict:
    created = mk.timestamp(2015, 2019)
    obj = {
        "type": object_type,
        "spec_version": "2.1",
        "id": mk.id(object_type),
        "created": created,
        "modified": created if mk.rng.random() < 0.5 else mk.timestamp(2020, 2024),
    }
    obj.update(props)
    return obj


def observable(mk: Maker, object_type: str, deterministic=None, **props) -> dict:
    obj = {"type": object_type, "spec_version": "2.1"}
    if deterministic:
        obj["id"] = mk.sco_id(object_type, {k: props[k] for k in deterministic if k in props})
    else:
        obj["id"] = mk.id(object_type)
    obj.update(props)
    return obj


def bases(mk: Maker) -> list:
    """(name, object) pairs: one valid object per type, some types twice."""
    identity = domain(mk, "identity", name="ACME Energy", identity_class="organization", sectors=["energy"])
    ident = identity["id"]
    indicator = domain(
        mk, "indicator", name="C2 address", indicator_types=["malicious-activity"],
        pattern="[ipv4-addr:value = '198.51.100.7']", pattern_type="stix",
        valid_from="2020-01-01T00:00:00Z", valid_until="2021-01-01T00:00:00.5Z", created_by_ref=ident,
        object_marking_refs=["marking-definition--" + TLP_V2["amber"]],
    )
    malware = domain(mk, "malware", name=mk.word(), is_family=True, malware_types=["wiper"],
                     kill_chain_phases=[{"kill_chain_name": "mitre-ics-attack", "phase_name": "impact"}])
    observed = domain(
        mk, "observed-data", first_observed="2020-02-01T10:00:00Z", last_observed="2020-02-01T11:00:00Z",
        number_observed=3, object_refs=["ipv4-addr--" + mk.uuid4()],
    )
    out = [
        ("attack-pattern", domain(
            mk, "attack-pattern", name="Spearphishing Attachment", aliases=["phish"],
            external_references=[{"source_name": "mitre-ics-attack", "external_id": "T0865",
                                  "url": "https://attack.mitre.org/techniques/T0865"}],
            kill_chain_phases=[{"kill_chain_name": "mitre-ics-attack", "phase_name": "initial-access-ics"}],
            x_mitre_version="1.2", x_mitre_platforms=["None"])),
        ("campaign", domain(mk, "campaign", name=mk.word(), first_seen="2016-01-01T00:00:00Z",
                            last_seen="2016-02-01T00:00:00Z", objective="disruption")),
        ("course-of-action", domain(mk, "course-of-action", name="Network Segmentation", description="Segment.")),
        ("grouping", domain(mk, "grouping", context="suspicious-activity", object_refs=[indicator["id"]])),
        ("identity", identity),
        ("incident", domain(mk, "incident", name="Substation outage")),
        ("indicator", indicator),
        ("infrastructure", domain(mk, "infrastructure", name="C2 server", infrastructure_types=["command-and-control"])),
        ("intrusion-set", domain(mk, "intrusion-set", name=mk.word(), aliases=["ELECTRUM"],
                                 first_seen="2014-01-01T00:00:00Z", primary_motivation="dominance")),
        ("location", domain(mk, "location", region="northern-europe", country="GB", city="London")),
        ("location-coordinates", domain(mk, "location", latitude=51.5, longitude=-0.1276, precision=1000.0)),
        ("malware", malware),
        ("malware-analysis", domain(mk, "malware-analysis", product="sandbox", result="malicious",
                                    sample_ref="file--" + mk.uuid4())),
        ("note", domain(mk, "note", content="Seen at two sites.", authors=["analyst"], object_refs=[malware["id"]])),
        ("observed-data", observed),
        ("opinion", domain(mk, "opinion", opinion="agree", object_refs=[indicator["id"]])),
        ("report", domain(mk, "report", name="Grid report", published="2020-03-01T00:00:00Z",
                          report_types=["threat-report"], object_refs=[indicator["id"], malware["id"]])),
        ("threat-actor", domain(mk, "threat-actor", name=mk.word(), threat_actor_types=["nation-state"],
                                sophistication="expert")),
        ("tool", domain(mk, "tool", name="Mimikatz", tool_types=["credential-exploitation"])),
        ("vulnerability", domain(mk, "vulnerability", name="CVE-2021-44228",
                                 external_references=[{"source_name": "cve", "external_id": "CVE-2021-44228"}])),
        ("relationship", domain(mk, "relationship", relationship_type="indicates", source_ref=indicator["id"],
                                target_ref=malware["id"], start_time="2020-01-01T00:00:00Z",
                                stop_time="2020-06-01T00:00:00Z")),
        ("sighting", domain(mk, "sighting", sighting_of_ref=indicator["id"], count=2,
                            first_seen="2020-01-01T00:00:00Z", last_seen="2020-01-02T00:00:00Z",
                            observed_data_refs=[observed["id"]], where_sighted_refs=[ident])),
        ("artifact", observable(mk, "artifact", ["hashes", "payload_bin"], mime_type="text/plain",
                                payload_bin="VGhpcyBpcyBhIHRlc3Q=")),
        ("autonomous-system", observable(mk, "autonomous-system", ["number"], number=15139, name="Slime Industries")),
        ("directory", observable(mk, "directory", ["path"], path="C:\\Windows\\System32")),
        ("domain-name", observable(mk, "domain-name", ["value"], value="grid-update.example.com")),
        ("email-addr", observable(mk, "email-addr", ["value"], value="ops@example.com", display_name="Ops")),
        ("email-message", observable(mk, "email-message", ["from_ref", "subject", "body"], is_multipart=False,
                                     subject="Invoice", body="See attached.",
                                     from_ref="email-addr--" + mk.uuid4())),
        ("file", observable(mk, "file", ["hashes", "name"], name="update.exe", size=1024,
                            hashes={"SHA-256": "fe90a7e910cb3a4739bed9180e807e93fa70c90f25a8915476f5e4bfbac681db"})),
        ("ipv4-addr", observable(mk, "ipv4-addr", ["value"], value="198.51.100.7")),
        ("ipv6-addr", observable(mk, "ipv6-addr", ["value"], value="2001:db8::1")),
        ("mac-addr", observable(mk, "mac-addr", ["value"], value="d2:fb:49:24:37:18")),
        ("mutex", observable(mk, "mutex", ["name"], name="__CLEANSWEEP__")),
        ("network-traffic", observable(mk, "network-traffic", None, src_ref="ipv4-addr--" + mk.uuid4(),
                                       dst_port=502, protocols=["ipv4", "tcp"],
                                       start="2020-01-01T00:00:00Z", end="2020-01-01T00:05:00Z")),
        ("process", observable(mk, "process", None, pid=1221, command_line="svchost.exe -k netsvcs")),
        ("software", observable(mk, "software", ["name", "cpe", "vendor"], name="Word", vendor="Microsoft",
                                cpe="cpe:2.3:a:microsoft:word:2000:*:*:*:*:*:*:*")),
        ("url", observable(mk, "url", ["value"], value="https://grid-update.example.com/payload.bin")),
        ("user-account", observable(mk, "user-account", ["account_type", "user_id", "account_login"], user_id="1001",
                                    account_type="unix", account_login="jdoe")),
        ("windows-registry-key", observable(mk, "windows-registry-key", ["key"],
                                            key="HKEY_LOCAL_MACHINE\\System\\Foo",
                                            values=[{"name": "Foo", "data": "qwerty", "data_type": "REG_SZ"}])),
        ("x509-certificate", observable(mk, "x509-certificate", ["serial_number"], serial_number="36:f7:d4:32",
                                        issuer="C=ZA, O=Thawte", is_self_signed=False)),
        ("marking-statement", {
            "type": "marking-definition", "spec_version": "2.1", "id": mk.id("marking-definition"),
            "created": mk.timestamp(), "definition_type": "statement",
            "definition": {"statement": "Copyright ACME Energy"}}),
        ("marking-tlp1", {
            "type": "marking-definition", "spec_version": "2.1", "id": "marking-definition--" + TLP_V1["green"][0],
            "created": "2017-01-20T00:00:00.000Z", "definition_type": "tlp", "name": "TLP:GREEN",
            "definition": {"tlp": "green"}}),
        ("marking-tlp2", {
            "type": "marking-definition", "spec_version": "2.1", "id": "marking-definition--" + TLP_V2["amber+strict"],
            "created": "2022-10-01T00:00:00.000Z", "name": "TLP:AMBER+STRICT",
            "extensions": {TLP_V2_EXTENSION: {"extension_type": "property-extension", "tlp_2_0": "amber+strict"}}}),
        ("language-content", domain(mk, "language-content", object_ref=malware["id"],
                                    object_modified=malware["modified"],
                                    contents={"de": {"name": "Wischer"}, "fr": {"name": "Effaceur"}})),
        ("extension-definition", domain(mk, "extension-definition", created_by_ref=ident, name="acme-rank",
                                        schema="https://acme.example/rank.json", version="1.0",
                                        extension_types=["property-extension"])),
        ("x-mitre-tactic", domain(mk, "x-mitre-tactic", name="Inhibit Response Function",
                                  x_mitre_shortname="inhibit-response-function",
                                  external_references=[{"source_name": "mitre-attack", "external_id": "TA0107",
                                                        "url": "https://attack.mitre.org/tactics/TA0107"}])),
        ("x-custom-sco", {"type": "x-acme-sensor", "id": mk.id("x-acme-sensor"), "x_acme_serial": "S-1"}),
    ]
    return out
