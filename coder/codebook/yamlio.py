"""YAML reading that remembers line numbers, and schema checks that report them."""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

import jsonschema
import yaml

SCHEMA_DIR = Path(__file__).resolve().parents[2] / "schemas"


class CodebookError(Exception):
    """A codebook file is wrong; the message names the file and the line."""


class LineDict(dict):
    """A mapping read from YAML that knows the line it starts on (1-based)."""

    line: int = 0


# libyaml's C parser when PyYAML has it: codebooks are large and the pure-Python scanner is slow
class _LineLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    pass


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    mapping = LineDict()
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in mapping:
            raise CodebookError(f"line {key_node.start_mark.line + 1}: key {key!r} appears twice in one entry")
        mapping[key] = loader.construct_object(value_node, deep=True)
    mapping.line = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
# Dates stay strings: codebooks compare them as ISO text and the schema checks the form.
_LineLoader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"]
    for k, v in _LineLoader.yaml_implicit_resolvers.items()
}


def read_yaml(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise CodebookError(f"{path}: not UTF-8 ({exc.reason} at byte {exc.start}); save the file as UTF-8") from None
    try:
        return yaml.load(text, Loader=_LineLoader)  # noqa: S506 - SafeLoader subclass
    except CodebookError as exc:
        raise CodebookError(f"{path}:{str(exc).removeprefix('line ')}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        problem = getattr(exc, "problem", None) or str(exc)
        raise CodebookError(f"{where}: YAML syntax error: {problem}") from None


@lru_cache(maxsize=None)
def schema_validator(name: str) -> jsonschema.protocols.Validator:
    schema = json.loads((SCHEMA_DIR / "codebook" / f"{name}.schema.json").read_text())
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema)


def line_of(data: Any, path: list) -> int:
    """Line of the deepest mapping on `path` inside `data`."""
    line = getattr(data, "line", 1)
    node = data
    for key in path:
        try:
            node = node[key]
        except (KeyError, IndexError, TypeError):
            break
        line = getattr(node, "line", line)
    return line


def schema_errors(data: Any, schema_name: str, path: Path) -> list[str]:
    """Every schema violation as "file:line: message"."""
    errors = []
    for err in sorted(schema_validator(schema_name).iter_errors(data), key=lambda e: list(map(str, e.absolute_path))):
        where = "/".join(str(p) for p in err.absolute_path) or "(top level)"
        errors.append(f"{path}:{line_of(data, list(err.absolute_path))}: {where}: {err.message}")
    return errors


def load_checked(path: Path, schema_name: str) -> Any:
    data = read_yaml(path)
    if data is None:
        data = LineDict()
    errors = schema_errors(data, schema_name, path)
    if errors:
        raise CodebookError("\n".join(errors))
    return data
