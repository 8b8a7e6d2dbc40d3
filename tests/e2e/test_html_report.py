"""The HTML report opened in a real headless browser (Chromium).

The page is made by the command line (``python -m salescore report --demo``) and
loaded from disk by Chromium with its console logged to standard error. The test
reads the DOM the browser built: every section and every chart is there, each chart
image decodes to a picture of some size, and the page logged nothing to the console;
and for a run with an unusable table, the problems are the first thing on the page.
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

SECTIONS = (
    "forecast",
    "accuracy",
    "funnel",
    "leads",
    "accounts",
    "retention",
    "value",
    "team",
    "imports",
)
CHARTS = (
    "forecast",
    "backtest",
    "reliability",
    "funnel",
    "losses",
    "decay",
    "temperature",
    "cohorts",
)
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
    assert "Probability of reaching the FY2026 Q4 quota" in dom  # the sample's fiscal year
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


# Reports where the problems block and the first section are drawn on the page.
TOPS = """
<script>
window.addEventListener("load", () => {
  const first = document.querySelector("section");
  const problems = document.getElementById("problems");
  console.log("tops " + first.id + " " + Math.round(problems.getBoundingClientRect().top)
              + " " + Math.round(document.getElementById("forecast").getBoundingClientRect().top));
});
</script>
"""


def test_an_unusable_table_is_shown_at_the_top_of_the_page(tmp_path: Path) -> None:
    deals = tmp_path / "deals.csv"
    deals.write_text(
        "deal_id,value,probability,status,close_date\n"
        "D1,1000,0.5,open,2026-02-01\nD2,2000,1,won,2025-06-01\n",
        encoding="utf-8",
    )
    leads = tmp_path / "leads.csv"  # every lead's creation date is unreadable
    leads.write_text("lead_id,created\nL1,someday\nL2,soon\n", encoding="utf-8")
    page = tmp_path / "report.html"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "salescore",
            "report",
            "--deals",
            deals,
            "--leads",
            leads,
            "--as-of",
            "2026-01-01",
            "-o",
            page,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "MPLBACKEND": "Agg"},
        check=False,
    )
    assert result.returncode == 3, result.stderr  # data unusable, the page written all the same
    probed = tmp_path / "probed.html"
    probed.write_text(
        page.read_text(encoding="utf-8").replace("</body>", TOPS + "</body>"), encoding="utf-8"
    )
    dom, log = _browse(probed, tmp_path / "profile")
    assert '<a href="#problems">Problems</a>' in dom
    start = dom.index('<section id="problems">')
    assert "No usable row in leads (leads.csv): all 2 rows were rejected" in dom[start:]
    assert start < dom.index('<section id="forecast">')
    (tops,) = re.findall(r'"tops (\w+) (-?\d+) (-?\d+)"', log)
    first, problems_top, forecast_top = tops[0], int(tops[1]), int(tops[2])
    assert first == "problems"  # the first section of the page
    assert problems_top < forecast_top  # drawn above the figures
    assert [line for line in _console(log) if '"tops ' not in line] == []
