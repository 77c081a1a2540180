"""The CAMEO manual's example sentences, coded with the bundled codebook.

Each example (../shared/reference/cameo_examples.jsonl: a CAMEO code and the
manual's example sentence) counts as right at the root level when any event
coded from it has the example's root, and at the code level when any event
has the example's code. The shares are printed, written to
outputs/cameo_examples.json and guarded by floors a little below what the
coder achieves, so that a regression shows.
"""
from __future__ import annotations

import json
from collections import Counter

from coder import code_article

from .conftest import ROOT, need_shared

PUBLISHED = "2000-01-01"      # the examples are 1980s-2000s wire text; relative dates resolve against this
ROOT_FLOOR = 0.47
CODE_FLOOR = 0.27


def test_cameo_manual_examples(cb):
    path = need_shared("reference", "cameo_examples.jsonl")
    examples = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    examples = [e for e in examples if (e.get("example") or "").strip()]
    results = []
    for e in examples:
        rows = code_article({"id": f"cameo-{e['code']}", "text": e["example"], "published": PUBLISHED}, cb).rows
        codes = sorted({r["event_code"] for r in rows})
        results.append({"code": e["code"], "example": e["example"], "coded": codes,
                        "root_ok": any(c[:2] == e["code"][:2] for c in codes),
                        "code_ok": e["code"] in codes})
    n = len(results)
    root_ok = sum(r["root_ok"] for r in results)
    code_ok = sum(r["code_ok"] for r in results)
    per_root: dict[str, Counter] = {}
    for r in results:
        c = per_root.setdefault(r["code"][:2], Counter())
        c["examples"] += 1
        c["root_ok"] += r["root_ok"]
        c["code_ok"] += r["code_ok"]
    summary = {
        "examples": n, "published": PUBLISHED,
        "root_share": round(root_ok / n, 4), "code_share": round(code_ok / n, 4),
        "root_ok": root_ok, "code_ok": code_ok,
        "nothing_coded": sum(1 for r in results if not r["coded"]),
        "by_root": {k: dict(v) for k, v in sorted(per_root.items())},
        "codebook": cb.label,
        "results": results,
    }
    dest = ROOT / "outputs" / "cameo_examples.json"
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"\nCAMEO manual examples: root right {root_ok}/{n} ({root_ok / n:.1%}), code right {code_ok}/{n} "
          f"({code_ok / n:.1%}), nothing coded {summary['nothing_coded']}; details in {dest}")
    assert root_ok / n >= ROOT_FLOOR
    assert code_ok / n >= CODE_FLOOR
