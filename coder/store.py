"""Store: the event table's types and its CSV, Parquet and JSONL writers.

The column order and types of every output derive from the event schema
(`schemas/event.schema.json`), so CSV, Parquet and DuckDB agree column for
column. Rows are sorted by (doc_id, sentence_index, event_id) so outputs are
byte-stable whatever order articles were coded in. The DuckDB side (run
folders, the event database, releases) is `coder.db`.
"""
from __future__ import annotations

import warnings
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


def write_csv(df: pl.DataFrame, path: Path) -> None:
    # RFC 4180: comma, double-quote escaping, CRLF is optional; UTF-8 with header
    df.write_csv(path, include_header=True, quote_style="necessary", date_format="%Y-%m-%d", null_value="")


def write_parquet(df: pl.DataFrame, path: Path) -> None:
    df.write_parquet(path, compression="zstd", statistics=True)


def write_jsonl(df: pl.DataFrame, path: Path) -> None:
    """One JSON object per line, keys in schema column order, dates as YYYY-MM-DD, nulls as null."""
    df.write_ndjson(path)


def query_frame(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> pl.DataFrame:
    """Run SQL and return a polars frame (works across DuckDB 1.x and 2.x result APIs)."""
    res = con.execute(sql, params or [])
    if res.description is None:            # a statement that returns no rows
        return pl.DataFrame()
    for name in ("to_arrow_table", "fetch_arrow_table", "arrow"):
        fetch = getattr(res, name, None)
        if fetch is not None:
            with warnings.catch_warnings():  # DuckDB 2 notes that the DB-API result costs one copy
                warnings.simplefilter("ignore", UserWarning)
                return pl.from_arrow(fetch())
    cols = [d[0] for d in res.description]
    return pl.DataFrame(res.fetchall(), schema=cols, orient="row")


def write_sorted_outputs(con: duckdb.DuckDBPyConnection, csv_path: Path, parquet_path: Path,
                         batch_rows: int = 5_000) -> int:
    """Write the events table to CSV and Parquet in stable order, batch by batch (memory stays flat;
    each batch is formatted like `write_csv`/`write_parquet`).

    Sorting the whole table at once would hold (or spill) every wide row; instead the documents are cut
    into consecutive doc_id ranges of about `batch_rows` events, from a narrow (doc_id, count) query, and
    each range is selected and sorted on its own. doc_id is the first sort key, so the ranges, one after
    the other, are the table in SORT_KEY order: the same bytes as one big ORDER BY."""
    import pyarrow.parquet as pq

    from .validate import columns

    schema = polars_schema()
    cols = ", ".join(f'"{c}"' for c in columns())
    ranges: list[tuple[str, str]] = []
    lo = hi = None
    size = 0
    for doc_id, count in con.execute("SELECT doc_id, count(*) FROM events GROUP BY doc_id ORDER BY doc_id").fetchall():
        if lo is not None and size + count > batch_rows:
            ranges.append((lo, hi))
            lo, size = None, 0
        if lo is None:
            lo = doc_id
        hi = doc_id
        size += count
    if lo is not None:
        ranges.append((lo, hi))
    n = 0
    writer = None
    with csv_path.open("wb") as fh:
        empty = pl.DataFrame(schema=schema)
        empty.write_csv(fh, include_header=True, quote_style="necessary", date_format="%Y-%m-%d", null_value="")
        for lo, hi in ranges:
            # a relation's reader keeps ORDER BY order; a DB-API result need not (preserve_insertion_order
            # is off), and it would copy the rows once more
            quote = lambda v: "'" + v.replace("'", "''") + "'"  # noqa: E731
            rel = con.sql(f"SELECT {cols} FROM events WHERE doc_id >= {quote(lo)} AND doc_id <= {quote(hi)} "
                          f"ORDER BY {', '.join(SORT_KEY)}")
            fetch = next(getattr(rel, name) for name in ("to_arrow_reader", "fetch_arrow_reader", "record_batch")
                         if hasattr(rel, name))
            df = pl.from_arrow(fetch(batch_rows).read_all())
            if isinstance(df, pl.Series) or df.height == 0:
                continue
            df = df.cast({c: schema[c] for c in df.columns})
            df.write_csv(fh, include_header=False, quote_style="necessary", date_format="%Y-%m-%d", null_value="")
            table = df.to_arrow()
            if writer is None:
                writer = pq.ParquetWriter(parquet_path, table.schema, compression="zstd")
            writer.write_table(table)
            n += df.height
            del df, table
    if writer is None:
        write_parquet(pl.DataFrame(schema=schema), parquet_path)
    else:
        writer.close()
    return n
