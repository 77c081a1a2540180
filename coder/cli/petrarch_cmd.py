"""`eventcoder codebook import-petrarch`: TABARI/PETRARCH dictionaries -> a codebook set."""
from __future__ import annotations

from pathlib import Path

import click

_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)


@click.command("import-petrarch")
@click.option("--verbs", type=_FILE, default=None, help="PETRARCH verb dictionary (e.g. CAMEO.2.0.txt).")
@click.option("--actors", type=_FILE, multiple=True, help="Actor dictionary; repeat for several files.")
@click.option("--agents", type=_FILE, default=None, help="Agent dictionary (e.g. Phoenix.agents.txt).")
@click.option("--discards", type=_FILE, default=None, help="Discard list (reported: eventcoder has no discards).")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Folder for the codebook set (created; its verbs/ and actors/ files are replaced).")
@click.option("--name", default="petrarch-import", show_default=True, help="Name of the codebook set.")
@click.option("--version", "version", default="1", show_default=True, help="Version of the codebook set.")
@click.option("--base", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Codebook set whose taxonomy, cues, lexicon and places are copied (default: the bundled one).")
@click.option("--extra-codes/--no-extra-codes", default=True, show_default=True,
              help="Add numeric codes the dictionaries use but CAMEO lacks to the taxonomy (else report them).")
@click.option("--lint/--no-lint", "run_lint", default=True, show_default=True, help="Lint the set after writing it.")
def import_petrarch(verbs: Path | None, actors: tuple[Path, ...], agents: Path | None, discards: Path | None,
                    out: Path, name: str, version: str, base: Path | None, extra_codes: bool, run_lint: bool) -> None:
    """Convert TABARI/PETRARCH dictionaries into an eventcoder codebook set.

    Writes OUT/codebook.yaml, OUT/cameo/verbs/*.yaml, OUT/actors/*.yaml (with
    the taxonomy, cues, lexicon and places of the base set) and
    OUT/import_report.json, which lists every entry that could not be
    converted, or only in part, with the reason. Then code with
    `eventcoder code ... --codebooks OUT`.

    Example:

        eventcoder codebook import-petrarch --verbs CAMEO.2.0.txt
            --actors Phoenix.Countries.actors.txt --actors Phoenix.International.actors.txt
            --agents Phoenix.agents.txt --out codebooks-phoenix --name phoenix --version 2015.04
    """
    from ..codebook.lint import lint, summarize
    from ..codebook.petrarch import import_petrarch as run

    if not (verbs or actors or agents):
        raise click.UsageError("give at least one of --verbs, --actors, --agents")
    report = run(verbs=verbs, actors=list(actors), agents=agents, discards=discards, out=out, name=name,
                 version=version, extra_codes=extra_codes, base=base)
    click.echo(report.summary_text())
    click.echo(f"wrote {out} (details: {out / 'import_report.json'})")
    if run_lint:
        problems = lint(out)
        errors, warns = summarize(problems)
        for p in problems:
            if p.startswith("error"):
                click.echo(p, err=True)
        click.echo(f"lint {out}: {errors} errors, {warns} warnings", err=True)
        if errors:
            raise SystemExit(1)
