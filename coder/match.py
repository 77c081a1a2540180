"""Match: find codebook mentions in a tokenised sentence.

Lexicon phrases (actors, agents, places) are found by longest match with one
dict look-up per candidate length at each token; verb patterns are found by
indexing every pattern under the forms of its first word, so only the few
patterns whose first word occurs in the sentence are ever tried.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .codebook import Codebook, Element, Lexeme, VerbRule
from .text import Token

QUOTES = frozenset({'"', "“", "”", "'", "‘", "’"})

# Lexeme kinds that are proper names: they only match text written with a capital.
PROPER_KINDS = {"country", "adjective", "demonym", "capital", "institution", "org", "group", "person", "place"}


@dataclass(slots=True)
class Mention:
    start: int               # token index
    end: int                 # token index, exclusive
    lexemes: list[Lexeme]
    text: str

    def kinds(self) -> set[str]:
        return {lx.kind for lx in self.lexemes}

    def first(self, *kinds: str) -> Lexeme | None:
        for lx in self.lexemes:
            if lx.kind in kinds:
                return lx
        return None


@dataclass(slots=True)
class VerbMatch:
    start: int
    end: int
    rule: VerbRule
    target_at: int | None = None     # token index where a TARGET element matched
    words: list[int] = field(default_factory=list)   # token indexes of the pattern's words

    @property
    def head(self) -> int:
        return self.start


def match_lexicon(tokens: list[Token], cb: Codebook, norms: list[str] | None = None) -> list[Mention]:
    """Longest, leftmost, non-overlapping lexicon mentions (`norms`: the tokens' norms, if the caller has them)."""
    mentions: list[Mention] = []
    i, n = 0, len(tokens)
    if norms is None:
        norms = [t.norm for t in tokens]
    lengths_desc = cb.extra.get("_lexicon_lengths_desc")
    if lengths_desc is None:   # sorted once per codebook, not at every token
        lengths_desc = cb.extra["_lexicon_lengths_desc"] = {k: tuple(sorted(v, reverse=True))
                                                            for k, v in cb.lexicon_lengths.items()}
    lexicon = cb.lexicon
    nxt = 0
    for i in [k for k, w in enumerate(norms) if w in lengths_desc]:   # the tokens some phrase starts with
        if i < nxt:
            continue   # inside the mention found before
        for length in lengths_desc[norms[i]]:
            if i + length > n:
                continue
            lexemes = lexicon.get(tuple(norms[i:i + length]))
            if not lexemes:
                continue
            if not tokens[i].cap:
                lexemes = [lx for lx in lexemes if lx.kind not in PROPER_KINDS]
            if lexemes:
                mentions.append(Mention(i, i + length, lexemes, " ".join(t.text for t in tokens[i:i + length])))
                nxt = i + length
                break
    return mentions


_RULES_MEMO: dict[int, tuple[dict, dict]] = {}


def match_verbs(tokens: list[Token], cb: Codebook, blocked: set[int], actor_starts: dict[int, int],
                norms: list[str] | None = None, present: set[str] | None = None) -> list[VerbMatch]:
    """All verb-pattern matches; `blocked` tokens (inside actor names) cannot start or hold a verb word
    (`norms`, `present`: the tokens' norms and their set, if the caller has them)."""
    found: list[VerbMatch] = []
    if norms is None:
        norms = [t.norm for t in tokens]
    noun_markers = cb.extra.get("_noun_markers")
    if noun_markers is None:
        noun_markers = cb.extra["_noun_markers"] = {k[0] for k in cb.cue_keys.get("noun_markers", set())}
    covered = {k for start, end in actor_starts.items() for k in range(start, end)}
    not_modifiers = cb.extra.get("_not_modifiers")
    if not_modifiers is None:
        not_modifiers = cb.extra["_not_modifiers"] = {k[-1] for name in ("negation", "auxiliaries", "transparent_words",
                                                                        "time_nouns") for k in cb.cue_keys.get(name, set())}
    # "to" before a plain lower-case word ("to hold"), not before an article or a name ("to the president")
    infinitives = {p for p, t in enumerate(norms[:-1]) if t == "to" and tokens[p + 1].is_word and
                   not tokens[p + 1].cap and norms[p + 1] not in noun_markers and norms[p + 1] != "that"
                   and not norms[p + 1][0].isdigit()}
    modifiers = cb.extra.get("_actor_modifiers")
    if modifiers is None:
        modifiers = cb.extra["_actor_modifiers"] = {k[0] for k in cb.cue_keys.get("actor_modifiers", set())}
    index = cb.verb_index
    # the rules to try for a head word and the anchor words present: the same few combinations recur
    # (kept beside the codebook, not in it: a codebook sent to worker processes does not carry it)
    memo_entry = _RULES_MEMO.get(id(index))
    if memo_entry is None or memo_entry[0] is not index:
        memo_entry = _RULES_MEMO[id(index)] = (index, {})
    rules_memo = memo_entry[1]
    for i, norm in enumerate(norms):
        entry = index.get(norm)
        if entry is None or i in blocked:
            continue
        if present is None:
            present = set(norms)
        always, keyed = entry
        # only rules whose anchor word is in the sentence, tried in codebook order
        hits = [w for w in present if w in keyed] if len(present) <= len(keyed) else \
            [w for w in keyed if w in present]
        key = (norm, frozenset(hits))
        rules = rules_memo.get(key)
        if rules is None:
            cands = None
            for w in hits:
                hit = keyed[w]
                if hit:
                    cands = (cands or {}) | dict(hit)
            if cands:
                cands.update(always)
                rules = [cands[k] for k in sorted(cands)]
            else:
                rules = [r for _, r in always]
            if len(rules_memo) > 20000:
                rules_memo.clear()
            rules_memo[key] = rules
        # "his forces would not withdraw": after an article or possessive a verb form is a noun, and must not
        # take words from the verb that follows
        noun_slot = i > 0 and norms[i - 1] in noun_markers or (
            # "a trilateral meeting", "a parting shot": one modifier between the article and the noun; after
            # other determiners only a gerund ("its aircraft struck" is a verb)
            i > 1 and norms[i - 2] in noun_markers and tokens[i - 1].is_word and not tokens[i - 1].cap
            and (norm.endswith("ing") or norms[i - 2] in ("a", "an") and not norm.endswith("ed"))
            and i - 1 not in covered and norms[i - 1] not in noun_markers
            and norms[i - 1] not in not_modifiers) or (   # not "no longer seek", "started the month visiting"
            # "its internationally recognised president", "the newly elected parliament": a participle after
            # an adverb, after an article or possessive, is an adjective
            i > 1 and norm.endswith("ed") and norms[i - 1].endswith("ly") and norms[i - 2] in noun_markers)
        for rule in rules:
            if noun_slot and not rule.nominal:
                continue
            if rule.required and any(forms.isdisjoint(present) for forms in rule.required):
                continue   # a required word is nowhere in the sentence
            m = _match_at(rule.elements, 1, i + 1, norms, tokens, blocked, actor_starts, infinitives, [i], None,
                          modifiers)
            if m is not None:
                end, words, target_at = m
                found.append(VerbMatch(i, end, rule, target_at, words))
    return _best_non_overlapping(found)


def _match_at(elements: list[Element], k: int, pos: int, norms: list[str], tokens: list[Token], blocked: set[int],
              actor_starts: dict[int, int], infinitives: set[int], words: list[int], target_at: int | None,
              modifiers: frozenset[str] | set[str] = frozenset()):
    if k == len(elements):
        return pos, words, target_at
    el = elements[k]
    n = len(norms)
    if el.kind == "word":
        if pos < n and norms[pos] in el.forms and pos not in blocked:
            r = _match_at(elements, k + 1, pos + 1, norms, tokens, blocked, actor_starts, infinitives, words + [pos],
                          target_at, modifiers)
            if r is not None:
                return r
        if el.optional:
            return _match_at(elements, k + 1, pos, norms, tokens, blocked, actor_starts, infinitives, words, target_at,
                             modifiers)
        return None
    if el.kind == "gap":
        # up to max_gap words; a parenthesis ("in Kisumu (Kisumu) against") counts as nothing
        p, counted, depth = pos, 0, 0
        while True:
            if depth == 0:
                r = _match_at(elements, k + 1, p, norms, tokens, blocked, actor_starts, infinitives, words, target_at,
                              modifiers)
                if r is not None:
                    return r
            if p >= n:
                return None
            t = norms[p]
            if t == "(":
                depth += 1
            elif t == ")" and depth:
                depth -= 1
            elif depth == 0 and t in QUOTES:
                pass   # "called the deal "fair and balanced"": quotation marks are no words
            elif depth == 0:
                if not (tokens[p].is_word or t in ("'s", "'", "$", "€", "£", "%", "-")):   # "villagers' houses"
                    return None
                if p in infinitives:
                    return None   # nor across an infinitive: "had offered on Sunday to hold talks" is no "have talks"
                counted += 1
                if counted > el.max_gap:
                    return None
            elif p - pos > 12:
                return None
            p += 1
    if el.kind == "target":
        # the target is an actor phrase starting here (after an optional article and modifiers such as
        # "self-proclaimed", "rival", "suspected")
        p = pos + 1 if pos < n and norms[pos] in ("the", "a", "an") else pos
        while p < n and p not in actor_starts and p - pos < 3 and norms[p] in modifiers:
            p += 1
        if p not in actor_starts and p < n and norms[p].replace(",", "").isdigit():
            p += 1   # a count before the actor: "executed 6 villagers"
        if p in actor_starts:
            return _match_at(elements, k + 1, actor_starts[p], norms, tokens, blocked, actor_starts, infinitives,
                             words, p, modifiers)
        if k == len(elements) - 1 and pos < n and norms[pos] == "by":
            return pos, words, None   # passive: "was received by X" - the target stands before the verb
        return None
    return None


def _best_non_overlapping(found: list[VerbMatch]) -> list[VerbMatch]:
    """Prefer more pattern words, then the more specific code, then the earlier match."""
    ranked = sorted(found, key=lambda m: (-len(m.words), -len(m.rule.code), m.start, m.rule.rule_id))
    taken: set[int] = set()
    kept: list[VerbMatch] = []
    for m in ranked:
        if any(w in taken for w in m.words):
            continue
        kept.append(m)
        taken.update(m.words)
    return sorted(kept, key=lambda m: m.start)


_CUE_INDEX: dict[int, tuple[set, dict[str, list[int]]]] = {}


def find_cues(tokens: list[Token], keys: set[tuple[str, ...]], skip: set[int] | None = None, *,
              norms: list[str] | None = None, present: set[str] | None = None) -> list[tuple[int, int]]:
    """Spans (start, end) of cue phrases in the sentence (longest at each position); tokens in `skip`
    ("agreed on Friday to") may stand inside a phrase without breaking it; `norms`: the tokens' norms and
    `present` the set of them, if the caller has them already."""
    if not keys:
        return []
    entry = _CUE_INDEX.get(id(keys))
    # the entry keeps its key set alive, so a reused id() can never hand back another set's index
    if entry is None or entry[0] is not keys:
        index: dict[str, list[int]] = {}
        for k in keys:
            index.setdefault(k[0], []).append(len(k))
        for lengths in index.values():
            lengths.sort(reverse=True)
        entry = _CUE_INDEX[id(keys)] = (keys, index)
    index = entry[1]
    if present is not None and present.isdisjoint(index):
        return []   # no cue's first word in the sentence (most sentences, for most cue lists)
    if skip:
        kept = [k for k in range(len(tokens)) if k not in skip]
        return [(kept[s], kept[e - 1] + 1) for s, e in find_cues([tokens[k] for k in kept], keys)]
    if norms is None:
        norms = [t.norm for t in tokens]
    spans = []
    for i, norm in enumerate(norms):
        if norm not in index:
            continue
        for L in index[norm]:
            if L == 1 or tuple(norms[i:i + L]) in keys:
                spans.append((i, i + L))
                break
    return spans
