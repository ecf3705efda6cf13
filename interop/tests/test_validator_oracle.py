"""Charter's validator against the OASIS stix2-validator, object by object.

`interop/validator/generate.py` makes over a thousand valid and invalid
objects; each is judged by `stix2validator.validate_instance` (default
options) and by `charter validate --format jsonl`. The verdicts must agree on
every object except those listed in `interop/validator/EXPECTED_DIFFERENCES.md`,
and that list must be exact: a listed case on which the two now agree fails
the test too, so the list cannot go stale. The ATT&CK for ICS bundles in
`tests/data/` must be valid for both, object by object.
"""

import importlib.util
import json
import pathlib
import re
import subprocess
import sys

from stix2validator import ValidationOptions, validate_instance

from conftest import DATA, INTEROP, charter_bin

VALIDATOR_DIR = INTEROP / "validator"
# generate.py imports bases.py from its own folder. It is loaded under its own
# name because other oracles in this suite have a generate.py of their own.
sys.path.insert(0, str(VALIDATOR_DIR))
_spec = importlib.util.spec_from_file_location("validator_generate", VALIDATOR_DIR / "generate.py")
generate = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(generate)

DIFFERENCES = VALIDATOR_DIR / "EXPECTED_DIFFERENCES.md"
ROW = re.compile(r"^\|\s*`([^`]+)`\s*\|\s*(valid|invalid)\s*\|\s*(valid|invalid)\s*\|\s*(.+?)\s*\|\s*$")


def oasis_verdict(obj) -> bool:
    """stix2-validator's verdict; an exception inside it counts as a rejection."""
    try:
        return validate_instance(obj, ValidationOptions()).is_valid
    except Exception:  # the validator raises on some malformed ids instead of reporting them
        return False


def charter_verdicts(objects, tmp_path: pathlib.Path) -> list:
    """Charter's verdicts, in order, from one run of `charter validate --format jsonl`."""
    binary = charter_bin()
    assert binary.exists(), f"build the charter binary first ({binary}), or set CHARTER_BIN"
    path = tmp_path / "objects.jsonl"
    path.write_text("".join(json.dumps(o, ensure_ascii=False) + "\n" for o in objects), encoding="utf-8")
    run = subprocess.run([str(binary), "validate", "--format", "jsonl", str(path)],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode in (0, 1), run.stderr
    lines = [json.loads(line) for line in run.stdout.splitlines() if line.strip()]
    assert len(lines) == len(objects), "one verdict per object"
    return lines


def expected_differences() -> dict:
    """case name -> (charter verdict, validator verdict, reason), from the table."""
    rows = {}
    for line in DIFFERENCES.read_text(encoding="utf-8").splitlines():
        m = ROW.match(line)
        if m:
            name, charter, oasis, reason = m.groups()
            assert name not in rows, f"{name} is listed twice"
            assert reason, f"{name} needs a reason"
            rows[name] = (charter == "valid", oasis == "valid", reason)
    return rows


def word(valid: bool) -> str:
    return "valid" if valid else "invalid"


def test_verdicts_agree_except_the_documented_differences(tmp_path):
    cases = generate.generate()
    assert len(cases) >= 300
    charter = charter_verdicts([obj for _, obj in cases], tmp_path)
    actual = {}
    agree = 0
    for (name, obj), line in zip(cases, charter):
        ours, theirs = line["valid"], oasis_verdict(obj)
        if ours == theirs:
            agree += 1
        else:
            actual[name] = (ours, theirs, line["errors"])
    expected = expected_differences()
    invalid = sum(1 for line in charter if not line["valid"])
    print(f"\nvalidator oracle: {len(cases)} objects ({invalid} invalid for Charter), "
          f"{agree} verdicts agree ({100.0 * agree / len(cases):.1f}%), {len(actual)} documented differences")
    unlisted = {n: f"charter {word(v[0])}, stix2-validator {word(v[1])}: {v[2]}"
                for n, v in actual.items() if n not in expected}
    stale = sorted(n for n in expected if n not in actual)
    wrong = {n: f"listed as charter {word(expected[n][0])}, stix2-validator {word(expected[n][1])}"
             for n in actual if n in expected and actual[n][:2] != expected[n][:2]}
    assert not unlisted, f"verdicts differ on cases not in EXPECTED_DIFFERENCES.md: {unlisted}"
    assert not stale, f"EXPECTED_DIFFERENCES.md lists cases on which the verdicts now agree: {stale}"
    assert not wrong, f"EXPECTED_DIFFERENCES.md has the verdicts wrong: {wrong}"


def test_attack_bundles_are_valid_for_both(tmp_path):
    for name in ("ics-attack-17.1.json", "ics-attack-18.1.json"):
        objects = json.loads((DATA / name).read_text(encoding="utf-8"))["objects"]
        charter = charter_verdicts(objects, tmp_path)
        charter_invalid = [line["id"] for line in charter if not line["valid"]]
        oasis_invalid = [o["id"] for o in objects if not oasis_verdict(o)]
        print(f"\n{name}: {len(objects)} objects; invalid for Charter {len(charter_invalid)}, "
              f"for stix2-validator {len(oasis_invalid)}")
        assert charter_invalid == [], charter_invalid[:5]
        assert oasis_invalid == [], oasis_invalid[:5]
