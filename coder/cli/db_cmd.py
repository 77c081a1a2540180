"""`eventcoder export`, `eventcoder sql`, `eventcoder release`: thin layers over coder.db and coder.release."""
from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

_err = Console(stderr=True)

db_option = click.option("--db", "db", required=True, type=click.Path(dir_okay=False, path_type=Path),
                         help="The event database (written by `eventcoder code ... --db FILE`).")


def _fail(exc: Exception):
    raise click.ClickException(str(exc)) from None


def print_db_summary(summary) -> None:
    """After `eventcoder code --db`: what the run did to the database."""
    t = Table(title=f"eventcoder run {summary.run_id} → {summary.db}")
    t.add_column("what")
    t.add_column("count", justify="right")
    for label, n in (("articles read", summary.n_articles), ("  new", summary.n_new),
                     ("  replaced (text or codebook changed)", summary.n_replaced),
                     ("  unchanged (skipped)", summary.n_unchanged), ("events added", summary.n_events_added),
                     ("events removed", summary.n_events_removed), ("rejected records", summary.n_rejects),
                     ("warnings", summary.n_warnings)):
        t.add_row(label, f"{n:,}")
    t.add_row("seconds", f"{summary.seconds:.2f}")
    _err.print(t)


@click.command("export")
@db_option
@click.option("--format", "fmt", type=click.Choice(["csv", "parquet", "jsonl", "acled"]), default=None,
              help="Output format [default: from the --out suffix]; acled: ACLED's columns (CSV), "
                   "one row per ACLED-typed event.")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path), help="File to write.")
@click.option("--where", default=None, metavar="SQL", help="A SQL condition on the events columns.")
@click.option("--from", "date_from", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="First event_date to include (YYYY-MM-DD).")
@click.option("--to", "date_to", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="Last event_date to include (YYYY-MM-DD).")
def export(db: Path, fmt: str | None, out: Path, where: str | None, date_from, date_to) -> None:
    """Export events in the schema's column order, sorted by (doc_id, sentence_index, event_id).

    Example:

    \b
        eventcoder export --db events.duckdb --format parquet --out events.parquet
        eventcoder export --db events.duckdb --out ukr.csv --where "location_country = 'UKR'" --from 2024-01-01
    """
    from ..db import EXPORT_FORMATS, DatabaseError, export_events

    if fmt is None:
        fmt = {".csv": "csv", ".parquet": "parquet", ".jsonl": "jsonl", ".ndjson": "jsonl"}.get(out.suffix.lower())
        if fmt is None:
            raise click.UsageError(f"cannot tell the format from {out.name}; give --format "
                                   f"({', '.join(EXPORT_FORMATS)})")
    try:
        n = export_events(db, fmt, out, date_from.date() if date_from else None, date_to.date() if date_to else None,
                          where)
    except DatabaseError as exc:
        _fail(exc)
    click.echo(f"wrote {n:,} events to {out}", err=True)


@click.command("sql")
@click.argument("query")
@db_option
@click.option("--csv", "as_csv", is_flag=True, help="Print CSV (all rows) instead of a table.")
@click.option("--max-rows", type=click.IntRange(min=1), default=200, show_default=True,
              help="Rows shown in the table (CSV prints all).")
def sql(query: str, db: Path, as_csv: bool, max_rows: int) -> None:
    """Run a SQL query on the database (read-only) and print the result.

    Tables: events, articles, sentences, runs, run_changes, rejects, codebooks, event_codes, actors.
    Views: monthly_counts, dyads, dyad_goldstein, quad_monthly.

    Example:

    \b
        eventcoder sql --db events.duckdb "SELECT * FROM monthly_counts WHERE location_country = 'UKR'"
        eventcoder sql --db events.duckdb --csv "SELECT * FROM dyad_goldstein" > dyads.csv
    """
    from ..db import DatabaseError, run_sql

    try:
        df = run_sql(db, query)
    except DatabaseError as exc:
        _fail(exc)
    if as_csv:
        sys.stdout.write(df.write_csv())
        return
    t = Table(show_lines=False)
    for c in df.columns:
        t.add_column(c, justify="right" if df[c].dtype.is_numeric() else "left")
    for row in df.head(max_rows).iter_rows():
        t.add_row(*("" if v is None else str(v) for v in row))
    con = Console()
    con.print(t)
    more = f" (showing {max_rows}; use --csv for all)" if df.height > max_rows else ""
    _err.print(f"{df.height:,} rows{more}")


@click.command("release")
@db_option
@click.option("--version", "version", required=True, help="Release version, also its folder name (e.g. 2026.12).")
@click.option("--out", "out", type=click.Path(file_okay=False, path_type=Path), default=Path("releases"),
              show_default=True, help="Folder of releases; the release goes to OUT/VERSION/.")
@click.option("--created", default=None, metavar="DATE",
              help="Creation date or time (YYYY-MM-DD or RFC 3339) [default: now]; fix it for a reproducible build.")
@click.option("--title", default=None, help="Dataset title.")
@click.option("--license", "license_id", default=None, help="SPDX licence id of the data [default: CC-BY-4.0].")
@click.option("--author", "authors", multiple=True, help="An author, 'Family, Given' or an organisation; repeatable.")
@click.option("--force", is_flag=True, help="Replace OUT/VERSION if it exists.")
def release(db: Path, version: str, out: Path, created: str | None, title: str | None, license_id: str | None,
            authors: tuple[str, ...], force: bool) -> None:
    """Write a versioned, reproducible dataset release of the database.

    OUT/VERSION/ gets events.csv, events.parquet, events.duckdb, the lookups, datapackage.json
    (Frictionless), codebook.md, CHANGELOG.md (against the previous release in OUT), CITATION.cff,
    README.md, report.html and SHA256SUMS.

    Example:

    \b
        eventcoder release --db events.duckdb --version 2026.12 --out releases/ --created 2026-12-01
    """
    from ..db import DatabaseError
    from ..release import DEFAULT_LICENSE, DEFAULT_TITLE, ReleaseError, make_release

    try:
        rel = make_release(db, version, out, created=created, title=title or DEFAULT_TITLE,
                           license_id=license_id or DEFAULT_LICENSE, authors=list(authors), force=force)
    except (ReleaseError, DatabaseError) as exc:
        _fail(exc)
    since = f"; changes since {rel.previous} in CHANGELOG.md" if rel.previous else ""
    click.echo(f"release {rel.version}: {rel.n_events:,} events from {rel.n_articles:,} articles in {rel.path}{since}",
               err=True)
    if not rel.duckdb_reproducible:
        click.echo("note: this DuckDB version's file header could not be pinned; events.duckdb is not "
                   "byte-reproducible (the other files are)", err=True)
