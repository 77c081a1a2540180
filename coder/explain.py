"""Explain one sentence: the tool a codebook author uses to see why a row exists."""
from __future__ import annotations

from .codebook import Codebook
from .ingest import Article, make_article
from .pipeline import code_article


def explain_text(sentence: str, cb: Codebook, published: str | None = None, context: str = "") -> str:
    text = (context.rstrip() + "\n" + sentence) if context else sentence
    art = make_article({"id": "explain", "text": text, "published": published}, "explain")
    if not isinstance(art, Article):
        return f"cannot read the sentence: {art.reason}"
    res = code_article(art, cb, keep_analysis=True)
    analyses = res.analyses  # type: ignore[attr-defined]
    out: list[str] = []
    target_index = len(analyses) - 1
    for idx, an in enumerate(analyses):
        if idx != target_index:
            continue
        out.append("tokens: " + " ".join(f"{i}:{t.text}" for i, t in enumerate(an.tokens)))
        out.append("mentions:")
        for m in an.mentions:
            kinds = ", ".join(f"{lx.kind} {lx.code} ({lx.file}:{lx.line})" for lx in m.lexemes)
            out.append(f"  [{m.start}-{m.end}) {m.text!r}: {kinds}")
        out.append("actor phrases:")
        for g in an.groups:
            who = ", ".join(a.code or f"?{a.role}" for a in g.actors) or f"pronoun {g.pronoun}"
            flags = " ".join(x for x in (f"after '{g.prep}'" if g.prep else "", "possessive" if g.possessive else "") if x)
            out.append(f"  [{g.start}-{g.end}) {g.text!r} -> {who} {flags}".rstrip())
        out.append("verb patterns:")
        for v in an.verbs:
            out.append(f"  [{v.start}-{v.end}) {v.rule.rule_id} (code {v.rule.code}, negated {v.rule.negated}, "
                       f"{v.rule.file}:{v.rule.line})")
        out.append("places:")
        for p in an.places:
            out.append(f"  [{p.start}-{p.end}) {p.place.name} {p.place.country} precision {p.place.precision} ({p.prep})")
        if an.notes:
            out.append("notes:")
            out.extend(f"  {n}" for n in an.notes)
    out.append("events:")
    last = max((s for s, _ in res.sentences), default=0)
    for r in res.rows:
        if r["sentence_index"] != last:
            continue
        out.append(f"  {r['source_code']} {r['event_code']} ({r['event_name']}) {r['target_code'] or '-'}  "
                   f"date {r['event_date']} [{r['date_source']}]  place {r['location_name'] or '-'} "
                   f"{r['location_country'] or ''} [{r['location_source'] or '-'}]  rule {r['rule_id']}")
    if not any(r["sentence_index"] == last for r in res.rows):
        out.append("  (none)")
    return "\n".join(out)
