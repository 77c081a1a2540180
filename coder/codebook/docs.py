"""Human-readable views of a codebook: `show` for one code or actor, `docs` for all."""
from __future__ import annotations

from collections import Counter

from ..text import phrase_key
from . import Codebook


def describe(cb: Codebook, query: str) -> str:
    lines: list[str] = []
    if query in cb.taxonomy:
        c = cb.taxonomy[query]
        lines.append(f"{c.code}  {c.name}  (root {c.root}, category {c.category}, QuadClass {c.quad_class}, "
                     f"Goldstein {c.goldstein}, PLOVER {c.plover or '-'})")
        if c.description:
            lines.append(f"  {c.description}")
        rules = [r for r in cb.verb_rules if r.code == query or r.negated == query]
        for r in rules:
            kind = "nominal" if r.nominal else ("negated ->" if r.negated == query and r.code != query else "pattern")
            lines.append(f"  {kind:10} {r.pattern!r:40} {r.file}:{r.line}" + (f"  (from {r.code})" if r.code != query else ""))
        return "\n".join(lines)
    key = phrase_key(query)
    for lx in cb.lookup(key):
        extra = ""
        if lx.roles:
            extra = "  roles: " + ", ".join(f"{r.code} {r.start or '…'}–{r.end or '…'}" for r in lx.roles)
        lines.append(f"{lx.kind:11} {lx.code:12} {lx.name}  ({lx.file}:{lx.line}){extra}")
    for r in cb.verb_rules:
        if query.lower() in r.elements[0].forms:
            lines.append(f"verb        {r.code:12} {r.pattern!r}  ({r.file}:{r.line})")
    return "\n".join(lines)


def render_markdown(cb: Codebook) -> str:
    out = [f"# Codebook {cb.name} {cb.version}", "", f"SHA-256 of the codebook files: `{cb.digest}`", ""]
    per_code = Counter(r.code for r in cb.verb_rules)
    per_root = Counter(r.code[:2] for r in cb.verb_rules)
    out += ["## Event taxonomy (CAMEO)", "", "| code | name | QuadClass | Goldstein | PLOVER | patterns |",
            "|---|---|---|---|---|---|"]
    for code in sorted(cb.taxonomy):
        c = cb.taxonomy[code]
        n = per_root[code] if len(code) == 2 else per_code[code]
        out.append(f"| {code} | {c.name} | {c.quad_class} | {c.goldstein} | {c.plover or ''} | {n} |")
    out += ["", "## Actors", ""]
    by_kind: dict[str, dict[str, str]] = {}
    for lexemes in cb.lexicon.values():
        for lx in lexemes:
            if lx.kind in ("country", "org", "group", "person"):
                by_kind.setdefault(lx.kind, {})[lx.code if lx.kind != "person" else lx.name] = \
                    lx.name if lx.kind != "person" else lx.code
    titles = {"country": "Countries", "org": "International organisations", "group": "Armed and political groups",
              "person": "People (latest role)"}
    for kind in ("country", "org", "group", "person"):
        items = by_kind.get(kind, {})
        out += [f"### {titles[kind]} ({len(items)})", "", "| code | name |", "|---|---|"]
        for k in sorted(items):
            a, b = (k, items[k]) if kind != "person" else (items[k], k)
            out.append(f"| {a} | {b} |")
        out.append("")
    roles = Counter(lx.role for ls in cb.lexicon.values() for lx in ls if lx.kind == "agent")
    out += ["### Agent roles", "", "| role | role nouns |", "|---|---|"]
    out += [f"| {r} | {n} |" for r, n in sorted(roles.items())]
    return "\n".join(out) + "\n"
