"""The stix2 library's TAXII data store, unchanged: TAXIICollectionSink, TAXIICollectionSource,
Filter and CompositeDataSource over live collections."""

import json

import pytest
import stix2
from stix2 import CompositeDataSource, Filter, TAXIICollectionSink, TAXIICollectionSource

from conftest import load_bundle


def as_dict(obj):
    return json.loads(obj.serialize())


def parsed(obj):
    """A file object as stix2 sees it (stix2 leaves out properties set to their defaults)."""
    return as_dict(stix2.parse(obj, allow_custom=True))


@pytest.fixture(scope="module")
def ics(peer):
    """A collection holding ATT&CK for ICS 18.1, posted as the file has it."""
    objects = load_bundle("ics-attack-18.1.json")
    cid = peer.new_collection("ICS for stix2")
    status = peer.add(cid, objects)
    assert status["status"] == "complete", status
    return TAXIICollectionSource(peer.collection(cid), allow_custom=True), objects


@pytest.fixture(scope="module")
def local(peer):
    """A collection written through TAXIICollectionSink: an indicator in two versions,
    a malware and the relationship between them."""
    cid = peer.new_collection("Written by stix2")
    collection = peer.collection(cid)
    v1 = stix2.Indicator(
        id="indicator--a740531e-63ff-4e49-a9e1-a0a3eed0e3e7",
        created="2024-05-01T10:00:00.000Z",
        modified="2024-05-01T10:00:00.000Z",
        name="C2 address",
        pattern="[ipv4-addr:value = '198.51.100.7']",
        pattern_type="stix",
        valid_from="2024-05-01T10:00:00Z",
    )
    v2 = v1.new_version(modified="2024-06-01T10:00:00.000Z", name="C2 address (confirmed)")
    mal = stix2.Malware(
        id="malware--31b940d4-6f7f-459a-80ea-9c1f17b5891b",
        created="2024-05-01T10:00:00.000Z",
        modified="2024-05-01T10:00:00.000Z",
        name="Interop RAT",
        is_family=True,
    )
    rel = stix2.Relationship(
        id="relationship--4a63a4d6-4e7c-4a54-8c35-2a4d4e3a1f0b",
        created="2024-05-01T10:00:00.000Z",
        modified="2024-05-01T10:00:00.000Z",
        source_ref=v1.id,
        target_ref=mal.id,
        relationship_type="indicates",
    )
    sink = TAXIICollectionSink(collection)
    sink.add([v1, mal, rel])
    sink.add(v2)
    return TAXIICollectionSource(collection), {"v1": v1, "v2": v2, "malware": mal, "relationship": rel}


def test_get_returns_the_latest_version(local):
    source, objs = local
    got = source.get(objs["v1"].id)
    assert as_dict(got) == as_dict(objs["v2"])


def test_get_of_an_unknown_id_is_none(local):
    source, _ = local
    assert source.get("indicator--00000000-0000-4000-8000-000000000000") is None


def test_all_versions(local):
    source, objs = local
    got = sorted((as_dict(o) for o in source.all_versions(objs["v1"].id)), key=lambda o: o["modified"])
    assert got == [as_dict(objs["v1"]), as_dict(objs["v2"])]


def test_query_by_type_sent_to_the_server(local):
    source, objs = local
    got = source.query([Filter("type", "=", "malware")])
    assert [as_dict(o) for o in got] == [as_dict(objs["malware"])]


def test_query_with_a_local_filter(local):
    source, objs = local
    got = source.query([Filter("type", "=", "indicator"), Filter("name", "contains", "confirmed")])
    assert [as_dict(o) for o in got] == [as_dict(objs["v2"])]


def test_relationships_and_related_to(local):
    source, objs = local
    rels = source.relationships(objs["malware"], target_only=True)
    assert [r.id for r in rels] == [objs["relationship"].id]
    related = source.related_to(objs["malware"])
    assert [as_dict(o) for o in related] == [as_dict(objs["v2"])]


def test_query_a_real_bundle_by_type(ics):
    source, objects = ics
    got = source.query([Filter("type", "=", "attack-pattern")])
    expected = {o["id"]: o for o in objects if o["type"] == "attack-pattern"}
    assert len(got) == len(expected)
    assert [o.id for o in got if as_dict(o) != parsed(expected[o.id])] == []


def test_query_custom_types_and_nested_properties(ics):
    source, objects = ics
    assets = source.query([Filter("type", "=", "x-mitre-asset")])
    assert sorted(o["id"] for o in assets) == sorted(o["id"] for o in objects if o["type"] == "x-mitre-asset")
    technique = next(
        o for o in objects if o["type"] == "attack-pattern" and not o.get("revoked") and o.get("external_references")
    )
    external_id = technique["external_references"][0]["external_id"]
    got = source.query(
        [Filter("type", "=", "attack-pattern"), Filter("external_references.external_id", "=", external_id)]
    )
    assert [o.id for o in got] == [technique["id"]]


def test_query_by_property_values(ics):
    source, objects = ics
    revoked = source.query([Filter("revoked", "=", True)])
    assert sorted(o.id for o in revoked) == sorted(o["id"] for o in objects if o.get("revoked") is True)
    since = "2025-10-01T00:00:00.000Z"
    recent = source.query([Filter("type", "=", "attack-pattern"), Filter("modified", ">", since)])
    expected = [o["id"] for o in objects if o["type"] == "attack-pattern" and o["modified"] > since]
    assert expected
    assert sorted(o.id for o in recent) == sorted(expected)


def test_relationships_of_a_real_group(ics):
    source, objects = ics
    group = next(o for o in objects if o["type"] == "intrusion-set")
    got = source.relationships(group["id"])
    expected = [
        o["id"]
        for o in objects
        if o["type"] == "relationship" and group["id"] in (o["source_ref"], o["target_ref"])
    ]
    assert expected
    assert sorted(r.id for r in got) == sorted(expected)


def test_composite_source_spans_collections(ics, local):
    ics_source, objects = ics
    local_source, objs = local
    composite = CompositeDataSource()
    composite.add_data_sources([ics_source, local_source])
    malware = composite.query([Filter("type", "=", "malware")])
    expected = {o["id"] for o in objects if o["type"] == "malware"} | {objs["malware"].id}
    assert sorted(o.id for o in malware) == sorted(expected)
    assert as_dict(composite.get(objs["v1"].id)) == as_dict(objs["v2"])
    group = next(o for o in objects if o["type"] == "intrusion-set")
    assert as_dict(composite.get(group["id"])) == parsed(group)
    assert len(composite.all_versions(objs["v1"].id)) == 2
