"""Codebook loading, schema errors with file and line, lint checks, pattern compilation."""
from __future__ import annotations

import shutil
import subprocess
import sys
import time

import pytest

from coder.codebook import CodebookError, DEFAULT_CODEBOOKS, load_codebook
from coder.codebook.lint import lint

from .conftest import ROOT


@pytest.fixture()
def mini(tmp_path):
    """A copy of the bundled set that tests can break."""
    dst = tmp_path / "cb"
    shutil.copytree(DEFAULT_CODEBOOKS, dst)
    return dst


def test_bundled_codebook_lints_clean():
    problems = [p for p in lint(DEFAULT_CODEBOOKS) if p.startswith("error")]
    assert problems == []


def test_bundled_codebook_compiles_fast():
    t = time.perf_counter()
    cb = load_codebook()
    assert time.perf_counter() - t < 10  # the 2 s target is measured by benchmarks, this only guards blow-ups
    assert len(cb.taxonomy) == 318
    assert len(cb.verb_rules) > 1000


def test_schema_error_names_file_and_line(mini):
    path = mini / "actors" / "agents.yaml"
    text = path.read_text()
    path.write_text(text.replace("  - role: GOV", "  - role: gov", 1))
    line = text.splitlines().index("  - role: GOV") + 1
    with pytest.raises(CodebookError) as exc:
        load_codebook(mini)
    assert f"agents.yaml:{line}:" in str(exc.value) and "role" in str(exc.value)


def test_yaml_syntax_error_has_line(mini):
    path = mini / "codebook.yaml"
    path.write_text("name: x\nversion: [unclosed\n")
    with pytest.raises(CodebookError, match=r"codebook.yaml:\d+: YAML syntax error"):
        load_codebook(mini)


def _add_verbs(mini, body: str):
    (mini / "cameo" / "verbs" / "99_test.yaml").write_text(body)


def test_lint_duplicate_and_conflicting_patterns(mini):
    _add_verbs(mini, 'verbs:\n  - code: "042"\n    patterns: ["zorb with"]\n  - code: "043"\n    patterns: ["zorb with"]\n')
    problems = lint(mini)
    assert any("conflicting" in p and "'zorb with'" in p and "99_test.yaml:4" in p for p in problems)


def test_lint_unknown_code(mini):
    _add_verbs(mini, 'verbs:\n  - code: "999"\n    patterns: ["blorp"]\n')
    assert any("code 999" in p and "not in the taxonomy" in p for p in lint(mini))


def test_lint_pattern_that_cannot_match(mini):
    _add_verbs(mini, 'verbs:\n  - code: "042"\n    patterns: ["glorp foo,bar embassy"]\n')
    with pytest.raises(CodebookError):
        load_codebook(mini)
    assert any("can never match" in p or "not one word" in p for p in lint(mini))


def test_lint_office_dates(mini):
    (mini / "actors" / "zz.people.yaml").write_text(
        "people:\n  - name: Test Person\n    names: [Test Person]\n    roles:\n"
        "      - {code: ISRGOV, from: 2020-01-01, to: 2019-01-01}\n"
        "      - {code: ISROPP, from: 2010-01-01, to: 2012-01-01}\n"
        "      - {code: ISRGOV, from: 2011-06-01, to: 2013-01-01}\n")
    problems = lint(mini)
    assert any("ends (2019-01-01) before it starts" in p for p in problems)
    assert any("overlaps role" in p for p in problems)


def test_inflection_and_particles(cb):
    from coder.codebook import compile_pattern
    from coder.codebook.inflect import Inflector

    inf = Inflector({"hold": ["holds", "held", "holding"]}, {"ban"})
    el = compile_pattern("hold talks with", inf, nominal=False)
    assert {"held", "holds", "holding", "hold"} <= el[0].forms
    assert {"banned", "banning"} <= compile_pattern("ban", inf, nominal=False)[0].forms
    assert {"carried", "carries"} <= compile_pattern("carry out", inf, nominal=False)[0].forms


def test_cli_lint_exit_code(mini):
    _add_verbs(mini, 'verbs:\n  - code: "999"\n    patterns: ["blorp"]\n')
    r = subprocess.run([sys.executable, "-m", "coder", "codebook", "lint", str(mini)], capture_output=True, text=True,
                       cwd=ROOT)
    assert r.returncode == 1 and "not in the taxonomy" in r.stdout


def test_show_and_docs(cb):
    from coder.codebook.docs import describe, render_markdown
    text = describe(cb, "046")
    assert "Engage in negotiation" in text and "04_consult.yaml:" in text
    assert "PSEREBHMS" in describe(cb, "Hamas")
    md = render_markdown(cb)
    assert "| 046 |" in md and "Armed and political groups" in md
