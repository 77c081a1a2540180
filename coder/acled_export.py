"""The ACLED layout: one row per ACLED-typed event, ACLED's columns and naming.

One SQL definition serves both the `acled_events` view of an event database
and `eventcoder export --format acled` (which runs it over a frame of
events). Country names, regions, ISO numbers and the templates of unnamed
actors ("Protesters (Kenya)", "Military Forces of Mali") are codebook data
(codebooks/acled/export.yaml); named groups and organisations keep their
codebook names.
"""
from __future__ import annotations

import duckdb
import polars as pl

from .store import query_frame

ACLED_EXPORT_COLUMNS = [
    "event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type", "sub_event_type",
    "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2", "interaction", "civilian_targeting",
    "iso", "region", "country", "admin1", "admin2", "admin3", "location", "latitude", "longitude", "geo_precision",
    "source", "source_scale", "notes", "fatalities", "tags", "timestamp",
]


def _q(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def lookup_frames(cb) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(acled_countries, acled_named_actors) lookup tables from the codebook."""
    cfg = cb.extra.get("acled_export") or {}
    names, regions, iso = cfg.get("country_names") or {}, cfg.get("regions") or {}, cfg.get("iso_numeric") or {}
    codes = sorted(set(names) | set(regions) | set(iso))
    countries = pl.DataFrame({"iso3": codes, "country": [names.get(c) for c in codes],
                              "region": [regions.get(c) for c in codes],
                              "iso_numeric": [iso.get(c) for c in codes]},
                             schema={"iso3": pl.Utf8, "country": pl.Utf8, "region": pl.Utf8, "iso_numeric": pl.Int64})
    named: dict[str, str] = {}
    for lexemes in cb.lexicon.values():
        for lx in lexemes:
            if lx.kind in ("group", "org") and lx.code not in named:
                named[lx.code] = lx.name
    actors = pl.DataFrame({"code": sorted(named), "name": [named[c] for c in sorted(named)]},
                          schema={"code": pl.Utf8, "name": pl.Utf8})
    return countries, actors


def _actor_sql(cb, side: str, inter: str, role: str, code: str) -> str:
    cfg = cb.extra.get("acled_export") or {}
    cases = [f"WHEN n{side}.name IS NOT NULL THEN n{side}.name"]
    for t in cfg.get("actor_names") or []:
        cond = []
        if t.get("inter") is not None:
            cond.append(f"{inter} = {int(t['inter'])}")
        if t.get("roles"):
            cond.append(f"{role} IN ({', '.join(_q(r) for r in t['roles'])})")
        if not cond:
            cond.append("TRUE")
        template = _q(t["template"]).replace("{country}", f"' || coalesce(c{side}.country, cl.country, '') || '")
        cases.append(f"WHEN {' AND '.join(cond)} THEN {template}")
    return f"CASE WHEN {code} IS NULL THEN NULL " + " ".join(cases) + f" ELSE {code} END"


def acled_sql(cb, events: str = "events") -> str:
    """SELECT giving the ACLED layout over an events table and the two lookup tables."""
    a1 = _actor_sql(cb, "1", "e.inter1", "e.source_role", "e.source_code")
    a2 = _actor_sql(cb, "2", "e.inter2", "e.target_role", "e.target_code")
    return f"""
SELECT
  coalesce(e.location_country, e.source_country) || '-' || e.event_id AS event_id_cnty,
  e.event_date, CAST(year(e.event_date) AS INTEGER) AS year, e.time_precision,
  e.acled_disorder_type AS disorder_type, e.acled_event_type AS event_type, e.acled_sub_event_type AS sub_event_type,
  {a1} AS actor1, CAST(NULL AS VARCHAR) AS assoc_actor_1, e.inter1,
  {a2} AS actor2, CAST(NULL AS VARCHAR) AS assoc_actor_2, e.inter2, e.interaction,
  e.civilian_targeting, cl.iso_numeric AS iso, cl.region, cl.country, e.location_admin1 AS admin1,
  e.location_admin2 AS admin2, CAST(NULL AS VARCHAR) AS admin3, e.location_name AS location,
  e.latitude, e.longitude, e.geo_precision, e.news_source AS source, CAST(NULL AS VARCHAR) AS source_scale,
  e.sentence_text AS notes, CAST(coalesce(e.fatalities, 0) AS INTEGER) AS fatalities,
  CAST(NULL AS VARCHAR) AS tags, CAST(NULL AS VARCHAR) AS timestamp
FROM {events} e
LEFT JOIN acled_countries cl ON cl.iso3 = coalesce(e.location_country, e.source_country)
LEFT JOIN acled_countries c1 ON c1.iso3 = e.source_country
LEFT JOIN acled_countries c2 ON c2.iso3 = e.target_country
LEFT JOIN acled_named_actors n1 ON n1.code = e.source_code
LEFT JOIN acled_named_actors n2 ON n2.code = e.target_code
WHERE e.acled_sub_event_type IS NOT NULL
QUALIFY row_number() OVER (PARTITION BY e.doc_id, e.sentence_index, e.acled_sub_event_type
                           ORDER BY coalesce(e.fatalities, 0) DESC, e.event_id) = 1
ORDER BY e.event_date NULLS LAST, e.doc_id, e.sentence_index, e.event_id"""


def install(con: duckdb.DuckDBPyConnection, cb) -> None:
    """Lookup tables and the `acled_events` view in an event database."""
    from .store import ArrowStream

    countries, actors = lookup_frames(cb)
    lk_acled_countries = ArrowStream(countries)  # noqa: F841  (read by name in the SQL, without pyarrow)
    lk_acled_actors = ArrowStream(actors)  # noqa: F841
    con.execute("CREATE OR REPLACE TABLE acled_countries AS SELECT * FROM lk_acled_countries")
    con.execute("CREATE OR REPLACE TABLE acled_named_actors AS SELECT * FROM lk_acled_actors")
    con.execute(f"CREATE OR REPLACE VIEW acled_events AS {acled_sql(cb)}")


def acled_frame(events: pl.DataFrame, cb) -> pl.DataFrame:
    """The ACLED layout of a frame of event rows."""
    con = duckdb.connect()
    try:
        con.register("events_in", events.to_arrow())
        con.execute("CREATE TABLE events AS SELECT * FROM events_in")
        install(con, cb)
        return query_frame(con, "SELECT * FROM acled_events").select(ACLED_EXPORT_COLUMNS)
    finally:
        con.close()
