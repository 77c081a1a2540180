"""Validate: every event against schemas/event.schema.json, with one compiled validator."""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import jsonschema

EVENT_SCHEMA_PATH = Path(__file__).resolve().parents[1] / "schemas" / "event.schema.json"


@lru_cache(maxsize=1)
def event_schema() -> dict:
    return json.loads(EVENT_SCHEMA_PATH.read_text())


def columns() -> list[str]:
    """Event columns in their fixed order (the order of the schema's properties)."""
    return list(event_schema()["properties"])


@lru_cache(maxsize=1)
def _validator() -> jsonschema.protocols.Validator:
    schema = event_schema()
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def event_errors(row: dict) -> list[str]:
    """Schema violations of one event row, as readable messages (empty when valid)."""
    return [f"{'/'.join(map(str, e.path)) or 'event'}: {e.message}" for e in _validator().iter_errors(row)]
