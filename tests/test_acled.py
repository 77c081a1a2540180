"""ACLED-style coding: fatalities, sub-event types, precision, the development set and the ACLED export."""
from __future__ import annotations

import pytest
import yaml

from coder import code_article
from coder.acled import book
from coder.evaluate_acled import load_reports, score_acled

from .conftest import DATA

CASES = yaml.safe_load((DATA / "acled" / "cases.yaml").read_text())


@pytest.mark.parametrize("sentence, expected", [(c["sentence"], c["fatalities"]) for c in CASES["fatalities"]],
                         ids=[c["id"] for c in CASES["fatalities"]])
def test_fatalities(cb, sentence, expected):
    n, _ = book(cb).fatalities(sentence)
    assert n == expected


def _primary(cb, case):
    rows = code_article({"id": case["id"], "text": case["text"], "published": case["published"]}, cb).rows
    return next((r for r in rows if r["acled_sub_event_type"]), None), rows


@pytest.mark.parametrize("case", CASES["sub_event_types"], ids=[c["id"] for c in CASES["sub_event_types"]])
def test_sub_event_type(cb, case):
    row, rows = _primary(cb, case)
    got = row["acled_sub_event_type"] if row else None
    assert got == case["sub_event_type"], [(r["event_code"], r["source_code"], r["target_code"],
                                            r["acled_sub_event_type"]) for r in rows]
    if "fatalities" in case:
        assert row["fatalities"] == case["fatalities"]
    for key in ("inter1", "inter2", "time_precision", "geo_precision", "location_admin1"):
        if key in case:
            assert row[key] == case[key], key


def test_no_type_is_guessed(cb):
    rows = code_article({"id": "x", "text": "French President Emmanuel Macron met German Chancellor Olaf Scholz "
                                           "in Berlin on Tuesday.", "published": "2023-06-07"}, cb).rows
    assert rows and all(r["acled_sub_event_type"] is None and r["fatalities"] is None for r in rows)


# floors just under what the coder measures now. The development set (185 reports) was tuned on and is
# above the targets (sub-event type 0.85, date 0.95, admin1 0.90, within 25 km 0.85, fatalities
# 0.90); the held-out set (80 reports by a second coder, tests/data/acled_holdout) is the figure closest to
# unseen reports.
ACLED_SETS = {
    "development": (DATA / "acled" / "dev.jsonl",
                    {f: 0.97 for f in ("sub_event_type", "event_date", "country", "admin1", "within_25km",
                                       "fatalities")}),
    "held-out": (DATA / "acled_holdout" / "reports.jsonl",
                 {"sub_event_type": 0.85, "event_date": 0.93, "admin1": 0.88, "within_25km": 0.90,
                  "fatalities": 0.93}),
    # written blind by another coder (Nov 2026); first score 0.613/0.675/0.637/0.625/0.625/0.600, then
    # 0.725/0.800/0.725/0.700/0.700/0.700 after the dev2 work (its summary only was looked at), on main with
    # the CAMEO work of the same day 0.738/0.787/0.700/0.675/0.675/0.688
    "held-out-2": (DATA / "acled_holdout2" / "reports.jsonl",
                   {"sub_event_type": 0.70, "event_date": 0.76, "admin1": 0.66, "within_25km": 0.66,
                    "fatalities": 0.66}),
    # second development set (107 reports, varied wire wording, Nov 2026); first score
    # 0.757/0.804/0.794/0.766/0.766/0.757, tuned on since (0.944/0.991/0.972/0.953/0.953/0.972)
    "dev2": (DATA / "acled" / "dev2.jsonl",
             {"sub_event_type": 0.92, "event_date": 0.97, "country": 0.95, "admin1": 0.93, "within_25km": 0.93,
              "fatalities": 0.95}),
}


@pytest.mark.parametrize("name", ACLED_SETS)
def test_report_set(cb, name):
    path, floor = ACLED_SETS[name]
    rep = score_acled(load_reports(path), cb)
    got = {f: round(rep.share(f), 3) for f in rep.correct}
    print(f"\nACLED {name} set:", got)
    assert all(rep.share(f) >= v for f, v in floor.items()), (got, floor)


def test_acled_export_matches_hand_made_file(cb, tmp_path):
    """`export --format acled` over a database gives ACLED's columns and the hand-made expected values."""
    import polars as pl

    from coder.acled_export import ACLED_EXPORT_COLUMNS
    from coder.db import export_events
    from coder.evaluate import _norm_sentence  # noqa: F401  (same notes text)
    from coder.resolve.places import fold
    from coder.run import run_code

    reports = load_reports(DATA / "acled" / "dev.jsonl")[:10]
    src = tmp_path / "reports.jsonl"
    import json
    src.write_text("".join(json.dumps({k: r[k] for k in ("id", "text", "published")}) + "\n" for r in reports))
    db = tmp_path / "events.duckdb"
    run_code([src], tmp_path / "run", cb, db=db)
    out = tmp_path / "acled.csv"
    export_events(db, "acled", out)
    got = pl.read_csv(out, infer_schema_length=0)
    assert got.columns == ACLED_EXPORT_COLUMNS
    expected = pl.read_csv(DATA / "acled" / "expected_export.csv", infer_schema_length=0)
    by_date = {(r["event_date"], r["sub_event_type"]): r for r in got.to_dicts()}
    right = 0
    for exp in expected.to_dicts():
        row = by_date.get((exp["event_date"], exp["sub_event_type"]))
        if row is None:
            continue
        same = all((row[c] or "") == (exp[c] or "") for c in ("year", "time_precision", "disorder_type", "event_type",
                                                              "iso", "region", "country"))
        same = same and fold(row["admin1"] or "") == fold(exp["admin1"] or "") and \
            fold(row["location"] or "") == fold(exp["location"] or "")
        right += same
    assert right >= 7, f"{right} of {expected.height} rows agree"
    # the view in the database gives the same rows
    import duckdb
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT count(*) FROM acled_events").fetchone()[0] == got.height
    con.close()


@pytest.mark.parametrize("text, published, admin1, lat, lon", [
    # "Town (Admin1)" with particles in the admin name picks the right homonym
    ("On 2 June 2023, gunmen shot dead a councillor in Santa Rosa (Rio Grande do Sul).", "2023-06-04",
     "Rio Grande do Sul", -27.87, -54.48),
    # a place named in a relative clause is where the sentence's event happened
    ("On 2 May 2022, police arrested 20 students who had marched in Kisumu (Kisumu).", "2022-05-03",
     "Kisumu", -0.10, 34.76),
    # a province named alone: its seat's coordinates, as ACLED codes it
    ("On 7 May 2022, gunmen killed 6 farmers in Borno state.", "2022-05-08", "Borno", 11.85, 13.16),
    # wire style: a place inside a country's possessive, a kind of place before the name
    ("Gunmen abducted 20 passengers from a bus in northeastern Nigeria's Borno state on Saturday.", "2022-01-10",
     "Borno", 11.85, 13.16),
    ("A drone strike on a market in Sudan's capital Khartoum killed at least 40 people on Sunday.", "2023-09-12",
     "Khartoum", 15.55, 32.53),
    ("Russian forces shelled the city of Kharkiv on Tuesday, killing two people.", "2023-05-03",
     "Kharkiv", 49.98, 36.25),
])
def test_event_place(cb, text, published, admin1, lat, lon):
    from coder.evaluate_acled import km

    rows = code_article({"id": "p", "text": text, "published": published}, cb).rows
    row = next(r for r in rows if r["acled_sub_event_type"])
    assert row["location_admin1"] == admin1
    assert km(row["latitude"], row["longitude"], lat, lon) < 25, (row["location_name"], row["latitude"], row["longitude"])
