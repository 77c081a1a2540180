"""The pipeline from one article to validated event rows.

`code_article(article, codebook)` runs segment -> match -> code -> resolve ->
validate for one article and returns its rows and rejects. It is a pure
function of the article and the codebook, which is what makes runs
reproducible and parallel runs identical to serial ones.
"""
from __future__ import annotations

import hashlib
import re
import time
from collections import defaultdict
from dataclasses import dataclass, field

from . import __version__
from .code import ArticleContext, SentenceAnalysis, SentenceCoder
from .codebook import Codebook
from .acled import TIME_PRECISION, remember_words, annotate as annotate_acled, book as acled_book
from .ingest import Article, Reject
from .resolve import dateline_place, event_date, event_place
from .resolve.dates import find_dates
from .segment import split_sentences
from .validate import columns, event_errors


@dataclass
class ArticleResult:
    article: Article
    rows: list[dict]
    rejects: list[Reject]
    sentences: list[tuple[int, str]] = field(default_factory=list)


@dataclass
class StageTimes:
    seconds: dict[str, float] = field(default_factory=lambda: defaultdict(float))

    def add(self, stage: str, t0: float) -> float:
        t1 = time.perf_counter()
        self.seconds[stage] += t1 - t0
        return t1


# a cheap test for text that may hold a date expression (digits, months, weekdays, relative days)
_DATE_HINT = re.compile(r"\d|\b(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec|Mon|Tue|Wed|Thu|Fri|Sat|Sun)"
                        r"|\b(?:yesterday|today|tonight|overnight|week|month|year|same day|last night)\b", re.I)


def _period_end(d, precision: str | None):
    """The last day a date of this precision can mean ("in March" may be March 31)."""
    import datetime as dt

    if precision == "year":
        return dt.date(d.year, 12, 31)
    if precision == "month":
        nxt = dt.date(d.year + (d.month == 12), d.month % 12 + 1, 1)
        return nxt - dt.timedelta(days=1)
    if precision == "week":
        return d + dt.timedelta(days=6)
    return d


def event_id(doc_id: str, sentence_index: int, code: str, source: str, target: str | None, rule_id: str) -> str:
    key = f"{doc_id}\x1f{sentence_index}\x1f{code}\x1f{source}\x1f{target or ''}\x1f{rule_id}"
    return hashlib.sha256(key.encode()).hexdigest()[:16]


def _split_code(code: str | None) -> tuple[str | None, str | None]:
    if not code:
        return None, None
    return code[:3], (code[3:6] or None)


def code_article(article: Article, cb: Codebook, times: StageTimes | None = None,
                 keep_analysis: bool = False) -> ArticleResult:
    """Code one article into validated event rows (and rejects for invalid ones)."""
    times = times or StageTimes()
    t = time.perf_counter()
    sentences = split_sentences(article.text, cb.extra.get("abbreviations", frozenset()))
    t = times.add("segment", t)
    ctx = ArticleContext(event_date=article.base_date)
    dl_place = None
    if article.dateline:
        place_lex = next((lx for lx in cb.lookup(tuple(article.dateline.place.lower().split()))
                          if lx.kind in ("capital", "place", "country")), None)
        ctx.dateline_country = place_lex.country if place_lex else None
        dl_place = dateline_place(article.dateline.place, ctx.dateline_country)
        if dl_place and not ctx.dateline_country:
            ctx.dateline_country = dl_place.country
    coder = SentenceCoder(cb, ctx, keep_places=keep_analysis)
    acled = acled_book(cb)
    rows: list[dict] = []
    rejects: list[Reject] = []
    analyses: list[SentenceAnalysis] = []
    base = article.base_date
    for sent in sentences:
        skip = 0
        if article.dateline and sent.start < article.dateline.end <= sent.end:
            skip = article.dateline.end - sent.start
        t = time.perf_counter()
        ctx.sentence = sent.index
        analysis = coder.analyse(sent.text, skip)
        remember_words(sent.text, analysis.tokens, analysis.words)   # the ACLED pass reads these words again
        if acled is not None:
            # a weapon used with no violent CAMEO event ("a roadside bomb targeted a patrol"): ACLED records it
            extra = acled.uncoded_event(analysis, coder, skip)
            if extra is not None:
                analysis.events.append(extra)
                analysis.events.sort(key=lambda e: e.anchor)   # in the order the sentence tells them
        t = times.add("match_code", t)
        # dates are read where an event needs one, or where a later "on the same day" may refer back
        dates = find_dates(sent.text[skip:], base, ctx.previous_date) \
            if analysis.events or keep_analysis or _DATE_HINT.search(sent.text, skip) else []
        for d in dates:
            d.start += skip
            d.end += skip
        if dates:
            ctx.previous_date = dates[-1].date
        if keep_analysis:
            analysis.notes.extend(f"date: {d.text!r} -> {d.date} ({d.precision})" for d in dates)
            analyses.append(analysis)
        background_days = cb.cues.get("background_after_days")
        for ev in analysis.events:
            when = event_date(ev, analysis.tokens, dates, article.dateline_date, article.published)
            if background_days and when.source == "sentence" and base and when.date and \
                    (base - _period_end(when.date, when.precision)).days > background_days:
                continue  # background: an act long before the story's date is not this story's event
            where = event_place(ev, analysis.places, dl_place)
            info = cb.code_info(ev.code)
            if info is None:
                rejects.append(Reject(article.origin, article.id, f"sentence {sent.index}: code {ev.code} from "
                                      f"{ev.rule_id} is not in the taxonomy", stage="code"))
                continue
            src_c, src_r = _split_code(ev.source.code)
            tgt_c, tgt_r = _split_code(ev.target.code if ev.target else None)
            place = where.place
            row = {
                "event_id": event_id(article.id, sent.index, ev.code, ev.source.code,
                                     ev.target.code if ev.target else None, ev.rule_id),
                "doc_id": article.id,
                "sentence_index": sent.index,
                "sentence_text": sent.text,
                "event_code": ev.code,
                "event_root": ev.code[:2],
                "event_name": info.name,
                "category": info.category,
                "quad_class": info.quad_class,
                "goldstein": info.goldstein,
                "plover_type": info.plover,
                "source_code": ev.source.code,
                "source_name": ev.source_text or ev.source.name,
                "source_country": src_c,
                "source_role": src_r,
                "target_code": ev.target.code if ev.target else None,
                "target_name": (ev.target_text or ev.target.name) if ev.target else None,
                "target_country": tgt_c,
                "target_role": tgt_r,
                "event_date": when.date.isoformat() if when.date else None,
                "date_precision": when.precision if when.precision in ("day", "month", "year") else
                ("day" if when.precision == "week" else when.precision),
                "date_source": when.source,
                "location_name": place.name if place else None,
                "location_country": place.country if place else None,
                "location_admin1": place.admin1 if place else None,
                "latitude": place.latitude if place else None,
                "longitude": place.longitude if place else None,
                "geo_precision": place.precision if place else None,
                "location_source": where.source if place else None,
                "evidence": _evidence(ev),
                "rule_id": ev.rule_id,
                "news_source": article.source,
                "url": article.url,
                "published": article.published.isoformat() if article.published else None,
                "codebook_version": cb.label,
                "coder_version": __version__,
                "location_admin2": place.admin2 if place else None,
                "time_precision": TIME_PRECISION.get(when.precision or "") if when.date else None,
            }
            rows.append(row)
        times.add("resolve", t)
    t = time.perf_counter()
    annotate_acled(rows, [(s.index, s.text) for s in sentences], cb)
    rows = [{c: row.get(c) for c in columns()} for row in rows]
    t = times.add("acled", t)
    valid = []
    for row in rows:
        errors = event_errors(row)
        if errors:
            rejects.append(Reject(article.origin, article.id, f"invalid event {row['event_id']} (sentence "
                                  f"{row['sentence_index']}): {'; '.join(errors)}", stage="validate", record=row))
        else:
            valid.append(row)
    times.add("validate", t)
    res = ArticleResult(article, valid, rejects, [(s.index, s.text) for s in sentences])
    if keep_analysis:
        res.analyses = analyses  # type: ignore[attr-defined]
    return res


def _evidence(ev) -> str:
    parts = [ev.evidence, f"source: {ev.source_text or ev.source.name}"]
    if ev.target is not None:
        parts.append(f"target: {ev.target_text or ev.target.name}")
    return "; ".join(parts)
