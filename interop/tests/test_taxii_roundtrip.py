"""A real bundle (MITRE ATT&CK for ICS 18.1) goes in and every object comes back unchanged."""

import pytest

from conftest import load_bundle


@pytest.fixture(scope="module")
def ics(peer):
    objects = load_bundle("ics-attack-18.1.json")
    cid = peer.new_collection("ATT&CK for ICS")
    status = peer.add(cid, objects)
    return cid, objects, status


def test_the_whole_bundle_is_accepted(ics):
    _, objects, status = ics
    assert status["status"] == "complete"
    assert status["total_count"] == len(objects)
    assert status["success_count"] == len(objects), status.get("failures", [])[:5]
    assert status["failure_count"] == 0


def test_every_object_reads_back_equal(peer, ics):
    cid, objects, _ = ics
    got = peer.read_all(cid)
    by_id = {o["id"]: o for o in got}
    assert len(got) == len(by_id) == len(objects)
    differing = [o["id"] for o in objects if by_id.get(o["id"]) != o]
    assert differing == []


def test_each_object_reads_back_alone(peer, ics):
    cid, objects, _ = ics
    collection = peer.collection(cid)
    # One of each type keeps this quick while covering the custom x-mitre-* types too.
    sample = {}
    for o in objects:
        sample.setdefault(o["type"], o)
    for o in sample.values():
        assert collection.get_object(o["id"])["objects"] == [o]
