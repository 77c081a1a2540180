"""Store: write a run's events to DuckDB, CSV and Parquet, and its rejects and summary.

The column order and types of every output derive from the event schema
(`schemas/event.schema.json`), so CSV, Parquet and DuckDB agree column for
column. Rows are sorted by (doc_id, sentence_index, event_id) so outputs are
byte-stable whatever order articles were coded in.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Iterable

import duckdb
import polars as pl

from .validate import columns, event_schema

SORT_KEY = ["doc_id", "sentence_index", "event_id"]


def _json_type(prop: dict) -> tuple[str, str | None]:
    t = prop.get("type")
    types = [x for x in (t if isinstance(t, list) else [t]) if x != "null"]
    return (types[0] if types else "string"), prop.get("format")


def duckdb_type(prop: dict) -> str:
    t, fmt = _json_type(prop)
    if fmt == "date":
        return "DATE"
    return {"integer": "INTEGER", "number": "DOUBLE", "boolean": "BOOLEAN"}.get(t, "VARCHAR")


def polars_schema() -> dict[str, pl.DataType]:
    out: dict[str, pl.DataType] = {}
    for name, prop in event_schema()["properties"].items():
        t, fmt = _json_type(prop)
        out[name] = pl.Date if fmt == "date" else {"integer": pl.Int32, "number": pl.Float64,
                                                    "boolean": pl.Boolean}.get(t, pl.Utf8)
    return out


def events_ddl(table: str = "events") -> str:
    props = event_schema()["properties"]
    required = set(event_schema().get("required", []))
    cols = []
    for name, prop in props.items():
        null_ok = "null" in (prop.get("type") if isinstance(prop.get("type"), list) else [prop.get("type")])
        cols.append(f'"{name}" {duckdb_type(prop)}{"" if null_ok or name not in required else " NOT NULL"}')
    return f"CREATE TABLE IF NOT EXISTS {table} (\n  " + ",\n  ".join(cols) + ",\n  PRIMARY KEY (event_id)\n)"


def events_frame(rows: Iterable[dict]) -> pl.DataFrame:
    """Rows as a typed polars frame in schema column order, sorted stably."""
    schema = polars_schema()
    rows = list(rows)
    if not rows:
        return pl.DataFrame(schema=schema)
    df = pl.DataFrame(rows, schema={c: (pl.Utf8 if t == pl.Date else t) for c, t in schema.items()}, orient="row")
    df = df.with_columns([pl.col(c).str.to_date("%Y-%m-%d") for c, t in schema.items() if t == pl.Date])
    return df.select(columns()).sort(SORT_KEY)


ARTICLES_DDL = """CREATE TABLE IF NOT EXISTS articles (
  doc_id VARCHAR PRIMARY KEY, title VARCHAR, published DATE, news_source VARCHAR, url VARCHAR,
  origin VARCHAR, text_sha256 VARCHAR, n_sentences INTEGER, n_events INTEGER, codebook_version VARCHAR,
  run_id VARCHAR)"""
RUNS_DDL = """CREATE TABLE IF NOT EXISTS runs (
  run_id VARCHAR PRIMARY KEY, started_at VARCHAR, inputs VARCHAR, n_articles INTEGER, n_events INTEGER,
  n_rejects INTEGER, codebook_version VARCHAR, codebook_sha256 VARCHAR, coder_version VARCHAR, summary_json VARCHAR)"""


def write_csv(df: pl.DataFrame, path: Path) -> None:
    # RFC 4180: comma, double-quote escaping, CRLF is optional; UTF-8 with header
    df.write_csv(path, include_header=True, quote_style="necessary", date_format="%Y-%m-%d", null_value="")


def write_parquet(df: pl.DataFrame, path: Path) -> None:
    df.write_parquet(path, compression="zstd", statistics=True)


def write_duckdb(df: pl.DataFrame, articles: pl.DataFrame, run: dict, path: Path) -> None:
    """A fresh run database: typed tables events, articles, runs (one transaction)."""
    tmp = path.with_suffix(".duckdb.tmp")
    if tmp.exists():
        tmp.unlink()
    con = duckdb.connect(str(tmp))
    try:
        con.execute("BEGIN")
        con.execute(events_ddl())
        con.execute(ARTICLES_DDL)
        con.execute(RUNS_DDL)
        if df.height:
            con.register("ev_df", df.to_arrow())
            con.execute("INSERT INTO events SELECT * FROM ev_df")
        if articles.height:
            con.register("ar_df", articles.to_arrow())
            con.execute("INSERT INTO articles SELECT * FROM ar_df")
        con.execute("INSERT INTO runs VALUES (?,?,?,?,?,?,?,?,?,?)", [
            run["run_id"], run["started_at"], json.dumps(run["inputs"]), run["counts"]["articles"],
            run["counts"]["events"], run["counts"]["rejects"], run["codebook"]["version"], run["codebook"]["sha256"],
            run["coder_version"], json.dumps(run, sort_keys=True)])
        con.execute("COMMIT")
    finally:
        con.close()
    tmp.replace(path)


def articles_frame(records: list[dict]) -> pl.DataFrame:
    schema = {"doc_id": pl.Utf8, "title": pl.Utf8, "published": pl.Date, "news_source": pl.Utf8, "url": pl.Utf8,
              "origin": pl.Utf8, "text_sha256": pl.Utf8, "n_sentences": pl.Int32, "n_events": pl.Int32,
              "codebook_version": pl.Utf8, "run_id": pl.Utf8}
    if not records:
        return pl.DataFrame(schema=schema)
    return pl.DataFrame(records, schema=schema, orient="row").sort("doc_id")


def query_frame(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> pl.DataFrame:
    """Run SQL and return a polars frame (works across DuckDB 1.x and 2.x result APIs)."""
    res = con.execute(sql, params or [])
    for name in ("to_arrow_table", "fetch_arrow_table", "arrow"):
        fetch = getattr(res, name, None)
        if fetch is not None:
            return pl.from_arrow(fetch())
    cols = [d[0] for d in res.description]
    return pl.DataFrame(res.fetchall(), schema=cols, orient="row")
