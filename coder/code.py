"""Code: turn a sentence's mentions into events (source, code, target).

A shallow, rule-based reading of the sentence, no parser:

1. actor phrases are built from adjacent mentions ("Israeli Prime Minister
   Benjamin Netanyahu", "the heads of the intelligence services of the United
   States, Israel and Egypt") and joined into compounds ("Egypt and Qatar");
2. each verb pattern looks left for its subject inside its clause, skipping
   actors that follow a preposition, and right for its target;
3. reported speech ("X said Y will ..."): an act of the speaker's own side is
   coded with the speaker as source; a third party's act is hearsay and not
   coded; otherwise the speaker's statement is coded;
4. negation and refusal turn a code into its rejection (the pattern's
   `negated`), intent cues into the 03x intent code, the passive swaps
   source and target, and nominal events ("talks between X and Y") are coded
   between their participants.

Article-level state (`ArticleContext`) resolves surnames, titles, pronouns and
"the two countries" to actors named earlier.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from types import SimpleNamespace

from .codebook import Codebook, Lexeme, Role, VerbRule
from .match import Mention, VerbMatch, find_cues, match_lexicon, match_verbs
from .resolve.places import Place, admin_matches, fold, lookup_city
from .text import Token, tokenize

PROPER_ACTOR_KINDS = ("person", "group", "org", "institution", "country", "capital")
ACTOR_PRIORITY = ("person", "group", "org", "institution", "demonym", "capital", "country", "adjective", "agent")
COUNTRYISH = {"country", "adjective", "capital", "demonym"}


@dataclass(slots=True)
class Actor:
    code: str
    name: str
    country: str | None
    role: str | None
    kind: str                       # person group org institution country agent pronoun ...
    needs_country: bool = False     # a bare agent ("police") still to be placed
    inferred: bool = False          # its country came from the article's context, not the phrase

    @property
    def resolved(self) -> bool:
        return bool(self.code) and not self.needs_country


@dataclass(slots=True)
class Group:
    """An actor phrase or a compound of phrases, with its token span."""

    start: int
    end: int
    actors: list[Actor]
    prep: str | None = None         # preposition right before the phrase
    possessive: bool = False        # "Hamas's objective": not a subject
    pronoun: str | None = None
    text: str = ""
    antecedent: list | None = None  # for pronouns: who they stood for when read
    via_to: bool = False            # a passive agent written after "to" ("was summoned to the ministry")
    of_role: str | None = None      # the role an "of" chain gave its countries ("the leaders of Russia, ...")


@dataclass(slots=True)
class PlaceMention:
    start: int
    end: int
    place: Place
    prep: str


@dataclass(slots=True)
class Event:
    code: str
    source: Actor
    target: Actor | None
    rule_id: str
    evidence: str
    anchor: int                      # token index of the trigger, for date and place
    clause: tuple[int, int]
    source_text: str = ""
    target_text: str = ""
    fallback: tuple[int, int] | None = None   # the statement's window, for an act reported by its actor


@dataclass
class ArticleContext:
    """What earlier sentences of the article established."""

    event_date: dt.date | None = None
    dateline_country: str | None = None
    names: dict[str, Actor] = field(default_factory=dict)     # folded name or surname -> actor
    last_person: Actor | None = None
    last_actor: Actor | None = None
    by_role: dict[str, Actor] = field(default_factory=dict)
    last_compound: list[Actor] = field(default_factory=list)
    # who did the last violent or coercive act coded in the article ("condemned the attack" aims at them)
    perpetrators: list[Actor] = field(default_factory=list)
    previous_date: dt.date | None = None
    country_counts: dict[str, int] = field(default_factory=dict)
    # how often each resolved actor was named so far, and the actor itself ("the other side" of a dyadic story)
    actor_counts: dict[str, list] = field(default_factory=dict)
    # code prefixes of bodies that belong to no one country (cues.yaml `international_prefixes`): they do not
    # count towards the article's main country; set by the SentenceCoder from the codebook
    international: tuple[str, ...] = ()
    place_counts: dict[str, int] = field(default_factory=dict)

    def main_country(self) -> str | None:
        """The country the article is most about so far (first named wins ties), else the dateline's,
        else that of the places it names ("gunmen abducted 300 schoolboys in Kankara (Katsina)")."""
        if self.country_counts:
            return max(self.country_counts, key=lambda c: self.country_counts[c])
        if self.dateline_country:
            return self.dateline_country
        if self.place_counts:
            return max(self.place_counts, key=lambda c: self.place_counts[c])
        return None

    sentence: int = 0                      # index of the sentence being read
    person_seen: int = -99                 # sentence where last_person / last_actor were named
    actor_seen: int = -99

    def recent_person(self) -> Actor | None:
        """The person a "he"/"she" can stand for: named in this or the two sentences before."""
        return self.last_person if self.sentence - self.person_seen <= 2 else None

    def recent_actor(self) -> Actor | None:
        return self.last_actor if self.sentence - self.actor_seen <= 2 else None

    def remember(self, actor: Actor, name_tokens: list[str] | None = None, count: bool = True,
                 family_first: bool = False) -> None:
        if not actor.resolved:
            return
        if count and actor.country and actor.country.isalpha() and \
                actor.code[:3] not in self.international:
            self.country_counts[actor.country] = self.country_counts.get(actor.country, 0) + 1
        if actor.kind == "person":
            self.last_person = actor
            self.person_seen = self.sentence
        else:
            self.last_actor = actor
            self.actor_seen = self.sentence
        if actor.role:
            self.by_role[actor.role] = actor
        if name_tokens:
            full = fold(" ".join(name_tokens))
            self.names[full] = actor
            last = fold(name_tokens[0 if family_first and len(name_tokens) > 1 else -1])
            self.names[last] = actor
            if " " in last:   # "al-Bashir" is also "Bashir"
                self.names[last.split(" ", 1)[1]] = actor


@dataclass(slots=True)
class SentenceAnalysis:
    """Everything the coder saw in a sentence: what `explain` prints."""

    tokens: list[Token]
    mentions: list[Mention]
    groups: list[Group]
    verbs: list[VerbMatch]
    places: list[PlaceMention]
    events: list[Event]
    notes: list[str]
    words: tuple[str, ...] = ()   # the tokens' norms, read by the ACLED pass


def person_code(roles: list[Role], date: dt.date | None) -> str | None:
    """The code of the role a person held on `date` (the latest role when undated)."""
    if date is None:
        return roles[-1].code
    iso = date.isoformat()
    for r in roles:
        if (r.start is None or r.start <= iso) and (r.end is None or iso <= r.end):
            return r.code
    return None


class SentenceCoder:
    """Codes the sentences of one article in order, keeping its context."""

    def __init__(self, cb: Codebook, ctx: ArticleContext, keep_places: bool = False):
        self.cb = cb
        self.ctx = ctx
        self.keep_places = keep_places   # explain shows places even where nothing is coded
        self._places: list[PlaceMention] = []
        # the word sets and phrase indexes below depend on the codebook only: built once per codebook
        # and kept with it, not once per article
        tables = cb.extra.get("_sentence_coder_tables")
        if tables is None:
            tables = cb.extra["_sentence_coder_tables"] = self._tables(cb)
        self.__dict__.update(tables)
        ctx.international = self.org_prefixes

    @staticmethod
    def _tables(cb: Codebook) -> dict:
        self = SimpleNamespace()
        keys = cb.cue_keys
        self.preps = {k[0] for k in keys.get("prepositions", set())}
        self.determiners = {k[0] for k in keys.get("determiners", set())} | \
            {k[0] for k in keys.get("place_modifiers", set())}
        self.breaks = {k[0] for k in keys.get("clause_breaks", set())}
        self.subordinators = {k[0] for k in keys.get("subordinators", set())}
        self.aux = {k[0] for k in keys.get("auxiliaries", set())}
        self.be = {k[0] for k in keys.get("passive_be", set())}
        self.locative = keys.get("locative", set()) | keys.get("destination", set())
        self._locative_table = {k: " ".join(k) for k in self.locative}
        self.person_pronouns = {k[0] for k in keys.get("pronouns_person", set())}
        self.group_pronouns = {k[0] for k in keys.get("pronouns_group", set())}
        self.group_refs = {tuple(k.split()): (v["count"], v["kind"])
                           for k, v in (cb.cues.get("group_references") or {}).items()}
        self.anaphora = {tuple(k.split()): v for k, v in (cb.cues.get("definite_references") or {}).items()}
        self.possessives = {k[0] for k in keys.get("possessive_pronouns", set())}
        self.target_preps = {k[0] for k in keys.get("target_prepositions", set())}
        self.quantity_words = keys.get("quantity_words", set())
        self.name_particles = {k[0] for k in keys.get("place_name_particles", set())}
        self.place_descriptors: dict[str, list[tuple[str, ...]]] = {}
        for key in sorted(keys.get("place_descriptors", set()), key=len, reverse=True):
            self.place_descriptors.setdefault(key[0], []).append(key)
        self.place_target_roots = tuple(cb.cues.get("place_target_roots") or ())
        self.place_fallback_roots = tuple(cb.cues.get("place_fallback_roots") or ())
        self.local_roles = set(cb.cues.get("local_roles") or ())
        self.symmetric = tuple(cb.cues.get("symmetric_codes") or ())
        self.governing = cb.cues.get("governed_act_codes") or {}
        self.coordination = {k[0] for k in keys.get("coordination", set())}
        self.transparent = {k[0] for k in keys.get("transparent_words", set())}
        self.light_verbs = keys.get("light_verbs", set())
        self.family_first = set(cb.cues.get("family_name_first") or ())
        self.agreement_cues = keys.get("agreement", set())
        self.noun_markers = {k[0] for k in keys.get("noun_markers", set())}
        self.conditionals = {k[0] for k in keys.get("conditionals", set())}
        weapons = cb.cues.get("weapon_codes") or {}
        self.weapon_codes_for = set(weapons.get("refine") or ())
        self.weapon_code = {w: code for code, words in (weapons.get("codes") or {}).items() for w in words}
        self.weapon_keys = {tuple(w.split()) for w in self.weapon_code}
        self.country_roles = sorted((cb.cues.get("country_roles_by_code") or {}).items(), key=lambda kv: -len(kv[0]))
        self.actor_modifiers = {k[0] for k in keys.get("actor_modifiers", set())}
        self.area_nouns = {k[0] for k in keys.get("area_nouns", set())}
        self.denial_codes = set(cb.cues.get("denial_codes") or ())
        self.hosted_codes = set(cb.cues.get("hosted_codes") or ())
        self.clash_nouns = {k[0] for k in keys.get("clash_nouns", set())}
        crowd = cb.cues.get("crowd_violence") or {}
        self.crowd_roots = tuple(crowd.get("roots") or ())
        self.crowd_roles = set(crowd.get("roles") or ())
        self.crowd_words = set(crowd.get("words") or ())
        self.crowd_code = crowd.get("code")
        self.passive_speaker_codes = tuple(cb.cues.get("passive_speaker_codes") or ())
        self.authority_roles = set(cb.cues.get("authority_roles") or ())
        self.armed_nonstate_roles = set(cb.cues.get("armed_nonstate_roles") or ())
        self.object_pronouns = {k[0] for k in keys.get("object_pronouns", set())}
        self.locative_preps = {k[0] for k in keys.get("locative", set()) if len(k) == 1}
        self.domestic_codes = tuple(cb.cues.get("domestic_target_codes") or ())
        self.org_prefixes = tuple(cb.cues.get("international_prefixes") or ())
        self.time_openers = {k[0] for k in keys.get("time_word_openers", set())}
        self.refusal_fallback_keys = keys.get("refusal_fallback", set())
        self.refusal_firsts = {k[0] for k in self.refusal_fallback_keys}   # a refusal can be an act with no verb
        self.refusal_fallback_code = cb.cues.get("refusal_fallback_code")
        self.decline_comment_keys = keys.get("decline_comment", set())
        self.decline_comment_code = cb.cues.get("decline_comment_code")
        self._fallback_rules: dict[str, VerbRule] = {}
        self.named_after_place = {k[0] for k in keys.get("named_after_place", set())}
        self.consequence_roots = tuple(cb.cues.get("consequence_roots") or ())
        self.settlement_nouns = {k[0] for k in keys.get("settlement_nouns", set())}
        self.role_bearers = {" ".join(k) for k in keys.get("role_bearers", set())}
        self.reciprocal_verbs = {k[0] for k in keys.get("reciprocal_verbs", set())}
        self.reciprocal_phrases = keys.get("reciprocal_phrases", set())
        self.agreement_code = cb.cues.get("agreement_code")
        self.disapproving_code = cb.cues.get("disapproving_code")
        self.aside_openers = {k[0] for k in keys.get("aside_openers", set())}
        self.past_speech = {k[0] for k in keys.get("past_speech_verbs", set())}
        self.content_openers = keys.get("agreement_terms", set())
        self.self_meeting_roots = tuple(cb.cues.get("no_self_meeting_roots") or ())
        self.relative_words = {k[0] for k in keys.get("relative_words", set())}
        self.self_yield_roots = tuple(cb.cues.get("no_self_target_roots") or ())
        counterpart = cb.cues.get("counterpart") or {}
        self.counterpart_roots = tuple(counterpart.get("roots") or ())
        self.counterpart_min = int(counterpart.get("min_mentions") or 2)
        self.counterpart_recent = int(counterpart.get("within_sentences") or 99)
        refs = cb.cues.get("event_references") or {}
        self.reaction_roots = tuple(refs.get("roots") or ())
        self.perpetrator_roots = tuple(refs.get("perpetrator_roots") or ())
        self.event_ref_determiners = set(refs.get("determiners") or ())
        self.event_ref_nouns = set(refs.get("nouns") or ())
        self._skip: set[int] = set()
        self._verb_starts: set[int] = set()
        self.function_words = self.preps | self.determiners | self.aux | self.breaks | self.subordinators | \
            self.coordination | {k[0] for k in keys.get("negation", set())} | {"'s", ",", "."}
        self._cut_words = self.breaks | self.subordinators | {";"}   # words that open a clause (_clauses)

        # phrase indexes by first token: [(length, {phrase: value})], longest first: one dict look-up per length
        self._first_index = {}
        for name, table in (("anaphora", self.anaphora), ("group_refs", self.group_refs),
                            ("locative", self._locative_table)):
            by_first: dict[str, dict[int, dict]] = {}
            for key, value in table.items():
                by_first.setdefault(key[0], {}).setdefault(len(key), {})[key] = value
            self._first_index[name] = {first: sorted(by_len.items(), key=lambda kv: -kv[0])
                                       for first, by_len in by_first.items()}
        self._ana_index = self._first_index["anaphora"]
        self._ref_index = self._first_index["group_refs"]
        self._loc_index = self._first_index["locative"]
        # tokens that can start a group without being a mention or a capitalised word (see build_groups)
        self._group_starters = frozenset(self._ana_index) | frozenset(self._ref_index) | self.possessives | \
            self.person_pronouns | self.group_pronouns | self.object_pronouns
        return vars(self)

    # ------------------------------------------------------------ phrases
    def _compose(self, comps: list[Mention], name_tokens: list[str]) -> Actor | None:
        lex: dict[str, Lexeme] = {}
        for m in comps:
            for lx in m.lexemes:
                lex.setdefault(lx.kind, lx)
        text = " ".join(m.text for m in comps)
        if "person" in lex:
            p = lex["person"]
            code = person_code(p.roles or [], self.ctx.event_date)
            if code:
                return Actor(code, text, code[:3], code[3:6] or None, "person")
        country = next((lex[k] for k in ("country", "adjective", "capital", "demonym") if k in lex), None)
        if "institution" in lex and country and lex["institution"].country != country.country and "agent" in lex:
            del lex["institution"]  # "Pakistan's Foreign Office" is Pakistan's, whatever Britain calls its own
        for kind in ("group", "org", "institution"):
            if kind in lex:
                g = lex[kind]
                return Actor(g.code, text, g.code[:3], g.role, kind)
        agent, agent_text = None, ""
        # "opposition delegation", "rebel spokesman": the role word before a neutral one decides
        for m in reversed(comps):
            a = m.first("agent")
            if a:
                if agent is None or agent_text in self.role_bearers:
                    agent, agent_text = a, m.text.lower()
                    if agent_text not in self.role_bearers:
                        break
                else:
                    break
        if country and agent:
            return Actor(country.country + agent.role, text, country.country, agent.role,
                         "person" if name_tokens else "agent")
        if country:
            if country.kind == "adjective":
                return Actor(country.country, text, country.country, None, "adjective")
            code = country.code if country.kind != "country" else country.country
            return Actor(code, text, country.country, code[3:6] or None, country.kind)
        if agent:
            return Actor("", text, None, agent.role, "person" if name_tokens else "agent", needs_country=True)
        return None

    def build_groups(self, tokens: list[Token], mentions: list[Mention], skip: int) -> list[Group]:
        by_start = {m.start: m for m in mentions}
        n = len(tokens)
        phrases: list[Group] = []
        starters = self._group_starters
        names = self.ctx.names
        i = skip
        while i < n:
            tok = tokens[i]
            if i not in by_start and tok.norm not in starters and not (
                    tok.cap and tok.is_word and names and fold(tok.text) in names):
                # most tokens: no mention, phrase, pronoun or known name starts here - what the steps
                # below would conclude, one token on
                i += 1
                continue
            start = i
            j = i
            comps: list[Mention] = []
            name_tokens: list[str] = []
            norm = tokens[j].norm
            ana = self._phrase_at(tokens, j, self._ana_index) if norm in self._ana_index else None
            if ana:
                length, kind = ana
                phrases.append(Group(j, j + length, [], pronoun=f"ana:{kind}",
                                     text=" ".join(t.text for t in tokens[j:j + length])))
                i = j + length
                continue
            if norm in self.possessives and j + 1 in by_start and by_start[j + 1].first("agent") \
                    and not any(lx.kind in PROPER_ACTOR_KINDS for lx in by_start[j + 1].lexemes):
                # "his government", "its troops": the role of whoever the pronoun stands for
                m = by_start[j + 1]
                agent = m.first("agent")
                phrases.append(Group(j, m.end, [Actor("", m.text, None, agent.role, "agent", needs_country=True)],
                                     pronoun=f"poss:{norm}", text=f"{tokens[j].text} {m.text}"))
                i = m.end
                continue
            listed = self._adjective_list(tokens, by_start, j) if j in by_start else None
            if listed:
                end, actors = listed
                phrases.append(Group(j, end, actors, text=" ".join(t.text for t in tokens[j:end])))
                i = end
                continue
            if norm in self.possessives and j + 1 in by_start and any(
                    lx.kind in PROPER_ACTOR_KINDS or lx.kind in ("adjective", "country") for lx in by_start[j + 1].lexemes):
                i += 1   # "her Chinese counterpart Wang Yi": a determiner here, not an actor of its own
                continue
            # pronouns
            if norm in self.person_pronouns or norm in self.group_pronouns or norm in self.object_pronouns:
                g = Group(j, j + 1, [], pronoun=norm, text=tokens[j].text)
                # the antecedent is whoever was named last *before* the pronoun
                g.antecedent = [a for a in ((self.ctx.recent_person() if norm in self.person_pronouns
                                             else self.ctx.recent_actor()),) if a]
                phrases.append(g)
                i += 1
                continue
            ref = self._phrase_at(tokens, j, self._ref_index) if norm in self._ref_index else None
            if ref:
                length, (count, kind) = ref
                # resolved in _join, once the compounds before it are known
                phrases.append(Group(j, j + length, [], pronoun=f"ref:{count}:{kind}",
                                     text=" ".join(t.text for t in tokens[j:j + length])))
                i = j + length
                continue
            while j < n:
                m = by_start.get(j)
                if m and any(lx.kind != "place" for lx in m.lexemes):
                    comps.append(m)
                    j = m.end
                    continue
                tok = tokens[j]
                if comps and tok.norm == "'s" and j + 1 < n and j + 1 in by_start and by_start[j + 1].first("agent"):
                    j += 1
                    continue
                if comps and not comps[-1].first("agent") and comps[-1].first(*COUNTRYISH, "group", "org"):
                    # "U.S. peace envoy", "Lebanon's caretaker prime minister": modifiers before a title
                    k = j + 1 if tok.norm == "'s" else j
                    skipped = 0
                    while k < n and skipped < 2 and k not in by_start and (self._modifier(tokens[k]) or (
                            skipped and tokens[k - 1].norm.endswith("ly") and tokens[k].norm.endswith("ed"))):
                        # ("Ivory Coast's internationally recognised president": a participle after an adverb)
                        k += 1
                        skipped += 1
                    if skipped and k in by_start and by_start[k].first("agent"):
                        j = k
                        continue
                if comps and comps[-1].first("agent") and tok.cap and tok.is_word and not (m and m.lexemes):
                    # a name after a title: "Qatari Prime Minister Mohammed"
                    name_tokens.append(tok.text)
                    j += 1
                    continue
                if not comps and tok.cap and tok.is_word and fold(tok.text) in self.ctx.names:
                    comps.append(Mention(j, j + 1, [], tok.text))
                    name_tokens = []
                    j += 1
                    break
                break
            if not comps:
                i += 1
                continue
            if len(comps) == 1 and not comps[0].lexemes:
                actor = self.ctx.names[fold(comps[0].text)]
                actor = Actor(actor.code, comps[0].text, actor.country, actor.role, actor.kind)
            else:
                actor = self._compose(comps, name_tokens)
                if actor and name_tokens:
                    self.ctx.remember(actor, name_tokens) if actor.resolved else None
                if actor and "person" in {lx.kind for c in comps for lx in c.lexemes}:
                    pm = next(c for c in comps if c.first("person"))
                    if actor.resolved:
                        self.ctx.remember(actor, pm.text.split(), family_first=actor.country in self.family_first)
            if actor is None:
                i = max(j, i + 1)
                continue
            prep = self._prep_before(tokens, start)
            if actor.kind in ("capital", "country") and j < n and tokens[j].norm in self.named_after_place:
                i = max(j, i + 1)   # "the Paris Agreement", "the Minsk talks": named after a place, no actor
                continue
            if actor.kind == "capital" and start > 0 and tokens[start - 1].text in ("(", ","):
                i = max(j, i + 1)   # "Kisumu (Nairobi)": a capital in an address is a place, not the government
                continue
            if prep and actor.kind == "capital" and (prep in self.locative_preps or prep not in self.target_preps):
                # "in Tehran", "from Moscow": the city; "ties with Tehran", "talks with Moscow": its government
                actor = Actor(actor.country or "", actor.name, actor.country, None, "country")
            if j < n and tokens[j].text == "(":
                close = next((k for k in range(j + 1, min(n, j + 7)) if tokens[k].text == ")"), None)
                if close and all(t.cap or not t.is_word for t in tokens[j + 1:close]):
                    j = close + 1   # "the Rapid Support Forces (RSF)": the acronym belongs to the name
            g = Group(start, j, [actor], text=" ".join(t.text for t in tokens[start:j]))
            if j < n and tokens[j].norm == "'s":
                g.possessive = True
            phrases.append(g)
            i = j
        for g in phrases:
            g.prep = self._prep_before(tokens, g.start)
        return self._join(tokens, phrases)

    def _recent_compound(self, phrases: list[Group], count: int, kind: str) -> list[Actor]:
        """"the two countries": the last `count` actors (countries, if asked) named together."""
        def fits(actors: list[Actor]) -> bool:
            return len(actors) == count and (kind != "country" or all(a.kind in COUNTRYISH or a.kind == "agent"
                                                                      for a in actors))
        for g in reversed(phrases):
            actors = [a for a in g.actors if a.resolved]
            if fits(actors) and not g.pronoun:
                return actors
        return list(self.ctx.last_compound) if fits(self.ctx.last_compound) else []

    def _modifier(self, tok: Token) -> bool:
        """A lower-case word that may qualify a title ("peace envoy", "caretaker prime minister")."""
        return tok.is_word and not tok.cap and tok.norm not in self.function_words and \
            tok.norm not in self.cb.verbs_by_first and not tok.norm.isdigit()

    @staticmethod
    def _phrase_at(tokens: list[Token], j: int, index: dict) -> tuple[int, object] | None:
        """The longest phrase of a phrase table starting at token j (`index`: its entries by first token,
        longest first; callers look the token up first, as most tokens start no phrase)."""
        for L, phrases in index.get(tokens[j].norm, ()):
            if L == 1:
                return 1, phrases[(tokens[j].norm,)]
            value = phrases.get(tuple(t.norm for t in tokens[j:j + L]), _MISSING)
            if value is not _MISSING:
                return L, value
        return None

    def _adjective_list(self, tokens: list[Token], by_start: dict[int, Mention], j: int):
        """"Palestinian and Israeli delegations", "British and EU negotiators": one role, several countries."""
        first = by_start.get(j)
        if not first or not first.first("adjective") or first.first("agent"):
            return None
        items = [first]
        k = first.end
        while k < len(tokens):
            sep = []
            while k < len(tokens) and tokens[k].norm in (",", "and", "or"):
                sep.append(tokens[k].norm)
                k += 1
            m = by_start.get(k)
            if not sep or not m or not (m.first("adjective") or m.first("org")) or m.first("agent"):
                break
            items.append(m)
            k = m.end
        if len(items) < 2:
            return None
        # optional modifiers, then the shared title or role noun
        while k < len(tokens) and self._modifier(tokens[k]) and k not in by_start:
            k += 1
        agent_m = by_start.get(k)
        agent = agent_m.first("agent") if agent_m else None
        if agent is None or agent_m.first(*PROPER_ACTOR_KINDS):
            return None
        actors = []
        for m in items:
            lx = m.first("adjective") or m.first("org")
            if lx.kind == "org":
                actors.append(Actor(lx.code, f"{m.text} {agent_m.text}", lx.code[:3], lx.role, "org"))
            else:
                actors.append(Actor(lx.country + agent.role, f"{m.text} {agent_m.text}", lx.country, agent.role, "agent"))
        return agent_m.end, actors

    def _prep_before(self, tokens: list[Token], start: int) -> str | None:
        k = start - 1
        while k >= 0:
            norm = tokens[k].norm
            if norm in self.determiners or norm.replace(",", "").isdigit() or \
                    norm == "of" and k > 0 and (tokens[k - 1].norm in self.determiners or tokens[k - 1].norm.isdigit()):
                k -= 1  # "tens of thousands of Chinese protesters", "6,000 troops"
                continue
            quantity = self._phrase_ending(tokens, k, self.quantity_words)
            if quantity and k + 1 < start and (tokens[k + 1].norm.replace(",", "").isdigit() or
                                               tokens[k + 1].norm in self.determiners):
                k -= quantity   # "around 200 students", "at least 30 people"
                continue
            if k > 0 and start - k <= 2 and tokens[k].is_word and not tokens[k].cap and \
                    tokens[k].norm not in self.function_words:
                # "partner of landlocked Paraguay", "the execution of a prominent cleric": up to two lower-case
                # adjectives the codebook does not know, between "of" (and its article) and the actor
                j = k
                while j > 0 and start - j <= 2 and tokens[j].is_word and not tokens[j].cap and \
                        tokens[j].norm not in self.function_words:
                    j -= 1
                while j > 0 and tokens[j].norm in self.determiners:
                    j -= 1
                if tokens[j].norm == "of":
                    k = j
                    continue
            break
        return tokens[k].norm if k >= 0 and tokens[k].norm in self.preps else None

    @staticmethod
    def _phrase_ending(tokens: list[Token], k: int, phrases: set[tuple[str, ...]]) -> int:
        """Length of a cue phrase that ends at token k (0 if none)."""
        last = tokens[k].norm
        for p in phrases:
            if p[-1] != last:
                continue
            L = len(p)
            if k - L + 1 >= 0 and tuple(t.norm for t in tokens[k - L + 1:k + 1]) == p:
                return L
        return 0

    def _join(self, tokens: list[Token], phrases: list[Group]) -> list[Group]:
        """Join phrases into compounds ("X, Y and Z") and "of" chains ("heads of the services of X")."""
        out: list[Group] = []
        for g in phrases:
            if g.pronoun and g.pronoun.startswith("ref:"):
                _, count, kind = g.pronoun.split(":")
                actors = self._recent_compound(out, int(count), kind)
                if not actors:
                    continue
                g = Group(g.start, g.end, actors, g.prep, g.possessive, None, g.text)
            if out:
                prev = out[-1]
                between = [t.norm for t in tokens[prev.end:g.start]
                           if not t.norm.replace(",", "").isdigit() and t.norm not in ("the", "some", "several")]
                if between == ["of"] and not g.pronoun and all(
                        t.norm in self.determiners or t.norm == "of" for t in tokens[prev.start:prev.end]):
                    out[-1] = g   # "thousands of judges": a count, not an actor of its own
                    continue
                # "of" chain: an agent without a country, then "of (the)" an actor: the actor's country takes the role
                if between in (["of"], ["of", "the"], ["for"], ["for", "the"]) and not prev.pronoun and not g.pronoun and prev.actors and \
                        all(a.needs_country for a in prev.actors) and g.actors and not prev.possessive:
                    role = prev.actors[-1].role
                    merged = []
                    for a in g.actors:
                        if a.kind in ("group", "org", "institution", "person") or not a.country:
                            merged.append(a)
                        elif a.needs_country:
                            merged.append(Actor("", f"{prev.text} of {a.name}", None, a.role or role, a.kind, True))
                        else:
                            merged.append(Actor(a.country + (a.role if a.role and a.kind == "agent" else role), f"{prev.text} of {a.name}", a.country,
                                                a.role if a.role and a.kind == "agent" else role, "agent"))
                    out[-1] = Group(prev.start, g.end, merged, prev.prep, g.possessive, None, prev.text + " of " + g.text,
                                    of_role=role)
                    continue
                raw = tokens[prev.end:g.start]
                if len(raw) in (3, 4) and [t.norm for t in raw[:2]] == ["and", "the"] and all(
                        t.is_word and not t.cap and t.norm not in self.function_words for t in raw[2:]):
                    between = ["and"]   # "the army and the paramilitary Rapid Support Forces"
                elif 2 <= len(raw) <= 4 and raw[0].norm == "and" and all(
                        t.norm in self.actor_modifiers or t.norm == "the" for t in raw[1:]):
                    between = ["and"]   # "Malian soldiers and suspected JNIM fighters"
                repeated_prep = g.prep is not None and g.prep == prev.prep and between in (["and", g.prep], [",", "and", g.prep])
                if repeated_prep:
                    between = ["and"]   # "spoke with Macron and with Varadkar"
                if not prev.pronoun and not g.pronoun and not prev.possessive and \
                        between in (["and"], ["or"], [","], [",", "and"], [",", "or"], ["as", "well", "as"], ["and", "the"]) \
                        and (g.prep is None or repeated_prep):
                    if between == [","] and not self._list_continues(tokens, phrases, g):
                        out.append(g)
                        continue
                    if between[:1] == [","] and len(between) == 2 and ", " not in prev.text:
                        # "X and Y, and Z ...": a new clause, not a serial list
                        out.append(g)
                        continue
                    added = g.actors
                    if prev.of_role:
                        # "the leaders of Russia, Ukraine, Germany and France": the role reaches every country listed
                        added = [Actor(a.country + prev.of_role, a.name, a.country, prev.of_role, "agent")
                                 if a.kind in ("country", "capital") and len(a.code) == 3 and a.country else a
                                 for a in g.actors]
                    out[-1] = Group(prev.start, g.end, prev.actors + added, prev.prep, g.possessive, None,
                                    prev.text + " " + " ".join(between) + " " + g.text, of_role=prev.of_role)
                    continue
            out.append(g)
        return out

    @staticmethod
    def _list_continues(tokens: list[Token], phrases: list[Group], g: Group) -> bool:
        """A comma joins actors only in a list that ends in "and"/"or": "X, Y and Z"."""
        idx = phrases.index(g)
        for nxt in phrases[idx + 1:]:
            between = [t.norm for t in tokens[g.end:nxt.start] if t.norm != "the"]
            if between in (["and"], ["or"], [",", "and"], [",", "or"]):
                return True   # (also "X, Y and the Z")
            if between != [","]:
                return False
            g = nxt
        return False

    # ------------------------------------------------------------ places
    def find_places(self, tokens: list[Token], mentions: list[Mention], skip: int) -> list[PlaceMention]:
        found: list[PlaceMention] = []
        by_start = {m.start: m for m in mentions}
        inside_names = {k for m in mentions if any(lx.kind in ("group", "org", "institution", "person")
                                                   for lx in m.lexemes) for k in range(m.start + 1, m.end)}
        n = len(tokens)
        prefer = tuple(dict.fromkeys(c for c in (self.ctx.dateline_country, self.ctx.main_country()) if c))
        i = skip
        loc_index = self._loc_index
        while i < n:
            tok = tokens[i]
            if tok.norm not in loc_index and i not in by_start and not (tok.cap and tok.is_word) and \
                    tok.norm != "the" and tok.norm not in self.place_descriptors:
                i += 1   # no preposition, mention or name here: what the steps below would conclude
                continue
            prep = None
            if i in inside_names:
                i += 1   # "Islamic State in the Greater Sahara": a name, not a place
                continue
            found_prep = self._phrase_at(tokens, i, loc_index) if tok.norm in loc_index else None
            if found_prep:
                prep = found_prep[1]
            if not prep:
                m = by_start.get(i)
                lx = m.first("place") if m else None
                if lx:  # a region named anywhere ("the West Bank") is a place mention
                    found.append(PlaceMention(m.start, m.end, _region(lx), "mention"))
                    i = m.end
                    continue
                address = self._address_at(tokens, i, prefer)
                if address:  # "shelled Kherson (Kherson)": a place written with its region, wherever it stands
                    found.append(address)
                    i = address.end
                    continue
                start = i + 1 if tokens[i].norm == "the" else i
                k = self._after_descriptor(tokens, start)
                if k > start:   # "shelled the city of Kherson": a kind of place names what follows as a place
                    e = self._name_end(tokens, k)
                    place = next((p for p in (lookup_city(" ".join(t.text for t in tokens[k:end]), prefer,
                                                          self._admin_hints(tokens, end)) for end in range(e, k, -1))
                                  if p), None)
                    if place:
                        found.append(PlaceMention(k, e, place, "at"))
                        i = e
                        continue
                i += 1
                continue
            j = i + len(prep.split())
            while j < n and tokens[j].norm in self.determiners and not (
                    j in by_start and by_start[j].first("place", "country", "capital")):
                j += 1   # "across the West Bank": "West" starts a name here
            # "in the Saudi city of Jeddah", "at the border village of Panmunjom": the name after "of"
            hint: tuple[str, ...] = ()
            of = next((k for k in range(j + 1, min(n, j + 5)) if tokens[k].norm == "of"), None)
            if of is not None and of + 1 < n and tokens[of + 1].cap and \
                    any(tokens[k].norm in self.settlement_nouns for k in range(j, of)) and \
                    all(not tokens[k].cap or (by_start.get(k) and by_start[k].first("adjective")) or
                        any(mm.start <= k < mm.end for mm in mentions) for k in range(j, of)):
                adj = next((by_start[k].first("adjective") for k in range(j, of)
                            if by_start.get(k) and by_start[k].first("adjective")), None)
                hint = (adj.country,) if adj and adj.country else ()
                j = of + 1
            j = self._after_descriptor(tokens, j)   # "in the city of Kherson"
            # skip adjectives of place: "in a Jewish settlement in the Palestinian West Bank"
            m = by_start.get(j)
            if m and m.first("adjective") and j + (m.end - m.start) < n and (m.end in by_start and by_start[m.end].first("place")):
                j = m.end
                m = by_start.get(j)
            place = None
            end = j
            if m:
                lx = m.first("place") or m.first("country") or m.first("capital")
                if lx and lx.kind == "place":
                    place = _region(lx)
                elif lx and lx.kind == "country":
                    from .resolve.places import country_place
                    place = country_place(lx.country)
                elif lx and lx.kind == "capital":
                    place = lookup_city(lx.name, (lx.country,))
                end = m.end
            named_actor = m is not None and any(lx.kind in ("group", "org", "person") for lx in m.lexemes)
            if place is None and j < n and tokens[j].cap and tokens[j].is_word and not named_actor:
                # longest capitalised span that the gazetteer knows ("Jisr ash Shughur", "Ciudad del Este")
                k = self._name_end(tokens, j)
                for e in range(k, j, -1):
                    name = " ".join(t.text for t in tokens[j:e])
                    ctx_country = self._country_after(tokens, e, by_start)
                    place = lookup_city(name, tuple(c for c in (ctx_country,) if c) + hint + prefer,
                                        self._admin_hints(tokens, e))
                    if place and e < k and prefer and place.country not in prefer and not ctx_country:
                        place = None   # "Ras" of an unknown "Ras al-Ain" is not a village of another country
                    if place:
                        end = e
                        break
            if place is not None and place.precision == 3 and end + 1 < n and tokens[end].norm == "'s":
                # "in Mali's central Mopti region", "in Sudan's capital Khartoum": the place inside the country
                inner = self._place_within(tokens, end + 1, by_start, place.country)
                if inner:
                    j, end, place = inner
                else:
                    place = None   # "spoke to Qatar's emir": an owner, not a place
            if place:
                if end < n and tokens[end].norm in self.area_nouns and place.precision < 2:
                    place = replace(place, precision=2)   # "the Afrin region", "Marib province": the area around
                found.append(PlaceMention(j, end, place, prep))
                i = end
            else:
                i = j if j > i else i + 1
        return self._same_country(found, tokens)

    @staticmethod
    def _same_country(found: list, tokens: list[Token]) -> list:
        """Towns of one sentence lie in one country when their names allow it: in "between Koro and Bankass
        (Mopti)" Koro is Mali's, not Coro in Venezuela (a namesake taken only for its size)."""
        towns = [p for p in found if p.prep != "mention" and p.place.precision == 1 and p.place.country]
        countries = {p.place.country for p in towns}
        if len(countries) < 2:
            return found
        out = []
        for p in found:
            if p in towns:
                others = {q.place.country for q in towns if q is not p}
                if len(others) == 1 and p.place.country not in others:
                    name = " ".join(t.text for t in tokens[p.start:p.end])
                    alt = lookup_city(name, tuple(others))
                    if alt is not None and alt.country in others:
                        p = replace(p, place=alt)
            out.append(p)
        return out

    def _after_descriptor(self, tokens: list[Token], j: int) -> int:
        """The token after a kind-of-place phrase at j ("city of", "border town of", "capital"), else j."""
        if j >= len(tokens):
            return j
        if j > 0 and tokens[j].cap and tokens[j - 1].cap and tokens[j - 1].is_word:
            return j   # "Crocus City Hall": a word inside a name, not a kind of place before a name
        for key in self.place_descriptors.get(tokens[j].norm, ()):
            if tuple(t.norm for t in tokens[j:j + len(key)]) == key and j + len(key) < len(tokens) and \
                    tokens[j + len(key)].cap:
                return j + len(key)
        return j

    def _place_within(self, tokens: list[Token], k: int, by_start: dict[int, Mention],
                      country: str | None) -> tuple[int, int, Place] | None:
        """A region or town of `country` named at k, after direction words and a kind of place."""
        n = len(tokens)
        while k < n and tokens[k].norm in self.determiners:
            k += 1
        k = self._after_descriptor(tokens, k)
        m = by_start.get(k)
        lx = m.first("place") if m else None
        if lx and (not country or _region(lx).country == country):
            return k, m.end, _region(lx)
        if k < n and tokens[k].cap and tokens[k].is_word:
            e = self._name_end(tokens, k)
            for end in range(e, k, -1):
                place = lookup_city(" ".join(t.text for t in tokens[k:end]), (country,) if country else (),
                                    self._admin_hints(tokens, end))
                if place and (not country or place.country == country):
                    return k, end, place
        return None

    def _name_end(self, tokens: list[Token], j: int) -> int:
        """End of a capitalised name that may hold lower-case particles: "Jisr ash Shughur"."""
        k = j
        while k < len(tokens) and k - j < 5:
            t = tokens[k]
            if t.cap and t.is_word:
                k += 1
            elif t.norm in self.name_particles and k + 1 < len(tokens) and tokens[k + 1].cap and k > j:
                k += 1
            else:
                break
        return k

    def _address_at(self, tokens: list[Token], i: int, prefer: tuple[str, ...]) -> PlaceMention | None:
        if not (tokens[i].cap and tokens[i].is_word) or (i > 0 and tokens[i - 1].text == "("):
            return None
        k = self._name_end(tokens, i)
        if k >= len(tokens):
            return None
        if tokens[k].text == ",":
            # "Marte, Borno state", "Kanker, Chhattisgarh,": a town with its region after a comma counts only
            # when the gazetteer places the town in that region
            hints = self._admin_hints(tokens, k)
            place = lookup_city(" ".join(t.text for t in tokens[i:k]), prefer, hints) if hints else None
            if place is not None and any(admin_matches(h, place.admin1) or admin_matches(h, place.admin2)
                                         for h in hints):
                return PlaceMention(i, k, place, "at")
            return None
        if tokens[k].text != "(":
            return None
        hints = self._admin_hints(tokens, k)
        place = lookup_city(" ".join(t.text for t in tokens[i:k]), prefer, hints) if hints else None
        if place is None and hints:
            # a village the gazetteer lacks, with its region written after it ("Paletwa (Chin)"): the region
            lx = next((lx for h in hints for lx in self.cb.lookup(tuple(t.norm for t in tokenize(h)))
                       if lx.kind == "place"), None)
            if lx:
                return PlaceMention(i, k, _region(lx), "at")
            for h in hints:   # a region named like its capital ("Macina (Segou)"): the region, at the capital
                seat = lookup_city(h, prefer)
                if seat and admin_matches(h, seat.admin1):
                    return PlaceMention(i, k, Place(seat.admin1 or h, seat.country, seat.admin1, None, seat.latitude,
                                                    seat.longitude, 2), "at")
            return None
        if place is None or not any(admin_matches(h, place.admin1) or admin_matches(h, place.admin2)
                                    or fold(h) == fold(place.name) for h in hints):
            return None
        return PlaceMention(i, k, place, "at")

    def _admin_hints(self, tokens: list[Token], e: int) -> tuple[str, ...]:
        """"Douentza (Mopti)", "Janaale (Marka, Lower Shabelle)", "Kalma camp in South Darfur": the
        district and region written after a place name."""
        hints: list[str] = []
        k = e
        if k < len(tokens) and tokens[k].norm == "camp":
            k += 1
        if k < len(tokens) and tokens[k].text in ("(", ",") or (k < len(tokens) and tokens[k].norm == "in"):
            k += 1
            while k < len(tokens) and len(hints) < 3:
                words = []
                while k < len(tokens) and (tokens[k].cap and tokens[k].is_word or words and tokens[k].norm in
                                           self.name_particles and k + 1 < len(tokens) and tokens[k + 1].cap):
                    words.append(tokens[k].text)   # "(Rio de Janeiro)", "(Norte de Santander)"
                    k += 1
                if not words:
                    break
                hints.append(" ".join(words))
                if k < len(tokens) and tokens[k].norm == ",":
                    k += 1
                    continue
                break
        return tuple(hints)

    @staticmethod
    def _country_after(tokens: list[Token], e: int, by_start: dict[int, Mention]) -> str | None:
        """"Paris, France": the country after a comma disambiguates the city."""
        if e + 1 < len(tokens) and tokens[e].norm == "," and e + 1 in by_start:
            lx = by_start[e + 1].first("country")
            if lx:
                return lx.country
        return None

    # ------------------------------------------------------------ coding
    def analyse(self, text: str, skip_chars: int = 0) -> SentenceAnalysis:
        cb = self.cb
        tokens = tokenize(text)
        norms = [t.norm for t in tokens]   # read by every matcher below: made once
        present = set(norms)
        skip = next((k for k, t in enumerate(tokens) if t.start >= skip_chars), len(tokens)) if skip_chars else 0
        mentions = [m for m in match_lexicon(tokens, cb, norms) if m.start >= skip]
        groups = self.build_groups(tokens, mentions, skip)
        blocked = {k for m in mentions for k in range(m.start, m.end) if any(lx.kind != "agent" for lx in m.lexemes)}
        actor_starts = {g.start: g.end for g in groups}
        verbs = [v for v in match_verbs(tokens, cb, blocked, actor_starts, norms, present) if v.start >= skip]
        places = self.find_places(tokens, mentions, skip) if verbs or self.keep_places else []
        self._places = places
        for p in places:
            if p.place.country and p.prep != "mention":
                self.ctx.place_counts[p.place.country] = self.ctx.place_counts.get(p.place.country, 0) + 1
        notes: list[str] = []
        # the sentence's own countries count before its bare role nouns are placed ("negotiations between the
        # Syrian government and the opposition" in a story from Geneva: the opposition is Syria's)
        for g in groups:
            for a in g.actors:
                if a.resolved and a.country and a.code[:3] not in self.org_prefixes:
                    self.ctx.country_counts[a.country] = self.ctx.country_counts.get(a.country, 0) + 1
                if a.resolved and a.country and a.kind != "adjective":
                    seen = self.ctx.actor_counts.setdefault(a.code, [0, a, 0])
                    seen[0] += 1
                    seen[2] = self.ctx.sentence
        events = self._events(tokens, groups, verbs, notes, norms, present)
        if self.perpetrator_roots:
            done = [e.source for e in events if e.code.startswith(self.perpetrator_roots)]
            if done:
                self.ctx.perpetrators = list({a.code: a for a in done}.values())
        for g in groups:
            for a in g.actors:
                self.ctx.remember(a, count=False)
            resolved = [a for a in g.actors if a.resolved]
            if len(resolved) >= 2:
                self.ctx.last_compound = resolved
        return SentenceAnalysis(tokens, mentions, groups, verbs, places, events, notes, tuple(norms))

    def _resolve_actor(self, a: Actor, speaker: list[Actor] | None = None) -> Actor | None:
        if a.resolved:
            return a
        if a.needs_country:
            prior = self.ctx.by_role.get(a.role or "")
            if prior and prior.kind == "group" and prior.role == a.role:
                return Actor(prior.code, a.name, prior.country, prior.role, "group", inferred=True)
            country = self.ctx.main_country()
            if a.role in self.local_roles:
                # "killing four people" in Kyiv: civilians belong where it happened, not to the attacker
                here = next((p.place.country for p in self._places if p.place.country and p.prep != "mention"),
                            None) or self.ctx.dateline_country
                country = here or country
            if country:
                return Actor(country + (a.role or ""), a.name, country, a.role, a.kind, inferred=True)
        return None

    def _referent(self, g: Group, speaker: list[Actor] | None, subject: list[Actor] | None) -> list[Actor]:
        """Who a pronoun, "the group" or "his government" stands for."""
        kind = g.pronoun.split(":", 1)[-1]
        if speaker:
            return speaker
        if g.antecedent:
            return g.antecedent
        if g.antecedent is not None and g.pronoun in self.person_pronouns | self.group_pronouns:
            return []   # read at its place in the sentence, and nobody recent fits
        if kind in self.person_pronouns or kind in ("his", "her"):
            return [a for a in (self.ctx.recent_person(),) if a]
        if subject:
            return subject
        return [a for a in (self.ctx.recent_actor(),) if a]

    def _resolve_group(self, g: Group, speaker: list[Actor] | None = None, subject: list[Actor] | None = None) -> list[Actor]:
        if g.pronoun and g.pronoun.startswith("poss:"):
            role = g.actors[0].role if g.actors else None
            out = []
            for ref in self._referent(g, speaker, subject):
                if ref.kind in ("group", "org") and ref.role in (role, "REB", "UAF", "IGO"):
                    out.append(Actor(ref.code, g.text, ref.country, ref.role, ref.kind))
                elif ref.country:
                    out.append(Actor(ref.country + (role or ""), g.text, ref.country, role, "agent"))
            return out
        if g.pronoun:
            return self._referent(g, speaker, subject)
        out = []
        for a in g.actors:
            r = self._resolve_actor(a)
            if r:
                out.append(r)
        return out

    def _events(self, tokens: list[Token], groups: list[Group], verbs: list[VerbMatch], notes: list[str],
                norms: list[str] | None = None, present: set[str] | None = None) -> list[Event]:
        if norms is None:
            norms = [t.norm for t in tokens]
        if present is None:
            present = set(norms)
        if not verbs and self.refusal_firsts.isdisjoint(present):
            return []   # nothing to code (what the steps below would conclude, at a fraction of the cost)
        n = len(tokens)
        group_end = {g.end - 1: g for g in groups}
        group_start = {g.start: g for g in groups}
        skip = self._skip = self._transparent(tokens)
        verbs = self._light_verb_acts(tokens, verbs, group_start)
        verb_word = {w: v for v in verbs for w in v.words}
        refusal_spans = find_cues(tokens, self.cb.cue_keys.get("refusal", set()), skip, norms=norms, present=present)
        negation_spans = find_cues(tokens, self.cb.cue_keys.get("negation", set()), skip, norms=norms, present=present)
        intent_spans = find_cues(tokens, self.cb.cue_keys.get("intent", set()), skip, norms=norms, present=present)
        hedge_spans = find_cues(tokens, self.cb.cue_keys.get("hedges", set()), skip, norms=norms, present=present)
        background_spans = find_cues(tokens, self.cb.cue_keys.get("background_markers", set()), norms=norms,
                                     present=present)
        if "since" in present:
            background_spans += [(k, k + 2) for k in range(len(tokens) - 1)
                                 if tokens[k].norm == "since" and tokens[k + 1].norm.isdigit() and len(tokens[k + 1].norm) == 4]
        self._verb_starts = {v.start for v in verbs}
        clause_of = self._clauses(tokens)

        # refusal verbs that govern another verb ("refused to negotiate") are cues, not events
        governed: dict[int, str] = {}
        dropped: set[int] = set()
        for s, e in refusal_spans:
            nxt = next((v for v in verbs if e <= v.start <= e + 2), None)
            fallback = self._refusal_act(tokens, s, e)
            if fallback is not None and (nxt is None or fallback.rule.code == self.decline_comment_code):
                # "declined to give Ukraine a timetable" (120), "declined to elaborate" (011): the refusal is the act
                verbs = sorted([v for v in verbs if v is not nxt and not (s <= v.start < fallback.end)] + [fallback],
                               key=lambda v: v.start)
                continue
            if nxt is None:
                continue
            for v in verbs:
                if s <= v.start < e and v is not nxt:
                    if nxt.rule.negated or nxt.rule.speech is False:
                        dropped.add(id(v))
            governed[id(nxt)] = "refusal"
        verb_word = {w: v for v in verbs for w in v.words}
        active = [v for v in verbs if id(v) not in dropped]

        speech = [v for v in active if v.rule.speech]
        subj_memo: dict[int, tuple[Group | None, bool]] = {}
        purpose_of: dict[int, VerbMatch] = {}
        coordinated_at: dict[int, int] = {}   # verb -> the "and" joining it to a verb phrase with no pattern

        def subject(v: VerbMatch) -> tuple[Group | None, bool]:
            """The subject group of a verb, and whether negation is inherited from a coordinated verb."""
            if id(v) in subj_memo:
                return subj_memo[id(v)]
            subj_memo[id(v)] = (None, False)
            result: tuple[Group | None, bool] = (None, False)
            j = v.start - 1
            coordinated = False
            infinitive = j >= 0 and tokens[j].norm == "to"
            participle = j >= 0 and tokens[j].norm == "," and tokens[v.start].norm.endswith("ing")
            passed_cue = False
            while j >= 0:
                tok = tokens[j]
                if tok.norm == "," and j + 1 == v.start:
                    # "The United States, which arms Baghdad and the Peshmerga, said": the subject stands
                    # before the relative clause, not inside it
                    k = _comma_before(tokens, j)
                    if k > 0 and tokens[k].norm == "," and tokens[k + 1].norm in self.relative_words and \
                            (k - 1) in group_end and not group_end[k - 1].possessive and \
                            group_end[k - 1].prep is None and self._resolve_group(group_end[k - 1]):
                        result = (group_end[k - 1], False)
                        break
                if _in_spans(j, intent_spans) or _in_spans(j, refusal_spans):
                    passed_cue = True
                g = group_end.get(j)
                if g is not None and infinitive and not passed_cue and g.prep is None:
                    break  # "summoned China's ambassador to protest": not the ambassador's protest
                if g is not None and all(a.kind == "adjective" for a in g.actors) and g.actors:
                    j = g.start - 1   # "Israeli military operations": an adjective is never the one acting
                    continue
                if g is not None and not g.possessive and (g.prep is None or g.prep in self.breaks):
                    # apposition: "Haniyeh, leader of the Hamas Politburo, said"
                    if g.start >= 2 and tokens[g.start - 1].norm == "," and (g.start - 2) in group_end and \
                            not any(a.kind in ("country", "capital") for a in g.actors):
                        # not "When Hamas frees the hostages, Israel will ...": a country is no apposition
                        head = group_end[g.start - 2]
                        if not head.possessive and head.prep is None and self._resolve_group(head):
                            g = head
                    result = (g, False)
                    break
                if g is not None:
                    j = g.start - 1
                    continue
                if j in verb_word and verb_word[j] is not v and id(verb_word[j]) not in dropped:
                    other = verb_word[j]
                    if coordinated or infinitive and not any(
                            group_start.get(k) and not group_start[k].prep for k in range(other.end, v.start)):
                        sub, _ = subject(other)
                        result = (sub, coordinated and self._negated(tokens, other, negation_spans, refusal_spans, governed))
                        if infinitive:
                            purpose_of[id(v)] = other   # "is due to travel to Montevideo to meet": intent carries
                    elif tok.norm.endswith("ing") and v.start > 0 and tokens[v.start - 1].norm == ",":
                        result = subject(other)
                    elif tokens[v.start].norm.endswith("ing") and v.start > 0 and tokens[v.start - 1].norm == ",":
                        result = subject(other)
                    break
                if tok.norm in ("and", "or", "but") and j + 1 < n and (j + 1 == v.start or all(
                        tokens[k].norm in self.aux or _in_spans(k, negation_spans) or _in_spans(k, intent_spans)
                        for k in range(j + 1, v.start))):
                    # coordinated verb phrases share the subject (and the negation) of the verb before
                    prev = max((o for o in active if o.end <= j and o is not v and not o.rule.nominal),
                               key=lambda o: o.end, default=None)
                    if prev is not None and prev.rule.speech and j + 1 == v.start and \
                            not tokens[v.start].norm.endswith("ed") and any(
                                prev.end <= s0 and e0 <= j for s0, e0 in intent_spans) and any(
                                group_start.get(k) and group_start[k].prep is None for k in range(prev.end, j)):
                        prev = None   # "said his government would restore ... and allow": not coordinated with "said"
                    said = max((o for o in speech if o.end <= j), key=lambda o: o.end, default=None)
                    if prev is not None and said is not None and not prev.rule.speech and said.end <= prev.start and \
                            tokens[v.start].norm.endswith("ed") and j + 1 == v.start and \
                            tokens[said.start].norm in self.past_speech and any(
                                group_start.get(k) and group_start[k].prep is None for k in range(said.end, prev.start)):
                        # "China said Philippine ships had violated its waters and urged Manila to stop": the
                        # second finite verb goes with the speaker's, not with the reported clause's
                        prev = said
                    if prev is not None:
                        sub, _ = subject(prev)
                        own_aux = any(tokens[k].norm in self.aux for k in range(j + 1, v.start))
                        neg = not own_aux and self._negated(tokens, prev, negation_spans, refusal_spans, governed)
                        result = (sub, neg)
                        if not own_aux:
                            purpose_of[id(v)] = prev   # "agreed to resume ties and reopen embassies": both agreed
                        break
                    coordinated = True
                    coordinated_at.setdefault(id(v), j)
                    j -= 1
                    continue
                if tok.norm in self.relative_words and j >= 2 and tokens[j - 1].norm == "," and (j - 2) in group_end:
                    result = (group_end[j - 2], False)   # "Kuleba, who urged Berlin to ..."
                    break
                if tok.norm in self.breaks or tok.norm in self.subordinators:
                    break
                if infinitive and not passed_cue and tok.is_word and tok.norm != "to" and tok.norm not in self.aux and j not in skip and not (
                        _in_spans(j, intent_spans) or _in_spans(j, refusal_spans) or _in_spans(j, negation_spans)):
                    # "urged Mali to respect the right to protest": an infinitive's subject sits right
                    # before its cue ("plans to", "refused to"), never across other words
                    break
                if tok.norm == "," and (j - 1) not in group_end:
                    if participle:
                        # ", killing six people": the subject of the clause before
                        prev = max((o for o in active if o.end <= j and not o.rule.nominal), key=lambda o: o.end,
                                   default=None)
                        if prev is not None:
                            result = subject(prev)
                        else:
                            first = next((g for g in groups if g.end <= j and g.prep is None and not g.possessive
                                          and not g.pronoun), None)
                            result = (first, False)
                        break
                    # a subject never lies beyond a comma, except in an apposition ("X, leader of Y, said",
                    # "X, meeting in Luanda, demanded")
                    k = _comma_before(tokens, j)
                    head = group_end.get(k - 1) if k > 0 and tokens[k].norm == "," else None
                    if head is not None and head.prep in self.locative_preps:
                        # "Britain's ambassador in Khartoum, Irfan Siddiq, said": the place qualifies the head
                        head = next((g for g in reversed(groups) if g.end <= head.start and g.prep is None and
                                     all(t.norm in self.preps or t.norm in self.determiners
                                         for t in tokens[g.end:head.start])), None)
                    opener = tokens[k + 1] if k + 1 < n else None
                    if head is not None and not head.possessive and head.prep is None and opener is not None and (
                            k + 1 in group_start or (k + 2) in group_start or opener.norm in self.relative_words or
                            (k + 1 in verb_word and opener.norm.endswith("ing")) or
                            (opener.cap and opener.is_word and all(
                                t.cap or not t.is_word or t.norm.split("-")[0] in self.name_particles
                                for t in tokens[k + 1:j])) or
                            (opener.norm in self.aside_openers and j - k <= 9 and
                             not any(w in verb_word for w in range(k + 1, j))) or
                            (opener.norm in ("the", "a", "an") and j - k <= 9 and
                             not any(w in verb_word for w in range(k + 1, j))) or
                            (opener.norm.endswith("ed") and k + 2 < n and tokens[k + 2].norm == "by")):
                        # ... or a name or description in apposition: "Kuwait's emir, Sheikh Sabah al-Ahmad
                        # al-Sabah, spoke", "China, the North's main ally, called on"; or a participle aside:
                        # "X, supported by Y, retook Z"
                        result = (head, False)
                    break
                j -= 1
            subj_memo[id(v)] = result
            return result

        # reported speech: which speech verb's complement holds each verb
        speaker_of: dict[int, VerbMatch] = {}
        for v in active:
            if v.rule.speech:
                continue
            owner = None
            for s in speech:
                if s.end <= v.start:
                    owner = s
            if owner is not None:
                speaker_of[id(v)] = owner

        # demands and appeals govern the act they ask for: "demanded that Pakistan release the pilot" is one
        # demand (1053), not a demand plus a release
        governed_by: dict[int, VerbMatch] = {}
        governed_act: dict[int, VerbMatch] = {}
        refined: dict[int, str] = {}
        for gv in active:
            table = self.governing.get(gv.rule.code[:2])
            if table is None or gv.rule.speech:
                continue
            for act in active:
                if act is gv or act.start < gv.end or act.start - gv.end > 14 or act.rule.speech:
                    continue
                span = [t.norm for t in tokens[gv.end:act.start]]
                if not (span and span[-1] == "to" or "that" in span or act.start == gv.end or
                        (act.start - gv.end <= 2 and any(tokens[w].norm == "that" for w in gv.words))):
                    # "demanded that Pakistan immediately release": the pattern took "that TARGET" itself
                    continue
                if any(t in self.breaks for t in span) or any(o is not gv and o is not act and gv.end <= o.start < act.start
                                                              and not o.rule.nominal for o in active):
                    continue
                governed_by[id(act)] = gv
                governed_act[id(gv)] = act
                code = act.rule.code
                generic = len(gv.rule.code) == 2 or gv.rule.code.endswith("0")
                if gv.rule.code.startswith("03") and not table and generic:
                    refined[id(gv)] = self._intent_code(code)   # "willing to discuss" -> intent to negotiate
                for L in range(len(code), 1, -1):
                    if code[:L] in table and generic:
                        refined[id(gv)] = table[code[:L]]
                        break
                break

        events: list[Event] = []
        consumed: set[int] = set()
        speech_window: dict[int, tuple[int, int]] = {}
        speaker_actors: dict[int, list[Actor]] = {}
        for s in speech:
            g, _ = subject(s)
            outer = next((speaker_actors[id(o)] for o in reversed(speech) if o.end <= s.start and speaker_actors.get(id(o))),
                         None)
            # "The Kremlin said it would not comment": the pronoun is the speaker of the outer clause
            speaker_actors[id(s)] = self._resolve_group(g, speaker=outer if g and g.pronoun else None) if g else []

        for v in active:
            if v.rule.speech:
                continue
            if v.rule.nominal:
                events.extend(self._nominal(tokens, v, group_start, verb_word, clause_of, notes))
                continue
            if id(v) in governed_by:
                notes.append(f"{v.rule.rule_id}: the act asked for by {governed_by[id(v)].rule.rule_id}: not coded")
                continue
            if self._noun_use(tokens, v):
                notes.append(f"{v.rule.rule_id}: '{tokens[v.start].text}' is used as a noun here: not coded")
                continue
            if any(clause_of[v.start][0] <= bs < clause_of[v.start][1] or
                   (bs == clause_of[v.start][1] and tokens[bs].norm in self.breaks) for bs, _ in background_spans):
                # (a "since 2014" that closes the clause is its time: "has carried out attacks since 2014")
                notes.append(f"{v.rule.rule_id}: background ('previously', 'since 2014'): not coded")
                continue
            denial = next((d for d in active if d.rule.code in self.denial_codes and d.end <= v.start and
                           "that" in (t.norm for t in tokens[d.end:v.start])), None)
            if denial is not None:
                notes.append(f"{v.rule.rule_id}: denied by {denial.rule.rule_id}: not coded")
                continue
            opener = clause_of[v.start][0]
            if tokens[opener].norm in self.conditionals and not any(t.norm == "," for t in tokens[opener:v.start]):
                # "would perish if he stepped down"; not "If talks fail, Iran will resume ..."
                notes.append(f"{v.rule.rule_id}: in an 'if' clause (hypothetical): not coded")
                continue
            if self._hedged(tokens, v, hedge_spans):
                notes.append(f"{v.rule.rule_id}: hedged or forecast ('expected to', 'believed to'): not coded")
                continue
            if v.start > 1 and tokens[v.start - 1].norm == "," and tokens[v.start].norm.endswith("ing") and \
                    v.rule.code[:2] in self.consequence_roots:
                prev = max((o for o in active if o.end < v.start and not o.rule.nominal and not o.rule.speech),
                           key=lambda o: o.end, default=None)
                if prev is not None and prev.rule.code[:2] in self.consequence_roots:
                    # "shelled Kyiv, killing four people": the toll of the shelling, not a second event
                    notes.append(f"{v.rule.rule_id}: the outcome of {prev.rule.rule_id}: not coded")
                    continue
            passive_src = self._passive_source(tokens, v, group_start)
            owner = speaker_of.get(id(v))
            spk = speaker_actors.get(id(owner)) if owner else None
            authority = passive_src is None and self._is_passive(tokens, v) and bool(spk) and \
                v.rule.code.startswith(self.passive_speaker_codes) and all(a.role in self.authority_roles for a in spk)
            if passive_src is None and self._is_passive(tokens, v) and not authority:
                notes.append(f"{v.rule.rule_id}: passive without an agent: the source is unknown")
                continue
            g, inherited_neg = subject(v)
            if authority:
                # "the Interior Ministry said 308 people had been arrested": the authority tells its own act
                # (not "the Defence Ministry said 195 Russian servicemen had been freed": done to its own side)
                sources = spk
                tgt_actors = self._resolve_group(g) if g else []
                if any(_same_side([t], spk) and t.role in self.authority_roles for t in tgt_actors):
                    notes.append(f"{v.rule.rule_id}: done to the speaker's own side, by someone unnamed: not coded")
                    continue
                consumed.add(id(owner))
                speech_window[id(v)] = self._speech_window(tokens, owner, clause_of)
            elif passive_src is not None:
                sources = self._resolve_group(passive_src)
                tgt_actors = self._resolve_group(g) if g else []
                if passive_src.via_to and sources and tgt_actors and all(a.inferred for a in sources) and \
                        _same_side(sources, tgt_actors):
                    # "Israel's ambassador in Ankara was summoned to the Foreign Ministry": an agent with no
                    # country of its own is not the target's side: the country of the place named, or the dateline's
                    other = next((c for c in [p.place.country for p in self._places if p.prep != "mention"] +
                                  [self.ctx.dateline_country] if c and c not in {t.country for t in tgt_actors}), None)
                    sources = [Actor(other + (a.role or ""), a.name, other, a.role, a.kind, inferred=True)
                               for a in sources] if other else []
                if not sources:
                    continue
            else:
                if g is None:
                    if self._is_passive(tokens, v):
                        notes.append(f"{v.rule.rule_id}: passive without an agent: no source")
                    continue
                sources = self._resolve_group(g, speaker=spk if g.pronoun else None)
                if owner is not None:
                    if not spk:
                        continue
                    if not g.pronoun and all(a.role in self.armed_nonstate_roles for a in sources) and \
                            not any(a.role in self.armed_nonstate_roles for a in spk) and _same_side(sources, spk):
                        # "Police said gunmen killed 12 people": the unnamed group takes the place's country, yet
                        # it is not the speaker's side; its own act, reported (a named third party stays hearsay).
                        # The speaker's statement stays an event of its own.
                        speech_window[id(v)] = self._speech_window(tokens, owner, clause_of)
                    elif g.pronoun or _same_side(sources, spk):
                        sources = spk
                        consumed.add(id(owner))
                        speech_window[id(v)] = self._speech_window(tokens, owner, clause_of)
                    else:
                        notes.append(f"{v.rule.rule_id}: hearsay about a third party in reported speech: not coded")
                        continue
                if not sources:
                    continue
                tgt_actors = None
            negated = inherited_neg or self._negated(tokens, v, negation_spans, refusal_spans, governed)
            code = refined.get(id(v), v.rule.code)
            symmetric = False
            if negated:
                rejection = v.rule.negated or self._rejection_for(code)
                if not rejection:
                    notes.append(f"{v.rule.rule_id}: negated and the pattern has no rejection code: no event")
                    continue
                code = rejection
            elif self.content_openers and (cue := self._intended(tokens, v, intent_spans, g)) and \
                    any(s0 <= 1 for s0, _ in find_cues(tokens[:5], self.content_openers)):
                # "Under the deal, both sides will withdraw their forces": the terms of an agreement, not acts
                notes.append(f"{v.rule.rule_id}: a term of an agreement ('under the deal ... will'): not coded")
                continue
            elif cue := (self._intended(tokens, v, intent_spans, g) or (
                    id(v) in purpose_of and self._intended(tokens, purpose_of[id(v)], intent_spans, g)) or (
                    self._coordinated_intent(tokens, g, coordinated_at.get(id(v)), intent_spans))):
                symmetric = code.startswith(self.symmetric)
                if len(sources) >= 2 and tuple(tokens[k].norm for k in range(*cue) if k not in self._skip) \
                        in self.agreement_cues:
                    # "Saudi Arabia and Iran agreed to restore ties": an agreement between them, not two intents
                    code = self.agreement_code or code
                    symmetric = True
                else:
                    conditional = any(t.norm in self.conditionals for t in tokens[v.end:])
                    code = self._intent_code(code, conditional)
            if tgt_actors is None:
                tgt_actors = self._targets(tokens, v, group_start, clause_of, sources)
            if not tgt_actors and not negated and self.ctx.perpetrators and code.startswith(self.reaction_roots) \
                    and self._names_past_act(tokens, v, group_start):
                # "Syria's Foreign Ministry condemned the attack": aimed at whoever carried it out
                tgt_actors = [a for a in self.ctx.perpetrators if not _same_side([a], sources)]
            if tgt_actors and v.rule.code.startswith(self.self_yield_roots) and not code.startswith(self.domestic_codes):
                # "Israel would not release thousands of troops": a state does not yield to its own forces or
                # government; a role noun given the source's country by default is not the target
                kept = [t for t in tgt_actors if not (t.inferred and t.role in self.authority_roles and
                                                      _same_side([t], sources))]
                if not kept and v.target_at is not None:
                    notes.append(f"{v.rule.rule_id}: its only target is the source's own side: not coded")
                    continue   # the pattern matched only through that target
                tgt_actors = kept
            if not tgt_actors and id(v) in governed_act:
                # "marched to demand the resignation of President Lukashenko": the demand's target
                tgt_actors = self._targets(tokens, governed_act[id(v)], group_start, clause_of, sources)
            if not tgt_actors and len(sources) >= 2 and not negated and (symmetric or code.startswith(self.symmetric)):
                # "X and Y met", "talks were attended by X and Y": the participants met each other
                tgt_actors = sources[1:]
                sources = sources[:1]
            if not tgt_actors and not negated and self.counterpart_roots and code.startswith(self.counterpart_roots) \
                    and not code.startswith(self.domestic_codes):
                other = self._counterpart(sources)
                if other is not None:
                    # "Seoul would take countermeasures" in a story about Japan and South Korea: the other side
                    tgt_actors = [other]
            if code.startswith(self.crowd_roots) and self.crowd_code and not negated and self._crowd(sources, g):
                # "protesters stormed the residence", "crowds looted", "Bolsonaro supporters stormed Congress":
                # violence by a crowd is a violent protest
                code = self.crowd_code
            if code in self.weapon_codes_for:
                # "drone attacks struck", "killed 12 people in an air strike": the weapon named in the clause
                # makes a generic attack specific
                lo, hi = clause_of[v.start]
                spans = find_cues(tokens[lo:hi], self.weapon_keys)
                if spans:
                    s0, e0 = spans[0]
                    code = self.weapon_code[" ".join(t.norm for t in tokens[lo + s0:lo + e0])]
            sources = self._acting_through(sources, code)
            if not tgt_actors and not negated and len(sources) == 1 and code.startswith(self.domestic_codes) and \
                    sources[0].country and sources[0].country.isalpha() and sources[0].code[:3] not in self.org_prefixes:
                # "Ethiopia declared a state of emergency", "Morales resigned": acts on the actor's own country
                c = sources[0].country
                tgt_actors = [Actor(c, c, c, None, "country", inferred=True)]
            if code in self.hosted_codes and sources and all(
                    not t or (len(t.code) == 3 and t.code == src.country) for src in sources
                    for t in (tgt_actors or [None])):
                # "Widodo visited the scene", "arrived in the city": a visit needs a host abroad
                notes.append(f"{v.rule.rule_id}: a visit with no host outside the visitor's country: not coded")
                continue
            if v.rule.code == self.refusal_fallback_code and v.rule is self._fallback_rules.get(v.rule.code) \
                    and not tgt_actors:
                notes.append(f"{v.rule.rule_id}: a refusal of something with no pattern and no one: not coded")
                continue
            evidence = " ".join(tokens[k].text for k in v.words)
            reciprocal = len(sources) >= 2 and self._reciprocal(tokens, v, clause_of)
            for src in sources:
                # "Russia and Ukraine exchanged prisoners": each side acts on the other
                others = [t for t in sources if t.code != src.code] if reciprocal else tgt_actors or []
                kept = [t for t in others if t.code != src.code]
                if others and not kept and code.startswith(self.self_meeting_roots):
                    # "the prime minister held an emergency meeting with ministers": a meeting within one
                    # government is no event between actors
                    notes.append(f"{v.rule.rule_id}: met only its own side: not coded")
                    continue
                for tgt in (kept or [None]):
                    events.append(Event(code, src, tgt, v.rule.rule_id, evidence, v.start, clause_of[v.start],
                                        src.name, tgt.name if tgt else "", speech_window.get(id(v))))
        for s in speech:
            spk = speaker_actors.get(id(s)) or []
            if self._trailing(tokens, s, active):
                # "Germany will reopen its embassy in Kyiv, she said": the attribution of what precedes
                before = [e for e in events if e.anchor < s.start]
                for e in before:
                    if spk and len(e.source.code) <= 3 and _same_side([e.source], spk):
                        e.source = spk[0]
                if before:
                    continue
            if id(s) in consumed:
                continue
            code = s.rule.code
            if self._negated(tokens, s, negation_spans, refusal_spans, governed):
                if not s.rule.negated:
                    continue
                code = s.rule.negated
            tail = tokens[s.end:]
            judged = self.disapproving_code and code == s.rule.code and s.rule.code.startswith("01") and \
                find_cues(tail, self.cb.cue_keys.get("disapproving", set()))
            judged_targets = [a for g in groups if s.end <= g.start < s.end + judged[0][0] and not g.pronoun
                              for a in self._resolve_group(g) if not _same_side([a], spk)][:1] if judged else []
            if judged_targets:
                # "said the annexation was illegal": a criticism of whoever the complement names (with no one
                # named, "they made a mistake", "an unacceptable risk", it stays a statement)
                code = self.disapproving_code
                targets = judged_targets
            elif find_cues(tail, self.cb.cue_keys.get("pessimistic", set())):
                code = "012" if "012" in self.cb.taxonomy else code
            elif find_cues(tail, self.cb.cue_keys.get("optimistic", set())):
                code = "013" if "013" in self.cb.taxonomy else code
            if not judged_targets:
                targets = self._targets(tokens, s, group_start, clause_of, spk) if s.rule.target != "none" else []
            window = self._speech_window(tokens, s, clause_of)
            for src in self._acting_through(spk, code):
                for tgt in (targets or [None]):
                    events.append(Event(code, src, tgt, s.rule.rule_id, " ".join(tokens[k].text for k in s.words),
                                        s.start, window, src.name, tgt.name if tgt else ""))
        return _dedupe(events)

    def _speech_window(self, tokens: list[Token], s: VerbMatch, clause_of) -> tuple[int, int]:
        """Where a statement's own date and place are written: before the reported clause ("said in a
        speech in the West Bank on the same day that ..."), not inside it."""
        lo, hi = clause_of[s.start]
        end = next((k for k in range(s.end, min(len(tokens), s.end + 24)) if tokens[k].norm in self.subordinators),
                   None)
        return lo, end if end is not None else min(len(tokens), s.end + 6)

    def _clauses(self, tokens: list[Token]) -> list[tuple[int, int]]:
        """For each token, the (start, end) of its clause."""
        cuts = [0]
        n = len(tokens)
        cut_words = self._cut_words
        for k, t in enumerate(tokens):
            norm = t.norm
            if norm in cut_words:
                cuts.append(k)
            elif norm == "," and k + 1 < n and (tokens[k + 1].norm in ("and", "but", "or", "while", "saying", "adding")
                                                or (k + 1 in self._verb_starts and not tokens[k + 1].cap
                                                    and tokens[k + 1].norm.endswith("ed"))
                                                  or (not tokens[k + 1].cap and tokens[k + 1].norm.endswith("ed") and
                                                      k + 2 < n and tokens[k + 2].norm in self.preps)):
                cuts.append(k)   # a new clause, or a participial one (", declared in 2008", ", saying ...")
        cuts.append(n)
        spans = []
        for a, b in zip(cuts, cuts[1:]):
            spans.extend([(a, b)] * (b - a))
        return spans or [(0, n)]

    def _negated(self, tokens, v, negation_spans, refusal_spans, governed) -> bool:
        if governed.get(id(v)) == "refusal":
            return True
        lo = max(0, v.start - 4)
        for s, e in negation_spans:
            if lo <= s < v.start and all(tokens[k].norm in self.aux or _in_spans(k, negation_spans)
                                         or k in self._skip for k in range(e, v.start)):
                return True
        return False

    def _intended(self, tokens, v, intent_spans, g) -> tuple[int, int] | None:
        lo = max(0, v.start - 5 - len(self._skip))
        for s, e in intent_spans:
            if lo <= s and e <= v.start and all(tokens[k].norm in self.aux or tokens[k].norm == "to" or k in self._skip
                                                 or _in_spans(k, intent_spans) for k in range(e, v.start)):
                return s, e
        return None

    def _coordinated_intent(self, tokens, g, conj: int | None, intent_spans) -> tuple[int, int] | None:
        """"would restore basic services and allow humanitarian access": the modal before the first verb of
        a coordination (one with no pattern of its own) governs the second too."""
        if conj is None or g is None or tokens[conj].norm not in ("and", "or") or \
                tokens[conj + 1].norm.endswith("ed"):
            return None   # "would have faced impeachment but resigned": the second verb is a fact
        for s, e in intent_spans:
            if g.end <= s and e < conj and tokens[e].is_word and tokens[e].norm not in self.aux and not any(
                    tokens[k].norm in self.breaks for k in range(e, conj)):
                return s, e
        return None

    def _crowd(self, sources: list[Actor], g: Group | None) -> bool:
        """Whether the ones acting are a crowd: by role or name, or by the head of the subject phrase
        ("thousands of supporters of former President Bolsonaro": the crowd, not the man)."""
        if sources and all(a.role in self.crowd_roles or any(w in a.name.lower().split() for w in self.crowd_words)
                           for a in sources):
            return True
        head = g.text.lower().split()[:4] if g is not None and not g.pronoun else []
        return any(w in head for w in self.crowd_words)

    def _acting_through(self, actors: list[Actor], code: str) -> list[Actor]:
        """"North Korea fired artillery shells", "Ethiopia declared a state of emergency", "Japan said": a country
        named as the one acting acts through its forces or its government (cues.yaml country_roles_by_code)."""
        role = next((r for prefix, r in self.country_roles if code.startswith(prefix)), None)
        if not role:
            return actors
        return [Actor(a.code + role, a.name, a.country, role, a.kind, inferred=True)
                if a.kind == "country" and len(a.code) == 3 and a.code.isalpha() else a for a in actors]

    def _counterpart(self, sources: list[Actor]) -> Actor | None:
        """The actor the article has named most often (at least `counterpart_min` times, the last time at most
        `counterpart_recent` sentences ago) that is not on the sources' side: in a story about two sides, an act
        with no target named is aimed at the other one."""
        countries = {a.country for a in sources}
        best = None
        for count, actor, last in self.ctx.actor_counts.values():
            if actor.country in countries or count < self.counterpart_min or \
                    self.ctx.sentence - last > self.counterpart_recent:
                continue
            if best is None or count > best[0]:
                best = (count, actor)
        return best[1] if best else None

    def _names_past_act(self, tokens, v, group_start) -> bool:
        """"condemned the attack", "called Tuesday's killing ...": the verb's object is a definite noun naming
        an act told before (right after the verb, also inside a pattern's gap: "called the seizure an act of war")."""
        k = v.start + 1
        if k >= len(tokens) or k in group_start:
            return False
        if tokens[k].norm not in self.event_ref_determiners and not (
                k + 1 < len(tokens) and tokens[k + 1].norm == "'s" and k + 1 not in group_start):
            return False
        for j in range(k, min(len(tokens), k + 5)):
            if tokens[j].norm in self.event_ref_nouns:
                return True
            if j in group_start or tokens[j].norm in self.breaks or tokens[j].norm in self.preps:
                return False
        return False

    @staticmethod
    def _trailing(tokens, s, active) -> bool:
        """A speech verb at the end of its sentence ("..., officials said.") attributes what came before."""
        rest = [t for t in tokens[s.end:] if t.is_word]
        return len(rest) <= 4 and not any(v.start >= s.end for v in active) and s.start > 0 and \
            any(t.norm == "," for t in tokens[max(0, s.start - 6):s.start])

    def _reciprocal(self, tokens: list[Token], v: VerbMatch, clause_of) -> bool:
        """"exchanged prisoners", "accused each other": the act goes both ways between its subjects."""
        if tokens[v.start].norm in self.reciprocal_verbs:
            return True
        spans = find_cues(tokens[v.end:clause_of[v.start][1]], self.reciprocal_phrases)
        return bool(spans)

    def _refusal_act(self, tokens: list[Token], s: int, e: int) -> VerbMatch | None:
        """The refusal cue itself as the act, when what is refused has no pattern of its own."""
        if not self.refusal_fallback_code or not find_cues(tokens[s:e], self.refusal_fallback_keys) or e >= len(tokens):
            return None
        said = find_cues(tokens[e:e + 3], self.decline_comment_keys)
        if said and said[0][0] == 0:
            code, end = self.decline_comment_code, e + said[0][1]
        elif tokens[e].is_word and not tokens[e].cap:
            code, end = self.refusal_fallback_code, e + 1
        else:
            return None
        rule = self._fallback_rules.get(code)
        if rule is None:
            rule = self._fallback_rules[code] = VerbRule(f"cues:refusal:{code}", code, "refusal cue", [], None,
                                                         "object", False, False, "cameo/cues.yaml", 0)
        return VerbMatch(s, end, rule, None, list(range(s, end)))

    def _transparent(self, tokens: list[Token]) -> set[int]:
        """Tokens a verb and what it governs may have between them: "agreed on Friday to", "also refused to"."""
        out: set[int] = set()
        for k in range(len(tokens) - 1, -1, -1):
            norm = tokens[k].norm
            if norm in self.transparent or (norm in self.time_openers and k + 1 in out):
                out.add(k)
        return out

    def _light_verb_acts(self, tokens: list[Token], verbs: list[VerbMatch], group_start) -> list[VerbMatch]:
        """"X and Y held a summit", "staged a protest": an event noun after a light verb is the act of the
        verb's subject, coded like a verb (the noun alone only codes "talks between X and Y")."""
        if not self.light_verbs or not any(v.rule.nominal or v.start > 0 for v in verbs):
            return verbs
        ends = {e: s for s, e in find_cues(tokens, self.light_verbs)}
        if not ends:
            return verbs
        taken = {w for v in verbs for w in v.words}
        out = []
        for v in verbs:
            k, between = v.start, 0
            while k - 1 >= 0 and k not in ends and between < 3 and tokens[k - 1].is_word \
                    and not tokens[k - 1].cap and k - 1 not in taken and k - 1 not in group_start \
                    and ("-" in tokens[k - 1].norm or not tokens[k - 1].norm.endswith(("ed", "ing"))):
                # "held an emergency meeting", "held closed-door talks"; not "has faced criticism"
                k -= 1
                between += 1
            light = ends.get(k)
            noun_use = v.rule.nominal or any(tokens[w].norm in self.determiners for w in range(k, v.start))
            if light is None or not noun_use or any(w in taken for w in range(light, k)):
                out.append(v)
                continue
            rule = v.rule if not v.rule.nominal else replace(v.rule, nominal=False)
            out.append(VerbMatch(light, v.end, rule, v.target_at, list(range(light, k)) + v.words))
        return out

    def _noun_use(self, tokens, v) -> bool:
        """"a protest over", "for hosting the talks": the verb word is a noun or gerund here."""
        if v.start == 0:
            return False
        before = tokens[v.start - 1].norm
        head = tokens[v.start].norm
        if before in self.noun_markers or before == "that":
            return True
        if before in self.preps and before not in ("to", "by") and not head.endswith("ed"):
            return True   # "in exchange for", "after talks"
        # ("responded by recalling its ambassador": a gerund after "by" is the means, the subject's own act)
        return head.endswith("ing") and before in ("for", "of", "without", "after", "before", "on", "in",
                                                   "about", "from", "against")

    def _hedged(self, tokens, v, hedge_spans) -> bool:
        lo = max(0, v.start - 5)
        return any(lo <= s and e <= v.start and all(tokens[k].norm in self.aux or tokens[k].norm == "to"
                                                     for k in range(e, v.start)) for s, e in hedge_spans)

    def _rejection_for(self, code: str) -> str | None:
        """The generic rejection of a cooperative act that the codebook gives no rejection of its own."""
        table = self.cb.cues.get("negation_fallback") or {}
        for L in range(len(code), 1, -1):
            if code[:L] in table:
                return table[code[:L]]
        return None

    def _intent_code(self, code: str, conditional: bool = False) -> str:
        tables = [self.cb.cues.get("intent_codes") or {}]
        if conditional:
            tables.insert(0, self.cb.cues.get("conditional_intent_codes") or {})
        for table in tables:
            for L in range(len(code), 0, -1):
                if code[:L] in table:
                    return table[code[:L]]
        return code

    def _is_passive(self, tokens, v) -> bool:
        j = v.start - 1
        while j >= 0 and tokens[j].norm in self.aux - self.be:
            j -= 1
        head = tokens[v.start].norm
        return j >= 0 and tokens[j].norm in self.be and not head.endswith("ing")

    def _passive_source(self, tokens, v, group_start) -> Group | None:
        head = tokens[v.start].norm
        if head.endswith("ing") or head.endswith("s") and not head.endswith("ss"):
            return None
        passive = self._is_passive(tokens, v)
        k = v.end
        while k < len(tokens) and k in self._skip:
            k += 1   # "was signed on Wednesday by X and Y"
        if passive and k + 1 < len(tokens) and tokens[k].norm == "and":
            # "were looted and set alight by rioters": coordinated participles share the agent
            c = next((c for c in range(k + 1, min(len(tokens), k + 5)) if tokens[c].norm == "by"), None)
            if c is not None and all(t.is_word and not t.cap for t in tokens[k + 1:c]):
                k = c
        # "X was attacked by Y", "talks attended by Y"
        if passive and self.clash_nouns:
            # "were killed in a violent face-off with Chinese troops": the other side of the clash did it
            for c in range(k, min(len(tokens), k + 8)):
                if tokens[c].norm in self.clash_nouns and c + 1 < len(tokens) and tokens[c + 1].norm == "with":
                    found = self._agent_after(tokens, c + 2, group_start)
                    if found is not None:
                        return found
                if tokens[c].norm in self.breaks or tokens[c].norm == ",":
                    break
        if k < len(tokens) and tokens[k].norm == "by" and (passive or v.start > 0 and tokens[v.start - 1].norm in (",",)):
            return self._agent_after(tokens, k + 1, group_start)
        if passive and v.words and tokens[v.words[-1]].norm == "to" and v.words[-1] == v.end - 1:
            # a pattern ending in "to" in the passive: "was summoned to the Foreign Ministry" - it summoned
            found = self._agent_after(tokens, v.end, group_start)
            return replace(found, via_to=True) if found is not None else None
        return None

    def _agent_after(self, tokens, j, group_start) -> Group | None:
        """The actor group starting at j ("by X", "a clash with X"), past determiners and modifiers; a word the
        codebook does not know may stand before the role noun ("by suspected Maoist rebels")."""
        start = j
        while j < len(tokens) and (tokens[j].norm in self.determiners or tokens[j].norm == "of" or
                                   tokens[j].norm in self.actor_modifiers):
            j += 1
        found = group_start.get(j) or group_start.get(start)
        if found is None:
            found = next((group_start[c] for c in range(j + 1, min(len(tokens), j + 3)) if c in group_start
                          and all(t.is_word and t.norm not in self.function_words for t in tokens[j:c])), None)
        return found

    def _targets(self, tokens, v, group_start, clause_of, sources) -> list[Actor]:
        mode = v.rule.target
        if mode == "none":
            return []
        if v.target_at is not None and v.target_at in group_start:
            g = group_start[v.target_at]
            if g.pronoun in self.object_pronouns:
                return self._object_referent(v, group_start, sources) or self._resolve_group(g, subject=sources)
            return self._resolve_group(g, subject=sources)
        n = len(tokens)
        clause_end = clause_of[v.start][1] if v.start < n else n
        j = v.end
        if mode == "from":
            while j < min(n, v.end + 8) and tokens[j].norm not in ("from", "of"):
                j += 1
            j += 1
            while j < n and tokens[j].norm in self.determiners and j not in group_start:
                j += 1   # "from South Sudan": "South" starts the name, it is no modifier here
            g = group_start.get(j)
            if g:
                return self._resolve_group(g, subject=sources)
            m = self._place_actor(tokens, j)
            return [m] if m else []
        # an actor written inside the pattern: "release * prisoners" over "Palestinian prisoners"
        inner_weak: list[Actor] = []
        inner = [g for start, g in group_start.items() if v.start < start < v.end or v.start < g.end - 1 < v.end]
        if inner and not v.rule.nominal:
            g = min(inner, key=lambda g: g.start)
            if g.prep not in ("in", "at", "near") and not g.possessive and g.pronoun not in ("its", "their"):
                found = self._own_side_removed(self._resolve_group(g, subject=sources), sources, g)
                if any(not a.inferred for a in found):
                    return found
                inner_weak = found
        k = v.end
        while k < n and tokens[k].norm in self.determiners:
            k += 1
        if k < n and k not in group_start and tokens[k].cap and v.rule.code[:2] in self.place_target_roots:
            # "visited Bucha", "shelled Kharkiv": a place acted on stands for its country
            actor = self._place_actor(tokens, k)
            if actor is not None:
                return [actor]
        limit = min(n, v.end + 12, max(clause_end, v.end + 1))
        weak: list[Actor] = inner_weak
        while j < limit:
            g = group_start.get(j)
            if g is not None:
                near_of = g.prep == "of" and (j - v.end <= 4 or j - v.end <= 9 and all(
                    (t.is_word and not t.cap and k not in self._verb_starts and
                     (t.norm not in self.preps or t.norm == "of")) or t.norm.replace(",", "").isdigit()
                    for k, t in enumerate(tokens[v.end:j], v.end)))
                # ("sanctions on 10 individuals and four entities of the European Union": whose they are)
                # "broke up a rally by opposition supporters": after an active verb, "by" names whom it is done to
                by_agent = g.prep == "by" and not self._is_passive(tokens, v)
                if g.prep is not None and g.prep not in self.target_preps and j != v.end and not near_of and \
                        not by_agent and \
                        not (j == v.end + 1 and tokens[v.end].norm in self.determiners):
                    j = g.end   # "under the auspices of X", "in Cairo": not what the verb acts on
                    continue
                if g.pronoun in ("its", "their"):
                    j = g.end
                    continue
                if g.pronoun in self.object_pronouns or (g.pronoun == "it" and j == v.end and not v.rule.speech):
                    # "accusing it of ...": right after an act, "it" is its object
                    found = self._object_referent(v, group_start, sources)
                    if found:
                        return found
                    if g.pronoun in self.object_pronouns and not any(
                            a.code not in {x.code for x in sources} for a in self._resolve_group(g)):
                        j = g.end   # "we would contact the doctor, tell them": no one but the source
                        continue
                if g.actors and all(a.kind == "adjective" for a in g.actors):
                    later = next((group_start[k] for k in range(g.end, min(n, g.end + 3)) if k in group_start), None)
                    if later is not None and later.prep is None:
                        j = later.start   # "Russian counterpart Sergei Lavrov": the person, not the adjective
                        continue
                found = self._own_side_removed(self._resolve_group(g, subject=sources), sources, g)
                strong = [a for a in found if not a.inferred]
                if strong:
                    return found
                # "sent 800 peacekeepers to South Sudan": a role noun with no country of its own is what
                # moves; the country it goes to is the target, if one follows
                weak = weak or found
                j = g.end
                continue
            if tokens[j].norm in self.target_preps and j + 1 < n and (j + 1) not in group_start:
                k = j + 1
                while k < n and tokens[k].norm in self.determiners:
                    k += 1
                if k < n and k not in group_start and tokens[k].cap:
                    actor = self._place_actor(tokens, k)   # "airlifted food to Gaza"
                    if actor is not None:
                        return [actor]
            if tokens[j].norm in self.breaks or tokens[j].norm in self.subordinators or tokens[j].norm == ",":
                break
            j += 1
        if not weak and v.rule.code[:2] in self.place_fallback_roots and len(sources) == 1:
            # "bombed targets in northern Iraq": with no actor acted on, the country where it happened
            lo, hi = clause_of[v.start]
            place = next((p for p in self._places if v.end <= p.start < hi and p.prep != "mention"
                          and p.place.country), None)
            if place is not None:
                return [Actor(place.place.country, place.place.name, place.place.country, None, "place")]
        return weak

    def _object_referent(self, v: VerbMatch, group_start, sources: list[Actor]) -> list[Actor]:
        """"spoke to Qatar's emir and urged him to ...": an object pronoun stands for the last other actor
        named before the verb in the sentence."""
        before = [o for o in group_start.values() if o.end <= v.start and not o.pronoun and o.actors]
        for o in sorted(before, key=lambda o: -o.start):
            found = [a for a in self._resolve_group(o) if not any(a.code == x.code for x in sources)]
            if found:
                return found
        return []

    @staticmethod
    def _own_side_removed(targets: list[Actor], sources: list[Actor], g: Group) -> list[Actor]:
        """"withdraw its troops": a possessive naming the source's own side is not a target."""
        if g.pronoun and g.pronoun.startswith("poss:"):
            countries = {s.country for s in sources}
            return [t for t in targets if t.country not in countries]
        return targets

    def _place_actor(self, tokens, j) -> Actor | None:
        """A place standing as target ("withdraw from the Gaza Strip", "visited Bucha") codes as its country."""
        for L in (4, 3, 2, 1):
            key = tuple(t.norm for t in tokens[j:j + L])
            for lx in self.cb.lookup(key):
                if lx.kind == "place" and lx.country:
                    return Actor(lx.country, " ".join(t.text for t in tokens[j:j + L]), lx.country, None, "place")
                if lx.kind == "country":
                    return Actor(lx.country, lx.name, lx.country, None, "country")
        k = j
        while k < len(tokens) and k - j < 3 and tokens[k].cap and tokens[k].is_word:
            k += 1
        # the whole run of capitalised words must be the place: "arrested Laurent Gbagbo" names a man, not
        # the town of Saint-Laurent; "visited Bucha", "shelled Kharkiv Oblast" name places
        if k == j:
            return None
        name = " ".join(t.text for t in tokens[j:k])
        prefer = tuple(c for c in (self.ctx.dateline_country,) if c)
        place = lookup_city(name, prefer)
        if place and place.country and (place.country in prefer or place.population >= 20000):
            if not any(p.start == j for p in self._places):
                # "visited Bucha": the place acted on is where it happened
                self._places.append(PlaceMention(j, k, place, "object"))
            return Actor(place.country, name, place.country, None, "place")
        return None

    def _nominal(self, tokens, v, group_start, verb_word, clause_of, notes) -> list[Event]:
        # governed by another verb ("called for talks between ..."): that verb codes it
        for k in range(max(0, v.start - 4), v.start):
            other = verb_word.get(k)
            if other is not None and not other.rule.nominal and not other.rule.speech:
                return []
        n = len(tokens)
        j = v.end
        while j < min(n, v.end + 8):
            if tokens[j].norm == "between":
                break
            if j in verb_word or tokens[j].norm in self.breaks:
                return []
            j += 1
        else:
            return []
        k = j + 1
        while k < n and tokens[k].norm in self.determiners:
            k += 1
        g = group_start.get(k) or group_start.get(j + 1)
        if g is None:
            return []
        actors = self._resolve_group(g)
        if len(actors) == 1:
            # "talks between Ali Shamkhani, secretary of Iran's security council, and Saudi adviser X": the
            # second side after an apposition
            later = sorted((h for h in group_start.values() if h.start > g.end and h.prep is None and not h.pronoun),
                           key=lambda h: h.start)
            for h in later:
                if tokens[h.start - 1].norm == "and" and not any(w in verb_word for w in range(g.end, h.start)) \
                        and h.start - g.end <= 14:
                    actors = actors + [a for a in self._resolve_group(h) if a.code != actors[0].code]
                    break
        if len(actors) < 2:
            return []
        evidence = " ".join(tokens[w].text for w in v.words)
        return [Event(v.rule.code, actors[0], other, v.rule.rule_id, evidence, v.start, clause_of[v.start],
                      actors[0].name, other.name) for other in actors[1:] if other.code != actors[0].code]


_MISSING = object()


def _comma_before(tokens: list[Token], j: int) -> int:
    """The position of the comma that opens the aside closed by the comma at j (within 15 tokens), else the
    position where the search stopped (not a comma)."""
    k = j - 1
    while k > max(-1, j - 16) and tokens[k].norm != ",":
        k -= 1
    return k


def _in_spans(k: int, spans: list[tuple[int, int]]) -> bool:
    return any(s <= k < e for s, e in spans)


def _same_side(a: list[Actor], b: list[Actor]) -> bool:
    countries = {x.country for x in b if x.country}
    codes = {x.code for x in b}
    return bool(a) and all(x.code in codes or x.country in countries for x in a)


def _dedupe(events: list[Event]) -> list[Event]:
    """One event per (code, source, target); a bare statement (010) only when its source did nothing else
    in the sentence (CAMEO: statements are subordinate events); a country-only target gives way to the same
    country with a role."""
    seen = set()
    out = []
    acted = {e.source.code[:3] for e in events if e.code != "010"}
    specific = {(e.code, e.source.code, e.target.code[:3]) for e in events if e.target and len(e.target.code) > 3}
    with_target = {(e.code, e.source.code) for e in events if e.target}
    for e in events:
        key = (e.code, e.source.code, e.target.code if e.target else None)
        if key in seen:
            continue
        if e.target is None and (e.code, e.source.code) in with_target:
            continue   # the same act told twice ("clashed with the army, killing 4 soldiers")
        if e.code == "010" and e.source.code[:3] in acted:
            continue
        if e.target and len(e.target.code) == 3 and (e.code, e.source.code, e.target.code) in specific:
            continue
        seen.add(key)
        out.append(e)
    return out


def _region(lx: Lexeme) -> Place:
    p = lx.place or {}
    return Place(p.get("name", lx.name), p.get("country"), p.get("admin1"), p.get("admin2"), p.get("latitude"),
                 p.get("longitude"), int(p.get("precision", 2)))
