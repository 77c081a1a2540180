"""A seeded, wire-style benchmark corpus built from the codebooks.

Articles look like agency copy: a dateline ("CAIRO, Jan. 30 (Xinhua) -- "),
then sentences of about wire length. Most sentences are events rendered
from the codebook's own verb patterns (the pattern's head lemma in the past
tense, its other words, a gap filled with a determiner, a target actor),
with actors from the lexicon (countries, adjective + agent, titled people,
organisations, armed groups, capitals as metonyms), a place and a date
expression; some are reported speech or nominal events ("talks between X
and Y"); about 40% carry no event (markets, weather, sport, background).

Everything is a pure function of the seed and the codebook: article `i` is
drawn from `random.Random(f"{seed}-{i}")`, and every vocabulary list is
sorted, so the same seed and codebook give the same bytes in any process
(whatever PYTHONHASHSEED), and any shard can be regenerated on its own.

    python -m benchmarks.generate_corpus --articles 35000 --shard-size 5000 --seed 1 --out /tmp/corpus
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from coder.codebook import Codebook, VerbRule, load_codebook

NO_EVENT_SHARE = 0.40
SPEECH_SHARE = 0.20        # of event sentences: "X said (that) ..."
NOMINAL_SHARE = 0.08       # of event sentences: "talks between X and Y ..."
NEGATED_SHARE = 0.06

AGENCIES = ["Xinhua", "AP", "AFP", "Reuters", "dpa", "ANSA", "EFE", "Anadolu", "Kyodo", "Yonhap"]
MONTHS_AP = ["Jan.", "Feb.", "March", "April", "May", "June", "July", "Aug.", "Sept.", "Oct.", "Nov.", "Dec."]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
GAP_FILLERS = [["the"], ["new"], ["the", "new"], ["further"], ["its"], ["their"], ["fresh"], ["the", "joint"]]
# After a pattern that ends in one of these (or in its verb), the target actor follows directly.
OBJECT_PREPS = {"to", "with", "for", "on", "against", "of", "from", "into", "toward", "towards", "at", "over",
                "about", "by", "upon", "onto", "in"}
SPEECH_SAID_SHARE = 0.6   # wire copy: most reported speech is "said"
LEADS = ["", "", "", "", "", "On {weekday}, ", "Earlier, ", "Meanwhile, ", "Separately, ", "Later, ",
         "In a separate development, ", "Last week, "]
TAILS = ["", "", "", "", "", ", according to a statement", ", the state news agency reported",
         ", officials said", ", amid rising tensions in the region", ", in a move that drew criticism from rights groups",
         ", two sources familiar with the matter said", ", according to local media",
         ", after months of stalled diplomacy", ", as part of a broader effort to ease the crisis",
         ", the ministry said in a statement posted online", ", witnesses told reporters"]
SPEECH_OBJECTS = ["the situation remained tense", "the talks had been constructive", "more work was needed",
                  "the decision would be reviewed next month", "the security situation had improved",
                  "the government remained committed to the process", "the figures were preliminary",
                  "the next round would take place within weeks"]
NOMINAL_TAILS = {"04": ["were held", "took place", "ended without agreement", "resumed", "were expected to continue"],
                 "193": ["broke out", "erupted", "continued", "intensified", "were reported"]}

# Sentences with no political event: numbers and names vary, the verbs are not in any codebook pattern.
NO_EVENT = [
    "Shares in {city} closed {pct} percent {updown} at {big} points, while the {cur} {moved} against the dollar.",
    "The benchmark index in {city} {moved} {pct} percent in early trading as investors awaited inflation data.",
    "Brent crude futures were trading at {price} dollars a barrel by {hour} GMT, {updown} {pct} percent on the day.",
    "Gold prices edged {updown} to {gold} dollars an ounce in {city}, where traders cited thin holiday volumes.",
    "Temperatures in {city} are forecast to reach {deg} degrees Celsius on {weekday}, with light winds from the {dir}.",
    "Heavy rain is expected across {place} over the next {small} days, and forecasters advised drivers to take care.",
    "The weather service said skies over {city} would clear by the weekend after a week of unusually cold nights.",
    "{team} beat {team2} {score} on {weekday} night to move {small} points clear at the top of the league table.",
    "The striker scored twice in the second half as {team} came from behind to draw {score} with {team2}.",
    "Tickets for the final in {city} sold out within {small} hours, organisers said in a short note on their website.",
    "{country} has a population of about {small} million people, most of whom live in and around {city}.",
    "The economy of {country} grew {pct} percent last year, helped by strong exports of farm goods and minerals.",
    "The river, which runs for some {big} kilometres through {place}, is a vital source of water for farmers.",
    "The city of {city} was founded in the {cent} century and is known for its markets, mosques and churches.",
    "About {small} percent of the region's electricity comes from hydropower, according to official figures.",
    "The airport in {city} handled {big} passengers in the first {small} months of the year, a record for the period.",
    "Local schools reopened on {weekday} after a two-week break, and buses ran on their normal timetable.",
    "The festival, held every summer since {year}, draws tens of thousands of visitors to the old town.",
]
TEAM_SUFFIX = ["FC", "United", "City", "Athletic", "Sporting", "Rovers"]
CURRENCIES = ["shilling", "rand", "lira", "rupee", "peso", "dinar", "naira", "won", "yen", "euro", "pound"]
DIRECTIONS = ["north", "south", "east", "west", "northwest", "southeast"]


@dataclass(frozen=True)
class Country:
    code: str
    name: str
    adjectives: tuple[str, ...]
    capitals: tuple[str, ...]


@dataclass(frozen=True)
class Verb:
    rule: VerbRule
    past: str              # the head rendered in the past tense ("met", "accused", "said")
    lemma: str


@dataclass
class Vocab:
    countries: list[Country]
    agents: list[str]          # role nouns as written (lower case): "troops", "foreign ministry"
    titles: list[str]          # agent titles put before a name: "foreign minister"
    people: list[str]
    orgs: list[str]
    groups: list[str]
    places: list[str]          # codebook places and capitals
    verbs: list[Verb]
    speech: list[Verb]
    nominal: list[Verb]


def _cap_words(phrase: str) -> str:
    return " ".join(w[:1].upper() + w[1:] for w in phrase.split())


def _ascii(s: str) -> bool:
    return s.isascii() and all(c.isalpha() or c in " .'-" for c in s)


def _past(lemma: str, forms: frozenset[str]) -> str:
    """The past tense among a head's inflected forms (regular -ed, or the irregular past)."""
    if lemma == "be":
        return "was"
    for cand in (lemma + "ed", lemma + "d", lemma[:-1] + "ied", lemma + lemma[-1:] + "ed"):
        if cand in forms and cand != lemma:
            return cand
    third = {lemma + "s", lemma + "es", lemma[:-1] + "ies"}
    rest = sorted((f for f in forms if f != lemma and not f.endswith("ing") and f not in third
                   and not (f.endswith("s") and not lemma.endswith("s"))), key=lambda f: (len(f), f))
    return rest[0] if rest else lemma


def build_vocab(cb: Codebook) -> Vocab:
    """Every list sorted, so iteration order never depends on hashing."""
    by_code: dict[str, dict] = {}
    agents: set[str] = set()
    people: set[str] = set()
    orgs: set[str] = set()
    groups: set[str] = set()
    places: set[str] = set()
    for key, lexemes in cb.lexicon.items():
        phrase = " ".join(key)
        for lx in lexemes:
            if lx.kind == "country":
                by_code.setdefault(lx.code, {"name": lx.name, "adj": set(), "cap": set()})
            elif lx.kind == "adjective":
                by_code.setdefault(lx.code, {"name": lx.name, "adj": set(), "cap": set()})["adj"].add(_cap_words(phrase))
            elif lx.kind == "capital" and lx.country:
                by_code.setdefault(lx.country, {"name": lx.name, "adj": set(), "cap": set()})["cap"].add(lx.name)
            elif lx.kind == "agent" and lx.name == lx.name.lower() and _ascii(lx.name) and len(lx.name) > 3:
                agents.add(lx.name)
            elif lx.kind == "person" and _ascii(lx.name) and " " in lx.name:
                people.add(lx.name)
            elif lx.kind == "org" and _ascii(lx.name):
                orgs.add(lx.name)
            elif lx.kind == "group" and _ascii(lx.name):
                groups.add(lx.name)
            elif lx.kind == "place" and _ascii(lx.name):
                places.add(lx.name)
    countries = [Country(code, d["name"], tuple(sorted(d["adj"])), tuple(sorted(c for c in d["cap"] if _ascii(c))))
                 for code, d in sorted(by_code.items()) if d["adj"] and any(_ascii(c) for c in d["cap"])
                 and _ascii(d["name"])]
    for c in countries:
        places.update(c.capitals)
    titles = sorted(a for a in agents if len(a.split()) <= 3 and a.split()[-1] in
                    ("minister", "president", "secretary", "spokesman", "spokeswoman", "ambassador", "envoy",
                     "commander", "chief", "premier", "chancellor", "governor"))
    verbs: list[Verb] = []
    speech: list[Verb] = []
    nominal: list[Verb] = []
    for rule in cb.verb_rules:
        head = rule.pattern.split()[0].rstrip("?")
        literal = head.startswith("=")
        lemma = head.lstrip("=").split("|")[0].lower()
        if not lemma.replace("-", "").isalpha():
            continue
        if rule.nominal:
            if _nominal_key(rule.code):
                # the whole noun phrase as written in the pattern: "phone call", "round of talks"
                phrase = " ".join(w.lstrip("=").rstrip("?").split("|")[0] for w in rule.pattern.split())
                nominal.append(Verb(rule, phrase, lemma))
            continue
        if literal:
            if not lemma.endswith("ed"):
                continue
            past = lemma
        else:
            past = _past(lemma, rule.elements[0].forms)
        if rule.speech and rule.target == "none":
            if lemma != "speak":
                speech.append(Verb(rule, past, lemma))
        elif not rule.speech:
            verbs.append(Verb(rule, past, lemma))
    return Vocab(countries, sorted(agents), titles, sorted(people), sorted(orgs), sorted(groups), sorted(places),
                 verbs, speech, nominal)


class ArticleWriter:
    """Draws one article from its own seeded random stream."""

    def __init__(self, vocab: Vocab, rng: random.Random):
        self.v = vocab
        self.r = rng

    # ---------------------------------------------------------------- actors
    def country(self) -> Country:
        return self.r.choice(self.v.countries)

    def actor(self) -> str:
        r, v = self.r, self.v
        x = r.random()
        c = self.country()
        if x < 0.25:
            return c.name
        if x < 0.55:
            return ("the " if r.random() < 0.3 else "") + f"{r.choice(c.adjectives)} {r.choice(v.agents)}"
        if x < 0.70 and v.titles and v.people:
            return f"{r.choice(c.adjectives)} {_cap_words(r.choice(v.titles))} {r.choice(v.people)}"
        if x < 0.75 and v.people:
            return r.choice(v.people)
        if x < 0.85 and v.orgs:
            return ("the " if r.random() < 0.5 else "") + r.choice(v.orgs)
        if x < 0.95 and v.groups:
            return r.choice(v.groups)
        return r.choice(c.capitals)

    def place(self) -> str:
        return self.r.choice(self.v.places)

    def date_expr(self, base: dt.date) -> str:
        r = self.r
        x = r.random()
        if x < 0.35:
            return f"on {r.choice(WEEKDAYS)}"
        if x < 0.5:
            d = base - dt.timedelta(days=r.randint(0, 20))
            return f"on {MONTHS_AP[d.month - 1]} {d.day}"
        if x < 0.6:
            return r.choice(["last week", "earlier this month", "last month", "earlier this week"])
        if x < 0.7:
            return f"on the {self._ordinal(r.randint(1, max(1, base.day)))}"
        if x < 0.8:
            return r.choice(["yesterday", "on Monday night", "overnight", "this morning"])
        d = base - dt.timedelta(days=r.randint(20, 300))
        return f"in {MONTHS[d.month - 1]}"

    @staticmethod
    def _ordinal(n: int) -> str:
        suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
        return f"{n}{suffix}"

    # ---------------------------------------------------------------- events
    def verb_phrase(self, verb: Verb, negated: bool) -> list[str]:
        r = self.r
        words = ["did", "not", verb.lemma] if negated else [verb.past]
        has_target = False
        last_forms: frozenset[str] = frozenset()
        for el in verb.rule.elements[1:]:
            if el.kind == "word":
                if el.optional and r.random() < 0.5:
                    continue
                words.append(r.choice(sorted(el.forms)))
                last_forms = el.forms
            elif el.kind == "gap":
                if r.random() < 0.7:
                    words.extend(r.choice(GAP_FILLERS))
            elif el.kind == "target":
                words.append(self.actor())
                has_target = True
                last_forms = frozenset()
        if not has_target:
            if verb.rule.target == "from":
                words += ["from", self.actor() if r.random() < 0.6 else self.place()]
            elif verb.rule.target == "object" and (len(verb.rule.elements) == 1 and r.random() < 0.8
                                                   or last_forms and last_forms <= OBJECT_PREPS):
                words.append(self.actor())
        if words[-1] == "between":         # "a meeting between X and Y"
            words += [self.actor(), "and", self.actor()]
        elif words[-1] in OBJECT_PREPS:    # never leave a dangling "to" / "with"
            words.append(self.actor())
        return words

    def clause(self) -> list[str]:
        negated = self.r.random() < NEGATED_SHARE
        return [self.actor()] + self.verb_phrase(self.r.choice(self.v.verbs), negated)

    def event_sentence(self, base: dt.date) -> str:
        r = self.r
        x = r.random()
        if x < NOMINAL_SHARE and self.v.nominal:
            nom = r.choice(self.v.nominal)
            words = [nom.past, "between", self.actor(), "and", self.actor(), r.choice(NOMINAL_TAILS[_nominal_key(nom.rule.code)])]
        elif x < NOMINAL_SHARE + SPEECH_SHARE and self.v.speech:
            spk = r.choice(self.v.speech)
            words = [self.actor()]
            if len(spk.rule.elements) > 1:          # "issued a statement", "held a press conference"
                words += self.verb_phrase(spk, False)
            else:
                words.append("said" if r.random() < SPEECH_SAID_SHARE else spk.past)
                if r.random() < 0.4:
                    words.append(self.date_expr(base))
                words.append("that")
                words += self.clause() if r.random() < 0.7 else [r.choice(SPEECH_OBJECTS)]
        else:
            words = self.clause()
        if r.random() < 0.6:
            words += [r.choice(["in", "in", "near", "at"]), self.place()]
        if r.random() < 0.6:
            words.append(self.date_expr(base))
        lead = r.choice(LEADS).format(weekday=r.choice(WEEKDAYS))
        tail = r.choice(TAILS)
        return _sentence(lead + " ".join(words) + tail)

    def no_event_sentence(self) -> str:
        r = self.r
        c = self.country()
        return _sentence(r.choice(NO_EVENT).format(
            city=r.choice(c.capitals), place=self.place(), country=c.name, pct=f"{r.uniform(0.1, 4.5):.1f}",
            updown=r.choice(["higher", "lower"]), moved=r.choice(["rose", "fell", "edged up", "slipped", "held steady"]),
            big=f"{r.randint(1200, 48000):,}", cur=r.choice(CURRENCIES), price=f"{r.uniform(60, 110):.2f}",
            hour=f"{r.randint(6, 18):02d}{r.choice(['00', '15', '30', '45'])}", gold=f"{r.randint(1700, 2600):,}",
            deg=r.randint(-5, 44), weekday=r.choice(WEEKDAYS), dir=r.choice(DIRECTIONS), small=r.randint(2, 12),
            team=f"{r.choice(c.capitals)} {r.choice(TEAM_SUFFIX)}",
            team2=f"{r.choice(self.country().capitals)} {r.choice(TEAM_SUFFIX)}",
            score=f"{r.randint(0, 4)}-{r.randint(0, 4)}", cent=self._ordinal(r.randint(8, 19)),
            year=r.randint(1950, 2015)))

    # ---------------------------------------------------------------- article
    def article(self, doc_id: str, min_sentences: int, max_sentences: int) -> dict:
        r = self.r
        published = dt.date(2018, 1, 1) + dt.timedelta(days=r.randint(0, 6 * 365))
        dateline_date = published - dt.timedelta(days=r.choice([0, 0, 0, 1]))
        c = self.country()
        city = r.choice(c.capitals)
        agency = r.choice(AGENCIES)
        mon = MONTHS_AP[dateline_date.month - 1]
        dateline = f"{city.upper()}, {mon} {dateline_date.day} ({agency}) -- "
        n = r.randint(min_sentences, max_sentences)
        sentences = [self.event_sentence(dateline_date)]
        for _ in range(n - 1):
            sentences.append(self.no_event_sentence() if r.random() < NO_EVENT_SHARE
                             else self.event_sentence(dateline_date))
        title = " ".join(sentences[0].rstrip(".").split()[:9])
        return {"id": doc_id, "published": published.isoformat(), "source": agency, "title": title,
                "url": f"https://news.example.org/{published:%Y/%m/%d}/{doc_id}",
                "text": dateline + " ".join(sentences)}


def _nominal_key(code: str) -> str | None:
    return next((k for k in NOMINAL_TAILS if code.startswith(k)), None)


def _sentence(s: str) -> str:
    s = s.strip()
    return s[:1].upper() + s[1:] + ("" if s.endswith(".") else ".")


def iter_articles(cb: Codebook, n_articles: int, seed: int, start: int = 0, min_sentences: int = 12,
                  max_sentences: int = 46, vocab: Vocab | None = None) -> Iterator[dict]:
    """Articles `start` .. `n_articles - 1` of the corpus for `seed` (each from its own random stream)."""
    vocab = vocab or build_vocab(cb)
    for i in range(start, n_articles):
        rng = random.Random(f"{seed}-{i}")
        yield ArticleWriter(vocab, rng).article(f"bench-{seed}-{i:08d}", min_sentences, max_sentences)


def write_corpus(cb: Codebook, out: Path, n_articles: int, shard_size: int, seed: int, min_sentences: int = 12,
                 max_sentences: int = 46) -> list[Path]:
    """Write `corpus-NNNNN.jsonl` shards of `shard_size` articles and a manifest; return the shard paths."""
    out.mkdir(parents=True, exist_ok=True)
    for old in [*out.glob("corpus-*.jsonl"), out / "manifest.json"]:   # manifest.json: older versions
        if old.exists():
            old.unlink()
    vocab = build_vocab(cb)
    shards: list[Path] = []
    for k, first in enumerate(range(0, n_articles, shard_size)):
        path = out / f"corpus-{k:05d}.jsonl"
        with path.open("w", encoding="utf-8", newline="\n") as fh:
            for art in iter_articles(cb, min(first + shard_size, n_articles), seed, first, min_sentences,
                                     max_sentences, vocab):
                fh.write(json.dumps(art, ensure_ascii=False) + "\n")
        shards.append(path)
    manifest = {"generator": "benchmarks/generate_corpus.py", "seed": seed, "articles": n_articles,
                "shard_size": shard_size, "sentences_per_article": [min_sentences, max_sentences],
                "codebook": {"name": cb.name, "version": cb.version, "sha256": cb.digest},
                "shards": [p.name for p in shards]}
    # no .json suffix: the folder is the input of a run, and a .json file would be read as articles
    (out / "MANIFEST").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return shards


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--articles", type=int, default=1000, help="number of articles (default 1000)")
    ap.add_argument("--shard-size", type=int, default=5000, help="articles per JSONL shard (default 5000)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", type=Path, required=True, help="folder for corpus-NNNNN.jsonl and MANIFEST")
    ap.add_argument("--codebooks", type=Path, default=None, help="codebook set (default: the bundled one)")
    ap.add_argument("--min-sentences", type=int, default=12)
    ap.add_argument("--max-sentences", type=int, default=46)
    args = ap.parse_args(argv)
    if args.articles < 0 or args.shard_size < 1 or not 1 <= args.min_sentences <= args.max_sentences:
        ap.error("need --articles >= 0, --shard-size >= 1 and 1 <= --min-sentences <= --max-sentences")
    cb = load_codebook(args.codebooks)
    shards = write_corpus(cb, args.out, args.articles, args.shard_size, args.seed, args.min_sentences,
                          args.max_sentences)
    print(f"wrote {args.articles:,} articles in {len(shards)} shards to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
