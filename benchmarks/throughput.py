"""Throughput: sentences per second end to end and per stage, peak memory, and the read-and-split floor.

    python -m benchmarks.throughput --articles 2000 --jobs 1 2 --out /tmp/bench
    python -m benchmarks.throughput /data/shards/ --jobs 1 --json results.json

Without inputs, a corpus of `--articles` articles is generated (benchmarks/generate_corpus.py, `--seed`)
into OUT/corpus. Each measurement runs in a fresh process, so that timings and peak memory are its own:

- codebook: `load_codebook()` cold (empty compiled-codebook cache) and warm (from the cache);
- floor: reading the input (`coder.ingest.read_articles`) and splitting it into sentences
  (`coder.segment.split_sentences`), nothing else: no coder can be faster than this;
- run (one per `--jobs` value): `coder.run.run_code` from the input files to the run folder
  (events.duckdb, events.csv, events.parquet written), with the stage times the pipeline accumulates
  (with several jobs these are CPU seconds summed over the workers), and the peak resident memory of
  the run's process and of its largest worker, sampled with psutil (and exact from getrusage for the
  main process), and the CPU seconds of all of them; with --coding-only, also the same input read and
  coded with the results dropped (the coder and its engine without the store): on a busy machine, sentences per CPU second is the
  number that does not depend on what else runs.

Prints a table and writes the numbers as JSON (`--json`, default OUT/throughput.json).
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


# ---------------------------------------------------------------- memory
class PeakRSS:
    """Peak resident memory of this process and each of its descendants, sampled every `interval` s."""

    def __init__(self, interval: float = 0.05):
        self.interval = interval
        self.peak: dict[int, int] = {}
        self.cpu: dict[int, float] = {}          # last seen CPU seconds (user + system) of each process
        self.peak_total = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        try:
            import psutil

            self._me = psutil.Process()
        except ImportError:  # pragma: no cover - psutil is in the bench extra
            self._me = None

    def __enter__(self) -> "PeakRSS":
        ru = resource.getrusage(resource.RUSAGE_SELF)
        self.cpu_start = ru.ru_utime + ru.ru_stime
        if self._me is not None:
            self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()

    def _run(self) -> None:
        import psutil

        while not self._stop.is_set():
            total = 0
            try:
                procs = [self._me] + self._me.children(recursive=True)
            except psutil.Error:
                procs = [self._me]
            for p in procs:
                try:
                    rss = p.memory_info().rss
                    if p.pid != self._me.pid:
                        c = p.cpu_times()
                        self.cpu[p.pid] = c.user + c.system
                except psutil.Error:
                    continue
                total += rss
                if rss > self.peak.get(p.pid, 0):
                    self.peak[p.pid] = rss
            self.peak_total = max(self.peak_total, total)
            self._stop.wait(self.interval)

    def report(self) -> dict:
        me = os.getpid()
        self_peak = max(self.peak.get(me, 0), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024)
        workers = [v for pid, v in self.peak.items() if pid != me]
        mb = lambda b: round(b / 2**20, 1)  # noqa: E731
        ru = resource.getrusage(resource.RUSAGE_SELF)
        return {"main_mb": mb(self_peak), "largest_worker_mb": mb(max(workers)) if workers else None,
                "all_processes_mb": mb(max(self.peak_total, self_peak)), "processes": len(self.peak),
                "cpu_seconds_main": round(ru.ru_utime + ru.ru_stime - self.cpu_start, 2),
                "cpu_seconds_workers": round(sum(self.cpu.values()), 2)}


# ---------------------------------------------------------------- measurements (each in its own process)
def measure_compile() -> dict:
    import coder.codebook as cbmod

    t = time.perf_counter()
    cbmod.load_codebook()
    cold = time.perf_counter() - t
    t = time.perf_counter()
    cb = cbmod.load_codebook()
    warm = time.perf_counter() - t
    return {"cold_seconds": round(cold, 3), "warm_seconds": round(warm, 3), "verb_rules": len(cb.verb_rules),
            "lexicon_phrases": len(cb.lexicon), "codebook": cb.label}


def measure_floor(inputs: list[str]) -> dict:
    from coder.codebook import load_codebook
    from coder.ingest import Article, read_articles
    from coder.segment import split_sentences

    abbreviations = load_codebook().extra.get("abbreviations", frozenset())
    n_art = n_sent = 0
    split_s = 0.0
    t0 = time.perf_counter()
    for a in read_articles(inputs):          # streamed, as a run reads: memory stays flat
        if isinstance(a, Article):
            t = time.perf_counter()
            n_sent += len(split_sentences(a.text, abbreviations))
            split_s += time.perf_counter() - t
            n_art += 1
    total = time.perf_counter() - t0
    return {"articles": n_art, "sentences": n_sent, "read_seconds": round(total - split_s, 3),
            "split_seconds": round(split_s, 3), "seconds": round(total, 3)}


def _code_only(inputs: list[str], cb, eng) -> "object":
    """Read and code, and drop the results: the coder and its engine without the store."""
    from types import SimpleNamespace

    from coder.ingest import read_articles
    from coder.parallel import produce_results
    from coder.pipeline import ArticleResult, StageTimes

    times = StageTimes()
    s = SimpleNamespace(n_articles=0, n_sentences=0, n_events=0, n_rejects=0, stages=times.seconds)
    for res in produce_results(read_articles(inputs), cb, times, eng):
        if isinstance(res, ArticleResult):
            s.n_articles += 1
            s.n_sentences += len(res.sentences)
            s.n_events += len(res.rows)
        else:
            s.n_rejects += 1
    return s


def measure_run(inputs: list[str], out: str, jobs: int, engine: str, profile: str | None,
                coding_only: bool = False) -> dict:
    from coder.codebook import load_codebook
    from coder.parallel import Engine
    from coder.run import run_code

    cb = load_codebook()
    eng = Engine(kind=engine, jobs=jobs)
    with PeakRSS() as mem:
        t = time.perf_counter()
        if coding_only:
            summary = _code_only(inputs, cb, eng)
        elif profile:
            import cProfile

            prof = cProfile.Profile()
            summary = prof.runcall(run_code, inputs, Path(out), cb, engine=eng)
            prof.dump_stats(profile)
        else:
            summary = run_code(inputs, Path(out), cb, engine=eng)
        wall = time.perf_counter() - t
    return {"jobs": jobs, "engine": engine, "coding_only": coding_only, "seconds": round(wall, 3), "articles": summary.n_articles,
            "sentences": summary.n_sentences, "events": summary.n_events, "rejects": summary.n_rejects,
            "stages": {k: round(v, 3) for k, v in sorted(summary.stages.items())}, "memory": mem.report()}


def _child(mode: str, payload: dict, env: dict | None = None) -> dict:
    cmd = [sys.executable, "-m", "benchmarks.throughput", "--child", mode, json.dumps(payload)]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        raise SystemExit(f"benchmark step {mode} failed:\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


# ---------------------------------------------------------------- report
STAGES = [("ingest", None), ("segment", "segment"), ("match+code", "match_code"), ("resolve", "resolve"),
          ("acled", "acled"), ("validate", "validate"), ("store", "store")]


def table(result: dict) -> str:
    floor = result["floor"]
    lines = []
    n = floor["sentences"]
    lines.append(f"input: {floor['articles']:,} articles, {n:,} sentences   "
                 f"codebook compile: {result['codebook']['cold_seconds']:.2f} s cold, "
                 f"{result['codebook']['warm_seconds']:.2f} s from cache")
    lines.append("")
    lines.append(f"{'':<28}{'seconds':>10}{'sentences/s':>14}{'x floor':>9}{'peak RSS main':>15}"
                 f"{'largest worker':>16}{'CPU s':>9}{'sent/CPU s':>12}")
    lines.append(f"{'floor: read + split':<28}{floor['seconds']:>10.2f}{n / max(floor['seconds'], 1e-9):>14,.0f}"
                 f"{1:>9.1f}")
    for run in result["runs"]:
        label = f"{'coding only' if run.get('coding_only') else 'end to end'}, {run['engine']}, jobs {run['jobs']}"
        mem = run["memory"]
        worker = f"{mem['largest_worker_mb']:.0f} MB" if mem["largest_worker_mb"] else "-"
        cpu = mem["cpu_seconds_main"] + mem["cpu_seconds_workers"]
        lines.append(f"{label:<28}{run['seconds']:>10.2f}{run['sentences'] / run['seconds']:>14,.0f}"
                     f"{run['seconds'] / max(floor['seconds'], 1e-9):>9.1f}{mem['main_mb']:>12.0f} MB{worker:>16}"
                     f"{cpu:>9.1f}{run['sentences'] / max(cpu, 1e-9):>12,.0f}")
    base = next((r for r in result["runs"] if r["jobs"] == 1 and not r.get("coding_only")), None)
    if base:
        lines.append("")
        lines.append("stages, jobs 1 (seconds; sentences/s through the stage alone):")
        known = {key for _, key in STAGES}
        extra = [(k, k) for k in sorted(base["stages"]) if k not in known and k != "ingest+code"]
        for name, key in STAGES + extra:
            if key is not None and key not in base["stages"]:
                continue
            s = floor["read_seconds"] if key is None else base["stages"][key]
            note = "  (read + validate records, measured in the floor run)" if key is None else ""
            lines.append(f"  {name:<14}{s:>10.2f}{(n / s if s else float('inf')):>14,.0f}{note}")
        for run in result["runs"]:
            if run is not base and not run.get("coding_only"):
                lines.append(f"speed-up at jobs {run['jobs']}: {base['seconds'] / run['seconds']:.2f}x")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], epilog=__doc__.split("\n\n", 1)[1],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("inputs", nargs="*", help="input files or folders (default: generate a corpus)")
    ap.add_argument("--articles", type=int, default=1000, help="articles to generate without inputs (default 1000)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--shard-size", type=int, default=5000)
    ap.add_argument("--jobs", type=int, nargs="+", default=[1], help="one run per value (default: 1)")
    ap.add_argument("--engine", choices=["local", "dask"], default="local")
    ap.add_argument("--out", type=Path, default=None, help="work folder (default: a temporary one)")
    ap.add_argument("--json", type=Path, default=None, help="write the results here (default OUT/throughput.json)")
    ap.add_argument("--profile", type=Path, default=None, help="cProfile the first run into this file")
    ap.add_argument("--coding-only", action="store_true",
                    help="also time each --jobs value reading and coding only, results dropped (no store)")
    ap.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    if args.child:
        mode, payload = args.child[0], json.loads(args.child[1])
        fn = {"compile": lambda: measure_compile(), "floor": lambda: measure_floor(payload["inputs"]),
              "run": lambda: measure_run(payload["inputs"], payload["out"], payload["jobs"], payload["engine"],
                                         payload.get("profile"), payload.get("coding_only", False))}[mode]
        print(json.dumps(fn()))
        return 0

    out = args.out or Path(tempfile.mkdtemp(prefix="eventcoder-bench-"))
    out.mkdir(parents=True, exist_ok=True)
    inputs = [str(p) for p in args.inputs]
    if not inputs:
        corpus = out / "corpus"
        manifest = corpus / "MANIFEST"
        want = {"seed": args.seed, "articles": args.articles, "shard_size": args.shard_size}
        have = json.loads(manifest.read_text()) if manifest.exists() else {}
        if any(have.get(k) != v for k, v in want.items()):
            print(f"generating {args.articles:,} articles into {corpus} ...", file=sys.stderr)
            subprocess.run([sys.executable, "-m", "benchmarks.generate_corpus", "--articles", str(args.articles),
                            "--shard-size", str(args.shard_size), "--seed", str(args.seed), "--out", str(corpus)],
                           cwd=ROOT, check=True)
        inputs = [str(corpus)]

    result: dict = {"inputs": inputs, "machine": {"python": platform.python_version(), "cpus": os.cpu_count(),
                                                  "platform": platform.platform()}}
    with tempfile.TemporaryDirectory() as cache:
        print("codebook compile ...", file=sys.stderr)
        # an empty cache folder: the first load compiles the YAML, the second reads the compiled cache
        result["codebook"] = _child("compile", {}, env=dict(os.environ, EVENTCODER_CACHE=cache))
    print("floor: read + split ...", file=sys.stderr)
    result["floor"] = _child("floor", {"inputs": inputs})
    result["runs"] = []
    path = args.json or out / "throughput.json"
    for k, jobs in enumerate(args.jobs):
        print(f"run: {args.engine}, jobs {jobs} ...", file=sys.stderr)
        payload = {"inputs": inputs, "out": str(out / f"run-jobs{jobs}"), "jobs": jobs, "engine": args.engine,
                   "profile": str(args.profile) if args.profile and k == 0 else None}
        result["runs"].append(_child("run", payload))
        path.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")   # after each run: long runs
        if args.coding_only:
            print(f"coding only: {args.engine}, jobs {jobs} ...", file=sys.stderr)
            result["runs"].append(_child("run", dict(payload, profile=None, coding_only=True)))
            path.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    text = table(result)
    print(text)
    print(f"\nresults: {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
