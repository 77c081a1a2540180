"""Entry point: `eventcoder` (also `python -m coder`)."""
from __future__ import annotations

import click

from .. import __version__
from .code_cmd import code
from .codebook_cmd import codebook
from .db_cmd import export, release, sql
from .explain_cmd import explain
from .eval_acled_cmd import eval_acled
from .eval_cmd import eval_cmd
from .gazetteer_cmd import gazetteer


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="eventcoder")
def cli() -> None:
    """eventcoder: code news articles into CAMEO events (who did what to whom, when, where)."""


cli.add_command(code)
cli.add_command(codebook)
cli.add_command(explain)
cli.add_command(eval_cmd)
cli.add_command(eval_acled)
cli.add_command(gazetteer)
cli.add_command(export)
cli.add_command(sql)
cli.add_command(release)


def main() -> None:
    cli(prog_name="eventcoder")
