"""Seeded generator of the labelled corpus for Charter's privacy filter.

Writes crates/policy/test_data/privacy/corpus.jsonl, one snippet a line:

    {"text": "...", "expect": [{"kind": "email", "value": "..."}], "tag": "pos:email"}

`expect` lists every piece of personal data in the text, by kind and exact value; a hard
negative has an empty list. `tag` says which family the line was drawn from, so the test can
check that every kind and every hard-negative family is present.

The snippets are threat-report sentences, incident notes and malware-report paths with values
drawn from generators that follow each identifier's real rules (Luhn and issuer ranges for
cards, mod 97 for IBANs, the SSN area/group/serial rules, NINO prefixes, TFN weights, real
postcode areas, numbering plans) in the formats people write (spaces, dots, dashes,
`+44 (0)20 …`, `(555) 123-4567`, `04xx xxx xxx`, JSON-escaped paths, defanged e-mail). The hard
negatives are what threat reports are full of: hashes, IP addresses and ports, versions,
timestamps, CVE and ATT&CK ids, UUIDs, and near misses (Luhn-failing card numbers, IBANs with a
bad checksum, SSNs in unassigned ranges, unallocated NINO prefixes, built-in profile folders).
Hand-written tricky cases in handwritten.jsonl beside this script are appended as they are.

Run: python3 interop/privacy/gen_corpus.py   (deterministic: same seed, same file)
"""

import json
import os
import random
import string

SEED = 20240501
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
OUT = os.path.join(ROOT, "crates", "policy", "test_data", "privacy", "corpus.jsonl")
PER_KIND = 55
PER_NEGATIVE = 12
MIXED = 60

rng = random.Random(SEED)

FIRST = ["james", "mary", "john", "patricia", "robert", "jennifer", "michael", "linda", "david",
         "elizabeth", "william", "susan", "richard", "jessica", "priya", "mohammed", "olivia",
         "noah", "aroha", "liam", "chloe", "wei", "sofia", "oliver", "amelia", "jack", "isla",
         "harry", "grace", "thomas", "emily", "siobhan", "rhys", "nkechi", "mateo", "zara"]
LAST = ["smith", "jones", "taylor", "brown", "williams", "wilson", "johnson", "davies", "patel",
        "wright", "walker", "nguyen", "kelly", "murphy", "oconnor", "singh", "thompson", "white",
        "martin", "garcia", "roberts", "chen", "evans", "hughes", "edwards", "khan", "lee"]
DOMAINS = ["hospital.nhs.uk", "nhs.net", "council.gov.uk", "health.gov.au", "bank.com.au",
           "example.com", "example.org", "mail.example.co.uk", "water-utility.com",
           "gridops.example.net", "state.nsw.gov.au", "university.edu", "corp.example.com",
           "energy-co.com", "rail.example.co.uk", "clinic.org.au", "gmail.com", "outlook.com"]

FILLER = [
    "The actor used spear-phishing with a weaponised document to gain initial access.",
    "Persistence was established through a scheduled task named OneDriveUpdate.",
    "C2 traffic was observed over HTTPS with a self-signed certificate.",
    "The loader decrypts its payload with a single-byte XOR key.",
    "Defenders should block the listed domains at the proxy.",
    "The sample beacons every 300 seconds with 20 percent jitter.",
    "Lateral movement relied on stolen credentials and remote services.",
    "No exfiltration was confirmed before containment.",
    "The incident was escalated to the national CERT within four hours.",
    "Analysts recovered the dropper from the mail gateway quarantine.",
    "The ransom note demanded payment within 72 hours.",
    "Sector partners reported similar activity in the water sector.",
]


def pick(xs):
    return rng.choice(xs)


def digits(n):
    return "".join(rng.choice(string.digits) for _ in range(n))


def name_parts():
    return pick(FIRST), pick(LAST)


# ---------------------------------------------------------------- values of each kind

def email():
    f, l = name_parts()
    if l == "oconnor" and rng.random() < 0.5:
        l = "o'connor"
    local = pick([f"{f}.{l}", f"{f[0]}{l}", f"{f}_{l}", f"{l}.{f[0]}", f"{f}{rng.randint(1, 99)}",
                  f"{f}.{l}+{pick(['hr', 'it', 'finance'])}", f"{f[0]}.{l}"])
    domain = pick(DOMAINS)
    value = f"{local}@{domain}"
    style = rng.random()
    if style < 0.12:
        value = value.title()
    elif style < 0.22:
        # Threat reports defang addresses: the at sign, and one or every dot of the domain.
        dots = 1 if rng.random() < 0.5 else -1
        value = f"{local}[@]" + domain.replace(".", "[.]", dots)
    return value


def uk_phone():
    kind = rng.randrange(10)
    if kind == 9:
        return f"0044 20 7946 0{digits(3)}"
    if kind == 0:
        return f"020 7946 0{digits(3)}"
    if kind == 1:
        return f"+44 20 7946 0{digits(3)}"
    if kind == 2:
        return f"+44 (0)20 7946 0{digits(3)}"
    if kind == 3:
        return f"07700 900{digits(3)}"
    if kind == 4:
        return f"+44 7700 900{digits(3)}"
    if kind == 5:
        return f"0161 496 0{digits(3)}"
    if kind == 6:
        return f"(0161) 496 0{digits(3)}"
    if kind == 7:
        return f"0113-496-0{digits(3)}"
    return f"+447700900{digits(3)}"


def us_phone():
    area = f"{rng.randint(2, 9)}{rng.randint(0, 9)}{rng.randint(2, 9)}"
    exch = f"{rng.randint(2, 9)}{digits(2)}"
    line = digits(4)
    kind = rng.randrange(9)
    return [
        f"({area})-{exch}-{line}",
        f"({area}) {exch}-{line}",
        f"{area}-{exch}-{line}",
        f"{area}.{exch}.{line}",
        f"+1 {area} {exch} {line}",
        f"+1-{area}-{exch}-{line}",
        f"1-800-555-{line}",
        f"({area}){exch}-{line}",
        f"+1 ({area}) {exch}-{line}",
    ][kind]


def au_phone():
    kind = rng.randrange(9)
    return [
        f"04 {digits(4)} {digits(4)}",
        f"04{digits(2)} {digits(3)} {digits(3)}",
        f"+61 4{digits(2)} {digits(3)} {digits(3)}",
        f"(02) 9{digits(3)} {digits(4)}",
        f"02 9{digits(3)} {digits(4)}",
        f"+61 2 9{digits(3)} {digits(4)}",
        f"1300 {digits(3)} {digits(3)}",
        f"1800 {digits(3)} {digits(3)}",
        f"(03) 9{digits(3)} {digits(4)}",
    ][kind]


def phone():
    return pick([uk_phone, us_phone, au_phone])()


def ssn_digits():
    while True:
        area = rng.randint(1, 899)
        if area == 666:
            continue
        return f"{area:03d}", f"{rng.randint(1, 99):02d}", f"{rng.randint(1, 9999):04d}"


def ssn():
    a, g, s = ssn_digits()
    return pick([f"{a}-{g}-{s}", f"{a}-{g}-{s}", f"{a} {g} {s}"])


NINO_FIRST = [c for c in string.ascii_uppercase if c not in "DFIQUV"]
NINO_SECOND = [c for c in string.ascii_uppercase if c not in "DFIQUVO"]
NINO_BAD_PREFIX = {"BG", "GB", "NK", "KN", "TN", "NT", "ZZ"}


def nino():
    while True:
        prefix = pick(NINO_FIRST) + pick(NINO_SECOND)
        if prefix not in NINO_BAD_PREFIX:
            break
    d = digits(6)
    suffix = pick("ABCD")
    return pick([f"{prefix}{d}{suffix}", f"{prefix} {d[:2]} {d[2:4]} {d[4:]} {suffix}",
                 f"{prefix} {d} {suffix}"])


TFN_WEIGHTS = [1, 4, 3, 7, 5, 8, 6, 9, 10]


def tfn_number():
    while True:
        d = [rng.randint(0, 9) for _ in range(9)]
        if sum(a * w for a, w in zip(d, TFN_WEIGHTS)) % 11 == 0 and any(d):
            return "".join(map(str, d))


def tfn():
    d = tfn_number()
    return pick([f"{d[:3]} {d[3:6]} {d[6:]}", f"{d[:3]} {d[3:6]} {d[6:]}", f"{d[:3]}-{d[3:6]}-{d[6:]}"])


def luhn_complete(prefix, length):
    body = prefix + digits(length - len(prefix) - 1)
    for check in string.digits:
        if luhn_ok(body + check):
            return body + check
    raise AssertionError("a Luhn check digit always exists")


def luhn_ok(number):
    total = 0
    for i, ch in enumerate(reversed(number)):
        d = int(ch)
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def card_number():
    brand = rng.randrange(7)
    if brand == 0:
        return luhn_complete("4", 16), "4444"
    if brand == 1:
        return luhn_complete(str(rng.randint(51, 55)), 16), "4444"
    if brand == 2:
        return luhn_complete(str(rng.randint(2221, 2720)), 16), "4444"
    if brand == 3:
        return luhn_complete(pick(["34", "37"]), 15), "465"
    if brand == 4:
        return luhn_complete("6011", 16), "4444"
    if brand == 5:
        return luhn_complete(str(rng.randint(3528, 3589)), 16), "4444"
    return luhn_complete("36", 14), "464"


def group(number, layout, sep):
    out, at = [], 0
    for n in layout:
        out.append(number[at:at + int(n)])
        at += int(n)
    return sep.join(out)


def card():
    number, layout = card_number()
    style = rng.randrange(3)
    return [group(number, layout, " "), group(number, layout, "-"), number][style]


IBAN_BANKS = {  # country: (length, layout of the BBAN as (alphabet, count) runs)
    "GB": (22, [("A", 4), ("9", 14)]),
    "DE": (22, [("9", 18)]),
    "FR": (27, [("9", 10), ("X", 11), ("9", 2)]),
    "NL": (18, [("A", 4), ("9", 10)]),
    "ES": (24, [("9", 20)]),
    "IT": (27, [("A", 1), ("9", 10), ("X", 12)]),
    "IE": (22, [("A", 4), ("9", 14)]),
    "BE": (16, [("9", 12)]),
    "CH": (21, [("9", 5), ("X", 12)]),
    "NO": (15, [("9", 11)]),
    "PL": (28, [("9", 24)]),
}


def iban_check(country, bban):
    s = bban + country + "00"
    n = int("".join(str(int(c, 36)) for c in s))
    return f"{98 - n % 97:02d}"


def iban_parts():
    country = pick(sorted(IBAN_BANKS))
    _, runs = IBAN_BANKS[country]
    bban = ""
    for alphabet, count in runs:
        chars = {"A": string.ascii_uppercase, "9": string.digits,
                 "X": string.ascii_uppercase + string.digits}[alphabet]
        bban += "".join(rng.choice(chars) for _ in range(count))
    return country, bban


def print_format(compact):
    return " ".join(compact[i:i + 4] for i in range(0, len(compact), 4))


def iban():
    country, bban = iban_parts()
    compact = country + iban_check(country, bban) + bban
    return print_format(compact) if rng.random() < 0.6 else compact


POSTCODE_AREAS = ["AB", "B", "BS", "CF", "CR", "DN", "E", "EC", "EH", "G", "L", "LS", "M",
                  "N", "NE", "NW", "OX", "S", "SE", "SW", "W", "WC", "BT", "KT", "RG", "YO"]
UNIT_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"


def postcode():
    area = pick(POSTCODE_AREAS)
    district = str(rng.randint(1, 9)) if len(area) == 1 or rng.random() < 0.6 else str(rng.randint(10, 29))
    if area in ("EC", "WC", "SW", "W", "N", "E") and rng.random() < 0.4:
        district = str(rng.randint(1, 9)) + pick("ABCMNPRVWXY")
    inward = str(rng.randint(0, 9)) + pick(UNIT_LETTERS) + pick(UNIT_LETTERS)
    code = f"{area}{district} {inward}" if rng.random() < 0.85 else f"{area}{district}{inward}"
    return code.lower() if rng.random() < 0.08 else code


STREETS = ["Main", "Oak", "Maple", "Pennsylvania", "Elm", "Cedar", "Washington", "Lake", "Hill",
           "Park", "Sunset", "Lincoln", "Jefferson", "Willow", "Highland", "River", "Church",
           "Mill", "Spring", "Franklin", "5th", "42nd", "3rd", "Martin Luther King", "North Oak",
           "Old Mill", "Evergreen"]
SUFFIXES = ["Street", "St", "St.", "Avenue", "Ave", "Ave.", "Road", "Rd", "Boulevard", "Blvd",
            "Lane", "Ln", "Drive", "Dr.", "Court", "Way", "Place", "Terrace", "Parkway"]
CITIES = [("Springfield", "IL", "62704"), ("Austin", "TX", "78701"), ("Arlington", "VA", "22201"),
          ("Columbus", "OH", "43215"), ("Denver", "CO", "80202"), ("Seattle", "WA", "98101"),
          ("San Diego", "CA", "92101"), ("Boston", "MA", "02108"), ("Tampa", "FL", "33602"),
          ("Salt Lake City", "UT", "84101")]


def us_address():
    direction = pick(["", "", "", "N ", "W. ", "South "])
    line = f"{rng.randint(1, 9999)} {direction}{pick(STREETS)} {pick(SUFFIXES)}"
    if rng.random() < 0.2:
        line += " " + pick(["NW", "NE", "SW", "SE"])
    if rng.random() < 0.2:
        line += pick([f", Apt {rng.randint(1, 40)}{pick('ABCD')}", f", Suite {rng.randint(100, 900)}",
                      f" #{rng.randint(1, 99)}"])
    if rng.random() < 0.5:
        city, state, zip_code = pick(CITIES)
        line += f", {city}, {state} {zip_code}"
        if rng.random() < 0.2:
            line += f"-{digits(4)}"
    return line


def user_name():
    f, l = name_parts()
    return pick([f"{f[0]}{l}", f"{f}.{l}", f"{f.title()}{l.title()}", f"{l}{f[0]}{rng.randint(1, 99)}",
                 f"{f}_{l}", f"{f[0].upper()}{l.title()}", f"{f.title()} {l.title()}", f"{f[0]}{l}.CORP"])


def profile_path():
    """A path with a user name in it: (path, name)."""
    name = user_name()
    tail_win = pick([r"\AppData\Local\Temp\svchost.exe", r"\AppData\Roaming\Microsoft\Windows\Start Menu\Programs\Startup\update.lnk",
                     r"\Downloads\invoice_0424.zip", r"\Desktop\HOW_TO_DECRYPT.txt", r"\Documents\payroll.xlsx",
                     r"\AppData\Local\Google\Chrome\User Data\Default\Login Data"])
    style = rng.randrange(6)
    if " " in name and style in (3, 4, 5):
        style = 0
    if style == 0:
        return f"C:\\Users\\{name}{tail_win}", name
    if style == 1:
        return f"C:\\\\Users\\\\{name}{tail_win.replace(chr(92), chr(92) * 2)}", name
    if style == 2:
        return f"c:\\users\\{name}{tail_win}", name
    if style == 3:
        return f"/home/{name}/{pick(['.ssh/id_rsa', '.bash_history', '.config/autostart/x.desktop', 'Downloads/kit.tar.gz'])}", name
    if style == 4:
        return f"/Users/{name}/Library/LaunchAgents/com.apple.updater.plist", name
    return f"C:\\Documents and Settings\\{name}\\Local Settings\\Temp\\a.exe", name


# ---------------------------------------------------------------- sentences around values

TEMPLATES = {
    "email": [
        "The phishing mail to {v} carried a macro-enabled attachment.",
        "Credential harvesting page captured the login of {v} at 09:14 UTC.",
        "Reported by the mailbox owner ({v}) after the second lure arrived.",
        "From: \"Payroll Team\" <{v}> Subject: Updated bank details",
        "The victim, reachable at {v}, confirmed the MFA prompt was not hers.",
        "{{\"recipient\": \"{v}\", \"verdict\": \"malicious\"}}",
        "mailto:{v}",
        "Forwarding rule sent copies of all inbound mail to {v}.",
    ],
    "phone": [
        "The caller left a callback number {v} and claimed to be from IT support.",
        "Vishing call to the finance desk on {v} preceded the wire request.",
        "SMS lure sent to the employee's mobile {v} linked to a fake login page.",
        "Tel: {v}",
        "Please contact the duty officer on {v} for escalation.",
        "The attacker requested a SIM swap for {v} at 14:02.",
        "Staff member (mobile {v}) received a fake parcel-delivery text.",
    ],
    "us-ssn": [
        "The exfiltrated W-2 file listed SSN {v} for a payroll employee.",
        "The breach notice confirmed that {v} was among the exposed records.",
        "Spreadsheet row: name redacted, SSN {v}, date of hire 2019.",
        "Fraudulent tax return filed using {v}.",
        "Customer record with social security number {v} appeared on the leak site.",
    ],
    "uk-nino": [
        "The payroll export included the National Insurance number {v}.",
        "HR confirmed NI number {v} belongs to a current member of staff.",
        "A fraudulent claim was submitted with NINO {v}.",
        "Leaked file contains employee ID 44821, NI {v}, salary band C.",
    ],
    "au-tfn": [
        "The stolen onboarding form carried TFN {v}.",
        "ATO was notified that tax file number {v} was exposed in the breach.",
        "The scanned document showed the employee's tax file number as {v}.",
        "Leaked superannuation records included {v} for one member.",
    ],
    "payment-card": [
        "Skimmer logs contained the card number {v} with expiry 09/27.",
        "The carding forum post listed {v} alongside the holder's postcode.",
        "Magecart script exfiltrated card={v} to the attacker's collector.",
        "Customer reported unauthorised charges on {v} after the breach.",
        "Dump sample: {v} | 12/26 | 123",
    ],
    "iban": [
        "BEC fraud: the payment was diverted to {v} after the supplier's mailbox was compromised.",
        "The fake invoice asked for payment to IBAN {v}.",
        "Mule account {v} received three transfers within an hour.",
        "Updated bank details (IBAN: {v}) were sent from a look-alike domain.",
    ],
    "uk-postcode": [
        "The victim's home postcode {v} was included in the leaked CSV.",
        "Delivery-scam texts targeted residents around {v}.",
        "The device was registered to an address in {v}.",
        "Customer records with postcode {v} were accessed without authorisation.",
    ],
    "us-address": [
        "The phishing kit shipped stolen goods to {v}.",
        "The victim's residence at {v} was listed in the dox.",
        "Gift cards were to be mailed to {v} according to the lure.",
        "Billing address on file: {v}.",
    ],
    "path-username": [
        "The dropper wrote {v} and executed it.",
        "Persistence: HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Run points to {v}",
        "Sysmon event 11 recorded file creation at {v}.",
        "The stealer read {v} before exfiltration.",
        "\"TargetFilename\": \"{v}\"",
    ],
}

GENERATORS = {"email": email, "phone": phone, "us-ssn": ssn, "uk-nino": nino, "au-tfn": tfn,
              "payment-card": card, "iban": iban, "uk-postcode": postcode, "us-address": us_address}


def keyword_variants(kind):
    """Bare numbers after a keyword, a form the kinds below are written in."""
    if kind == "us-ssn":
        a, g, s = ssn_digits()
        v = a + g + s
        return pick([f"SSN: {v}", f"SSN {v}", f"ssn={v}"]), v
    if kind == "au-tfn":
        v = tfn_number()
        return pick([f"TFN: {v}", f"tax file number {v}"]), v
    return None


def positive(kind):
    if kind == "path-username":
        path, name = profile_path()
        text = pick(TEMPLATES[kind]).format(v=path)
        return text, [{"kind": kind, "value": name}]
    if kind in ("us-ssn", "au-tfn") and rng.random() < 0.15:
        phrase, v = keyword_variants(kind)
        return f"Record {rng.randint(100, 999)}: {phrase}, flagged in the leak.", [{"kind": kind, "value": v}]
    v = GENERATORS[kind]()
    text = pick(TEMPLATES[kind]).format(v=v)
    if rng.random() < 0.4:
        text = pick(FILLER) + " " + text if rng.random() < 0.5 else text + " " + pick(FILLER)
    return text, [{"kind": kind, "value": v}]


# ---------------------------------------------------------------- hard negatives

def hexs(n, upper=False):
    s = "".join(rng.choice("0123456789abcdef") for _ in range(n))
    return s.upper() if upper else s


def ipv4():
    return ".".join(str(rng.randint(1, 254)) for _ in range(4))


def uuid():
    return f"{hexs(8)}-{hexs(4)}-4{hexs(3)}-{pick('89ab')}{hexs(3)}-{hexs(12)}"


def luhn_failing():
    number, layout = card_number()
    bad = number[:-1] + str((int(number[-1]) + rng.randint(1, 9)) % 10)
    return pick([group(bad, layout, " "), group(bad, layout, "-"), bad])


def bad_iban():
    country, bban = iban_parts()
    check = iban_check(country, bban)
    wrong = f"{(int(check) + rng.randint(1, 50)) % 97 + 2:02d}"
    if wrong == check:
        wrong = f"{(int(check) + 1) % 97 + 2:02d}"
    compact = country + wrong + bban
    return print_format(compact) if rng.random() < 0.6 else compact


def bad_ssn():
    a, g, s = ssn_digits()
    which = rng.randrange(5)
    if which == 0:
        a = "000"
    elif which == 1:
        a = "666"
    elif which == 2:
        a = str(rng.randint(900, 999))
    elif which == 3:
        g = "00"
    else:
        s = "0000"
    return f"{a}-{g}-{s}"


def bad_nino():
    d = digits(6)
    which = rng.randrange(3)
    if which == 0:
        prefix = pick(sorted(NINO_BAD_PREFIX))
    elif which == 1:
        prefix = pick("DFIQUV") + pick(NINO_SECOND)
    else:
        prefix = pick(NINO_FIRST) + "O"
    return f"{prefix}{d}{pick('ABCD')}"


def bad_tfn():
    while True:
        d = "".join(str(rng.randint(0, 9)) for _ in range(9))
        if sum(int(a) * w for a, w in zip(d, TFN_WEIGHTS)) % 11 != 0:
            return f"{d[:3]} {d[3:6]} {d[6:]}"


def timestamp():
    y, mo, d = rng.randint(2019, 2025), rng.randint(1, 12), rng.randint(1, 28)
    h, mi, s = rng.randint(0, 23), rng.randint(0, 59), rng.randint(0, 59)
    return pick([f"{y}-{mo:02d}-{d:02d}T{h:02d}:{mi:02d}:{s:02d}Z",
                 f"{y}-{mo:02d}-{d:02d}T{h:02d}:{mi:02d}:{s:02d}.{rng.randint(0, 999):03d}Z",
                 f"{y}-{mo:02d}-{d:02d} {h:02d}:{mi:02d}:{s:02d}",
                 f"{d:02d}/{mo:02d}/{y} {h:02d}:{mi:02d}",
                 f"{d:02d}.{mo:02d}.{y}",
                 str(rng.randint(1_550_000_000, 1_750_000_000)),
                 str(rng.randint(1_550_000_000_000, 1_750_000_000_000))])


NEGATIVES = {
    "sha256": lambda: f"The payload (SHA-256 {hexs(64, rng.random() < 0.3)}) was submitted to the sandbox.",
    "sha1": lambda: f"SHA1: {hexs(40)} matched the loader seen in March.",
    "md5": lambda: f"MD5 {hexs(32, rng.random() < 0.5)} is a known dropper.",
    "ip-port": lambda: f"Beacon to {ipv4()}:{rng.randint(1024, 65535)} every 60 s; fallback {ipv4()}.",
    "ip-cidr": lambda: f"Block {ipv4()}/{rng.randint(8, 32)} and {ipv4()} at the perimeter.",
    "ipv6": lambda: f"Also seen from 2001:db8:{hexs(4)}:{hexs(4)}::{hexs(3)} over IPv6.",
    "version": lambda: pick([f"Affected versions v{rng.randint(1, 9)}.{rng.randint(0, 20)}.{rng.randint(0, 99)} and earlier.",
                             f"Windows build 10.0.{rng.randint(17000, 22631)}.{rng.randint(1000, 4000)} is vulnerable.",
                             f"Chrome {rng.randint(100, 130)}.0.{rng.randint(4000, 6999)}.{rng.randint(10, 250)} fixes it.",
                             f"Upgrade to {rng.randint(1, 20)}.{rng.randint(0, 9)}.{rng.randint(0, 9)}-{pick(['beta', 'rc1', 'lts'])}."]),
    "timestamp": lambda: f"First seen {timestamp()}, last seen {timestamp()}.",
    "cve": lambda: f"Exploitation of CVE-{rng.randint(2014, 2025)}-{rng.randint(1000, 49999)} and CVE-{rng.randint(2014, 2025)}-{rng.randint(1000, 9999)} was observed.",
    "attack-id": lambda: f"Techniques: T{rng.randint(1001, 1659)}.{rng.randint(1, 12):03d}, T{rng.randint(1001, 1659)}, TA{rng.randint(1, 43):04d}, S{rng.randint(1, 1200):04d}, G{rng.randint(1, 1100):04d}.",
    "port": lambda: f"Listening on port {rng.randint(1, 65535)}/tcp and {rng.randint(1, 65535)}/udp; proxy at 0.0.0.0:{rng.randint(1024, 65535)}.",
    "uuid": lambda: f"Object id indicator--{uuid()} replaces {uuid().upper()}.",
    "luhn-fail": lambda: f"The string {luhn_failing()} in the config is not a valid card number.",
    "iban-bad-checksum": lambda: f"The invoice quoted {bad_iban()}, which fails validation.",
    "ssn-invalid": lambda: f"Test record uses {bad_ssn()} as a placeholder.",
    "nino-invalid": lambda: f"Sample data contains {bad_nino()} which is not an allocated NI number.",
    "tfn-bad-checksum": lambda: f"The form field read {bad_tfn()}.",
    "builtin-profile": lambda: pick([r"Dropped to C:\Users\Public\Documents\a.dll.",
                                     r"Copied into C:\Users\Default\AppData\Local\Temp\x.exe.",
                                     r"Written to C:\Users\All Users\Microsoft\Crypto\key.dat.",
                                     r"Path pattern C:\Users\%USERNAME%\AppData\Roaming\*.exe.",
                                     r"Staged under C:\ProgramData\Microsoft\Windows\Start Menu.",
                                     "Config at /etc/ssh/sshd_config and /var/log/auth.log.",
                                     "The web shell was fetched from https://cdn.example.net/home/index.php."]),
    "file-at-name": lambda: f"Resources include icon@2x.png and logo@{rng.randint(2, 4)}x.jpg.",
    "mac-address": lambda: f"Device MAC {':'.join(hexs(2).upper() for _ in range(6))} joined the VLAN.",
    "hex-offset": lambda: f"Shellcode at offset 0x{hexs(8)} jumps to 0x{hexs(12)}.",
    "event-id": lambda: f"Event ID {pick(['4624', '4688', '7045', '1102'])} for PID {rng.randint(100, 65000)} at size {rng.randint(10_000, 9_999_999)} bytes.",
    "registry": lambda: r"Run key HKLM\Software\Microsoft\Windows\CurrentVersion\Run\Updater added.",
    "oid": lambda: f"Certificate policy OID 1.3.6.1.4.1.{rng.randint(100, 60000)}.{rng.randint(1, 99)}.{rng.randint(1, 9)}.",
    "snort-sid": lambda: f"alert tcp any any -> any 443 (msg:\"beacon\"; sid:{rng.randint(1000000, 3999999)}; rev:{rng.randint(1, 9)};)",
    "kb-ms": lambda: f"Apply KB{rng.randint(4000000, 5099999)} (MS{rng.randint(10, 17)}-{rng.randint(1, 150):03d}).",
    "coordinates": lambda: f"Geolocated near {rng.uniform(-60, 60):.4f}, {rng.uniform(-150, 150):.4f}.",
    "bitcoin": lambda: "Ransom wallet bc1q" + "".join(rng.choice("023456789acdefghjklmnpqrstuvwxyz") for _ in range(38)) + ".",
    "windows-sid": lambda: f"Owner SID S-1-5-21-{rng.randint(10**9, 4 * 10**9)}-{rng.randint(10**9, 4 * 10**9)}-{rng.randint(10**7, 10**9)}-{rng.randint(1000, 1200)}.",
    "luhn-unknown-iin": lambda: f"Tracking reference {luhn_complete(pick(['1', '8', '9', '0']), 16)} was in the e-mail.",
    "ticket-id": lambda: f"See {pick(['INC', 'CHG', 'RITM'])}{rng.randint(1, 99999):07d} and SEC-{rng.randint(100, 9999)}.",
    "scp-remote": lambda: f"Pushed to {pick(['git', 'deploy'])}@{pick(['github.com', 'gitlab.example.com'])}:{pick(['org', 'ops'])}/tooling.git by the CI job.",
    "price": lambda: f"The ransom was {pick(['$', '£', 'A$'])}{rng.randint(1, 999)},{rng.randint(0, 999):03d}.{rng.randint(0, 99):02d} in Monero.",
    "asn": lambda: f"Hosting in AS{rng.randint(1000, 400000)} ({pick(['DE', 'NL', 'US'])}).",
}


def negative(tag):
    return NEGATIVES[tag](), []


# ---------------------------------------------------------------- mixed snippets

def mixed():
    kinds = rng.sample(sorted(TEMPLATES), rng.randint(2, 3))
    texts, expect = [], []
    for kind in kinds:
        text, exp = positive(kind)
        texts.append(text)
        expect += exp
    for _ in range(rng.randint(1, 2)):
        texts.insert(rng.randrange(len(texts) + 1), negative(pick(sorted(NEGATIVES)))[0])
    return " ".join(texts), expect


def main():
    lines = []
    for kind in TEMPLATES:
        for _ in range(PER_KIND):
            text, expect = positive(kind)
            lines.append({"text": text, "expect": expect, "tag": f"pos:{kind}"})
    for tag in NEGATIVES:
        for _ in range(PER_NEGATIVE):
            text, expect = negative(tag)
            lines.append({"text": text, "expect": expect, "tag": f"neg:{tag}"})
    for _ in range(MIXED):
        text, expect = mixed()
        lines.append({"text": text, "expect": expect, "tag": "mixed"})
    with open(os.path.join(HERE, "handwritten.jsonl"), encoding="utf-8") as f:
        for line in f:
            if line.strip():
                lines.append(json.loads(line))
    for entry in lines:
        for e in entry["expect"]:
            assert e["value"] in entry["text"], entry
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w", encoding="utf-8") as f:
        for entry in lines:
            f.write(json.dumps(entry, ensure_ascii=False) + "\n")
    print(f"wrote {len(lines)} snippets to {os.path.relpath(OUT, ROOT)}")


if __name__ == "__main__":
    main()
