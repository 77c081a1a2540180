"""eventcoder: a rule- and codebook-driven political event coder (CAMEO, ACLED)."""
from __future__ import annotations

__version__ = "0.1.0"


def code_article(article, codebook=None):
    """Code one `Article` (or a dict with id/text/published...) with a codebook (default: bundled)."""
    from .codebook import load_codebook
    from .ingest import Article, make_article
    from .pipeline import code_article as _code

    if isinstance(article, dict):
        article = make_article(article, "python")
        if not isinstance(article, Article):
            raise ValueError(article.reason)
    return _code(article, codebook or load_codebook())


def code_text(text: str, published: str | None = None, codebook=None) -> list[dict]:
    """Code a piece of text; returns the event rows."""
    return code_article({"id": "text", "text": text, "published": published}, codebook).rows


def open_db(path, read_only: bool = True):
    """A DuckDB connection to an event database or a release's events.duckdb (read-only by default)."""
    from .db import open_db as _open

    return _open(path, read_only=read_only)


def load_events(path, date_from=None, date_to=None, where: str | None = None, columns: list[str] | None = None):
    """The events of a database as a polars DataFrame, sorted; optional event_date range and SQL condition."""
    from .db import load_events as _load

    return _load(path, date_from=date_from, date_to=date_to, where=where, columns=columns)


__all__ = ["__version__", "code_article", "code_text", "open_db", "load_events"]
