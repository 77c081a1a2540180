"""Reading predictions and printing an evaluation report."""
from __future__ import annotations

import json
from pathlib import Path

import polars as pl
from rich.console import Console
from rich.table import Table

from ..codebook import Codebook


def read_predictions(path: Path) -> list[dict]:
    if path.suffix == ".parquet":
        df = pl.read_parquet(path)
    elif path.suffix in (".jsonl", ".json"):
        return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    else:
        df = pl.read_csv(path, infer_schema_length=0)
    return [{k: (str(v) if v is not None and k in ("event_date",) else v) for k, v in r.items()} for r in df.to_dicts()]


def code_for_eval(articles: Path, cb: Codebook) -> list[dict]:
    from ..ingest import Article, read_articles
    from ..pipeline import code_article

    rows: list[dict] = []
    for item in read_articles([articles]):
        if isinstance(item, Article):
            rows.extend(code_article(item, cb).rows)
    return rows


def print_report(rep, show_errors: bool = True) -> None:
    con = Console()
    t = Table(title="eventcoder eval")
    for c in ("level", "tp", "fn", "fp", "precision", "recall", "F1"):
        t.add_column(c, justify="right")
    for name, s in rep.levels.items():
        t.add_row(name, str(s.tp), str(s.fn), str(s.fp), f"{s.precision:.3f}", f"{s.recall:.3f}", f"{s.f1:.3f}")
    con.print(t)
    con.print(f"date accuracy {rep.date_accuracy:.3f} (n={rep.date_n}); "
              f"location accuracy {rep.location_accuracy:.3f} (n={rep.loc_n})")
    for title, table in (("by family (L2)", rep.by_family), ("by root (L2)", rep.by_root)):
        t = Table(title=title)
        for c in ("group", "tp", "fn", "fp", "F1"):
            t.add_column(c, justify="right")
        for k, s in sorted(table.items()):
            t.add_row(k, str(s.tp), str(s.fn), str(s.fp), f"{s.f1:.3f}")
        con.print(t)
    if show_errors:
        for m in rep.misses:
            ge = m["gold"]
            con.print(f"[red]miss[/] {m['doc']}#{m['n']}: {ge['source']} {ge['codes'][0]} {ge.get('target')}  "
                      f"predicted {[(p['code'], p['source'], p['target']) for p in m['predicted']]}\n    {m['sentence']}",
                      highlight=False)
        for f in rep.false_alarms:
            p = f["predicted"]
            con.print(f"[yellow]false alarm[/] {f['doc']}#{f['n']}: {p['source']} {p['code']} {p['target']} "
                      f"({p['rule']})\n    {f['sentence']}", highlight=False)
