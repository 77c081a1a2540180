"""A coding run: inputs -> coded articles -> a run folder and/or the event database.

Articles are read and coded in batches (`batch_size` articles). Each batch goes into the event database
(`db=`) in one transaction (see `coder.db.Loader`), and into the run folder's own database; at the end the
run folder gets its CSV and Parquet exports, rejects.jsonl and run.json.
"""
from __future__ import annotations

import datetime as dt
import json
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator

from . import __version__
from .codebook import Codebook
from .db import BATCH_SIZE, Loader
from .ingest import Article, Reject, read_articles
from .pipeline import ArticleResult, StageTimes, code_article
from .store import write_sorted_outputs


@dataclass
class RunSummary:
    run_id: str
    out: Path | None
    db: Path | None = None
    n_articles: int = 0          # articles read (coded, or found unchanged in the database and skipped)
    n_sentences: int = 0
    n_events: int = 0            # events coded by this run
    n_rejects: int = 0
    n_warnings: int = 0
    n_new: int = 0               # database: articles added, replaced, left as they were
    n_replaced: int = 0
    n_unchanged: int = 0
    n_events_added: int = 0
    n_events_removed: int = 0
    seconds: float = 0.0
    stages: dict[str, float] = field(default_factory=dict)
    by_category: dict[str, int] = field(default_factory=dict)
    run: dict = field(default_factory=dict)


def iter_results(items: Iterable[Article | Reject], cb: Codebook, times: StageTimes) -> Iterator[ArticleResult | Reject]:
    for item in items:
        if isinstance(item, Reject):
            yield item
            continue
        try:
            yield code_article(item, cb, times)
        except Exception as exc:  # a coder bug must not sink the run: the article goes to the rejects
            yield Reject(item.origin, item.id, f"internal error while coding: {type(exc).__name__}: {exc}",
                         stage="code")


def batches(items: Iterable[Article | Reject], size: int) -> Iterator[list[Article | Reject]]:
    """Chunks of the input holding up to `size` articles each (rejects ride along where they occur)."""
    chunk: list[Article | Reject] = []
    n = 0
    for item in items:
        chunk.append(item)
        if isinstance(item, Article):
            n += 1
            if n >= size:
                yield chunk
                chunk, n = [], 0
    if chunk:
        yield chunk


def _remove_db_files(path: Path) -> None:
    for p in (path, path.with_name(path.name + ".wal")):
        if p.exists():
            p.unlink()


def run_code(inputs: list[str | Path], out: Path | None, cb: Codebook,
             progress: Callable[[int, int], None] | None = None, strict: bool = False, db: Path | None = None,
             batch_size: int = BATCH_SIZE, engine: "Engine | None" = None) -> RunSummary:
    """Code every article of `inputs` into the run folder `out` and/or the event database `db`.

    With `db` only, articles already in the database with the same text, codebook and coder are not coded
    again. With `out`, every article is coded so that the run folder is complete. `engine`
    (`coder.parallel.Engine`) codes each batch on several processes; the default codes in this one.
    """
    if out is None and db is None:
        raise ValueError("run_code needs a run folder (out) or a database (db)")
    started = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    t0 = time.perf_counter()
    run_id = uuid.uuid4().hex[:12]
    times = StageTimes()
    summary = RunSummary(run_id, out, db)
    inputs_s = [str(p) for p in inputs]
    db_loader = Loader(db, cb, run_id, inputs_s, started.isoformat()) if db is not None else None  # may be in use
    run_loader: Loader | None = None
    rej_fh = None
    skip_unchanged = db_loader is not None and out is None
    from .parallel import Coder

    coder = Coder(cb, times, engine)  # engine: serial, worker processes (--jobs) or Dask; same results
    try:
        if out is not None:
            out.mkdir(parents=True, exist_ok=True)
            partial = out / "events.duckdb.partial"
            _remove_db_files(partial)
            run_loader = Loader(partial, cb, run_id, inputs_s, started.isoformat())
            rej_fh = (out / "rejects.jsonl").open("w", encoding="utf-8")
        t_read = time.perf_counter()
        for chunk in batches(read_articles(inputs), batch_size):
            skip = db_loader.unchanged(a for a in chunk if isinstance(a, Article)) if skip_unchanged else set()
            results: list[ArticleResult] = []
            rejects: list[Reject] = []
            todo = [x for x in chunk if not (isinstance(x, Article) and x.id in skip)]
            summary.n_articles += sum(1 for x in chunk if isinstance(x, Article) and x.id in skip)
            for res in coder.results(todo):
                if isinstance(res, Reject):
                    rejects.append(res)
                    _count_reject(summary, res, rej_fh)
                    continue
                results.append(res)
                summary.n_articles += 1
                summary.n_sentences += len(res.sentences)
                summary.n_events += len(res.rows)
                for row in res.rows:
                    summary.by_category[row["category"]] = summary.by_category.get(row["category"], 0) + 1
                for rj in res.rejects:
                    _count_reject(summary, rj, rej_fh)
                if progress:
                    progress(summary.n_articles, summary.n_sentences)
            t_store = time.perf_counter()
            if db_loader is not None:
                db_loader.load(results, rejects, skipped=len(skip))
            if run_loader is not None:
                run_loader.load(results, rejects)
            times.seconds["store"] += time.perf_counter() - t_store
        times.seconds["ingest+code"] = time.perf_counter() - t_read - times.seconds.get("store", 0.0)
        if db_loader is not None:
            t = db_loader.totals
            summary.n_new, summary.n_replaced, summary.n_unchanged = t.new, t.replaced, t.unchanged
            summary.n_events_added, summary.n_events_removed = t.events_added, t.events_removed
        run = {
            "run_id": run_id,
            "started_at": started.isoformat(),
            "inputs": inputs_s,
            "out": str(out) if out is not None else None,
            "db": str(db) if db is not None else None,
            "counts": {"articles": summary.n_articles, "sentences": summary.n_sentences, "events": summary.n_events,
                       "rejects": summary.n_rejects, "warnings": summary.n_warnings},
            "events_by_category": dict(sorted(summary.by_category.items())),
            "codebook": {"name": cb.name, "version": cb.version, "sha256": cb.digest, "path": str(cb.root)},
            "coder_version": __version__,
        }
        if db_loader is not None:
            run["database"] = {"new": summary.n_new, "replaced": summary.n_replaced, "unchanged": summary.n_unchanged,
                               "events_added": summary.n_events_added, "events_removed": summary.n_events_removed}
        t = time.perf_counter()
        if run_loader is not None:
            run_loader.finish(run)
            n_events = write_sorted_outputs(run_loader.con, out / "events.csv", out / "events.parquet")
            summary.n_events = n_events
            run["counts"]["events"] = n_events
            run_loader.close()
            _remove_db_files(out / "events.duckdb")
            partial.replace(out / "events.duckdb")
        if db_loader is not None:
            db_loader.finish(run)
        times.seconds["store"] = times.seconds.get("store", 0.0) + time.perf_counter() - t
    except BaseException as exc:
        for loader in (db_loader, run_loader):
            if loader is not None and loader.con is not None:
                loader.abandon("interrupted" if isinstance(exc, KeyboardInterrupt) else "failed")
        raise
    finally:
        coder.close()
        for loader in (db_loader, run_loader):
            if loader is not None:
                loader.close()
        if rej_fh is not None:
            rej_fh.close()
    summary.seconds = time.perf_counter() - t0
    run["timings_seconds"] = {k: round(v, 4) for k, v in sorted(times.seconds.items())}
    run["timings_seconds"]["total"] = round(summary.seconds, 4)
    if out is not None:
        (out / "run.json").write_text(json.dumps(run, indent=2, sort_keys=False) + "\n", encoding="utf-8")
    summary.stages = dict(times.seconds)
    summary.run = run
    return summary


def _count_reject(summary: RunSummary, rj: Reject, fh) -> None:
    if rj.stage == "warning":
        summary.n_warnings += 1
    else:
        summary.n_rejects += 1
    if fh is not None:
        fh.write(json.dumps(rj.to_json(), ensure_ascii=False, default=str) + "\n")
