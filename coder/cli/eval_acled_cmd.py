"""`eventcoder eval-acled`: score ACLED-style coding on a set of reports."""
from __future__ import annotations

import json
from pathlib import Path

import click

from .common import codebooks_option, open_codebook


@click.command("eval-acled")
@click.argument("reports", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@codebooks_option
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("--show-errors/--no-errors", default=False, help="List the reports with a wrong field.")
def eval_acled(reports: Path, codebooks: Path | None, as_json: bool, show_errors: bool) -> None:
    """Sub-event type, date, country, admin1, coordinates within 25 km and fatalities against REPORTS (JSONL).

    Example: eventcoder eval-acled tests/data/acled/dev.jsonl
    """
    from rich.console import Console
    from rich.table import Table

    from ..evaluate_acled import FIELDS, load_reports, score_acled

    rep = score_acled(load_reports(reports), open_codebook(codebooks))
    if as_json:
        click.echo(json.dumps(rep.as_dict(), indent=2))
        return
    con = Console()
    t = Table(title=f"ACLED-style coding, {rep.n} reports")
    t.add_column("field")
    t.add_column("share right", justify="right")
    for f in FIELDS:
        t.add_row(f, f"{rep.share(f):.3f}")
    con.print(t)
    t = Table(title="sub-event type by expected type")
    t.add_column("sub-event type")
    t.add_column("right / n", justify="right")
    for k, (ok, n) in sorted(rep.by_type.items()):
        t.add_row(k, f"{ok} / {n}")
    con.print(t)
    if show_errors:
        for e in rep.errors:
            con.print(f"[red]{e['id']}[/] wrong {e['wrong']}: expected {e['expected']['sub_event_type']} "
                      f"{e['expected']['event_date']} {e['expected']['location']} {e['expected']['fatalities']}; got "
                      f"{e['got']}\n    {e['text']}", highlight=False)
