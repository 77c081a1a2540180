"""YAML reading that remembers line numbers, and schema checks that report them."""
from __future__ import annotations

import json
import re
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


class _Unsupported(Exception):
    """A schema keyword the validity predicate does not compile."""


_ANNOTATIONS = frozenset({"$schema", "$id", "$comment", "title", "description", "examples", "default", "deprecated",
                          "readOnly", "writeOnly"})
_TYPES: dict[str, Any] = {
    "string": lambda v: isinstance(v, str),
    "null": lambda v: v is None,
    "boolean": lambda v: isinstance(v, bool),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool) or isinstance(v, float) and v.is_integer(),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
}


def _is_num(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _predicate(schema: Any, root: dict, refs: dict[str, Any]):
    """A function of an instance that is True only if jsonschema (2020-12) finds no error in it. It may say
    False of a valid instance (uniqueItems of unhashable items, say): the caller then asks jsonschema."""
    if schema is True:
        return lambda v: True
    if schema is False:
        return lambda v: False
    if not isinstance(schema, dict):
        raise _Unsupported(repr(schema))
    checks: list = []
    for key, arg in schema.items():
        if key in _ANNOTATIONS or key == "$defs":
            continue
        if key == "type":
            types = arg if isinstance(arg, list) else [arg]
            fns = [_TYPES[t] for t in types]
            checks.append(lambda v, fns=fns: any(f(v) for f in fns))
        elif key == "properties":
            props = {k: _predicate(sub, root, refs) for k, sub in arg.items()}
            checks.append(lambda v, props=props: not isinstance(v, dict) or
                          all(f(v[k]) for k, f in props.items() if k in v))
        elif key == "additionalProperties":
            known = frozenset(schema.get("properties", {}))
            if schema.get("patternProperties"):
                raise _Unsupported("patternProperties")
            f = _predicate(arg, root, refs)
            checks.append(lambda v, f=f, known=known: not isinstance(v, dict) or
                          all(f(x) for k, x in v.items() if k not in known))
        elif key == "required":
            req = tuple(arg)
            checks.append(lambda v, req=req: not isinstance(v, dict) or all(k in v for k in req))
        elif key == "items":
            if not isinstance(arg, (dict, bool)) or "prefixItems" in schema:
                raise _Unsupported("items")
            f = _predicate(arg, root, refs)
            checks.append(lambda v, f=f: not isinstance(v, list) or all(f(x) for x in v))
        elif key == "propertyNames":
            f = _predicate(arg, root, refs)
            checks.append(lambda v, f=f: not isinstance(v, dict) or all(f(k) for k in v))
        elif key == "anyOf":
            fns = [_predicate(sub, root, refs) for sub in arg]
            checks.append(lambda v, fns=fns: any(f(v) for f in fns))
        elif key == "enum":
            try:
                pairs = frozenset((type(e), e) for e in arg)   # stricter than JSON equality, never looser
            except TypeError:
                raise _Unsupported("enum of arrays or objects") from None

            def member(v, pairs=pairs):
                try:
                    return (type(v), v) in pairs
                except TypeError:
                    return False
            checks.append(member)
        elif key == "pattern":
            rx = re.compile(arg)
            checks.append(lambda v, rx=rx: not isinstance(v, str) or rx.search(v) is not None)
        elif key in ("minLength", "maxLength"):
            n = int(arg)
            checks.append((lambda v, n=n: not isinstance(v, str) or len(v) >= n) if key == "minLength" else
                          (lambda v, n=n: not isinstance(v, str) or len(v) <= n))
        elif key in ("minItems", "maxItems"):
            n = int(arg)
            checks.append((lambda v, n=n: not isinstance(v, list) or len(v) >= n) if key == "minItems" else
                          (lambda v, n=n: not isinstance(v, list) or len(v) <= n))
        elif key in ("minProperties", "maxProperties"):
            n = int(arg)
            checks.append((lambda v, n=n: not isinstance(v, dict) or len(v) >= n) if key == "minProperties" else
                          (lambda v, n=n: not isinstance(v, dict) or len(v) <= n))
        elif key in ("minimum", "maximum"):
            b = arg
            checks.append((lambda v, b=b: not _is_num(v) or v >= b) if key == "minimum" else
                          (lambda v, b=b: not _is_num(v) or v <= b))
        elif key == "uniqueItems":
            if arg:
                # strings only (other items: ask jsonschema, whose equality differs from Python's)
                checks.append(lambda v: not isinstance(v, list) or
                              all(isinstance(x, str) for x in v) and len(set(v)) == len(v))
        elif key == "$ref":
            if not isinstance(arg, str) or not arg.startswith("#/$defs/"):
                raise _Unsupported(f"$ref {arg}")
            name = arg[len("#/$defs/"):]
            if name not in refs:
                refs[name] = None   # compiled below; a recursive $ref reads it when called
                refs[name] = _predicate(root["$defs"][name], root, refs)
            checks.append(lambda v, name=name: refs[name](v))
        else:
            raise _Unsupported(key)
    if not checks:
        return lambda v: True
    if len(checks) == 1:
        return checks[0]
    return lambda v, checks=tuple(checks): all(c(v) for c in checks)


@lru_cache(maxsize=None)
def valid_instance(name: str):
    """A fast validity test compiled from a codebook schema (None if the schema needs jsonschema): True
    only for data jsonschema accepts; the messages for anything else come from jsonschema."""
    schema = json.loads((SCHEMA_DIR / "codebook" / f"{name}.schema.json").read_text())
    if "2020-12" not in str(schema.get("$schema", "")):
        return None
    try:
        return _predicate(schema, schema, {})
    except (_Unsupported, KeyError, re.error):
        return None


def schema_errors(data: Any, schema_name: str, path: Path) -> list[str]:
    """Every schema violation as "file:line: message"."""
    fast = valid_instance(schema_name)
    if fast is not None and fast(data):
        return []   # what jsonschema would conclude, in a fraction of the time
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
