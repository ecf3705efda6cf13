"""Fixtures for the interoperability suite: a fresh TAXII 2.1 server per test module.

The suite runs the OASIS Python clients (taxii2-client, stix2) unchanged against a server.
By default that server is Charter, started from the binary named by ``CHARTER_BIN`` on a
temporary data folder. ``--peer=medallion`` (or ``INTEROP_PEER=medallion``) runs the same
tests against medallion, the OASIS reference server, so the tests themselves are checked
against a second implementation. Where medallion is known to differ, EXPECTATIONS.md says
so with a reason, and this file turns each entry into a strict ``xfail``: an entry that
starts passing fails the run, so the list cannot go stale.
"""

import abc
import json
import os
import pathlib
import re
import socket
import subprocess
import sys
import threading
import time
import uuid

import pytest
import requests
from taxii2client.v21 import ApiRoot, Collection, Server, as_pages

INTEROP = pathlib.Path(__file__).resolve().parent
REPO = INTEROP.parent
DATA = REPO / "tests" / "data"
PEERS = ("charter", "medallion")
TAXII = "application/taxii+json;version=2.1"
ADMIN_PASSWORD = "interop-admin-password"
START_TIMEOUT = 60.0
# A fixed namespace keeps generated ids stable from run to run, so failures are reproducible.
NAMESPACE = uuid.UUID("6a2d3c1e-3f4b-4c53-9a43-1d6b1b7c2a10")


def pytest_addoption(parser):
    parser.addoption(
        "--peer",
        default=os.environ.get("INTEROP_PEER", "charter"),
        choices=PEERS,
        help="which TAXII server the suite runs against (default: charter, or $INTEROP_PEER)",
    )


def charter_bin():
    """The Charter binary: $CHARTER_BIN, else the debug build in the usual target folder."""
    explicit = os.environ.get("CHARTER_BIN")
    if explicit:
        return pathlib.Path(explicit)
    target = os.environ.get("CARGO_TARGET_DIR")
    target = pathlib.Path(target) if target else REPO / "target"
    return target / "debug" / "charter"


def free_port():
    """A TCP port that was free a moment ago (medallion cannot bind port 0 and report it)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def indicator(n, seed="interop", modified="2024-01-01T00:00:00.000Z", **extra):
    """A valid STIX 2.1 indicator, the same for the same (n, seed) in every run."""
    obj = {
        "type": "indicator",
        "spec_version": "2.1",
        "id": f"indicator--{uuid.uuid5(NAMESPACE, f'{seed}-{n}')}",
        "created": "2024-01-01T00:00:00.000Z",
        "modified": modified,
        "name": f"{seed} indicator {n}",
        "indicator_types": ["malicious-activity"],
        "pattern": f"[ipv4-addr:value = '10.{(n >> 16) & 255}.{(n >> 8) & 255}.{n & 255}']",
        "pattern_type": "stix",
        "valid_from": "2024-01-01T00:00:00Z",
    }
    obj.update(extra)
    return obj


def load_bundle(name):
    """The objects of a STIX bundle in tests/data."""
    with open(DATA / name, encoding="utf-8") as f:
        return json.load(f)["objects"]


class Peer(abc.ABC):
    """A running TAXII 2.1 server and the calls the tests make on it.

    Subclasses say how to start the server and how to make collections and users;
    everything the tests do over HTTP lives here, so it is the same for every peer.
    """

    name = "peer"
    # The path segment of the one API root; Charter's first start makes `/default/`.
    api_root_name = "default"
    # How many objects the pagination tests page through.
    page_test_size = 5000

    def __init__(self, workdir):
        self.workdir = workdir
        self.base = None
        self.admin = ("admin", ADMIN_PASSWORD)
        self.process = None
        self.log_path = workdir / f"{self.name}.log"
        self.session = requests.Session()

    @property
    def discovery_url(self):
        return f"{self.base}/taxii2/"

    @property
    def api_root_url(self):
        return f"{self.base}/{self.api_root_name}/"

    def collection_url(self, collection_id):
        return f"{self.api_root_url}collections/{collection_id}/"

    def server(self, auth=None):
        user, password = auth or self.admin
        return Server(self.discovery_url, user=user, password=password)

    def api_root(self, auth=None):
        user, password = auth or self.admin
        return ApiRoot(self.api_root_url, user=user, password=password)

    def collection(self, collection_id, auth=None):
        user, password = auth or self.admin
        return Collection(self.collection_url(collection_id), user=user, password=password)

    def default_collection_id(self):
        """The id of the collection whose alias is `default`."""
        for c in self.api_root().collections:
            if c.alias == "default":
                return c.id
        raise AssertionError(f"{self.name} lists no collection with alias 'default'")

    def add(self, collection_id, objects, auth=None):
        """POST one envelope through taxii2-client and wait for the final status (as a dict)."""
        status = self.collection(collection_id, auth).add_objects(
            {"objects": objects}, wait_for_completion=True, poll_interval=0.05, timeout=120
        )
        # taxii2-client keeps the status resource as it was received in `_raw`.
        return status._raw

    def read_all(self, collection_id, per_request=1000, auth=None, **filters):
        """Every object the filters select, following `next` page by page."""
        collection = self.collection(collection_id, auth)
        out = []
        for page in as_pages(collection.get_objects, per_request=per_request, **filters):
            out.extend(page.get("objects", []))
        return out

    def http(self, method, url, auth="admin", headers=None, **kwargs):
        """A raw request; `auth` is "admin", None (no credentials) or a (user, password) pair."""
        merged = {"Accept": TAXII}
        merged.update(headers or {})
        if auth == "admin":
            auth = self.admin
        return self.session.request(method, url, auth=auth, headers=merged, timeout=120, **kwargs)

    @abc.abstractmethod
    def start(self):
        """Starts the server and sets `base`; returns once it accepts requests."""

    @abc.abstractmethod
    def new_collection(self, title):
        """A new, empty collection the admin can read and write; returns its id."""

    @abc.abstractmethod
    def restricted(self, read, write):
        """Credentials and a collection id where the user has exactly the given rights."""

    def log_tail(self, lines=40):
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def stop(self):
        self.session.close()
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)


class CharterPeer(Peer):
    """`charter serve` on port 0 and a fresh data folder; its admin CLI for users and collections."""

    name = "charter"

    def __init__(self, workdir):
        super().__init__(workdir)
        self.bin = charter_bin()
        self.data = workdir / "data"
        self._users = 0

    def start(self):
        if not self.bin.exists():
            pytest.fail(f"Charter binary not found at {self.bin}; set CHARTER_BIN", pytrace=False)
        env = dict(os.environ, CHARTER_ADMIN_PASSWORD=ADMIN_PASSWORD)
        log = open(self.log_path, "wb")
        self.process = subprocess.Popen(
            [str(self.bin), "serve", "--listen", "127.0.0.1:0", "--data", str(self.data)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=log,
        )
        found = threading.Event()

        def pump():
            # Keep reading stdout for the life of the process so the pipe never fills.
            for line in self.process.stdout:
                log.write(line)
                log.flush()
                m = re.search(rb"Charter listening on (http://\S+)", line)
                if m and not found.is_set():
                    self.base = m.group(1).decode().rstrip("/")
                    found.set()
            log.close()

        threading.Thread(target=pump, daemon=True).start()
        if not found.wait(START_TIMEOUT) or self.process.poll() is not None:
            self.stop()
            raise RuntimeError(f"charter serve did not start:\n{self.log_tail()}")

    def cli(self, *args, env=None):
        """Run an admin command against the live data folder; returns its stdout, stripped."""
        full_env = dict(os.environ, **(env or {}))
        done = subprocess.run(
            [str(self.bin), *args], env=full_env, capture_output=True, text=True, timeout=60
        )
        if done.returncode != 0:
            raise RuntimeError(f"charter {' '.join(args)} failed ({done.returncode}):\n{done.stderr}")
        return done.stdout.strip()

    def new_collection(self, title):
        out = self.cli("collection", "add", "--data", str(self.data), "--title", title)
        return out.splitlines()[-1].strip()

    def restricted(self, read, write):
        self._users += 1
        name = f"user{self._users}"
        password = f"password-of-{name}"
        collection_id = self.new_collection(f"restricted {name}")
        org = f"Organisation of {name}"
        self.cli("org", "add", "--data", str(self.data), org, "--country", "GB")
        self.cli(
            "user", "add", "--data", str(self.data), name, "--org", org, "--role", "analyst",
            env={"CHARTER_USER_PASSWORD": password},
        )
        flags = (["--read"] if read else []) + (["--write"] if write else [])
        self.cli("user", "grant", "--data", str(self.data), name, collection_id, *flags)
        return (name, password), collection_id


class MedallionPeer(Peer):
    """medallion 3.0.0 with its memory backend, configured to look like a fresh Charter.

    medallion cannot add collections or users while it runs, so the configuration
    holds a pool of empty collections that `new_collection` hands out, and two collections
    whose `can_read`/`can_write` flags stand in for users with restricted rights.
    """

    name = "medallion"
    POOL = 12
    # medallion's memory backend finds an API root by searching its whole data tree for the
    # key, so a root named `default` would be shadowed by the discovery resource's `default`.
    api_root_name = "api1"
    # medallion's memory backend scans the whole collection for each object it returns, so
    # a 5,000-object read takes minutes; 1,200 objects still span two pages of 1,000.
    page_test_size = 1200

    def __init__(self, workdir):
        super().__init__(workdir)
        self.pool = [str(uuid.uuid4()) for _ in range(self.POOL)]
        self.read_only = str(uuid.uuid4())
        self.write_only = str(uuid.uuid4())
        self.default_id = str(uuid.uuid4())

    @staticmethod
    def _collection(cid, title, alias=None, can_read=True, can_write=True):
        c = {
            "id": cid,
            "title": title,
            "can_read": can_read,
            "can_write": can_write,
            "media_types": ["application/stix+json;version=2.1"],
            "objects": [],
            "manifest": [],
        }
        if alias:
            c["alias"] = alias
        return c

    def config(self, port):
        base = f"http://127.0.0.1:{port}"
        collections = [self._collection(self.default_id, "Default", alias="default")]
        collections += [self._collection(c, f"pool {i}") for i, c in enumerate(self.pool)]
        collections.append(self._collection(self.read_only, "read only", can_write=False))
        collections.append(self._collection(self.write_only, "write only", can_read=False))
        data = {
            "/discovery": {
                "title": "medallion",
                "default": f"{base}/{self.api_root_name}/",
                "api_roots": [f"{base}/{self.api_root_name}/"],
            },
            self.api_root_name: {
                "information": {
                    "title": "Default",
                    "versions": [TAXII],
                    "max_content_length": 64 * 1024 * 1024,
                },
                "status": [],
                "collections": collections,
            },
        }
        data_path = self.workdir / "medallion-data.json"
        data_path.write_text(json.dumps(data))
        return {
            "backend": {
                "module": "medallion.backends.memory_backend",
                "module_class": "MemoryBackend",
                "filename": str(data_path),
            },
            "users": {self.admin[0]: self.admin[1]},
            "taxii": {"max_page_size": 1000},
        }

    def start(self):
        port = free_port()
        config_path = self.workdir / "medallion.json"
        config_path.write_text(json.dumps(self.config(port)))
        log = open(self.log_path, "wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "medallion.scripts.run", "--port", str(port), str(config_path)],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        self.base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                requests.get(self.discovery_url, auth=self.admin, headers={"Accept": TAXII}, timeout=2)
                return
            except requests.ConnectionError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"medallion did not start:\n{self.log_tail()}")

    def new_collection(self, title):
        if not self.pool:
            raise RuntimeError("medallion's collection pool is exhausted; raise POOL")
        return self.pool.pop()

    def restricted(self, read, write):
        if read and not write:
            return self.admin, self.read_only
        if write and not read:
            return self.admin, self.write_only
        raise ValueError("medallion stands in only for read-only and write-only users")


@pytest.fixture(scope="module")
def peer(request, tmp_path_factory):
    """A fresh server for this test module, stopped when the module is done."""
    name = request.config.getoption("--peer")
    workdir = tmp_path_factory.mktemp(name)
    p = CharterPeer(workdir) if name == "charter" else MedallionPeer(workdir)
    p.start()
    yield p
    p.stop()


@pytest.fixture(scope="module")
def default_id(peer):
    return peer.default_collection_id()


# Expectations: EXPECTATIONS.md holds a table whose rows are
# | peer | tests/test_file.py::test_name | xfail | reason |
EXPECTATION_ROW = re.compile(r"^\|\s*(charter|medallion)\s*\|\s*`?([^|`]+?)`?\s*\|\s*(xfail)\s*\|\s*(.+?)\s*\|\s*$")


def read_expectations():
    rows = []
    for line in (INTEROP / "EXPECTATIONS.md").read_text(encoding="utf-8").splitlines():
        m = EXPECTATION_ROW.match(line)
        if m:
            rows.append(m.groups())
    return rows


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    peer = config.getoption("--peer")
    by_id = {}
    for item in items:
        # Named relative to interop/, whatever folder pytest was started from.
        by_id[f"{item.path.relative_to(INTEROP).as_posix()}::{item.name}"] = item
    collected_files = {nodeid.split("::")[0] for nodeid in by_id}
    stale = []
    for row_peer, test, outcome, reason in read_expectations():
        item = by_id.get(test)
        if item is None:
            if test.split("::")[0] in collected_files:
                stale.append(test)
            continue
        if row_peer == peer and outcome == "xfail":
            item.add_marker(pytest.mark.xfail(reason=reason, strict=True))
    if stale:
        raise pytest.UsageError(f"EXPECTATIONS.md names tests that do not exist: {stale}")
