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
# The same without the two possessive branches: a text with no "'s" gives the same tokens with it, in half the time
_TOKEN_RE_NO_POSSESSIVE = re.compile(
    r"(?:[A-Za-z]\.){2,}"
    r"|\d{1,3}(?:,\d{3})+(?![\d])"
    r"|[^\W_]+(?:[-'’.][^\W_]+)*"
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


_WORD_INFO: dict[str, tuple[str, bool, bool]] = {}   # word as written -> (norm, cap, is_word); bounded


def _word_info(word: str) -> tuple[str, bool, bool]:
    # normalise() inlined: this runs for every new word
    norm = word.lower()
    if "’" in norm:
        norm = norm.replace("’", "'")
    if "." in norm:
        norm = norm.replace(".", "") or word
    # "al-Shabaab", "el-Sisi": a name after a lower-case article particle is still a name
    cap = word[:1].isupper() or ("-" in word and _PARTICLE_NAME.match(word) is not None)
    info = (norm, cap, norm[:1].isalnum())
    if len(_WORD_INFO) > 50000:
        _WORD_INFO.clear()
    _WORD_INFO[word] = info
    return info


def tokenize(text: str) -> list[Token]:
    tokens = []
    append = tokens.append
    known = _WORD_INFO.get
    pattern = _TOKEN_RE if "'s" in text or "’s" in text else _TOKEN_RE_NO_POSSESSIVE
    for m in pattern.finditer(text):
        word = m.group()
        info = known(word) or _word_info(word)   # a word's norm and case are read once, not per occurrence
        s, e = m.span()
        append(Token(word, info[0], s, e, info[1], info[2]))
    return tokens


def phrase_key(phrase: str) -> tuple[str, ...]:
    """The token-norm tuple a codebook phrase matches."""
    return tuple(t.norm for t in tokenize(phrase))
