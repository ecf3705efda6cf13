"""Handling rules over HTTP, seen by three organisations through taxii2-client and stix2.

A UK energy company, a US power company and an Australian water utility share through
two communities: a UK-US energy community and a trilateral one. Each reads through the
unchanged OASIS clients; what each receives must be exactly what the TLP table allows.
"""

import pytest
import requests
from stix2 import Filter, TAXIICollectionSource
from taxii2client.v21 import Collection, Server, as_pages

from conftest import TAXII, indicator

TLP_GREEN = "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"
TLP_AMBER = "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421"
TLP_RED = "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"
TLP_CLEAR = "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487"


@pytest.fixture(scope="module")
def world(peer):
    data = str(peer.data)
    cli = lambda *args, env=None: peer.cli(*args, "--data", data, env=env)  # noqa: E731
    orgs = {
        "a": cli("org", "add", "UK Grid", "--country", "GB", "--sector", "energy"),
        "b": cli("org", "add", "US Power", "--country", "US", "--sector", "energy"),
        "c": cli("org", "add", "AU Water", "--country", "AU", "--sector", "utilities"),
    }
    energy = cli("community", "add", "UK-US energy", "--member", "UK Grid", "--member", "US Power")
    tri = cli("community", "add", "Trilateral", "--member", "UK Grid", "--member", "US Power", "--member", "AU Water")
    colls = {
        "energy": cli("collection", "add", "--title", "Energy", "--alias", "energy", "--community", energy),
        "tri": cli("collection", "add", "--title", "Trilateral", "--alias", "tri", "--community", tri, "--default-tlp", "green"),
    }
    users = {}
    for key, org in (("a", "UK Grid"), ("b", "US Power"), ("c", "AU Water")):
        name = f"analyst-{key}"
        password = f"password-of-{name}"
        cli("user", "add", name, "--org", org, "--role", "analyst", env={"CHARTER_USER_PASSWORD": password})
        users[key] = (name, password)
    cli("user", "add", "oversight", "--role", "auditor", env={"CHARTER_USER_PASSWORD": "password-of-oversight"})
    return {"orgs": orgs, "colls": colls, "users": users, "cli": cli}


def coll(peer, world, which, user):
    return Collection(peer.collection_url(world["colls"][which]), user=user[0], password=user[1])


def ids_of(envelope):
    return {o["id"] for o in envelope.get("objects", [])}


def post(peer, world, which, user, objects, recipients=None):
    headers = {"Accept": TAXII, "Content-Type": TAXII}
    if recipients:
        headers["X-Charter-Recipients"] = recipients
    r = requests.post(
        peer.collection_url(world["colls"][which]) + "objects/",
        json={"objects": objects},
        auth=user,
        headers=headers,
        timeout=30,
    )
    assert r.status_code == 202, r.text
    return r.json()


@pytest.fixture(scope="module")
def shared(peer, world):
    u = world["users"]
    x = {
        "amber": indicator(1, seed="x"),
        "green": indicator(2, seed="x", object_marking_refs=[TLP_GREEN]),
        "red_b": indicator(3, seed="x", object_marking_refs=[TLP_RED]),
        "red_none": indicator(4, seed="x", object_marking_refs=[TLP_RED]),
        "clear": indicator(5, seed="x", object_marking_refs=[TLP_CLEAR]),
    }
    s = post(peer, world, "energy", u["a"], [x["amber"], x["green"], x["clear"], x["red_none"]])
    assert s["success_count"] == 3 and s["failure_count"] == 1
    assert "recipients" in s["failures"][0]["message"]
    s = post(peer, world, "energy", u["a"], [x["red_b"]], recipients="US Power")
    assert s["success_count"] == 1, s
    y = {"green": indicator(1, seed="y"), "amber": indicator(2, seed="y", object_marking_refs=[TLP_AMBER])}
    assert post(peer, world, "tri", u["b"], [y["green"]])["success_count"] == 1
    assert post(peer, world, "tri", u["c"], [y["amber"]])["success_count"] == 1
    return x, y


def test_each_organisation_receives_exactly_its_audience(peer, world, shared):
    x, y = shared
    u = world["users"]
    energy_for_members = {x[k]["id"] for k in ("amber", "green", "red_b", "clear")}
    for who in ("a", "b"):
        got = set()
        for page in as_pages(coll(peer, world, "energy", u[who]).get_objects, per_request=2):
            got |= ids_of(page)
        assert got == energy_for_members, who
    # The Australian utility is outside the UK-US community: the collection is not even listed.
    server = Server(peer.discovery_url, user=u["c"][0], password=u["c"][1])
    titles = {c.title for c in server.api_roots[0].collections}
    assert "Energy" not in titles and "Trilateral" in titles
    r = requests.get(peer.collection_url(world["colls"]["energy"]) + "objects/", auth=u["c"], headers={"Accept": TAXII}, timeout=30)
    assert r.status_code == 404
    for who in ("a", "b", "c"):
        assert ids_of(coll(peer, world, "tri", u[who]).get_objects()) == {y["green"]["id"], y["amber"]["id"]}


def test_red_reaches_only_its_named_recipients_on_every_path(peer, world, shared):
    x, _ = shared
    u = world["users"]
    red = x["red_b"]["id"]
    for who, sees in (("a", True), ("b", True)):
        c = coll(peer, world, "energy", u[who])
        assert (red in {o["id"] for o in c.get_manifest().get("objects", [])}) == sees
        assert (red in ids_of(c.get_object(red))) == sees
        assert bool(c.object_versions(red).get("versions")) == sees
    # A fourth organisation joins the community later: it sees the AMBER object at once (the
    # audience names the community), but never the RED one, which named US Power only.
    cli = world["cli"]
    cli("org", "add", "US Gas", "--country", "US", "--sector", "energy")
    cli("community", "add-member", "UK-US energy", "US Gas")
    cli("user", "add", "reader-d", "--org", "US Gas", "--role", "reader", env={"CHARTER_USER_PASSWORD": "password-of-reader-d"})
    d = ("reader-d", "password-of-reader-d")
    c = coll(peer, world, "energy", d)
    got = ids_of(c.get_objects())
    assert red not in got and x["amber"]["id"] in got, "a new community member sees AMBER at once, never RED"
    assert red not in {o["id"] for o in c.get_manifest().get("objects", [])}
    r = requests.get(c.url + f"objects/{red}/", auth=d, headers={"Accept": TAXII}, timeout=30)
    assert r.status_code in (200, 404) and red not in r.text
    r = requests.get(c.url + f"objects/{red}/versions/", auth=d, headers={"Accept": TAXII}, timeout=30)
    assert r.status_code in (200, 404), r.text
    assert not r.json().get("versions"), r.text


def test_amber_may_not_be_reposted_into_a_wider_community(peer, world, shared):
    x, _ = shared
    s = post(peer, world, "tri", world["users"]["b"], [x["amber"]])
    assert s["failure_count"] == 1 and "widen" in s["failures"][0]["message"]


def test_stix2_data_source_applies_the_same_rules(peer, world, shared):
    x, _ = shared
    source = TAXIICollectionSource(coll(peer, world, "energy", world["users"]["b"]))
    got = {o.id for o in source.query([Filter("type", "=", "indicator")])}
    assert x["red_b"]["id"] in got and x["red_none"]["id"] not in got


def test_tokens_and_the_auditor_api(peer, world, shared):
    cli = world["cli"]
    token = cli("token", "add", "analyst-c", "--label", "siem")
    r = requests.get(peer.collection_url(world["colls"]["tri"]) + "objects/", headers={"Accept": TAXII, "Authorization": f"Bearer {token}"}, timeout=30)
    assert r.status_code == 200 and len(r.json()["objects"]) == 2
    token_id = token.split("_")[1]
    cli("token", "revoke", token_id)
    r = requests.get(peer.collection_url(world["colls"]["tri"]) + "objects/", headers={"Accept": TAXII, "Authorization": f"Bearer {token}"}, timeout=30)
    assert r.status_code == 401
    base = peer.discovery_url.split("/taxii2/")[0]
    audit = requests.get(f"{base}/api/v1/audit?limit=1000", auth=("oversight", "password-of-oversight"), timeout=30)
    assert audit.status_code == 200
    entries = audit.json()["entries"]
    assert any(e["action"] == "release" and e["actor"] == "analyst-b" for e in entries)
    assert not any("10.0.0." in str(e["detail"]) for e in entries), "the record names objects, not their content"
    verify = requests.get(f"{base}/api/v1/audit/verify", auth=("oversight", "password-of-oversight"), timeout=30)
    assert verify.status_code == 200 and verify.json()["valid"] is True
    assert requests.get(f"{base}/api/v1/audit", auth=world["users"]["a"], timeout=30).status_code == 403
