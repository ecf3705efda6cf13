"""Part 2 of the TAXII benchmark: Charter and medallion 3.0.0 side by side, through taxii2-client.

Both servers are driven by the same Python client, one request at a time, as a SIEM or a
TIP written in Python would drive them. For each server it measures:
- ingest: N generated indicators in envelopes of --batch, each waited on until `complete`;
- read: a collection of M objects read back in pages of 1,000 with `as_pages`, best of 3.
medallion (memory backend) is started here on a free port with a configuration written to a
temporary folder; Charter is already running, and its two empty collections are passed in.

Usage: python compare.py --charter-url API_ROOT --ingest-collection ID --read-collection ID
                         --user NAME --password PW [--ingest 10000] [--read 2000] [--batch 500]
"""

import argparse
import json
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import requests
from taxii2client.v21 import Collection, as_pages

TAXII = "application/taxii+json;version=2.1"
NAMESPACE = uuid.UUID("0d8a4c39-3c5e-4b0e-9a61-2b7d6f3e8c41")


def indicators(seed, count):
    out = []
    for n in range(count):
        out.append(
            {
                "type": "indicator",
                "spec_version": "2.1",
                "id": f"indicator--{uuid.uuid5(NAMESPACE, f'{seed}-{n}')}",
                "created": "2024-01-01T00:00:00.000Z",
                "modified": "2024-01-01T00:00:00.000Z",
                "name": f"Benchmark indicator {n}",
                "indicator_types": ["malicious-activity"],
                "pattern": f"[ipv4-addr:value = '10.{(n >> 16) & 255}.{(n >> 8) & 255}.{n & 255}']",
                "pattern_type": "stix",
                "valid_from": "2024-01-01T00:00:00Z",
            }
        )
    return out


def ingest(collection, objects, batch):
    """Seconds to add every object, each envelope waited on until complete."""
    started = time.perf_counter()
    for i in range(0, len(objects), batch):
        chunk = objects[i : i + batch]
        status = collection.add_objects({"objects": chunk}, poll_interval=0.01, timeout=600)
        if status.status != "complete" or status.success_count != len(chunk):
            raise RuntimeError(f"envelope {i // batch}: {status._raw}")
    return time.perf_counter() - started


def read(collection, expected):
    """Seconds to read every object in pages of 1,000 (best of three runs)."""
    best = None
    for _ in range(3):
        started = time.perf_counter()
        got = 0
        for page in as_pages(collection.get_objects, per_request=1000):
            got += len(page.get("objects", []))
        elapsed = time.perf_counter() - started
        if got != expected:
            raise RuntimeError(f"read {got} objects, expected {expected}")
        best = elapsed if best is None else min(best, elapsed)
    return best


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_medallion(workdir, user, password):
    """medallion with its memory backend and two empty collections; returns (process, urls)."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    ids = {"ingest": str(uuid.uuid4()), "read": str(uuid.uuid4())}
    collections = [
        {
            "id": cid,
            "title": name,
            "can_read": True,
            "can_write": True,
            "media_types": ["application/stix+json;version=2.1"],
            "objects": [],
            "manifest": [],
        }
        for name, cid in ids.items()
    ]
    data = {
        "/discovery": {"title": "medallion", "default": f"{base}/api1/", "api_roots": [f"{base}/api1/"]},
        "api1": {
            "information": {"title": "api1", "versions": [TAXII], "max_content_length": 64 * 1024 * 1024},
            "status": [],
            "collections": collections,
        },
    }
    (workdir / "data.json").write_text(json.dumps(data))
    config = {
        "backend": {
            "module": "medallion.backends.memory_backend",
            "module_class": "MemoryBackend",
            "filename": str(workdir / "data.json"),
        },
        "users": {user: password},
        "taxii": {"max_page_size": 1000},
    }
    (workdir / "config.json").write_text(json.dumps(config))
    log = open(workdir / "medallion.log", "wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "medallion.scripts.run", "--port", str(port), str(workdir / "config.json")],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    for _ in range(600):
        try:
            requests.get(f"{base}/taxii2/", auth=(user, password), headers={"Accept": TAXII}, timeout=2)
            break
        except requests.ConnectionError:
            time.sleep(0.05)
    else:
        process.kill()
        raise RuntimeError("medallion did not start")
    return process, {k: f"{base}/api1/collections/{v}/" for k, v in ids.items()}


def measure(name, ingest_url, read_url, auth, args):
    user, password = auth
    to_ingest = indicators(f"{name}-ingest", args.ingest)
    to_read = indicators(f"{name}-read", args.read)
    ingest_seconds = ingest(Collection(ingest_url, user=user, password=password), to_ingest, args.batch)
    reader = Collection(read_url, user=user, password=password)
    ingest(reader, to_read, args.batch)
    read_seconds = read(reader, args.read)
    return {"ingest": args.ingest / ingest_seconds, "read": args.read / read_seconds}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--charter-url", required=True, help="Charter's API root URL")
    parser.add_argument("--ingest-collection", required=True)
    parser.add_argument("--read-collection", required=True)
    parser.add_argument("--user", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--ingest", type=int, default=10000)
    parser.add_argument("--read", type=int, default=2000)
    parser.add_argument("--batch", type=int, default=500)
    args = parser.parse_args()
    root = args.charter_url.rstrip("/") + "/"
    auth = (args.user, args.password)

    charter = measure(
        "charter",
        f"{root}collections/{args.ingest_collection}/",
        f"{root}collections/{args.read_collection}/",
        auth,
        args,
    )
    with tempfile.TemporaryDirectory(prefix="bench-medallion-") as tmp:
        process, urls = start_medallion(Path(tmp), *auth)
        try:
            medallion = measure("medallion", urls["ingest"], urls["read"], auth, args)
        finally:
            process.terminate()
            process.wait(timeout=10)

    print(f"{'through taxii2-client':<34} {'Charter':>12} {'medallion':>12} {'ratio':>8}")
    rows = [
        (f"ingest {args.ingest} (objects/s)", "ingest"),
        (f"read {args.read} (objects/s)", "read"),
    ]
    for label, key in rows:
        ratio = charter[key] / medallion[key]
        print(f"{label:<34} {charter[key]:>12.0f} {medallion[key]:>12.0f} {ratio:>7.1f}x")


if __name__ == "__main__":
    main()
