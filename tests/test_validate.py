"""The compiled fast check never accepts a row that jsonschema rejects; messages come from jsonschema."""
from __future__ import annotations

import random

import pytest

from coder import validate
from coder.validate import _fast_check, _validator, columns, event_errors

VALUES = [None, "", "x", "ABC", "ABCDEF", "ABCD", "abc", "0123", "01", "1", "ab12cd34ef56ab78", "AB12CD34EF56AB78",
          "2024-01-05", "2024-02-30", "2024-1-5", "day", "month", "week", "sentence", "dateline", "published",
          0, 1, -1, 3, 4, 5, 91, -200, 1.0, 1.5, -10.5, 10.0, True, False, float("nan"), [], {}]


@pytest.fixture(scope="module")
def good_row():
    from coder import code_text

    rows = code_text("Egypt and Qatar held talks with Hamas in Cairo on Sunday.", published="2023-11-07")
    assert rows
    return rows[0]


def test_fast_check_compiles_for_the_event_schema():
    assert _fast_check() is not None


def test_valid_row_passes(good_row):
    assert _fast_check()(good_row)
    assert event_errors(good_row) == []


def test_fast_check_is_sound_on_mutated_rows(good_row):
    fast = _fast_check()
    rng = random.Random(0)
    cols = columns()
    for _ in range(1500):
        row = dict(good_row)
        for col in rng.sample(cols, rng.choice([1, 1, 2, 3])):
            row[col] = rng.choice(VALUES)
        if rng.random() < 0.03:
            row.pop(rng.choice(cols))
        if rng.random() < 0.03:
            row["extra_column"] = 1
        full = [e.message for e in _validator().iter_errors(row)]
        if fast(row):
            assert full == [], (row, full)
        assert bool(event_errors(row)) == bool(full)


def test_messages_name_the_field(good_row):
    row = dict(good_row, source_code="HTIcrm")  # blocks are upper-case letters (digits only after the first)
    errs = event_errors(row)
    assert errs and errs[0].startswith("source_code: ")


def test_unknown_keyword_falls_back_to_jsonschema(monkeypatch, good_row):
    schema = dict(validate.event_schema())
    props = dict(schema["properties"])
    props["doc_id"] = dict(props["doc_id"], multipleOf=2)
    schema["properties"] = props
    validate._fast_check.cache_clear()
    monkeypatch.setattr(validate, "event_schema", lambda: schema)
    try:
        assert validate._fast_check() is None
        assert event_errors(good_row) == []
    finally:
        monkeypatch.undo()
        validate._fast_check.cache_clear()
