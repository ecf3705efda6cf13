"""Error statuses and their bodies: each is a TAXII error message in the TAXII media type."""

import json
import uuid

import pytest

from conftest import TAXII, indicator

UNKNOWN = str(uuid.UUID(int=0x5EED))


def assert_taxii_error(r, status):
    """The response has the status, the TAXII media type and an error-message body."""
    assert r.status_code == status, (r.status_code, r.text[:300])
    assert r.headers.get("Content-Type", "").replace(" ", "") == TAXII
    body = r.json()
    assert isinstance(body, dict)
    assert isinstance(body.get("title"), str) and body["title"]
    if "http_status" in body:
        assert body["http_status"] == str(status)
    for text in ("description", "error_id", "error_code", "external_details"):
        if text in body:
            assert isinstance(body[text], str)
    if "details" in body:
        assert isinstance(body["details"], dict)
    return body


def post(peer, url, body, auth="admin", content_type=TAXII, **kwargs):
    data = json.dumps(body) if isinstance(body, (dict, list)) else body
    return peer.http("POST", url, auth=auth, headers={"Content-Type": content_type}, data=data, **kwargs)


def objects_url(peer, cid):
    return peer.collection_url(cid) + "objects/"


NO_CREDENTIALS = pytest.param(None, id="no-credentials")
WRONG_PASSWORD = pytest.param(("admin", "wrong password"), id="wrong-password")
UNKNOWN_USER = pytest.param(("nobody", "whatever"), id="unknown-user")


@pytest.mark.parametrize("auth", [NO_CREDENTIALS, WRONG_PASSWORD, UNKNOWN_USER])
def test_401_on_discovery(peer, auth):
    r = peer.http("GET", peer.discovery_url, auth=auth)
    assert_taxii_error(r, 401)
    assert r.headers.get("WWW-Authenticate", "").lower().startswith("basic")


@pytest.mark.parametrize("auth", [NO_CREDENTIALS, WRONG_PASSWORD])
def test_401_on_objects(peer, default_id, auth):
    assert_taxii_error(peer.http("GET", objects_url(peer, default_id), auth=auth), 401)
    assert_taxii_error(post(peer, objects_url(peer, default_id), {"objects": []}, auth=auth), 401)


def test_403_for_a_user_who_may_only_read(peer):
    auth, cid = peer.restricted(read=True, write=False)
    r = peer.http("GET", objects_url(peer, cid), auth=auth)
    assert r.status_code == 200
    assert_taxii_error(post(peer, objects_url(peer, cid), {"objects": [indicator(0, seed="403")]}, auth=auth), 403)


def test_403_for_a_user_who_may_only_write(peer):
    auth, cid = peer.restricted(read=False, write=True)
    r = post(peer, objects_url(peer, cid), {"objects": [indicator(1, seed="403")]}, auth=auth)
    assert r.status_code == 202, r.text[:300]
    url = peer.collection_url(cid)
    assert_taxii_error(peer.http("GET", url + "objects/", auth=auth), 403)
    assert_taxii_error(peer.http("GET", url + "manifest/", auth=auth), 403)
    obj = indicator(1, seed="403")["id"]
    assert_taxii_error(peer.http("GET", f"{url}objects/{obj}/", auth=auth), 403)
    assert_taxii_error(peer.http("GET", f"{url}objects/{obj}/versions/", auth=auth), 403)


def test_collection_flags_tell_restricted_users_their_rights(peer):
    for read, write in ((True, False), (False, True)):
        auth, cid = peer.restricted(read=read, write=write)
        r = peer.http("GET", peer.collection_url(cid), auth=auth)
        assert r.status_code == 200, r.text[:300]
        assert (r.json()["can_read"], r.json()["can_write"]) == (read, write)


@pytest.mark.parametrize(
    "path",
    [
        pytest.param("collections/{unknown}/", id="collection"),
        pytest.param("collections/{unknown}/objects/", id="collection-objects"),
        pytest.param("collections/{unknown}/manifest/", id="collection-manifest"),
        pytest.param("collections/{default}/objects/indicator--{unknown}/", id="object"),
        pytest.param("collections/{default}/objects/indicator--{unknown}/versions/", id="object-versions"),
        pytest.param("status/{unknown}/", id="status"),
    ],
)
def test_404(peer, default_id, path):
    url = peer.api_root_url + path.format(unknown=UNKNOWN, default=default_id)
    assert_taxii_error(peer.http("GET", url), 404)


def test_404_for_an_unknown_api_root(peer):
    assert_taxii_error(peer.http("GET", f"{peer.base}/no-such-root/"), 404)


def test_404_when_deleting_an_unknown_object(peer, default_id):
    url = f"{objects_url(peer, default_id)}indicator--{UNKNOWN}/"
    assert_taxii_error(peer.http("DELETE", url), 404)


@pytest.mark.parametrize("accept", ["application/json", "application/taxii+json;version=2.0", "text/html"])
def test_406_for_an_unacceptable_accept(peer, default_id, accept):
    for url in (peer.discovery_url, peer.api_root_url, objects_url(peer, default_id)):
        assert_taxii_error(peer.http("GET", url, headers={"Accept": accept}), 406)


@pytest.mark.parametrize(
    "accept",
    ["application/taxii+json", "application/taxii+json; version=2.1", f"application/json, {TAXII}"],
)
def test_acceptable_spellings_of_the_taxii_media_type(peer, default_id, accept):
    # No version means the latest, a space after ';' is allowed, and one acceptable type suffices.
    for url in (peer.discovery_url, objects_url(peer, default_id)):
        r = peer.http("GET", url, headers={"Accept": accept})
        assert r.status_code == 200, (url, accept, r.status_code, r.text[:200])
        assert r.headers["Content-Type"].replace(" ", "").startswith("application/taxii+json")


def test_content_type_without_a_version(peer, default_id):
    obj = indicator(0, seed="unversioned-content-type")
    r = post(peer, objects_url(peer, default_id), {"objects": [obj]}, content_type="application/taxii+json")
    assert r.status_code == 202, r.text[:300]
    assert peer.collection(default_id).get_object(obj["id"])["objects"] == [obj]


@pytest.mark.parametrize("content_type", ["application/json", "application/stix+json;version=2.1", "text/plain"])
def test_415_for_a_wrong_content_type(peer, default_id, content_type):
    r = post(peer, objects_url(peer, default_id), {"objects": [indicator(0, seed="415")]}, content_type=content_type)
    assert_taxii_error(r, 415)
    assert peer.collection(default_id).get_objects(id=indicator(0, seed="415")["id"]).get("objects", []) == []


def padded_envelope(size):
    """A valid empty envelope padded with trailing whitespace to exactly `size` bytes."""
    head = b'{"objects": []}'
    return head + b" " * (size - len(head))


def test_413_over_max_content_length(peer, default_id):
    limit = peer.api_root().max_content_length
    r = post(peer, objects_url(peer, default_id), padded_envelope(limit + 1))
    assert_taxii_error(r, 413)


def test_413_over_max_content_length_when_chunked(peer, default_id):
    limit = peer.api_root().max_content_length
    body = padded_envelope(limit + 1)
    step = 1024 * 1024
    # A generator makes requests send the body chunked, with no Content-Length to check.
    chunks = (body[i : i + step] for i in range(0, len(body), step))
    assert_taxii_error(post(peer, objects_url(peer, default_id), chunks), 413)


def test_a_body_at_max_content_length_is_accepted(peer, default_id):
    limit = peer.api_root().max_content_length
    objects = [indicator(0, seed="at-limit")]
    head = json.dumps({"objects": objects}).encode()
    r = post(peer, objects_url(peer, default_id), head + b" " * (limit - len(head)))
    assert r.status_code == 202, r.text[:300]


@pytest.mark.parametrize(
    "query",
    [
        pytest.param({"added_after": "yesterday"}, id="added_after-words"),
        pytest.param({"added_after": "2024-13-45T99:00:00Z"}, id="added_after-out-of-range"),
        pytest.param({"limit": "0"}, id="limit-zero"),
        pytest.param({"limit": "-5"}, id="limit-negative"),
        pytest.param({"limit": "many"}, id="limit-words"),
        pytest.param({"match[version]": "sometime"}, id="version-words"),
        pytest.param({"next": "not-a-page-token"}, id="next-unknown"),
    ],
)
def test_400_for_bad_filter_values(peer, default_id, query):
    assert_taxii_error(peer.http("GET", objects_url(peer, default_id), params=query), 400)


def test_400_for_a_body_that_is_not_json(peer, default_id):
    assert_taxii_error(post(peer, objects_url(peer, default_id), b'{"objects": [ {"type": '), 400)
