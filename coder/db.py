"""The event database: one DuckDB file that coding runs append to, incrementally and idempotently.

Tables
  articles     one row per article (doc_id), with the SHA-256 of its text and the codebook and coder that coded it
  sentences    every sentence of every article (doc_id, sentence_index, sentence_text)
  events       the event rows, columns and types from schemas/event.schema.json
  runs         one row per coding run: status, inputs, counts (new, replaced, unchanged articles; events added, removed)
  run_changes  which articles a run added or replaced, and why
  rejects      records and events set aside, with origin and reason
  codebooks    every codebook set used (name, version, SHA-256, its documentation as Markdown)
  event_codes  lookup: the CAMEO taxonomy of the latest run's codebook
  actors       lookup: countries, institutions, organisations, groups and people of the latest run's codebook
Views
  monthly_counts, dyads, dyad_goldstein, quad_monthly (see VIEWS)

Loads are keyed by doc_id. An article whose text, codebook (SHA-256) and coder version are those already
stored is left alone; one whose text or codebook changed has its sentences and events replaced. Each batch
of articles is one transaction, so a run killed at any moment leaves the database as it was after the last
committed batch, and running it again completes it. DuckDB locks the file: a second writer gets
`DatabaseInUse`, never a corrupt file.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

import duckdb
import polars as pl

from . import __version__
from .ingest import Reject
from .store import SORT_KEY, ArrowStream, events_ddl, events_frame, query_frame
from .validate import columns

if TYPE_CHECKING:  # pragma: no cover
    from .codebook import Codebook
    from .pipeline import ArticleResult

SCHEMA_VERSION = 1
BATCH_SIZE = 500
#: seconds to wait inside each batch transaction before COMMIT (tests use it to kill a load mid-batch)
DELAY_ENV = "EVENTCODER_BATCH_DELAY"


class DatabaseError(Exception):
    """The database cannot be opened or used (not a DuckDB file, newer schema, ...)."""


class DatabaseInUse(DatabaseError):
    """Another process holds the database file's lock."""


# ---------------------------------------------------------------- opening
def connect(path: str | Path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the database file; a lock held by another process raises `DatabaseInUse` with a one-line message."""
    path = Path(path)
    if read_only and not path.is_file():
        raise DatabaseError(f"{path}: no such database")
    if not read_only and path.parent and not path.parent.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
    try:
        con = duckdb.connect(str(path), read_only=read_only)
        if not read_only:
            # a bounded buffer pool: DuckDB spills sorts and loads to disk instead of growing with the corpus
            con.execute(f"SET memory_limit = '{os.environ.get('EVENTCODER_DUCKDB_MEMORY', '64MB')}'")
            # let big sorts spill to disk next to the database instead of failing at the limit
            con.execute("SET preserve_insertion_order = false")
            con.execute(f"SET temp_directory = '{path.parent / (path.name + '.tmp')}'")
        return con
    except duckdb.IOException as exc:
        msg = str(exc)
        if "lock" in msg.lower():
            pid = re.search(r"PID (\d+)", msg)
            holder = f" (PID {pid.group(1)})" if pid else ""
            raise DatabaseInUse(f"database {path} is in use by another process{holder}; "
                                "wait for it to finish, then try again") from None
        raise DatabaseError(f"cannot open database {path}: {msg.splitlines()[0]}") from None
    except duckdb.Error as exc:
        raise DatabaseError(f"cannot open database {path}: {str(exc).splitlines()[0]}") from None


def open_db(path: str | Path, read_only: bool = True) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection to an event database (read-only by default, so several readers can share it)."""
    con = connect(path, read_only=read_only)
    if not read_only:
        init_schema(con)
    return con


# ---------------------------------------------------------------- schema
ARTICLES_DDL = """CREATE TABLE IF NOT EXISTS articles (
  doc_id VARCHAR PRIMARY KEY, title VARCHAR, published DATE, news_source VARCHAR, url VARCHAR, origin VARCHAR,
  text_sha256 VARCHAR NOT NULL, n_sentences INTEGER, n_events INTEGER, codebook_version VARCHAR,
  codebook_sha256 VARCHAR, coder_version VARCHAR, run_id VARCHAR)"""
SENTENCES_DDL = """CREATE TABLE IF NOT EXISTS sentences (
  doc_id VARCHAR NOT NULL, sentence_index INTEGER NOT NULL, sentence_text VARCHAR,
  PRIMARY KEY (doc_id, sentence_index))"""
RUNS_DDL = """CREATE TABLE IF NOT EXISTS runs (
  run_id VARCHAR PRIMARY KEY, started_at VARCHAR, finished_at VARCHAR, status VARCHAR, inputs VARCHAR,
  batches INTEGER, n_articles INTEGER, n_new INTEGER, n_replaced INTEGER, n_unchanged INTEGER,
  n_events_added INTEGER, n_events_removed INTEGER, n_rejects INTEGER, codebook_name VARCHAR,
  codebook_version VARCHAR, codebook_sha256 VARCHAR, coder_version VARCHAR, summary_json VARCHAR)"""
RUN_CHANGES_DDL = """CREATE TABLE IF NOT EXISTS run_changes (
  run_id VARCHAR, doc_id VARCHAR, change VARCHAR, events_before INTEGER, events_after INTEGER)"""
REJECTS_DDL = """CREATE TABLE IF NOT EXISTS rejects (
  reject_id VARCHAR PRIMARY KEY, run_id VARCHAR, stage VARCHAR, origin VARCHAR, record_id VARCHAR,
  reason VARCHAR, record_json VARCHAR)"""
CODEBOOKS_DDL = """CREATE TABLE IF NOT EXISTS codebooks (
  codebook_sha256 VARCHAR PRIMARY KEY, name VARCHAR, version VARCHAR, path VARCHAR, documentation VARCHAR)"""
EVENT_CODES_DDL = """CREATE TABLE IF NOT EXISTS event_codes (
  code VARCHAR PRIMARY KEY, name VARCHAR, description VARCHAR, root VARCHAR, root_name VARCHAR,
  category VARCHAR, quad_class INTEGER, goldstein DOUBLE, plover_type VARCHAR)"""
ACTORS_DDL = """CREATE TABLE IF NOT EXISTS actors (
  code VARCHAR, name VARCHAR, kind VARCHAR, country VARCHAR, role VARCHAR, valid_from DATE, valid_to DATE,
  source_file VARCHAR)"""
META_DDL = "CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR)"

_MONTH = "CAST(date_trunc('month', event_date) AS DATE)"
#: analysis views; events without a date are left out of the monthly views
VIEWS = {
    "monthly_counts": f"""SELECT {_MONTH} AS month, category, location_country, count(*) AS events
  FROM events WHERE event_date IS NOT NULL
  GROUP BY ALL ORDER BY month, category, location_country NULLS FIRST""",
    "dyads": f"""SELECT {_MONTH} AS month, source_country, target_country, category, count(*) AS events,
    sum(goldstein) AS goldstein_sum
  FROM events WHERE event_date IS NOT NULL AND source_country IS NOT NULL AND target_country IS NOT NULL
  GROUP BY ALL ORDER BY month, source_country, target_country, category""",
    "dyad_goldstein": f"""SELECT {_MONTH} AS month, source_country, target_country, count(*) AS events,
    sum(goldstein) AS goldstein_sum, round(avg(goldstein), 3) AS goldstein_mean,
    count(*) FILTER (WHERE quad_class IN (1, 2)) AS cooperation, count(*) FILTER (WHERE quad_class IN (3, 4)) AS conflict
  FROM events WHERE event_date IS NOT NULL AND source_country IS NOT NULL AND target_country IS NOT NULL
  GROUP BY ALL ORDER BY month, source_country, target_country""",
    "quad_monthly": f"""SELECT {_MONTH} AS month, quad_class, count(*) AS events, sum(goldstein) AS goldstein_sum
  FROM events WHERE event_date IS NOT NULL GROUP BY ALL ORDER BY month, quad_class""",
}


def create_views(con: duckdb.DuckDBPyConnection) -> None:
    for name, sql in VIEWS.items():
        con.execute(f"CREATE OR REPLACE VIEW {name} AS {sql}")


def init_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create the tables and views (idempotent); refuse a database written by a newer schema."""
    con.execute(META_DDL)
    row = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    if row and int(row[0]) > SCHEMA_VERSION:
        raise DatabaseError(f"the database has schema version {row[0]}; this eventcoder ({__version__}) "
                            f"knows version {SCHEMA_VERSION}: upgrade eventcoder")
    con.execute("BEGIN")
    try:
        for ddl in (events_ddl(), ARTICLES_DDL, SENTENCES_DDL, RUNS_DDL, RUN_CHANGES_DDL, REJECTS_DDL, CODEBOOKS_DDL,
                    EVENT_CODES_DDL, ACTORS_DDL):
            con.execute(ddl)
        _add_missing_event_columns(con)
        create_views(con)
        if not row:
            con.execute("INSERT INTO meta VALUES ('schema_version', ?)", [str(SCHEMA_VERSION)])
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def _add_missing_event_columns(con: duckdb.DuckDBPyConnection) -> None:
    """A database made before the event schema gained columns gets them (empty); rows go in by column name."""
    from .store import duckdb_type
    from .validate import event_schema

    have = {r[0] for r in con.execute("SELECT column_name FROM information_schema.columns "
                                      "WHERE table_name = 'events' AND table_schema = current_schema()").fetchall()}
    if "event_id" not in have:
        raise DatabaseError("the database has an events table that is not eventcoder's (no event_id column)")
    for name, prop in event_schema()["properties"].items():
        if name not in have:
            con.execute(f'ALTER TABLE events ADD COLUMN "{name}" {duckdb_type(prop)}')


# ---------------------------------------------------------------- lookups from the codebook
def event_codes_frame(cb: "Codebook") -> pl.DataFrame:
    rows = [{"code": c.code, "name": c.name, "description": c.description or None, "root": c.root,
             "root_name": c.root_name or None, "category": c.category, "quad_class": c.quad_class,
             "goldstein": float(c.goldstein), "plover_type": c.plover} for c in cb.taxonomy.values()]
    schema = {"code": pl.Utf8, "name": pl.Utf8, "description": pl.Utf8, "root": pl.Utf8, "root_name": pl.Utf8,
              "category": pl.Utf8, "quad_class": pl.Int32, "goldstein": pl.Float64, "plover_type": pl.Utf8}
    return pl.DataFrame(rows, schema=schema, orient="row").sort("code")


ACTOR_KINDS = ("country", "institution", "org", "group", "person")


def actors_frame(cb: "Codebook") -> pl.DataFrame:
    """Actors of the codebook: one row per (kind, code, name); people get one row per dated role."""
    seen: dict[tuple, dict] = {}
    for lexemes in cb.lexicon.values():
        for lx in lexemes:
            if lx.kind not in ACTOR_KINDS:
                continue
            if lx.kind == "person":
                for r in lx.roles or []:
                    key = ("person", r.code, lx.name, str(r.start or ""))
                    seen.setdefault(key, {"code": r.code, "name": lx.name, "kind": "person", "country": r.code[:3],
                                          "role": r.code[3:6] or None, "valid_from": _date(r.start),
                                          "valid_to": _date(r.end), "source_file": lx.file})
                continue
            key = (lx.kind, lx.code, lx.name, "")
            role = lx.role or (lx.code[3:6] or None if lx.kind == "institution" else None)
            seen.setdefault(key, {"code": lx.code, "name": lx.name, "kind": lx.kind, "country": lx.country,
                                  "role": role, "valid_from": None, "valid_to": None, "source_file": lx.file})
    schema = {"code": pl.Utf8, "name": pl.Utf8, "kind": pl.Utf8, "country": pl.Utf8, "role": pl.Utf8,
              "valid_from": pl.Date, "valid_to": pl.Date, "source_file": pl.Utf8}
    rows = [seen[k] for k in sorted(seen)]
    return pl.DataFrame(rows, schema=schema, orient="row").sort(["code", "kind", "name", "valid_from"],
                                                                nulls_last=False)


def _date(value) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


# ---------------------------------------------------------------- loading
def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


ARTICLE_SCHEMA = {"doc_id": pl.Utf8, "title": pl.Utf8, "published": pl.Date, "news_source": pl.Utf8, "url": pl.Utf8,
                  "origin": pl.Utf8, "text_sha256": pl.Utf8, "n_sentences": pl.Int32, "n_events": pl.Int32,
                  "codebook_version": pl.Utf8, "codebook_sha256": pl.Utf8, "coder_version": pl.Utf8,
                  "run_id": pl.Utf8}


def article_row(res: "ArticleResult", cb: "Codebook", run_id: str, n_events: int | None = None) -> dict:
    a = res.article
    return {"doc_id": a.id, "title": a.title, "published": a.published, "news_source": a.source, "url": a.url,
            "origin": a.origin, "text_sha256": text_sha256(a.text), "n_sentences": len(res.sentences),
            "n_events": len(res.rows) if n_events is None else n_events, "codebook_version": cb.label,
            "codebook_sha256": cb.digest, "coder_version": __version__, "run_id": run_id}


def reject_row(rj: Reject, run_id: str) -> dict:
    key = "\x1f".join([rj.stage or "", rj.origin or "", rj.record_id or "", rj.reason or ""])
    return {"reject_id": hashlib.sha256(key.encode()).hexdigest()[:16], "run_id": run_id, "stage": rj.stage,
            "origin": rj.origin, "record_id": rj.record_id, "reason": rj.reason,
            "record_json": json.dumps(rj.record, ensure_ascii=False, default=str, sort_keys=True) if rj.record else None}


REJECT_SCHEMA = {"reject_id": pl.Utf8, "run_id": pl.Utf8, "stage": pl.Utf8, "origin": pl.Utf8, "record_id": pl.Utf8,
                 "reason": pl.Utf8, "record_json": pl.Utf8}


@dataclass
class BatchStats:
    new: int = 0
    replaced: int = 0
    unchanged: int = 0
    events_added: int = 0
    events_removed: int = 0
    rejects: int = 0
    changes: list[tuple[str, str]] = field(default_factory=list)   # (doc_id, change)


@dataclass
class LoadTotals(BatchStats):
    batches: int = 0
    articles: int = 0


class Loader:
    """Appends coded articles to an event database, one transaction per batch.

    with Loader("events.duckdb", cb, run_id, inputs) as loader:
        loader.load(results, rejects)      # once per batch
        loader.finish(summary)
    """

    def __init__(self, path: str | Path, cb: "Codebook", run_id: str, inputs: Iterable[str | Path] = (),
                 started_at: str | None = None):
        self.path = Path(path)
        self.cb = cb
        self.run_id = run_id
        self.totals = LoadTotals()
        self.con = connect(self.path)
        self._delay = float(os.environ.get(DELAY_ENV) or 0)
        try:
            init_schema(self.con)
            started_at = started_at or dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()
            self._begin_run([str(p) for p in inputs], started_at)
        except BaseException:
            self.con.close()
            raise

    # context manager: an exception leaves the run 'running' (marked 'interrupted' by the next writer)
    def __enter__(self) -> "Loader":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        if self.con is not None:
            self.con.close()
            self.con = None  # type: ignore[assignment]

    def _begin_run(self, inputs: list[str], started_at: str) -> None:
        """One transaction: close out runs a killed writer left 'running', register this run, refresh lookups."""
        from .codebook.docs import render_markdown

        cb, con = self.cb, self.con
        con.execute("BEGIN")
        try:
            # we hold the file lock, so a run still marked running has died
            con.execute("UPDATE runs SET status = 'interrupted' WHERE status = 'running'")
            con.execute("INSERT INTO runs (run_id, started_at, status, inputs, batches, n_articles, n_new, n_replaced, "
                        "n_unchanged, n_events_added, n_events_removed, n_rejects, codebook_name, codebook_version, "
                        "codebook_sha256, coder_version) VALUES (?, ?, 'running', ?, 0, 0, 0, 0, 0, 0, 0, 0, ?, ?, ?, ?)",
                        [self.run_id, started_at, json.dumps(inputs), cb.name, cb.version, cb.digest, __version__])
            con.execute("INSERT INTO codebooks VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                        [cb.digest, cb.name, cb.version, str(cb.root), render_markdown(cb)])
            lk_codes = ArrowStream(event_codes_frame(cb))  # noqa: F841  (read by name in the SQL)
            lk_actors = ArrowStream(actors_frame(cb))  # noqa: F841
            con.execute("DELETE FROM event_codes")
            con.execute("INSERT INTO event_codes BY NAME SELECT * FROM lk_codes")
            con.execute("DELETE FROM actors")
            con.execute("INSERT INTO actors BY NAME SELECT * FROM lk_actors")
            from .acled_export import install as install_acled

            install_acled(con, cb)   # ACLED lookups and the acled_events view
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise

    def unchanged(self, articles: Iterable) -> set[str]:
        """doc_ids among `articles` stored with the same text, codebook and coder (no need to code them again)."""
        keys = {a.id: text_sha256(a.text) for a in articles}
        if not keys:
            return set()
        probe = ArrowStream(pl.DataFrame({"doc_id": list(keys), "text_sha256": list(keys.values())}))  # noqa: F841
        rows = self.con.execute(
            "SELECT a.doc_id FROM articles a JOIN probe p ON a.doc_id = p.doc_id AND a.text_sha256 = p.text_sha256 "
            "WHERE a.codebook_sha256 = ? AND a.coder_version = ?", [self.cb.digest, __version__]).fetchall()
        return {r[0] for r in rows}

    def load(self, results: list["ArticleResult"], rejects: list[Reject] = (), skipped: int = 0) -> BatchStats:
        """Write one batch in one transaction. `skipped` counts articles found unchanged before coding."""
        con, run_id = self.con, self.run_id
        latest: dict[str, "ArticleResult"] = {}
        for res in results:                                    # the same id twice in a batch: the last one wins
            latest.pop(res.article.id, None)
            latest[res.article.id] = res
        stats = BatchStats(unchanged=skipped)
        rejects = list(rejects)
        ids = list(latest)
        existing: dict[str, tuple] = {}
        if ids:
            probe = ArrowStream(pl.DataFrame({"doc_id": ids}, schema={"doc_id": pl.Utf8}))  # noqa: F841
            for row in con.execute("SELECT a.doc_id, a.text_sha256, a.codebook_sha256, a.coder_version, "
                                   "(SELECT count(*) FROM events e WHERE e.doc_id = a.doc_id) "
                                   "FROM articles a JOIN probe USING (doc_id)").fetchall():
                existing[row[0]] = row[1:]
        to_write: list["ArticleResult"] = []
        for doc_id, res in latest.items():
            old = existing.get(doc_id)
            sha = text_sha256(res.article.text)
            if old is None:
                stats.new += 1
                stats.changes.append((doc_id, "new"))
            elif (old[0], old[1], old[2]) == (sha, self.cb.digest, __version__):
                stats.unchanged += 1
                continue
            else:
                why = "text changed" if old[0] != sha else ("codebook changed" if old[1] != self.cb.digest
                                                            else "coder changed")
                stats.replaced += 1
                stats.events_removed += old[3]
                stats.changes.append((doc_id, why))
            to_write.append(res)
        # the rows to insert
        events: list[dict] = []
        seen_ids: set[str] = set()
        articles: list[dict] = []
        sentences: list[tuple] = []
        for res in to_write:
            kept = 0
            for row in res.rows:
                if row["event_id"] in seen_ids:
                    rejects.append(Reject(res.article.origin, res.article.id, f"duplicate event_id {row['event_id']} "
                                          f"(sentence {row['sentence_index']}); kept the first", stage="store"))
                    continue
                seen_ids.add(row["event_id"])
                events.append(row)
                kept += 1
            rejects.extend(res.rejects)
            articles.append(article_row(res, self.cb, run_id, kept))
            sentences.extend((res.article.id, i, text) for i, text in res.sentences)
        stats.events_added = len(events)
        stats.rejects = len(rejects)
        # frames are read by name in the SQL below, through the Arrow C stream interface (no pyarrow)
        ev_df = ArrowStream(events_frame(events))  # noqa: F841
        ar_df = ArrowStream(pl.DataFrame(articles, schema=ARTICLE_SCHEMA, orient="row"))  # noqa: F841
        se_df = ArrowStream(pl.DataFrame(sentences, schema={"doc_id": pl.Utf8, "sentence_index": pl.Int32,  # noqa: F841
                                                            "sentence_text": pl.Utf8}, orient="row"))
        rj_df = ArrowStream(pl.DataFrame([reject_row(r, run_id) for r in rejects], schema=REJECT_SCHEMA,  # noqa: F841
                                         orient="row").unique("reject_id", keep="first", maintain_order=True))
        after = {a["doc_id"]: a["n_events"] for a in articles}
        ch_df = pl.DataFrame([(run_id, d, c, existing[d][3] if d in existing else 0, after[d])  # noqa: F841
                              for d, c in stats.changes],
                             schema={"run_id": pl.Utf8, "doc_id": pl.Utf8, "change": pl.Utf8, "events_before": pl.Int32,
                                     "events_after": pl.Int32}, orient="row")
        ch_df = ArrowStream(ch_df)  # noqa: F841
        con.execute("BEGIN")
        try:
            if articles:   # replaced articles, and any rows a new article's id left behind (say, deleted by hand)
                gone = ArrowStream(pl.DataFrame({"doc_id": [a["doc_id"] for a in articles]},  # noqa: F841
                                                schema={"doc_id": pl.Utf8}))
                con.execute("DELETE FROM events WHERE doc_id IN (SELECT doc_id FROM gone)")
                con.execute("DELETE FROM sentences WHERE doc_id IN (SELECT doc_id FROM gone)")
                con.execute("DELETE FROM articles WHERE doc_id IN (SELECT doc_id FROM gone)")
                con.execute("DELETE FROM rejects WHERE record_id IN (SELECT doc_id FROM gone) "
                            "AND stage IN ('code', 'validate', 'store')")
                con.execute("INSERT INTO articles BY NAME SELECT * FROM ar_df")
                con.execute("INSERT INTO sentences BY NAME SELECT * FROM se_df")
            if events:
                con.execute(f"INSERT INTO events BY NAME SELECT * FROM ev_df ORDER BY {', '.join(SORT_KEY)}")
            if rejects:
                con.execute("INSERT INTO rejects BY NAME SELECT * FROM rj_df ON CONFLICT DO NOTHING")
            if stats.changes:
                con.execute("INSERT INTO run_changes BY NAME SELECT * FROM ch_df")
            n_articles = stats.new + stats.replaced + stats.unchanged
            con.execute("UPDATE runs SET batches = batches + 1, n_articles = n_articles + ?, n_new = n_new + ?, "
                        "n_replaced = n_replaced + ?, n_unchanged = n_unchanged + ?, "
                        "n_events_added = n_events_added + ?, n_events_removed = n_events_removed + ?, "
                        "n_rejects = n_rejects + ? WHERE run_id = ?",
                        [n_articles, stats.new, stats.replaced, stats.unchanged, stats.events_added,
                         stats.events_removed, stats.rejects, run_id])
            if self._delay:
                print(f"eventcoder: batch {self.totals.batches + 1} pending", file=sys.stderr, flush=True)
                time.sleep(self._delay)
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        if self._delay:
            print(f"eventcoder: batch {self.totals.batches + 1} committed", file=sys.stderr, flush=True)
        t = self.totals
        t.batches += 1
        t.articles += stats.new + stats.replaced + stats.unchanged
        for name in ("new", "replaced", "unchanged", "events_added", "events_removed", "rejects"):
            setattr(t, name, getattr(t, name) + getattr(stats, name))
        return stats

    def finish(self, summary: dict | None = None) -> None:
        """Mark the run complete and checkpoint (the WAL is folded into the file)."""
        finished = dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()
        self.con.execute("UPDATE runs SET status = 'complete', finished_at = ?, summary_json = ? WHERE run_id = ?",
                         [finished, json.dumps(summary, sort_keys=True, default=str) if summary else None,
                          self.run_id])
        self.con.execute("CHECKPOINT")

    def abandon(self, status: str = "failed") -> None:
        """Best effort after an error: mark the run (committed batches stay; the open one was rolled back)."""
        try:
            finished = dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()
            self.con.execute("UPDATE runs SET status = ?, finished_at = ? WHERE run_id = ?",
                             [status, finished, self.run_id])
        except duckdb.Error:
            pass


# ---------------------------------------------------------------- reading
def _where(date_from: str | dt.date | None, date_to: str | dt.date | None, where: str | None) -> tuple[str, list]:
    clauses, params = [], []
    if date_from:
        clauses.append("event_date >= CAST(? AS DATE)")
        params.append(str(date_from))
    if date_to:
        clauses.append("event_date <= CAST(? AS DATE)")
        params.append(str(date_to))
    if where:
        clauses.append(f"({where})")
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


def events_query(date_from=None, date_to=None, where: str | None = None,
                 cols: list[str] | None = None) -> tuple[str, list]:
    """SQL for the events in schema column order, sorted (doc_id, sentence_index, event_id)."""
    cols = cols or columns()
    w, params = _where(date_from, date_to, where)
    select = ", ".join(f'"{c}"' for c in cols)
    return f"SELECT {select} FROM events{w} ORDER BY {', '.join(SORT_KEY)}", params


def read_events(con: duckdb.DuckDBPyConnection, date_from=None, date_to=None, where: str | None = None,
                cols: list[str] | None = None) -> pl.DataFrame:
    from .store import polars_schema

    sql, params = events_query(date_from, date_to, where, cols)
    try:
        df = query_frame(con, sql, params)
    except duckdb.Error as exc:
        raise DatabaseError(f"query failed: {str(exc).splitlines()[0]}") from None
    schema = polars_schema()
    if df.height == 0:
        return pl.DataFrame(schema={c: schema[c] for c in df.columns})
    return df.cast({c: schema[c] for c in df.columns if c in schema})


def load_events(path: str | Path, date_from: str | dt.date | None = None, date_to: str | dt.date | None = None,
                where: str | None = None, columns: list[str] | None = None) -> pl.DataFrame:
    """Events of a database (or a release's events.duckdb) as a polars DataFrame.

    load_events("events.duckdb", date_from="2024-01-01", date_to="2024-03-31", where="quad_class = 4")
    """
    con = connect(path, read_only=True)
    try:
        return read_events(con, date_from, date_to, where, columns)
    finally:
        con.close()


EXPORT_FORMATS = ("csv", "parquet", "jsonl", "acled")


def export_events(path: str | Path, fmt: str, out: str | Path, date_from=None, date_to=None,
                  where: str | None = None) -> int:
    """Write the (filtered) events to CSV, Parquet or JSONL in schema column order, sorted; returns the row count."""
    from .store import write_csv, write_jsonl, write_parquet

    if fmt not in EXPORT_FORMATS:
        raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(EXPORT_FORMATS)}")
    df = load_events(path, date_from, date_to, where)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "acled":
        # ACLED's columns and names, one row per ACLED-typed event (codebook of the database's latest run)
        from .acled_export import acled_frame
        from .codebook import load_codebook

        df = acled_frame(df, load_codebook(_latest_codebook_path(path)))
        write_csv(df, out)
        return df.height
    {"csv": write_csv, "parquet": write_parquet, "jsonl": write_jsonl}[fmt](df, out)
    return df.height


def _latest_codebook_path(path: str | Path) -> str | None:
    """The codebook folder of the database's latest run, if it still exists (else the bundled one)."""
    con = connect(path, read_only=True)
    try:
        row = con.execute("SELECT c.path FROM runs r JOIN codebooks c ON c.codebook_sha256 = r.codebook_sha256 "
                          "ORDER BY r.started_at DESC LIMIT 1").fetchone()
    finally:
        con.close()
    return row[0] if row and row[0] and Path(row[0]).joinpath("codebook.yaml").is_file() else None


def run_sql(path: str | Path, sql: str) -> pl.DataFrame:
    """Run one query on a database opened read-only."""
    con = connect(path, read_only=True)
    try:
        return query_frame(con, sql)
    except duckdb.Error as exc:
        raise DatabaseError(str(exc).splitlines()[0]) from None
    finally:
        con.close()
