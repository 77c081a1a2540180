"""Shared fixtures: the bundled codebook is compiled once per test session."""
from __future__ import annotations

from pathlib import Path

import pytest

from coder.codebook import load_codebook

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parent / "data"
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="session")
def cb():
    return load_codebook()


def need_shared(*parts: str) -> Path:
    """A path under ../shared, or skip the test with the reason."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"needs {path} (the shared reference folder beside the repo), which is absent")
    return path
