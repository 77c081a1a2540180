"""`eventcoder explain`: why a sentence codes the way it does."""
from __future__ import annotations

from pathlib import Path

import click

from .common import codebooks_option, open_codebook


@click.command()
@click.argument("sentence")
@click.option("--published", default=None, help="Publication date (YYYY-MM-DD) to resolve relative dates.")
@click.option("--context", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="A text file with the article the sentence comes from (earlier actors resolve surnames).")
@codebooks_option
def explain(sentence: str, published: str | None, context: Path | None, codebooks: Path | None) -> None:
    """Show mentions, clauses, rules fired or rejected, and the resulting events.

    Example: eventcoder explain "Egypt and Qatar met Israeli officials in Cairo on Tuesday." --published 2024-01-30
    """
    from ..explain import explain_text

    cb = open_codebook(codebooks)
    prefix = context.read_text(encoding="utf-8") if context else ""
    click.echo(explain_text(sentence, cb, published=published, context=prefix))
