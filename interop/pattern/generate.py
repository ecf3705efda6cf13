"""Seeded, deterministic generators of STIX 2.1 patterns and observations for the
differential tests in interop/tests/test_pattern_oracle.py.

`check_cases()` returns (case id, pattern) pairs: well-formed patterns built from the grammar,
the same patterns broken by token-level mutations, and hand-picked patterns that exercise
each rule the specification adds to the grammar. `match_cases()` returns (case id, pattern,
observed_data) triples: small worlds of observed-data objects and SCOs, and patterns drawn
from the same values so that about half of them match.

Everything is drawn from `random.Random(SEED)`, so the case ids name the same cases on every
run; KNOWN_DIFFERENCES.md refers to them.
"""

import base64
import random

SEED = 20240521
CHECK_COUNT = 1200
MATCH_COUNT = 1200
TEMPORAL_COUNT = 500

IPV4 = ["198.51.100.7", "198.51.100.8", "203.0.113.5", "10.1.2.3", "192.0.2.200"]
CIDR4 = ["198.51.100.0/24", "203.0.113.0/25", "10.0.0.0/8", "192.0.2.0/28", "198.51.100.7/32"]
IPV6 = ["2001:db8::1", "2001:db8::ff", "fe80::1"]
DOMAINS = ["example.com", "example.org", "evil.example", "cdn.example.net"]
URLS = ["http://evil.example/payload", "https://example.com/", "http://cdn.example.net/a.js"]
FILE_NAMES = ["evil.exe", "report.pdf", "readme.txt", "Invoice_2020.doc", "caf\u00e9.txt"]
DIRS = ["C:\\Temp", "/tmp", "/home/user/Downloads"]
EMAILS = ["alice@example.com", "bob@example.org", "mallory@evil.example"]
SUBJECTS = ["Invoice", "Re: meeting", "Urgent: password reset"]
PROCESS = ["cmd.exe", "powershell.exe", "bash", "svchost.exe"]
LOGINS = ["root", "admin", "alice", "bob"]
TIMES = ["2020-01-01T00:00:00Z", "2020-01-01T00:00:30Z", "2020-01-01T00:05:00Z",
         "2020-01-01T01:00:00Z", "2020-01-02T00:00:00.5Z", "2020-06-01T12:00:00.125Z"]
MD5 = ["d41d8cd98f00b204e9800998ecf8427e", "900150983cd24fb0d6963f7d28e17f72"]
SHA1 = ["da39a3ee5e6b4b0d3255bfef95601890afd80709", "a9993e364706816aba3e25717850c26c9cd0d89d"]
SHA256 = ["e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
          "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"]
MAGIC = ["4d5a", "25504446", "7f454c46"]
PAYLOADS = [b"MZ\x90\x00", b"hello world", b"\xff\xfe"]
SIZES = [0, 5, 1024, 65536, -1]
PORTS = [22, 53, 80, 443, 8080]
PROTOCOLS = ["tcp", "udp", "http", "dns"]
LIKES = ["%.exe", "evil%", "%example%", "_ash", "report.___", "%", "C:\\\\%", "caf\u00e9%", "%@example.com"]
REGEXES = ["^evil", "\\.exe$", "example\\.(com|org)$", "[0-9]{4}", "^[a-z]+@", "(?i)^INVOICE", "a|b",
           "^/tmp", "^$", ".", "\\d+\\.\\d+", "caf\u00e9", "^Re: "]


def q(s):
    """A STIX string literal for `s`."""
    return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'"


def ts(s):
    return "t'" + s + "'"


def hexlit(b):
    return "h'" + b.hex() + "'"


def binlit(b):
    return "b'" + base64.b64encode(b).decode() + "'"


# Each property: (object type, path text, kind). Kinds choose literals and operators.
PROPERTIES = [
    ("ipv4-addr", "value", "ip4"),
    ("ipv6-addr", "value", "ip6"),
    ("domain-name", "value", "domain"),
    ("domain-name", "resolves_to_refs[*].value", "ip4"),
    ("url", "value", "url"),
    ("file", "name", "filename"),
    ("file", "size", "size"),
    ("file", "hashes.MD5", "md5"),
    ("file", "hashes.'SHA-1'", "sha1"),
    ("file", "hashes.'SHA-256'", "sha256"),
    ("file", "parent_directory_ref.path", "dir"),
    ("file", "mtime", "time"),
    ("file", "magic_number_hex", "magic"),
    ("file", "x_tags[*]", "tag"),
    ("file", "x_tags[0]", "tag"),
    ("directory", "path", "dir"),
    ("email-addr", "value", "email"),
    ("email-message", "subject", "subject"),
    ("email-message", "is_multipart", "bool"),
    ("email-message", "from_ref.value", "email"),
    ("email-message", "to_refs[*].value", "email"),
    ("email-message", "to_refs[1].value", "email"),
    ("email-message", "date", "time"),
    ("network-traffic", "src_ref.value", "ip4"),
    ("network-traffic", "dst_ref.value", "ip4"),
    ("network-traffic", "dst_port", "port"),
    ("network-traffic", "protocols[*]", "protocol"),
    ("network-traffic", "protocols[0]", "protocol"),
    ("process", "name", "process"),
    ("process", "pid", "size"),
    ("process", "created_time", "time"),
    ("user-account", "account_login", "login"),
    ("user-account", "is_privileged", "bool"),
    ("artifact", "payload_bin", "payload"),
]

VALUES = {
    "ip4": IPV4, "ip6": IPV6, "domain": DOMAINS, "url": URLS, "filename": FILE_NAMES, "size": SIZES,
    "md5": MD5, "sha1": SHA1, "sha256": SHA256, "dir": DIRS, "time": TIMES, "magic": MAGIC,
    "tag": ["a", "b", "malware"], "email": EMAILS, "subject": SUBJECTS, "bool": [True, False],
    "port": PORTS, "protocol": PROTOCOLS, "process": PROCESS, "login": LOGINS, "payload": PAYLOADS,
}
STRING_KINDS = {"ip4", "ip6", "domain", "url", "filename", "md5", "sha1", "sha256", "dir", "tag",
                "email", "subject", "protocol", "process", "login"}
NUMBER_KINDS = {"size", "port"}


def literal(rng, kind):
    """A literal of the property's own type, from the shared value pools."""
    v = rng.choice(VALUES[kind])
    if kind in NUMBER_KINDS:
        return str(v) if rng.random() < 0.8 else repr(float(v))
    if kind == "bool":
        return "true" if v else "false"
    if kind == "time":
        return ts(v)
    if kind == "magic":
        return hexlit(bytes.fromhex(v))
    if kind == "payload":
        return binlit(v) if rng.random() < 0.5 else hexlit(v)
    return q(v)


def prop_test(rng, obj_type=None, world=None):
    """One property test; `world` (for match cases) says which address forms the data hold."""
    choices = [p for p in PROPERTIES if obj_type is None or p[0] == obj_type]
    ty, path, kind = rng.choice(choices)
    full = ty + ":" + path
    r = rng.random()
    neg = "NOT " if rng.random() < 0.1 else ""
    if kind in ("ip4", "ip6") and r < 0.25:
        if kind == "ip6" and (world is not None) and rng.random() < 0.9:
            return full + " " + neg + "= " + q(rng.choice(IPV6))
        if world is not None and world.get("cidr"):
            return full + " " + neg + "ISSUPERSET " + q(rng.choice(IPV4 if kind == "ip4" else IPV6))
        pool = CIDR4 if kind == "ip4" else ["2001:db8::/32", "fe80::/10"]
        if world is None and rng.random() < 0.3:
            return full + " " + neg + "ISSUPERSET " + q(rng.choice(pool + IPV4))
        return full + " " + neg + "ISSUBSET " + q(rng.choice(pool))
    if kind in STRING_KINDS and not kind.startswith(("md5", "sha")) and r < 0.35:
        if rng.random() < 0.5:
            return full + " " + neg + "LIKE " + q(rng.choice(LIKES))
        return full + " " + neg + "MATCHES " + q(rng.choice(REGEXES))
    # The OASIS validator checks a hash against the text of the whole set, so sets of hashes
    # are left to the hand-picked cases.
    if r < 0.5 and kind not in ("md5", "sha1", "sha256"):
        items = sorted({literal(rng, kind) for _ in range(rng.randint(1, 3))})
        return full + " " + neg + "IN (" + ", ".join(items) + ")"
    if kind not in ("bool",) and r < 0.65:
        op = rng.choice(["<", "<=", ">", ">="])
        return full + " " + neg + op + " " + literal(rng, kind)
    op = rng.choice(["=", "=", "=", "!=", "==", "<>"])
    return full + " " + neg + op + " " + literal(rng, kind)


def comparison(rng, depth=0, obj_type=None, world=None):
    """A comparison expression, mostly on one object type (as real patterns are)."""
    if obj_type is None:
        obj_type = rng.choice(PROPERTIES)[0]
    r = rng.random()
    if depth < 2 and r < 0.3:
        op = rng.choice([" AND ", " OR "])
        n = rng.randint(2, 3)
        return op.join(comparison(rng, depth + 1, obj_type if rng.random() < 0.85 else None, world)
                       for _ in range(n))
    if depth < 2 and r < 0.38:
        return "(" + comparison(rng, depth + 1, obj_type, world) + ")"
    return prop_test(rng, obj_type, world)


def qualifier(rng):
    r = rng.random()
    if r < 0.4:
        secs = rng.choice(["1", "30", "60", "300", "3600", "86400", "0.5", "29.5", "+10"])
        return " WITHIN " + secs + " SECONDS"
    if r < 0.7:
        return " REPEATS " + str(rng.randint(1, 3)) + " TIMES"
    a, b = sorted(rng.sample(TIMES + ["2019-12-31T00:00:00Z", "2021-01-01T00:00:00Z"], 2))
    return " START " + ts(a) + " STOP " + ts(b)


def observation(rng, depth=0, world=None):
    r = rng.random()
    if depth < 2 and r < 0.35:
        op = rng.choice([" AND ", " OR ", " FOLLOWEDBY "])
        return op.join(observation(rng, depth + 1, world) for _ in range(rng.randint(2, 3)))
    if depth < 2 and r < 0.45:
        inner = "(" + observation(rng, depth + 1, world) + ")"
        return inner + (qualifier(rng) if rng.random() < 0.7 else "")
    base = "[" + comparison(rng, 0, None, world) + "]"
    if rng.random() < 0.25:
        kinds = rng.sample(["W", "R", "S"], rng.randint(1, 2))
        for k in kinds:
            if k == "W":
                base += " WITHIN " + rng.choice(["5", "60", "3600.5"]) + " SECONDS"
            elif k == "R":
                base += " REPEATS " + str(rng.randint(1, 2)) + " TIMES"
            else:
                base += " START t'2019-01-01T00:00:00Z' STOP t'2021-01-01T00:00:00Z'"
    return base


def spacing(rng, pattern):
    """Vary the white space and add comments, which the grammar allows anywhere."""
    if rng.random() < 0.1:
        pattern = pattern.replace(" AND ", "\n AND\t").replace(" OR ", " /* or */ OR ")
    if rng.random() < 0.05:
        pattern = pattern + " // trailing comment"
    return pattern


# Token-level mutations that make most patterns invalid.
INSERTS = ["AND", "OR", "]", "[", "(", ")", "'x'", "1", "=", ":", ".", "NOT", "FOLLOWEDBY", ",", "-",
           "WITHIN", "SECONDS", "t'2020-01-01T00:00:00Z'", "IN", "LIKE", "*", "true", "EXISTS", "'"]


def tokens(pattern):
    """Split on spaces and brackets, keeping the separators, for mutations."""
    out, cur, quoted = [], "", False
    for c in pattern:
        if c == "'" and not cur.endswith("\\"):
            quoted = not quoted
        if not quoted and c in " []()":
            if cur:
                out.append(cur)
            out.append(c)
            cur = ""
        else:
            cur += c
    if cur:
        out.append(cur)
    return out


def mutate(rng, pattern):
    toks = tokens(pattern)
    r = rng.random()
    i = rng.randrange(len(toks))
    if r < 0.35:
        del toks[i]
    elif r < 0.6:
        toks.insert(i, " " + rng.choice(INSERTS) + " ")
    elif r < 0.75:
        toks.insert(i, toks[i])
    elif r < 0.9:
        return pattern[: rng.randrange(1, len(pattern))]
    else:
        j = rng.randrange(len(toks))
        toks[i], toks[j] = toks[j], toks[i]
    return "".join(toks)


# Patterns that exercise each rule beyond the grammar, and grammar corners, picked by hand.
SPEC_CASES = [
    "[file:name = 'x'] WITHIN 0 SECONDS",
    "[file:name = 'x'] REPEATS 0 TIMES",
    "[file:name = 'x'] START t'2021-01-01T00:00:00Z' STOP t'2020-01-01T00:00:00Z'",
    "[File:name = 'x']",
    "[file:name MATCHES '(?<=a)b']",
    "[ipv4-addr:value ISSUBSET 'not-an-address']",
    "[file:name = t'2021-02-29T00:00:00Z']",
    "[file:name[-1] = 'x']",
    "[file:hashes.MD5 = 'short']",
    "[file:hashes.'SHA-256' = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855']",
    "[file:name = 'x'] WITHIN 5 SECONDS WITHIN 6 SECONDS",
    "([file:name = 'x']) WITHIN 5 SECONDS WITHIN 6 SECONDS",
    "[file:hashes[0] = 'x']",
    "",
    "   ",
    "[x-custom-type:x_prop = 1]",
    "[file:name = b'']",
    "[file:name = h'']",
    "[file:name = 'x' AND NOT EXISTS file:size]",
    "[file:name LIKE 'a%' OR file:name MATCHES '^b']",
    "[file:name = 'x'] AND",
    "[file:name = 'x']]",
    "[file:name = 'x'] and [file:name = 'y']",
    "[file:name NOT IN ()]",
    "[file:size IN (1, 2.5)]",
    "[file:name = 'caf\u00e9']",
    "[file:name = 'x'] START t'2020-01-01T00:00:00Z' STOP t'2020-01-01T00:00:00.001Z'",
]


def valid_pattern(rng):
    return spacing(rng, observation(rng))


def check_cases():
    """(case id, pattern) pairs: about half well-formed, half broken."""
    rng = random.Random(SEED)
    cases = [("check-spec-%02d" % i, p) for i, p in enumerate(SPEC_CASES)]
    for i in range(CHECK_COUNT):
        p = valid_pattern(rng)
        if rng.random() < 0.5:
            p = mutate(rng, p)
        cases.append(("check-%04d" % i, p))
    return cases


# ---------------------------------------------------------------------------------------------
# Observations for match cases.

class World:
    """One case's observations: observed-data objects, each referring to a few SCOs."""

    def __init__(self, rng, cidr):
        self.rng = rng
        self.cidr = cidr
        self.objects = []
        self.n = 0

    def sid(self, ty):
        self.n += 1
        return "%s--00000000-0000-4000-8000-%012d" % (ty, self.n)

    def ip4(self):
        return self.rng.choice(CIDR4 if self.cidr else IPV4)

    def sco(self, ty, refs):
        """Make an SCO of type `ty` (and any SCOs it refers to, appended to `refs`)."""
        rng = self.rng
        o = {"type": ty, "id": self.sid(ty), "spec_version": "2.1"}

        def ref(ty2):
            child = self.sco(ty2, refs)
            return child["id"]

        if ty == "ipv4-addr":
            o["value"] = self.ip4()
        elif ty == "ipv6-addr":
            o["value"] = rng.choice(IPV6)
        elif ty == "domain-name":
            o["value"] = rng.choice(DOMAINS)
            if rng.random() < 0.6:
                o["resolves_to_refs"] = [ref("ipv4-addr") for _ in range(rng.randint(1, 2))]
        elif ty == "url":
            o["value"] = rng.choice(URLS)
        elif ty == "file":
            if rng.random() < 0.9:
                o["name"] = rng.choice(FILE_NAMES)
            if rng.random() < 0.7:
                o["size"] = rng.choice(SIZES[:-1])
            hashes = {}
            for key, pool in (("MD5", MD5), ("SHA-1", SHA1), ("SHA-256", SHA256)):
                if rng.random() < 0.5:
                    hashes[key] = rng.choice(pool)
            if hashes:
                o["hashes"] = hashes
            if rng.random() < 0.5:
                o["parent_directory_ref"] = ref("directory")
            if rng.random() < 0.5:
                o["mtime"] = rng.choice(TIMES)
            if rng.random() < 0.4:
                o["magic_number_hex"] = rng.choice(MAGIC)
            if rng.random() < 0.4:
                o["x_tags"] = rng.sample(["a", "b", "malware"], rng.randint(0, 2))
        elif ty == "directory":
            o["path"] = rng.choice(DIRS)
        elif ty == "email-addr":
            o["value"] = rng.choice(EMAILS)
        elif ty == "email-message":
            o["is_multipart"] = rng.random() < 0.5
            if rng.random() < 0.8:
                o["subject"] = rng.choice(SUBJECTS)
            if rng.random() < 0.7:
                o["from_ref"] = ref("email-addr")
            if rng.random() < 0.7:
                o["to_refs"] = [ref("email-addr") for _ in range(rng.randint(1, 3))]
            if rng.random() < 0.5:
                o["date"] = rng.choice(TIMES)
        elif ty == "network-traffic":
            o["src_ref"] = ref("ipv4-addr")
            if rng.random() < 0.8:
                o["dst_ref"] = ref("ipv4-addr")
            o["dst_port"] = rng.choice(PORTS)
            o["protocols"] = rng.sample(PROTOCOLS, rng.randint(1, 2))
        elif ty == "process":
            o["name"] = rng.choice(PROCESS)
            o["pid"] = rng.choice(SIZES[:-1])
            if rng.random() < 0.5:
                o["created_time"] = rng.choice(TIMES)
        elif ty == "user-account":
            o["account_login"] = rng.choice(LOGINS)
            o["is_privileged"] = rng.random() < 0.5
        elif ty == "artifact":
            o["payload_bin"] = base64.b64encode(rng.choice(PAYLOADS)).decode()
        refs.append(o["id"])
        self.objects.append(o)
        return o

    def observed_data(self, types):
        rng = self.rng
        refs = []
        for ty in types:
            self.sco(ty, refs)
        first = rng.choice(TIMES)
        later = [t for t in TIMES if t >= first]
        last = rng.choice(later) if rng.random() < 0.6 else first
        od = {
            "type": "observed-data", "id": self.sid("observed-data"), "spec_version": "2.1",
            "created": "2020-01-01T00:00:00Z", "modified": "2020-01-01T00:00:00Z",
            "first_observed": first, "last_observed": last,
            "number_observed": rng.choice([1, 1, 1, 2, 3]), "object_refs": refs,
        }
        self.objects.append(od)


TYPES = sorted({p[0] for p in PROPERTIES})


def world_for(rng, pattern_types, cidr):
    """Observations that mention the pattern's object types often and others sometimes."""
    w = World(rng, cidr)
    for _ in range(rng.randint(1, 5)):
        types = [rng.choice(pattern_types) if rng.random() < 0.8 else rng.choice(TYPES)
                 for _ in range(rng.randint(1, 2))]
        w.observed_data(types)
    return w


def types_in(pattern):
    return [t for t in TYPES if "[" + t + ":" in pattern or " " + t + ":" in pattern
            or "(" + t + ":" in pattern] or ["file"]


def shapes(rng, observed):
    """Pass the objects loose, in one bundle, or split across bundles."""
    r = rng.random()
    if r < 0.5:
        return observed
    if r < 0.8:
        return [{"type": "bundle", "id": "bundle--00000000-0000-4000-8000-000000000001", "objects": observed}]
    half = len(observed) // 2
    return [{"type": "bundle", "id": "bundle--00000000-0000-4000-8000-000000000002", "objects": observed[:half]},
            {"type": "bundle", "id": "bundle--00000000-0000-4000-8000-000000000003", "objects": observed[half:]}]


def broken(rng, objects):
    """Damage one observed-data object the way partner data is sometimes damaged."""
    ods = [o for o in objects if o["type"] == "observed-data"]
    od = rng.choice(ods)
    r = rng.random()
    if r < 0.3:
        del od["number_observed"]
    elif r < 0.5:
        od["number_observed"] = 0
    elif r < 0.7:
        od["first_observed"] = "yesterday"
    else:
        del od["object_refs"]


# Temporal cases: few, often-matching bracketed expressions combined with every observation
# operator and qualifier, over observations spread in time with counts above one.
LEAVES = ["[file:name = 'evil.exe']", "[ipv4-addr:value = '198.51.100.7']", "[process:name = 'cmd.exe']",
          "[domain-name:value = 'example.com']", "[file:size > 100]", "[ipv4-addr:value ISSUBSET '198.51.100.0/24']"]
MINUTES = ["2020-01-01T00:%02d:00Z" % m for m in range(0, 60, 5)]


def temporal(rng, depth=0):
    r = rng.random()
    if depth >= 3 or r < 0.3:
        return rng.choice(LEAVES)
    inner = temporal(rng, depth + 1)
    if r < 0.6:
        op = rng.choice([" AND ", " OR ", " FOLLOWEDBY ", " FOLLOWEDBY "])
        return "(" + inner + op + temporal(rng, depth + 1) + ")"
    if r < 0.75:
        return "(" + inner + ") WITHIN " + rng.choice(["60", "300", "600", "1200", "0.5"]) + " SECONDS"
    if r < 0.9:
        return "(" + inner + ") REPEATS " + str(rng.randint(1, 4)) + " TIMES"
    a, b = sorted(rng.sample(MINUTES, 2))
    return "(" + inner + ") START " + ts(a) + " STOP " + ts(b)


def temporal_world(rng):
    objects = []
    for i in range(rng.randint(3, 8)):
        ty, prop, pool = rng.choice([("file", "name", ["evil.exe", "evil.exe", "calc.exe"]),
                                     ("file", "size", [50, 5000, 5000]),
                                     ("ipv4-addr", "value", ["198.51.100.7", "198.51.100.7", "203.0.113.5"]),
                                     ("process", "name", ["cmd.exe", "cmd.exe", "bash"]),
                                     ("domain-name", "value", ["example.com", "example.com", "example.org"])])
        sid = "%s--00000000-0000-4000-8000-%012d" % (ty, i)
        objects.append({"type": ty, "id": sid, prop: rng.choice(pool)})
        first = rng.choice(MINUTES)
        last = rng.choice([m for m in MINUTES if m >= first]) if rng.random() < 0.5 else first
        objects.append({"type": "observed-data", "id": "observed-data--00000000-0000-4000-8000-%012d" % (100 + i),
                        "first_observed": first, "last_observed": last,
                        "number_observed": rng.choice([1, 1, 2, 3]), "object_refs": [sid]})
    return objects


def spec_world():
    """One observation of a host: an IPv4 and an IPv6 address, a file with a name."""
    return [
        {"type": "observed-data", "id": "observed-data--00000000-0000-4000-8000-000000000001",
         "first_observed": "2020-01-01T00:00:00Z", "last_observed": "2020-01-01T00:00:00Z",
         "number_observed": 1, "object_refs": ["ipv4-addr--00000000-0000-4000-8000-000000000002",
                                               "ipv6-addr--00000000-0000-4000-8000-000000000003",
                                               "file--00000000-0000-4000-8000-000000000004"]},
        {"type": "ipv4-addr", "id": "ipv4-addr--00000000-0000-4000-8000-000000000002", "value": "198.51.100.7"},
        {"type": "ipv6-addr", "id": "ipv6-addr--00000000-0000-4000-8000-000000000003", "value": "2001:db8::1"},
        {"type": "file", "id": "file--00000000-0000-4000-8000-000000000004", "name": "evil.exe", "size": 5},
    ]


EMBEDDED = [{"type": "observed-data", "id": "observed-data--00000000-0000-4000-8000-000000000009",
             "first_observed": "2020-01-01T00:00:00Z", "last_observed": "2020-01-01T00:00:00Z",
             "number_observed": 1, "objects": {"0": {"type": "file", "name": "evil.exe"}}}]

# Patterns on which Charter deliberately decides otherwise than the reference matcher.
MATCH_SPEC_CASES = [
    ("[ipv6-addr:value ISSUBSET '2001:db8::/32']", spec_world()),
    ("[ipv4-addr:value ISSUPERSET '198.51.100.7']", spec_world()),
    ("[NOT EXISTS file:hashes]", spec_world()),
    ("[file:name = 'evil.exe' AND EXISTS file:size]", spec_world()),
    ("[file:name > t'2020-01-01T00:00:00Z']", spec_world()),
    ("[file:name ISSUBSET '10.0.0.0/8']", spec_world()),
    ("[file:name = 'evil.exe']", EMBEDDED),
    ("[file:name = 'evil.exe']", []),
]


def match_cases():
    """(case id, pattern, observed_data) triples."""
    rng = random.Random(SEED + 1)
    cases = [("match-spec-%02d" % i, p, o) for i, (p, o) in enumerate(MATCH_SPEC_CASES)]
    for i in range(MATCH_COUNT):
        cidr = rng.random() < 0.15
        world_hint = {"cidr": cidr}
        if rng.random() < 0.5:
            pattern = "[" + comparison(rng, 0, None, world_hint) + "]"
        else:
            pattern = observation(rng, 0, world_hint)
        w = world_for(rng, types_in(pattern), cidr)
        if rng.random() < 0.03:
            broken(rng, w.objects)
        cases.append(("match-%04d" % i, pattern, shapes(rng, w.objects)))
    for i in range(TEMPORAL_COUNT):
        pattern = temporal(rng)
        if not pattern.startswith("["):
            pattern = pattern[1:-1] if pattern.endswith(")") and balanced(pattern[1:-1]) else pattern
        cases.append(("match-t%03d" % i, pattern, temporal_world(rng)))
    return cases


def balanced(text):
    """Whether parentheses outside string literals balance, never going negative."""
    depth, quoted = 0, False
    for i, c in enumerate(text):
        if c == "'" and (i == 0 or text[i - 1] != "\\"):
            quoted = not quoted
        elif not quoted and c in "()":
            depth += 1 if c == "(" else -1
            if depth < 0:
                return False
    return depth == 0


if __name__ == "__main__":
    for cid, p in check_cases()[:40]:
        print(cid, p)
    for cid, p, _ in match_cases()[:20]:
        print(cid, p)
