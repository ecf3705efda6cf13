"""Charter's privacy detector against Microsoft Presidio's analyzer (pattern recognizers only),
on the same labelled corpus and the same benchmark text. Called by bench/privacy/run.

    compare.py CORPUS CHARTER_FINDINGS CHARTER_SCAN_JSON BENCH_TEXT PRESIDIO_MB

CHARTER_FINDINGS is the output of `privacy_file corpus` (one JSON list of byte-offset findings
per corpus line) and CHARTER_SCAN_JSON the line `privacy_file scan` printed for BENCH_TEXT.

Presidio runs without an NLP engine: its spaCy models cannot be downloaded here, so each
predefined recognizer is called directly with `nlp_artifacts=None`, which also means no
context words raise or lower scores. Every result it returns counts, whatever its score (the
analyzer's default threshold is 0). tldextract, which the e-mail recognizer uses, is pointed at
its bundled suffix list so that nothing is fetched.

Scoring is the same for both engines: a finding matches a label when the kinds agree and the
spans overlap (Presidio's boundaries differ from the labels by a character now and then, and
exact matching would punish that more than the data does); exact-span recall is printed too.

Prints a table and one JSON summary line; exits 1 if Charter's recall is below Presidio's on a
kind both detect, or Charter is less than 100 times faster per MB.
"""

import json
import sys
import time

import tldextract

tldextract.extract = tldextract.TLDExtract(suffix_list_urls=())

from presidio_analyzer.predefined_recognizers import (  # noqa: E402
    AuTfnRecognizer,
    CreditCardRecognizer,
    EmailRecognizer,
    IbanRecognizer,
    PhoneRecognizer,
    UkNinoRecognizer,
    UkPostcodeRecognizer,
    UsSsnRecognizer,
)

KINDS = ["email", "phone", "us-ssn", "uk-nino", "au-tfn", "payment-card", "iban", "uk-postcode",
         "us-address", "path-username"]
PRESIDIO_KIND = {"EMAIL_ADDRESS": "email", "PHONE_NUMBER": "phone", "US_SSN": "us-ssn",
                 "UK_NINO": "uk-nino", "AU_TFN": "au-tfn", "CREDIT_CARD": "payment-card",
                 "IBAN_CODE": "iban", "UK_POSTCODE": "uk-postcode"}


def recognizers():
    return [EmailRecognizer(), PhoneRecognizer(supported_regions=("US", "GB", "AU")),
            UsSsnRecognizer(), UkNinoRecognizer(), AuTfnRecognizer(), CreditCardRecognizer(),
            IbanRecognizer(), UkPostcodeRecognizer()]


def presidio_findings(recs, text):
    out = []
    for r in recs:
        for res in r.analyze(text, r.supported_entities, None):
            kind = PRESIDIO_KIND.get(res.entity_type)
            if kind:
                out.append((kind, res.start, res.end))
    return out


def labels(entry):
    text, spans, taken = entry["text"], [], set()
    for e in entry["expect"]:
        start = text.find(e["value"])
        while start in taken:
            start = text.find(e["value"], start + 1)
        taken.add(start)
        spans.append((e["kind"], start, start + len(e["value"])))
    return spans


def char_offset(text, byte_offset):
    return len(text.encode("utf-8")[:byte_offset].decode("utf-8"))


def score(corpus, found_per_line):
    tally = {k: {"tp": 0, "fn": 0, "fp": 0, "exact": 0} for k in KINDS}
    for entry, found in zip(corpus, found_per_line):
        used = [False] * len(found)
        for kind, s, e in labels(entry):
            hit = next((i for i, (k, fs, fe) in enumerate(found)
                        if not used[i] and k == kind and fs < e and s < fe), None)
            if hit is None:
                tally[kind]["fn"] += 1
            else:
                used[hit] = True
                tally[kind]["tp"] += 1
                tally[kind]["exact"] += found[hit][1:] == (s, e)
        for (k, _, _), u in zip(found, used):
            if not u:
                tally[k]["fp"] += 1
    for t in tally.values():
        t["recall"] = t["tp"] / max(1, t["tp"] + t["fn"])
        t["exact_recall"] = t["exact"] / max(1, t["tp"] + t["fn"])
        t["precision"] = t["tp"] / max(1, t["tp"] + t["fp"])
    return tally


def main():
    corpus_path, charter_path, scan_path, text_path, presidio_mb = sys.argv[1:6]
    with open(corpus_path, encoding="utf-8") as f:
        corpus = [json.loads(line) for line in f if line.strip()]
    with open(charter_path, encoding="utf-8") as f:
        charter_raw = [json.loads(line) for line in f if line.strip()]
    charter = [[(x["kind"], char_offset(e["text"], x["start"]), char_offset(e["text"], x["end"]))
                for x in found] for e, found in zip(corpus, charter_raw)]
    with open(scan_path, encoding="utf-8") as f:
        scan = json.loads(f.read())

    recs = recognizers()
    presidio = [presidio_findings(recs, e["text"]) for e in corpus]
    c_tally, p_tally = score(corpus, charter), score(corpus, presidio)

    with open(text_path, encoding="utf-8") as f:
        text = f.read(int(float(presidio_mb) * 1_000_000))
    slice_mb = len(text.encode("utf-8")) / 1e6
    started, started_cpu = time.perf_counter(), time.thread_time()
    presidio_hits = len(presidio_findings(recs, text))
    presidio_seconds = time.perf_counter() - started
    presidio_cpu = time.thread_time() - started_cpu
    presidio_mbps = slice_mb / presidio_seconds
    presidio_cpu_mbps = slice_mb / presidio_cpu

    print(f"labelled corpus: {len(corpus)} snippets (overlap matching; exact-span recall in brackets)")
    print(f"{'kind':<14} {'charter recall':>16} {'precision':>9}   {'presidio recall':>16} {'precision':>9}")
    failed = []
    for k in KINDS:
        c, p = c_tally[k], p_tally[k]
        both = k in PRESIDIO_KIND.values()
        p_text = f"{p['recall']:.3f} [{p['exact_recall']:.3f}]  {p['precision']:9.3f}" if both else f"{'-':>16} {'-':>9}"
        print(f"{k:<14} {c['recall']:.3f} [{c['exact_recall']:.3f}]  {c['precision']:9.3f}   {p_text}")
        if both and c["recall"] < p["recall"]:
            failed.append(f"{k}: Charter recall {c['recall']:.3f} < Presidio {p['recall']:.3f}")
    # CPU time of the scanning thread is the per-core figure; wall time on a
    # shared machine also counts the time spent waiting for a core.
    ratio = scan["whole_cpu_mb_per_s"] / presidio_cpu_mbps
    print()
    print(f"Charter : {scan['bytes'] / 1e6:.1f} MB, one thread: {scan['whole_cpu_mb_per_s']:.1f} MB/s of CPU time "
          f"({scan['whole_mb_per_s']:.1f} MB/s wall) on the whole text, {scan['lines_cpu_mb_per_s']:.1f} MB/s "
          f"({scan['lines_mb_per_s']:.1f} wall) line by line; {scan['findings']} findings")
    print(f"Presidio: {slice_mb:.1f} MB, 8 recognizers on the whole slice: {presidio_cpu_mbps:.3f} MB/s of CPU time "
          f"({presidio_mbps:.3f} MB/s wall); {presidio_hits} results")
    print(f"ratio   : {ratio:.0f}x per core (whole text); "
          f"{scan['lines_cpu_mb_per_s'] / presidio_cpu_mbps:.0f}x with Charter line by line")
    if ratio < 100:
        failed.append(f"Charter is only {ratio:.0f}x faster than Presidio")
    print(json.dumps({"charter": c_tally, "presidio": {k: p_tally[k] for k in PRESIDIO_KIND.values()},
                      "charter_cpu_mb_per_s": scan["whole_cpu_mb_per_s"],
                      "charter_wall_mb_per_s": scan["whole_mb_per_s"],
                      "charter_lines_cpu_mb_per_s": scan["lines_cpu_mb_per_s"],
                      "presidio_cpu_mb_per_s": presidio_cpu_mbps,
                      "presidio_wall_mb_per_s": presidio_mbps, "ratio": ratio}))
    for f in failed:
        print("FAILED:", f)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
