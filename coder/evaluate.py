"""Scoring coded events against hand-coded gold (the gold format of the seed example).

Levels (as in the gold format's README):
- L1: same sentence, same CAMEO root as an acceptable code, same source country block.
- L2: same sentence, code among the acceptable codes, source and target agree on
  country and role blocks (a 3-letter gold code checks the country only; a null
  gold target accepts any target); roots 04, 05, 06 also match swapped.
A required gold event no prediction matches is a miss; a prediction matching no
gold event is a false alarm; one matching only an optional gold event counts
neither way. Date and location accuracy are measured on the L2 matches.
"""
from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

SYMMETRIC_ROOTS = {"04", "05", "06"}


def _actor_ok(gold: str | None, pred: str | None) -> bool:
    if gold is None:
        return True
    if not pred:
        return False
    n = 3 if len(gold) == 3 else 6
    return pred[:n] == gold[:n]


def match_level(gold: dict, pred: dict, level: str) -> bool:
    codes = gold["codes"]
    if level == "L1":
        return pred["event_code"][:2] in {c[:2] for c in codes} and \
            (pred["source_code"] or "")[:3] == (gold["source"] or "")[:3]
    if pred["event_code"] not in codes:
        return False
    if _actor_ok(gold["source"], pred["source_code"]) and _actor_ok(gold.get("target"), pred.get("target_code")):
        return True
    if codes[0][:2] in SYMMETRIC_ROOTS and gold.get("target"):
        return _actor_ok(gold["target"], pred["source_code"]) and _actor_ok(gold["source"], pred.get("target_code"))
    return False


@dataclass
class LevelScore:
    tp: int = 0
    fn: int = 0
    fp: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict:
        return {"tp": self.tp, "fn": self.fn, "fp": self.fp, "precision": round(self.precision, 4),
                "recall": round(self.recall, 4), "f1": round(self.f1, 4)}


@dataclass
class EvalReport:
    levels: dict[str, LevelScore] = field(default_factory=dict)
    date_ok: int = 0
    date_n: int = 0
    loc_ok: int = 0
    loc_n: int = 0
    by_root: dict[str, LevelScore] = field(default_factory=lambda: defaultdict(LevelScore))
    by_family: dict[str, LevelScore] = field(default_factory=lambda: defaultdict(LevelScore))
    misses: list[dict] = field(default_factory=list)
    false_alarms: list[dict] = field(default_factory=list)

    @property
    def date_accuracy(self) -> float:
        return self.date_ok / self.date_n if self.date_n else 1.0

    @property
    def location_accuracy(self) -> float:
        return self.loc_ok / self.loc_n if self.loc_n else 1.0

    def as_dict(self) -> dict:
        return {"levels": {k: v.as_dict() for k, v in self.levels.items()},
                "date_accuracy": round(self.date_accuracy, 4), "date_n": self.date_n,
                "location_accuracy": round(self.location_accuracy, 4), "location_n": self.loc_n,
                "by_root": {k: v.as_dict() for k, v in sorted(self.by_root.items())},
                "by_family": {k: v.as_dict() for k, v in sorted(self.by_family.items())},
                "misses": self.misses, "false_alarms": self.false_alarms}


def family(code: str) -> str:
    if code.startswith("046"):
        return "negotiation"
    return {"01": "statement", "04": "meeting", "10": "demand"}.get(code[:2], "other")


def _norm_sentence(s: str) -> str:
    return " ".join(s.split())


def load_gold(path: Path) -> list[dict]:
    return [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]


def score(gold_lines: list[dict], predictions: list[dict]) -> EvalReport:
    """Score predicted event rows against gold sentence lines."""
    preds_by_sent: dict[tuple, list[dict]] = defaultdict(list)
    for p in predictions:
        preds_by_sent[(p["doc_id"], int(p["sentence_index"]))].append(p)
    # also index by sentence text, so a different sentence split does not lose matches
    text_index: dict[tuple, tuple] = {}
    for key, ps in preds_by_sent.items():
        text_index[(key[0], _norm_sentence(ps[0]["sentence_text"]))] = key
    rep = EvalReport(levels={"L1": LevelScore(), "L2": LevelScore()})
    used_keys = set()
    for g in gold_lines:
        key = text_index.get((g["doc"], _norm_sentence(g["sentence"])), (g["doc"], int(g["n"])))
        used_keys.add(key)
        preds = preds_by_sent.get(key, [])
        for level in ("L1", "L2"):
            matched_pred: set[int] = set()
            for ge in g["events"]:
                hit = next((i for i, p in enumerate(preds) if i not in matched_pred and match_level(ge, p, level)), None)
                if hit is not None:
                    matched_pred.add(hit)
                    if ge.get("required", True):
                        rep.levels[level].tp += 1
                        if level == "L2":
                            rep.by_root[ge["codes"][0][:2]].tp += 1
                            rep.by_family[family(ge["codes"][0])].tp += 1
                            p = preds[hit]
                            if ge.get("date"):
                                rep.date_n += 1
                                rep.date_ok += int(p.get("event_date") == ge["date"])
                            if ge.get("location"):
                                rep.loc_n += 1
                                rep.loc_ok += int(p.get("location_country") == ge["location"]["country"])
                elif ge.get("required", True):
                    rep.levels[level].fn += 1
                    if level == "L2":
                        rep.by_root[ge["codes"][0][:2]].fn += 1
                        rep.by_family[family(ge["codes"][0])].fn += 1
                        rep.misses.append({"doc": g["doc"], "n": g["n"], "sentence": g["sentence"], "gold": ge,
                                           "predicted": [_brief(p) for p in preds]})
            for i, p in enumerate(preds):
                if i not in matched_pred:
                    rep.levels[level].fp += 1
                    if level == "L2":
                        rep.by_root[p["event_code"][:2]].fp += 1
                        rep.by_family[family(p["event_code"])].fp += 1
                        rep.false_alarms.append({"doc": g["doc"], "n": g["n"], "sentence": g["sentence"],
                                                 "predicted": _brief(p)})
    gold_docs = {g["doc"] for g in gold_lines}
    for key, preds in preds_by_sent.items():
        if key in used_keys or key[0] not in gold_docs:
            continue
        for p in preds:  # predictions on sentences the gold does not list
            for level in ("L1", "L2"):
                rep.levels[level].fp += 1
            rep.false_alarms.append({"doc": key[0], "n": key[1], "sentence": p["sentence_text"], "predicted": _brief(p)})
    return rep


def _brief(p: dict) -> dict:
    return {"code": p["event_code"], "source": p["source_code"], "target": p.get("target_code"),
            "date": p.get("event_date"), "location": p.get("location_name"), "rule": p.get("rule_id")}
