"""--jobs N gives the same run folder as --jobs 1, streaming in input order."""
from __future__ import annotations

import json
import subprocess
import sys

import polars as pl
import pytest

from benchmarks.generate_corpus import write_corpus
from coder.ingest import Article, Reject, read_articles
from coder import parallel
from coder.parallel import Coder, Engine, chunked, produce_results
from coder.pipeline import ArticleResult, StageTimes
from coder.run import run_code

from .conftest import DATA, ROOT

INPUTS = DATA / "inputs"


@pytest.fixture(scope="module")
def corpus(cb, tmp_path_factory):
    """Generated wire copy plus the bad and mixed inputs, so rejects are interleaved with articles."""
    d = tmp_path_factory.mktemp("corpus")
    write_corpus(cb, d / "gen", 40, 15, seed=2, min_sentences=3, max_sentences=8)
    return [ROOT / "examples", INPUTS / "bad.jsonl", d / "gen", INPUTS / "mixed.csv"]


@pytest.fixture(scope="module")
def serial_run(cb, corpus, tmp_path_factory):
    out = tmp_path_factory.mktemp("serial")
    summary = run_code(corpus, out, cb)
    return out, summary


def assert_same_run(a, b):
    assert (a / "events.csv").read_bytes() == (b / "events.csv").read_bytes()
    assert pl.read_parquet(a / "events.parquet").equals(pl.read_parquet(b / "events.parquet"))
    assert (a / "rejects.jsonl").read_bytes() == (b / "rejects.jsonl").read_bytes()
    ja, jb = (json.loads((d / "run.json").read_text()) for d in (a, b))
    assert ja["counts"] == jb["counts"] and ja["events_by_category"] == jb["events_by_category"]


@pytest.fixture
def pool_starts(monkeypatch):
    """How many times worker processes were started."""
    starts = []
    real = parallel.PoolBackend.__init__

    def spy(self, *args, **kwargs):
        starts.append(1)
        real(self, *args, **kwargs)

    monkeypatch.setattr(parallel.PoolBackend, "__init__", spy)
    return starts


def test_two_jobs_equal_one(cb, corpus, serial_run, tmp_path, pool_starts):
    ref, ref_summary = serial_run
    assert ref_summary.n_events > 20 and ref_summary.n_rejects > 0
    seen = []
    summary = run_code(corpus, tmp_path, cb, progress=lambda a, s: seen.append((a, s)),
                       engine=Engine(jobs=2, chunk_articles=3), batch_size=12)
    assert pool_starts == [1]          # workers started once (on the second batch) and kept for the others
    assert_same_run(ref, tmp_path)
    assert summary.n_sentences == ref_summary.n_sentences
    assert seen and seen[-1] == (summary.n_articles, summary.n_sentences)   # progress still ticks per article
    assert summary.stages.get("match_code", 0) > 0                          # worker timings are added up


def test_results_stream_in_input_order(cb, corpus):
    items = list(read_articles(corpus))
    times = StageTimes()
    got = list(produce_results(iter(items), cb, times, Engine(jobs=2, chunk_articles=2, inflight_per_worker=1)))
    assert len(got) == len(items)
    for item, res in zip(items, got):
        if isinstance(item, Reject):
            assert res == item
        else:
            assert isinstance(res, (ArticleResult, Reject))
            assert (res.article.id if isinstance(res, ArticleResult) else res.record_id) == item.id


def test_bounded_in_flight(cb, tmp_path):
    """The input is pulled only as far as the chunks in flight need, not read to the end up front."""
    write_corpus(cb, tmp_path, 300, 300, seed=5, min_sentences=1, max_sentences=2)
    pulled = 0

    def counting():
        nonlocal pulled
        for item in read_articles([tmp_path]):
            pulled += 1
            yield item

    gen = produce_results(counting(), cb, StageTimes(), Engine(jobs=2, chunk_articles=4, inflight_per_worker=1))
    next(gen)
    # what decides to start workers, plus the chunks in flight
    assert pulled <= parallel.MIN_PARALLEL_ARTICLES + 2 * 4 + 4, pulled
    gen.close()                                   # shuts the workers down without coding the rest


def test_small_input_is_coded_in_process(cb, pool_starts):
    coder = Coder(cb, StageTimes(), Engine(jobs=2))
    try:
        res = list(coder.results(read_articles([INPUTS / "good.jsonl"])))
        assert res and not pool_starts
    finally:
        coder.close()


def test_small_batches_still_use_the_workers(cb, corpus, pool_starts):
    """Batches smaller than two chunks are cut smaller, so every worker gets some."""
    items = list(read_articles(corpus))
    batches = [items[i:i + 8] for i in range(0, len(items), 8)]
    serial = [r for b in batches for r in Coder(cb, StageTimes()).results(b)]
    coder = Coder(cb, StageTimes(), Engine(jobs=2))
    try:
        got = [r for b in batches for r in coder.results(b)]
    finally:
        coder.close()
    assert pool_starts == [1]
    assert [getattr(r, "rows", None) for r in got] == [getattr(r, "rows", None) for r in serial]


def test_chunks_keep_rejects_in_place():
    arts = [Article(str(i), "x" * 10) for i in range(5)]
    rej = Reject("f:1", None, "bad")
    chunks = list(chunked([arts[0], rej, arts[1], arts[2], rej, arts[3], arts[4]], max_articles=2))
    assert [len([a for a in c if isinstance(a, Article)]) for c in chunks] == [2, 2, 1]
    assert sum(chunks, []) == [arts[0], rej, arts[1], arts[2], rej, arts[3], arts[4]]


def test_engine_checks_its_options():
    with pytest.raises(ValueError):
        Engine(kind="spark")
    with pytest.raises(ValueError):
        Engine(jobs=0)
    with pytest.raises(ValueError):
        Engine(scheduler="tcp://x:8786")


def test_cli_jobs_2_equals_jobs_1(cb, tmp_path):
    write_corpus(cb, tmp_path / "in", 70, 70, seed=4, min_sentences=3, max_sentences=6)  # > 2 chunks of 32

    def run(jobs):
        out = tmp_path / f"j{jobs}"
        subprocess.run([sys.executable, "-m", "coder", "code", str(tmp_path / "in"), "--out", str(out),
                        "--jobs", str(jobs), "--quiet"], check=True, capture_output=True, cwd=ROOT)
        return out

    assert_same_run(run(1), run(2))


KILLED_RUN = """
import sys, time
from coder.codebook import load_codebook
from coder.ingest import read_articles
from coder.parallel import Engine, produce_results
from coder.pipeline import StageTimes

if __name__ == "__main__":
    cb = load_codebook()
    engine = Engine(jobs=2, chunk_articles=2)
    for i, _ in enumerate(produce_results(read_articles([sys.argv[1]]), cb, StageTimes(), engine)):
        if i == 3:
            print("coding", flush=True)
        time.sleep(0.2)
"""


def test_workers_exit_when_the_run_is_killed(cb, tmp_path):
    psutil = pytest.importorskip("psutil")
    import signal
    import time

    write_corpus(cb, tmp_path / "in", 120, 120, seed=6, min_sentences=2, max_sentences=4)
    script = tmp_path / "run.py"
    script.write_text(KILLED_RUN)
    proc = subprocess.Popen([sys.executable, str(script), str(tmp_path / "in")], stdout=subprocess.PIPE, text=True,
                            cwd=ROOT)
    try:
        assert proc.stdout.readline().strip() == "coding"
        descendants = psutil.Process(proc.pid).children(recursive=True)
        assert descendants
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    deadline = time.monotonic() + 20
    alive = descendants
    while alive and time.monotonic() < deadline:
        time.sleep(0.3)
        alive = [p for p in alive if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
    assert not alive, [p.cmdline() for p in alive]
