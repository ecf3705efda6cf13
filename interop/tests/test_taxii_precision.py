"""What a server must not change or reorder: timestamp text and precision, and JSON values.

`created` and `modified` carry at least millisecond precision and may carry more, and a
version is named by its exact text. Versions are ordered by time, not by text:
`12:00:00.100Z` is earlier than `12:00:00.1000001Z` although it sorts after it as a string.
"""

import json
from decimal import Decimal

import pytest
from stix2validator import ValidationOptions, validate_instance

from conftest import indicator

CREATED = "2024-05-01T12:00:00.000Z"
# Listed in time order; as strings the first two sort the other way round ('0' < 'Z').
VERSIONS = [
    "2024-05-01T12:00:00.100Z",
    "2024-05-01T12:00:00.1000001Z",
    "2024-05-01T12:00:00.123456789Z",
    "2024-05-01T12:00:01.000Z",
]


@pytest.fixture(scope="module")
def precise(peer):
    cid = peer.new_collection("Precision")
    versions = [indicator(0, seed="precise", created=CREATED, modified=m) for m in VERSIONS]
    status = peer.add(cid, versions)
    assert status["success_count"] == len(versions), status
    return cid, versions


def test_the_versions_are_valid_and_not_in_text_order():
    # The tests below mean something only if text order and time order differ.
    assert sorted(VERSIONS) != VERSIONS
    options = ValidationOptions(version="2.1")
    for m in VERSIONS:
        assert validate_instance(indicator(0, seed="precise", created=CREATED, modified=m), options).is_valid


def test_versions_keep_their_text(peer, precise):
    cid, versions = precise
    got = peer.collection(cid).object_versions(versions[0]["id"])["versions"]
    assert sorted(got) == sorted(VERSIONS)


@pytest.mark.parametrize("match, expected", [("first", VERSIONS[0]), ("last", VERSIONS[-1])])
def test_first_and_last_follow_time_not_text(peer, precise, match, expected):
    cid, versions = precise
    got = peer.collection(cid).get_object(versions[0]["id"], version=match)["objects"]
    assert [o["modified"] for o in got] == [expected]


def test_the_default_is_the_latest_in_time(peer, precise):
    cid, versions = precise
    assert peer.collection(cid).get_objects()["objects"] == [versions[-1]]


@pytest.mark.parametrize("version", VERSIONS)
def test_each_version_by_its_exact_text(peer, precise, version):
    cid, versions = precise
    got = peer.collection(cid).get_object(versions[0]["id"], version=version)["objects"]
    assert got == [v for v in versions if v["modified"] == version]


def strict(a, b):
    """Equal as JSON values, and of the same JSON kinds all the way down (1 is not 1.0)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(strict(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(strict(x, y) for x, y in zip(a, b))
    return a == b


def test_json_values_of_every_kind_come_back_exactly(peer):
    cid = peer.new_collection("JSON kinds")
    text = json.dumps(
        {
            "objects": [
                indicator(
                    0,
                    seed="json",
                    x_interop_integers=[0, -1, 9007199254740993, -9223372036854775808],
                    x_interop_numbers=[Decimal("1.5"), Decimal("0.1"), Decimal("1E-7"), Decimal("2.0")],
                    x_interop_text="naïve café ✓ 漢字 😀 \u2028 \"quoted\" \\ / \t end",
                    x_interop_nested={"a": {"b": [True, False, {"c": "d"}]}},
                )
            ]
        },
        default=lambda d: float(d),
    )
    # json.dumps writes Decimal through float; write them by hand to keep 2.0 and 1E-7 as typed.
    text = text.replace("[1.5, 0.1, 1e-07, 2.0]", "[1.5, 0.1, 1E-7, 2.0]")
    posted = json.loads(text, parse_float=Decimal)
    r = peer.http(
        "POST",
        peer.collection_url(cid) + "objects/",
        headers={"Content-Type": "application/taxii+json;version=2.1"},
        data=text.encode("utf-8"),
    )
    assert r.status_code == 202, r.text[:300]
    back = peer.http("GET", peer.collection_url(cid) + "objects/")
    got = json.loads(back.content.decode("utf-8"), parse_float=Decimal)["objects"]
    assert len(got) == 1
    assert strict(got[0], posted["objects"][0]), got[0]
