"""English inflection of pattern head words: lemmas are written once."""
from __future__ import annotations

_VOWELS = set("aeiou")


class Inflector:
    def __init__(self, irregular: dict[str, list[str]], doubled: set[str]):
        self.irregular = irregular
        self.doubled = doubled

    def verb_forms(self, lemma: str) -> set[str]:
        if len(lemma) > 5 and lemma.endswith(("ize", "yze")) and lemma not in self.irregular:
            # British spelling in wire copy (Reuters, AFP): "recognised", "criticising", "paralysed"
            return self._forms(lemma) | self._forms(lemma[:-2] + "se")
        return self._forms(lemma)

    def _forms(self, lemma: str) -> set[str]:
        forms = {lemma}
        if lemma in self.irregular:
            forms.update(self.irregular[lemma])
            # irregulars still take a regular 3sg and -ing when not listed
            if not any(f.endswith("ing") for f in self.irregular[lemma]):
                forms.add(self._ing(lemma))
            if not any(f.endswith("s") and f != lemma for f in self.irregular[lemma]):
                forms.add(self._third(lemma))
            return forms
        forms.add(self._third(lemma))
        forms.add(self._past(lemma))
        forms.add(self._ing(lemma))
        return forms

    def noun_forms(self, noun: str) -> set[str]:
        return {noun, plural(noun)}

    def _third(self, w: str) -> str:
        if w.endswith(("s", "x", "z", "ch", "sh", "o")):
            return w + "es"
        if len(w) > 1 and w.endswith("y") and w[-2] not in _VOWELS:
            return w[:-1] + "ies"
        return w + "s"

    def _past(self, w: str) -> str:
        if w in self.doubled:
            return w + w[-1] + "ed"
        if w.endswith("e"):
            return w + "d"
        if len(w) > 1 and w.endswith("y") and w[-2] not in _VOWELS:
            return w[:-1] + "ied"
        return w + "ed"

    def _ing(self, w: str) -> str:
        if w in self.doubled:
            return w + w[-1] + "ing"
        if w.endswith("ie"):
            return w[:-2] + "ying"
        if w.endswith("e") and not w.endswith(("ee", "ye", "oe")) and len(w) > 2:
            return w[:-1] + "ing"
        return w + "ing"


def plural(noun: str) -> str:
    if noun.endswith(("s", "x", "z", "ch", "sh")):
        return noun + "es"
    if len(noun) > 1 and noun.endswith("y") and noun[-2] not in _VOWELS:
        return noun[:-1] + "ies"
    return noun + "s"
