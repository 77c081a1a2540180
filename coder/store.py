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


class ArrowStream:
    """A polars frame as DuckDB reads it by name in SQL: through the Arrow C stream interface, so that
    loading a batch needs no pyarrow (about 60 MB of the coding process's memory)."""

    __slots__ = ("df",)

    def __init__(self, df: pl.DataFrame):
        self.df = df

    def __arrow_c_stream__(self, requested_schema=None):
        return self.df.__arrow_c_stream__(requested_schema)


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
    """Write the events table to CSV and Parquet in stable order (SORT_KEY), formatted like
    `write_csv`/`write_parquet`, with DuckDB's COPY: the rows never pass through Python, polars or pyarrow.

    Sorting the whole table at once would hold (or spill) every wide row; instead the documents are cut
    into consecutive doc_id ranges of about `batch_rows` events, from a narrow (doc_id, count) query, and
    each range is selected, sorted and written on its own to a Parquet part. doc_id is the first sort key,
    so the parts, one after the other, are the table in SORT_KEY order: the same rows as one big ORDER BY.
    The parts are then read in order (insertion order kept) into events.csv and events.parquet.

    DuckDB writes every value of the event table to CSV as polars does (`write_csv`) but for doubles of
    magnitude below 1e-4 ("1e-05" for "0.00001"): a table with such a value is written by polars."""
    import shutil

    ranges = _doc_ranges(con, batch_rows)
    n = 0
    parts_dir = parquet_path.with_name(parquet_path.name + ".parts")
    shutil.rmtree(parts_dir, ignore_errors=True)
    parts_dir.mkdir(parents=True)
    try:
        cols = ", ".join(f'"{c}"' for c in columns())
        parts = []
        for k, (lo, hi) in enumerate(ranges):
            part = parts_dir / f"part-{k:06d}.parquet"
            con.execute(f"COPY (SELECT {cols} FROM events WHERE doc_id >= ? AND doc_id <= ? "
                        f"ORDER BY {', '.join(SORT_KEY)}) TO '{_sql_path(part)}' (FORMAT parquet)", [lo, hi])
            parts.append(part)
        if not parts:   # no events: the header and an empty file of the schema's types
            pl.DataFrame(schema=polars_schema()).write_csv(csv_path, include_header=True, quote_style="necessary",
                                                           date_format="%Y-%m-%d", null_value="")
            write_parquet(pl.DataFrame(schema=polars_schema()), parquet_path)
            return 0
        src = "read_parquet([" + ", ".join(f"'{_sql_path(p)}'" for p in parts) + "])"
        keep, threads = con.execute("SELECT current_setting('preserve_insertion_order'), "
                                    "current_setting('threads')").fetchall()[0]
        con.execute("SET preserve_insertion_order = true")   # the parts' order is the sort order
        con.execute("SET threads = 1")   # one writer's buffers: the copies fit a small buffer pool (16 MB)
        try:
            doubles = [c for c, t in polars_schema().items() if t == pl.Float64]
            tiny = " OR ".join(f'("{c}" <> 0 AND abs("{c}") < 1e-4)' for c in doubles) or "false"
            if con.execute(f"SELECT count(*) FROM events WHERE {tiny}").fetchall()[0][0]:
                _write_csv_polars(con, src, csv_path)
            else:
                con.execute(f"COPY (SELECT * FROM {src}) TO '{_sql_path(csv_path)}' (FORMAT csv, HEADER true, "
                            "DELIMITER ',', QUOTE '\"', ESCAPE '\"', NULLSTR '', DATEFORMAT '%Y-%m-%d')")
            # row groups of about a range each (as the parts): a row group is held in memory until written
            con.execute(f"COPY (SELECT * FROM {src}) TO '{_sql_path(parquet_path)}' "
                        f"(FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE {max(batch_rows, 1024)})")
            n = con.execute(f"SELECT count(*) FROM {src}").fetchall()[0][0]
        finally:
            con.execute(f"SET preserve_insertion_order = {'true' if keep else 'false'}")
            con.execute(f"SET threads = {int(threads)}")
    finally:
        shutil.rmtree(parts_dir, ignore_errors=True)
    return n


def _doc_ranges(con: duckdb.DuckDBPyConnection, batch_rows: int) -> list[tuple[str, str]]:
    """Consecutive doc_id ranges of about `batch_rows` events each (a document is never split)."""
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
    return ranges


def _write_csv_polars(con: duckdb.DuckDBPyConnection, src: str, csv_path: Path, batch_rows: int = 5_000) -> None:
    """The rows of `src` (in order) to CSV formatted by polars, a batch at a time (through the Arrow C
    stream interface: no pyarrow)."""
    schema = polars_schema()
    with csv_path.open("wb") as fh:
        pl.DataFrame(schema=schema).write_csv(fh, include_header=True, quote_style="necessary",
                                              date_format="%Y-%m-%d", null_value="")
        total = con.execute(f"SELECT count(*) FROM {src}").fetchall()[0][0]
        for offset in range(0, total, batch_rows):
            df = pl.DataFrame(con.sql(f"SELECT * FROM {src} LIMIT {batch_rows} OFFSET {offset}"))
            df = df.cast({c: schema[c] for c in df.columns})
            df.write_csv(fh, include_header=False, quote_style="necessary", date_format="%Y-%m-%d", null_value="")


def _sql_path(path: Path) -> str:
    return str(path).replace("'", "''")
