"""Load a codebook set (YAML, schema-checked) and compile it into lookup tables.

`load_codebook(dir)` returns a `Codebook`: the taxonomy, the compiled verb
patterns indexed by their first word, a phrase lexicon of actors, agents and
places keyed by token tuples, and the cue-word sets. Compiling once per run is
what keeps matching fast: a sentence is matched with a few dict look-ups per
token, never a loop over every pattern.
"""
from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..text import phrase_key
from .inflect import Inflector
from .yamlio import CodebookError, LineDict, load_checked, read_yaml, schema_errors

DEFAULT_CODEBOOKS = Path(__file__).resolve().parents[2] / "codebooks"

# file (relative glob) -> schema name
FILE_KINDS: list[tuple[str, str]] = [
    ("codebook.yaml", "codebook"),
    ("cameo/taxonomy.yaml", "taxonomy"),
    ("cameo/cues.yaml", "cues"),
    ("cameo/verbs/*.yaml", "verbs"),
    ("lexicon/irregular_verbs.yaml", "irregular_verbs"),
    ("lexicon/abbreviations.yaml", "abbreviations"),
    ("actors/countries.yaml", "countries"),
    ("actors/organizations.yaml", "organizations"),
    ("actors/groups.yaml", "groups"),
    ("actors/people.yaml", "people"),
    ("actors/agents.yaml", "agents"),
    ("actors/*.organizations.yaml", "organizations"),
    ("actors/*.groups.yaml", "groups"),
    ("actors/*.people.yaml", "people"),
    ("actors/*.agents.yaml", "agents"),
    ("places/*.yaml", "places"),
    ("acled/types.yaml", "acled_types"),
    ("acled/rules.yaml", "acled_rules"),
    ("acled/fatalities.yaml", "acled_fatalities"),
    ("acled/export.yaml", "acled_export"),
]

# A "*" in a pattern spans this many words at most (PETRARCH allows any number; wire text needs ~5).
GAP_WORDS = 5

CORE_CATEGORIES = {"01": "statement", "04": "meeting", "10": "demand"}


@dataclass(slots=True)
class CodeInfo:
    code: str
    name: str
    description: str
    goldstein: float
    quad_class: int
    plover: str | None
    root_name: str = ""

    @property
    def root(self) -> str:
        return self.code[:2]

    @property
    def category(self) -> str:
        if self.code.startswith("046"):
            return "negotiation"
        return CORE_CATEGORIES.get(self.root, self.root_name.lower())


@dataclass(slots=True)
class Element:
    """One position of a compiled pattern."""

    kind: str                       # "word", "gap", "target"
    forms: frozenset[str] = frozenset()
    optional: bool = False
    max_gap: int = 0


@dataclass(slots=True)
class VerbRule:
    rule_id: str
    code: str
    pattern: str
    elements: list[Element]
    negated: str | None
    target: str                     # object | none | from
    speech: bool
    nominal: bool
    file: str
    line: int
    # the forms of each required word after the first: a sentence lacking any one of them cannot match,
    # so the matcher skips the rule without trying it (most rules, in most sentences)
    required: tuple[frozenset[str], ...] = ()


@dataclass(slots=True)
class Role:
    code: str
    start: str | None
    end: str | None
    title: str | None = None


@dataclass(slots=True)
class Lexeme:
    """What a phrase in the text may refer to."""

    kind: str            # country adjective demonym capital institution org group person agent place
    code: str            # actor code, role code (agents) or place key
    name: str
    file: str
    line: int
    country: str | None = None
    role: str | None = None
    roles: list[Role] | None = None      # people
    place: dict | None = None            # places


@dataclass
class Codebook:
    root: Path
    name: str
    version: str
    digest: str
    taxonomy: dict[str, CodeInfo]
    verbs_by_first: dict[str, list[VerbRule]]
    verb_rules: list[VerbRule]
    lexicon: dict[tuple[str, ...], list[Lexeme]]
    lexicon_lengths: dict[str, set[int]]
    cues: dict[str, Any]
    cue_keys: dict[str, set[tuple[str, ...]]]
    files: list[Path] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)
    # first-word form -> (rules to try always, {anchor word: rules}); see `verb_index`
    verb_index: dict[str, tuple[tuple[tuple[int, VerbRule], ...], dict[str, tuple[tuple[int, VerbRule], ...]]]] = \
        field(default_factory=dict)

    @property
    def label(self) -> str:
        return f"{self.name} {self.version}"

    def code_info(self, code: str) -> CodeInfo | None:
        return self.taxonomy.get(code)

    def lookup(self, key: tuple[str, ...]) -> list[Lexeme]:
        return self.lexicon.get(key, [])


def codebook_files(root: Path) -> list[tuple[Path, str]]:
    seen: set[Path] = set()
    found = []
    for pattern, kind in FILE_KINDS:
        for path in sorted(root.glob(pattern)):
            if path not in seen:
                seen.add(path)
                found.append((path, kind))
    return found


def digest_of(paths: list[Path], root: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(paths, key=lambda p: p.relative_to(root).as_posix()):
        h.update(p.relative_to(root).as_posix().encode())
        h.update(b"\0")
        h.update(p.read_bytes())
    return h.hexdigest()


def load_codebook(root: str | Path | None = None) -> Codebook:
    """Read, check and compile the codebook set in `root` (default: the bundled one)."""
    root = Path(root or os.environ.get("EVENTCODER_CODEBOOKS") or DEFAULT_CODEBOOKS)
    if not (root / "codebook.yaml").is_file():
        raise CodebookError(f"{root}: not a codebook set (no codebook.yaml); point --codebooks at a folder that has one")
    files = codebook_files(root)
    digest = digest_of([p for p, _ in files], root)
    cached = _read_cache(digest)
    if cached is not None:
        cached.root = root
        cached.files = [p for p, _ in files]
        return cached
    data: dict[str, list[tuple[Path, Any]]] = {}
    errors: list[str] = []
    for path, kind in files:
        try:
            data.setdefault(kind, []).append((path, load_checked(path, kind)))
        except CodebookError as exc:
            errors.append(str(exc))
    if errors:
        raise CodebookError("\n".join(errors))
    meta = data["codebook"][0][1]
    compiler = _Compiler(root)
    for kind, items in data.items():
        for path, content in items:
            compiler.add(kind, path, content)
    cb = compiler.finish(meta, digest)
    cb.files = [p for p, _ in files]
    _write_cache(cb)
    return cb


def _compiler_digest() -> str:
    """A hash of the code that compiles codebooks: a changed compiler never reads an old cache."""
    h = hashlib.sha256()
    here = Path(__file__).resolve().parent
    for path in sorted(list(here.glob("*.py")) + [here.parent / "text.py"]):
        h.update(path.read_bytes())
    return h.hexdigest()[:12]


def _cache_path(digest: str) -> Path:
    from .. import __version__
    from ..resolve.places import _cache_dir

    return _cache_dir() / f"codebook-{digest[:20]}-{__version__}-{_compiler_digest()}.pkl"


def _read_cache(digest: str) -> Codebook | None:
    """A compiled codebook with the same file digest, if one was cached: compiling is done once."""
    import pickle

    path = _cache_path(digest)
    try:
        with path.open("rb") as fh:
            cb = pickle.load(fh)
        return cb if isinstance(cb, Codebook) and cb.digest == digest else None
    except (OSError, pickle.PickleError, EOFError, AttributeError, TypeError, ValueError):
        return None


def _write_cache(cb: Codebook) -> None:
    import pickle

    path = _cache_path(cb.digest)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        with tmp.open("wb") as fh:
            pickle.dump(cb, fh, protocol=pickle.HIGHEST_PROTOCOL)
        tmp.replace(path)
        # keep the cache small: the eight most recently written compiled codebooks
        old = sorted(path.parent.glob("codebook-*.pkl"), key=lambda p: p.stat().st_mtime, reverse=True)[8:]
        for stale in old:
            stale.unlink(missing_ok=True)
    except OSError:
        pass  # a read-only cache only costs compile time


class _Compiler:
    def __init__(self, root: Path):
        self.root = root
        self.taxonomy: dict[str, CodeInfo] = {}
        self.verb_items: list[tuple[Path, dict]] = []
        self.lexicon: dict[tuple[str, ...], list[Lexeme]] = {}
        self.cues: dict[str, Any] = {}
        self.irregular: dict[str, list[str]] = {}
        self.doubled: set[str] = set()
        self.extra: dict[str, Any] = {}

    def rel(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()

    def add(self, kind: str, path: Path, content: Any) -> None:
        getattr(self, f"_add_{kind}")(path, content)

    def _add_codebook(self, path, content):
        pass

    def _add_taxonomy(self, path, content):
        roots = {c["code"]: c["name"] for c in content["codes"] if len(c["code"]) == 2}
        for c in content["codes"]:
            self.taxonomy[c["code"]] = CodeInfo(
                code=c["code"], name=c["name"], description=c.get("description") or "",
                goldstein=float(c["goldstein"]), quad_class=int(c["quad_class"]), plover=c.get("plover"),
                root_name=roots.get(c["code"][:2], ""),
            )

    def _add_abbreviations(self, path, content):
        self.extra["abbreviations"] = frozenset(a.lower().rstrip(".") for a in content["abbreviations"])

    def _add_acled_types(self, path, content):
        self.extra["acled_types"] = content

    def _add_acled_rules(self, path, content):
        self.extra["acled_rules"] = content

    def _add_acled_export(self, path, content):
        self.extra["acled_export"] = content

    def _add_acled_fatalities(self, path, content):
        self.extra["acled_fatalities"] = content

    def _add_cues(self, path, content):
        self.cues.update(content)

    def _add_verbs(self, path, content):
        for entry in content.get("verbs") or []:
            self.verb_items.append((path, entry))

    def _add_irregular_verbs(self, path, content):
        for item in content["irregular_verbs"]:
            self.irregular[item["lemma"].lower()] = [f.lower() for f in item["forms"]]
        self.doubled.update(w.lower() for w in content.get("doubled_consonant") or [])

    def _lex(self, phrase: str, lex: Lexeme) -> None:
        for variant in _spelling_variants(phrase, self.cues.get("name_particles") or ()):
            key = phrase_key(variant)
            if not key:
                continue
            bucket = self.lexicon.setdefault(key, [])
            if not any(x.kind == lex.kind and x.code == lex.code for x in bucket):
                bucket.append(lex)

    def _add_countries(self, path, content):
        f = self.rel(path)
        for c in content["countries"]:
            code, line = c["code"], c.line
            for n in c["names"] + (c.get("historical") or []):
                self._lex(n, Lexeme("country", code, c["name"], f, line, country=code))
            for n in c.get("adjectives") or []:
                self._lex(n, Lexeme("adjective", code, c["name"], f, line, country=code))
            for n in c.get("demonyms") or []:
                self._lex(n, Lexeme("demonym", code + "CVL", c["name"], f, line, country=code, role="CVL"))
            for n in c.get("capitals") or []:
                self._lex(n, Lexeme("capital", code + "GOV", n, f, line, country=code, role="GOV"))
            for inst in c.get("institutions") or []:
                icode = inst.get("code") or code + inst.get("role", "")
                for n in inst["names"]:
                    self._lex(n, Lexeme("institution", icode, inst["names"][0], f, inst.line, country=code, role=inst.get("role")))

    def _add_org_like(self, path, content, key, kind):
        f = self.rel(path)
        for g in content[key]:
            role = g.get("role")
            for n in g["names"]:
                self._lex(n, Lexeme(kind, g["code"], g["name"], f, g.line, country=g.get("country"), role=role))

    def _add_organizations(self, path, content):
        self._add_org_like(path, content, "organizations", "org")

    def _add_groups(self, path, content):
        self._add_org_like(path, content, "groups", "group")

    def _add_people(self, path, content):
        f = self.rel(path)
        for p in content["people"]:
            roles = [Role(r["code"], r.get("from"), r.get("to"), r.get("title")) for r in p["roles"]]
            for n in p["names"]:
                self._lex(n, Lexeme("person", roles[-1].code, p["name"], f, p.line, roles=roles))

    def _add_agents(self, path, content):
        from .inflect import plural

        f = self.rel(path)
        for a in content["agents"]:
            for n in a["names"]:
                lex = Lexeme("agent", a["role"], n, f, a.line, role=a["role"])
                self._lex(n, lex)
                words = n.split()
                if words and not words[-1].lower().endswith("s") and words[-1][:1].islower():
                    self._lex(" ".join(words[:-1] + [plural(words[-1])]), lex)

    def _add_places(self, path, content):
        f = self.rel(path)
        for p in content["places"]:
            for n in p["names"]:
                self._lex(n, Lexeme("place", p["name"], p["name"], f, p.line, country=p.get("country"), place=dict(p)))

    def finish(self, meta: dict, digest: str) -> Codebook:
        inflector = Inflector(self.irregular, self.doubled)
        rules: list[VerbRule] = []
        problems: list[str] = []
        def add_rule(path: Path, code: str, text: str, line: int, negated, target: str, speech: bool,
                     nominal: bool) -> None:
            f = self.rel(path)
            try:
                elements = compile_pattern(text, inflector, nominal=nominal)
            except ValueError as exc:
                problems.append(f"{f}:{line}: {'nominal' if nominal else 'pattern'} {text!r}: {exc}")
                return
            rule_id = f"{path.stem}:{code}:{'~' if nominal else ''}{text}"
            required = tuple(el.forms for el in elements[1:] if el.kind == "word" and not el.optional)
            rules.append(VerbRule(rule_id, code, text, elements, negated, target, speech, nominal, f, line, required))

        for path, entry in self.verb_items:
            base = {"code": entry["code"], "negated": entry.get("negated"), "target": entry.get("target", "object")}
            for pat in entry.get("patterns") or []:
                spec = dict(base)
                if isinstance(pat, dict):
                    spec.update({k: v for k, v in pat.items() if k != "pattern"})
                    text, line = pat["pattern"], pat.line
                else:
                    text, line = pat, entry.line
                add_rule(path, spec["code"], text, line, spec.get("negated"), spec["target"],
                         bool(entry.get("speech")), False)
            for noun in entry.get("nominal") or []:
                add_rule(path, entry["code"], noun, entry.line, entry.get("negated"), "object", False, True)
        if problems:
            raise CodebookError("\n".join(problems))
        by_first: dict[str, list[VerbRule]] = {}
        for r in rules:
            for form in r.elements[0].forms:
                by_first.setdefault(form, []).append(r)
        lengths: dict[str, set[int]] = {}
        for key in self.lexicon:
            lengths.setdefault(key[0], set()).add(len(key))
        cue_keys = {k: {phrase_key(p) for p in v} for k, v in self.cues.items() if isinstance(v, list)}
        return Codebook(self.root, meta["name"], meta["version"], digest, self.taxonomy, by_first, rules,
                        self.lexicon, lengths, self.cues, cue_keys, extra=self.extra,
                        verb_index=verb_index(by_first))


def verb_index(by_first: dict[str, list[VerbRule]]) -> dict:
    """Per first-word form, the rules split by one required word ("anchor"): a sentence is matched
    against only the rules whose anchor occurs in it, not against all ("called" starts 144 patterns).
    Each rule keeps its position in `by_first` so that candidates are tried in codebook order."""
    index = {}
    for form, rules in by_first.items():
        always: list[tuple[int, VerbRule]] = []
        keyed: dict[str, list[tuple[int, VerbRule]]] = {}
        for pos, r in enumerate(rules):
            if not r.required:
                always.append((pos, r))
                continue
            # longer words are rarer in text: the fewer sentences hold the anchor, the fewer tries
            anchor = max(r.required, key=lambda forms: (min(len(f) for f in forms), -len(forms)))
            for word in anchor:
                keyed.setdefault(word, []).append((pos, r))
        index[form] = (tuple(always), {w: tuple(v) for w, v in keyed.items()})
    return index


def _spelling_variants(phrase: str, particles) -> set[str]:
    """A name as written, with hyphens as spaces ("al-Shabaab" / "al Shabaab"), and an Arabic article
    particle joined by a hyphen ("al Qaeda" / "al-Qaeda")."""
    out = {phrase}
    if "-" in phrase:
        out.add(phrase.replace("-", " "))
    words = phrase.split(" ")
    if len(words) >= 2 and words[0].lower() in particles:
        out.add(words[0] + "-" + " ".join(words[1:]))
    return out


def compile_pattern(text: str, inflector: Inflector, nominal: bool) -> list[Element]:
    """Compile one pattern string of the pattern language (see codebooks/README.md)."""
    elements: list[Element] = []
    for i, raw in enumerate(text.split()):
        if raw == "*":
            elements.append(Element("gap", max_gap=GAP_WORDS))
            continue
        if raw == "TARGET":
            elements.append(Element("target"))
            continue
        optional = raw.endswith("?") and len(raw) > 1
        word = raw[:-1] if optional else raw
        literal = word.startswith("=")
        word = word.lstrip("=")
        alts = [a for a in word.lower().split("|") if a]
        if not alts:
            raise ValueError(f"empty word in position {i + 1}")
        forms: set[str] = set()
        for alt in alts:
            norms = phrase_key(alt)
            if len(norms) != 1:
                # hyphenated or punctuated words are single tokens; anything else is a mistake
                raise ValueError(f"{alt!r} is not one word")
            alt = norms[0]
            if i == 0 and not literal:
                forms |= inflector.noun_forms(alt) if nominal else inflector.verb_forms(alt)
            else:
                forms.add(alt)
        elements.append(Element("word", frozenset(forms), optional))
    if not elements or elements[0].kind != "word" or elements[0].optional:
        raise ValueError("a pattern must start with a required word")
    if elements[-1].kind == "gap":
        raise ValueError("a pattern cannot end with a gap")
    return elements


__all__ = ["Codebook", "CodebookError", "CodeInfo", "Lexeme", "VerbRule", "load_codebook", "DEFAULT_CODEBOOKS",
           "read_yaml", "schema_errors", "LineDict"]
