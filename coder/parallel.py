"""Coding on all cores, streaming, in input order.

`produce_results(items, cb, times, engine)` is what a run iterates over: the
coded articles (`ArticleResult`) and rejects (`Reject`) of `items`, in input
order, whatever the engine:

- `jobs == 1`: the serial loop, in this process (`coder.run.iter_results`);
- `jobs > 1`: worker processes (spawn-safe: forkserver where the platform
  has it, else spawn). Each worker receives the parent's compiled codebook
  once, through the pool initializer, so every worker codes with exactly the
  codebook the run records, and no worker re-reads YAML files that may be
  mid-edit. The input is cut into chunks of consecutive articles; at most a
  few chunks per worker are in flight, so memory stays bounded however long
  the input is; results come back in input order, so the store sees the same
  sequence as a serial run and writes the same bytes;
- `engine.kind == "dask"`: the same chunks, coded on a Dask cluster
  (`coder.distributed`).

Every engine codes a chunk with the same per-partition function,
`code_partition`, which is the serial loop itself. Stage timings from the
workers are added up, so with several jobs they are CPU seconds across
processes, not wall-clock seconds.
"""
from __future__ import annotations

import multiprocessing as mp
import os
import pickle
import threading
import time
from collections import deque
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Iterable, Iterator

from .codebook import Codebook
from .ingest import Article, Reject
from .pipeline import ArticleResult, StageTimes

Item = Article | Reject
Result = ArticleResult | Reject

CHUNK_ARTICLES = 32          # articles per chunk sent to a worker
CHUNK_CHARS = 400_000        # ... or fewer, if their text is long
INFLIGHT_PER_WORKER = 3      # chunks queued or running per worker: bounds memory, keeps workers busy
MIN_PARALLEL_ARTICLES = 48   # a first batch smaller than this that ends the input is coded in-process


@dataclass(frozen=True)
class Engine:
    """How a run codes its articles."""

    kind: str = "local"                  # "local" (this machine) or "dask"
    jobs: int = 1                        # worker processes (local), or workers of a local Dask cluster
    scheduler: str | None = None         # dask: address of an existing scheduler (tcp://host:8786)
    chunk_articles: int = CHUNK_ARTICLES
    chunk_chars: int = CHUNK_CHARS
    inflight_per_worker: int = INFLIGHT_PER_WORKER

    def __post_init__(self):
        if self.kind not in ("local", "dask"):
            raise ValueError(f"unknown engine {self.kind!r}: use 'local' or 'dask'")
        if self.jobs < 1:
            raise ValueError("jobs must be at least 1")
        if self.scheduler and self.kind != "dask":
            raise ValueError("a scheduler address needs the dask engine")

    @property
    def serial(self) -> bool:
        return self.kind == "local" and self.jobs == 1


def default_jobs() -> int:
    """All cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on Linux
        return max(1, os.cpu_count() or 1)


# ---------------------------------------------------------------- the per-partition function
def code_partition(items: Iterable[Item], cb: Codebook, times: StageTimes | None = None) -> list[Result]:
    """Code one partition (consecutive input items) exactly as a serial run does."""
    from .run import iter_results

    return list(iter_results(iter(items), cb, times if times is not None else StageTimes()))


def chunked(items: Iterable[Item], max_articles: int = CHUNK_ARTICLES,
            max_chars: int = CHUNK_CHARS) -> Iterator[list[Item]]:
    """Consecutive runs of items with at most `max_articles` articles and about `max_chars` of text."""
    chunk: list[Item] = []
    n = chars = 0
    for item in items:
        chunk.append(item)
        if isinstance(item, Article):
            n += 1
            chars += len(item.text)
            if n >= max_articles or chars >= max_chars:
                yield chunk
                chunk, n, chars = [], 0, 0
    if chunk:
        yield chunk


def add_times(times: StageTimes, seconds: dict[str, float]) -> None:
    for stage, s in seconds.items():
        times.seconds[stage] += s


# ---------------------------------------------------------------- dispatch
class Coder:
    """Codes input items with a run's engine, in input order; keeps its workers from one batch to the next.

        coder = Coder(cb, times, engine)
        try:
            for batch in ...:
                for res in coder.results(batch): ...
        finally:
            coder.close()

    Workers (or the Dask client) start on the first batch of more than one chunk; a small input is coded
    in this process, since starting workers would cost more than it saves.
    """

    def __init__(self, cb: Codebook, times: StageTimes, engine: Engine | None = None):
        self.cb = cb
        self.times = times
        self.engine = engine or Engine()
        self._backend = None
        self._calls = 0

    @property
    def workers(self) -> int:
        return self.engine.jobs

    def __enter__(self) -> "Coder":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def results(self, items: Iterable[Item]) -> Iterator[Result]:
        from .run import iter_results

        if self.engine.serial:
            yield from iter_results(iter(items), self.cb, self.times)
            return
        size = self.engine.chunk_articles
        if isinstance(items, (list, tuple)):
            # a batch of a run (run_code codes batches of --batch-size articles): spread it over all workers
            # even when it is smaller than two default chunks
            n = sum(1 for x in items if isinstance(x, Article))
            size = max(1, min(size, -(-n // (2 * self.workers))))
        chunks: Iterator[list[Item]] = chunked(items, size, self.engine.chunk_chars)
        self._calls += 1
        if self._backend is None:
            head: list[list[Item]] = []
            n = 0
            for chunk in chunks:
                head.append(chunk)
                n += sum(1 for x in chunk if isinstance(x, Article))
                if n >= MIN_PARALLEL_ARTICLES:
                    break
            if self._calls == 1 and n < MIN_PARALLEL_ARTICLES:
                # the input, or its first batch, is a handful of articles: starting workers would cost more
                # than coding them here (a later batch starts them)
                for chunk in head:
                    yield from iter_results(iter(chunk), self.cb, self.times)
                return
            self._backend = self._start()
            chunks = _chain(head, chunks)
        backend = self._backend
        pending: deque = deque()
        try:
            for chunk in chunks:
                pending.append(backend.submit(chunk))
                while len(pending) >= backend.capacity:
                    yield from self._collect(pending.popleft())
            while pending:
                yield from self._collect(pending.popleft())
        finally:
            for fut in pending:
                fut.cancel()

    def _start(self):
        if self.engine.kind == "dask":
            from .distributed import DaskBackend

            return DaskBackend(self.cb, self.engine)
        return PoolBackend(self.cb, self.engine)

    def _collect(self, fut) -> list[Result]:
        results, seconds = self._backend.result(fut)
        add_times(self.times, seconds)
        return results

    def close(self) -> None:
        if self._backend is not None:
            backend, self._backend = self._backend, None
            backend.close()


def produce_results(items: Iterable[Item], cb: Codebook, times: StageTimes,
                    engine: Engine | None = None) -> Iterator[Result]:
    """Coded articles and rejects of `items`, in input order, by the chosen engine (one-shot)."""
    coder = Coder(cb, times, engine)
    try:
        yield from coder.results(items)
    finally:
        coder.close()


def _chain(head: list[list[Item]], rest: Iterator[list[Item]]) -> Iterator[list[Item]]:
    yield from head
    yield from rest


# ---------------------------------------------------------------- local worker processes
_WORKER_CB: Codebook | None = None


def _init_worker(cb_bytes: bytes, parent_pid: int | None = None) -> None:
    global _WORKER_CB
    _WORKER_CB = pickle.loads(cb_bytes)
    if parent_pid:
        threading.Thread(target=_exit_with_parent, args=(parent_pid,), daemon=True).start()


def _exit_with_parent(pid: int, every: float = 1.0) -> None:
    """A worker whose run was killed (SIGTERM, SIGKILL, OOM) would otherwise wait for work forever."""
    while True:
        time.sleep(every)
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            os._exit(1)
        except PermissionError:  # pragma: no cover - the pid was reused by another user's process
            os._exit(1)


def _work(chunk: list[Item]) -> tuple[list[Result], dict[str, float]]:
    assert _WORKER_CB is not None, "worker started without a codebook"
    times = StageTimes()
    results = code_partition(chunk, _WORKER_CB, times)
    return results, dict(times.seconds)


def mp_context() -> mp.context.BaseContext:
    """forkserver where available (safe with threads in the parent, fast to start), else spawn."""
    if "forkserver" in mp.get_all_start_methods():
        ctx = mp.get_context("forkserver")
        ctx.set_forkserver_preload(["coder.pipeline", "coder.run", "coder.parallel"])
        return ctx
    return mp.get_context("spawn")


class PoolBackend:
    """`engine.jobs` worker processes on this machine, each given the compiled codebook once."""

    def __init__(self, cb: Codebook, engine: Engine):
        self.capacity = engine.jobs * engine.inflight_per_worker
        self.ex = ProcessPoolExecutor(engine.jobs, mp_context=mp_context(), initializer=_init_worker,
                                      initargs=(pickle.dumps(cb, protocol=pickle.HIGHEST_PROTOCOL), os.getpid()))

    def submit(self, chunk: list[Item]) -> Future:
        return self.ex.submit(_work, chunk)

    @staticmethod
    def result(fut: Future) -> tuple[list[Result], dict[str, float]]:
        try:
            return fut.result()
        except BrokenProcessPool as exc:
            raise RuntimeError("a coding worker process died (out of memory, or killed); "
                               "try fewer --jobs") from exc

    def close(self) -> None:
        self.ex.shutdown(wait=True, cancel_futures=True)
