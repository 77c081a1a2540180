"""A coding run: inputs -> coded articles -> the run folder's outputs."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

from . import __version__
from .codebook import Codebook
from .ingest import Article, Reject, read_articles
from .pipeline import ArticleResult, StageTimes, code_article
from .store import articles_frame, events_frame, write_csv, write_duckdb, write_parquet


@dataclass
class RunSummary:
    run_id: str
    out: Path
    n_articles: int = 0
    n_sentences: int = 0
    n_events: int = 0
    n_rejects: int = 0
    n_warnings: int = 0
    seconds: float = 0.0
    stages: dict[str, float] = field(default_factory=dict)
    by_category: dict[str, int] = field(default_factory=dict)
    run: dict = field(default_factory=dict)


def article_record(res: ArticleResult, cb: Codebook, run_id: str) -> dict:
    a = res.article
    return {"doc_id": a.id, "title": a.title, "published": a.published, "news_source": a.source, "url": a.url,
            "origin": a.origin, "text_sha256": hashlib.sha256(a.text.encode()).hexdigest(),
            "n_sentences": len(res.sentences), "n_events": len(res.rows), "codebook_version": cb.label,
            "run_id": run_id}


def iter_results(items: Iterator[Article | Reject], cb: Codebook, times: StageTimes) -> Iterator[ArticleResult | Reject]:
    for item in items:
        if isinstance(item, Reject):
            yield item
            continue
        try:
            yield code_article(item, cb, times)
        except Exception as exc:  # a coder bug must not sink the run: the article goes to the rejects
            yield Reject(item.origin, item.id, f"internal error while coding: {type(exc).__name__}: {exc}",
                         stage="code")


def run_code(inputs: list[str | Path], out: Path, cb: Codebook, progress: Callable[[int, int], None] | None = None,
             strict: bool = False) -> RunSummary:
    """Code every article of `inputs` into the run folder `out`."""
    started = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    t0 = time.perf_counter()
    out.mkdir(parents=True, exist_ok=True)
    run_id = hashlib.sha256(f"{started.isoformat()}|{inputs}|{cb.digest}".encode()).hexdigest()[:12]
    times = StageTimes()
    rows: list[dict] = []
    articles: list[dict] = []
    summary = RunSummary(run_id, out)
    t_read = time.perf_counter()
    with (out / "rejects.jsonl").open("w", encoding="utf-8") as rej_fh:
        for res in iter_results(read_articles(inputs), cb, times):
            if isinstance(res, Reject):
                rej_fh.write(json.dumps(res.to_json(), ensure_ascii=False, default=str) + "\n")
                if res.stage == "warning":
                    summary.n_warnings += 1
                else:
                    summary.n_rejects += 1
                continue
            summary.n_articles += 1
            summary.n_sentences += len(res.sentences)
            rows.extend(res.rows)
            articles.append(article_record(res, cb, run_id))
            for rj in res.rejects:
                rej_fh.write(json.dumps(rj.to_json(), ensure_ascii=False, default=str) + "\n")
                summary.n_rejects += 1
            if progress:
                progress(summary.n_articles, summary.n_sentences)
    times.seconds["ingest+code"] = time.perf_counter() - t_read
    t = time.perf_counter()
    df = events_frame(rows)
    summary.n_events = df.height
    for cat in df["category"].to_list() if df.height else []:
        summary.by_category[cat] = summary.by_category.get(cat, 0) + 1
    summary.seconds = time.perf_counter() - t0
    run = {
        "run_id": run_id,
        "started_at": started.isoformat(),
        "inputs": [str(p) for p in inputs],
        "out": str(out),
        "counts": {"articles": summary.n_articles, "sentences": summary.n_sentences, "events": summary.n_events,
                   "rejects": summary.n_rejects, "warnings": summary.n_warnings},
        "events_by_category": dict(sorted(summary.by_category.items())),
        "codebook": {"name": cb.name, "version": cb.version, "sha256": cb.digest, "path": str(cb.root)},
        "coder_version": __version__,
        "timings_seconds": {k: round(v, 4) for k, v in sorted(times.seconds.items())},
    }
    art_df = articles_frame(articles)
    write_csv(df, out / "events.csv")
    write_parquet(df, out / "events.parquet")
    write_duckdb(df, art_df, run, out / "events.duckdb")
    times.seconds["store"] = time.perf_counter() - t
    summary.seconds = time.perf_counter() - t0
    run["timings_seconds"] = {k: round(v, 4) for k, v in sorted(times.seconds.items())}
    run["timings_seconds"]["total"] = round(summary.seconds, 4)
    (out / "run.json").write_text(json.dumps(run, indent=2, sort_keys=False) + "\n", encoding="utf-8")
    summary.stages = dict(times.seconds)
    summary.run = run
    return summary
