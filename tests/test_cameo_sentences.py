"""Every CAMEO 3-digit code has at least one test sentence that codes to it (tests/data/cameo_sentences)."""
from __future__ import annotations

import yaml

from coder import code_article

from .conftest import DATA

CASES = []
for path in sorted((DATA / "cameo_sentences").glob("*.yaml")):
    for i, case in enumerate(yaml.safe_load(path.read_text())["cases"]):
        CASES.append((f"{path.stem}-{i}", case))


def _hit(exp: dict, row: dict) -> bool:
    if row["event_code"] != exp["code"]:
        return False
    for side in ("source", "target"):
        want, got = exp.get(side), row[f"{side}_code"]
        if want is None:
            continue
        n = 3 if len(want) == 3 else 6
        if not got or got[:n] != want[:n]:
            return False
    return True


def _score(cb):
    results = []
    for cid, case in CASES:
        rows = code_article({"id": cid, "text": case["sentence"], "published": str(case.get("published") or "2020-01-01")},
                            cb).rows
        expected = case.get("events") or []
        ok = all(any(_hit(e, r) for r in rows) for e in expected) if expected else not rows
        results.append((cid, case, ok, rows))
    return results


def test_every_three_digit_code_has_a_case(cb):
    covered = {e["code"][:3] for _, c in CASES for e in c.get("events") or []}
    missing = sorted(c for c in cb.taxonomy if len(c) == 3 and c not in covered)
    assert missing == []


def test_share_of_cases_coded_right(cb):
    results = _score(cb)
    share = sum(ok for *_, ok, _ in results) / len(results)
    per_code: dict[str, bool] = {}
    for _, case, ok, _ in results:
        for e in case.get("events") or []:
            per_code[e["code"][:3]] = per_code.get(e["code"][:3], False) or ok
    codes_ok = sum(per_code.values()) / len(per_code)
    print(f"\ncameo_sentences: {share:.1%} of {len(results)} cases right; {codes_ok:.1%} of 3-digit codes have a passing case")
    assert share >= 0.95
    assert [c for c, ok in sorted(per_code.items()) if not ok] == [], "3-digit codes with no passing sentence"
