"""The event database: idempotent loads, replacement, crash safety, the file lock, exports, SQL, Python access."""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
from pathlib import Path

import duckdb
import polars as pl
import pytest

import coder
from coder.codebook import load_codebook
from coder.db import DatabaseInUse, Loader, connect, export_events, load_events, open_db
from coder.ingest import Article, read_articles
from coder.run import run_code
from coder.store import query_frame
from coder.validate import columns

from .conftest import DATA, ROOT

GOLD = DATA / "gold" / "articles.jsonl"
BAD = DATA / "inputs" / "bad.jsonl"
N_GOLD = 46                                                                     # articles in GOLD
N_ALL = N_GOLD + sum(isinstance(x, Article) for x in read_articles([BAD]))      # ... and the good ones of BAD


def _cli(*args, env=None, **kw):
    return subprocess.run([sys.executable, "-m", "coder", *args], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, **kw)


def snapshot(path: Path) -> dict[str, list[tuple]]:
    """Everything a load writes that must not depend on when or in how many runs it was written."""
    con = connect(path, read_only=True)
    try:
        return {
            "events": con.execute("SELECT * FROM events ORDER BY doc_id, sentence_index, event_id").fetchall(),
            "sentences": con.execute("SELECT * FROM sentences ORDER BY doc_id, sentence_index").fetchall(),
            "articles": con.execute("SELECT * EXCLUDE (run_id) FROM articles ORDER BY doc_id").fetchall(),
            "rejects": con.execute("SELECT * EXCLUDE (run_id) FROM rejects ORDER BY reject_id").fetchall(),
            "event_codes": con.execute("SELECT * FROM event_codes ORDER BY code").fetchall(),
            "actors": con.execute("SELECT count(*) FROM actors").fetchall(),
        }
    finally:
        con.close()


def runs(path: Path) -> list[dict]:
    con = connect(path, read_only=True)
    try:
        return query_frame(con, "SELECT * FROM runs ORDER BY started_at, run_id").to_dicts()
    finally:
        con.close()


def run_row(path: Path, run_id: str) -> dict:
    (row,) = [r for r in runs(path) if r["run_id"] == run_id]     # started_at has whole seconds: find by id
    return row


@pytest.fixture(scope="module")
def clean_db(tmp_path_factory, cb):
    """The gold articles (and some bad records) loaded once, in batches of 5."""
    path = tmp_path_factory.mktemp("db") / "events.duckdb"
    summary = run_code([GOLD, BAD], None, cb, db=path, batch_size=5)
    assert summary.n_new == N_ALL and summary.n_events_added > 100
    return path


def test_tables_views_and_lookups(clean_db, cb):
    con = open_db(clean_db)
    tables = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    assert {"articles", "sentences", "events", "runs", "rejects", "event_codes", "actors", "monthly_counts", "dyads",
            "dyad_goldstein"} <= tables
    assert [r[0] for r in con.execute("DESCRIBE events").fetchall()] == columns()
    n_events = con.execute("SELECT count(*) FROM events").fetchone()[0]
    assert con.execute("SELECT sum(n_events) FROM articles").fetchone()[0] == n_events
    assert con.execute("SELECT count(*) FROM event_codes").fetchone()[0] == len(cb.taxonomy)
    row = con.execute("SELECT name, root, quad_class, goldstein FROM event_codes WHERE code = '046'").fetchone()
    info = cb.taxonomy["046"]
    assert row == (info.name, "04", info.quad_class, info.goldstein)
    kinds = {r[0] for r in con.execute("SELECT DISTINCT kind FROM actors").fetchall()}
    assert {"country", "org", "group", "person"} <= kinds
    assert con.execute("SELECT name FROM actors WHERE kind = 'country' AND code = 'UKR'").fetchone()
    # the views add up to the events they cover
    dated = con.execute("SELECT count(*) FROM events WHERE event_date IS NOT NULL").fetchone()[0]
    assert con.execute("SELECT sum(events) FROM monthly_counts").fetchone()[0] == dated
    dyadic = con.execute("SELECT count(*), sum(goldstein) FROM events WHERE event_date IS NOT NULL "
                         "AND source_country IS NOT NULL AND target_country IS NOT NULL").fetchone()
    assert con.execute("SELECT sum(events) FROM dyads").fetchone()[0] == dyadic[0]
    got = con.execute("SELECT sum(events), sum(goldstein_sum) FROM dyad_goldstein").fetchone()
    assert got[0] == dyadic[0] and got[1] == pytest.approx(dyadic[1])
    # rejects of the bad input are recorded with origin and reason
    origins = {r[0].rsplit("/", 1)[-1] for r in con.execute("SELECT origin FROM rejects WHERE stage = 'ingest'").fetchall()}
    assert {"bad.jsonl:2", "bad.jsonl:3"} <= origins
    con.close()
    (run,) = runs(clean_db)
    assert run["status"] == "complete" and run["batches"] == -(-N_ALL // 5) and run["n_new"] == N_ALL


def test_idempotent_reload(clean_db, tmp_path, cb):
    path = tmp_path / "events.duckdb"
    shutil.copy(clean_db, path)
    before = snapshot(path)
    summary = run_code([GOLD, BAD], None, cb, db=path, batch_size=5)
    assert (summary.n_new, summary.n_replaced, summary.n_unchanged, summary.n_events_added) == (0, 0, N_ALL, 0)
    assert snapshot(path) == before
    # a run folder and the database at once: everything is coded for the folder, still nothing added
    summary = run_code([GOLD], tmp_path / "run", cb, db=path, batch_size=7)
    assert summary.n_unchanged == N_GOLD and summary.n_events_added == 0
    assert snapshot(path) == before
    assert (tmp_path / "run" / "events.csv").is_file()
    last = run_row(path, summary.run_id)
    assert (last["status"], last["n_new"], last["n_unchanged"], last["n_events_added"]) == ("complete", 0, N_GOLD, 0)


def _articles() -> list[dict]:
    return [json.loads(line) for line in GOLD.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_changed_text_replaces_events(clean_db, tmp_path, cb):
    path = tmp_path / "events.duckdb"
    shutil.copy(clean_db, path)
    arts = _articles()
    target = arts[3]
    doc = target["id"]
    target["text"] += "\nRussia and China signed a trade agreement in Beijing on Monday."
    changed = tmp_path / "changed.jsonl"
    changed.write_text("".join(json.dumps(a) + "\n" for a in arts), encoding="utf-8")
    before = snapshot(path)
    summary = run_code([changed], None, cb, db=path, batch_size=5)
    assert (summary.n_new, summary.n_replaced, summary.n_unchanged) == (0, 1, N_GOLD - 1)
    after = snapshot(path)
    # other articles untouched
    assert [e for e in after["events"] if e[1] != doc] == [e for e in before["events"] if e[1] != doc]
    # the article's events are those of a fresh coding of its new text
    fresh = tmp_path / "fresh.duckdb"
    one = tmp_path / "one.jsonl"
    one.write_text(json.dumps(target) + "\n", encoding="utf-8")
    run_code([one], None, cb, db=fresh)
    assert [e for e in after["events"] if e[1] == doc] == snapshot(fresh)["events"]
    assert len([e for e in after["events"] if e[1] == doc]) > len([e for e in before["events"] if e[1] == doc])
    assert len([s for s in after["sentences"] if s[0] == doc]) == len([s for s in before["sentences"] if s[0] == doc]) + 1
    last = run_row(path, summary.run_id)
    assert last["n_replaced"] == 1 and last["n_events_added"] - last["n_events_removed"] == \
        len(after["events"]) - len(before["events"])
    con = open_db(path)
    assert con.execute("SELECT doc_id, change FROM run_changes WHERE run_id = ?", [last["run_id"]]).fetchall() == \
        [(doc, "text changed")]
    con.close()


def test_other_codebook_version_replaces(clean_db, tmp_path, cb):
    path = tmp_path / "events.duckdb"
    shutil.copy(clean_db, path)
    cb_dir = tmp_path / "codebooks"
    shutil.copytree(cb.root, cb_dir)
    meta = cb_dir / "codebook.yaml"
    meta.write_text(meta.read_text(encoding="utf-8").replace(f"version: {cb.version}", "version: 9999.1.0")
                    .replace(f'version: "{cb.version}"', 'version: "9999.1.0"'), encoding="utf-8")
    cb2 = load_codebook(cb_dir)
    assert cb2.version == "9999.1.0" and cb2.digest != cb.digest
    n_before = len(snapshot(path)["events"])
    summary = run_code([GOLD, BAD], None, cb2, db=path, batch_size=20)
    assert (summary.n_new, summary.n_replaced, summary.n_unchanged) == (0, N_ALL, 0)
    con = open_db(path)
    assert con.execute("SELECT DISTINCT codebook_version FROM events").fetchall() == [(cb2.label,)]
    assert con.execute("SELECT count(*) FROM events").fetchone()[0] == n_before
    assert con.execute("SELECT count(DISTINCT codebook_sha256) FROM codebooks").fetchone()[0] == 2
    assert {r[0] for r in con.execute("SELECT change FROM run_changes WHERE run_id = ?",
                                      [summary.run_id]).fetchall()} == {"codebook changed"}
    con.close()


def _read_until(proc: subprocess.Popen, marker: str, timeout: float) -> list[str]:
    """Lines of the child's stderr until one contains `marker` (a reader thread, so a hang cannot block)."""
    lines: list[str] = []
    found = threading.Event()

    def pump():
        for line in proc.stderr:
            lines.append(line)
            if marker in line:
                found.set()
                return
        found.set()                                   # the child ended without the marker

    threading.Thread(target=pump, daemon=True).start()
    found.wait(timeout)
    if not any(marker in line for line in lines):
        proc.kill()
        raise AssertionError(f"no {marker!r} from the loader within {timeout}s; stderr: {''.join(lines)[-2000:]}")
    return lines


def test_sigkill_mid_batch_then_rerun_equals_clean_run(tmp_path):
    path = tmp_path / "events.duckdb"
    args = ["code", str(GOLD), str(BAD), "--db", str(path), "--batch-size", "5", "--quiet", "--jobs", "1"]
    proc = subprocess.Popen([sys.executable, "-m", "coder", *args], stderr=subprocess.PIPE, stdout=subprocess.DEVNULL,
                            text=True, env={**os.environ, "EVENTCODER_BATCH_DELAY": "1.5"})
    try:
        _read_until(proc, "batch 2 pending", timeout=180)   # batch 1 committed, batch 2 inside its transaction
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == -signal.SIGKILL
    # the database is as it was after batch 1: five articles, their events, the run still marked running
    con = connect(path, read_only=True)
    assert con.execute("SELECT count(*) FROM articles").fetchone()[0] == 5
    assert con.execute("SELECT count(DISTINCT doc_id) FROM events").fetchone()[0] <= 5
    assert con.execute("SELECT status, batches FROM runs").fetchall() == [("running", 1)]
    con.close()
    r = _cli(*args)
    assert r.returncode == 0, r.stderr
    # a clean run by the same command (a fresh process, like the killed one and the re-run)
    clean = tmp_path / "clean.duckdb"
    r = _cli("code", str(GOLD), str(BAD), "--db", str(clean), "--batch-size", "5", "--quiet", "--jobs", "1")
    assert r.returncode == 0, r.stderr
    assert snapshot(path) == snapshot(clean)
    killed, rerun = runs(path)
    assert killed["status"] == "interrupted" and rerun["status"] == "complete"
    assert (rerun["n_new"], rerun["n_unchanged"]) == (N_ALL - 5, 5)


def test_second_writer_gets_clear_message(clean_db, tmp_path, cb):
    path = tmp_path / "events.duckdb"
    shutil.copy(clean_db, path)
    before = snapshot(path)
    holder = subprocess.Popen([sys.executable, "-c", "import sys, time; from coder.db import connect; "
                               f"con = connect({str(path)!r}); print('locked', flush=True); time.sleep(120)"],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        r = _cli("code", str(GOLD), "--db", str(path), "--quiet", "--jobs", "1")
        assert r.returncode == 1
        assert r.stderr.strip().splitlines() == [r.stderr.strip()], r.stderr       # one line
        assert "is in use by another process" in r.stderr and "Traceback" not in r.stderr
        r = _cli("sql", "--db", str(path), "SELECT count(*) FROM events")
        assert r.returncode == 1 and "is in use" in r.stderr and "Traceback" not in r.stderr
        with pytest.raises(DatabaseInUse, match=f"PID {holder.pid}"):
            Loader(path, cb, "x", [])
    finally:
        holder.kill()
        holder.wait()
    assert snapshot(path) == before                      # nothing written, nothing corrupted
    summary = run_code([GOLD], None, cb, db=path)        # and the file works once it is free
    assert summary.n_unchanged == N_GOLD


def test_exports_are_stable_and_agree(clean_db, tmp_path):
    outs = {}
    for fmt in ("csv", "parquet", "jsonl"):
        outs[fmt] = tmp_path / f"events.{fmt}"
        n = export_events(clean_db, fmt, outs[fmt])
        again = tmp_path / f"again.{fmt}"
        export_events(clean_db, fmt, again)
        assert again.read_bytes() == outs[fmt].read_bytes()
    pq = pl.read_parquet(outs["parquet"])
    assert pq.columns == columns() and pq.height == n
    assert pq.select(["doc_id", "sentence_index", "event_id"]).rows() == \
        sorted(pq.select(["doc_id", "sentence_index", "event_id"]).rows())
    assert pl.read_csv(outs["csv"], schema=pq.schema).to_dicts() == pq.to_dicts()
    lines = outs["jsonl"].read_text(encoding="utf-8").splitlines()
    assert len(lines) == n and list(json.loads(lines[0])) == columns()
    assert [json.loads(x)["event_id"] for x in lines] == pq["event_id"].to_list()


def test_export_filters_and_cli(clean_db, tmp_path):
    every = load_events(clean_db)
    some = load_events(clean_db, date_from="2020-01-01", date_to="2022-12-31", where="quad_class >= 3")
    expect = every.filter((pl.col("event_date") >= pl.date(2020, 1, 1)) & (pl.col("event_date") <= pl.date(2022, 12, 31))
                          & (pl.col("quad_class") >= 3))
    assert some.height and some.to_dicts() == expect.to_dicts()
    out = tmp_path / "f.csv"
    r = _cli("export", "--db", str(clean_db), "--format", "csv", "--out", str(out), "--from", "2020-01-01",
             "--to", "2022-12-31", "--where", "quad_class >= 3")
    assert r.returncode == 0, r.stderr
    assert pl.read_csv(out, schema=some.schema).to_dicts() == some.to_dicts()
    r = _cli("export", "--db", str(clean_db), "--out", str(tmp_path / "x.parquet"), "--where", "no_such_column = 1")
    assert r.returncode == 1 and "no_such_column" in r.stderr and "Traceback" not in r.stderr


def test_sql_cli(clean_db):
    r = _cli("sql", "--db", str(clean_db), "--csv", "SELECT category, sum(events) AS n FROM monthly_counts "
             "GROUP BY ALL ORDER BY n DESC, category")
    assert r.returncode == 0, r.stderr
    head, *rows = r.stdout.strip().splitlines()
    assert head == "category,n" and rows
    r = _cli("sql", "--db", str(clean_db), "SELECT count(*) AS events FROM events")
    assert r.returncode == 0 and "events" in r.stdout and "1 rows" in r.stderr
    r = _cli("sql", "--db", str(clean_db), "DELETE FROM events")      # the database is opened read-only
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert snapshot(clean_db)["events"]


def test_python_api(clean_db):
    con = coder.open_db(clean_db)
    assert con.execute("SELECT count(*) FROM events").fetchone()[0] == coder.load_events(clean_db).height
    con.close()
    df = coder.load_events(clean_db, where="location_country = 'UKR'", columns=["event_id", "event_date"])
    assert df.columns == ["event_id", "event_date"] and df.schema["event_date"] == pl.Date


def test_run_folder_database_has_the_same_schema(tmp_path, cb):
    run_code([ROOT / "examples"], tmp_path / "run", cb)
    con = duckdb.connect(str(tmp_path / "run" / "events.duckdb"), read_only=True)
    tables = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    assert {"events", "articles", "sentences", "runs", "rejects", "event_codes", "actors", "monthly_counts"} <= tables
    assert con.execute("SELECT status FROM runs").fetchall() == [("complete",)]
    con.close()
    assert not (tmp_path / "run" / "events.duckdb.partial").exists()


def test_database_from_an_older_event_schema_gains_new_columns(tmp_path, cb):
    path = tmp_path / "old.duckdb"
    run_code([ROOT / "examples"], None, cb, db=path)
    con = connect(path)
    con.execute("ALTER TABLE events DROP COLUMN coder_version")           # as if the schema had lacked it
    con.execute("DELETE FROM events")
    con.execute("DELETE FROM articles")
    con.close()
    run_code([ROOT / "examples"], None, cb, db=path)
    df = load_events(path)
    assert df.columns == columns() and df.height and df["coder_version"].null_count() == 0


def test_not_an_event_database(tmp_path, cb):
    path = tmp_path / "other.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE events (x INTEGER)")
    con.close()
    r = _cli("code", str(ROOT / "examples"), "--db", str(path), "--quiet", "--jobs", "1")
    assert r.returncode == 1 and "not eventcoder's" in r.stderr and "Traceback" not in r.stderr
    (tmp_path / "text.duckdb").write_text("not a database")
    r = _cli("sql", "--db", str(tmp_path / "text.duckdb"), "SELECT 1")
    assert r.returncode == 1 and "cannot open database" in r.stderr and "Traceback" not in r.stderr
