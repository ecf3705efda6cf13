"""An envelope mixing valid and invalid objects: the valid ones are stored, each bad one is
reported in the status with a message, and nothing else changes."""

import pytest
from stix2validator import ValidationOptions, validate_instance

from conftest import indicator


def invalid_objects():
    """Objects that break a MUST of STIX 2.1, each with its own id so its failure can be found."""
    bad = []

    def add(n, **changes):
        obj = indicator(n, seed="invalid")
        for k, v in changes.items():
            if v is None:
                obj.pop(k)
            else:
                obj[k] = v
        bad.append(obj)

    add(0, created=None)  # a required property is missing
    add(1, created="2024-01-01")  # not a STIX timestamp
    add(2, modified="2023-01-01T00:00:00.000Z")  # modified earlier than created
    add(3, pattern="[ipv4-addr:value = ]")  # not a STIX pattern
    add(4, pattern_type=None)  # required for indicators
    add(5, spec_version="2.5")  # no such STIX version
    bad.append({**indicator(6, seed="invalid"), "id": "indicator--not-a-uuid"})
    wrong_prefix = indicator(7, seed="invalid")
    wrong_prefix["id"] = wrong_prefix["id"].replace("indicator--", "malware--")
    bad.append(wrong_prefix)
    return bad


def test_the_oasis_validator_agrees_which_objects_are_invalid():
    options = ValidationOptions(version="2.1")
    assert validate_instance(indicator(0, seed="valid"), options).is_valid
    assert [o["id"] for o in invalid_objects() if validate_instance(o, options).is_valid] == []


@pytest.fixture(scope="module")
def mixed_post(peer):
    valid = [indicator(n, seed="valid") for n in range(5)]
    bad = invalid_objects()
    # Interleave them so a server that stops at the first failure is caught.
    objects = []
    for i in range(max(len(valid), len(bad))):
        objects += valid[i : i + 1] + bad[i : i + 1]
    cid = peer.new_collection("Partial")
    status = peer.add(cid, objects)
    return cid, valid, bad, status


def test_status_counts_each_object(mixed_post):
    _, valid, bad, status = mixed_post
    assert status["status"] == "complete"
    assert status["total_count"] == len(valid) + len(bad)
    assert status["success_count"] == len(valid)
    assert status["failure_count"] == len(bad)
    assert status["pending_count"] == 0


def test_status_names_each_failure_with_a_message(mixed_post):
    _, _, bad, status = mixed_post
    failures = status.get("failures", [])
    assert sorted(f["id"] for f in failures) == sorted(o["id"] for o in bad)
    for f in failures:
        assert isinstance(f.get("message"), str) and f["message"].strip(), f


def test_status_lists_the_successes(mixed_post):
    _, valid, _, status = mixed_post
    assert sorted(s["id"] for s in status.get("successes", [])) == sorted(o["id"] for o in valid)


def test_only_the_valid_objects_are_stored(peer, mixed_post):
    cid, valid, _, _ = mixed_post
    got = peer.read_all(cid, version="all")
    assert sorted(got, key=lambda o: o["id"]) == sorted(valid, key=lambda o: o["id"])


def test_an_envelope_of_only_invalid_objects_stores_nothing(peer):
    cid = peer.new_collection("All invalid")
    bad = invalid_objects()[:3]
    status = peer.add(cid, bad)
    assert status["success_count"] == 0
    assert status["failure_count"] == len(bad)
    assert peer.read_all(cid) == []
