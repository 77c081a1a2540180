"""The release report opened in headless Chromium: every plot is drawn, nothing is fetched; a screenshot is kept.

`make test` installs Debian's `chromium` when it is missing; without it this test skips and says so.
The screenshot goes to outputs/report.png.
"""
from __future__ import annotations

import re
import shutil
import subprocess
from html.parser import HTMLParser

import pytest

from coder.release import make_release
from coder.run import run_code

from .conftest import DATA, ROOT

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
DRAWN = {"rect", "circle", "path", "polyline", "line"}


def _browser() -> str:
    for name in BROWSERS:
        path = shutil.which(name)
        if path:
            return path
    pytest.skip("no headless Chromium found (looked for chromium, chromium-browser, google-chrome); "
                "`make test` installs Debian's chromium package with apt-get")


def _flags(tmp_path) -> list[str]:
    return ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
            f"--user-data-dir={tmp_path / 'chrome-profile'}",
            "--host-resolver-rules=MAP * ~NOTFOUND"]             # no network: the page must not need it


class SvgCounter(HTMLParser):
    """Per plot <svg>: how many drawn shapes it holds, and the attributes the page's check set."""

    def __init__(self):
        super().__init__()
        self.plots: list[dict] = []
        self.body: dict = {}
        self._stack: list[dict] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "body":
            self.body = a
        if tag == "svg" and "plot" in (a.get("class") or "").split():
            plot = {"id": a.get("id"), "rendered": a.get("data-rendered"), "shapes": 0}
            self.plots.append(plot)
            self._stack.append(plot)
        elif tag in DRAWN and self._stack:
            self._stack[-1]["shapes"] += 1

    def handle_endtag(self, tag):
        if tag == "svg" and self._stack:
            self._stack.pop()


@pytest.fixture(scope="module")
def report(tmp_path_factory, cb):
    tmp = tmp_path_factory.mktemp("report")
    db = tmp / "events.duckdb"
    run_code([DATA / "gold" / "articles.jsonl", ROOT / "examples"], None, cb, db=db)
    return make_release(db, "2026.12", tmp / "releases", created="2026-12-01").path / "report.html"


def test_report_renders_in_headless_chromium(report, tmp_path):
    browser = _browser()
    url = report.resolve().as_uri()
    r = subprocess.run([browser, *_flags(tmp_path), "--virtual-time-budget=5000", "--dump-dom", url],
                       capture_output=True, text=True, timeout=180)
    assert r.returncode == 0 and "<svg" in r.stdout, r.stderr[-2000:]
    parsed = SvgCounter()
    parsed.feed(r.stdout)
    ids = [p["id"] for p in parsed.plots]
    assert ids == ["plot-monthly", "plot-quad", "plot-dyads", "plot-map"]
    for p in parsed.plots:
        assert p["shapes"] > 3, p
        assert p["rendered"] == "yes", f"{p['id']} has an empty drawing in the browser"
    # the page's own check ran after layout: every plot has a non-empty bounding box
    assert parsed.body.get("data-plots-rendered") == "4/4"
    # the map shows located events as points
    assert len(re.findall(r"<circle[^>]*fill=\"#e15759\"", r.stdout)) >= 5


def test_report_screenshot(report, tmp_path):
    browser = _browser()
    out = ROOT / "outputs" / "report.png"
    out.parent.mkdir(exist_ok=True)
    if out.exists():
        out.unlink()
    r = subprocess.run([browser, *_flags(tmp_path), f"--screenshot={out}", "--window-size=1280,2000",
                        "--hide-scrollbars", report.resolve().as_uri()], capture_output=True, text=True, timeout=180)
    assert r.returncode == 0, r.stderr[-2000:]
    data = out.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000          # a page with plots, not a blank one
