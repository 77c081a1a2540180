"""Segment: split an article into sentences with character offsets.

Abbreviation-aware: "Jan. 30", "Gen. Smith", "U.S. troops" and initials do
not end a sentence. The dateline stays with the first sentence.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

# A candidate end: . ! ? (optionally followed by closing quotes/brackets), then
# whitespace, then something that can start a sentence.
_END_RE = re.compile(r"([.!?]+)([\"'”’)\]]*)(\s+)(?=[\"'“‘(\[]?[A-Z0-9])")
_WORD_BEFORE = re.compile(r"([A-Za-z][A-Za-z.]*)$")


@dataclass(slots=True)
class Sentence:
    index: int
    text: str
    start: int
    end: int


def split_sentences(text: str, abbreviations: frozenset[str] = frozenset()) -> list[Sentence]:
    """Sentences of `text`; `abbreviations` are lower-case words without their dot."""
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _END_RE.finditer(text):
        if m.group(1) == ".":
            w = _WORD_BEFORE.search(text[max(0, m.start(1) - 40):m.start(1)])
            word = w.group(1) if w else ""
            if word.lower() in abbreviations or len(word) == 1 and word.isupper():
                continue
            if "." in word and len(word) <= 6 and all(len(p) <= 2 for p in word.split(".")):
                # dotted acronym (U.S., U.N.): a sentence end only before a clear new sentence
                nxt = text[m.end():m.end() + 4]
                if not re.match(r"(The|He|She|It|They|We|In|On|A|An|But|This)\b", nxt):
                    continue
        end = m.end(2)
        if text[start:end].strip():
            spans.append((start, end))
        start = m.end()
    if text[start:].strip():
        spans.append((start, len(text)))
    sentences = []
    for s, e in spans:
        chunk = text[s:e]
        lead = len(chunk) - len(chunk.lstrip())
        body = chunk.strip()
        sentences.append(Sentence(len(sentences), body, s + lead, s + lead + len(body)))
    return sentences
