"""Coding on a Dask cluster: `eventcoder code ... --engine dask [--scheduler tcp://HOST:8786]`.

The run's process is the Dask client. It reads the input, cuts it into
partitions of consecutive articles (the chunks of `coder.parallel`), and
submits each partition to the cluster, where the same per-partition function
as on one machine (`coder.parallel.code_partition`) codes it. The compiled
codebook is scattered to every worker once (`Client.scatter(broadcast=True)`),
so workers need the `eventcoder` package but not the codebook files. At most
a few partitions per worker thread are in flight, and results come back in
input order into the same store as a local run, so the run folder (DuckDB,
CSV, Parquet) is the same, byte for byte, as with `--jobs 1`.

Without `--scheduler`, a `distributed.LocalCluster` with `--jobs` worker
processes (one thread each) is started for the run and shut down after it.
See docs/scaling.md for SLURM (dask-jobqueue) and existing clusters.
"""
from __future__ import annotations

import logging
import uuid
from typing import Any

from .codebook import Codebook
from .parallel import Engine, Item, Result, code_partition
from .pipeline import StageTimes

WAIT_FOR_WORKERS_SECONDS = 600


def code_chunk(chunk: list[Item], cb: Codebook) -> tuple[list[Result], dict[str, float]]:
    """The task run on a worker: one partition, with its stage timings."""
    times = StageTimes()
    results = code_partition(chunk, cb, times)
    return results, dict(times.seconds)


def _import_distributed():
    try:
        import distributed
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise RuntimeError("the dask engine needs dask.distributed: pip install 'eventcoder[dask]'") from exc
    return distributed


class DaskBackend:
    """A Dask client (and, without a scheduler address, a local cluster) for one run."""

    def __init__(self, cb: Codebook, engine: Engine):
        distributed = _import_distributed()
        self.cluster = None
        if engine.scheduler:
            self.client = distributed.Client(engine.scheduler)
        else:
            self.cluster = distributed.LocalCluster(n_workers=engine.jobs, threads_per_worker=1, processes=True,
                                                    dashboard_address=None, silence_logs=logging.ERROR)
            self.client = distributed.Client(self.cluster)
        try:
            self.client.wait_for_workers(1, timeout=WAIT_FOR_WORKERS_SECONDS)
            threads = sum(self.client.nthreads().values())
            self.capacity = max(2, threads * engine.inflight_per_worker)
            self.cb_future = self.client.scatter(cb, broadcast=True, hash=False)
        except BaseException:
            self.close()
            raise
        self.token = uuid.uuid4().hex[:8]
        self.n = 0

    def submit(self, chunk: list[Item]) -> Any:
        self.n += 1
        return self.client.submit(code_chunk, chunk, self.cb_future, key=f"eventcoder-{self.token}-{self.n:08d}",
                                  pure=False)

    @staticmethod
    def result(fut) -> tuple[list[Result], dict[str, float]]:
        out = fut.result()
        fut.release()
        return out

    def close(self) -> None:
        try:
            self.client.close()
        finally:
            if self.cluster is not None:
                self.cluster.close()
