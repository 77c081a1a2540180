"""`eventcoder codebook lint`: everything a codebook author should fix.

Checks: schema errors (file:line), codes missing from the taxonomy, duplicate
or conflicting verb patterns, patterns that can never match, one name given
to different actors, and office holders with inverted or overlapping dates.
"""
from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from ..text import phrase_key
from . import CodebookError, codebook_files, load_codebook
from .yamlio import read_yaml, schema_errors


def lint(root: Path) -> list[str]:
    """Problems as "file:line: message" (empty: clean). Errors start with 'error', warnings with 'warning'."""
    root = Path(root)
    problems: list[str] = []
    if not (root / "codebook.yaml").is_file():
        return [f"error: {root}: not a codebook set (no codebook.yaml)"]
    parsed = {}
    for path, kind in codebook_files(root):
        try:
            data = read_yaml(path)
        except CodebookError as exc:
            problems.append(f"error: {exc}")
            continue
        errs = schema_errors(data if data is not None else {}, kind, path)
        problems.extend(f"error: {e}" for e in errs)
        if not errs:
            parsed.setdefault(kind, []).append((path, data))
    if any(p.startswith("error") for p in problems):
        return problems
    try:
        cb = load_codebook(root)
    except CodebookError as exc:
        return [f"error: {line}" for line in str(exc).splitlines()]

    def rel(path: Path) -> str:
        return path.relative_to(root).as_posix()

    # codes used by verb patterns and negations must exist
    for r in cb.verb_rules:
        for code in (r.code, r.negated):
            if code and code not in cb.taxonomy:
                problems.append(f"error: {r.file}:{r.line}: code {code} ({r.pattern!r}) is not in the taxonomy")
    # duplicate / conflicting patterns
    seen: dict[tuple, tuple] = {}
    for r in cb.verb_rules:
        key = (r.nominal, tuple((e.kind, tuple(sorted(e.forms)), e.optional) for e in r.elements))
        if key in seen:
            other = seen[key]
            what = "duplicate" if other[0] == r.code else f"conflicting (also {other[0]} at {other[1]})"
            problems.append(f"error: {r.file}:{r.line}: {what} pattern {r.pattern!r} for {r.code}")
        else:
            seen[key] = (r.code, f"{r.file}:{r.line}")
    # patterns whose literal words cannot be single tokens never match
    for path, data in parsed.get("verbs", []):
        for entry in data.get("verbs") or []:
            for pat in entry.get("patterns") or []:
                text = pat["pattern"] if isinstance(pat, dict) else pat
                for w in text.split():
                    w = w.rstrip("?").lstrip("=")
                    if w in ("*", "TARGET"):
                        continue
                    for alt in w.split("|"):
                        if len(phrase_key(alt)) != 1:
                            problems.append(f"error: {rel(path)}:{entry.line}: pattern {text!r} can never match: "
                                            f"{alt!r} is not one word")
    # one name, several actors of the same kind
    kinds = {"country", "org", "group", "person", "institution", "capital"}
    for key, lexemes in cb.lexicon.items():
        actors = [lx for lx in lexemes if lx.kind in kinds]
        codes = {lx.code for lx in actors}
        if len(codes) > 1 and len({lx.kind for lx in actors}) == 1 and actors[0].kind != "person":
            where = ", ".join(sorted(f"{lx.code} ({lx.file}:{lx.line})" for lx in actors))
            problems.append(f"warning: name {' '.join(key)!r} is given to several actors: {where}")
    # office holders
    for path, data in parsed.get("people", []):
        for person in data["people"]:
            spans = []
            for role in person["roles"]:
                a, b = role.get("from"), role.get("to")
                if a and b and a > b:
                    problems.append(f"error: {rel(path)}:{role.line}: {person['name']}: role {role['code']} ends "
                                    f"({b}) before it starts ({a})")
                spans.append((a or "0000", b or "9999", role["code"], role.line))
            spans.sort()
            for (a1, b1, c1, l1), (a2, b2, c2, l2) in zip(spans, spans[1:]):
                if a2 < b1 and c1 != c2:
                    problems.append(f"error: {rel(path)}:{l2}: {person['name']}: role {c2} from {a2} overlaps role "
                                    f"{c1} (to {b1}, line {l1}) with a different code")
    # every 3-digit code should have a pattern
    covered = {r.code[:3] for r in cb.verb_rules}
    for code in sorted(cb.taxonomy):
        if len(code) == 3 and code not in covered:
            problems.append(f"warning: code {code} ({cb.taxonomy[code].name}) has no verb pattern")
    return problems


def summarize(problems: list[str]) -> tuple[int, int]:
    errors = sum(p.startswith("error") for p in problems)
    return errors, len(problems) - errors


__all__ = ["lint", "summarize", "defaultdict"]
