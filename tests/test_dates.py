"""Date expressions resolved against the base (dateline or publication) date."""
from __future__ import annotations

import datetime as dt

import pytest

from coder.resolve.dates import find_dates, parse_published

BASE = dt.date(2024, 1, 30)   # a Tuesday


@pytest.mark.parametrize("sentence, expected, precision", [
    ("He said on January 30 that", dt.date(2024, 1, 30), "day"),
    ("talks held in Paris on the 28th,", dt.date(2024, 1, 28), "day"),
    ("a statement on the evening of the 28th, saying", dt.date(2024, 1, 28), "day"),
    ("the meeting on the 31st", dt.date(2023, 12, 31), "day"),
    ("Officials said Monday", dt.date(2024, 1, 29), "day"),
    ("Officials said Tuesday", dt.date(2024, 1, 30), "day"),
    ("Officials said on Wednesday", dt.date(2024, 1, 24), "day"),
    ("the talks yesterday", dt.date(2024, 1, 29), "day"),
    ("On 5 February 2015, militants attacked", dt.date(2015, 2, 5), "day"),
    ("On Dec. 12, 2023, police arrested", dt.date(2023, 12, 12), "day"),
    ("on 3 March the army", dt.date(2023, 3, 3), "day"),
    ("attacked last week", dt.date(2024, 1, 23), "week"),
    ("met earlier this month", dt.date(2024, 1, 1), "month"),
    ("fighting in early December", dt.date(2023, 12, 1), "month"),
    # conflict-report forms: spans are dated by their first day; a night by the day it began
    ("Overnight, gunmen raided the village", dt.date(2024, 1, 29), "day"),
    ("arrested 12 people in overnight raids", dt.date(2024, 1, 30), "day"),
    ("Overnight on 20-21 January, drones hit the port", dt.date(2024, 1, 20), "day"),
    ("on the night of 14 to 15 March 2022, rebels attacked", dt.date(2022, 3, 14), "day"),
    ("overnight into Sunday, shelling resumed", dt.date(2024, 1, 27), "day"),
    ("Between 2 and 4 May 2023, militias clashed", dt.date(2023, 5, 2), "week"),
    ("from 10 to 12 January, protesters marched", dt.date(2024, 1, 10), "week"),
    ("On 8-9 December, clashes were reported", dt.date(2023, 12, 8), "week"),
])
def test_expressions(sentence, expected, precision):
    [d] = find_dates(sentence, BASE)
    assert d.date == expected and d.precision == precision


def test_same_day_refers_back():
    ds = find_dates("issued on the 30th, he said on the same day", BASE)
    assert [d.date for d in ds] == [dt.date(2024, 1, 30)] * 2 and ds[1].same_day


def test_same_day_from_previous_sentence():
    [d] = find_dates("He spoke on the same day.", BASE, previous=dt.date(2024, 1, 28))
    assert d.date == dt.date(2024, 1, 28)


def test_no_future_dates():
    assert find_dates("They will meet on February 14.", BASE)[0].date == dt.date(2023, 2, 14)
    assert find_dates("They will meet next week.", BASE) == []


@pytest.mark.parametrize("value, expected", [
    ("2024-01-30", dt.date(2024, 1, 30)), ("2024-01-30T08:00:00Z", dt.date(2024, 1, 30)),
    ("30 January 2024", dt.date(2024, 1, 30)), ("2023-02-30", None), ("soon-ish", None)])
def test_published(value, expected):
    assert parse_published(value) == expected


def test_opening_date_dates_every_clause(cb):
    """"On 3 May 2021, X seized the town after fighting with Y, who withdrew": the date opens the sentence
    and dates the relative clause's event too."""
    from coder import code_article

    rows = code_article({"id": "d", "published": "2021-05-10", "text": "On 3 May 2021, rebels seized Kidal "
                         "(Kidal) after clashes with soldiers, who withdrew from the town."}, cb).rows
    assert rows and all(r["event_date"] == "2021-05-03" for r in rows), [(r["event_code"], r["event_date"]) for r in rows]


def test_one_day_in_the_sentence_dates_its_events(cb):
    """A day named in another clause of the sentence is still the event's ("were kidnapped by gunmen who
    stopped their bus on 2 March"); a month in another clause is not ("who warned of it in December")."""
    from coder import code_article

    rows = code_article({"id": "d", "published": "2022-03-09", "text": "Four teachers were kidnapped by "
                         "bandits who stopped their bus near Kagara (Niger) on 2 March 2022."}, cb).rows
    assert rows and all(r["event_date"] == "2022-03-02" for r in rows), [(r["event_code"], r["event_date"]) for r in rows]


def test_month_abbreviation_is_a_whole_word():
    """"in Maru" and "in Decatur" are places, not March and December."""
    assert find_dates("Gunmen attacked villagers in Maru on Thursday.", BASE)[0].precision == "day"
    assert len(find_dates("Gunmen attacked villagers in Maru on Thursday.", BASE)) == 1
    assert find_dates("She moved to Decatur.", BASE) == []


def test_quick_dates_agree_with_dateparser():
    """The calendar fast path gives what dateparser gives, for every base month and boundary day."""
    import datetime as dt

    from coder.resolve.dates import _dateparser, _quick_date

    exprs = ["january", "march", "may", "june", "sept", "sept.", "dec.", "december", "october 2021",
             "feb 2024", "yesterday", "3 days ago", "two days ago", "three days ago"]
    for base in (dt.date(2024, m, d) for m in range(1, 13) for d in (1, 28)):
        for e in exprs:
            assert _quick_date(e, base) == _dateparser.__wrapped__(e, base), (e, base)
    assert _quick_date("early march", dt.date(2024, 5, 1)) is None   # not one of its forms: dateparser reads it


def test_lowered_date_pattern_finds_what_the_original_finds():
    """The fast scan (ASCII lowered, first-character look-ahead) gives the original pattern's matches."""
    import json

    from coder.resolve.dates import _DATE_RE, _date_matches

    from .conftest import DATA

    texts = [json.loads(line)["text"] for line in (DATA / "gold" / "articles.jsonl").read_text().splitlines()
             if line.strip()]
    texts += ["On the same day, in mid-March 2021 and late-May, between 2 and 4 May, 3 days ago, LAST WEEK"]
    for text in texts:
        want = [(m.span(), m.lastgroup) for m in _DATE_RE.finditer(text)]
        assert [(m.span(), m.lastgroup) for m in _date_matches(text)] == want
