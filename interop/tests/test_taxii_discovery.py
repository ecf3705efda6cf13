"""Discovery, API root information and the collections listing, read through taxii2-client."""

from conftest import TAXII


def test_discovery_lists_the_default_api_root(peer):
    server = peer.server()
    assert server.title
    urls = [root.url for root in server.api_roots]
    assert urls == [peer.api_root_url]
    assert server.default is not None
    assert server.default.url == peer.api_root_url


def test_discovery_is_served_as_taxii_2_1(peer):
    r = peer.http("GET", peer.discovery_url)
    assert r.status_code == 200
    assert r.headers["Content-Type"].replace(" ", "") == TAXII


def test_api_root_information(peer):
    root = peer.api_root()
    assert root.title
    assert TAXII in root.versions
    assert isinstance(root.max_content_length, int)
    assert root.max_content_length >= 1024 * 1024


def test_collections_listing_has_the_default_collection(peer):
    collections = peer.api_root().collections
    defaults = [c for c in collections if c.alias == "default"]
    assert len(defaults) == 1
    default = defaults[0]
    assert default.title == "Default"
    assert default.can_read is True
    assert default.can_write is True
    assert "application/stix+json;version=2.1" in default.media_types


def test_a_new_collection_is_listed_and_readable_by_id(peer):
    cid = peer.new_collection("Listed")
    ids = [c.id for c in peer.api_root().collections]
    assert cid in ids
    collection = peer.collection(cid)
    assert collection.id == cid
    assert collection.can_read is True
    assert collection.can_write is True
    # A fresh collection is empty: an envelope without objects and without `more: true`.
    envelope = collection.get_objects()
    assert envelope.get("objects", []) == []
    assert envelope.get("more", False) is False


def test_collection_resource_matches_its_listing_entry(peer, default_id):
    r = peer.http("GET", f"{peer.api_root_url}collections/")
    assert r.status_code == 200
    listed = {c["id"]: c for c in r.json()["collections"]}
    one = peer.http("GET", peer.collection_url(default_id))
    assert one.status_code == 200
    assert one.headers["Content-Type"].replace(" ", "") == TAXII
    assert one.json() == listed[default_id]
