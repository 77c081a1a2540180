"""Tokens: the unit every matcher works on.

A token keeps its character offsets so that evidence can quote the text, and a
normalised form (lower case, dots dropped, curly apostrophes straightened) so
that "U.S." and "US", "Israel’s" and "Israel's" match the same codebook entry.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

# Words (with inner dots, hyphens and apostrophes), possessive 's, numbers, or
# single punctuation marks. Abbreviations such as "U.S." keep their dots.
_TOKEN_RE = re.compile(
    r"(?:[A-Za-z]\.){2,}"                 # U.S. U.N.
    r"|[^\W_]+(?:[-'’][^\W_]+)*(?=['’]s\b)"  # word before a possessive
    r"|['’]s\b"                           # possessive
    r"|\d{1,3}(?:,\d{3})+(?![\d])"          # 1,200: one number, not 1 , 200
    r"|[^\W_]+(?:[-'’.][^\W_]+)*"          # words, numbers, hyphenated words
    r"|--|[—–]|[^\w\s]",
    re.UNICODE,
)


_PARTICLE_NAME = re.compile(r"[a-z]{1,3}-[A-Z]")


@dataclass(slots=True)
class Token:
    text: str      # as written
    norm: str      # normalised for matching
    start: int     # character offsets in the sentence
    end: int
    cap: bool      # starts with an upper-case letter
    is_word: bool = False   # a word or number, not punctuation (set by tokenize: read millions of times)


def normalise(word: str) -> str:
    """Lower-case, straighten apostrophes and drop dots ("U.S." -> "us")."""
    return word.lower().replace("’", "'").replace(".", "")


def tokenize(text: str) -> list[Token]:
    tokens = []
    append = tokens.append
    for m in _TOKEN_RE.finditer(text):
        word = m.group()
        # normalise() inlined: this runs for every token of every sentence
        norm = word.lower()
        if "’" in norm:
            norm = norm.replace("’", "'")
        if "." in norm:
            norm = norm.replace(".", "") or word
        s, e = m.span()
        # "al-Shabaab", "el-Sisi": a name after a lower-case article particle is still a name
        cap = word[:1].isupper() or ("-" in word and _PARTICLE_NAME.match(word) is not None)
        append(Token(word, norm, s, e, cap, norm[:1].isalnum()))
    return tokens


def phrase_key(phrase: str) -> tuple[str, ...]:
    """The token-norm tuple a codebook phrase matches."""
    return tuple(t.norm for t in tokenize(phrase))
