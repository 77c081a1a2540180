"""Acceptance: the article the project started from codes to its hand-coded events."""
from __future__ import annotations

import json

from coder.evaluate import load_gold, score
from coder.ingest import make_article
from coder.pipeline import code_article

from .conftest import need_shared


def test_xinhua_seed_article(cb):
    art_path = need_shared("examples", "xinhua_2024-01-30.jsonl")
    gold = load_gold(need_shared("examples", "xinhua_2024-01-30.gold.jsonl"))
    art = make_article(json.loads(art_path.read_text().splitlines()[0]), str(art_path))
    rows = code_article(art, cb).rows
    rep = score(gold, rows)
    l2 = rep.levels["L2"]
    assert l2.tp >= 12, rep.misses
    assert l2.fp <= 2, rep.false_alarms
    assert l2.f1 >= 0.9
    assert rep.date_accuracy == 1.0
    # the dates the issue names, and Paris for the negotiation
    by_sent = {}
    for r in rows:
        by_sent.setdefault(r["sentence_index"], []).append(r)
    assert {r["event_date"] for r in by_sent[0]} == {"2024-01-30"}
    assert {r["event_date"] for r in by_sent[4]} == {"2024-01-30"}
    assert {r["event_date"] for r in by_sent[7]} == {"2024-01-28"}
    assert {r["event_date"] for r in by_sent[9]} == {"2024-01-28"}
    nego = [r for r in by_sent[7] if r["event_code"] == "046"]
    assert nego and all((r["location_name"], r["location_country"]) == ("Paris", "FRA") for r in nego)
