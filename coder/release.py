"""Versioned dataset releases of an event database.

`make_release(db, version, out_root)` writes `out_root/VERSION/`:

  events.csv, events.parquet   the events, schema column order, sorted (doc_id, sentence_index, event_id)
  event_codes.csv, actors.csv  the lookups (CAMEO taxonomy; actors of the codebook)
  events.duckdb                the release's own database: events, articles, lookups, codebooks, views
  datapackage.json             Frictionless tabular data package: Table Schemas, licence, sources, bytes, hashes
  codebook.md                  the codebooks used, and the event record's columns
  CHANGELOG.md                 what changed since the previous release in out_root (by event_id)
  CITATION.cff, README.md      how to cite and use the release
  report.html                  self-contained plots and tables (coder.report)
  SHA256SUMS                   `sha256sum -c SHA256SUMS` checks every file

A release is reproducible: the same database, version and `created` give byte-identical files. Nothing
else depends on the clock, and the DuckDB file is written single-threaded from sorted data, then its
header's random file identifier (DuckDB >= 1.4 draws one per file to match WAL files) is set to a value
derived from the release's content. The release is built in a hidden folder and renamed into place, so a
failed release leaves no half-written folder.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import shutil
import struct
import tempfile
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import duckdb
import polars as pl

from . import __version__
from .db import ACTORS_DDL, EVENT_CODES_DDL, connect, create_views, read_events
from .report import render_report
from .store import _json_type, events_ddl, query_frame, write_csv, write_parquet
from .validate import event_schema

DEFAULT_TITLE = "eventcoder event dataset"
DEFAULT_NAME = "eventcoder-events"
DEFAULT_LICENSE = "CC-BY-4.0"
LICENSES = {
    "CC-BY-4.0": ("Creative Commons Attribution 4.0 International", "https://creativecommons.org/licenses/by/4.0/"),
    "CC-BY-SA-4.0": ("Creative Commons Attribution Share-Alike 4.0", "https://creativecommons.org/licenses/by-sa/4.0/"),
    "CC0-1.0": ("CC0 1.0 Universal", "https://creativecommons.org/publicdomain/zero/1.0/"),
    "ODC-BY-1.0": ("Open Data Commons Attribution License 1.0", "https://opendatacommons.org/licenses/by/1-0/"),
    "ODbL-1.0": ("Open Data Commons Open Database License 1.0", "https://opendatacommons.org/licenses/odbl/1-0/"),
}
MAX_IDS_LISTED = 100        # per list (added, removed, changed) in CHANGELOG.md
VERSION_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._+-]{0,63}$")


class ReleaseError(Exception):
    """The release cannot be made (bad version, folder exists, not an event database ...)."""


@dataclass
class Release:
    path: Path
    version: str
    created: str
    n_events: int
    n_articles: int
    previous: str | None
    files: list[str] = field(default_factory=list)
    duckdb_reproducible: bool = True


# ---------------------------------------------------------------- small helpers
def version_key(v: str) -> tuple:
    """Natural order: 2026.9 < 2026.10 < 2026.10.1; letters sort after numbers at the same place."""
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in re.split(r"(\d+)", v) if p)


def normalize_created(created: str | dt.date | dt.datetime | None) -> str:
    """An RFC 3339 UTC timestamp (YYYY-MM-DDTHH:MM:SSZ); a bare date means its midnight; None means now."""
    if created is None:
        value = dt.datetime.now(dt.timezone.utc)
    elif isinstance(created, dt.datetime):
        value = created
    elif isinstance(created, dt.date):
        value = dt.datetime(created.year, created.month, created.day, tzinfo=dt.timezone.utc)
    else:
        text = str(created).strip().replace("Z", "+00:00")
        try:
            value = dt.datetime.fromisoformat(text)
        except ValueError:
            raise ReleaseError(f"--created {created!r}: not a date (YYYY-MM-DD) or time (YYYY-MM-DDTHH:MM:SSZ)") from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.timezone.utc)
    return value.astimezone(dt.timezone.utc).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _q(s: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(s, ensure_ascii=False)


def _md(s) -> str:
    return str(s if s is not None else "").replace("|", "\\|").replace("\n", " ")


# ---------------------------------------------------------------- Table Schemas
def _constraints(prop: dict, nullable: bool) -> dict:
    c: dict = {}
    if not nullable:
        c["required"] = True
    if "pattern" in prop:
        c["pattern"] = prop["pattern"].removeprefix("^").removesuffix("$")   # Table Schema patterns are anchored
    if "enum" in prop:
        c["enum"] = [v for v in prop["enum"] if v is not None]
    for k in ("minimum", "maximum"):
        if k in prop:
            c[k] = prop[k]
    return c


def table_schema() -> dict:
    """The events' Table Schema, derived from schemas/event.schema.json (types, descriptions, constraints)."""
    fields = []
    for name, prop in event_schema()["properties"].items():
        t, fmt = _json_type(prop)
        types = prop.get("type") if isinstance(prop.get("type"), list) else [prop.get("type")]
        ftype = "date" if fmt == "date" else {"integer": "integer", "number": "number", "boolean": "boolean"}.get(t, "string")
        f = {"name": name, "type": ftype, "description": prop.get("description", "")}
        if ftype == "date":
            f["format"] = "default"
        cons = _constraints(prop, "null" in types)
        if cons:
            f["constraints"] = cons
        fields.append(f)
    return {"fields": fields, "primaryKey": ["event_id"], "missingValues": [""]}


EVENT_CODES_FIELDS = [
    ("code", "string", "CAMEO event code.", {"required": True, "unique": True}),
    ("name", "string", "Name of the code.", {"required": True}),
    ("description", "string", "What the code covers.", {}),
    ("root", "string", "CAMEO root code (first two digits).", {"required": True}),
    ("root_name", "string", "Name of the root.", {}),
    ("category", "string", "The events' category for this code.", {"required": True}),
    ("quad_class", "integer", "QuadClass: 1 verbal cooperation, 2 material cooperation, 3 verbal conflict, "
                              "4 material conflict.", {"required": True, "minimum": 1, "maximum": 4}),
    ("goldstein", "number", "Goldstein conflict-cooperation score.", {"required": True, "minimum": -10, "maximum": 10}),
    ("plover_type", "string", "PLOVER event type, empty where PLOVER drops the code.", {}),
]
ACTORS_FIELDS = [
    ("code", "string", "CAMEO actor code (country + role + group blocks).", {"required": True}),
    ("name", "string", "Name of the actor.", {"required": True}),
    ("kind", "string", "country, institution, org (international organisation), group or person.",
     {"required": True, "enum": ["country", "institution", "org", "group", "person"]}),
    ("country", "string", "ISO 3166-1 alpha-3 country (or IGO, NGO ... block).", {}),
    ("role", "string", "CAMEO role block (GOV, MIL, REB ...).", {}),
    ("valid_from", "date", "People: first day the person held this role.", {}),
    ("valid_to", "date", "People: last day the person held this role.", {}),
    ("source_file", "string", "Codebook file that defines the actor.", {}),
]


def _lookup_schema(spec) -> dict:
    fields = []
    for name, t, desc, cons in spec:
        f = {"name": name, "type": t, "description": desc}
        if cons:
            f["constraints"] = cons
        fields.append(f)
    return {"fields": fields, "missingValues": [""]}


# ---------------------------------------------------------------- the release database
RELEASE_ARTICLES_DDL = """CREATE TABLE articles (
  doc_id VARCHAR PRIMARY KEY, title VARCHAR, published DATE, news_source VARCHAR, url VARCHAR,
  text_sha256 VARCHAR, n_sentences INTEGER, n_events INTEGER, codebook_version VARCHAR, codebook_sha256 VARCHAR,
  coder_version VARCHAR)"""
ARTICLE_COLUMNS = {"doc_id": pl.Utf8, "title": pl.Utf8, "published": pl.Date, "news_source": pl.Utf8, "url": pl.Utf8,
                   "text_sha256": pl.Utf8, "n_sentences": pl.Int32, "n_events": pl.Int32,
                   "codebook_version": pl.Utf8, "codebook_sha256": pl.Utf8, "coder_version": pl.Utf8}
RELEASE_CODEBOOKS_DDL = """CREATE TABLE codebooks (
  codebook_sha256 VARCHAR PRIMARY KEY, name VARCHAR, version VARCHAR, documentation VARCHAR)"""
RELEASE_INFO_DDL = "CREATE TABLE release_info (key VARCHAR PRIMARY KEY, value VARCHAR)"


def write_release_db(path: Path, tables: dict[str, pl.DataFrame], info: dict[str, str], file_id: bytes) -> bool:
    """The release's DuckDB file, written single-threaded from sorted frames; returns whether its header
    identifier could be pinned to `file_id` (that is, whether the file is byte-reproducible)."""
    if path.exists():
        path.unlink()
    con = duckdb.connect(":memory:", config={"threads": 1})
    try:
        con.execute(f"ATTACH '{str(path).replace(chr(39), chr(39) * 2)}' AS release_db")
        con.execute("USE release_db")
        for ddl in (events_ddl(), RELEASE_ARTICLES_DDL, EVENT_CODES_DDL, ACTORS_DDL, RELEASE_CODEBOOKS_DDL,
                    RELEASE_INFO_DDL):
            con.execute(ddl.replace("CREATE TABLE IF NOT EXISTS", "CREATE TABLE"))
        for name in ("events", "articles", "event_codes", "actors", "codebooks"):
            frame = tables[name].to_arrow()  # noqa: F841  (read by name below)
            con.execute(f"INSERT INTO {name} BY NAME SELECT * FROM frame")
        con.executemany("INSERT INTO release_info VALUES (?, ?)", sorted(info.items()))
        create_views(con)
        con.execute("CHECKPOINT")
        con.execute("USE memory")
        con.execute("DETACH release_db")
    finally:
        con.close()
    return pin_duckdb_file_id(path, file_id)


_C = 0xBF58476D1CE4E5B9
_M64 = (1 << 64) - 1
HEADER_SIZE = 4096


def _header_checksum(block: bytes) -> int:
    """DuckDB's block checksum over the main header (bytes 8..4096): 5381 xor, over 8-byte words, word * C."""
    r = 5381
    for (w,) in struct.iter_unpack("<Q", block[8:HEADER_SIZE]):
        r ^= (w * _C) & _M64
    return r


@lru_cache(maxsize=1)
def _file_id_span() -> tuple[int, int] | None:
    """Where this DuckDB version keeps the random file identifier: the header bytes that differ between
    fresh databases (four, so that an identifier byte that happens to agree is still found)."""
    heads = []
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(4):
            p = Path(tmp) / f"probe{i}.duckdb"
            c = duckdb.connect(str(p))
            c.execute("CREATE TABLE t (x INTEGER)")
            c.execute("CHECKPOINT")
            c.close()
            heads.append(p.read_bytes()[:HEADER_SIZE])
    diff = [i for i in range(8, HEADER_SIZE) if len({h[i] for h in heads}) > 1]
    if not diff:
        return (0, 0)                       # nothing random: already reproducible
    lo, hi = diff[0], diff[-1] + 1
    if hi - lo > 32 or any(_header_checksum(h) != struct.unpack("<Q", h[:8])[0] for h in heads):
        return None                         # a header layout or checksum we do not know
    return lo, hi


def pin_duckdb_file_id(path: Path, file_id: bytes) -> bool:
    """Replace the random identifier in a closed DuckDB file's main header by `file_id`, fix the header
    checksum, and check that DuckDB opens the file. Returns False (file unchanged) where that is not possible."""
    span = _file_id_span()
    if span is None:
        return False
    lo, hi = span
    if lo == hi:
        return True
    with path.open("r+b") as fh:
        head = fh.read(HEADER_SIZE)
        if head[8:12] != b"DUCK" or _header_checksum(head) != struct.unpack("<Q", head[:8])[0]:
            return False
        ident = (file_id * ((hi - lo) // len(file_id) + 1))[: hi - lo]
        new = bytearray(head)
        new[lo:hi] = ident
        new[0:8] = struct.pack("<Q", _header_checksum(bytes(new)))
        fh.seek(0)
        fh.write(bytes(new))
    try:
        c = duckdb.connect(str(path), read_only=True)
        c.execute("SELECT count(*) FROM events").fetchall()
        c.close()
        return True
    except duckdb.Error:
        with path.open("r+b") as fh:        # put the original header back
            fh.write(head)
        return False


# ---------------------------------------------------------------- reading the source database
def _read_source(db_path: Path) -> dict:
    con = connect(db_path, read_only=True)
    try:
        names = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
        if "events" not in names:
            raise ReleaseError(f"{db_path} has no events table: is it an eventcoder database?")
        events = read_events(con)
        out = {"events": events}
        if "articles" in names:
            art = query_frame(con, "SELECT * FROM articles ORDER BY doc_id")
            for c in ("codebook_sha256", "coder_version"):
                if c not in art.columns:
                    art = art.with_columns(pl.lit(None, pl.Utf8).alias(c))
            out["articles"] = (art.select([pl.col(c).cast(t) for c, t in ARTICLE_COLUMNS.items()]) if art.height
                               else pl.DataFrame(schema=ARTICLE_COLUMNS))
        else:
            out["articles"] = pl.DataFrame(schema=ARTICLE_COLUMNS)
        out["event_codes"] = (query_frame(con, "SELECT * FROM event_codes ORDER BY code") if "event_codes" in names
                              else pl.DataFrame())
        out["actors"] = (query_frame(con, "SELECT * FROM actors ORDER BY code, kind, name, valid_from NULLS FIRST, "
                                          "valid_to NULLS FIRST, source_file") if "actors" in names else pl.DataFrame())
        if "codebooks" in names:
            out["codebooks"] = query_frame(
                con, "SELECT codebook_sha256, name, version, documentation FROM codebooks WHERE codebook_sha256 IN "
                     "(SELECT DISTINCT codebook_sha256 FROM articles) ORDER BY version, codebook_sha256")
        else:
            out["codebooks"] = pl.DataFrame(schema={"codebook_sha256": pl.Utf8, "name": pl.Utf8, "version": pl.Utf8,
                                                    "documentation": pl.Utf8})
        return out
    except duckdb.Error as exc:
        raise ReleaseError(f"cannot read {db_path}: {str(exc).splitlines()[0]}") from None
    finally:
        con.close()


def _typed_lookup(df: pl.DataFrame, spec) -> pl.DataFrame:
    types = {"string": pl.Utf8, "integer": pl.Int32, "number": pl.Float64, "date": pl.Date}
    if df.is_empty() and not df.columns:
        return pl.DataFrame(schema={n: types[t] for n, t, _, _ in spec})
    return df.select([pl.col(n).cast(types[t]) for n, t, _, _ in spec])


# ---------------------------------------------------------------- previous release and changes
def find_previous(out_root: Path, version: str) -> Path | None:
    """The release in `out_root` that precedes `version` (natural version order), if any."""
    if not out_root.is_dir():
        return None
    cands = [d for d in out_root.iterdir() if d.is_dir() and not d.name.startswith(".") and d.name != version
             and (d / "datapackage.json").is_file() and (d / "events.parquet").is_file()]
    lower = [d for d in cands if version_key(d.name) < version_key(version)]
    return max(lower, key=lambda d: version_key(d.name)) if lower else None


@dataclass
class Changes:
    previous: str | None
    added: list[str]
    removed: list[str]
    changed: list[str]
    unchanged: int
    changed_columns: dict[str, int]
    by_category: list[tuple[str, int, int]]
    by_country: list[tuple[str, int, int]]
    codebooks_before: list[str]
    codebooks_now: list[str]
    events_before: int
    events_now: int
    columns_added: list[str] = field(default_factory=list)
    columns_removed: list[str] = field(default_factory=list)


def _count_by(df: pl.DataFrame, col: str) -> dict[str, int]:
    if df.is_empty() or col not in df.columns:
        return {}
    c = df.with_columns(pl.col(col).cast(pl.Utf8).fill_null("(none)")).group_by(col).len()
    return {r[0]: r[1] for r in c.iter_rows()}


def _side_by_side(before: dict[str, int], now: dict[str, int]) -> list[tuple[str, int, int]]:
    keys = sorted(set(before) | set(now), key=lambda k: (-(now.get(k, 0)), -(before.get(k, 0)), k))
    return [(k, before.get(k, 0), now.get(k, 0)) for k in keys]


def compute_changes(prev: pl.DataFrame | None, cur: pl.DataFrame, previous: str | None) -> Changes:
    prev = prev if prev is not None else cur.clear()
    common = [c for c in cur.columns if c in prev.columns and c != "event_id"]
    prev_ids = set(prev["event_id"].to_list())
    cur_ids = set(cur["event_id"].to_list())
    joined = cur.select(["event_id", *common]).join(prev.select(["event_id", *common]), on="event_id", how="inner",
                                                    suffix="__prev")
    changed_cols: dict[str, int] = {}
    changed_mask = pl.Series("m", [False] * joined.height, dtype=pl.Boolean)
    for c in common:
        a, b = joined[c], joined[f"{c}__prev"]
        if a.dtype != b.dtype:
            b = b.cast(a.dtype, strict=False)
        diff = ~a.eq_missing(b)
        n = int(diff.sum())
        if n:
            changed_cols[c] = n
            changed_mask = changed_mask | diff
    changed = sorted(joined.filter(changed_mask)["event_id"].to_list())
    return Changes(
        previous=previous, added=sorted(cur_ids - prev_ids), removed=sorted(prev_ids - cur_ids), changed=changed,
        unchanged=joined.height - len(changed), changed_columns=dict(sorted(changed_cols.items())),
        by_category=_side_by_side(_count_by(prev, "category"), _count_by(cur, "category")),
        by_country=_side_by_side(_count_by(prev, "location_country"), _count_by(cur, "location_country")),
        codebooks_before=sorted(_count_by(prev, "codebook_version")),
        codebooks_now=sorted(_count_by(cur, "codebook_version")),
        events_before=prev.height, events_now=cur.height,
        columns_added=[c for c in cur.columns if c not in prev.columns],
        columns_removed=[c for c in prev.columns if c not in cur.columns])


def _delta(a: int, b: int) -> str:
    d = b - a
    return f"+{d}" if d > 0 else str(d) if d < 0 else "0"


def _id_list(title: str, ids: list[str]) -> list[str]:
    out = [f"### {title} ({len(ids):,})", ""]
    if not ids:
        return out + ["none", ""]
    shown = ids[:MAX_IDS_LISTED]
    out += [", ".join(f"`{i}`" for i in shown)]
    if len(ids) > len(shown):
        out += ["", f"... and {len(ids) - len(shown):,} more (compare the two releases' events.parquet by event_id)."]
    return out + [""]


def render_changelog(ch: Changes, version: str, created: str, title: str) -> str:
    out = [f"# Changelog: {title} {version}", ""]
    if ch.previous is None:
        out += [f"First release ({created[:10]}): {ch.events_now:,} events.", ""]
    else:
        out += [f"Release {version} ({created[:10]}) compared with release {ch.previous}.", ""]
    out += ["## Summary", "", "| | count |", "|---|---:|",
            f"| events in release {ch.previous} | {ch.events_before:,} |" if ch.previous else "| events before | 0 |",
            f"| events in release {version} | {ch.events_now:,} |",
            f"| added | {len(ch.added):,} |", f"| removed | {len(ch.removed):,} |",
            f"| changed (same event_id, other values) | {len(ch.changed):,} |",
            f"| unchanged | {ch.unchanged:,} |", ""]
    out += ["## Codebook", ""]
    before = ", ".join(ch.codebooks_before) or "none"
    now = ", ".join(ch.codebooks_now) or "none"
    if ch.previous is None:
        out += [f"Codebook: {now}.", ""]
    elif before == now:
        out += [f"Codebook unchanged: {now}.", ""]
    else:
        out += [f"Codebook changed: {before} → {now}.", ""]
    if ch.columns_added or ch.columns_removed:
        out += ["## Columns", "", f"Added: {', '.join(ch.columns_added) or 'none'}. "
                                  f"Removed: {', '.join(ch.columns_removed) or 'none'}.", ""]
    if ch.changed_columns:
        out += ["## Changed values by column", "", "| column | events changed |", "|---|---:|"]
        out += [f"| {c} | {n:,} |" for c, n in ch.changed_columns.items()] + [""]
    for heading, rows, label in (("Events by category", ch.by_category, "category"),
                                 ("Events by country (location_country)", ch.by_country, "country")):
        out += [f"## {heading}", "", f"| {label} | {ch.previous or 'before'} | {version} | change |",
                "|---|---:|---:|---:|"]
        out += [f"| {_md(k)} | {a:,} | {b:,} | {_delta(a, b)} |" for k, a, b in rows]
        out.append("")
    out += ["## Events by event_id", ""]
    out += _id_list("Added", ch.added) + _id_list("Removed", ch.removed) + _id_list("Changed", ch.changed)
    return "\n".join(out).rstrip() + "\n"


# ---------------------------------------------------------------- documents
def render_codebook_md(codebooks: pl.DataFrame, n_by_sha: dict[str, int], version: str) -> str:
    out = [f"# Codebooks of release {version}", "",
           "The codebooks the release's events were coded with, then the columns of the event record.", ""]
    if codebooks.is_empty():
        out += ["No codebook documentation is stored in the database.", ""]
    else:
        out += ["| codebook | version | SHA-256 | articles |", "|---|---|---|---:|"]
        out += [f"| {_md(r['name'])} | {_md(r['version'])} | `{r['codebook_sha256']}` | "
                f"{n_by_sha.get(r['codebook_sha256'], 0):,} |" for r in codebooks.iter_rows(named=True)]
        out.append("")
        for r in codebooks.iter_rows(named=True):
            doc = r["documentation"] or f"# Codebook {r['name']} {r['version']}\n\n(no documentation stored)\n"
            out += ["#" + line if line.startswith("#") else line for line in doc.rstrip("\n").split("\n")]
            out.append("")
    out += ["## The event record", "",
            "One row per event, the same columns in events.csv, events.parquet and the `events` table "
            "(`schemas/event.schema.json`).", "", "| # | column | type | empty allowed | description | constraints |",
            "|---:|---|---|---|---|---|"]
    for i, f in enumerate(table_schema()["fields"], 1):
        cons = f.get("constraints", {})
        text = "; ".join(f"{k} {v}" for k, v in cons.items() if k != "required")
        out.append(f"| {i} | `{f['name']}` | {f['type']} | {'no' if cons.get('required') else 'yes'} | "
                   f"{_md(f['description'])} | {_md(text)} |")
    return "\n".join(out) + "\n"


def render_citation(title: str, version: str, created: str, license_id: str, authors: list[str],
                    abstract: str) -> str:
    lines = ["cff-version: 1.2.0", 'message: "If you use this dataset, please cite it as below."',
             "type: dataset", f"title: {_q(title)}", f"version: {_q(version)}", f"date-released: {created[:10]}",
             f"license: {_q(license_id)}", f"abstract: {_q(abstract)}", "authors:"]
    for a in authors or ["eventcoder users"]:
        if "," in a:
            family, given = (s.strip() for s in a.split(",", 1))
            lines += [f"  - family-names: {_q(family)}", f"    given-names: {_q(given)}"]
        else:
            lines += [f"  - name: {_q(a)}"]
    lines += ["keywords:", '  - "political events"', '  - "event data"', '  - "CAMEO"']
    return "\n".join(lines) + "\n"


FILE_NOTES = {
    "events.csv": "the events: RFC 4180 CSV, UTF-8, header; empty field = missing",
    "events.parquet": "the same rows and columns, typed (Parquet, zstd)",
    "event_codes.csv": "lookup: the CAMEO codes (name, root, QuadClass, Goldstein, PLOVER)",
    "actors.csv": "lookup: the codebook's countries, institutions, organisations, groups and people",
    "events.duckdb": "a DuckDB database: tables events, articles, event_codes, actors, codebooks, release_info; "
                     "views monthly_counts, dyads, dyad_goldstein, quad_monthly",
    "datapackage.json": "Frictionless Data Package: Table Schemas, licence, sources, sizes and SHA-256 of the CSVs",
    "codebook.md": "the codebooks used, and every column of the event record",
    "CHANGELOG.md": "what changed since the previous release",
    "CITATION.cff": "how to cite the release",
    "README.md": "this file",
    "report.html": "plots and summary tables; opens offline",
    "SHA256SUMS": "checksums of every file: `sha256sum -c SHA256SUMS`",
}


def render_readme(title: str, version: str, created: str, license_id: str, n_events: int, n_articles: int,
                  first: str | None, last: str | None, codebooks: list[str], sizes: dict[str, int],
                  previous: str | None) -> str:
    span = f"dated {first} to {last}" if first else "without dates"
    out = [f"# {title}, release {version}", "",
           f"{n_events:,} political events (CAMEO-coded: who did what to whom, when and where) from {n_articles:,} "
           f"news articles, {span}. Coded by eventcoder {__version__} with {', '.join(codebooks) or 'no codebook'}. "
           f"Created {created}. Licence: {license_id}.", "",
           "Every event carries the sentence it was coded from, the trigger words and the codebook rule that fired "
           "(`evidence`, `rule_id`), so each row can be checked against its source.", "",
           "## Files", "", "| file | bytes | what |", "|---|---:|---|"]
    for name in FILE_NOTES:
        size = f"{sizes[name]:,}" if name in sizes else ""
        out.append(f"| {name} | {size} | {FILE_NOTES[name]} |")
    out += ["", "## Use it", "", "SQL (DuckDB):", "", "```sql",
            "-- duckdb events.duckdb",
            "SELECT month, category, sum(events) AS events FROM monthly_counts GROUP BY ALL ORDER BY month, category;",
            "SELECT * FROM dyad_goldstein WHERE source_country = 'RUS' AND target_country = 'UKR' ORDER BY month;",
            "```", "", "Python:", "", "```python", "import polars as pl", 'events = pl.read_parquet("events.parquet")',
            "import duckdb", 'con = duckdb.connect("events.duckdb", read_only=True)',
            'con.sql("SELECT * FROM dyads LIMIT 10").pl()', "```", "", "R:", "", "```r",
            'library(arrow); events <- read_parquet("events.parquet")',
            'library(DBI); con <- dbConnect(duckdb::duckdb(), "events.duckdb", read_only = TRUE)',
            'dbGetQuery(con, "SELECT * FROM monthly_counts")', "```", "",
            "The columns are described in `datapackage.json` and `codebook.md`. Events are sorted by "
            "(doc_id, sentence_index, event_id); `event_id` is stable across releases for the same article text, "
            "codebook and coder.", "",
            "## Changes", "", f"See CHANGELOG.md (compared with release {previous})." if previous else
            "See CHANGELOG.md (first release).", "",
            "## Cite", "", "See CITATION.cff.", "",
            "## Check", "", "```", "sha256sum -c SHA256SUMS", "frictionless validate datapackage.json", "```", ""]
    return "\n".join(out)


def render_datapackage(name: str, title: str, version: str, created: str, license_id: str, sizes: dict[str, int],
                       hashes: dict[str, str], sources: list[dict], extra: dict) -> dict:
    lic_title, lic_path = LICENSES.get(license_id, (license_id, None))
    lic = {"name": license_id, "title": lic_title}
    if lic_path:
        lic["path"] = lic_path

    def res(rname, path, rtitle, desc, schema):
        return {"name": rname, "path": path, "profile": "tabular-data-resource", "title": rtitle,
                "description": desc, "format": "csv", "mediatype": "text/csv", "encoding": "utf-8",
                "bytes": sizes[path], "hash": f"sha256:{hashes[path]}", "schema": schema}

    return {
        "profile": "tabular-data-package",
        "name": name,
        "title": title,
        "version": version,
        "created": created,
        "description": f"CAMEO-coded political events, release {version}. events.parquet and events.duckdb hold "
                       "the same events (see README.md); SHA256SUMS lists every file.",
        "licenses": [lic],
        "sources": sources,
        "keywords": ["political events", "event data", "CAMEO"],
        "resources": [
            res("events", "events.csv", "Events", "One row per coded event.", table_schema()),
            res("event_codes", "event_codes.csv", "Event codes", "The CAMEO taxonomy of the codebook.",
                _lookup_schema(EVENT_CODES_FIELDS)),
            res("actors", "actors.csv", "Actors", "Actors of the codebook; people once per dated role.",
                _lookup_schema(ACTORS_FIELDS)),
        ],
        "eventcoder": extra,
    }


# ---------------------------------------------------------------- the release
def make_release(db_path: str | Path, version: str, out_root: str | Path, created: str | dt.date | None = None,
                 title: str = DEFAULT_TITLE, license_id: str = DEFAULT_LICENSE, authors: list[str] | None = None,
                 name: str = DEFAULT_NAME, force: bool = False) -> Release:
    """Write release `version` of the database `db_path` into `out_root/version/` (see the module docstring)."""
    if not VERSION_RE.match(version or ""):
        raise ReleaseError(f"version {version!r}: use letters, digits, '.', '-', '_' or '+' (e.g. 2026.12)")
    db_path, out_root = Path(db_path), Path(out_root)
    created = normalize_created(created)
    final = out_root / version
    if final.exists() and not force:
        raise ReleaseError(f"{final} exists; pick another version or pass --force to replace it")
    src = _read_source(db_path)
    events = src["events"]
    articles = src["articles"]
    codes = _typed_lookup(src["event_codes"], EVENT_CODES_FIELDS)
    actors = _typed_lookup(src["actors"], ACTORS_FIELDS)
    codebooks = src["codebooks"]
    previous = find_previous(out_root, version)
    out_root.mkdir(parents=True, exist_ok=True)
    tmp = out_root / f".{version}.partial"
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir()
    try:
        write_csv(events, tmp / "events.csv")
        write_parquet(events, tmp / "events.parquet")
        write_csv(codes, tmp / "event_codes.csv")
        write_csv(actors, tmp / "actors.csv")
        data_hash = sha256_file(tmp / "events.parquet")
        info = {"name": name, "title": title, "version": version, "created": created, "license": license_id,
                "coder_version": __version__, "events_sha256": data_hash}
        reproducible = write_release_db(
            tmp / "events.duckdb",
            {"events": events, "articles": articles, "event_codes": codes, "actors": actors, "codebooks": codebooks},
            info, hashlib.sha256(f"{name}|{version}|{created}|{data_hash}".encode()).digest()[:16])
        n_by_sha = _count_by(articles, "codebook_sha256")
        cb_labels = [f"{r['name']} {r['version']}" for r in codebooks.iter_rows(named=True)] or \
            sorted(_count_by(events, "codebook_version"))
        (tmp / "codebook.md").write_text(render_codebook_md(codebooks, n_by_sha, version), encoding="utf-8")
        prev_events = pl.read_parquet(previous / "events.parquet") if previous else None
        changes = compute_changes(prev_events, events, previous.name if previous else None)
        (tmp / "CHANGELOG.md").write_text(render_changelog(changes, version, created, title), encoding="utf-8")
        n_articles = articles.height or events["doc_id"].n_unique()
        meta = {"title": title, "version": version, "created": created, "n_articles": n_articles,
                "codebooks": cb_labels, "coder_version": __version__}
        (tmp / "report.html").write_text(render_report(events, meta), encoding="utf-8")
        dated = events["event_date"].drop_nulls()
        abstract = (f"{events.height:,} CAMEO-coded political events from {n_articles:,} news articles, "
                    f"coded by eventcoder {__version__} with {', '.join(cb_labels) or 'no codebook'}.")
        (tmp / "CITATION.cff").write_text(render_citation(title, version, created, license_id, authors or [], abstract),
                                          encoding="utf-8")
        sizes = {p.name: p.stat().st_size for p in tmp.iterdir()}
        (tmp / "README.md").write_text(render_readme(
            title, version, created, license_id, events.height, n_articles,
            str(dated.min()) if dated.len() else None, str(dated.max()) if dated.len() else None, cb_labels, sizes,
            previous.name if previous else None), encoding="utf-8")
        hashes = {n: sha256_file(tmp / n) for n in ("events.csv", "event_codes.csv", "actors.csv")}
        news = _count_by(articles, "news_source")
        sources = [{"title": f"{'unnamed source' if k == '(none)' else k}: {v:,} article{'s' if v != 1 else ''}"}
                   for k, v in sorted(news.items(), key=lambda kv: (-kv[1], kv[0]))]
        sources = sources[:50] + ([{"title": f"{len(sources) - 50} other news sources"}] if len(sources) > 50 else [])
        sources.append({"title": f"Coded by eventcoder {__version__} with {', '.join(cb_labels) or 'no codebook'}"})
        extra = {"coder_version": __version__, "events": events.height, "articles": n_articles,
                 "codebooks": [{"name": r["name"], "version": r["version"], "sha256": r["codebook_sha256"]}
                               for r in codebooks.iter_rows(named=True)],
                 "previous_release": previous.name if previous else None,
                 "files": {n: {"bytes": sizes[n], "hash": f"sha256:{sha256_file(tmp / n)}"}
                           for n in ("events.parquet", "events.duckdb")}}
        pkg = render_datapackage(name, title, version, created, license_id, sizes, hashes, sources, extra)
        (tmp / "datapackage.json").write_text(json.dumps(pkg, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        files = sorted(p.name for p in tmp.iterdir())
        (tmp / "SHA256SUMS").write_text("".join(f"{sha256_file(tmp / n)}  {n}\n" for n in files), encoding="utf-8")
        if final.exists():
            shutil.rmtree(final)
        tmp.rename(final)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return Release(final, version, created, events.height, n_articles, previous.name if previous else None,
                   sorted(p.name for p in final.iterdir()), reproducible)

