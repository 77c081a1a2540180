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
from dataclasses import dataclass

from .resolve.places import fold
from .text import tokenize

ACLED_COLUMNS = ["fatalities", "fatalities_text", "acled_disorder_type", "acled_event_type", "acled_sub_event_type",
                 "inter1", "inter2", "interaction", "civilian_targeting", "location_admin2", "time_precision"]
MONTHS = {"january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
          "november", "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec"}
VIOLENT_EVENT_TYPES = {"Battles", "Explosions/Remote violence", "Violence against civilians", "Riots"}
TIME_PRECISION = {"day": 1, "week": 2, "month": 3, "year": 3}


_WORDS: dict[str, tuple[str, ...]] = {}


def _words(text: str) -> tuple[str, ...]:
    """Token norms of a text; cached (bounded), as an article's rows read the same sentences and names
    again, and the pipeline hands over the sentences it has tokenised already (`remember_words`)."""
    words = _WORDS.get(text)
    if words is None:
        if len(_WORDS) > 8192:
            _WORDS.clear()
        words = _WORDS[text] = tuple(t.norm for t in tokenize(text))
    return words


def remember_words(text: str, tokens: list, words: tuple[str, ...] | None = None) -> None:
    """The tokens the coder made of a sentence (`words`: their norms, if the caller has them), so the
    ACLED pass does not tokenise it again."""
    if len(_WORDS) > 8192:
        _WORDS.clear()
    _WORDS[text] = words if words is not None else tuple(t.norm for t in tokens)


_FOLDED: dict[str, str] = {}


def _fold_word(word: str) -> str:
    """fold() of one word, memoised (bounded): the context of every event folds its sentence's words."""
    f = _FOLDED.get(word)
    if f is None:
        if len(_FOLDED) > 50000:
            _FOLDED.clear()
        f = _FOLDED[word] = fold(word)
    return f


PLACE = "@place"   # what a place name in the sentence reads as to cues written with PLACE ("captured PLACE")


def _cue(text: str) -> tuple[str, ...]:
    """A cue phrase as words; the word PLACE stands for a place named in the sentence."""
    return tuple(w for part in text.split(" ") for w in ((PLACE,) if part == "PLACE" else _words(part)))


def _contains(seq: tuple[str, ...], phrases: list[tuple[str, ...]], present: set[str] | frozenset[str] | None = None) -> bool:
    """Whether any phrase occurs in seq (`present`: the set of seq's words, if the caller has it)."""
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


def _mark_places(words: tuple[str, ...], spans: list[tuple[int, int]]) -> tuple[str, ...]:
    """The words with each place span replaced by the single word PLACE."""
    return tuple(words[i] for i in _marked_index(words, spans)) if not spans else \
        tuple(PLACE if i < 0 else words[i] for i in _marked_index(words, spans))


def _marked_index(words: tuple[str, ...], spans: list[tuple[int, int]]) -> list[int]:
    """For each word of the place-marked sentence, its index in words (-1-index for a PLACE)."""
    out, i = [], 0
    ends = {s: e for s, e in spans if e > s}
    while i < len(words):
        if i in ends:
            out.append(-1 - i)
            i = ends[i]
        else:
            out.append(i)
            i += 1
    return out


# once a count has been read, these words end the list of victims


def _find(seq: tuple[str, ...], phrases: list[tuple[str, ...]], start: int = 0) -> int:
    """Index of the first occurrence of any phrase at or after start; -1 if none."""
    for i in range(start, len(seq)):
        for p in phrases:
            if seq[i] == p[0] and seq[i:i + len(p)] == p:
                return i
    return -1


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
    uncoded: dict | None = None
    compounds: dict[tuple[str, ...], str] | None = None
    earlier_event_words: frozenset[str] = frozenset()
    new_event_openers: tuple[tuple[str, ...], ...] = ()
    count_enders: frozenset[str] = frozenset()
    victim_subject_words: frozenset[str] = frozenset()
    modifiers: tuple[tuple[str, ...], ...] = ()
    single_victim_words: frozenset[str] = frozenset({"a", "an"})
    self_words: frozenset[str] = frozenset()
    possessive_words: frozenset[str] = frozenset()
    aside_openers: tuple[tuple[str, ...], ...] = ()

    def __post_init__(self) -> None:
        self._compound_first = {c[0] for c in self.compounds or ()}
        self._inter_memo: dict = {}
        self._context_memo: dict = {}
        self._rules_by_code: dict[str, list[dict]] = {}
        for a in self.actor_types:
            # phrases by their last word: "a phrase ending the words around a name" is looked up, not scanned
            by_last: dict[str, list[tuple[str, ...]]] = {}
            for p in a.get("_words") or ():
                if p:
                    by_last.setdefault(p[-1], []).append(p)
            a["_by_last"] = by_last

    @classmethod
    def from_codebook(cls, cb) -> "AcledBook | None":
        types, rules, fat = (cb.extra.get(k) for k in ("acled_types", "acled_rules", "acled_fatalities"))
        if not (types and rules and fat):
            return None
        actor_types = []
        for a in rules.get("actor_types") or []:
            actor_types.append({**a, "_words": [_words(w) for w in a.get("words") or []],
                                "_after": [_words(w) for w in a.get("words_after") or []]})
        compiled = []
        for r in rules.get("rules") or []:
            compiled.append({**r, "_cameo": tuple(r.get("cameo") or ()), "_cues": [_cue(c) for c in r.get("cues") or []],
                             "_not": [_cue(c) for c in r.get("not_cues") or []]})
        unc = rules.get("uncoded_events")
        if unc:
            unc = {"skip_roots": tuple(unc.get("skip_roots") or ()),
                   "acts": [_words(w) for w in unc["acts"]],
                   "not": [_words(w) for w in unc.get("not_cues") or []],
                   "agent_after": {w.lower() for w in unc.get("agent_after") or []},
                   "source_roles": set(unc.get("source_roles") or ()),
                   "entries": [{**e, "_cues": [_cue(c) for c in e["cues"]],
                                "_acts": [_words(c) for c in e.get("acts") or []],
                                "_agent_after": {w.lower() for w in e.get("agent_after") or []},
                                "_not": [_words(c) for c in e.get("not_cues") or []],
                                "_with": [_words(c) for c in e.get("with_cues") or []],
                                "_roles": set(e.get("source_roles") or ())}
                               for e in unc["entries"]]}
            # the cheap test's keys: the longest word of each cue (a cue is there only if all its words are,
            # and "was shot dead" is rarer as "dead" than as "was")
            unc["first"] = {max((w for w in c if w != PLACE), key=len, default=c[0])
                            for e in unc["entries"] for c in e["_cues"]}
        return cls(
            uncoded=unc,
            compounds={_words(c): c.replace(" ", "_") for c in rules.get("context_compounds") or []},
            earlier_event_words=frozenset(w.lower() for w in fat.get("earlier_event_words") or []),
            count_enders=frozenset(w.lower() for w in fat.get("count_enders") or []),
            victim_subject_words=frozenset(w.lower() for w in fat.get("victim_subject_words") or []),
            new_event_openers=tuple(_words(w) for w in fat.get("new_event_openers") or []),
            modifiers=tuple(_words(w) for w in fat.get("modifiers_min") or []),
            single_victim_words=frozenset(w.lower() for w in fat.get("single_victim_words") or ("a", "an")),
            self_words=frozenset(w.lower() for w in fat.get("self_words") or []),
            possessive_words=frozenset(w.lower() for w in fat.get("possessive_words") or []),
            aside_openers=tuple(_words(w) for w in fat.get("aside_openers") or []),
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
              side: str = "source", before: tuple[str, ...] = (), after: tuple[str, ...] = (),
              date: str | None = None, name_kinds: frozenset[str] | None = None) -> int | None:
        """The ACLED actor type of an event's source or target. `before` and `after` are the words written
        next to the actor's name in the sentence ("Murle armed youth", "women protesting"); `name_kinds`
        the lexicon kinds of the name (a country named alone is its state's forces, a town is no actor)."""
        if not code:
            return None
        # a pure function of its arguments, asked again for every event of the same actor: memoised, bounded
        key = (name, code, role, event_code, side, before, after, date, name_kinds)
        memo = self._inter_memo
        if key in memo:
            return memo[key]
        if len(memo) > 8192:
            memo.clear()
        memo[key] = value = self._inter(name, code, role, event_code, side, before, after, date, name_kinds)
        return value

    def _inter(self, name, code, role, event_code, side, before, after, date, name_kinds) -> int | None:
        words = _words(name or "")
        present = set(words)
        around = before + words
        last = around[-1] if around else None
        for a in self.actor_types:
            if a.get("cameo"):
                if (a.get("side") or side) == side and event_code.startswith(tuple(a["cameo"])) and not \
                        _contains(words, self._rioter_words, present) and (
                            not a["_words"] or _contains(words, a["_words"], present)):
                    return int(a["inter"])   # (with `words`, only actors so named: "killed a councillor")
                continue
            if a.get("codes"):
                # date-bounded: "Taliban" forces are the state's from the day they took power
                if code in a["codes"] and (not date or date >= str(a.get("from") or "")):
                    return int(a["inter"])
                continue
            if a["_words"] and (_contains(words, a["_words"], present) or
                                any(around[-len(p):] == p for p in a["_by_last"].get(last, ()))):
                return int(a["inter"])   # the name, or a phrase ending in it: "Murle armed youth"
            if a["_after"] and any(after[:len(p)] == p for p in a["_after"]):
                return int(a["inter"])   # right after the name: "people protesting", not "troops shot people protesting"
            if role and role in (a.get("roles") or []):
                return int(a["inter"])
            if a.get("bare_country") and not role and len(code) == 3:
                if name_kinds is None or "country" in name_kinds or "demonym" in name_kinds or \
                        (side == "source" and name_kinds & {"capital", "adjective"}):
                    return int(a["inter"])   # "Israel struck", "Russian drones hit": the state's forces
                return None   # "attacked Bor", "a Sri Lankan manager": a place or an adjective, not an actor
        return None

    # ------------------------------------------------------------ events the CAMEO coder leaves out
    def uncoded_event(self, analysis, coder, skip_chars: int = 0):
        """One event for a sentence that tells of a weapon used but has no violent CAMEO event: the
        weapon is the subject ("a roadside bomb targeted a patrol"), its user is only an agent ("a rocket
        fired by Hamas hit a house"), or the verb has no pattern. None when nothing fits."""
        from .code import Actor, Event

        unc = self.uncoded
        if not unc or any(e.code[:2] in unc["skip_roots"] for e in analysis.events):
            return None
        tokens = analysis.tokens
        words = analysis.words or tuple(t.norm for t in tokens)
        skip = next((k for k, t in enumerate(tokens) if t.start >= skip_chars), len(tokens)) if skip_chars else 0
        if not unc["first"] & set(words[skip:]):   # the cheap test: most sentences stop here
            return None
        if _contains(words, unc["not"]):
            return None
        if not analysis.places:   # the coder looks for places only where a verb pattern matched
            analysis.places = coder.find_places(tokens, analysis.mentions, skip)
            coder._places = analysis.places
        spans = [(p.start, p.end) for p in analysis.places if p.prep != "mention"]
        marked, index = _mark_places(words, spans), _marked_index(words, spans)
        entry, at = None, -1
        for e in unc["entries"]:
            at = _find(marked, e["_cues"])
            if at >= 0 and _contains(words, e["_acts"] or unc["acts"]) and not _contains(words, e["_not"]) and \
                    (not e["_with"] or _contains(words, e["_with"])):
                entry = e
                break
        if entry is None:
            return None
        at = index[at] if index[at] >= 0 else -1 - index[at]
        if at < skip:
            return None
        if any(e.code[:2] < "14" and e.anchor < at for e in analysis.events):
            return None   # "X demanded that the army stop its air strikes": the weapon is what is talked about
        groups = [g for g in analysis.groups if g.start >= skip]
        object_place = None
        if not any(p.prep != "mention" for p in analysis.places):
            # "a missile hit Safed": the place is the object of the act, with no preposition before it
            acts = {a[0] for a in (entry["_acts"] or unc["acts"]) if len(a) == 1}
            k = next((k for k in range(at, len(tokens) - 1) if words[k] in acts and tokens[k + 1].cap and
                      tokens[k + 1].is_word), None)
            object_place = coder._place_actor(tokens, k + 1) if k is not None else None

        def resolved(g) -> list:
            out = []
            for a in coder._resolve_group(g):
                if a.kind == "adjective" and entry.get("adjective_role"):
                    # "Russian missiles": the state's forces fired them
                    a = Actor(a.code + entry["adjective_role"], a.name, a.country, entry["adjective_role"], "agent")
                out.append(a)
            return out

        source, src_group = None, None
        agent_after = entry["_agent_after"] or unc["agent_after"]   # "came under fire from X", "fell to X"
        by = [g for g in groups if g.start > 0 and (words[g.start - 1] in agent_after or g.start > 1 and
              words[g.start - 2] in agent_after and tokens[g.start - 1].is_word)]
        subject = [g for g in groups if g.start <= at and g.prep is None and not g.possessive and not g.pronoun]
        victims = subject if entry.get("victim_subject") else []
        if victims:
            subject = []   # "a journalist was shot dead": the subject is who was acted on, not the user
        for g in by + subject:
            actors = [a for a in resolved(g) if not a.role or a.role in (entry["_roles"] or unc["source_roles"])]
            if actors:   # "Authorities arrested 12 people after a bomb exploded": officials did not set it
                source, src_group = actors[0], g
                break
        if source is None and entry.get("require_agent"):
            return None   # "prices fell to $3": no armed actor, no event
        if source is None:
            # nobody named: an unidentified armed group of the country where it happened (or, for acts only
            # a state does, such as arrests, that state's agents: default_role)
            country = next((p.place.country for p in analysis.places if p.place.country and p.prep != "mention"),
                           None) or coder.ctx.main_country()
            if not country:
                return None
            role = entry.get("default_role") or "UAF"
            source = Actor(country + role, "unidentified armed group" if role == "UAF" else role.lower(), country,
                           role, "agent", inferred=True)
        target = object_place if object_place is not None and object_place.kind == "place" else None
        if entry.get("pair") and src_group is not None:
            # "fighting between the army and RSF fighters": the two sides are the group after the agent word
            target = next((a for a in resolved(src_group) if a.code != source.code), None)
            if target is None:
                return None
        for g in reversed(victims) if target is None else ():
            actors = [a for a in resolved(g) if a.code != source.code]
            if actors:
                target = actors[0]
                break
        for g in groups if target is None else ():
            if g is src_group or g in by or g.start < at:
                continue
            actors = [a for a in resolved(g) if a.code != source.code]
            if actors:
                target = actors[0]
                break
        cue_len = next((len(c) for c in entry["_cues"] if words[at:at + len(c)] == c), 1)
        return Event(entry["code"], source, target, f"acled/rules.yaml:uncoded:{entry['id']}",
                     " ".join(tokens[k].text for k in range(at, at + cue_len)), at, (skip, len(tokens)),
                     source.name, target.name if target else "")

    # ------------------------------------------------------------ types
    def context(self, text: str, place: str | None = None, follow: str = "") -> tuple[str, ...]:
        """The words rules read: the event's place as PLACE, and compounds such as "riot police" joined
        into one word, so that the cue "riot" does not fire on the police that answer a protest.
        `follow`: a sentence read after `text` (the words of text + " " + follow)."""
        # the rows of one sentence ask for the same context: memoised, bounded
        memo = self._context_memo
        key = (text, follow, place)
        if key not in memo:
            if len(memo) > 2048:
                memo.clear()
            memo[key] = self._context(text, place, follow)
        return memo[key]

    def _context(self, text: str, place: str | None, follow: str = "") -> tuple[str, ...]:
        # tokens never run across a space: the words of "a b" are the words of a and then those of b
        words = _words(text) + _words(follow) if follow else _words(text)
        if place:
            key = tuple(_fold_word(w) for w in _words(place))
            n = len(key)
            folded = [_fold_word(w) for w in words]
            first = key[0] if n else None
            spans = [(i, i + n) for i in range(len(words) - n + 1) if folded[i] == first and tuple(folded[i:i + n]) == key] \
                if n and first in folded else []
            words = _mark_places(words, spans)
        if not self.compounds or not self._compound_first & set(words):
            return words
        out: list[str] = []
        i = 0
        while i < len(words):
            for c, joined in self.compounds.items():
                if words[i:i + len(c)] == c:
                    out.append(joined)
                    i += len(c)
                    break
            else:
                out.append(words[i])
                i += 1
        return tuple(out)

    def classify(self, code: str, context: tuple[str, ...], inter1: int | None, inter2: int | None) -> dict | None:
        present = set(context)
        rules = self._rules_by_code.get(code)
        if rules is None:   # the rules whose CAMEO codes admit this code, in file order
            rules = self._rules_by_code[code] = [r for r in self.rules
                                                 if not r.get("_cameo") or code.startswith(r["_cameo"])]
        for r in rules:
            if r["_cues"] and not _contains(context, r["_cues"], present):
                continue
            if r["_not"] and _contains(context, r["_not"], present):
                continue
            if r.get("source_inter") and inter1 not in r["source_inter"]:
                continue
            if r.get("target_inter") and inter2 not in r["target_inter"]:
                continue
            return r
        return None

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

    def fatalities(self, sentence: str) -> tuple[int | None, str | None]:
        """People reported killed in one sentence, and the words it came from; None when no death is told."""
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
            if words[i + 1:i + 2] == ("of",) and any(x in self.earlier_event_words for x in words[max(0, i - 3):i]) \
                    and "," not in words[max(0, i - 3):i]:
                continue   # "rioted after the police killing of a teenager": an earlier event, not this one's toll
            found = True
            # forward: "killing 4 soldiers and 2 civilians", "killed at least 30 people"
            j, got = i + 1, False
            while j < n and j - i <= 12 and (words[j] not in stop or words[j:j + 3] == ("as", "well", "as")):
                if any(words[j:j + len(p)] == p for p in self.not_kill_words):
                    break
                num = None if j in used else self._number_at(words, j)
                if num is None and j not in used and j == i + 1 and \
                        (words[j] in ("a", "an") or words[j] in self.single_victim_words and
                         words[j] not in self.possessive_words):
                    num = (1, 1)   # "killed a teacher", "shot dead a journalist", "killed him and two others"
                if num is None and j not in used and words[j] in self.self_words and got:
                    num = (1, 1)   # "killed three soldiers as well as himself"
                if num is None and j not in used and words[j] == "the" and j + 1 < n and \
                        words[j + 1] in self.attacker_words and got:
                    num = (1, 2)   # "killing 3 soldiers and 2 civilians as well as the bomber"
                if num and self._wounded_count(words, j + num[1]):
                    break   # "left 5 dead and 12 wounded": the next figure is of the wounded
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
                if got and words[j] not in ("and", ",", "including", "people", "persons") and \
                        not words[j].replace("-", "").isalpha():
                    break
                if got and (words[j] in self.kill_words or words[j] in self.count_enders):
                    break   # "killing 5 people in 3 villages": the count ends where the place or time begins
                if words[j:j + 3] == ("as", "well", "as"):
                    j += 3   # "killing 3 soldiers and 2 civilians as well as the bomber"
                    continue
                j += 1
            if got:
                if words[i - 1:i] and words[i - 1] in self.single_victim_words and words[i - 1] not in ("a", "an") \
                        and words[i - 1] not in self.possessive_words and w == "dead" and i - 1 not in used:
                    total += 1   # "shot him dead along with eight other people": him, and the eight
                    used.add(i - 1)
                continue
            # backward: "4 soldiers were killed", "at least 15 people died"
            j = i - 1
            while j >= 0 and i - j <= 14:
                if words[j] == "including" and j > 0 and "," in words[max(0, j - 8):j]:
                    # "Four people, including a child, were killed": the count is before the aside
                    j = max(k for k in range(max(0, j - 8), j) if words[k] == ",") - 1
                    continue
                if words[j] in stop or i - j > 8 and not any(words[x:x + len(p)] == p for x in range(j, i)
                                                             for p in self.aside_openers):
                    break
                if j not in used:
                    num = self._number_at(words, j)
                    if num is None and j > 0:
                        num2 = self._number_at(words, j - 1)
                        if num2 and num2[1] == 2:
                            j -= 1
                            num = num2
                    if num is None and j > 1 and words[j - 1] in ("and", ",") and \
                            (words[j] in ("a", "an") or words[j] in self.possessive_words) and \
                            self._coordinated_before(words, j, set(used)):
                        # "Seven insurgents and a soldier were killed", "a woman and her son were killed":
                        # one listed after a count
                        num = (1, 1)
                    of = j - 1 if words[j - 1] == "of" else j - 2 if words[j - 2:j] == ("of", "the") else -1
                    if num and of > 0 and any(self._number_at(words, k) for k in range(max(0, of - 3), of)):
                        j -= 1   # "Five members of one family": "one" tells whose members, the count is before
                        continue
                    if num and j > 1 and any(words[max(0, j - len(p)):j] == p for p in self.aside_openers) and \
                            "," in words[max(0, j - 8):j]:
                        # "Five members of one family, among them three children, died": the count is before
                        # the aside
                        j = max(k for k in range(max(0, j - 8), j) if words[k] == ",") - 1
                        continue
                    if num and not self._cumulative_before(words, j):
                        total += num[0]
                        used.update(range(j, j + num[1]))
                        # "7 soldiers and 15 insurgents were killed": the victims listed before add up
                        first = self._coordinated_before(words, j, used)
                        total += sum(v for v, _ in first)
                        spans.append(" ".join(words[(first[-1][1] if first else j):i + 1]))
                        got = True
                        # "Two soldiers were killed along with the attacker", "... and himself"
                        after = words[i + 1:i + 7]
                        for k in range(len(after)):
                            if after[k] in self.self_words or after[k] in self.attacker_words and \
                                    k > 0 and after[k - 1] == "the":
                                if any(x in after[:k] for x in ("with", "and", "as")):
                                    total += 1
                                break
                            if after[k] in (".", ";") or self._number_at(after, k):
                                break
                        break
                if any(words[j:j + len(p)] == p for p in self.not_kill_words):
                    break
                j -= 1
            if not got and (words[i - 1:i] == ("was",) or words[i - 2:i - 1] == ("was",) and words[i - 1].isalpha()
                            or words[i - 1:i] == ("to",) and any(x in self.single_victim_words
                                                                 for x in words[max(0, i - 5):i - 1])
                            or words[i - 1:i] == ("to",) and "was" in words[max(0, i - 4):i - 1]
                            or w in self.victim_subject_words and any(
                                words[k] in ("a", "an") and all(x.isalpha() or "-" in x for x in words[k + 1:i])
                                for k in range(max(0, i - 4), i - 1))):
                # "a tractor driver was killed", "a mob beat a man to death", "a soldier died": one person
                total += 1
                spans.append(" ".join(words[max(0, i - 4):i + 1]))
        if not found:
            return None, None
        if not spans:
            return self.unspecified, "deaths reported without a figure"
        return total, "; ".join(spans)

    def _wounded_count(self, words: tuple[str, ...], k: int) -> bool:
        """Whether the figure ending before k counts the wounded or the arrested ("12 wounded",
        "three were injured", "15 others hurt")."""
        for x in range(k, min(k + 3, len(words))):
            if words[x] in ("and", ",", "as", "including", "while", "but"):
                return False
            if any(words[x:x + len(p)] == p for p in self.not_kill_words):
                return True
        return False

    def _coordinated_before(self, words: tuple[str, ...], j: int, used: set[int]) -> list[tuple[int, int]]:
        """Numbers of the victims listed before the one at j ("7 soldiers and 15 insurgents"), with
        their positions, nearest first; their words are marked used."""
        out: list[tuple[int, int]] = []
        k = j - 1
        if k > 0 and words[k] in self.possessive_words:
            k -= 1   # "a man and his two daughters"
        for p in self.modifiers:   # "Seven soldiers and some 40 assailants": the modifier belongs to the count
            if k - len(p) + 1 >= 0 and words[k - len(p) + 1:k + 1] == p:
                k -= len(p)
                break
        while k > 0 and words[k] in ("and", ","):
            for m in range(k - 1, max(-1, k - 5), -1):
                if m in used or not (words[m].isalpha() or self._number_at(words, m)):
                    break
                num = self._number_at(words, m) or ((1, 1) if words[m] in ("a", "an") else None)
                if num and all(words[x].isalpha() for x in range(m + num[1], k)):
                    out.append((num[0], m))
                    used.update(range(m, m + num[1]))
                    k = m - 1
                    break
            else:
                break
            if not out or out[-1][1] != k + 1:
                break
        return out

    def opens_new_event(self, sentence: str) -> bool:
        """A sentence that starts another event ("In a separate attack, ...", "Elsewhere, ...")."""
        words = _words(sentence)
        return any(words[:len(p)] == p for p in self.new_event_openers)

    def is_running_total(self, sentence: str) -> bool:
        """A sentence that gives a running toll ("60 civilians have been killed in the city since the start
        of the year"): its deaths are not the event's."""
        return _contains(_words(sentence), self.cumulative)

    def _cumulative_before(self, words: tuple[str, ...], j: int) -> bool:
        window = words[max(0, j - 8):j]
        return _contains(window, self.cumulative)


def _around(words: tuple[str, ...], name: str | None) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The three words before an actor's name in its sentence and the five after it."""
    key = _words(name or "")
    if not key:
        return (), ()
    first, n = key[0], len(key)
    for i in range(len(words) - n + 1):
        if words[i] == first and words[i:i + n] == key:
            return words[max(0, i - 3):i], words[i + n:i + n + 5]
    return (), ()


def _kinds(cb, name: str | None) -> frozenset[str]:
    """Lexicon kinds of an actor's written name ("Israel": country; "Kyiv": capital; "Bor": none)."""
    if not name:
        return frozenset()
    return frozenset(lx.kind for lx in cb.lookup(_words(name)))


def book(cb) -> AcledBook | None:
    """The compiled acled/ codebook of a codebook set (compiled once, kept with it)."""
    if "_acled" not in cb.extra:
        cb.extra["_acled"] = AcledBook.from_codebook(cb)
    return cb.extra["_acled"]


def annotate(rows: list[dict], sentences: list[tuple[int, str]], cb) -> None:
    """Fill the ACLED columns of an article's event rows in place."""
    ab = book(cb)
    for r in rows:
        for c in ACLED_COLUMNS:
            r.setdefault(c, None)
    if ab is None or not rows:
        return
    text_of = dict(sentences)
    typed_sentences = set()
    follow: dict[int, str] = {}
    for r in rows:
        idx = r["sentence_index"]
        nxt = text_of.get(idx + 1)
        if nxt and not re.match(r"\s*(On|Between|In early|In late|Last week|Overnight)\b", nxt):
            follow[idx] = nxt
    for r in rows:
        sent_words = _words(r["sentence_text"])
        inter1 = ab.inter(r["source_name"], r["source_code"], r["source_role"], r["event_code"], "source",
                          *_around(sent_words, r["source_name"]), date=r.get("event_date"),
                          name_kinds=_kinds(cb, r["source_name"]))
        inter2 = ab.inter(r["target_name"], r["target_code"], r["target_role"], r["event_code"], "target",
                          *_around(sent_words, r["target_name"]), date=r.get("event_date"),
                          name_kinds=_kinds(cb, r["target_name"]))
        context = ab.context(r["sentence_text"], r.get("location_name"), follow.get(r["sentence_index"], ""))
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
        n, text = ab.fatalities(r["sentence_text"])
        total, parts = (n or 0), ([text] if text else [])
        k = idx + 1
        while k in text_of and k - idx <= 2 and not re.match(r"\s*On \d", text_of[k]):
            if ab.is_running_total(text_of[k]) or ab.opens_new_event(text_of[k]):
                break
            if k in typed_sentences:
                # "The army said it repelled the assault, killing dozens of attackers": a sentence of the
                # same violence with no date or other place of its own tells more of this event
                own = [x for x in rows if x["sentence_index"] == k and x["acled_sub_event_type"]]
                if any(x["acled_event_type"] not in VIOLENT_EVENT_TYPES or x["date_source"] == "sentence" or
                       (x["location_name"] and r["location_name"] and x["location_name"] != r["location_name"])
                       for x in own):
                    break
                seen.add(k)   # its own rows count no deaths of their own: they are this event's
            m, t = ab.fatalities(text_of[k])
            if m:
                total += m
                parts.append(t)
            k += 1
        r["fatalities"] = total
        r["fatalities_text"] = "; ".join(p for p in parts if p) or None
