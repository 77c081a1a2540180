"""Coding behaviour: one parametrised case per phenomenon (tests/data/coding_cases.yaml)."""
from __future__ import annotations

import pytest
import yaml

from coder import code_article

from .conftest import DATA

CASES = yaml.safe_load((DATA / "coding_cases.yaml").read_text())["cases"]


def _matches(exp: dict, row: dict) -> bool:
    if not row["event_code"].startswith(exp["code"]):
        return False
    for side in ("source", "target"):
        if side not in exp:
            continue
        want, got = exp[side], row[f"{side}_code"]
        if want is None:
            if got is not None:
                return False
        elif not got or got[:len(want) if len(want) == 3 else 6] != want[:6]:
            return False
    return True


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_case(case, cb):
    res = code_article({"id": case["id"], "text": case["text"], "published": case["published"]}, cb)
    last = max(i for i, _ in res.sentences)
    rows = [r for r in res.rows if r["sentence_index"] == last]
    got = [(r["event_code"], r["source_code"], r["target_code"]) for r in rows]
    unmatched = list(rows)
    for exp in case["events"]:
        hit = next((r for r in unmatched if _matches(exp, r)), None)
        assert hit is not None, f"expected {exp} in {got}"
        unmatched.remove(hit)
        if "date" in exp:
            assert hit["event_date"] == exp["date"], (hit["event_date"], hit["date_source"])
        if "location" in exp:
            assert (hit["location_name"], hit["location_country"]) == (exp["location"]["name"], exp["location"]["country"])
        if "location_source" in exp:
            assert hit["location_source"] == exp["location_source"]
    if case.get("exact", True):
        assert not unmatched, f"unexpected events {[(r['event_code'], r['source_code'], r['target_code']) for r in unmatched]}"
    for bad in case.get("absent", []):
        assert not any(r["event_code"].startswith(bad["code"]) for r in rows), f"{bad} should not be coded: {got}"
