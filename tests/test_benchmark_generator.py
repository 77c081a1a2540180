"""The benchmark corpus generator: deterministic, well-formed, wire-like."""
from __future__ import annotations

import json
import os
import subprocess
import sys

from benchmarks.generate_corpus import build_vocab, iter_articles, write_corpus
from coder.ingest import Article, read_articles
from coder.segment import split_sentences

from .conftest import ROOT


def _generate(out, seed, hashseed):
    env = dict(os.environ, PYTHONHASHSEED=str(hashseed))
    subprocess.run([sys.executable, "-m", "benchmarks.generate_corpus", "--articles", "30", "--shard-size", "12",
                    "--seed", str(seed), "--out", str(out)], cwd=ROOT, env=env, check=True, capture_output=True)
    return {p.name: p.read_bytes() for p in sorted(out.iterdir())}


def test_same_seed_same_bytes_in_any_process(tmp_path):
    a = _generate(tmp_path / "a", 5, 1)
    b = _generate(tmp_path / "b", 5, 2)       # another hash seed: set iteration order differs
    assert sorted(a) == ["MANIFEST", "corpus-00000.jsonl", "corpus-00001.jsonl", "corpus-00002.jsonl"]
    assert a == b
    c = _generate(tmp_path / "c", 6, 1)
    assert c["corpus-00000.jsonl"] != a["corpus-00000.jsonl"]


def test_shards_regenerate_independently(cb, tmp_path):
    write_corpus(cb, tmp_path, 10, 4, seed=3)
    third = [json.loads(line) for line in (tmp_path / "corpus-00002.jsonl").read_text().splitlines()]
    assert third == list(iter_articles(cb, 10, 3, start=8))


def test_articles_read_cleanly_and_look_like_wire_copy(cb, tmp_path):
    write_corpus(cb, tmp_path, 20, 20, seed=11, min_sentences=12, max_sentences=46)
    items = list(read_articles([tmp_path]))              # the whole folder: nothing in it but articles
    assert all(isinstance(a, Article) for a in items), [a for a in items if not isinstance(a, Article)]
    abbreviations = cb.extra.get("abbreviations", frozenset())
    for art in items:
        assert art.dateline is not None and art.dateline.agency, art.text[:80]
        sents = split_sentences(art.text, abbreviations)
        assert 12 <= len(sents) <= 46, (art.id, len(sents))
        words = [len(s.text.split()) for s in sents]
        assert 8 <= sum(words) / len(words) <= 40


def test_vocab_comes_from_the_codebook(cb):
    v = build_vocab(cb)
    assert len(v.countries) > 100 and v.verbs and v.speech and v.nominal and v.people and v.places
    assert all(verb.rule in cb.verb_rules for verb in v.verbs[:50])
    past = {verb.lemma: verb.past for verb in v.verbs + v.speech}
    assert past.get("accuse") == "accused"
    assert past.get("meet") == "met"
