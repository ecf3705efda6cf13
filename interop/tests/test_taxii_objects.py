"""Add, get, filter, version, list and delete objects with taxii2-client's Collection."""

import time

import pytest
from requests import HTTPError

from conftest import indicator

V1 = "2024-01-01T00:00:00.000Z"
V2 = "2024-02-01T00:00:00.000Z"
V3 = "2024-03-01T00:00:00.000Z"


def malware(n):
    return {
        "type": "malware",
        "spec_version": "2.1",
        "id": indicator(n, seed="malware")["id"].replace("indicator--", "malware--"),
        "created": "2024-01-01T00:00:00.000Z",
        "modified": "2024-01-01T00:00:00.000Z",
        "name": f"malware {n}",
        "is_family": False,
    }


def identity():
    return {
        "type": "identity",
        "spec_version": "2.1",
        "id": "identity--0b7f5c1b-6d49-4f6c-9d3a-6f1e6a0f2c11",
        "created": "2024-01-01T00:00:00.000Z",
        "modified": "2024-01-01T00:00:00.000Z",
        "name": "Interop Test Org",
        "identity_class": "organization",
    }


def ids(objects):
    return sorted(o["id"] for o in objects)


@pytest.fixture(scope="module")
def mixed(peer):
    """A collection holding 6 indicators, 3 malware and 1 identity."""
    objects = [indicator(n, seed="mixed") for n in range(6)] + [malware(n) for n in range(3)] + [identity()]
    cid = peer.new_collection("Mixed")
    status = peer.add(cid, objects)
    assert status["status"] == "complete", status
    return cid, objects


@pytest.fixture(scope="module")
def versioned(peer):
    """A collection holding three versions of one indicator and one version of another."""
    versions = [indicator(0, seed="versioned", modified=m) for m in (V1, V2, V3)]
    other = indicator(1, seed="versioned")
    cid = peer.new_collection("Versioned")
    status = peer.add(cid, versions + [other])
    assert status["status"] == "complete", status
    return cid, versions, other


def test_add_objects_reports_complete_with_counts(peer):
    cid = peer.new_collection("Counts")
    objects = [indicator(n, seed="counts") for n in range(10)]
    status = peer.add(cid, objects)
    assert status["status"] == "complete"
    assert status["total_count"] == 10
    assert status["success_count"] == 10
    assert status["failure_count"] == 0
    assert status["pending_count"] == 0
    successes = status.get("successes", [])
    assert sorted(s["id"] for s in successes) == ids(objects)
    assert all(s["version"] == V1 for s in successes)


def test_status_resource_is_readable(peer):
    cid = peer.new_collection("Status")
    posted = peer.add(cid, [indicator(0, seed="status")])
    status = peer.api_root().get_status(posted["id"])
    assert status.id == posted["id"]
    assert status.status == "complete"
    assert status.total_count == 1
    assert status.success_count == 1


def test_get_objects_returns_every_object_as_posted(peer, mixed):
    cid, objects = mixed
    got = peer.collection(cid).get_objects()["objects"]
    assert sorted(got, key=lambda o: o["id"]) == sorted(objects, key=lambda o: o["id"])


def test_get_one_object(peer, mixed):
    cid, objects = mixed
    target = objects[3]
    envelope = peer.collection(cid).get_object(target["id"])
    assert envelope["objects"] == [target]


def test_filter_by_type(peer, mixed):
    cid, objects = mixed
    collection = peer.collection(cid)
    got = collection.get_objects(type="malware")["objects"]
    assert ids(got) == ids(o for o in objects if o["type"] == "malware")
    both = collection.get_objects(type=["malware", "identity"])["objects"]
    assert ids(both) == ids(o for o in objects if o["type"] in ("malware", "identity"))


def test_filter_by_id(peer, mixed):
    cid, objects = mixed
    collection = peer.collection(cid)
    one = collection.get_objects(id=objects[0]["id"])["objects"]
    assert one == [objects[0]]
    wanted = [objects[1]["id"], objects[7]["id"], objects[9]["id"]]
    several = collection.get_objects(id=wanted)["objects"]
    assert ids(several) == sorted(wanted)


def test_filter_by_type_and_id_together(peer, mixed):
    cid, objects = mixed
    wanted = [objects[0]["id"], objects[6]["id"]]
    got = peer.collection(cid).get_objects(type="indicator", id=wanted)["objects"]
    assert got == [objects[0]]


def test_filter_by_spec_version(peer, mixed):
    cid, objects = mixed
    got = peer.collection(cid).get_objects(spec_version="2.1")["objects"]
    assert ids(got) == ids(objects)


def test_added_after_returns_only_later_additions(peer):
    cid = peer.new_collection("Added after")
    first = [indicator(n, seed="early") for n in range(4)]
    later = [indicator(n, seed="late") for n in range(3)]
    peer.add(cid, first)
    manifest = peer.collection(cid).get_manifest()["objects"]
    cursor = max(m["date_added"] for m in manifest)
    time.sleep(0.05)
    peer.add(cid, later)
    collection = peer.collection(cid)
    assert ids(collection.get_objects(added_after=cursor)["objects"]) == ids(later)
    assert ids(collection.get_manifest(added_after=cursor)["objects"]) == ids(later)
    assert ids(collection.get_objects(added_after="2000-01-01T00:00:00Z")["objects"]) == ids(first + later)


def test_latest_version_is_the_default(peer, versioned):
    cid, versions, other = versioned
    got = peer.collection(cid).get_objects()["objects"]
    assert sorted(got, key=lambda o: o["id"]) == sorted([versions[-1], other], key=lambda o: o["id"])


@pytest.mark.parametrize(
    "match, expected",
    [
        ("last", [V3]),
        ("first", [V1]),
        ("all", [V1, V2, V3]),
        (V2, [V2]),
        (f"{V1},{V3}", [V1, V3]),
        ("first,last", [V1, V3]),
    ],
)
def test_match_version_on_one_object(peer, versioned, match, expected):
    cid, versions, _ = versioned
    got = peer.collection(cid).get_object(versions[0]["id"], version=match)["objects"]
    assert sorted(o["modified"] for o in got) == expected
    by_modified = {v["modified"]: v for v in versions}
    assert all(o == by_modified[o["modified"]] for o in got)


def test_match_version_on_the_collection(peer, versioned):
    cid, versions, other = versioned
    collection = peer.collection(cid)
    every = collection.get_objects(version="all")["objects"]
    assert len(every) == 4
    first = collection.get_objects(version="first")["objects"]
    assert sorted(o["modified"] for o in first) == [V1, V1]


def test_versions_endpoint(peer, versioned):
    cid, versions, other = versioned
    collection = peer.collection(cid)
    resource = collection.object_versions(versions[0]["id"])
    assert sorted(resource["versions"]) == [V1, V2, V3]
    assert resource.get("more", False) is False
    assert collection.object_versions(other["id"])["versions"] == [V1]


def test_manifest(peer, versioned):
    cid, versions, other = versioned
    collection = peer.collection(cid)
    records = collection.get_manifest(version="all")["objects"]
    assert sorted((r["id"], r["version"]) for r in records) == sorted(
        (o["id"], o["modified"]) for o in versions + [other]
    )
    for r in records:
        assert r["media_type"] == "application/stix+json;version=2.1"
        assert r["date_added"].endswith("Z")
    latest = collection.get_manifest()["objects"]
    assert sorted((r["id"], r["version"]) for r in latest) == sorted(
        [(versions[0]["id"], V3), (other["id"], V1)]
    )


def test_delete_object(peer):
    cid = peer.new_collection("Delete")
    objects = [indicator(n, seed="delete") for n in range(3)]
    peer.add(cid, objects)
    collection = peer.collection(cid)
    collection.delete_object(objects[1]["id"])
    with pytest.raises(HTTPError) as err:
        collection.get_object(objects[1]["id"])
    assert err.value.response.status_code == 404
    assert ids(collection.get_objects()["objects"]) == ids([objects[0], objects[2]])
    assert ids(collection.get_manifest()["objects"]) == ids([objects[0], objects[2]])


def test_delete_one_version(peer):
    cid = peer.new_collection("Delete version")
    versions = [indicator(0, seed="delete-version", modified=m) for m in (V1, V2, V3)]
    peer.add(cid, versions)
    collection = peer.collection(cid)
    collection.delete_object(versions[0]["id"], version=V2)
    assert sorted(collection.object_versions(versions[0]["id"])["versions"]) == [V1, V3]
    got = collection.get_object(versions[0]["id"], version="all")["objects"]
    assert sorted(o["modified"] for o in got) == [V1, V3]
