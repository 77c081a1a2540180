"""Dates: find date expressions in a sentence and resolve them against the
article's base date (dateline date, else publication date).

Absolute and relative expressions are read by dateparser; results are cached
because wire text repeats the same few expressions ("on Tuesday", "Jan. 30")
millions of times. Ordinal days ("on the 28th") and weekdays are resolved by
calendar arithmetic, which dateparser does not do reliably; an event is never
dated after the base date.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache

import dateparser

_MONTH = (r"(?:January|February|March|April|May|June|July|August|September|October|November|December"
          r"|Jan\.?|Feb\.?|Mar\.?|Apr\.?|Jun\.?|Jul\.?|Aug\.?|Sept?\.?|Oct\.?|Nov\.?|Dec\.?)"
          r"(?![a-z])")   # a whole word: "in Maru" and "in Decatur" name places, not March and December
_WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_PART = r"(?:(?:early\s+|late\s+)?(?:morning|afternoon|evening|night)\s+of\s+)?"

# Order matters: the longest, most specific forms first; matches never overlap.
_DATE_RE = re.compile(
    r"\b(?:"
    # "overnight on 3-4 May", "on the night of 3 to 4 May 2021", "overnight Tuesday": the night's first day
    r"(?P<night>(?:overnight|(?:on|during|in)\s+the\s+night\s+of)\s+(?:on\s+|into\s+)?(?:"
    r"\d{1,2}(?:st|nd|rd|th)?(?:\s*(?:-|–|/|to|and|into)\s*\d{1,2}(?:st|nd|rd|th)?)?\s+(?:of\s+)?" + _MONTH +
    r"(?:,?\s+\d{4})?"
    r"|(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)(?:\s+(?:to|into)\s+"
    r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday))?))"
    # "between 2 and 4 May 2023", "from 2 to 4 May", "2-4 May": the first day, week precision
    r"|(?P<between>(?:between|from)\s+\d{1,2}(?:st|nd|rd|th)?\s+(?:and|to)\s+\d{1,2}(?:st|nd|rd|th)?\s+"
    + _MONTH + r"(?:,?\s+\d{4})?"
    r"|\d{1,2}(?:st|nd|rd|th)?\s*(?:-|–)\s*\d{1,2}(?:st|nd|rd|th)?\s+" + _MONTH + r"(?:,?\s+\d{4})?)"
    r"|(?P<mdy>" + _MONTH + r"\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4})"
    r"|(?P<dmy>\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?" + _MONTH + r",?\s+\d{4})"
    r"|(?P<md>" + _MONTH + r"\s+\d{1,2}(?:st|nd|rd|th)?)(?![\d,]*\s*\d{4})"
    r"|(?P<dm>\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?" + _MONTH + r")(?!,?\s+\d{4})"
    r"|(?P<ordinal>(?:on\s+)?(?:the\s+)?" + _PART + r"the\s+(?P<oday>\d{1,2})(?:st|nd|rd|th))"
    r"|(?P<same>(?:on\s+)?the\s+same\s+day|on\s+that\s+day|that\s+day)"
    r"|(?P<weekday>(?:last\s+)?(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday))"
    r"|(?P<relday>yesterday|today|overnight|last\s+night|this\s+morning|tonight|earlier\s+today|\d+\s+days\s+ago|two\s+days\s+ago|three\s+days\s+ago)"
    r"|(?P<week>last\s+week|earlier\s+this\s+week|this\s+week|a\s+week\s+ago)"
    r"|(?P<month>earlier\s+this\s+month|this\s+month|last\s+month|(?:early|mid|late)[-\s]+" + _MONTH + r"|in\s+(?:early\s+|late\s+|mid-)?" + _MONTH + r"(?:\s+\d{4})?)"
    r"|(?P<year>in\s+(?:19|20)\d{2}|last\s+year|earlier\s+this\s+year)"
    r")",
    re.IGNORECASE,
)


def _first_chars(items) -> tuple[set[str] | None, bool]:
    """The characters a parsed regex sequence can start with (None: any) and whether it can match empty.
    Used to put a one-character look-ahead in front of a pattern: positions that cannot start a match
    are then skipped at once instead of trying every branch. Anything unusual gives None (no filter)."""
    from re import _constants as C

    out: set[str] = set()
    for op, av in items:
        if op is C.LITERAL:
            first, nullable = {chr(av)}, False
        elif op is C.IN:
            first, nullable = set(), False
            for o, a in av:
                if o is C.LITERAL:
                    first.add(chr(a))
                elif o is C.RANGE and a[1] - a[0] < 128:
                    first |= {chr(c) for c in range(a[0], a[1] + 1)}
                elif o is C.CATEGORY and a is C.CATEGORY_DIGIT:
                    first |= set("0123456789")     # ASCII text only (see _date_matches)
                elif o is C.CATEGORY and a is C.CATEGORY_SPACE:
                    first |= set(" \t\n\r\f\v")
                else:
                    return None, False
        elif op in (C.AT, C.ASSERT, C.ASSERT_NOT):
            first, nullable = set(), True      # consumes nothing
        elif op is C.SUBPATTERN:
            first, nullable = _first_chars(av[3])
        elif op is C.BRANCH:
            first, nullable = set(), False
            for alt in av[1]:
                f, n = _first_chars(alt)
                if f is None:
                    return None, False
                first |= f
                nullable = nullable or n
        elif op in (C.MAX_REPEAT, C.MIN_REPEAT):
            first, nullable = _first_chars(av[2])
            nullable = nullable or av[0] == 0
        else:
            return None, False
        if first is None:
            return None, False
        out |= first
        if not nullable:
            return out, False
    return out, True


def _lowered(pattern: str) -> re.Pattern | None:
    """`pattern` (an IGNORECASE one) for ASCII text lowered first, with a look-ahead on its first
    character: re cannot skip case-insensitive branches on their first letter, and tries every branch
    at every position, so this scans a sentence several times faster. Same matches, same offsets
    (lowering ASCII keeps the length). None if lowering would break the pattern (an upper-case escape
    such as \\D)."""
    if re.search(r"\\[A-Z]", pattern):
        return None
    low = pattern.lower().replace("(?p<", "(?P<")
    try:
        from re import _parser

        first, nullable = _first_chars(_parser.parse(low).data)
    except Exception:  # pragma: no cover - another Python's private parser: no look-ahead, same matches
        first, nullable = None, True
    if first and not nullable and all(c.isascii() for c in first):
        low = "(?=[" + "".join(re.escape(c) for c in sorted(first)) + "])" + low
    return re.compile(low)


_DATE_RE_LOWER = _lowered(_DATE_RE.pattern)


def _date_matches(sentence: str):
    if _DATE_RE_LOWER is not None and sentence.isascii():
        return _DATE_RE_LOWER.finditer(sentence.lower())
    return _DATE_RE.finditer(sentence)


PRECISION_ORDER = {"day": 0, "week": 1, "month": 2, "year": 3}


@dataclass(slots=True)
class DateMention:
    start: int
    end: int
    text: str
    date: dt.date
    precision: str           # day, week, month, year
    same_day: bool = False   # "on the same day": refers back


_SETTINGS_BASE = {"PREFER_DATES_FROM": "past", "RETURN_AS_TIMEZONE_AWARE": False, "PREFER_DAY_OF_MONTH": "first",
                  "DATE_ORDER": "MDY"}


@lru_cache(maxsize=8192)
def _dateparser(expr: str, base: dt.date) -> dt.date | None:
    settings = dict(_SETTINGS_BASE, RELATIVE_BASE=dt.datetime(base.year, base.month, base.day, 12))
    parsed = dateparser.parse(expr, languages=["en"], settings=settings)
    return parsed.date() if parsed else None


_MONTH_ONLY = re.compile(r"(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
                         r"|sep(?:t|tember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?(?:\s+(\d{4}))?")
_DAYS_AGO = re.compile(r"(\d{1,4}|two|three)\s+days\s+ago")


def _quick_date(expr: str, base: dt.date) -> dt.date | None:
    """What dateparser (with _SETTINGS_BASE) gives for the few expressions wire text repeats - a month
    name ("march", "sept. 2021"), "yesterday", "3 days ago" - by calendar arithmetic: dateparser costs
    milliseconds a call, and its cache rarely hits across articles of different dates. None: not one of
    these, ask dateparser. (tests/test_dates.py checks both agree.)"""
    m = _MONTH_ONLY.fullmatch(expr)
    if m:
        month = _MONTH_NUMBERS[m.group(1)[:3]]
        if m.group(2):
            year = int(m.group(2))
            return dt.date(year, month, 1) if 1900 <= year <= 2100 else None
        # PREFER_DATES_FROM past: this year's month unless it has not begun yet
        return dt.date(base.year if month <= base.month else base.year - 1, month, 1)
    if expr == "yesterday":
        return base - dt.timedelta(days=1)
    m = _DAYS_AGO.fullmatch(expr)
    if m:
        n = {"two": 2, "three": 3}.get(m.group(1)) or int(m.group(1))
        return base - dt.timedelta(days=n)
    return None


def _resolve(expr: str, base: dt.date) -> dt.date | None:
    """A relative or partial date expression read against `base`: by arithmetic where that is sure,
    else by dateparser."""
    quick = _quick_date(expr, base)
    return quick if quick is not None else _dateparser(expr, base)


@lru_cache(maxsize=4096)
def parse_published(value: str) -> dt.date | None:
    """A publication date from ISO text (fast path) or anything dateparser reads; None if impossible."""
    value = value.strip()
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        pass
    try:
        return dt.datetime.fromisoformat(value).date()
    except ValueError:
        pass
    parsed = dateparser.parse(value, languages=["en"], settings={"RETURN_AS_TIMEZONE_AWARE": False})
    return parsed.date() if parsed else None


_MONTH_NUMBERS = {m: i for i, m in enumerate(["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct",
                                                "nov", "dec"], 1)}


def _clean(text: str) -> str:
    return re.sub(r"(\d)(st|nd|rd|th)", r"\1", text).replace(" of ", " ")


def _calendar_date(text: str, year: int | None) -> dt.date | None:
    """"14 March 2022", "Jan. 30", "March 3": read directly (the common case, and fast); None if unsure."""
    words = re.findall(r"[A-Za-z]+|\d+", _clean(text))
    month = next((_MONTH_NUMBERS.get(w.lower()[:3]) for w in words if w.isalpha()), None)
    numbers = [int(w) for w in words if w.isdigit()]
    day = next((n for n in numbers if n <= 31), None)
    yr = next((n for n in numbers if n > 31), year)
    if month is None or day is None or yr is None:
        return None
    try:
        return dt.date(yr, month, day)
    except ValueError:
        return None


def _not_future(d: dt.date, base: dt.date) -> dt.date:
    if d > base:
        try:
            return d.replace(year=d.year - 1)
        except ValueError:
            return d - dt.timedelta(days=365)
    return d


def _ordinal_day(day: int, base: dt.date) -> dt.date | None:
    """"the 28th": that day of the base month, or of the month before if it would be in the future."""
    year, month = base.year, base.month
    if day > base.day:
        month -= 1
        if month == 0:
            year, month = year - 1, 12
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _weekday(name: str, base: dt.date, last: bool) -> dt.date:
    target = _WEEKDAYS.index(name.lower())
    delta = (base.weekday() - target) % 7
    if last and delta == 0:
        delta = 7
    return base - dt.timedelta(days=delta)


def find_dates(sentence: str, base: dt.date | None, previous: dt.date | None = None) -> list[DateMention]:
    """Every date expression of a sentence, resolved; `previous` is the last date the article mentioned."""
    if base is None:
        return []
    found: list[DateMention] = []
    for m in _date_matches(sentence):
        kind = m.lastgroup if m.lastgroup != "oday" else "ordinal"
        for name in ("night", "mdy", "dmy", "between", "md", "dm", "ordinal", "same", "weekday", "relday", "week", "month", "year"):
            if m.group(name):
                kind = name
                break
        text = sentence[m.start():m.end()]   # as written (the match may be on the lowered text)
        date: dt.date | None = None
        precision = "day"
        same = False
        low = text.lower()
        if kind in ("mdy", "dmy"):
            date = _calendar_date(text, None) or _dateparser(_clean(text), base)
        elif kind in ("md", "dm"):
            d = _calendar_date(text, base.year) or _dateparser(_clean(text), base)
            date = _not_future(d, base) if d else None
        elif kind in ("between", "night"):
            # a span of days is dated by its first day: week precision for "between 2 and 4 May",
            # day precision for a night ("overnight on 3-4 May" is the night of 3 May)
            precision = "week" if kind == "between" else "day"
            wd = re.search(r"(monday|tuesday|wednesday|thursday|friday|saturday|sunday)", low)
            if wd and not re.search(r"\d", low):
                date = _weekday(wd.group(1), base, False)
                if re.search(r"\binto\s+\w+day$", low) and low.count("day") == 1:
                    date -= dt.timedelta(days=1)   # "overnight into Wednesday": the night began on Tuesday
            else:
                first = re.search(r"(\d{1,2})(?:st|nd|rd|th)?", low)
                year = re.search(r"\d{4}", low)
                month = re.search(_MONTH, text, re.I)
                d = _calendar_date(f"{first.group(1)} {month.group()} {year.group() if year else ''}",
                                   None if year else base.year) if first and month else None
                date = (d if year else _not_future(d, base)) if d else None
        elif kind == "ordinal":
            date = _ordinal_day(int(m.group("oday")), base)
        elif kind == "same":
            date, same = previous, True
        elif kind == "weekday":
            date = _weekday(low.split()[-1], base, low.startswith("last"))
        elif kind == "relday":
            if low == "last night" or low == "overnight" and not re.match(r"\s+[a-z]", sentence[m.end():]):
                # "Overnight, drones struck ...": the night before the report, dated by its first day;
                # "in overnight raids" (before a noun) is wire style for the small hours of the report's day
                date = base - dt.timedelta(days=1)
            elif low in ("today", "this morning", "tonight", "earlier today", "overnight"):
                date = base
            else:
                date = _resolve(low, base)
        elif kind == "week":
            date, precision = (base - dt.timedelta(days=7) if "last" in low or "ago" in low else base), "week"
        elif kind == "month":
            precision = "month"
            if "this month" in low:
                date = base.replace(day=1)
            elif low == "last month":
                first = base.replace(day=1) - dt.timedelta(days=1)
                date = first.replace(day=1)
            else:
                name = re.sub(r"^(in\s+)?(early|late|mid)?[-\s]*", "", low, flags=re.I)
                d = _resolve(name, base)
                date = _not_future(d.replace(day=1), base) if d else None
        elif kind == "year":
            precision = "year"
            if "last year" in low:
                date = dt.date(base.year - 1, 1, 1)
            elif "this year" in low:
                date = dt.date(base.year, 1, 1)
            else:
                date = dt.date(int(re.search(r"\d{4}", low).group()), 1, 1)
                if date > base:
                    continue
        if date is None:
            continue
        if date > base and kind not in ("year",):
            continue  # a future date is a plan, not when the event happened
        found.append(DateMention(m.start(), m.end(), text, date, precision, same))
        previous = date
    return found
