"""`eventcoder codebook ...`: lint, show and document a codebook set."""
from __future__ import annotations

from pathlib import Path

import click

from ..codebook import DEFAULT_CODEBOOKS
from .common import open_codebook


@click.group()
def codebook() -> None:
    """Check, inspect and document codebooks."""


@codebook.command()
@click.argument("directory", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.option("--warnings/--no-warnings", default=False, help="Also print warnings.")
def lint(directory: Path | None, warnings: bool) -> None:
    """Check a codebook set; exit non-zero on errors.

    Example: eventcoder codebook lint codebooks/
    """
    from ..codebook.lint import lint as run_lint, summarize

    directory = directory or DEFAULT_CODEBOOKS
    problems = run_lint(directory)
    errors, warns = summarize(problems)
    for p in problems:
        if p.startswith("error") or warnings:
            click.echo(p)
    click.echo(f"{directory}: {errors} errors, {warns} warnings", err=True)
    if errors:
        raise SystemExit(1)


@codebook.command()
@click.argument("query")
@click.option("--codebooks", type=click.Path(file_okay=False, path_type=Path), default=None)
def show(query: str, codebooks: Path | None) -> None:
    """What the codebook knows about a CAMEO code or an actor name, with file and line.

    Example: eventcoder codebook show 046 ; eventcoder codebook show "Hamas"
    """
    from ..codebook.docs import describe

    cb = open_codebook(codebooks)
    text = describe(cb, query)
    if not text:
        raise click.ClickException(f"nothing in {cb.root} matches {query!r}")
    click.echo(text)


@codebook.command()
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=Path("codebook.md"), show_default=True)
@click.option("--codebooks", type=click.Path(file_okay=False, path_type=Path), default=None)
def docs(out: Path, codebooks: Path | None) -> None:
    """Write a human-readable codebook (Markdown) for releases.

    Example: eventcoder codebook docs --out codebook.md
    """
    from ..codebook.docs import render_markdown

    cb = open_codebook(codebooks)
    out.write_text(render_markdown(cb), encoding="utf-8")
    click.echo(f"wrote {out}")


from .petrarch_cmd import import_petrarch  # noqa: E402  (the command lives in its own module)

codebook.add_command(import_petrarch)
