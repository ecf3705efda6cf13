"""ATT&CK for ICS 17.1 then 18.1 in one collection: versions and match[version].

Expectations come from the two files. STIX identity is (id, modified): an object whose
`modified` changed between releases has two versions; one whose `modified` did not change
is one version, and the copy posted first is the one kept (immutable versions). An object
without `modified` (the marking definition) is versioned by `created`, as TAXII says.
"""

import pytest

from conftest import load_bundle


@pytest.fixture(scope="module")
def releases():
    old = {o["id"]: o for o in load_bundle("ics-attack-17.1.json")}
    new = {o["id"]: o for o in load_bundle("ics-attack-18.1.json")}
    return old, new


@pytest.fixture(scope="module")
def loaded(peer, releases):
    old, new = releases
    cid = peer.new_collection("ICS releases")
    for release in (old, new):
        status = peer.add(cid, list(release.values()))
        assert status["status"] == "complete", status
    return cid


def version(o):
    return o.get("modified", o["created"])


def key(o):
    return (o["id"], version(o))


def stored_versions(old, new):
    """(id, modified) -> the stored object, the first-posted copy winning."""
    out = {}
    for release in (old, new):
        for o in release.values():
            out.setdefault(key(o), o)
    return out


def changed_ids(old, new):
    return sorted(i for i in old if i in new and version(old[i]) != version(new[i]))


def pick(stored, chooser):
    """Per id, the stored version whose `modified` the chooser (min or max) selects."""
    by_id = {}
    for (oid, modified), o in stored.items():
        by_id.setdefault(oid, []).append(modified)
    return {oid: stored[(oid, chooser(mods))] for oid, mods in by_id.items()}


def test_the_releases_really_differ(releases):
    old, new = releases
    # The checks below mean something only if the files hold changed objects.
    assert len(changed_ids(old, new)) >= 50


def test_versions_endpoint_lists_both_releases(peer, releases, loaded):
    old, new = releases
    collection = peer.collection(loaded)
    for oid in changed_ids(old, new):
        versions = collection.object_versions(oid)["versions"]
        assert sorted(versions) == sorted([old[oid]["modified"], new[oid]["modified"]]), oid


def test_versions_endpoint_for_unchanged_and_single_release_objects(peer, releases, loaded):
    old, new = releases
    collection = peer.collection(loaded)
    unchanged = next(i for i in old if i in new and version(old[i]) == version(new[i]))
    only_old = next(i for i in old if i not in new)
    only_new = next(i for i in new if i not in old)
    assert collection.object_versions(unchanged)["versions"] == [version(old[unchanged])]
    assert collection.object_versions(only_old)["versions"] == [version(old[only_old])]
    assert collection.object_versions(only_new)["versions"] == [version(new[only_new])]
    marking = next(o for o in new.values() if "modified" not in o)
    assert collection.object_versions(marking["id"])["versions"] == [marking["created"]]


@pytest.mark.parametrize("match", ["first", "last", "all"])
def test_match_version_on_changed_objects(peer, releases, loaded, match):
    old, new = releases
    ids = changed_ids(old, new)
    got = peer.read_all(loaded, id=ids, version=match)
    expected = {"first": [old[i] for i in ids], "last": [new[i] for i in ids]}.get(match)
    if expected is None:
        expected = [old[i] for i in ids] + [new[i] for i in ids]
    assert sorted(got, key=key) == sorted(expected, key=key)


def test_match_version_by_timestamp(peer, releases, loaded):
    old, new = releases
    stored = stored_versions(old, new)
    oid = changed_ids(old, new)[0]
    for ts in (old[oid]["modified"], new[oid]["modified"]):
        got = peer.read_all(loaded, version=ts)
        expected = [o for (_, modified), o in stored.items() if modified == ts]
        assert sorted(o["id"] for o in got) == sorted(o["id"] for o in expected), ts
        assert all(version(o) == ts for o in got)
    both = peer.collection(loaded).get_object(oid, version=[old[oid]["modified"], new[oid]["modified"]])
    assert sorted(o["modified"] for o in both["objects"]) == sorted([old[oid]["modified"], new[oid]["modified"]])


@pytest.mark.parametrize("match", ["first", "last", "all"])
def test_match_version_on_the_whole_collection(peer, releases, loaded, match):
    old, new = releases
    stored = stored_versions(old, new)
    got = peer.read_all(loaded, version=match)
    if match == "all":
        expected = stored
    else:
        chosen = pick(stored, min if match == "first" else max)
        expected = {key(o): o for o in chosen.values()}
    got_by_key = {key(o): o for o in got}
    assert len(got) == len(got_by_key), "a version was returned twice"
    assert sorted(got_by_key) == sorted(expected)
    assert [k for k in expected if got_by_key[k] != expected[k]] == []


def test_latest_is_the_default(peer, releases, loaded):
    old, new = releases
    latest = pick(stored_versions(old, new), max)
    got = peer.read_all(loaded)
    assert sorted(key(o) for o in got) == sorted(key(o) for o in latest.values())
