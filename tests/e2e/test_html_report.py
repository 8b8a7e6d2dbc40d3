"""The HTML report opened in a real headless browser (Chromium).

The page is made by the command line (``python -m salescore report --demo``) and
loaded from disk by Chromium with its console logged to standard error. The test
reads the DOM the browser built: every section and every chart is there, each chart
image decodes to a picture of some size, and the page logged nothing to the console.
Skipped when Chromium is not installed.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed")

SECTIONS = ("forecast", "funnel", "leads", "accounts", "retention", "value", "team", "imports")
CHARTS = ("forecast", "funnel", "losses", "decay", "temperature", "cohorts")
# Appended to a copy of the page only: reports each image's decoded size once loaded.
PROBE = """
<script>
window.addEventListener("load", () => {
  for (const img of document.querySelectorAll("figure.chart img")) {
    console.log("probe " + img.closest("figure").dataset.chart + " "
                + img.naturalWidth + "x" + img.naturalHeight);
  }
});
</script>
"""


def _browse(page: Path, profile: Path) -> tuple[str, str]:
    """The DOM Chromium built from ``page``, and what it logged."""
    assert CHROMIUM is not None
    result = subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",  # running as root in a container
            "--disable-gpu",
            "--no-first-run",
            f"--user-data-dir={profile}",
            "--enable-logging=stderr",
            "--v=0",
            "--virtual-time-budget=10000",
            "--dump-dom",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="replace",
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout, result.stderr


def _console(log: str) -> list[str]:
    return [line for line in log.splitlines() if ":CONSOLE" in line]


@pytest.fixture(scope="module")
def report_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    page = tmp_path_factory.mktemp("report") / "report.html"
    env = {**os.environ, "MPLBACKEND": "Agg"}
    result = subprocess.run(
        [sys.executable, "-m", "salescore", "report", "--demo", "--format", "html", "-o", page],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return page


def test_every_section_and_chart_is_in_the_page(report_page: Path, tmp_path: Path) -> None:
    dom, log = _browse(report_page, tmp_path / "profile")
    assert "<title>salescore report: as of 2026-01-01" in dom
    for section in SECTIONS:
        assert f'<section id="{section}">' in dom
    charts = re.findall(
        r'<figure class="chart" data-chart="(\w+)"><img [^>]*src="data:image/png', dom
    )
    assert sorted(charts) == sorted(CHARTS)
    assert "Probability of reaching quota" in dom
    assert _console(log) == []  # no error, warning or message at all


def test_every_chart_decodes_to_an_image(report_page: Path, tmp_path: Path) -> None:
    probed = tmp_path / "probed.html"
    probed.write_text(
        report_page.read_text(encoding="utf-8").replace("</body>", PROBE + "</body>"),
        encoding="utf-8",
    )
    _, log = _browse(probed, tmp_path / "profile")
    sizes = dict(re.findall(r'"probe (\w+) (\d+x\d+)"', log))
    assert sorted(sizes) == sorted(CHARTS)
    for chart, size in sizes.items():
        width, height = map(int, size.split("x"))
        assert width > 200, chart
        assert height > 150, chart
    assert [line for line in _console(log) if '"probe ' not in line] == []
