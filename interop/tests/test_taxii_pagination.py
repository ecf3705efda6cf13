"""Paging through 5,000 objects with taxii2-client's as_pages: every object exactly once."""

import collections
import math

import pytest
from taxii2client.v21 import as_pages

from conftest import indicator

MAX_PAGE = 1000


@pytest.fixture(scope="module")
def big(peer):
    cid = peer.new_collection("Five thousand")
    objects = [indicator(n, seed="page") for n in range(peer.page_test_size)]
    for start in range(0, len(objects), 1000):
        chunk = objects[start : start + 1000]
        status = peer.add(cid, chunk)
        assert status["status"] == "complete", status
        assert status["success_count"] == len(chunk)
    return cid, objects


def pages_of(func, per_request, **filters):
    return list(as_pages(func, per_request=per_request, **filters))


@pytest.mark.parametrize("per_request", [1000, 333])
def test_objects_pages_hold_every_object_exactly_once(peer, big, per_request):
    cid, objects = big
    pages = pages_of(peer.collection(cid).get_objects, per_request)
    got = [o["id"] for page in pages for o in page.get("objects", [])]
    counts = collections.Counter(got)
    assert len(got) == len(objects), f"{len(got)} objects in {len(pages)} pages"
    assert [i for i, n in counts.items() if n > 1] == []
    assert set(got) == {o["id"] for o in objects}
    assert all(len(p["objects"]) <= per_request for p in pages)
    assert pages[-1].get("more", False) is False
    assert all(p["more"] is True and p.get("next") for p in pages[:-1])


def test_manifest_pages_hold_every_record_exactly_once(peer, big):
    cid, objects = big
    pages = pages_of(peer.collection(cid).get_manifest, 1000)
    got = [r["id"] for page in pages for r in page.get("objects", [])]
    assert len(got) == len(objects)
    assert set(got) == {o["id"] for o in objects}


def test_limit_above_the_maximum_is_clamped(peer, big):
    cid, _ = big
    page = peer.collection(cid).get_objects(limit=5000)
    assert len(page["objects"]) == MAX_PAGE
    assert page["more"] is True
    assert page.get("next")


def test_as_pages_adapts_to_a_clamped_page_size(peer, big):
    cid, objects = big
    # as_pages notices the smaller page and asks for that size from then on.
    pages = pages_of(peer.collection(cid).get_objects, 5000)
    got = [o["id"] for page in pages for o in page["objects"]]
    assert len(pages) == math.ceil(len(objects) / MAX_PAGE)
    assert sorted(got) == sorted(o["id"] for o in objects)


def test_filtered_pages(peer, big):
    cid, objects = big
    wanted = [o["id"] for o in objects[:: len(objects) // 100]][:100]
    pages = pages_of(peer.collection(cid).get_objects, 30, id=wanted)
    got = [o["id"] for page in pages for o in page["objects"]]
    assert sorted(got) == sorted(wanted)
    assert len(pages) == 4


def test_pages_stay_exact_while_objects_are_added(peer):
    cid = peer.new_collection("Paging while writing")
    steady = [indicator(n, seed="steady") for n in range(peer.page_test_size // 2)]
    for start in range(0, len(steady), 1000):
        peer.add(cid, steady[start : start + 1000])
    arriving = [indicator(n, seed="arriving") for n in range(300)]
    collection = peer.collection(cid)
    per_page = len(steady) // 4
    page = collection.get_objects(limit=per_page)
    seen = [o["id"] for o in page["objects"]]
    # Objects that arrive mid-read may or may not be seen, but nothing may be lost or repeated.
    peer.add(cid, arriving)
    while page.get("more"):
        page = collection.get_objects(limit=per_page, next=page["next"])
        seen += [o["id"] for o in page.get("objects", [])]
    repeated = [i for i, n in collections.Counter(seen).items() if n > 1]
    assert repeated == []
    assert {o["id"] for o in steady} <= set(seen)
    assert set(seen) <= {o["id"] for o in steady + arriving}
