"""`eventcoder code`: code articles into a run folder and/or the event database."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from ..ingest import InputError, expand_inputs
from .common import codebooks_option, open_codebook


@click.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--out", "out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Run folder for events.duckdb, events.csv, events.parquet, rejects.jsonl, run.json "
                   "[default: outputs/run, unless --db is given].")
@click.option("--db", "db", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Event database to add the articles to (created if missing). Unchanged articles are "
                   "skipped; changed ones replaced. Alone, no run folder is written; with --out, both.")
@click.option("--batch-size", type=click.IntRange(min=1), default=500, show_default=True,
              help="Articles per database transaction.")
@codebooks_option
@click.option("--strict", is_flag=True, help="Exit non-zero if any record was rejected.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar and no summary.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None,
              help="Worker processes (default: all cores). Output is the same for any number.")
@click.option("--engine", type=click.Choice(["local", "dask"]), default="local", show_default=True,
              help="local: worker processes on this machine; dask: a Dask cluster (see docs/scaling.md).")
@click.option("--scheduler", metavar="ADDRESS", default=None,
              help="With --engine dask: an existing scheduler (tcp://HOST:8786); without it, a local cluster "
                   "of --jobs workers is started.")
def code(inputs: tuple[Path, ...], out: Path | None, db: Path | None, batch_size: int, codebooks: Path | None,
         strict: bool, quiet: bool, jobs: int | None, engine: str, scheduler: str | None) -> None:
    """Code articles (JSONL, CSV, Parquet, or folders of .txt) into events.

    Example:

    \b
        eventcoder code articles.jsonl --out outputs/run1
        eventcoder code folder_of_txt/ more.csv --out outputs/run1 --codebooks codebooks/
        eventcoder code new_articles.jsonl --db events.duckdb
        eventcoder code shards/ --out outputs/big --jobs 8
        eventcoder code shards/ --out outputs/big --engine dask --scheduler tcp://10.0.0.5:8786
    """
    from ..parallel import Engine, default_jobs
    from ..run import run_code
    from .summary import print_summary, progress_bar

    try:
        files = expand_inputs(list(inputs))
    except InputError as exc:
        raise click.ClickException(str(exc)) from None
    if not files:
        raise click.ClickException(f"no input files found in {', '.join(map(str, inputs))} "
                                   "(looked for .jsonl, .csv, .parquet, .txt)")
    if out is None and db is None:
        out = Path("outputs/run")
    try:
        if out is not None:
            out.mkdir(parents=True, exist_ok=True)
            probe = out / ".write-test"
            probe.write_text("")
            probe.unlink()
    except OSError as exc:
        raise click.ClickException(f"cannot write to --out {out}: {exc.strerror}") from None
    if scheduler and engine != "dask":
        raise click.UsageError("--scheduler needs --engine dask")
    if engine == "dask":
        try:
            import distributed  # noqa: F401
        except ImportError:
            raise click.ClickException("--engine dask needs dask.distributed: pip install 'eventcoder[dask]'") from None
    run_engine = Engine(kind=engine, jobs=jobs or default_jobs(), scheduler=scheduler)
    cb = open_codebook(codebooks)
    show = not quiet and sys.stderr.isatty()
    from ..db import DatabaseError
    from .db_cmd import print_db_summary

    try:
        with progress_bar(show) as progress:
            summary = run_code(list(inputs), out, cb, progress=progress, engine=run_engine, db=db,
                               batch_size=batch_size)
    except DatabaseError as exc:
        raise click.ClickException(str(exc)) from None
    if not quiet:
        if out is not None:
            print_summary(summary)
        if db is not None:
            print_db_summary(summary)
    see = out / "rejects.jsonl" if out is not None else f"the rejects table of {db}"
    if summary.n_articles == 0:
        raise click.ClickException(f"no article could be read; see {see}")
    if strict and summary.n_rejects:
        raise click.ClickException(f"--strict: {summary.n_rejects} records rejected; see {see}")
