"""Writes the benchmark text for bench/privacy/run: labelled corpus snippets mixed with filler
that looks like what Charter's free-text fields hold.

    make_text.py CORPUS OUT MEGABYTES [ATTACK_BUNDLE]

One line in ten is a snippet from the labelled corpus (so personal data and hard negatives
both occur at a realistic density); the rest is filler: descriptions from a MITRE ATT&CK
STIX bundle when one is given (real threat-intelligence prose, full of technique ids, versions
and tool names), sentences of incident notes, and log lines with timestamps, IP addresses and
ports, hashes, process ids and versions. Seeded: the same arguments give the same file.
"""

import json
import random
import sys

SEED = 20240501

NOTES = [
    "The actor used spear-phishing with a weaponised document to gain initial access.",
    "Persistence was established through a scheduled task that ran at every logon.",
    "C2 traffic was observed over HTTPS with a self-signed certificate and a JA3 of note.",
    "The loader decrypts its payload with a rolling XOR key before reflective loading.",
    "Defenders should block the listed domains at the proxy and hunt for the named pipe.",
    "Lateral movement relied on stolen credentials and remote desktop sessions.",
    "No exfiltration was confirmed before containment; backups were intact.",
    "The ransom note demanded payment within three days and threatened a leak site.",
    "Sector partners reported similar activity against water and energy operators.",
    "The implant disables Windows Defender real-time protection through PowerShell.",
]


def hexs(rng, n):
    return "".join(rng.choice("0123456789abcdef") for _ in range(n))


def log_line(rng):
    return (f"{rng.randint(2022, 2025)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T"
            f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}Z "
            f"src={rng.randint(1, 223)}.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}:"
            f"{rng.randint(1024, 65535)} dst=10.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}:"
            f"{rng.choice([443, 80, 8443, 3389, 445])} sha256={hexs(rng, 64)} event={rng.choice([4624, 4688, 7045])} "
            f"pid={rng.randint(4, 65535)} agent=v{rng.randint(1, 9)}.{rng.randint(0, 30)}.{rng.randint(0, 99)} "
            f"technique=T{rng.randint(1001, 1659)}.{rng.randint(1, 12):03d} cve=CVE-{rng.randint(2017, 2025)}-{rng.randint(1000, 49999)}")


def attack_descriptions(path):
    with open(path, encoding="utf-8") as f:
        bundle = json.load(f)
    out = []
    for obj in bundle.get("objects", []):
        for line in str(obj.get("description", "")).splitlines():
            if len(line) > 40:
                out.append(line)
    return out


def main():
    corpus, out, megabytes = sys.argv[1], sys.argv[2], float(sys.argv[3])
    prose = NOTES[:]
    if len(sys.argv) > 4:
        prose += attack_descriptions(sys.argv[4])
    with open(corpus, encoding="utf-8") as f:
        snippets = [json.loads(line)["text"] for line in f if line.strip()]
    rng = random.Random(SEED)
    target = int(megabytes * 1_000_000)
    written = 0
    with open(out, "w", encoding="utf-8") as f:
        while written < target:
            roll = rng.randrange(10)
            if roll == 0:
                line = rng.choice(snippets)
            elif roll <= 3:
                line = log_line(rng)
            else:
                line = rng.choice(prose)
            line = line.replace("\n", " ") + "\n"
            f.write(line)
            written += len(line.encode("utf-8"))
    print(f"wrote {written} bytes to {out}")


if __name__ == "__main__":
    main()
