"""Options and helpers shared by several commands."""
from __future__ import annotations

from pathlib import Path

import click

from ..codebook import Codebook, CodebookError, load_codebook


def codebooks_option(f):
    return click.option("--codebooks", "codebooks", type=click.Path(file_okay=False, path_type=Path), default=None,
                        help="Codebook set folder (default: the bundled codebooks/).")(f)


def open_codebook(path: Path | None) -> Codebook:
    try:
        return load_codebook(path)
    except CodebookError as exc:
        raise click.ClickException(f"the codebook has errors:\n{exc}") from None
