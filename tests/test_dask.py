"""--engine dask: a LocalCluster of 2 worker processes codes the same run folder as a local run."""
from __future__ import annotations

import logging
import time

import pytest

from benchmarks.generate_corpus import write_corpus
from coder.parallel import Engine
from coder.run import run_code

from .conftest import DATA, ROOT
from .test_parallel import assert_same_run

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                  silence_logs=logging.ERROR) as c:
        yield c


def test_dask_cluster_equals_local_run(cb, cluster, tmp_path):
    write_corpus(cb, tmp_path / "in", 30, 10, seed=9, min_sentences=3, max_sentences=8)
    inputs = [ROOT / "examples", DATA / "inputs" / "bad.jsonl", tmp_path / "in"]
    local = run_code(inputs, tmp_path / "local", cb)
    summary = run_code(inputs, tmp_path / "dask", cb,
                       engine=Engine(kind="dask", scheduler=cluster.scheduler_address, chunk_articles=4))
    assert_same_run(tmp_path / "local", tmp_path / "dask")
    assert summary.n_events == local.n_events > 0
    assert summary.stages.get("match_code", 0) > 0
    # the run's client is gone, and with it the run's tasks and the scattered codebook
    client = distributed.Client(cluster.scheduler_address)
    try:
        deadline = time.monotonic() + 10
        while any(client.has_what().values()) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not any(client.has_what().values())
    finally:
        client.close()
