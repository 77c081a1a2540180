"""Ingest: formats, datelines and every kind of bad input."""
from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from coder.ingest import Article, InputError, Reject, expand_inputs, parse_dateline, read_articles

from .conftest import DATA

INPUTS = DATA / "inputs"


@pytest.mark.parametrize("text, place, month, day, agency", [
    ("JERUSALEM, Jan. 30 (Xinhua) -- Israeli officials said", "Jerusalem", 1, 30, "Xinhua"),
    ("KYIV, Ukraine (AP) — Russian forces shelled", "Kyiv", None, None, "AP"),
    ("GENEVA, 14 June (AFP) - The UN said", "Geneva", 6, 14, "AFP"),
    ("NAIROBI, March 3 (Reuters) - Kenya said", "Nairobi", 3, 3, "Reuters"),
    ("SAN JOSE, Costa Rica, Sept. 9 (EFE) -- Officials", "San Jose", 9, 9, "EFE"),
])
def test_dateline(text, place, month, day, agency):
    d = parse_dateline(text)
    assert (d.place, d.month, d.day, d.agency) == (place, month, day, agency)
    assert text[d.end:][0].isalpha()


def test_no_dateline():
    assert parse_dateline("Israeli officials said on Monday that talks would resume.") is None


def test_dateline_year_from_published():
    [art] = [a for a in read_articles([INPUTS / "good.jsonl"]) if isinstance(a, Article) and a.id == "a1"]
    assert art.dateline_date == dt.date(2023, 5, 4)
    assert art.source == "Reuters"


def test_dateline_december_in_january():
    from coder.ingest import make_article
    art = make_article({"id": "x", "text": "MOSCOW, Dec. 31 (TASS) -- Russia said.", "published": "2024-01-01"}, "t")
    assert art.dateline_date == dt.date(2023, 12, 31)


def _split(items):
    arts = [i for i in items if isinstance(i, Article)]
    rejects = [i for i in items if isinstance(i, Reject) and i.stage != "warning"]
    warnings = [i for i in items if isinstance(i, Reject) and i.stage == "warning"]
    return arts, rejects, warnings


@pytest.mark.parametrize("line, reason", [
    (2, "malformed JSON"),
    (3, "expected a JSON object"),
    (4, "published: cannot read '2023-02-30'"),
    (5, "published: cannot read 'next blursday'"),
    (6, "text"),
    (7, "'id' is a required property"),
])
def test_bad_jsonl_lines_are_rejected_with_file_and_line(line, reason):
    arts, rejects, _ = _split(list(read_articles([INPUTS / "bad.jsonl"])))
    hit = [r for r in rejects if r.origin.endswith(f"bad.jsonl:{line}")]
    assert hit, f"no reject for line {line}: {[r.origin for r in rejects]}"
    assert reason in hit[0].reason


def test_bad_jsonl_keeps_good_records():
    arts, rejects, warnings = _split(list(read_articles([INPUTS / "bad.jsonl"])))
    assert [a.id for a in arts] == ["b1", "b6"]
    assert any("unknown columns ignored: lang" in w.reason for w in warnings)


def test_csv_missing_text_is_rejected_and_rest_read():
    arts, rejects, _ = _split(list(read_articles([INPUTS / "mixed.csv"])))
    assert [a.id for a in arts] == ["c1", "c3"]
    assert rejects[0].origin.endswith("mixed.csv:3") and "text" in rejects[0].reason


def test_non_utf8_line_is_rejected():
    arts, rejects, _ = _split(list(read_articles([INPUTS / "nonutf8.jsonl"])))
    assert [a.id for a in arts] == ["d1"]
    assert rejects[0].origin.endswith("nonutf8.jsonl:2") and "UTF-8" in rejects[0].reason


def test_empty_file_is_reported():
    _, rejects, _ = _split(list(read_articles([INPUTS / "empty.jsonl"])))
    assert rejects and "empty file" in rejects[0].reason


def test_txt_folder_id_is_file_name():
    arts, _, _ = _split(list(read_articles([INPUTS / "txt"])))
    assert [a.id for a in arts] == ["kenya-ethiopia"]


def test_parquet_input(tmp_path):
    path = tmp_path / "in.parquet"
    pl.DataFrame({"id": ["p1", "p2"], "text": ["Kenya said.", None], "published": [dt.date(2024, 1, 2), None]}
                 ).write_parquet(path)
    arts, rejects, _ = _split(list(read_articles([path])))
    assert [a.id for a in arts] == ["p1"] and arts[0].published == dt.date(2024, 1, 2)
    assert rejects[0].origin.endswith("in.parquet#2")


def test_duplicate_ids_rejected(tmp_path):
    p = tmp_path / "dup.jsonl"
    p.write_text('{"id": "x", "text": "one"}\n{"id": "x", "text": "two"}\n')
    arts, rejects, _ = _split(list(read_articles([p])))
    assert len(arts) == 1 and "duplicate id" in rejects[0].reason


def test_missing_input_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        expand_inputs([tmp_path / "nope.jsonl"])
