"""`eventcoder eval`: score coded events against a hand-coded gold file."""
from __future__ import annotations

import json
from pathlib import Path

import click

from .common import codebooks_option, open_codebook


@click.command("eval")
@click.argument("gold", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--pred", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Predicted events (events.csv, .parquet or .jsonl of a run).")
@click.option("--articles", type=click.Path(exists=True, path_type=Path),
              help="Articles to code now and score (instead of --pred).")
@codebooks_option
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("--show-errors/--no-errors", default=True, help="List misses and false alarms.")
def eval_cmd(gold: Path, pred: Path | None, articles: Path | None, codebooks: Path | None, as_json: bool,
             show_errors: bool) -> None:
    """Precision, recall and F1 (L1, L2), date and location accuracy against GOLD.

    Example:

        eventcoder eval tests/data/gold/gold.jsonl --articles tests/data/gold/articles.jsonl
        eventcoder eval gold.jsonl --pred outputs/run1/events.csv --json
    """
    from ..evaluate import load_gold, score
    from .eval_report import print_report, read_predictions, code_for_eval

    if (pred is None) == (articles is None):
        raise click.UsageError("give exactly one of --pred FILE or --articles FILE")
    gold_lines = load_gold(gold)
    if pred is not None:
        rows = read_predictions(pred)
    else:
        rows = code_for_eval(articles, open_codebook(codebooks))
    rep = score(gold_lines, rows)
    if as_json:
        click.echo(json.dumps(rep.as_dict(), indent=2))
    else:
        print_report(rep, show_errors)
