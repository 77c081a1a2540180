"""`eventcoder eval` on the development gold set and the scorer itself."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

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


# floors just under the measured figures: they guard against regressions. The development set was tuned
# on; the held-out set (a second coder's 30 articles, tests/data/gold_holdout) is the figure closest to
# unseen text.
GOLD_SETS = {
    # the acceptance bounds (#4): L2 0.85, L1 0.92, date 0.95, location 0.90
    "development": (GOLD, {"L2": 0.85, "L1": 0.92, "date": 0.95, "location": 0.90}),
    # a second development set, written blind by another coder (Nov 2026); first score L2 0.300, L1 0.554
    "development-2": (DATA / "gold_dev2", {"L2": 0.32, "L1": 0.56, "date": 0.95, "location": 0.85}),
    "held-out": (DATA / "gold_holdout", {"L2": 0.56, "L1": 0.77, "date": 0.95, "location": 0.85}),
    # written blind by another coder (Nov 2026); first score L2 0.332, L1 0.561
    "held-out-2": (DATA / "gold_holdout2", {"L2": 0.35, "L1": 0.56, "date": 0.95, "location": 0.75}),
}


@pytest.mark.parametrize("name", GOLD_SETS)
def test_gold_set(cb, name):
    folder, floor = GOLD_SETS[name]
    rep = _score(folder, cb)
    got = {"L1": rep.levels["L1"].f1, "L2": rep.levels["L2"].f1, "date": rep.date_accuracy,
           "location": rep.location_accuracy}
    print(f"\n{name} gold:", {k: round(v, 3) for k, v in got.items()})
    assert all(got[k] >= floor[k] for k in floor), (got, floor)


def test_eval_cli_json(tmp_path):
    r = subprocess.run([sys.executable, "-m", "coder", "eval", str(GOLD / "gold.jsonl"), "--articles",
                        str(GOLD / "articles.jsonl"), "--json"], capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    report = json.loads(r.stdout)
    assert set(report["levels"]) == {"L1", "L2"} and "by_root" in report and "misses" in report
