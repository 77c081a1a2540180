"""Ingest: read articles from JSONL, CSV, Parquet and folders of .txt files.

Every input record becomes an `Article` or a `Reject` that names the file, the
line (or record number) and the reason. Nothing is dropped silently.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Iterator

import jsonschema

from .resolve.dates import parse_published

SCHEMA_PATH = Path(__file__).resolve().parents[1] / "schemas" / "article.schema.json"
FIELDS = ("id", "text", "published", "source", "url", "title")
INPUT_SUFFIXES = {".jsonl", ".ndjson", ".json", ".csv", ".parquet", ".txt"}


@dataclass(slots=True)
class Dateline:
    place: str | None
    month: int | None
    day: int | None
    agency: str | None
    end: int                          # offset where the story text starts


@dataclass(slots=True)
class Article:
    id: str
    text: str
    published: dt.date | None = None
    source: str | None = None
    url: str | None = None
    title: str | None = None
    origin: str = ""                  # file:line the record came from
    dateline: Dateline | None = None

    @property
    def base_date(self) -> dt.date | None:
        """The date relative expressions are resolved against: the dateline's, else publication."""
        if self.dateline and self.dateline.month and self.dateline.day and self.published:
            year = self.published.year
            try:
                d = dt.date(year, self.dateline.month, self.dateline.day)
            except ValueError:
                return self.published
            if d > self.published + dt.timedelta(days=2):  # "Dec. 31" in a story published Jan. 1
                d = d.replace(year=year - 1)
            return d
        return self.published

    @property
    def dateline_date(self) -> dt.date | None:
        if self.dateline and self.dateline.month and self.dateline.day:
            return self.base_date
        return None


@dataclass(slots=True)
class Reject:
    origin: str                       # file:line or file#record
    record_id: str | None
    reason: str
    stage: str = "ingest"
    record: dict | None = field(default=None)

    def to_json(self) -> dict:
        return {"stage": self.stage, "origin": self.origin, "id": self.record_id, "reason": self.reason,
                "record": self.record}


# ---------------------------------------------------------------- datelines
_MONTHS = {m.lower(): i for i, m in enumerate(
    ["", "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
     "November", "December"]) if m}
_MONTHS.update({k[:3]: v for k, v in list(_MONTHS.items())})
_MONTHS["sept"] = 9
_MON = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?"
_DATELINE_RE = re.compile(
    r"^\s*(?P<place>[A-Z][A-Z .'’\-]{1,40}?)"                        # JERUSALEM / SAN JOSE
    r"(?:,\s*(?P<region>[A-Z][A-Za-z .'\-]{1,30}?))??"                # , Ukraine
    r"(?:,?\s*(?:(?P<mon1>" + _MON + r")\s+(?P<day1>\d{1,2})|(?P<day2>\d{1,2})\s+(?P<mon2>" + _MON + r")))?"
    r"\s*\((?P<agency>[A-Za-z][\w .&'\-]{0,30})\)\s*(?:--|—|–|-)\s*"
)


def parse_dateline(text: str) -> Dateline | None:
    """'JERUSALEM, Jan. 30 (Xinhua) --', 'KYIV, Ukraine (AP) —', 'GENEVA, 14 June (AFP) -'."""
    m = _DATELINE_RE.match(text)
    if not m:
        return None
    mon = m.group("mon1") or m.group("mon2")
    day = m.group("day1") or m.group("day2")
    month = _MONTHS.get(mon.rstrip(".").lower()[:3]) if mon else None
    place = m.group("place").strip().title()
    return Dateline(place, month, int(day) if day else None, m.group("agency").strip(), m.end())


# ---------------------------------------------------------------- records
@lru_cache(maxsize=1)
def _validator() -> jsonschema.protocols.Validator:
    schema = json.loads(SCHEMA_PATH.read_text())
    return jsonschema.validators.validator_for(schema)(schema)


def make_article(record: dict, origin: str) -> Article | Reject:
    """Validate one raw record and turn it into an Article, or say why not."""
    rid = record.get("id")
    rid = str(rid) if rid is not None and rid != "" else None
    record = {k: (str(v) if k in ("id",) and v is not None and not isinstance(v, str) else v) for k, v in record.items()}
    errors = sorted(_validator().iter_errors(record), key=lambda e: list(map(str, e.path)))
    if errors:
        err = errors[0]
        field_ = "/".join(map(str, err.path)) or "record"
        return Reject(origin, rid, f"{field_}: {err.message}", record=_short(record))
    published = None
    if record.get("published"):
        published = parse_published(str(record["published"]))
        if published is None:
            return Reject(origin, rid, f"published: cannot read {record['published']!r} as a date "
                                       "(use YYYY-MM-DD)", record=_short(record))
    text = record["text"]
    art = Article(rid, text, published, record.get("source"), record.get("url"), record.get("title"), origin)
    art.dateline = parse_dateline(text)
    if art.dateline and not art.source:
        art.source = art.dateline.agency
    return art


def _short(record: dict) -> dict:
    return {k: (v[:200] + "…" if isinstance(v, str) and len(v) > 200 else v) for k, v in record.items()}


def _decode(raw: bytes, origin: str) -> tuple[str | None, str | None]:
    try:
        return raw.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        return None, f"not UTF-8 (byte 0x{raw[exc.start]:02x} at offset {exc.start}); re-save the file as UTF-8"


def read_jsonl(path: Path) -> Iterator[Article | Reject]:
    with path.open("rb") as fh:
        any_line = False
        for lineno, raw in enumerate(fh, 1):
            origin = f"{path}:{lineno}"
            if not raw.strip():
                continue
            any_line = True
            line, err = _decode(raw, origin)
            if err:
                yield Reject(origin, None, err)
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                yield Reject(origin, None, f"malformed JSON: {exc.msg} at column {exc.colno}",
                             record={"raw": line[:200]})
                continue
            if not isinstance(record, dict):
                yield Reject(origin, None, f"expected a JSON object, found {type(record).__name__}")
                continue
            yield from _with_unknown_warning(record, origin)
        if not any_line:
            yield Reject(str(path), None, "empty file: no records")


def _with_unknown_warning(record: dict, origin: str) -> Iterator[Article | Reject]:
    art = make_article({k: v for k, v in record.items() if k in FIELDS}, origin)
    yield art
    unknown = sorted(set(record) - set(FIELDS))
    if unknown and isinstance(art, Article):
        yield Reject(origin, art.id, f"unknown columns ignored: {', '.join(unknown)}", stage="warning")


def read_csv(path: Path) -> Iterator[Article | Reject]:
    raw = path.read_bytes()
    text, err = _decode(raw, str(path))
    if err:
        # decode line by line so the good rows still get in
        text = raw.decode("utf-8", errors="replace")
        yield Reject(str(path), None, f"{err}; undecodable bytes replaced by U+FFFD", stage="warning")
    if not text.strip():
        yield Reject(str(path), None, "empty file: no records")
        return
    reader = csv.DictReader(io.StringIO(text, newline=""))
    if not reader.fieldnames or "id" not in reader.fieldnames or "text" not in reader.fieldnames:
        yield Reject(str(path), None, f"CSV header must have 'id' and 'text' columns; found {reader.fieldnames}")
        return
    unknown = sorted(set(reader.fieldnames) - set(FIELDS))
    if unknown:
        yield Reject(str(path), None, f"unknown columns ignored: {', '.join(unknown)}", stage="warning")
    for row in reader:
        origin = f"{path}:{reader.line_num}"
        if None in row:
            yield Reject(origin, row.get("id"), "row has more fields than the header")
            continue
        record = {k: (v if v != "" else None) for k, v in row.items() if k in FIELDS}
        if record.get("text") is None:
            yield Reject(origin, record.get("id"), "text: missing or empty", record=_short(record))
            continue
        yield make_article(record, origin)


def read_parquet(path: Path) -> Iterator[Article | Reject]:
    import pyarrow.parquet as pq

    try:
        pf = pq.ParquetFile(path)
    except Exception as exc:  # pyarrow raises several types for a damaged file
        yield Reject(str(path), None, f"cannot read Parquet: {exc}")
        return
    cols = [c for c in pf.schema_arrow.names if c in FIELDS]
    if "id" not in cols or "text" not in cols:
        yield Reject(str(path), None, f"Parquet file must have 'id' and 'text' columns; found {pf.schema_arrow.names}")
        return
    n = 0
    for batch in pf.iter_batches(columns=cols, batch_size=2048):
        for record in batch.to_pylist():
            n += 1
            for k, v in list(record.items()):
                if isinstance(v, (dt.date, dt.datetime)):
                    record[k] = v.isoformat()
            yield make_article(record, f"{path}#{n}")
    if n == 0:
        yield Reject(str(path), None, "empty file: no records")


def read_txt(path: Path) -> Iterator[Article | Reject]:
    raw = path.read_bytes()
    text, err = _decode(raw, str(path))
    if err:
        yield Reject(str(path), path.stem, err)
        return
    if not text.strip():
        yield Reject(str(path), path.stem, "empty file: no text")
        return
    yield make_article({"id": path.stem, "text": text}, str(path))


READERS = {".jsonl": read_jsonl, ".ndjson": read_jsonl, ".json": read_jsonl, ".csv": read_csv,
           ".parquet": read_parquet, ".txt": read_txt}


class InputError(Exception):
    """An input path cannot be used at all (missing, unknown type)."""


def expand_inputs(paths: list[str | Path]) -> list[Path]:
    files: list[Path] = []
    for p in map(Path, paths):
        if not p.exists():
            raise InputError(f"{p}: no such file or folder")
        if p.is_dir():
            inner = sorted(q for q in p.rglob("*") if q.is_file() and q.suffix.lower() in INPUT_SUFFIXES
                           and not q.name.endswith(".gold.jsonl"))
            files.extend(inner)
        elif p.suffix.lower() in READERS:
            files.append(p)
        else:
            raise InputError(f"{p}: unknown input type {p.suffix!r}; use .jsonl, .csv, .parquet, .txt or a folder")
    return files


def read_articles(paths: list[str | Path]) -> Iterator[Article | Reject]:
    """Every article (or reject) from the given files and folders, in order."""
    seen: set[str] = set()
    for path in expand_inputs(paths):
        for item in READERS[path.suffix.lower()](path):
            if isinstance(item, Article):
                if item.id in seen:
                    yield Reject(item.origin, item.id, "duplicate id: an article with this id was already read; kept the first")
                    continue
                seen.add(item.id)
            yield item
