"""Scoring ACLED-style coding against a set of reports with expected ACLED fields.

Each report is coded as an article; its ACLED event is the first event given
an ACLED sub-event type. Scores are shares of all reports (a report with no
ACLED event is wrong on every field): sub-event type, event date, country,
admin1 (case- and accent-insensitive), coordinates within 25 km, fatalities
exact.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path

from .codebook import Codebook
from .ingest import Article, make_article
from .pipeline import code_article
from .resolve.places import fold

FIELDS = ("sub_event_type", "event_date", "country", "admin1", "within_25km", "fatalities")


def km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 6371.0 * 2 * math.asin(math.sqrt(a))


@dataclass
class AcledReport:
    n: int = 0
    correct: dict[str, int] = field(default_factory=lambda: {f: 0 for f in FIELDS})
    by_type: dict[str, list[int]] = field(default_factory=dict)
    errors: list[dict] = field(default_factory=list)

    def share(self, f: str) -> float:
        return self.correct[f] / self.n if self.n else 0.0

    def as_dict(self) -> dict:
        return {"reports": self.n, "scores": {f: round(self.share(f), 4) for f in FIELDS},
                "by_sub_event_type": {k: {"n": v[1], "right": v[0]} for k, v in sorted(self.by_type.items())},
                "errors": self.errors}


def primary_event(rows: list[dict]) -> dict | None:
    return next((r for r in rows if r.get("acled_sub_event_type")), None)


def score_acled(reports: list[dict], cb: Codebook) -> AcledReport:
    rep = AcledReport()
    for rec in reports:
        exp = rec["expected"]
        art = make_article({k: rec[k] for k in ("id", "text", "published") if k in rec}, rec["id"])
        rows = code_article(art, cb).rows if isinstance(art, Article) else []
        got = primary_event(rows) or {}
        rep.n += 1
        checks = {
            "sub_event_type": got.get("acled_sub_event_type") == exp["sub_event_type"],
            "event_date": got.get("event_date") == exp["event_date"],
            "country": got.get("location_country") == exp["country"],
            "admin1": bool(got.get("location_admin1")) and fold(got.get("location_admin1") or "") == fold(exp.get("admin1") or ""),
            "within_25km": got.get("latitude") is not None and exp.get("latitude") is not None and
            km(got["latitude"], got["longitude"], exp["latitude"], exp["longitude"]) <= 25,
            "fatalities": (got.get("fatalities") or 0) == exp["fatalities"] if got else False,
        }
        for f, ok in checks.items():
            rep.correct[f] += int(ok)
        t = rep.by_type.setdefault(exp["sub_event_type"], [0, 0])
        t[0] += int(checks["sub_event_type"])
        t[1] += 1
        if not all(checks.values()):
            rep.errors.append({"id": rec["id"], "text": rec["text"], "wrong": [f for f, ok in checks.items() if not ok],
                               "expected": exp, "got": {k: got.get(k) for k in (
                                   "acled_sub_event_type", "event_code", "source_code", "target_code", "event_date",
                                   "location_name", "location_country", "location_admin1", "fatalities", "inter1",
                                   "inter2")}})
    return rep


def load_reports(path: Path) -> list[dict]:
    return [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]
