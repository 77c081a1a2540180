"""A run's outputs: the files, their agreement, schema validity and rejects."""
from __future__ import annotations

import csv
import json
import subprocess
import sys

import duckdb
import polars as pl
import pytest

from coder.run import run_code
from coder.store import query_frame
from coder.validate import columns, event_errors

from .conftest import DATA, ROOT

INPUTS = DATA / "inputs"


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory, cb):
    out = tmp_path_factory.mktemp("run")
    run_code([ROOT / "examples", INPUTS / "bad.jsonl", INPUTS / "mixed.csv"], out, cb)
    return out


def test_files_written(run_dir):
    for name in ("events.duckdb", "events.csv", "events.parquet", "rejects.jsonl", "run.json"):
        assert (run_dir / name).is_file(), name


def test_csv_rows_validate_against_schema(run_dir):
    with (run_dir / "events.csv").open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        assert reader.fieldnames == columns()
        rows = list(reader)
    assert rows, "the examples should yield events"
    schema_types = json.loads((ROOT / "schemas" / "event.schema.json").read_text())["properties"]
    for row in rows:
        typed = {}
        for k, v in row.items():
            t = schema_types[k]["type"]
            t = t if isinstance(t, list) else [t]
            if v == "" and "null" in t:
                typed[k] = None
            elif "integer" in t:
                typed[k] = int(v)
            elif "number" in t:
                typed[k] = float(v)
            else:
                typed[k] = v
        assert event_errors(typed) == [], (row["event_id"], event_errors(typed))


def test_duckdb_parquet_csv_agree(run_dir):
    con = duckdb.connect(str(run_dir / "events.duckdb"), read_only=True)
    db = query_frame(con, "SELECT * FROM events ORDER BY doc_id, sentence_index, event_id")
    assert db.columns == columns()
    pq = pl.read_parquet(run_dir / "events.parquet")
    assert pq.columns == columns()
    assert db.height == pq.height
    assert db.to_dicts() == pq.to_dicts()
    csv_df = pl.read_csv(run_dir / "events.csv", schema=pq.schema)
    assert csv_df.to_dicts() == pq.to_dicts()
    assert con.execute("SELECT count(*) FROM articles").fetchone()[0] >= 3
    assert con.execute("SELECT count(*) FROM runs").fetchone()[0] == 1


def test_event_ids_deterministic(run_dir, tmp_path, cb):
    run_code([ROOT / "examples", INPUTS / "bad.jsonl", INPUTS / "mixed.csv"], tmp_path, cb)
    assert (tmp_path / "events.csv").read_bytes() == (run_dir / "events.csv").read_bytes()


def test_rejects_and_run_json(run_dir):
    rejects = [json.loads(line) for line in (run_dir / "rejects.jsonl").read_text().splitlines()]
    origins = {r["origin"].rsplit("/", 1)[-1] for r in rejects}
    assert {"bad.jsonl:2", "bad.jsonl:3", "mixed.csv:3"} <= origins
    assert all(r["reason"] for r in rejects)
    run = json.loads((run_dir / "run.json").read_text())
    assert run["counts"]["rejects"] >= 6
    assert run["codebook"]["sha256"] and run["coder_version"]
    assert {"ingest+code", "store", "total"} <= set(run["timings_seconds"])


def _cli(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "coder", *args], capture_output=True, text=True, cwd=cwd)


def test_cli_missing_input_is_one_line(tmp_path):
    r = _cli("code", str(tmp_path / "missing.jsonl"), "--out", str(tmp_path / "o"))
    assert r.returncode != 0
    assert "no such file" in r.stderr and "Traceback" not in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1


def test_cli_unwritable_out(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    r = _cli("code", str(INPUTS / "good.jsonl"), "--out", str(blocker / "sub"))
    assert r.returncode != 0 and "cannot write to --out" in r.stderr and "Traceback" not in r.stderr


def test_cli_exit_codes(tmp_path):
    ok = _cli("code", str(INPUTS / "bad.jsonl"), "--out", str(tmp_path / "a"), "--quiet")
    assert ok.returncode == 0, ok.stderr
    strict = _cli("code", str(INPUTS / "bad.jsonl"), "--out", str(tmp_path / "b"), "--quiet", "--strict")
    assert strict.returncode != 0 and "--strict" in strict.stderr
    nothing = _cli("code", str(INPUTS / "empty.jsonl"), "--out", str(tmp_path / "c"), "--quiet")
    assert nothing.returncode != 0 and "no article could be read" in nothing.stderr
