"""Releases: the files, a valid Frictionless package, byte-identical rebuilds, and a changelog that counts right."""
from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys

import duckdb
import polars as pl
import pytest
import yaml

from coder.db import connect, load_events
from coder.release import (ReleaseError, compute_changes, find_previous, make_release, normalize_created,
                           table_schema, version_key)
from coder.run import run_code
from coder.validate import columns, event_schema

from .conftest import DATA

GOLD = DATA / "gold" / "articles.jsonl"
CREATED = "2026-12-01"
FILES = {"events.csv", "events.parquet", "events.duckdb", "event_codes.csv", "actors.csv", "datapackage.json",
         "codebook.md", "CHANGELOG.md", "CITATION.cff", "README.md", "report.html", "SHA256SUMS"}


@pytest.fixture(scope="module")
def db(tmp_path_factory, cb):
    path = tmp_path_factory.mktemp("reldb") / "events.duckdb"
    run_code([GOLD], None, cb, db=path, batch_size=20)
    return path


@pytest.fixture(scope="module")
def release_dir(db, tmp_path_factory):
    rel = make_release(db, "2026.12", tmp_path_factory.mktemp("releases"), created=CREATED,
                       authors=["Doe, Jane", "Event Data Lab"])
    assert rel.duckdb_reproducible
    return rel.path


def test_release_files_and_checksums(release_dir):
    assert {p.name for p in release_dir.iterdir()} == FILES
    sums = (release_dir / "SHA256SUMS").read_text().splitlines()
    listed = {}
    for line in sums:
        digest, name = line.split("  ", 1)
        listed[name] = digest
    assert set(listed) == FILES - {"SHA256SUMS"}
    for name, digest in listed.items():
        assert hashlib.sha256((release_dir / name).read_bytes()).hexdigest() == digest, name
    assert not any(p.name.startswith(".") for p in release_dir.parent.iterdir())      # no partial folder left


def test_release_data_agree_with_database(db, release_dir):
    src = load_events(db)
    pq = pl.read_parquet(release_dir / "events.parquet")
    assert pq.columns == columns() and pq.to_dicts() == src.to_dicts()
    assert pl.read_csv(release_dir / "events.csv", schema=pq.schema).to_dicts() == src.to_dicts()
    con = duckdb.connect(str(release_dir / "events.duckdb"), read_only=True)
    assert [r[0] for r in con.execute("DESCRIBE events").fetchall()] == columns()
    assert load_events(release_dir / "events.duckdb").to_dicts() == src.to_dicts()
    assert con.execute("SELECT sum(events) FROM monthly_counts").fetchone()[0] == \
        src.filter(pl.col("event_date").is_not_null()).height
    info = dict(con.execute("SELECT key, value FROM release_info").fetchall())
    assert info["version"] == "2026.12" and info["created"] == "2026-12-01T00:00:00Z"
    tables = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    assert {"events", "articles", "event_codes", "actors", "codebooks", "dyads", "dyad_goldstein"} <= tables
    assert "sentences" not in tables and "runs" not in tables       # no article text, no local run log
    con.close()


def test_frictionless_validate_passes(release_dir):
    r = subprocess.run([sys.executable, "-m", "frictionless", "validate", "--json", "datapackage.json"],
                       capture_output=True, text=True, cwd=release_dir)
    report = json.loads(r.stdout)
    assert report["valid"], json.dumps(report["tasks"], indent=1)[:4000]
    assert report["stats"]["tasks"] == 3
    pkg = json.loads((release_dir / "datapackage.json").read_text())
    assert pkg["profile"] == "tabular-data-package" and pkg["version"] == "2026.12"
    assert pkg["created"] == "2026-12-01T00:00:00Z" and pkg["licenses"][0]["name"] == "CC-BY-4.0"
    assert pkg["sources"]
    events = next(r for r in pkg["resources"] if r["name"] == "events")
    fields = events["schema"]["fields"]
    props = event_schema()["properties"]
    assert [f["name"] for f in fields] == columns()
    assert all(f["description"] == props[f["name"]]["description"] for f in fields)
    by_name = {f["name"]: f for f in fields}
    assert by_name["event_date"]["type"] == "date" and by_name["quad_class"]["type"] == "integer"
    assert by_name["quad_class"]["constraints"] == {"required": True, "minimum": 1, "maximum": 4}
    assert by_name["date_precision"]["constraints"] == {"enum": ["day", "month", "year"]}
    for res in pkg["resources"]:
        path = release_dir / res["path"]
        assert res["bytes"] == path.stat().st_size
        assert res["hash"] == "sha256:" + hashlib.sha256(path.read_bytes()).hexdigest()


def test_frictionless_catches_a_tampered_file(release_dir, tmp_path):
    copy = tmp_path / "rel"
    shutil.copytree(release_dir, copy)
    csv = copy / "events.csv"
    lines = csv.read_text(encoding="utf-8").split("\n")
    lines[1] = "zz" + lines[1][2:]                          # an event_id that breaks its pattern (and the hash)
    csv.write_text("\n".join(lines), encoding="utf-8")
    r = subprocess.run([sys.executable, "-m", "frictionless", "validate", "--json", "datapackage.json"],
                       capture_output=True, text=True, cwd=copy)
    assert json.loads(r.stdout)["valid"] is False


def test_two_releases_are_byte_identical(db, release_dir, tmp_path):
    again = make_release(db, "2026.12", tmp_path / "elsewhere", created=CREATED,
                         authors=["Doe, Jane", "Event Data Lab"])
    assert again.duckdb_reproducible
    for name in sorted(FILES):
        assert (again.path / name).read_bytes() == (release_dir / name).read_bytes(), name


def test_documents(release_dir, cb):
    cff = yaml.safe_load((release_dir / "CITATION.cff").read_text())
    assert cff["cff-version"] == "1.2.0" and cff["type"] == "dataset" and cff["version"] == "2026.12"
    assert str(cff["date-released"]) == "2026-12-01"
    assert cff["authors"] == [{"family-names": "Doe", "given-names": "Jane"}, {"name": "Event Data Lab"}]
    md = (release_dir / "codebook.md").read_text()
    assert f"## Codebook {cb.name} {cb.version}" in md and cb.digest in md
    assert "## The event record" in md and "`goldstein`" in md
    readme = (release_dir / "README.md").read_text()
    assert "release 2026.12" in readme and "monthly_counts" in readme and "read_parquet" in readme
    log = (release_dir / "CHANGELOG.md").read_text()
    assert "First release" in log
    html = (release_dir / "report.html").read_text()
    assert html.count('<svg class="plot"') == 4


def test_changelog_counts_a_constructed_change(db, release_dir, tmp_path, cb):
    """v2 = v1's database minus 3 events, with 2 events changed, plus one new article."""
    root = tmp_path / "releases"
    shutil.copytree(release_dir, root / "2026.12")
    db2 = tmp_path / "v2.duckdb"
    shutil.copy(db, db2)
    con = connect(db2)
    ids = [r[0] for r in con.execute("SELECT event_id FROM events ORDER BY event_id").fetchall()]
    removed, changed = ids[:3], ids[10:12]
    con.execute(f"DELETE FROM events WHERE event_id IN {tuple(removed)}")
    con.execute(f"UPDATE events SET goldstein = -9.5 WHERE event_id IN {tuple(changed)}")
    con.close()
    new_article = tmp_path / "new.jsonl"
    new_article.write_text(json.dumps({
        "id": "new-2026-12-02", "published": "2026-12-02", "source": "Test",
        "text": "Russia and China signed a trade agreement in Beijing on Monday. "
                "Hamas rejected the ceasefire proposal, Egyptian officials said."}) + "\n", encoding="utf-8")
    summary = run_code([new_article], None, cb, db=db2)
    assert summary.n_new == 1 and summary.n_events_added > 0
    rel = make_release(db2, "2027.01", root, created="2027-01-05")
    assert rel.previous == "2026.12"
    v1 = pl.read_parquet(root / "2026.12" / "events.parquet")
    v2 = pl.read_parquet(rel.path / "events.parquet")
    added = set(v2["event_id"]) - set(v1["event_id"])
    assert len(added) == summary.n_events_added
    log = (rel.path / "CHANGELOG.md").read_text()
    assert "compared with release 2026.12" in log
    assert f"| added | {len(added)} |" in log
    assert "| removed | 3 |" in log
    assert "| changed (same event_id, other values) | 2 |" in log
    assert f"| unchanged | {v1.height - 3 - 2} |" in log
    assert "| goldstein | 2 |" in log
    assert "Codebook unchanged" in log
    for i in removed + changed + sorted(added):
        assert f"`{i}`" in log
    for cat in set(v1["category"]) | set(v2["category"]):
        a = v1.filter(pl.col("category") == cat).height
        b = v2.filter(pl.col("category") == cat).height
        d = b - a
        assert f"| {cat} | {a} | {b} | {('+' if d > 0 else '') + str(d)} |" in log, cat
    loc_a = v1.filter(pl.col("location_country").is_null()).height
    loc_b = v2.filter(pl.col("location_country").is_null()).height
    assert f"| (none) | {loc_a} | {loc_b} |" in log or loc_a == loc_b == 0


def test_codebook_change_is_reported():
    schema = {"event_id": pl.Utf8, "category": pl.Utf8, "location_country": pl.Utf8, "codebook_version": pl.Utf8}
    a = pl.DataFrame([("e1", "statement", "UKR", "cb 1"), ("e2", "meeting", None, "cb 1")], schema=schema, orient="row")
    b = pl.DataFrame([("e1", "statement", "UKR", "cb 2"), ("e3", "fight", "RUS", "cb 2")], schema=schema, orient="row")
    ch = compute_changes(a, b, "1")
    assert (ch.added, ch.removed, ch.changed) == (["e3"], ["e2"], ["e1"])
    assert ch.codebooks_before == ["cb 1"] and ch.codebooks_now == ["cb 2"]
    assert ch.changed_columns == {"codebook_version": 1}
    assert ("fight", 0, 1) in ch.by_category and ("(none)", 1, 0) in ch.by_country


def test_release_guards(db, release_dir, tmp_path):
    with pytest.raises(ReleaseError, match="exists"):
        make_release(db, "2026.12", release_dir.parent, created=CREATED)
    with pytest.raises(ReleaseError, match="version"):
        make_release(db, "../evil", tmp_path, created=CREATED)
    with pytest.raises(ReleaseError, match="created"):
        make_release(db, "x1", tmp_path, created="next week")
    assert normalize_created("2026-12-01T10:00:00+02:00") == "2026-12-01T08:00:00Z"
    assert version_key("2026.9") < version_key("2026.10") < version_key("2026.10.1")
    assert find_previous(release_dir.parent, "2027.1") == release_dir
    assert find_previous(release_dir.parent, "2026.11") is None
    assert table_schema()["primaryKey"] == ["event_id"]


def test_release_cli(db, tmp_path):
    out = tmp_path / "rels"
    r = subprocess.run([sys.executable, "-m", "coder", "release", "--db", str(db), "--version", "v1", "--out", str(out),
                        "--created", CREATED], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert "release v1:" in r.stderr and (out / "v1" / "SHA256SUMS").is_file()
    r = subprocess.run([sys.executable, "-m", "coder", "release", "--db", str(db), "--version", "v1", "--out", str(out)],
                       capture_output=True, text=True)
    assert r.returncode == 1 and "--force" in r.stderr and "Traceback" not in r.stderr
    r = subprocess.run([sys.executable, "-m", "coder", "release", "--db", str(tmp_path / "none.duckdb"), "--version",
                        "v2", "--out", str(out)], capture_output=True, text=True)
    assert r.returncode == 1 and "no such database" in r.stderr


def test_empty_database_release(tmp_path, cb):
    path = tmp_path / "empty.duckdb"
    run_code([DATA / "inputs" / "bad.jsonl"], None, cb, db=path)
    con = connect(path)
    con.execute("DELETE FROM events")
    con.close()
    rel = make_release(path, "0.0", tmp_path / "r", created=CREATED)
    assert rel.n_events == 0 and (rel.path / "report.html").read_text().count('<svg class="plot"') == 4
    assert pl.read_parquet(rel.path / "events.parquet").columns == columns()


def test_report_has_no_external_references(release_dir):
    import re

    html = (release_dir / "report.html").read_text()
    assert not re.search(r'(src|href)\s*=\s*["\']?(https?:)?//', html)
    assert "<script src" not in html and "@import" not in html
