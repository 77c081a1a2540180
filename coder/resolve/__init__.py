"""Resolve: give each coded event its date, place and code metadata."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the coder imports this package; types only, to avoid a cycle
    from ..code import Event, PlaceMention
    from ..text import Token
from .dates import DateMention
from .places import Place, admin1_seat, admin_match, lookup_city


NEAR_PREPOSITIONS = {"near", "outside", "around", "close to", "on the outskirts of"}


@dataclass(slots=True)
class When:
    date: dt.date | None
    precision: str | None
    source: str | None


@dataclass(slots=True)
class Where:
    place: Place | None
    source: str | None


def event_date(event: Event, tokens: list[Token], dates: list[DateMention], dateline_date: dt.date | None,
               published: dt.date | None) -> When:
    """The date mention in the event's clause nearest its trigger, else any in the sentence, else the dateline."""
    if dates:
        def tok_index(ch: int) -> int:
            for k, t in enumerate(tokens):
                if t.end > ch:
                    return k
            return len(tokens)

        for lo, hi in (event.clause, event.fallback or (0, 0)):
            in_clause = [d for d in dates if lo <= tok_index(d.start) < hi]
            if in_clause:
                best = min(in_clause, key=lambda d: abs(tok_index(d.start) - event.anchor))
                return When(best.date, best.precision, "sentence")
        # a date that opens the sentence dates every clause of it ("On 20 November 2012, M23 rebels
        # seized Goma ..., who withdrew from the city"); one further in belongs to its own clause only
        opening = [d for d in dates if not d.same_day and tok_index(d.start) <= 1]
        if opening:
            return When(opening[0].date, opening[0].precision, "sentence")
        # one day named in the whole sentence dates its events, also from another clause ("Six nuns were kidnapped
        # by gang members who seized their bus on 19 January", "a bomb exploded as a patrol passed on Tuesday")
        # (a day only: "who warned of the outbreak in December" tells when something else began)
        told = {(d.date, d.precision) for d in dates if not d.same_day and d.date and d.precision == "day"}
        if len(told) == 1:
            only = next(iter(told))
            return When(only[0], only[1], "sentence")
    if dateline_date:
        return When(dateline_date, "day", "dateline")
    if published:
        return When(published, "day", "published")
    return When(None, None, None)


def event_place(event: Event, places: list[PlaceMention], dateline_place: Place | None) -> Where:
    in_clause = []
    for lo, hi in (event.clause, event.fallback or (0, 0)):
        in_clause = [p for p in places if lo <= p.start < hi and p.prep != "mention"]
        if in_clause:
            break
    if not in_clause:
        # a place named elsewhere in the sentence ("detained supporters who had gathered in Rawalpindi",
        # "announced the formation of the CPC in Bossangoa") is where the sentence's events happened
        in_clause = [p for p in places if p.prep != "mention"]
    if in_clause:
        best = min(in_clause, key=lambda p: abs(p.start - event.anchor))
        place = best.place
        if best.prep in NEAR_PREPOSITIONS and place.precision < 2:
            place = replace(place, precision=2)   # "near Mopti": somewhere around the place (ACLED 2)
        return Where(_at_seat(place), "sentence")
    if dateline_place:
        return Where(dateline_place, "dateline")
    return Where(None, None)


def _at_seat(place: Place) -> Place:
    """A province named alone is placed at its seat, as ACLED does ("in Zamfara state": Gusau's
    coordinates), not at a centroid that may lie in no town at all."""
    if place.precision < 2 or not place.admin1 or not place.country or not admin_match(place.admin1, place.name):
        return place
    seat = admin1_seat(place.country, place.admin1)
    return replace(place, latitude=seat[1], longitude=seat[2]) if seat else place


def dateline_place(name: str | None, country_hint: str | None = None) -> Place | None:
    if not name:
        return None
    return lookup_city(name, (country_hint,) if country_hint else ())
