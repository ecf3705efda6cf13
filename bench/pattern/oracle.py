"""Replays the pattern benchmark workload through the OASIS tools and prints ratios.

Usage: oracle.py WORKLOAD.json CRITERION_DIR PY_SAMPLE

WORKLOAD.json comes from the Rust benchmark (PATTERN_BENCH_DUMP); CRITERION_DIR holds the
estimates criterion just wrote. One evaluation is one pattern matched against the whole
observation set; both sides parse the patterns before timing, and both take the observations
as JSON values each time (stix2-matcher as one bundle). Each Python timing is the median of
three passes, since one pass on a shared machine can be off by a third either way.
"""

import json
import pathlib
import statistics
import sys
import time

from stix2matcher.matcher import Pattern
from stix2patterns.v21.pattern import Pattern as ParsedPattern


def rust_seconds(criterion_dir, group, name):
    """Mean seconds per iteration of a criterion benchmark."""
    path = pathlib.Path(criterion_dir) / group / name / "new" / "estimates.json"
    return json.loads(path.read_text())["mean"]["point_estimate"] / 1e9


def per_second(count, seconds):
    return count / seconds if seconds > 0 else float("inf")


def timed(fn, passes=3):
    """Median seconds of one call of `fn` over `passes` calls."""
    times = []
    for _ in range(passes):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main():
    workload = json.loads(pathlib.Path(sys.argv[1]).read_text())
    criterion_dir, sample = sys.argv[2], int(sys.argv[3])
    bundle = [{"type": "bundle", "id": "bundle--00000000-0000-4000-8000-000000000000",
               "objects": workload["observations"]}]
    simple, complex_ = workload["simple"], workload["complex"]
    every = simple + complex_

    rows = []
    py_parse = timed(lambda: [ParsedPattern(p) for p in every])
    rust_parse = rust_seconds(criterion_dir, "parse", "validate_1014_patterns")
    rows.append(("parse (patterns/s)", per_second(len(every), rust_parse), per_second(len(every), py_parse)))

    compiled = [Pattern(p, "2.1") for p in simple[:sample]]
    py_simple = timed(lambda: [m.match(bundle) for m in compiled])
    rust_simple = rust_seconds(criterion_dir, "eval", "simple_1000x1000")
    rust_prepared = rust_seconds(criterion_dir, "eval", "simple_1000x1000_prepared")
    py_rate = per_second(len(compiled), py_simple)
    rows.append(("simple, matches() (evals/s)", per_second(len(simple), rust_simple), py_rate))
    rows.append(("simple, prepared (evals/s)", per_second(len(simple), rust_prepared), py_rate))

    compiled = [Pattern(p, "2.1") for p in complex_]
    py_complex = timed(lambda: [m.match(bundle) for m in compiled])
    rust_complex = rust_seconds(criterion_dir, "eval", "complex_x1000")
    rust_complex_prepared = rust_seconds(criterion_dir, "eval", "complex_x1000_prepared")
    py_rate = per_second(len(complex_), py_complex)
    rows.append(("complex, matches() (evals/s)", per_second(len(complex_), rust_complex), py_rate))
    rows.append(("complex, prepared (evals/s)", per_second(len(complex_), rust_complex_prepared), py_rate))

    print()
    print(f"{'workload':32} {'charter':>14} {'OASIS':>12} {'ratio':>10}")
    for name, ours, theirs in rows:
        print(f"{name:32} {ours:14,.0f} {theirs:12,.1f} {ours / theirs:9,.0f}x")
    print(f"(stix2-matcher timed on {len(simple[:sample])} of {len(simple)} simple patterns and all "
          f"{len(complex_)} complex ones; parse compared with stix2-patterns' parser)")


if __name__ == "__main__":
    main()
