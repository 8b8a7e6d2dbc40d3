"""The README's commands: what a newcomer types on a fresh machine must work there."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _console_blocks(text: str) -> list[str]:
    return re.findall(r"```console\n(.*?)```", text, flags=re.DOTALL)


def test_ci_runs_exactly_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").strip().splitlines()
    command = ci[-1].strip()
    assert any(block.strip() == command for block in _console_blocks(README)), command


def test_quick_run_installs_every_extra_the_suite_imports() -> None:
    # The suite imports SciPy (models) and matplotlib (plot); a quick run that installs
    # the test group alone leaves their tests failing in a fresh venv.
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"][
        "optional-dependencies"
    ]
    installs = [
        line
        for block in _console_blocks(README)
        for line in block.splitlines()
        if "--group test" in line
    ]
    assert installs, "the README shows no quick test install"
    for line in installs:
        for extra in set(extras) - ENGINE_EXTRAS:
            assert re.search(rf"\[[^\]]*\b{extra}\b[^\]]*\]", line), (extra, line)


#: The engines' extras: their suite (tests/engines) skips without them, and runs in
#: the nox session the README names for it.
ENGINE_EXTRAS = frozenset({"polars", "duckdb", "dask", "spark"})


def test_the_engine_suite_has_its_command() -> None:
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"][
        "optional-dependencies"
    ]
    assert set(extras) >= ENGINE_EXTRAS
    lines = [line.strip() for block in _console_blocks(README) for line in block.splitlines()]
    assert "python -m nox -s engines" in lines


def test_group_option_comes_after_a_pip_upgrade() -> None:
    # `pip install --group` needs pip 25.1; Python 3.11's bundled pip is older.
    lines = [line for block in _console_blocks(README) for line in block.splitlines()]
    first_group = next(i for i, line in enumerate(lines) if "--group" in line)
    assert any("install --upgrade pip" in line for line in lines[:first_group])


def test_no_page_installs_salescore_from_a_package_index() -> None:
    # salescore is installed from a clone; `pip install 'salescore[plot]'` fails.
    pages = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
    sources = sorted((ROOT / "src").rglob("*.py"))
    offenders = [
        str(path.relative_to(ROOT))
        for path in (*pages, *sources)
        if re.search(r"pip install\s+['\"]?salescore\b", path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
