"""Progress bar and end-of-run summary on stderr (rich)."""
from __future__ import annotations

import contextlib
import time
from typing import Callable, Iterator

from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

_err = Console(stderr=True)


@contextlib.contextmanager
def progress_bar(show: bool) -> Iterator[Callable[[int, int], None] | None]:
    if not show:
        yield None
        return
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=_err,
                  transient=True) as prog:
        task = prog.add_task("coding", total=None)
        # rates since the run started: with worker processes the first results arrive a chunk at a time,
        # and a clock started at the first result would report absurd rates
        t0 = time.perf_counter()

        def update(n_articles: int, n_sentences: int) -> None:
            dt = max(time.perf_counter() - t0, 1e-6)
            if n_articles % 50 == 0 or n_articles < 50:
                prog.update(task, description=f"{n_articles:,} articles  {n_sentences:,} sentences  "
                                              f"{n_articles / dt:,.0f} art/s  {n_sentences / dt:,.0f} sent/s")

        yield update


def print_summary(summary) -> None:
    t = Table(title=f"eventcoder run {summary.run_id}", show_header=True)
    t.add_column("what")
    t.add_column("count", justify="right")
    t.add_row("articles coded", f"{summary.n_articles:,}")
    t.add_row("sentences", f"{summary.n_sentences:,}")
    t.add_row("events", f"{summary.n_events:,}")
    for cat, n in sorted(summary.by_category.items(), key=lambda kv: -kv[1]):
        t.add_row(f"  {cat}", f"{n:,}")
    t.add_row("rejected records", f"{summary.n_rejects:,}")
    t.add_row("warnings", f"{summary.n_warnings:,}")
    t.add_row("seconds", f"{summary.seconds:.2f}")
    _err.print(t)
    _err.print(f"outputs in {summary.out}/: events.duckdb events.csv events.parquet rejects.jsonl run.json")
