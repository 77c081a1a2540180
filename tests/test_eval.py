"""`eventcoder eval` on the development gold set and the scorer itself."""
from __future__ import annotations

import json
import subprocess
import sys

from coder.evaluate import load_gold, match_level, score
from coder.ingest import Article, read_articles
from coder.pipeline import code_article

from .conftest import DATA, ROOT

GOLD = DATA / "gold"


def test_scorer_levels():
    gold = {"source": "ISRGOV", "target": "PSE", "codes": ["1243", "124", "12"]}
    pred = {"event_code": "1243", "source_code": "ISRGOV", "target_code": "PSECVL"}
    assert match_level(gold, pred, "L2") and match_level(gold, pred, "L1")
    assert not match_level(gold, {**pred, "event_code": "0841"}, "L2")
    assert match_level(gold, {**pred, "event_code": "120"}, "L1")
    meet = {"source": "EGY", "target": "ISR", "codes": ["040", "04"]}
    assert match_level(meet, {"event_code": "040", "source_code": "ISR", "target_code": "EGYGOV"}, "L2")


def _score(folder, cb):
    rows = []
    for art in read_articles([folder / "articles.jsonl"]):
        if isinstance(art, Article):
            rows.extend(code_article(art, cb).rows)
    return score(load_gold(folder / "gold.jsonl"), rows)


def test_development_gold_set(cb):
    rep = _score(GOLD, cb)
    l1, l2 = rep.levels["L1"], rep.levels["L2"]
    print(f"\ndev gold: L1 F1 {l1.f1:.3f}, L2 F1 {l2.f1:.3f}, date {rep.date_accuracy:.3f}, "
          f"location {rep.location_accuracy:.3f}")
    # floors just under the measured figures: they guard against regressions; the targets
    # (L2 0.85, L1 0.92) are not reached yet, see the closing note
    assert l2.f1 >= 0.79
    assert l1.f1 >= 0.86
    assert rep.date_accuracy >= 0.95
    assert rep.location_accuracy >= 0.90


def test_held_out_gold_set(cb):
    """A second coder's 30 articles (tests/data/gold_holdout): the figure closest to unseen text."""
    rep = _score(DATA / "gold_holdout", cb)
    l1, l2 = rep.levels["L1"], rep.levels["L2"]
    print(f"\nheld-out gold: L1 F1 {l1.f1:.3f}, L2 F1 {l2.f1:.3f}, date {rep.date_accuracy:.3f}, "
          f"location {rep.location_accuracy:.3f}")
    assert l2.f1 >= 0.45
    assert l1.f1 >= 0.68
    assert rep.date_accuracy >= 0.9


def test_eval_cli_json(tmp_path):
    r = subprocess.run([sys.executable, "-m", "coder", "eval", str(GOLD / "gold.jsonl"), "--articles",
                        str(GOLD / "articles.jsonl"), "--json"], capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    report = json.loads(r.stdout)
    assert set(report["levels"]) == {"L1", "L2"} and "by_root" in report and "misses" in report
