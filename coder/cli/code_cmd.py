"""`eventcoder code`: code articles into a run folder."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from ..ingest import InputError, expand_inputs
from .common import codebooks_option, open_codebook


@click.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--out", "out", type=click.Path(file_okay=False, path_type=Path), default=Path("outputs/run"),
              show_default=True, help="Run folder for events.duckdb, events.csv, events.parquet, rejects.jsonl, run.json.")
@codebooks_option
@click.option("--strict", is_flag=True, help="Exit non-zero if any record was rejected.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar and no summary.")
def code(inputs: tuple[Path, ...], out: Path, codebooks: Path | None, strict: bool, quiet: bool) -> None:
    """Code articles (JSONL, CSV, Parquet, or folders of .txt) into events.

    Example:

        eventcoder code articles.jsonl --out outputs/run1
        eventcoder code folder_of_txt/ more.csv --out outputs/run1 --codebooks codebooks/
    """
    from ..run import run_code
    from .summary import print_summary, progress_bar

    try:
        files = expand_inputs(list(inputs))
    except InputError as exc:
        raise click.ClickException(str(exc)) from None
    if not files:
        raise click.ClickException(f"no input files found in {', '.join(map(str, inputs))} "
                                   "(looked for .jsonl, .csv, .parquet, .txt)")
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = out / ".write-test"
        probe.write_text("")
        probe.unlink()
    except OSError as exc:
        raise click.ClickException(f"cannot write to --out {out}: {exc.strerror}") from None
    cb = open_codebook(codebooks)
    show = not quiet and sys.stderr.isatty()
    with progress_bar(show) as progress:
        summary = run_code(list(inputs), out, cb, progress=progress)
    if not quiet:
        print_summary(summary)
    if summary.n_articles == 0:
        raise click.ClickException(f"no article could be read; see {out / 'rejects.jsonl'}")
    if strict and summary.n_rejects:
        raise click.ClickException(f"--strict: {summary.n_rejects} records rejected; see {out / 'rejects.jsonl'}")
