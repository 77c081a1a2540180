"""Import TABARI/PETRARCH dictionaries as an eventcoder codebook set.

`import_petrarch(verbs=..., actors=[...], agents=..., out=DIR)` reads the flat
PETRARCH dictionary files (the formats of PETRARCH2's `dictionaries.rst`:
verbs with synonym sets and patterns, actors with date restrictions, agents
with plurals and substitution markers, discards) and writes a complete
codebook set: `codebook.yaml`, `cameo/verbs/NN_*.yaml`, `actors/*.yaml`, plus
the taxonomy, cues, lexicon and places copied from the bundled set, and
`import_report.json` listing every entry that could not be converted or was
converted only in part, with the reason. The base set is the bundled one
(or `$EVENTCODER_CODEBOOKS`, or `base=`); places are copied too, so that
events still get locations.

How PETRARCH entries map onto eventcoder's schemas
---------------------------------------------------

Actors. A PETRARCH actor is only phrases -> code, optionally with ordered
date restrictions. Our schemas distinguish kinds by behaviour, so the code
decides the kind:

* a 3-letter code (ARN, USA, NGO, IGO ...) becomes a `countries.yaml` entry
  (all phrases as `names`): PETRARCH appends agent codes to any actor code
  ("Arnor cleric" -> ARNREL), and in eventcoder only country-kind actors
  combine with agents;
* a longer code starting with an international sector (IGO, NGO, NGM, MNC,
  IMG, INT) becomes an `organizations.yaml` entry (role = that sector);
* any other longer code becomes a `groups.yaml` entry with `country` = the
  first three letters and `role` = the next three (USAGOV -> USA, GOV);
* an entry whose code depends on the date becomes a `people.yaml` entry. Its
  restrictions (`[CODE <date]`, `[CODE >date]`, `[CODE d1-d2]`, inclusive,
  tried in order, the first that holds wins, else the default code, else no
  code) are turned into non-overlapping dated roles, so that our "the role
  held on the event's date" gives what PETRARCH's first-match rule gives. A
  null code (`---`) leaves its period without a role. YYMMDD years 00-30 are
  20YY, others 19YY (as in PETRARCH).

Names keep PETRARCH's words (underscores and blanks both mean consecutive
words; a final `_` is dropped: PETRARCH does not stem). A name already given
to another actor is kept for the first one only (PETRARCH also uses the
first). Codes our schema cannot hold (`ELR/GAL` several actors for one name,
`G77`, 5-letter codes, null codes `---`/`+++`) are reported. A primary phrase
without a code joins the next record that has one, as in PETRARCH's reader.
TABARI's older in-line restrictions on the phrase line (`NAME [CODE
d1-d2] [CODE]`) are read like indented ones.

Agents. `PHRASE {plural} [~ROLE]` becomes an `agents.yaml` name under its
role. Our agents carry one 3-letter role appended to the country: longer
PETRARCH agent codes (`~GOVFRM`) keep their first block and are reported as
partial; prefix codes (`[NGO~]`, put before the actor code) are reported. An
explicit plural is added as a name; `{}` (no plural) and substitution-marker
expansions (`!PERSON!`) are written with a capital on the last word, which
tells our compiler not to add a regular plural.

Verbs. A verb block (`--- NAME [code] ---`) lists verbs (with irregular
forms `{...}`, multi-word verbs `+CORDON_OFF`, `WIRE_+TAP`, own codes) and
patterns applying to every verb of the block. Each verb becomes a pattern
of its own with the verb's (or block's) code, and each block pattern one or
more patterns with the pattern's code, translated into our pattern language:

* the verb (`*`) is the head: its lemma, all its forms. PETRARCH's explicit
  forms are added; a form that PETRARCH lists as a verb of its own (LEFT
  beside LEAVE) is left to that verb; when the forms differ from what our
  inflector makes, the head is written as a literal list of forms;
* words before the verb make the first word a literal (`=said * agree|agreed
  ...`): the subject is then looked for before the first pattern word, which
  is where PETRARCH's source usually stands. Such patterns are reported as
  partial, because the coder also applies its verb checks (negation,
  passive, noun use) to that first word, and a subject standing between the
  pre-verb words and the verb (`NEITHER * [081]`) is not found;
* the verbs of a block that share their extra words share one pattern
  (`restore|reestablish * diplomatic * ties`);
* a blank between words is a `*` gap (0 to 3 words; PETRARCH allows any
  number), an underscore adjacency; PETRARCH2's noun phrases `{A B}` and
  prepositional phrases `(TO +)` are read as the same words in order;
  `BY/WITH` is the alternative `by|with`; a word our tokenizer splits
  (`ANTI-`, `F/A-18`) becomes its tokens in a row;
* `+` after the verb is `TARGET`; a leading `$` (the source before
  everything) is our subject rule and is dropped; `%` after the verb (a
  compound target, "AGREE * WITH %") is `TARGET` too (reported as partial:
  ours does not require a compound);
* a synonym set `&SET` is expanded: its one-word members (with their regular
  plurals unless the set or member ends in `_`) become one `a|b|c`
  alternative, each multi-word member a pattern of its own; sets nest; a
  set used before its definition is ignored, as in PETRARCH. When several
  sets multiply past MAX_EXPANSION patterns, the multi-word members of the
  largest are left out (partial);
* Treebank contractions (`DID N'T`, `WO N'T`) are joined as written text
  (`didn't`, `won't`);
* a code `[a:b]` (a, plus the reciprocal b from target to source) keeps a
  and is reported as partial.

Not expressible, and reported: `$` anywhere but first (source after the
verb or after other words), `+` before the verb (target as subject), `%`
before the verb (compound actor acting on itself), `^` (skip an actor),
null-code patterns
(`[---]`: PETRARCH's "no event" override), codes that are not 2-4 digits
(`174K`, `###`), `[:b]` codes, transformations (`~ ...`), patterns that
translate to the same words as an earlier one with another code (the first
is kept, as PETRARCH's first match). Numeric codes missing from the CAMEO
taxonomy (the validation dictionaries use 903, 345 ...) are added to the
set's taxonomy, named as such, with the root's (or parent's) Goldstein and
QuadClass, unless `extra_codes=False`, in which case their patterns are
reported. The discard list has no counterpart in our schemas and is
reported entry by entry.
"""
from __future__ import annotations

import datetime as dt
import itertools
import json
import math
import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator

import yaml

from ..text import phrase_key
from . import DEFAULT_CODEBOOKS, compile_pattern
from .inflect import Inflector
from .yamlio import read_yaml

ACTOR_CODE_RE = re.compile(r"^[A-Z]{3}([A-Z0-9]{3})*$")
EVENT_CODE_RE = re.compile(r"^[0-9]{2,4}$")
NULL_CODES = {"---", "+++", "###", ""}
ORG_SECTORS = {"IGO", "NGO", "NGM", "MNC", "IMG", "INT"}
SMALL_WORDS = {"of", "the", "and", "for", "de", "al", "el", "la", "du", "des", "von", "van", "bin", "ibn", "on",
               "in", "to", "at", "da", "del", "le", "y"}
MAX_EXPANSION = 32          # patterns one PETRARCH pattern may expand into (synonym-set products)
COPIED = ["cameo/cues.yaml", "lexicon/irregular_verbs.yaml", "lexicon/abbreviations.yaml"]


# ---------------------------------------------------------------- report

@dataclass
class Item:
    kind: str          # actor | agent | verb | pattern | synset | transformation | discard
    file: str
    line: int
    entry: str
    reason: str

    def to_json(self) -> dict:
        return {"kind": self.kind, "file": self.file, "line": self.line, "entry": self.entry, "reason": self.reason}


@dataclass
class Report:
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    not_converted: list[Item] = field(default_factory=list)
    partial: list[Item] = field(default_factory=list)
    extra_codes: dict[str, str] = field(default_factory=dict)   # code -> where first used
    outputs: dict[str, int] = field(default_factory=dict)

    def count(self, kind: str, what: str, n: int = 1) -> None:
        d = self.counts.setdefault(kind, {"entries": 0, "converted": 0, "partial": 0, "not_converted": 0})
        d[what] = d.get(what, 0) + n

    def fail(self, item: Item) -> None:
        self.not_converted.append(item)

    def part(self, item: Item) -> None:
        self.partial.append(item)

    def to_json(self) -> dict:
        return {
            "summary": self.counts,
            "outputs": self.outputs,
            "extra_codes": [{"code": c, "first_used": w} for c, w in sorted(self.extra_codes.items())],
            "not_converted": [i.to_json() for i in self.not_converted],
            "partial": [i.to_json() for i in self.partial],
        }

    def summary_text(self) -> str:
        lines = []
        for kind, d in self.counts.items():
            lines.append(f"{kind:9} {d['entries']:6} entries: {d['converted']} converted, {d['partial']} partly, "
                         f"{d['not_converted']} not converted" +
                         (f", {d['null_code']} with the null code [---] (no event, nothing to write)"
                          if d.get("null_code") else ""))
        if self.extra_codes:
            lines.append(f"codes added to the taxonomy (not in CAMEO): {', '.join(sorted(self.extra_codes))}")
        reasons: dict[str, int] = {}
        for i in self.not_converted:
            generic = re.sub(r"\[[^\]]*\]", "[…]", i.reason)
            generic = re.sub(r"(^| )'[^']*'", r"\1'…'", generic)
            generic = re.sub(r"\S+:\d+", "FILE:LINE", re.sub(r"\b\d{2,4}\b", "N", generic))
            key = f"{i.kind}: {generic.split(': ')[0]}"
            reasons[key] = reasons.get(key, 0) + 1
        if reasons:
            lines.append("not converted, by reason:")
            lines += [f"  {n:5}  {r}" for r, n in sorted(reasons.items(), key=lambda x: (-x[1], x[0]))]
        return "\n".join(lines)


# ---------------------------------------------------------------- reading

def read_lines(path: Path, semicolon: bool = False) -> Iterator[tuple[int, str]]:
    """Content lines of a PETRARCH file as (line number, text), comments removed.

    Leading whitespace is kept (it marks actor date restrictions). Skipped:
    lines starting with `#` or `<!`, XML comments (also over several lines),
    text after a blank + `#`, and with `semicolon` after a blank + `;` (the
    TABARI comment still found in actor files).
    """
    in_comment = False
    with open(path, encoding="utf-8", errors="replace") as fh:
        for n, raw in enumerate(fh, 1):
            line = raw.rstrip("\n").rstrip("\r")
            if in_comment:
                if "-->" in line:
                    in_comment = False
                continue
            if "<!--" in line:
                head, _, tail = line.partition("<!--")
                if "-->" in tail:
                    line = head + tail[tail.find("-->") + 3:]
                else:
                    in_comment = True
                    line = head
            if not line.strip() or line.lstrip().startswith("#") or line.startswith("<"):
                continue
            line = re.sub(r"\s#.*$", "", line)
            if semicolon:
                line = re.sub(r"\s;.*$", "", line)
            if line.strip():
                yield n, line


def _words(phrase: str) -> list[str]:
    """PETRARCH phrase -> words (blanks and underscores separate; final `_` dropped), Treebank contractions joined."""
    words = [w for w in re.split(r"[_\s]+", phrase.strip()) if w]
    return _join_contractions(words)


def _join_contractions(words: list[str]) -> list[str]:
    out: list[str] = []
    for w in words:
        if out and w.upper() in ("N'T", "'S", "'LL", "'RE", "'VE", "'D", "'M"):
            out[-1] = out[-1] + w
        else:
            out.append(w)
    return out


def _tokens(words: list[str]) -> list[str]:
    """Words as our tokenizer sees them ("F/A-18" is three tokens, "U.S." is "us")."""
    return [t for w in words for t in phrase_key(w)]


def _title(words: list[str]) -> str:
    """A readable name: "CARAS GALADHON" -> "Caras Galadhon", acronyms kept ("U.N.", "UAE")."""
    out = []
    for i, w in enumerate(words):
        lw = w.lower()
        if "." in w or len(w) <= 2 and lw not in SMALL_WORDS or not any(c in "aeiouy" for c in lw):
            out.append(w.upper())
        elif lw in SMALL_WORDS and i:
            out.append(lw)
        else:
            out.append("-".join(p[:1].upper() + p[1:].lower() for p in w.split("-")))
    return " ".join(out)


def _parse_date(s: str) -> dt.date | None:
    s = s.strip()
    if not s.isdigit():
        return None
    try:
        if len(s) == 6:
            yy = int(s[:2])
            return dt.date(2000 + yy if yy <= 30 else 1900 + yy, int(s[2:4]), int(s[4:6]))
        if len(s) == 8:
            return dt.date(int(s[:4]), int(s[4:6]), int(s[6:8]))
    except ValueError:
        return None
    return None


# ---------------------------------------------------------------- actors

@dataclass
class ActorRecord:
    file: str
    line: int
    phrases: list[tuple[int, str]] = field(default_factory=list)      # (line, phrase)
    default: str | None = None
    restrictions: list[tuple[dt.date, dt.date, str, int]] = field(default_factory=list)
    has_code: bool = False

    @property
    def primary(self) -> str:
        return self.phrases[0][1]


def _restriction(body: str, rec: ActorRecord, n: int, raw: str, report: Report) -> None:
    """One bracket `CODE`, `CODE <date`, `CODE >date` or `CODE date-date` of an actor record."""
    code, _, rest = body.strip().partition(" ")
    code, rest = code.strip().upper(), rest.strip()
    rec.has_code = True
    if not rest:
        if rec.default is None:
            rec.default = code
        return
    lo, hi = dt.date.min, dt.date.max
    m = re.match(r"^([<>])\s*(\d+)$", rest)
    r = re.match(r"^(\d+)\s*-\s*(\d+)$", rest)
    if m:
        d = _parse_date(m.group(2))
        if d is None:
            report.part(Item("actor", rec.file, n, raw, f"date {m.group(2)!r} is not YYMMDD or YYYYMMDD: "
                             "restriction left out"))
            return
        lo, hi = (lo, d) if m.group(1) == "<" else (d, hi)
    elif r:
        d1, d2 = _parse_date(r.group(1)), _parse_date(r.group(2))
        if d1 is None or d2 is None or d2 < d1:
            report.part(Item("actor", rec.file, n, raw, "date range unreadable or inverted: restriction left out"))
            return
        lo, hi = d1, d2
    else:
        report.part(Item("actor", rec.file, n, raw, "restriction unreadable: left out"))
        return
    rec.restrictions.append((lo, hi, code, n))


def parse_actors(path: Path, report: Report) -> list[ActorRecord]:
    f = path.name
    records: list[ActorRecord] = []
    cur: ActorRecord | None = None
    for n, line in read_lines(path, semicolon=True):
        stripped = line.strip()
        if line[:1].isspace() and stripped.startswith("["):
            if cur is None:
                report.fail(Item("actor", f, n, stripped, "date restriction without an actor"))
                continue
            body = stripped[1:stripped.find("]")] if "]" in stripped else stripped[1:]
            _restriction(body, cur, n, stripped, report)
            continue
        if stripped.startswith("+"):
            if cur is None:
                report.fail(Item("actor", f, n, stripped, "synonym without an actor"))
                continue
            cur.phrases.append((n, stripped[1:].split("[")[0].strip()))
            continue
        phrase = stripped.split("[")[0].strip()
        brackets = re.findall(r"\[([^\]]*)\]", stripped)
        if cur is None or cur.has_code:
            cur = ActorRecord(f, n)
            records.append(cur)
        # a primary phrase without a code joins the next record that has one (PETRARCH's reader)
        cur.phrases.append((n, phrase))
        for body in brackets:
            # "[CODE]"; TABARI's in-line "[CODE date-date] [CODE]" restrictions are read as if indented
            _restriction(body, cur, n, stripped, report)
    return records


def _periods(rec: ActorRecord) -> list[tuple[dt.date, dt.date, str]]:
    """Ordered first-match restrictions + default -> disjoint (from, to, code) periods (null codes dropped)."""
    taken: list[tuple[dt.date, dt.date, str]] = []

    def free(lo: dt.date, hi: dt.date) -> list[tuple[dt.date, dt.date]]:
        pieces = [(lo, hi)]
        for a, b, _ in taken:
            nxt = []
            for x, y in pieces:
                if b < x or a > y:
                    nxt.append((x, y))
                    continue
                if x < a:
                    nxt.append((x, a - dt.timedelta(days=1)))
                if b < y:
                    nxt.append((b + dt.timedelta(days=1), y))
            pieces = nxt
        return pieces

    for lo, hi, code, _ in rec.restrictions:
        for x, y in free(lo, hi):
            taken.append((x, y, code))
    if rec.default is not None:
        for x, y in free(dt.date.min, dt.date.max):
            taken.append((x, y, rec.default))
    taken.sort()
    merged: list[tuple[dt.date, dt.date, str]] = []
    for a, b, c in taken:
        if merged and merged[-1][2] == c and merged[-1][1] + dt.timedelta(days=1) >= a:
            merged[-1] = (merged[-1][0], max(b, merged[-1][1]), c)
        else:
            merged.append((a, b, c))
    return [(a, b, c) for a, b, c in merged if c not in NULL_CODES]


def _code_problem(code: str) -> str | None:
    if code in NULL_CODES:
        return f"null code [{code}]: PETRARCH's not-an-actor code"
    if "/" in code:
        return f"code [{code}] gives one name several actors, which our actor schemas cannot hold"
    if not ACTOR_CODE_RE.match(code):
        return f"code [{code}] is not an actor code our schemas accept (3 letters, then blocks of 3)"
    return None


class ActorSet:
    """Converted actors, by output file, with names claimed once."""

    def __init__(self, report: Report):
        self.report = report
        self.names: dict[tuple[str, ...], str] = {}     # phrase key -> code that claimed it
        self.countries: dict[str, dict] = {}
        self.organizations: dict[str, dict] = {}
        self.groups: dict[str, dict] = {}
        self.people: list[dict] = []

    def _claim(self, rec: ActorRecord, code: str) -> list[str]:
        out = []
        for n, phrase in rec.phrases:
            words = _words(phrase)
            if not words:
                continue
            name = " ".join(words)
            name = _title(words) if name.isupper() else name
            key = phrase_key(name)
            if not key:
                continue
            if key in self.names:
                if self.names[key] != code:
                    self.report.part(Item("actor", rec.file, n, phrase, f"name already given to "
                                          f"{self.names[key]} (the first definition wins, as in PETRARCH): left out"))
                continue
            self.names[key] = code
            out.append(name)
        return out

    def add(self, rec: ActorRecord) -> None:
        rep = self.report
        rep.count("actors", "entries")
        where = Item("actor", rec.file, rec.line, rec.primary, "")
        if not rec.has_code:
            where.reason = "no code and no date restriction"
            rep.fail(where)
            rep.count("actors", "not_converted")
            return
        periods = _periods(rec)
        bad = [(a, b, c) for a, b, c in periods if _code_problem(c)]
        periods = [p for p in periods if not _code_problem(p[2])]
        if not periods:
            codes = {c for _, _, c in bad} or {rec.default or "---"}
            where.reason = _code_problem(sorted(codes)[0]) or "no usable code"
            rep.fail(where)
            rep.count("actors", "not_converted")
            return
        partial = False
        if bad:
            partial = True
            rep.part(Item("actor", rec.file, rec.line, rec.primary,
                          "; ".join(sorted({_code_problem(c) for _, _, c in bad})) + ": those periods left out"))
        dated = not (len(periods) == 1 and periods[0][0] == dt.date.min and periods[0][1] == dt.date.max)
        if dated:
            code = periods[-1][2]
            names = self._claim(rec, code)
            if names:
                roles = []
                for a, b, c in periods:
                    role: dict = {"code": c}
                    if a != dt.date.min:
                        role["from"] = a.isoformat()
                    if b != dt.date.max:
                        role["to"] = b.isoformat()
                    roles.append(role)
                self.people.append({"name": names[0], "names": names, "roles": roles,
                                    "note": f"{rec.file}:{rec.line}"})
        else:
            code = periods[0][2]
            names = self._claim(rec, code)
            if names:
                if len(code) == 3:
                    entry = self.countries.setdefault(code, {"code": code, "name": names[0], "names": [],
                                                            "note": f"{rec.file}:{rec.line}"})
                elif code[:3] in ORG_SECTORS:
                    entry = self.organizations.setdefault(code, {"code": code, "name": names[0], "names": [],
                                                                 "role": code[:3], "note": f"{rec.file}:{rec.line}"})
                else:
                    entry = self.groups.setdefault(code, {"code": code, "name": names[0], "names": [],
                                                          "country": code[:3], "role": code[3:6],
                                                          "note": f"{rec.file}:{rec.line}"})
                entry["names"].extend(names)
        if not names:
            rep.fail(Item("actor", rec.file, rec.line, rec.primary, "every name was already given to another actor"))
            rep.count("actors", "not_converted")
            return
        rep.count("actors", "partial" if partial else "converted")


# ---------------------------------------------------------------- agents

def parse_agents(path: Path, report: Report) -> dict[str, list[str]]:
    f = path.name
    markers: dict[str, list[str]] = {}
    roles: dict[str, list[str]] = {}
    seen: dict[tuple[str, ...], str] = {}

    def add(role: str, name: str, n: int, raw: str) -> bool:
        key = phrase_key(name)
        if not key:
            return False
        if key in seen:
            if seen[key] != role:
                report.part(Item("agent", f, n, raw, f"{name!r} already has role {seen[key]}: left out"))
            return False
        seen[key] = role
        roles.setdefault(role, []).append(name)
        return True

    for n, line in read_lines(path):
        s = line.strip()
        m = re.match(r"^!([A-Z_]+)!\s*=\s*(.*)$", s, re.I)
        if m:
            markers[m.group(1).upper()] = [x.strip() for x in m.group(2).split(",") if x.strip()]
            continue
        report.count("agents", "entries")
        if "[" not in s:
            report.fail(Item("agent", f, n, s, "no code"))
            report.count("agents", "not_converted")
            continue
        phrase, _, rest = s.partition("[")
        code = rest.partition("]")[0].replace(" ", "").upper()
        plural = None
        if "{" in phrase:
            phrase, _, pl = phrase.partition("{")
            plural = pl.partition("}")[0].strip()
        if code.endswith("~") or not code.startswith("~"):
            report.fail(Item("agent", f, n, s, f"code [{code}] goes before the actor code; our agents only append a role"))
            report.count("agents", "not_converted")
            continue
        code = code[1:]
        if not re.match(r"^[A-Z]{3}([A-Z]{3})*$", code):
            report.fail(Item("agent", f, n, s, f"code [~{code}] is not a role code (3 letters)"))
            report.count("agents", "not_converted")
            continue
        partial = False
        if len(code) > 3:
            report.part(Item("agent", f, n, s, f"code ~{code}: our agents carry one 3-letter role; imported as ~{code[:3]}"))
            partial = True
        if re.search(r"\S\s+\S", phrase.strip()):
            report.part(Item("agent", f, n, s, "a blank lets other words stand between in PETRARCH; our agent "
                             "names are consecutive words"))
            partial = True
        role = code[:3]
        names: list[tuple[str, bool]] = []          # (name, no automatic plural)
        mk = re.search(r"!([A-Z_]+)!", phrase, re.I)
        if mk:
            subs = markers.get(mk.group(1).upper())
            if subs is None:
                report.fail(Item("agent", f, n, s, f"substitution marker !{mk.group(1)}! is not defined"))
                report.count("agents", "not_converted")
                continue
            for sub in subs:
                names.append((" ".join(_words(phrase.replace(mk.group(0), sub))).lower(), True))
        else:
            base = " ".join(_words(phrase)).lower()
            if plural is not None and plural == "":
                names.append((base, True))
            elif plural:
                names.append((base, False))
                names.append((" ".join(_words(plural)).lower(), True))
            else:
                names.append((base, False))
        added = False
        for name, no_plural in names:
            if no_plural:
                # our compiler adds a regular plural to a lower-case last word only
                words = name.split()
                words[-1] = words[-1][:1].upper() + words[-1][1:]
                name = " ".join(words)
            added |= add(role, name, n, s)
        report.count("agents", ("partial" if partial else "converted") if added else "not_converted")
        if not added and not partial:
            report.fail(Item("agent", f, n, s, "every name already has another role"))
    return roles


# ---------------------------------------------------------------- verbs

@dataclass
class Verb:
    pre: list[str]
    lemma: str
    post: list[str]
    forms: set[str]
    code: str | None
    file: str
    line: int
    text: str


@dataclass
class Pattern:
    body: str
    code: str
    file: str
    line: int
    text: str


@dataclass
class Block:
    name: str
    code: str
    file: str
    line: int
    verbs: list[Verb] = field(default_factory=list)
    patterns: list[Pattern] = field(default_factory=list)


@dataclass
class Synset:
    label: str
    no_plural: bool
    line: int = 0
    members: list[tuple[str, bool]] = field(default_factory=list)     # (phrase, no plural)


def _label(s: str) -> str:
    return s.strip().lstrip("&").rstrip("_").upper()


def _first_code(text: str) -> str | None:
    m = re.search(r"\[([^\]]*)\]", text)
    return m.group(1).strip() if m else None


def parse_verbs(path: Path, report: Report) -> tuple[list[Block], dict[str, Synset]]:
    f = path.name
    blocks: list[Block] = []
    synsets: dict[str, Synset] = {}
    block: Block | None = None
    syn: Synset | None = None
    for n, line in read_lines(path):
        s = line.strip()
        if s.startswith("---"):
            syn = None
            m = re.match(r"^---\s*(.*?)\s*---\s*$", s)
            inner = m.group(1) if m else s.strip("- ")
            code = _first_code(inner) or "---"
            name = inner.split("[")[0].strip()
            block = Block(name, code, f, n)
            blocks.append(block)
            continue
        if s.startswith("&"):
            label = s.split()[0]
            syn = Synset(_label(label), label.endswith("_"), line=n)
            synsets[syn.label] = syn
            continue
        if s.startswith("+") and syn is not None:
            member = s[1:].strip()
            syn.members.append((member.rstrip("_").strip(), member.endswith("_")))
            continue
        if s.startswith("~"):
            report.count("patterns", "entries")
            report.count("patterns", "not_converted")
            report.fail(Item("transformation", f, n, s, "verb-verb transformation: our pattern language has no "
                             "clause-combining rules"))
            continue
        if s.startswith("-"):
            syn = None
            if block is None:
                report.fail(Item("pattern", f, n, s, "pattern outside a verb block"))
                continue
            m = re.match(r"^-\s*(.*?)\s*\[([^\]]*)\]\s*(.*)$", s)
            if not m:
                report.count("patterns", "entries")
                report.count("patterns", "not_converted")
                report.fail(Item("pattern", f, n, s, "no [code]"))
                continue
            block.patterns.append(Pattern(m.group(1), m.group(2).strip(), f, n, s))
            continue
        syn = None
        if block is None:
            report.fail(Item("verb", f, n, s, "verb outside a verb block"))
            continue
        block.verbs.append(_parse_verb_line(s, f, n))
    return blocks, synsets


def _parse_verb_line(s: str, f: str, n: int) -> Verb:
    code = _first_code(s)
    head = s.split("[")[0]
    forms_txt = ""
    if "{" in head:
        head, _, rest = head.partition("{")
        forms_txt = rest.partition("}")[0]
    parts = [p for p in re.split(r"[_\s]+", head.strip()) if p]
    idx = next((i for i, p in enumerate(parts) if p.startswith("+")), 0)
    parts = [p.lstrip("+").lower() for p in parts]
    forms: set[str] = set()
    for form in forms_txt.split():
        fp = [p for p in form.split("_") if p]
        plus = [p for p in fp if p.startswith("+")]
        word = plus[0] if plus else (fp[idx] if len(fp) == len(parts) else fp[0])
        forms.add(word.lstrip("+").lower())
    return Verb(parts[:idx], parts[idx] if parts else "", parts[idx + 1:], forms, code, f, n, s)


class VerbTranslator:
    """PETRARCH verb blocks -> our verb entries, with the report."""

    def __init__(self, blocks: list[Block], synsets: dict[str, Synset], taxonomy: dict[str, dict],
                 inflector: Inflector, report: Report, extra_codes: bool):
        self.blocks = blocks
        self.synsets = synsets
        self.taxonomy = taxonomy
        self.inflector = inflector
        self.report = report
        self.extra_codes = extra_codes
        self.own_verbs = {v.lemma for b in blocks for v in b.verbs if not v.pre and not v.post}
        self.seen: dict[tuple, tuple[str, str]] = {}
        self.entries: dict[str, list[dict]] = {}       # code -> pattern mappings
        self._syn_cache: dict[str, tuple[list[str], list[list[str]]]] = {}

    # -- codes
    def check_code(self, raw: str, where: Item) -> tuple[str | None, str | None]:
        """(code, problem). Accepts 2-4 digit codes; numeric codes unknown to CAMEO are added or refused."""
        primary, colon, recip = raw.partition(":")
        primary = primary.strip()
        if primary in NULL_CODES:
            if colon and recip.strip():
                return None, f"code [{raw}] has only a reciprocal (target -> source) event, which is not expressible"
            return None, "null"
        if not EVENT_CODE_RE.match(primary):
            return None, f"code [{raw}] is not a 2-4 digit CAMEO code"
        if primary not in self.taxonomy and not self.extra_codes:
            return None, f"code {primary} is not in the CAMEO taxonomy"
        return primary, None

    # -- forms
    def verb_forms(self, v: Verb) -> set[str]:
        forms = self.inflector.verb_forms(v.lemma) | v.forms
        return {f for f in forms if f == v.lemma or f not in self.own_verbs}

    def head_text(self, verbs: list[Verb]) -> str:
        """The head word for one or several verbs: lemmas when our inflector makes their forms, else every form."""
        if all(self.verb_forms(v) == self.inflector.verb_forms(v.lemma) for v in verbs):
            return "|".join(dict.fromkeys(v.lemma for v in verbs))
        return "=" + self.forms_text(verbs)

    def forms_text(self, verbs: list[Verb]) -> str:
        lemmas = list(dict.fromkeys(v.lemma for v in verbs))
        forms = set().union(*(self.verb_forms(v) for v in verbs)) - set(lemmas)
        return "|".join(lemmas + sorted(forms))

    @staticmethod
    def groups(verbs: list[Verb]) -> list[list[Verb]]:
        """Verbs of a block that share their extra words (WIRE_+TAP, +CORDON_OFF): one pattern serves them all."""
        by: dict[tuple, list[Verb]] = {}
        for v in verbs:
            by.setdefault((tuple(v.pre), tuple(v.post)), []).append(v)
        return list(by.values())

    # -- synsets
    def synset(self, label: str, depth: int = 0) -> tuple[list[str], list[list[str]]]:
        """(one-word members, multi-word members) of a synonym set, nested sets expanded, plurals added."""
        if label in self._syn_cache:
            return self._syn_cache[label]
        syn = self.synsets.get(label)
        if syn is None or depth > 10:
            raise KeyError(label)
        singles: list[str] = []
        multis: list[list[str]] = []
        for member, stop in syn.members:
            if member.startswith("&"):
                s, m = self.synset(_label(member), depth + 1)
                singles += s
                multis += m
                continue
            words = _tokens(_words(member.lower()))
            if not words:
                continue
            variants = [words]
            if not (stop or syn.no_plural or "'" in words[-1]):
                pl = _petrarch_plural(words[-1])
                if pl:
                    variants.append(words[:-1] + [pl])
            for w in variants:
                if len(w) == 1:
                    singles.append(w[0])
                else:
                    multis.append(w)
        singles = list(dict.fromkeys(singles))
        self._syn_cache[label] = (singles, multis)
        return singles, multis

    # -- patterns
    def tokens(self, body: str) -> list[tuple[str, str, str]]:
        """Pattern body -> [(kind, value, connector before)] with kind word|verb|source|target|compound|skip|synset."""
        body = re.sub(r"[{}()]", " ", body)
        out: list[tuple[str, str, str]] = []
        for chunk in body.split():
            parts = [p for p in chunk.split("_")]
            conn = "gap"
            i = 0
            while i < len(parts):
                p = parts[i]
                if p == "":
                    i += 1
                    continue
                if p.startswith("&"):
                    # labels may hold underscores: take the longest known one
                    best, j_best = _label(p), i
                    for j in range(i + 1, len(parts)):
                        cand = _label("_".join(parts[i:j + 1]))
                        if cand in self.synsets:
                            best, j_best = cand, j
                    out.append(("synset", best, conn))
                    i = j_best + 1
                    conn = "adj"
                    continue
                kind = {"*": "verb", "$": "source", "+": "target", "%": "compound", "^": "skip"}.get(p, "word")
                if kind != "word":
                    out.append((kind, p.lower(), conn))
                else:
                    alts = [phrase_key(a) for a in p.split("/") if a]     # "BY/WITH": either word
                    if len(alts) > 1 and all(len(a) == 1 for a in alts):
                        out.append(("word", "|".join(dict.fromkeys(a[0] for a in alts)), conn))
                    else:
                        for k, tok in enumerate(phrase_key(p)):             # "ANTI-" is two tokens in text
                            out.append(("word", tok, conn if k == 0 else "adj"))
                conn = "adj"
                i += 1
        # Treebank contractions ("DID N'T") are one word in running text
        joined: list[tuple[str, str, str]] = []
        for t in out:
            if joined and t[0] == "word" and t[1] in ("n't", "'s") and joined[-1][0] == "word":
                joined[-1] = ("word", joined[-1][1] + t[1], joined[-1][2])
            else:
                joined.append(t)
        return joined

    def translate(self, pat: Pattern, verbs: list[Verb]) -> tuple[list[tuple[str, list[Verb]]], str | None, list[str]]:
        """Our pattern strings for one PETRARCH pattern and the verbs of its block, why not, and what was lost."""
        notes: list[str] = []
        toks = self.tokens(pat.body)
        kinds = [k for k, _, _ in toks]
        if kinds.count("verb") != 1:
            return [], "the pattern has no single verb position (*)", notes
        vi = kinds.index("verb")
        if "compound" in kinds:
            ci = kinds.index("compound")
            if ci < vi or kinds.count("compound") > 1 or "target" in kinds:
                return [], "% before the verb (a compound actor acting on its own members) is not expressible", notes
            # "AGREE * WITH %": the compound after the verb is the target, one event per member
            toks = [("target", "+", c) if k == "compound" else (k, v, c) for k, v, c in toks]
            kinds = [k for k, _, _ in toks]
            notes.append("% after the verb translated as TARGET, which does not require a compound actor")
        if "skip" in kinds:
            return [], "^ (skip an actor) is not expressible", notes
        if "source" in kinds:
            si = kinds.index("source")
            if si != 0 or kinds.count("source") > 1:
                return [], "$ (source) after other words or after the verb is not expressible: our source is the " \
                           "subject before the pattern", notes
            toks = toks[1:]
            kinds = kinds[1:]
            vi -= 1
        if "target" in kinds:
            ti = kinds.index("target")
            if ti < vi:
                return [], "+ (target) before the verb is not expressible", notes
            if kinds.count("target") > 1:
                return [], "several + (target) positions", notes
        if any(k != "source" for k in kinds[:vi]):
            notes.append("words before the verb are written first, as literals: the coder looks for the subject "
                         "before them and applies its verb checks (negation, passive, noun use) to the first word")
        # synset expansion: one alternative of one-word members, one pattern per multi-word member
        options: list[list[list[tuple[str, str, str]]]] = []
        for kind, value, conn in toks:
            if kind != "synset":
                options.append([[(kind, value, conn)]])
                continue
            if value not in self.synsets or self.synsets[value].line > pat.line and self.synsets[value].line:
                return [], f"synonym set &{value} is not defined before the pattern (PETRARCH ignores it)", notes
            try:
                singles, multis = self.synset(value)
            except KeyError:
                return [], f"synonym set &{value} is not defined (before use)", notes
            opts = []
            if singles:
                opts.append([("word", "|".join(singles), conn)])
            for m in multis:
                opts.append([("word", w, conn if k == 0 else "adj") for k, w in enumerate(m)])
            if not opts:
                return [], f"synonym set &{value} is empty", notes
            options.append(opts)
        # each multi-word member is a pattern of its own: keep the product of several sets within bounds
        while math.prod(len(o) for o in options) > MAX_EXPANSION:
            k = max(range(len(options)), key=lambda i: len(options[i]))
            dropped = len(options[k]) - 1
            options[k] = options[k][:1]
            notes.append(f"{dropped} multi-word synonym-set members left out (more than {MAX_EXPANSION} "
                         "combinations; the one-word members are kept)")
        out: list[tuple[str, list[Verb]]] = []
        for combo in itertools.product(*options):
            seq = [t for part in combo for t in part]
            for group in self.groups(verbs):
                text = self.render(seq, group)
                if text:
                    out.append((text, group))
        if not out:
            return [], "no verb of the block has a usable form", notes
        return out, None, notes

    def render(self, seq: list[tuple[str, str, str]], verbs: list[Verb]) -> str:
        v = verbs[0]
        words: list[tuple[str, str, str]] = []     # (kind, text, connector)
        for kind, value, conn in seq:
            if kind == "verb":
                vwords = [("word", w, "adj") for w in _tokens(v.pre)] + [("verb", v.lemma, "adj")] + \
                         [("word", w, "adj") for w in _tokens(v.post)]
                vwords[0] = (vwords[0][0], vwords[0][1], conn)
                words += vwords
            elif kind == "target":
                words.append(("target", "TARGET", conn))
            else:
                words.append((kind, value, conn))
        parts = []
        for i, (kind, value, conn) in enumerate(words):
            if i:
                parts.append("*" if conn == "gap" else "")
            if kind == "verb":
                parts.append(self.head_text(verbs) if i == 0 else self.forms_text(verbs))
            elif kind == "target":
                parts.append("TARGET")
            else:
                parts.append(("=" + value) if i == 0 else value)
        return " ".join(p for p in parts if p)

    def emit(self, text: str, code: str, note: str, where: Item) -> str | None:
        """Add one pattern; None if added (or a harmless duplicate), else the reason it was not."""
        try:
            elements = compile_pattern(text, self.inflector, nominal=False)
        except ValueError as exc:
            return f"translation {text!r} is not a valid pattern: {exc}"
        key = tuple((e.kind, tuple(sorted(e.forms)), e.optional) for e in elements)
        if key in self.seen:
            code0, where0 = self.seen[key]
            if code0 == code:
                return None
            return f"translates to {text!r}, already used for {code0} by {where0} (the first is kept)"
        self.seen[key] = (code, f"{where.file}:{where.line}")
        self.entries.setdefault(code, []).append({"pattern": text, "note": note})
        if code not in self.taxonomy:
            self.report.extra_codes.setdefault(code, f"{where.file}:{where.line}")
        return None

    def run(self) -> None:
        rep = self.report
        for b in self.blocks:
            # the verbs on their own
            for v in b.verbs:
                rep.count("verbs", "entries")
                where = Item("verb", v.file, v.line, v.text, "")
                if not v.lemma or len(phrase_key(v.lemma)) != 1:
                    where.reason = f"verb {v.lemma!r} is not one word"
                    rep.fail(where)
                    rep.count("verbs", "not_converted")
                    continue
                raw = v.code if v.code is not None else b.code
                code, problem = self.check_code(raw, where)
                if problem == "null":
                    # the verb alone codes nothing (PETRARCH's [---]); its patterns may
                    rep.count("verbs", "null_code")
                    continue
                if problem:
                    where.reason = problem
                    rep.fail(where)
                    rep.count("verbs", "not_converted")
                    continue
                text = self.render([("verb", "", "gap")], [v])
                why = self.emit(text, code, f"{v.file}:{v.line} {v.text}", where)
                if why:
                    where.reason = why
                    rep.fail(where)
                    rep.count("verbs", "not_converted")
                    continue
                if ":" in raw:
                    rep.part(Item("verb", v.file, v.line, v.text, f"code [{raw}]: the reciprocal event (target -> "
                                  "source) is not expressible; coded as the first code only"))
                    rep.count("verbs", "partial")
                else:
                    rep.count("verbs", "converted")
            # the block's patterns
            usable = [v for v in b.verbs if v.lemma and len(phrase_key(v.lemma)) == 1]
            for p in b.patterns:
                rep.count("patterns", "entries")
                where = Item("pattern", p.file, p.line, p.text, "")
                code, problem = self.check_code(p.code, where)
                if problem == "null":
                    problem = "null code [---] (PETRARCH's no-event override of the verb's code) is not " \
                              "expressible: our patterns always code an event"
                if problem:
                    where.reason = problem
                    rep.fail(where)
                    rep.count("patterns", "not_converted")
                    continue
                texts, why, lost = self.translate(p, usable)
                if why:
                    where.reason = why
                    rep.fail(where)
                    rep.count("patterns", "not_converted")
                    continue
                problems = [self.emit(t, code, f"{p.file}:{p.line} {p.text}", where) for t, _ in texts]
                bad = [x for x in problems if x]
                if len(bad) == len(problems):
                    where.reason = bad[0]
                    rep.fail(where)
                    rep.count("patterns", "not_converted")
                elif bad or lost or ":" in p.code:
                    why = bad[0] if bad else lost[0] if lost else (
                        f"code [{p.code}]: the reciprocal event (target -> source) is not expressible; coded as the "
                        "first code only")
                    rep.part(Item("pattern", p.file, p.line, p.text, why))
                    rep.count("patterns", "partial")
                else:
                    rep.count("patterns", "converted")


def _petrarch_plural(word: str) -> str | None:
    """PETRARCH's regular plural of a synset member ('S', 'IES' after Y, 'ES' after SS); None when already plural."""
    w = word.lower()
    if not w[-1:].isalpha():
        return None
    if w.endswith("ss"):
        return w + "es"
    if w.endswith("s"):
        return None
    if w.endswith("y") and len(w) > 1 and w[-2] not in "aeiou":
        return w[:-1] + "ies"
    return w + "s"


# ---------------------------------------------------------------- writing

def _dump(path: Path, data: dict, header: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    data = json.loads(json.dumps(data))          # plain dicts and lists (no LineDict)
    text = yaml.dump(data, Dumper=getattr(yaml, "CSafeDumper", yaml.SafeDumper), sort_keys=False, allow_unicode=True, width=120, default_flow_style=False)
    path.write_text("".join(f"# {h}\n" if h else "#\n" for h in header.splitlines()) + text, encoding="utf-8")


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")[:40] or "codes"


def import_petrarch(*, verbs: Path | None, actors: Iterable[Path], agents: Path | None, out: Path,
                    discards: Path | None = None, name: str = "petrarch-import", version: str = "1",
                    extra_codes: bool = True, base: Path | None = None) -> Report:
    """Convert PETRARCH dictionaries into a codebook set in `out`; returns the report (also in import_report.json)."""
    base = Path(base or os.environ.get("EVENTCODER_CODEBOOKS") or DEFAULT_CODEBOOKS)
    out = Path(out)
    report = Report()
    actors = [Path(a) for a in actors]
    out.mkdir(parents=True, exist_ok=True)
    for sub in ("cameo/verbs", "actors"):
        d = out / sub
        if d.is_dir():
            for old in d.glob("*.yaml"):
                old.unlink()

    # taxonomy, cues, lexicon and places from the base set
    tax_data = read_yaml(base / "cameo" / "taxonomy.yaml")
    taxonomy = {c["code"]: dict(c) for c in tax_data["codes"]}
    for rel in COPIED:
        src = base / rel
        if src.is_file():
            (out / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, out / rel)
    if (base / "places").is_dir():
        (out / "places").mkdir(parents=True, exist_ok=True)
        for p in sorted((base / "places").glob("*.yaml")):
            shutil.copyfile(p, out / "places" / p.name)
    irr = read_yaml(out / "lexicon" / "irregular_verbs.yaml") if (out / "lexicon/irregular_verbs.yaml").is_file() else {}
    inflector = Inflector({i["lemma"].lower(): [f.lower() for f in i["forms"]] for i in (irr or {}).get("irregular_verbs", [])},
                          {w.lower() for w in (irr or {}).get("doubled_consonant") or []})
    sources = [str(p) for p in ([verbs] if verbs else []) + actors + ([agents] if agents else []) +
               ([discards] if discards else [])]

    # actors
    aset = ActorSet(report)
    for path in actors:
        for rec in parse_actors(path, report):
            aset.add(rec)
    header = f"Imported from PETRARCH dictionaries by `eventcoder codebook import-petrarch`.\nSee import_report.json."
    if aset.countries:
        _dump(out / "actors" / "countries.yaml", {"countries": list(aset.countries.values())},
              header + "\nPETRARCH actors with 3-letter codes: they combine with agents ('Arnor cleric' -> ARNREL).")
    if aset.organizations:
        _dump(out / "actors" / "organizations.yaml", {"organizations": list(aset.organizations.values())}, header)
    if aset.groups:
        _dump(out / "actors" / "groups.yaml", {"groups": list(aset.groups.values())},
              header + "\nPETRARCH actors with longer codes: country = first 3 letters, role = next 3.")
    if aset.people:
        _dump(out / "actors" / "people.yaml", {"people": aset.people},
              header + "\nPETRARCH actors whose code depends on the date (date restrictions -> dated roles).")
    report.outputs.update({"countries": len(aset.countries), "organizations": len(aset.organizations),
                           "groups": len(aset.groups), "people": len(aset.people)})

    # agents
    if agents:
        roles = parse_agents(agents, report)
        _dump(out / "actors" / "agents.yaml", {"agents": [{"role": r, "names": ns} for r, ns in roles.items()]},
              header + "\nA capital on the last word marks PETRARCH's 'no plural' ({}): our compiler then adds none.")
        report.outputs["agent_roles"] = len(roles)
        report.outputs["agent_names"] = sum(len(v) for v in roles.values())

    # verbs
    if verbs:
        blocks, synsets = parse_verbs(verbs, report)
        tr = VerbTranslator(blocks, synsets, taxonomy, inflector, report, extra_codes)
        tr.run()
        report.outputs["synsets"] = len(synsets)
        by_root: dict[str, list[dict]] = {}
        for code in sorted(tr.entries):
            by_root.setdefault(code[:2], []).append({"code": code, "patterns": tr.entries[code]})
        for root, entries in sorted(by_root.items()):
            rname = taxonomy.get(root, {}).get("name", "imported codes")
            _dump(out / "cameo" / "verbs" / f"{root}_{_slug(rname)}.yaml", {"root": root, "verbs": entries},
                  header + f"\nCAMEO root {root}: {rname}. Each pattern's note names its PETRARCH source line.")
        report.outputs["verb_patterns"] = sum(len(v) for v in tr.entries.values())

    # taxonomy, with the codes the dictionaries use that CAMEO lacks
    codes = list(tax_data["codes"])
    for code, first in sorted(report.extra_codes.items()):
        parent = next((taxonomy[code[:k]] for k in (3, 2) if len(code) > k and code[:k] in taxonomy), None)
        codes.append({"code": code, "name": f"PETRARCH code {code} (not in CAMEO)",
                      "description": f"Used by the imported PETRARCH dictionary ({first}); not a CAMEO code.",
                      "goldstein": float(parent["goldstein"]) if parent else 0.0,
                      "quad_class": int(parent["quad_class"]) if parent else 1,
                      "plover": parent.get("plover") if parent else None})
    _dump(out / "cameo" / "taxonomy.yaml", {"codes": codes},
          f"CAMEO taxonomy copied from {base.name}/cameo/taxonomy.yaml" +
          ("\nplus the non-CAMEO codes the imported PETRARCH dictionaries use." if report.extra_codes else ""))

    # discards
    if discards:
        for n, line in read_lines(discards):
            report.count("discards", "entries")
            report.count("discards", "not_converted")
            report.fail(Item("discard", discards.name, n, line.strip(), "discard list: eventcoder has no "
                             "sentence or story discard rules"))

    _dump(out / "codebook.yaml", {"name": name, "version": version,
                                  "description": "Imported from PETRARCH dictionaries: " +
                                  ", ".join(Path(s).name for s in sources)},
          "A codebook set imported by `eventcoder codebook import-petrarch`.")
    data = {"name": name, "version": version, "inputs": sources, **report.to_json()}
    (out / "import_report.json").write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return report


__all__ = ["import_petrarch", "Report", "parse_actors", "parse_agents", "parse_verbs", "read_lines"]
