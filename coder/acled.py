"""ACLED-style coding: sub-event types, actor types (inter codes), fatalities and precision.

Rules, actor types, number words and toll phrases are data (codebooks/acled/);
this module only applies them to the CAMEO events of an article:

- each event's sentence (plus a follow-up sentence that adds no event of its
  own, as in "... protested in Kisumu. Police dispersed them with tear gas.")
  is the context its rules and cues are read in;
- the first rule in file order whose conditions all hold gives the
  sub-event type; its event and disorder types come from types.yaml; no
  rule, no type (never a guess);
- fatalities: people reported killed in this event, every side counted, not
  the wounded or the arrested; cumulative tolls are not this event's count;
  follow-up sentences with no event of their own ("The army said 9
  assailants were also killed.") add to it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from .text import Token, tokenize

ACLED_COLUMNS = ["fatalities", "fatalities_text", "acled_disorder_type", "acled_event_type", "acled_sub_event_type",
                 "inter1", "inter2", "interaction", "civilian_targeting", "location_admin2", "time_precision"]
MONTHS = {"january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
          "november", "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec"}
VIOLENT_EVENT_TYPES = {"Battles", "Explosions/Remote violence", "Violence against civilians", "Riots"}
TIME_PRECISION = {"day": 1, "week": 2, "month": 3, "year": 3}


def _words(text: str) -> tuple[str, ...]:
    return tuple(t.norm for t in tokenize(text))


@lru_cache(maxsize=8192)   # actor names recur run-long; bounded, so memory stays flat
def _name_words(name: str) -> tuple[str, ...]:
    return _words(name)


def _contains(seq: tuple[str, ...], phrases: list[tuple[str, ...]], present: set[str] | None = None) -> bool:
    if not phrases:
        return False
    if present is None:
        present = set(seq)
    n = len(seq)
    for p in phrases:
        if p[0] not in present:
            continue
        if len(p) == 1:
            return True
        L = len(p)
        for i in range(n - L + 1):
            if seq[i] == p[0] and seq[i:i + L] == p:
                return True
    return False


@dataclass
class AcledBook:
    """The compiled acled/ codebook."""

    actor_types: list[dict]
    rules: list[dict]
    sub_types: dict[str, dict]
    event_types: dict[str, dict]
    numbers: dict[tuple[str, ...], int]
    vague: dict[tuple[str, ...], int]
    unspecified: int
    kill_words: set[str]
    not_kill_words: list[tuple[str, ...]]
    zero_phrases: list[tuple[str, ...]]
    cumulative: list[tuple[str, ...]]
    attacker_words: set[str]
    _rioter_words: list[tuple[str, ...]]
    _inter_memo: dict = field(default_factory=dict, repr=False, compare=False)
    _rules_by_code: dict = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_codebook(cls, cb) -> "AcledBook | None":
        types, rules, fat = (cb.extra.get(k) for k in ("acled_types", "acled_rules", "acled_fatalities"))
        if not (types and rules and fat):
            return None
        actor_types = []
        for a in rules.get("actor_types") or []:
            actor_types.append({**a, "_words": [_words(w) for w in a.get("words") or []],
                                "_cameo": tuple(a.get("cameo") or ())})
        compiled = []
        for r in rules.get("rules") or []:
            compiled.append({**r, "_cues": [_words(c) for c in r.get("cues") or []],
                             "_not": [_words(c) for c in r.get("not_cues") or []],
                             "_cameo": tuple(r.get("cameo") or ()),
                             # the cues' first words: a context with none of them cannot hold a cue
                             "_cue_firsts": frozenset(p[0] for p in (_words(c) for c in r.get("cues") or []) if p)})
        return cls(
            actor_types=actor_types, rules=compiled,
            sub_types={s["name"]: s for s in types["sub_event_types"]},
            event_types={e["name"]: e for e in types["event_types"]},
            numbers={_words(k): int(v) for k, v in (fat.get("numbers") or {}).items()},
            vague={_words(k): int(v) for k, v in (fat.get("vague") or {}).items()},
            unspecified=int((fat.get("unspecified") or {}).get("default", 0)),
            kill_words={w.lower() for w in fat.get("kill_words") or []},
            not_kill_words=[_words(w) for w in fat.get("not_kill_words") or []],
            zero_phrases=[_words(w) for w in fat.get("zero_phrases") or []],
            cumulative=[_words(w) for w in fat.get("cumulative_phrases") or []],
            attacker_words={w.lower() for w in fat.get("attacker_words") or [] if " " not in w},
            _rioter_words=[w for a in actor_types if a["inter"] == 5 for w in a["_words"]],
        )

    # ------------------------------------------------------------ actors
    def inter(self, name: str | None, code: str | None, role: str | None, event_code: str = "",
              side: str = "source") -> int | None:
        if not code:
            return None
        # a pure function of its arguments, asked again for every event of the same actor: memoised
        key = (name, code, role, event_code, side)
        memo = self._inter_memo
        if key in memo:
            return memo[key]
        if len(memo) > 8192:
            memo.clear()   # bounded: memory stays flat on long runs
        memo[key] = value = self._inter(name, code, role, event_code, side)
        return value

    def _inter(self, name: str | None, code: str, role: str | None, event_code: str, side: str) -> int | None:
        words = _name_words(name or "")
        present = set(words)
        for a in self.actor_types:
            if a.get("cameo"):
                if (a.get("side") or side) == side and event_code.startswith(a["_cameo"]) and not \
                        _contains(words, self._rioter_words, present):
                    return int(a["inter"])
                continue
            if a["_words"] and _contains(words, a["_words"], present):
                return int(a["inter"])
            if role and role in (a.get("roles") or []):
                return int(a["inter"])
            if a.get("bare_country") and not role and len(code) == 3:
                return int(a["inter"])
        return None

    # ------------------------------------------------------------ types
    def classify(self, code: str, context: tuple[str, ...], inter1: int | None, inter2: int | None) -> dict | None:
        present = set(context)
        for r in self._rules_for(code):
            if r["_cues"] and (r["_cue_firsts"].isdisjoint(present) or not _contains(context, r["_cues"], present)):
                continue
            if r["_not"] and _contains(context, r["_not"], present):
                continue
            if r.get("source_inter") and inter1 not in r["source_inter"]:
                continue
            if r.get("target_inter") and inter2 not in r["target_inter"]:
                continue
            return r
        return None

    def _rules_for(self, code: str) -> list[dict]:
        """The rules whose CAMEO condition `code` meets, in file order (a few hundred codes: memoised)."""
        rules = self._rules_by_code.get(code)
        if rules is None:
            rules = self._rules_by_code[code] = [r for r in self.rules
                                                 if not (r.get("cameo") and not code.startswith(r["_cameo"]))]
        return rules

    def types_of(self, sub_type: str) -> tuple[str, str]:
        sub = self.sub_types[sub_type]
        event = self.event_types[sub["event_type"]]
        return sub["event_type"], sub.get("disorder_type") or event["disorder_type"]

    # ------------------------------------------------------------ fatalities
    def _number_at(self, words: tuple[str, ...], i: int) -> tuple[int, int] | None:
        """(value, length) of a number written at position i: digits, words or a vague count."""
        w = words[i]
        if re.fullmatch(r"\d{1,3}(,\d{3})+|\d+", w):
            value = int(w.replace(",", ""))
            if 1900 <= value <= 2100 and "," not in w:
                return None   # a year, not a toll
            if i > 0 and words[i - 1] in MONTHS or i + 1 < len(words) and words[i + 1] in MONTHS:
                return None   # "On 14 March": a day of the month
            return value, 1
        for table in (self.numbers, self.vague):
            for L in (4, 3, 2, 1):
                key = words[i:i + L]
                if len(key) == L and key in table:
                    value = table[key]
                    # "twenty-five", "two hundred"
                    if i + L < len(words) and words[i + L] in ("hundred", "thousand") and table is self.numbers:
                        value *= 100 if words[i + L] == "hundred" else 1000
                        L += 1
                    return value, L
        if "-" in w:
            parts = w.split("-")
            if all((p,) in self.numbers for p in parts):
                return sum(self.numbers[(p,)] for p in parts), 1
        return None

    def fatalities(self, sentence: str, words: tuple[str, ...] | None = None) -> tuple[int | None, str | None]:
        """People reported killed in one sentence, and the words it came from; None when no death is told.
        `words`: the sentence's token norms, if the caller has them."""
        if words is None:
            words = _words(sentence)
        if _contains(words, self.zero_phrases):
            return 0, next(" ".join(p) for p in self.zero_phrases if _contains(words, [p]))
        n = len(words)
        used: set[int] = set()
        total, found, spans = 0, False, []
        stop = {".", ";", ":", "but", "while", "as", "after", "when", "including", "among"}
        for i, w in enumerate(words):
            if w not in self.kill_words:
                continue
            found = True
            # forward: "killing 4 soldiers and 2 civilians", "killed at least 30 people"
            j, got = i + 1, False
            while j < n and j - i <= 10 and words[j] not in stop:
                if any(words[j:j + len(p)] == p for p in self.not_kill_words):
                    break
                num = None if j in used else self._number_at(words, j)
                if num is None and j not in used and words[j] in ("a", "an") and j == i + 1:
                    num = (1, 1)   # "killed a teacher", "shot dead a journalist"
                if num is None and j not in used and words[j] == "the" and j + 1 < n and \
                        words[j + 1] in self.attacker_words and got:
                    num = (1, 2)   # "killing 3 soldiers and 2 civilians as well as the bomber"
                if num:
                    if self._cumulative_before(words, j):
                        j += num[1]
                        continue
                    total += num[0]
                    used.update(range(j, j + num[1]))
                    spans.append(" ".join(words[max(0, i):j + num[1] + 1]))
                    got = True
                    j += num[1]
                    continue
                if got and words[j] not in ("and", ",", "including", "people", "persons") and not words[j].isalpha():
                    break
                if got and words[j] in self.kill_words:
                    break
                j += 1
            if got:
                continue
            # backward: "4 soldiers were killed", "at least 15 people died"
            j = i - 1
            while j >= 0 and i - j <= 8 and words[j] not in stop:
                if j not in used:
                    num = self._number_at(words, j)
                    if num is None and j > 0:
                        num2 = self._number_at(words, j - 1)
                        if num2 and num2[1] == 2:
                            j -= 1
                            num = num2
                    if num and not self._cumulative_before(words, j):
                        total += num[0]
                        used.update(range(j, j + num[1]))
                        spans.append(" ".join(words[j:i + 1]))
                        got = True
                        break
                if any(words[j:j + len(p)] == p for p in self.not_kill_words):
                    break
                j -= 1
        if not found:
            return None, None
        if not spans:
            return self.unspecified, "deaths reported without a figure"
        return total, "; ".join(spans)

    def _cumulative_before(self, words: tuple[str, ...], j: int) -> bool:
        window = words[max(0, j - 8):j]
        return _contains(window, self.cumulative)


def book(cb) -> AcledBook | None:
    """The compiled acled/ codebook of a codebook set (compiled once, kept with it)."""
    if "_acled" not in cb.extra:
        cb.extra["_acled"] = AcledBook.from_codebook(cb)
    return cb.extra["_acled"]


def annotate(rows: list[dict], sentences: list[tuple[int, str]], cb,
             tokens_of: dict[int, list[Token]] | None = None) -> None:
    """Fill the ACLED columns of an article's event rows in place. `tokens_of`: sentence index -> its
    tokens, where the caller has tokenised the sentences already (the pipeline has)."""
    ab = book(cb)
    for r in rows:
        for c in ACLED_COLUMNS:
            r.setdefault(c, None)
    if ab is None or not rows:
        return
    text_of = dict(sentences)
    tokens_of = tokens_of or {}
    words_of: dict[int, tuple[str, ...]] = {}

    def words(idx: int) -> tuple[str, ...]:
        w = words_of.get(idx)
        if w is None:
            toks = tokens_of.get(idx)
            w = words_of[idx] = tuple(t.norm for t in toks) if toks is not None else _words(text_of[idx])
        return w

    def row_words(r: dict) -> tuple[str, ...]:
        idx = r["sentence_index"]
        return words(idx) if text_of.get(idx) == r["sentence_text"] else _words(r["sentence_text"])

    typed_sentences = set()
    follow: dict[int, str] = {}
    for r in rows:
        idx = r["sentence_index"]
        nxt = text_of.get(idx + 1)
        if nxt and not re.match(r"\s*(On|Between|In early|In late|Last week|Overnight)\b", nxt):
            follow[idx] = nxt
    for r in rows:
        inter1 = ab.inter(r["source_name"], r["source_code"], r["source_role"], r["event_code"], "source")
        inter2 = ab.inter(r["target_name"], r["target_code"], r["target_role"], r["event_code"], "target")
        # the tokens of "sentence + ' ' + follow-up" are those of the one and then the other (no token
        # spans a space), so each sentence is tokenised once
        idx = r["sentence_index"]
        context = row_words(r) + words(idx + 1) if idx in follow else row_words(r)
        rule = ab.classify(r["event_code"], context, inter1, inter2)
        if rule is None:
            continue
        sub = rule["sub_event_type"]
        event_type, disorder = ab.types_of(sub)
        # ACLED: a state's forces acting outside their own country are external forces (8)
        place = r.get("location_country")
        if inter1 == 1 and place and r["source_country"] and r["source_country"] != place:
            inter1 = 8
        if inter2 == 1 and place and r["target_country"] and r["target_country"] != place:
            inter2 = 8
        r["acled_sub_event_type"], r["acled_event_type"], r["acled_disorder_type"] = sub, event_type, disorder
        r["inter1"], r["inter2"] = inter1, inter2
        pair = sorted(x for x in (inter1, inter2) if x)
        r["interaction"] = int("".join(map(str, pair))) if len(pair) == 2 else (pair[0] * 10 if pair else None)
        if inter2 == 7 and rule.get("civilian_targeting") is not False and (
                rule.get("civilian_targeting") or event_type in VIOLENT_EVENT_TYPES):
            r["civilian_targeting"] = "Civilian targeting"   # civilians are the ones acted on
        typed_sentences.add(r["sentence_index"])
    # fatalities: once per sentence (its first violent event), plus follow-up sentences of no event
    seen: set[int] = set()
    for r in rows:
        if r["acled_event_type"] not in VIOLENT_EVENT_TYPES and r["acled_sub_event_type"] != \
                "Excessive force against protesters":
            continue
        idx = r["sentence_index"]
        if idx in seen:
            r["fatalities"] = 0
            continue
        seen.add(idx)
        n, text = ab.fatalities(r["sentence_text"], row_words(r))
        total, parts = (n or 0), ([text] if text else [])
        k = idx + 1
        while k in text_of and k not in typed_sentences and k - idx <= 2 and not re.match(r"\s*On \d", text_of[k]):
            m, t = ab.fatalities(text_of[k], words(k))
            if m:
                total += m
                parts.append(t)
            k += 1
        r["fatalities"] = total
        r["fatalities_text"] = "; ".join(p for p in parts if p) or None
