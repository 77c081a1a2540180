"""Validate: every event against schemas/event.schema.json, with one compiled validator.

jsonschema walks the schema for every row, which costs a few hundred
microseconds per event. Rows are checked first by a predicate compiled once
from the same schema (types, patterns, enums, bounds, formats through
jsonschema's own format checker, required and additional properties). It
is sound: it accepts a row only if jsonschema would. Anything it does not
accept, and any schema that uses a keyword it does not know, goes to
jsonschema's `iter_errors`, which stays the judge and writes the messages.
"""
from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

import jsonschema

EVENT_SCHEMA_PATH = Path(__file__).resolve().parents[1] / "schemas" / "event.schema.json"

# Keywords that never constrain an instance.
_ANNOTATIONS = {"$schema", "$id", "$comment", "title", "description", "examples", "default", "deprecated",
                "readOnly", "writeOnly"}


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


class _Unsupported(Exception):
    """The schema uses something the fast check does not compile."""


# JSON Schema types as jsonschema's default type checker reads them (bool is not a number).
_TYPE_EXPR = {
    "string": "isinstance(v, str)",
    "null": "v is None",
    "boolean": "isinstance(v, bool)",
    "integer": "(isinstance(v, int) and not isinstance(v, bool) or isinstance(v, float) and v.is_integer())",
    "number": "(isinstance(v, (int, float)) and not isinstance(v, bool))",
    "object": "isinstance(v, dict)",
    "array": "isinstance(v, list)",
}
_NUM = "(isinstance(v, (int, float)) and not isinstance(v, bool))"
_KNOWN = {"type", "pattern", "enum", "const", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum",
          "minLength", "maxLength", "format"}


def _member(v: Any, pairs: frozenset) -> bool:
    try:
        return (type(v), v) in pairs
    except TypeError:               # an unhashable value is in no enum of hashable values
        return False


def _property_conditions(prop: dict, env: dict, k: int) -> list[str]:
    """Python conditions on `v` that hold only when jsonschema finds no error in the value."""
    unknown = set(prop) - _ANNOTATIONS - _KNOWN
    if unknown:
        raise _Unsupported(", ".join(sorted(unknown)))
    conds: list[str] = []
    if "type" in prop:
        types = prop["type"] if isinstance(prop["type"], list) else [prop["type"]]
        if any(t not in _TYPE_EXPR for t in types):
            raise _Unsupported(f"type {types}")
        conds.append("(" + " or ".join(_TYPE_EXPR[t] for t in types) + ")")
    for key in ("enum", "const"):
        if key in prop:
            # (type, value) pairs: stricter than JSON equality (1 == 1.0), never looser
            values = list(prop["enum"]) if key == "enum" else [prop["const"]]
            try:
                env[f"_{key}{k}"] = frozenset((type(e), e) for e in values)
            except TypeError:
                raise _Unsupported(f"{key} with arrays or objects") from None
            env["_member"] = _member
            conds.append(f"_member(v, _{key}{k})")
    if "pattern" in prop:
        env[f"_rx{k}"] = re.compile(prop["pattern"])
        conds.append(f"(not isinstance(v, str) or _rx{k}.search(v) is not None)")
    for key, op in (("minimum", ">="), ("maximum", "<="), ("exclusiveMinimum", ">"), ("exclusiveMaximum", "<")):
        if key in prop:
            env[f"_{key}{k}"] = prop[key]
            conds.append(f"(not {_NUM} or v {op} _{key}{k})")
    for key, op in (("minLength", ">="), ("maxLength", "<=")):
        if key in prop:
            conds.append(f"(not isinstance(v, str) or len(v) {op} {int(prop[key])})")
    if "format" in prop:
        fc = _validator().format_checker
        if fc is None or prop["format"] not in fc.checkers:
            raise _Unsupported(f"format {prop['format']}")
        env["_fc"] = fc
        env[f"_fmt{k}"] = prop["format"]
        conds.append(f"_fc.conforms(v, _fmt{k})")
    return conds


@lru_cache(maxsize=1)
def _fast_check() -> Callable[[dict], bool] | None:
    """A predicate compiled from the event schema, or None if the schema needs the full validator."""
    schema = event_schema()
    if set(schema) - _ANNOTATIONS - {"type", "properties", "required", "additionalProperties"} \
            or schema.get("type", "object") != "object" \
            or not isinstance(schema.get("additionalProperties", True), bool):
        return None
    env: dict[str, Any] = {"_MISSING": object(), "_required": tuple(schema.get("required", ())),
                           "_allowed": frozenset(schema.get("properties", {}))}
    lines = ["def check(row):",
             "    if not isinstance(row, dict):",
             "        return False",
             "    for name in _required:",
             "        if name not in row:",
             "            return False"]
    if schema.get("additionalProperties", True) is False:
        lines += ["    if not _allowed.issuperset(row):", "        return False"]
    try:
        for k, (name, prop) in enumerate(schema.get("properties", {}).items()):
            conds = _property_conditions(prop, env, k)
            if not conds:
                continue
            lines += [f"    v = row.get({name!r}, _MISSING)",
                      "    if v is not _MISSING and not (" + " and ".join(conds) + "):",
                      "        return False"]
    except _Unsupported:
        return None
    lines.append("    return True")
    exec(compile("\n".join(lines), "<event schema fast check>", "exec"), env)  # noqa: S102 - our own source
    return env["check"]


def event_errors(row: dict) -> list[str]:
    """Schema violations of one event row, as readable messages (empty when valid)."""
    fast = _fast_check()
    if fast is not None and fast(row):
        return []
    return [f"{'/'.join(map(str, e.path)) or 'event'}: {e.message}" for e in _validator().iter_errors(row)]
