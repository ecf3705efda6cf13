"""Charter's pattern language against the OASIS tools, case by case.

`interop/pattern/generate.py` makes over a thousand patterns (well-formed, broken by
mutations, and hand-picked) and over a thousand (pattern, observations) cases. Every pattern
is judged by `stix2patterns.validator.run_validator` and by `charter pattern check` (JSON Lines,
one process for the whole batch); every match case by `stix2matcher.matcher.match` and by
`charter pattern match`. Each comparison must agree on at least 99 % of the cases, and every
disagreement must be listed in `interop/pattern/KNOWN_DIFFERENCES.md` with its reason. The list
must be exact: a listed case on which the two now agree, or whose verdicts changed, fails too.
"""

import json
import re
import subprocess
import sys

from stix2matcher.matcher import match as oasis_match
from stix2patterns.validator import run_validator

from conftest import INTEROP, charter_bin

PATTERN_DIR = INTEROP / "pattern"
sys.path.insert(0, str(PATTERN_DIR))

import generate  # noqa: E402  (found through the path set just above)

DIFFERENCES = PATTERN_DIR / "KNOWN_DIFFERENCES.md"
ENTRY = re.compile(
    r"^- `((?:check|match)-[\w-]+)`: charter (valid|invalid|true|false|error), "
    r"(?:stix2-patterns|stix2-matcher) (valid|invalid|true|false|error)\. (\S.*)$"
)
MIN_AGREEMENT = 0.99


def run_charter(args, lines):
    """Runs one `charter pattern …` process over JSON Lines and returns its answers in order."""
    binary = charter_bin()
    assert binary.exists(), f"build the charter binary first ({binary}), or set CHARTER_BIN"
    stdin = "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines)
    run = subprocess.run([str(binary), "pattern", *args], input=stdin, capture_output=True,
                         text=True, timeout=300)
    assert run.returncode in (0, 1), run.stderr
    answers = [json.loads(line) for line in run.stdout.splitlines() if line.strip()]
    assert len(answers) == len(lines), "one answer per input line"
    return answers


def oasis_check(pattern):
    """stix2-patterns' verdict; an exception inside the validator counts as a rejection."""
    try:
        return "valid" if not run_validator(pattern, "2.1") else "invalid"
    except Exception:  # the validator raises on e.g. negative list indexes and on ''
        return "invalid"


def oasis_match_verdict(pattern, observed):
    """stix2-matcher's verdict. It takes bundles, so loose objects go into one bundle."""
    loose = [o for o in observed if o.get("type") != "bundle"]
    bundles = [o for o in observed if o.get("type") == "bundle"]
    if loose or not bundles:
        bundles.append({"type": "bundle", "id": "bundle--00000000-0000-4000-8000-0000000000ff",
                        "objects": loose})
    try:
        return "true" if oasis_match(pattern, bundles, stix_version="2.1") else "false"
    except Exception:  # the matcher reports bad patterns and observations by raising
        return "error"


def listed(kind):
    """case id -> (charter verdict, oracle verdict, reason) for `kind` ('check' or 'match')."""
    entries = {}
    for line in DIFFERENCES.read_text(encoding="utf-8").splitlines():
        m = ENTRY.match(line)
        if m and m.group(1).startswith(kind + "-"):
            case, ours, theirs, reason = m.groups()
            assert case not in entries, f"{case} is listed twice"
            entries[case] = (ours, theirs, reason)
    return entries


def compare(kind, verdicts):
    """Asserts the agreement rate and that the disagreements are exactly the listed ones."""
    disagreements = {case: (ours, theirs) for case, ours, theirs in verdicts if ours != theirs}
    rate = 1 - len(disagreements) / len(verdicts)
    print(f"{kind}: {len(verdicts)} cases, {len(verdicts) - len(disagreements)} agree ({rate:.2%})")
    expected = {case: (ours, theirs) for case, (ours, theirs, _) in listed(kind).items()}
    unlisted = sorted(set(disagreements) - set(expected))
    stale = sorted(set(expected) - set(disagreements))
    changed = sorted(c for c in set(expected) & set(disagreements) if expected[c] != disagreements[c])
    assert not unlisted, "disagreements missing from KNOWN_DIFFERENCES.md:\n" + "\n".join(
        f"- `{c}`: charter {disagreements[c][0]}, oracle {disagreements[c][1]}" for c in unlisted)
    assert not stale, f"listed cases that now agree: {stale}"
    assert not changed, f"listed cases whose verdicts changed: {changed}"
    assert rate >= MIN_AGREEMENT, f"{kind} agreement {rate:.2%} is below {MIN_AGREEMENT:.0%}"


def test_check_agrees_with_stix2_patterns():
    cases = generate.check_cases()
    assert len(cases) >= 1000
    answers = run_charter(["check"], [{"pattern": p} for _, p in cases])
    verdicts = []
    for (case, pattern), answer in zip(cases, answers):
        ours = "valid" if answer["valid"] else "invalid"
        verdicts.append((case, ours, oasis_check(pattern)))
    valid = sum(1 for _, ours, _ in verdicts if ours == "valid")
    assert 0.25 * len(cases) < valid < 0.75 * len(cases), "the cases mix valid and invalid patterns"
    compare("check", verdicts)


def test_match_agrees_with_stix2_matcher():
    cases = generate.match_cases()
    assert len(cases) >= 1000
    answers = run_charter(["match"], [{"pattern": p, "observed_data": o} for _, p, o in cases])
    verdicts = []
    for (case, pattern, observed), answer in zip(cases, answers):
        ours = "error" if "error" in answer else ("true" if answer["matched"] else "false")
        verdicts.append((case, ours, oasis_match_verdict(pattern, observed)))
    matched = sum(1 for _, ours, _ in verdicts if ours == "true")
    assert 0.2 * len(cases) < matched < 0.8 * len(cases), "the cases mix matches and misses"
    compare("match", verdicts)


def test_cli_single_pattern_shapes(tmp_path):
    """`charter pattern check PATTERN` and `charter pattern match PATTERN --observed FILE`."""
    binary = str(charter_bin())
    ok = subprocess.run([binary, "pattern", "check", "[ipv4-addr:value = '198.51.100.7']"],
                        capture_output=True, text=True, timeout=60)
    assert (ok.returncode, ok.stdout) == (0, "valid\n")
    bad = subprocess.run([binary, "pattern", "check", "[ipv4-addr:value = ]"],
                         capture_output=True, text=True, timeout=60)
    assert bad.returncode == 1
    assert bad.stdout.splitlines()[1:] == ["  [ipv4-addr:value = ]", "                     ^"]
    observed = generate.spec_world()
    path = tmp_path / "observed.json"
    path.write_text(json.dumps({"type": "bundle", "id": "bundle--00000000-0000-4000-8000-000000000001",
                                "objects": observed}), encoding="utf-8")
    for pattern, status in (("[file:name = 'evil.exe']", 0), ("[file:name = 'calc.exe']", 1)):
        run = subprocess.run([binary, "pattern", "match", pattern, "--observed", str(path)],
                             capture_output=True, text=True, timeout=60)
        expected = oasis_match_verdict(pattern, observed)
        assert json.loads(run.stdout) == {"matched": expected == "true"}
        assert run.returncode == status
