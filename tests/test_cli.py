"""``salescore report`` run as a real command: ``python -m salescore`` in a subprocess.

Every format on the sample data, the canonical CSV files, each CRM's export through
``--crm``, and each error path with its exit status and its one-line message. When
the ``salescore`` console script is installed, it is run too.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import salescore as sc
from salescore.adapters import hubspot, odoo, pipedrive, salesforce
from salescore.cli import write_atomically
from salescore.datasets import sample
from salescore.io import read_export
from salescore.report import demo_inputs

FIXTURES = Path(__file__).parent / "fixtures"
COMMAND = [sys.executable, "-m", "salescore"]
# The installed script, next to this Python (a virtualenv) or on PATH.
_BESIDE = Path(sys.executable).with_name("salescore")
SCRIPT = str(_BESIDE) if _BESIDE.exists() else shutil.which("salescore")


def run(*args: str | Path, command: list[str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run the command with ``args``; a minute is far more than it needs."""
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", "MPLBACKEND": "Agg"}
    return subprocess.run(
        [*(command or COMMAND), *map(str, args)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        env=env,
        check=False,
    )


def ok(result: subprocess.CompletedProcess[str]) -> None:
    """Success says nothing on standard error: no warning, no traceback."""
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""


def warned(result: subprocess.CompletedProcess[str], *fragments: str) -> str:
    """Success with problems: exit 0 and one warning line; the line is returned."""
    assert result.returncode == 0, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("salescore: warning: ")
    for fragment in fragments:
        assert fragment in lines[0]
    return lines[0]


def reported(result: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    """Success, with a warning line exactly when the report lists problems."""
    assert result.returncode == 0, result.stderr
    data: dict[str, Any] = json.loads(result.stdout)
    if not data["problems"]:
        assert result.stderr == ""
    else:
        first = data["problems"][0]["message"]
        n = len(data["problems"])
        assert warned(result, f"starts with {n} problem", first)
    return data


def one_line_error(result: subprocess.CompletedProcess[str], *fragments: str) -> None:
    assert result.returncode == 2, result.stderr
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("salescore: error: ")
    assert "Traceback" not in result.stderr
    for fragment in fragments:
        assert fragment in lines[0]


@pytest.fixture(scope="module")
def demo_json() -> dict[str, Any]:
    result = run("report", "--demo", "--format", "json")
    ok(result)
    data: dict[str, Any] = json.loads(result.stdout)
    return data


# ------------------------------------------------------------------------ demo


def test_demo_json_has_every_section_with_the_library_numbers(demo_json: dict[str, Any]) -> None:
    crm = sample()
    sections = demo_json["sections"]
    assert list(sections) == [
        "forecast", "accuracy", "funnel", "leads", "accounts", "retention", "value", "team",
    ]  # fmt: skip
    assert demo_json["as_of"] == "2026-01-01"
    assert demo_json["quota"] == crm.quota
    deals = crm.deals
    due = deals[(deals["status"] == "open") & (deals["close_date"] < "2026-04-01")]
    dist = sc.forecast_distribution(due["value"], due["probability"])
    forecast = sections["forecast"]["metrics"]
    assert forecast["probability_of_quota"] == pytest.approx(dist.probability_at_least(crm.quota))
    assert forecast["weighted_value"] == pytest.approx(
        float(sc.weighted_pipeline(deals)["weighted_value"].iloc[0])
    )
    # The accuracy section replays the four quarters of 2025 (FY2025 Q4 to FY2026 Q3)
    # from the demo's change log (its SEK rows converted back to euros), as
    # backtest_forecast does.
    quarters = [("2025-01-01", "2025-03-31"), ("2025-04-01", "2025-06-30")]
    quarters += [("2025-07-01", "2025-09-30"), ("2025-10-01", "2025-12-31")]
    changes = demo_inputs().deal_changes
    assert changes is not None
    accuracy = sections["accuracy"]["metrics"]
    for method, by in (("crm", None), ("learned", "source")):
        replay = sc.backtest_forecast(
            changes, periods=quarters, probabilities=method, by=by, as_of=crm.as_of
        )
        assert accuracy[f"{method}_wape"] == pytest.approx(replay.wape, rel=1e-12)
        assert accuracy[f"{method}_brier"] == pytest.approx(replay.brier, rel=1e-12)
    assert accuracy["learned_brier"] < accuracy["crm_brier"]  # the sample's CRM is miscalibrated
    imports = {i["table"]: i for i in demo_json["imports"]}
    assert imports["deals"]["accepted"] == len(deals)
    assert all(i["rejected"] == 0 for i in imports.values())


def test_demo_text_fits_100_columns() -> None:
    result = run("report", "--demo")
    ok(result)
    lines = result.stdout.splitlines()
    assert lines[0].startswith("salescore report: as of 2026-01-01")
    assert max(map(len, lines)) <= 100
    for title in ("FORECAST", "FUNNEL", "LEADS", "ACCOUNTS", "RETENTION", "VALUE", "TEAM"):
        assert title in lines
    assert "IMPORT" in lines


def test_demo_markdown_and_html_files_with_the_format_from_the_suffix(
    tmp_path: Path, demo_json: dict[str, Any]
) -> None:
    markdown = tmp_path / "report.md"
    result = run("report", "--demo", "--output", markdown)
    ok(result)
    assert result.stdout == ""
    text = markdown.read_text(encoding="utf-8")
    assert text.startswith("# salescore report")
    assert "## Forecast" in text
    chance = demo_json["sections"]["forecast"]["metrics"]["probability_of_quota"]
    # The quarter is the fourth of the sample's fiscal year from April.
    assert f"| Probability of reaching the FY2026 Q4 quota | {100 * chance:.1f}% |" in text
    page = tmp_path / "report.html"
    result = run("report", "--demo", "--format", "html", "-o", page)
    ok(result)
    html = page.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>")
    assert html.count('<img alt="') == 8
    assert "http://" not in html
    assert "https://" not in html  # self-contained
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html", "report.md"]


def test_html_without_matplotlib_says_how_to_get_the_charts(tmp_path: Path) -> None:
    page = tmp_path / "report.html"
    # matplotlib made unimportable, as if the plot extra were not installed.
    code = (
        "import sys; sys.modules['matplotlib'] = None; "
        "from salescore.cli import main; sys.exit(main(sys.argv[1:]))"
    )
    result = run("report", "--demo", "-o", page, command=[sys.executable, "-c", code])
    ok(result)
    html = page.read_text(encoding="utf-8")
    assert "pip install &#x27;.[plot]&#x27; in a clone of salescore" in html
    assert "<img" not in html
    assert '<section id="forecast">' in html


def test_no_warning_is_raised(tmp_path: Path) -> None:
    # The suite's warning filters (pyproject), applied in the command's own process.
    code = (
        "import runpy, warnings; warnings.simplefilter('error'); "
        "warnings.filterwarnings('ignore', r'\\s*Pyarrow will become', DeprecationWarning); "
        "runpy.run_module('salescore', run_name='__main__', alter_sys=True)"
    )
    for fmt in ("json", "html"):
        out = tmp_path / f"report.{fmt}"
        ok(run("report", "--demo", "-o", out, command=[sys.executable, "-c", code]))
        assert out.stat().st_size > 1000


@pytest.mark.skipif(SCRIPT is None, reason="the salescore console script is not installed")
def test_console_script_runs_the_same_report(demo_json: dict[str, Any]) -> None:
    assert SCRIPT is not None
    result = run("report", "--demo", "--format", "json", command=[SCRIPT])
    ok(result)
    assert json.loads(result.stdout) == demo_json


def test_help_and_version() -> None:
    result = run("report", "--help")
    ok(result)
    assert "--crm" in result.stdout
    assert "--demo" in result.stdout
    result = run("--version")
    ok(result)
    assert result.stdout.strip() == f"salescore {sc.__version__}"


# ------------------------------------------------------------------------ canonical files


def test_canonical_csv_files_give_the_demo_numbers(
    tmp_path: Path, demo_json: dict[str, Any]
) -> None:
    crm = sample()
    files = {
        "deals": crm.deals,
        "stage-history": crm.stage_history,
        "deal-changes": crm.deal_changes,
        "accounts": crm.accounts,
        "leads": crm.leads,
        "transactions": crm.transactions,
    }
    args: list[str | Path] = ["report", "--format", "json", "--as-of", "2026-01-01"]
    for name, frame in files.items():
        path = tmp_path / f"{name}.csv"
        frame.to_csv(path, index=False)
        args += [f"--{name}", path]
    # The demo follows the sample's fiscal year (from April) and converts its SEK deals
    # back to euros; the files are the euro sample, so the figures agree within float
    # rounding.
    result = run(*args, "--quota", str(crm.quota), "--fiscal-year-start", "4")
    ok(result)
    data = json.loads(result.stdout)
    assert data["source"] == "csv"
    for key in ("forecast", "accuracy", "funnel", "leads", "accounts", "retention"):
        got, expected = data["sections"][key]["metrics"], demo_json["sections"][key]["metrics"]
        assert got.keys() == expected.keys()
        for metric, value in expected.items():
            assert got[metric] == (pytest.approx(value) if isinstance(value, float) else value)
    assert {i["table"]: i["rejected"] for i in data["imports"]} == dict.fromkeys(
        ["deals", "stage_history", "deal_changes", "accounts", "leads", "transactions"], 0
    )


def test_rejected_rows_are_counted_with_their_reasons(tmp_path: Path) -> None:
    deals = tmp_path / "deals.csv"
    deals.write_text(
        "deal_id,value,probability,status,close_date\n"
        "D1,1000,0.5,open,2026-02-01\n"
        "D2,lots,0.5,open,2026-02-01\n"
        "D3,500,1.5,open,2026-02-01\n",
        encoding="utf-8",
    )
    result = run("report", "--deals", deals, "--as-of", "2026-01-01", "--format", "json")
    warned(result, "2 of the 3 rows of deals (deals.csv) were rejected")
    (record,) = json.loads(result.stdout)["imports"]
    assert (record["rows_in"], record["accepted"], record["rejected"]) == (3, 1, 2)
    assert sum(record["reasons"].values()) == 2
    assert "value: not a number" in record["reasons"]


# ------------------------------------------------------------------------ vendors


def _records(path: Path) -> Any:
    if path.suffix == ".json":
        return json.loads(path.read_text(encoding="utf-8"))
    # The command reads a CSV export in its dialect ("1,250.00" is 1250) as read_export.
    return read_export(path)


VENDORS: list[tuple[str, str, str | None, Any]] = [
    ("salesforce", "salesforce/opportunities.csv", None, salesforce.opportunities),
    ("salesforce", "salesforce/opportunities.json", None, salesforce.opportunities),
    ("hubspot", "hubspot/deals.json", "hubspot/pipelines.json", hubspot.deals),
    ("pipedrive", "pipedrive/deals.json", "pipedrive/stages.json", pipedrive.deals),
    ("pipedrive", "pipedrive/deals_export.csv", "pipedrive/stages.json", pipedrive.deals),
    ("odoo", "odoo/leads.json", "odoo/stages.json", odoo.deals),
    ("odoo", "odoo/leads_export.csv", None, odoo.deals),
]


@pytest.mark.parametrize(("crm", "deals", "stages", "adapter"), VENDORS)
def test_each_crm_export_goes_through_its_adapter(
    crm: str, deals: str, stages: str | None, adapter: Any
) -> None:
    args: list[str | Path] = ["report", "--crm", crm, "--deals", FIXTURES / deals]
    if stages is not None:
        args += ["--crm-stages", FIXTURES / stages]
    result = run(*args, "--as-of", "2024-06-01", "--quota", "50000", "--format", "json")
    data = reported(result)  # the fixtures hold rows each adapter must reject
    assert data["source"] == crm
    expected = (
        adapter(_records(FIXTURES / deals))
        if stages is None
        else adapter(_records(FIXTURES / deals), stages=_records(FIXTURES / stages))
    )
    record = next(i for i in data["imports"] if i["table"] == "deals")
    assert record["source"] == crm
    assert (record["rows_in"], record["accepted"], record["rejected"]) == (
        expected.rows_in,
        expected.accepted,
        expected.n_rejected,
    )
    # The report counts rows by column and kind of problem, as the adapter groups them.
    groups = expected.reason_groups()
    assert record["reasons"] == {
        (p if c is None or pd.isna(c) else f"{c}: {p}"): int(n)
        for c, p, n in zip(groups["column"], groups["problem"], groups["rows"], strict=True)
    }
    assert "forecast" in data["sections"] or "forecast" in data["skipped"]


def test_salesforce_history_and_leads_through_the_adapter() -> None:
    result = run(
        "report", "--crm", "salesforce",
        "--deals", FIXTURES / "salesforce/opportunities.json",
        "--stage-history", FIXTURES / "salesforce/opportunity_history.json",
        "--leads", FIXTURES / "salesforce/leads.json",
        "--as-of", "2024-06-01", "--format", "json",
    )  # fmt: skip
    data = reported(result)
    tables = {i["table"] for i in data["imports"]}
    assert tables == {"deals", "stage_history", "leads"}
    assert "funnel" in data["sections"]
    assert "leads" in data["sections"]


def test_hubspot_stage_history_comes_from_the_deals() -> None:
    result = run(
        "report", "--crm", "hubspot",
        "--deals", FIXTURES / "hubspot/deals.json",
        "--crm-stages", FIXTURES / "hubspot/pipelines.json",
        "--as-of", "2024-06-01", "--format", "text",
    )  # fmt: skip
    warned(result, "of deals (deals.json) were rejected")  # the fixture's rejected records
    assert "Conversion by stage" in result.stdout
    assert max(map(len, result.stdout.splitlines())) <= 100
    head = result.stdout.split("\nFORECAST\n")[0]
    assert "WARNING: 7 of the 14 rows of deals (deals.json) were rejected" in head


# ------------------------------------------------------------------------ errors


def test_missing_file(tmp_path: Path) -> None:
    one_line_error(run("report", "--deals", tmp_path / "none.csv"), "not found", "none.csv")


def test_unreadable_csv(tmp_path: Path) -> None:
    binary = tmp_path / "deals.csv"
    binary.write_bytes(b"deal_id,value\n\xff\xfe\x00\x81,\x90\n")
    one_line_error(run("report", "--deals", binary), "cannot read deals file")
    ragged = tmp_path / "ragged.csv"
    ragged.write_text('deal_id,value\nD1,5\n"D2,7\n', encoding="utf-8")
    one_line_error(run("report", "--deals", ragged), "cannot read deals file")
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    one_line_error(run("report", "--accounts", empty), "cannot read accounts file")


def test_unreadable_json_export(tmp_path: Path) -> None:
    broken = tmp_path / "deals.json"
    broken.write_text('{"results": [', encoding="utf-8")
    one_line_error(run("report", "--crm", "hubspot", "--deals", broken), "as JSON")


def test_schema_problem(tmp_path: Path) -> None:
    deals = tmp_path / "deals.csv"
    deals.write_text("deal_id,amount\nD1,5\n", encoding="utf-8")
    one_line_error(run("report", "--deals", deals), "lacks the required column", "value")


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["report"], "nothing to report"),
        (["report", "--demo", "--quota", "lots"], "--quota"),
        (["report", "--demo", "--quota", "-5"], ">= 0"),
        (["report", "--demo", "--format", "pdf"], "invalid choice"),
        (["report", "--demo", "--as-of", "2025-13-45"], "not a date"),
        (["report", "--demo", "--margin", "2"], "between 0 and 1"),
        (["report", "--demo", "--deals", "deals.csv"], "not both"),
        (["report", "--crm", "zoho", "--deals", "x.csv"], "invalid choice"),
        (["report", "--crm", "hubspot"], "needs the deals export"),
        (["report", "--demo", "--bogus"], "unrecognized arguments"),
        (["forecast"], "invalid choice"),
    ],
)
def test_bad_options(args: list[str], fragment: str) -> None:
    one_line_error(run(*args), fragment)


def test_unwritable_output_leaves_nothing(tmp_path: Path) -> None:
    one_line_error(run("report", "--demo", "-o", tmp_path / "missing" / "r.json"), "does not exist")
    assert list(tmp_path.iterdir()) == []


def test_a_failed_run_keeps_the_previous_report(tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    out.write_text("previous", encoding="utf-8")
    one_line_error(run("report", "--deals", tmp_path / "none.csv", "-o", out), "not found")
    assert out.read_text(encoding="utf-8") == "previous"
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]


def test_write_atomically_replaces_whole_or_not_at_all(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "report.txt"
    write_atomically(out, "first\n")
    assert out.read_text(encoding="utf-8") == "first\n"

    def fail(*_: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OSError, match="No space"):
        write_atomically(out, "second\n")
    assert out.read_text(encoding="utf-8") == "first\n"
    assert [p.name for p in tmp_path.iterdir()] == ["report.txt"]  # no temporary left


# ------------------------------------------------------------------------ problems first


def unusable(result: subprocess.CompletedProcess[str], *fragments: str) -> None:
    """Exit 3: the data is unusable; one line on standard error says which table."""
    assert result.returncode == 3, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("salescore: error: data unusable: ")
    for fragment in fragments:
        assert fragment in lines[0]


def _deals(path: Path, rows: list[str]) -> Path:
    path.write_text(
        "deal_id,value,probability,status,close_date\n" + "".join(f"{r}\n" for r in rows),
        encoding="utf-8",
    )
    return path


# Where the first section and the import summary begin, in each format.
_STARTS = {
    "txt": ("\nFORECAST\n", "\nIMPORT\n"),
    "md": ("\n## Forecast", "\n## Import"),
    "html": ('<section id="forecast">', '<section id="imports">'),
    "json": ('"sections": {', '"imports": ['),
}


@pytest.mark.parametrize("suffix", list(_STARTS))
def test_a_table_without_a_usable_row_exits_3_with_the_problem_first(
    tmp_path: Path, suffix: str
) -> None:
    deals = _deals(
        tmp_path / "deals.csv", ["D1,lots,0.5,open,2026-02-01", "D2,many,0.5,open,2026-02-01"]
    )
    out = tmp_path / f"report.{suffix}"
    result = run("report", "--deals", deals, "--as-of", "2026-01-01", "-o", out)
    unusable(result, "no usable row in deals (deals.csv)", str(out))
    text = out.read_text(encoding="utf-8")  # the report is written all the same
    problem = text.index("No usable row in deals (deals.csv): all 2 rows were rejected")
    for start in _STARTS[suffix]:
        if start in text:
            assert problem < text.index(start), start
    assert _STARTS[suffix][1] in text


def test_an_unusable_report_on_standard_output_keeps_the_problem_in_json(tmp_path: Path) -> None:
    deals = _deals(tmp_path / "deals.csv", ["D1,lots,0.5,open,2026-02-01"])
    result = run("report", "--deals", deals, "--as-of", "2026-01-01", "--format", "json")
    unusable(result, "no usable row in deals (deals.csv)", "the report shows why")
    data = json.loads(result.stdout)
    assert list(data).index("problems") < list(data).index("sections")
    (problem,) = data["problems"]
    assert (problem["kind"], problem["severity"], problem["table"]) == ("no_rows", "error", "deals")
    assert "1 x value: not a number" in problem["message"]


def test_deals_with_only_the_required_columns_keep_the_forecast(tmp_path: Path) -> None:
    # close_date is optional in the canonical deals: without it every open deal is
    # undated (in the pipeline, not in the quarter), and the Team section, which needs
    # the dates of wins, is left out with a reason a manager can read.
    deals = tmp_path / "deals.csv"
    deals.write_text(
        "deal_id,value,status,probability\nD1,100,open,0.5\nD2,200,won,\n", encoding="utf-8"
    )
    out = tmp_path / "report.json"
    result = run("report", "--deals", deals, "--as-of", "2026-01-01", "-o", out)
    line = warned(result, "Team section is left out")
    assert "KeyError" not in line
    data = json.loads(out.read_text(encoding="utf-8"))
    forecast = data["sections"]["forecast"]["metrics"]
    assert forecast["open_value"] == 100.0
    assert forecast["weighted_value"] == 50.0  # 100 x 0.5
    assert forecast["open_without_close_date"] == 1
    assert forecast["quarter_value"] == 0.0
    (problem,) = data["problems"]
    assert "close_date" in problem["message"]
    assert "KeyError" not in problem["message"]


def test_a_table_with_no_rows_at_all_is_unusable(tmp_path: Path) -> None:
    empty = tmp_path / "accounts.csv"
    empty.write_text("account_id,name\n", encoding="utf-8")
    result = run("report", "--accounts", empty, "--as-of", "2026-01-01")
    unusable(result, "no usable row in accounts (accounts.csv)")
    assert "the file holds no rows" in result.stdout.split("\nIMPORT\n")[0]


def test_more_than_a_tenth_rejected_is_a_warning_at_the_top(tmp_path: Path) -> None:
    # A won deal in 2025 keeps the Team section full: only the share is a problem.
    good = [f"D{i},1000,0.5,open,2026-02-01" for i in range(7)] + ["W1,1000,1,won,2025-06-01"]
    # 2 of 10 rows rejected: 20 %, above the stated 10 %.
    deals = _deals(tmp_path / "deals.csv", [*good, "X1,lots,0.5,open,2026-02-01", "X2,1,7,open,"])
    result = run("report", "--deals", deals, "--as-of", "2026-01-01")
    line = warned(result, "2 of the 10 rows of deals (deals.csv) were rejected (20.0 %")
    assert "starts with 1 problem" in line
    head, _ = result.stdout.split("\nFORECAST\n")
    assert "PROBLEMS" in head
    assert "WARNING: 2 of the 10 rows of deals (deals.csv) were rejected" in head


def test_a_tenth_rejected_or_less_is_no_problem(tmp_path: Path) -> None:
    good = [f"D{i},1000,0.5,open,2026-02-01" for i in range(8)] + ["W1,1000,1,won,2025-06-01"]
    # 1 of 10 rows rejected: exactly 10 %, not more; the import summary counts it. (The
    # won deal keeps the Team section from being empty, a problem of its own.)
    deals = _deals(tmp_path / "deals.csv", [*good, "X1,lots,0.5,open,2026-02-01"])
    result = run("report", "--deals", deals, "--as-of", "2026-01-01", "--format", "json")
    ok(result)
    data = json.loads(result.stdout)
    assert data["problems"] == []
    assert data["imports"][0]["rejected"] == 1


def test_a_few_rejected_rows_that_empty_a_section_are_a_warning_at_the_top(
    tmp_path: Path,
) -> None:
    closed = [f"W{i},1000,1,won,2025-{i % 12 + 1:02d}-15" for i in range(19)]
    # 1 of 20 rows rejected (5 %, under the stated 10 %), but it was the only open deal.
    deals = _deals(tmp_path / "deals.csv", [*closed, "X1,lots,0.5,open,2026-02-01"])
    result = run("report", "--deals", deals, "--as-of", "2026-01-01")
    line = warned(result, "starts with 1 problem", "The Forecast section is empty (no open deal")
    assert "1 of the 20 rows of deals (deals.csv) were rejected (1 x value: not a number)" in line
    head, _ = result.stdout.split("\nFORECAST\n")
    assert "WARNING: The Forecast section is empty" in head


def test_help_documents_the_exit_statuses() -> None:
    result = run("report", "--help")
    ok(result)
    text = result.stdout
    assert "exit status:" in text
    statuses = ("0    the report", "1    internal error", "2    bad command", "3    data unusable")
    for line in statuses:
        assert f"\n  {line}" in text
    assert "10 %" in text


def test_an_internal_error_is_one_line_and_exit_1() -> None:
    # A bug, simulated: build_report raises an exception salescore does not expect.
    code = (
        "import sys\n"
        "import salescore.report as report\n"
        "def broken(*args, **kwargs):\n"
        "    raise ZeroDivisionError('float division by zero')\n"
        "report.build_report = broken\n"
        "from salescore.cli import main\n"
        "sys.exit(main(sys.argv[1:]))\n"
    )
    result = run("report", "--demo", command=[sys.executable, "-c", code])
    assert result.returncode == 1
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("salescore: error: internal error, a bug in salescore")
    assert "ZeroDivisionError: float division by zero" in lines[0]
    assert "please report it" in lines[0]


# ------------------------------------------------------------------------ --probabilities

# HubSpot's default pipeline: qualifiedtobuy 40 %, contractsent 90 % (HubSpot's CRM
# Pipelines API, the "default" deal pipeline; salescore.pipeline.presets).
_HUBSPOT_DEALS = (
    "deal_id,value,stage,status,close_date{extra}\n"
    "D1,10000,qualifiedtobuy,open,2026-02-15{p1}\n"
    "D2,5000,contractsent,open,2026-03-01{p2}\n"
    "D3,2000,closedwon,won,2026-01-10{p3}\n"
)


def test_probabilities_preset_fills_missing_probabilities_and_says_so(tmp_path: Path) -> None:
    deals = tmp_path / "deals.csv"
    deals.write_text(_HUBSPOT_DEALS.format(extra="", p1="", p2="", p3=""), encoding="utf-8")
    args = ("report", "--deals", deals, "--as-of", "2026-01-15", "--format", "json")
    result = run(*args, "--probabilities", "hubspot")
    ok(result)
    forecast = json.loads(result.stdout)["sections"]["forecast"]
    # 10,000 x 0.4 + 5,000 x 0.9 = 4,000 + 4,500 = 8,500; both are due in 2026Q1.
    assert forecast["metrics"]["weighted_value"] == pytest.approx(8_500.0)
    assert forecast["metrics"]["quarter_weighted"] == pytest.approx(8_500.0)
    note = forecast["notes"][0]
    assert "2 open deals without a probability" in note
    assert "HubSpot default stage probabilities (--probabilities hubspot)" in note
    assert "qualifiedtobuy 40% (1), contractsent 90% (1)" in note


def test_probabilities_preset_keeps_the_probabilities_the_deals_have(tmp_path: Path) -> None:
    deals = tmp_path / "deals.csv"
    text = _HUBSPOT_DEALS.format(extra=",probability", p1=",0.25", p2=",", p3=",1")
    deals.write_text(text, encoding="utf-8")
    result = run(
        "report", "--deals", deals, "--as-of", "2026-01-15", "--format", "json",
        "--probabilities", "hubspot",
    )  # fmt: skip
    ok(result)
    forecast = json.loads(result.stdout)["sections"]["forecast"]
    # D1 keeps its own 0.25; D2 takes contractsent's 0.9: 2,500 + 4,500 = 7,000.
    assert forecast["metrics"]["weighted_value"] == pytest.approx(7_000.0)
    assert "1 open deal without a probability" in forecast["notes"][0]


def test_probabilities_preset_refuses_a_stage_it_does_not_know(tmp_path: Path) -> None:
    deals = tmp_path / "deals.csv"
    deals.write_text(
        "deal_id,value,stage,status,close_date\nD1,10000,Proposal,open,2026-02-15\n",
        encoding="utf-8",
    )
    result = run("report", "--deals", deals, "--as-of", "2026-01-15", "--probabilities", "hubspot")
    one_line_error(result, "HubSpot default stage probabilities", "'Proposal'", "D1")


def test_probabilities_choices_are_the_stage_presets() -> None:
    from salescore.pipeline import presets

    result = run("report", "--help")
    ok(result)
    names = {n.removesuffix("_STAGE_PROBABILITIES").lower() for n in presets.__all__}
    assert names == {"salesforce", "hubspot", "suitecrm", "espocrm"}
    for name in names:
        assert name in result.stdout
    one_line_error(run("report", "--demo", "--probabilities", "pipedrive"), "invalid choice")


def test_no_message_suggests_an_option_the_command_has_not_got(tmp_path: Path) -> None:
    deals = tmp_path / "deals.csv"
    deals.write_text(_HUBSPOT_DEALS.format(extra="", p1="", p2="", p3=""), encoding="utf-8")
    result = run("report", "--deals", deals, "--as-of", "2026-01-15")
    assert result.returncode == 0, result.stderr
    help_text = run("report", "--help").stdout
    said = result.stdout + result.stderr
    for option in set(re.findall(r"(?<![\w-])--[a-z][a-z-]*", said)):
        assert option in help_text, option
    assert "skipna" not in said
    assert "--probabilities" in said  # the way to the weighted figures


# ------------------------------------------------------------------------ no guessing


@pytest.mark.parametrize("date", ["02/01/2026", "2/1/2026", "2026/02/01", "01-02-2026"])
def test_an_ambiguous_or_unknown_date_form_is_refused(date: str) -> None:
    one_line_error(run("report", "--demo", "--as-of", date), "--as-of", "YYYY-MM-DD")


@pytest.mark.parametrize("date", ["9999-12-31", "1500-01-01", "2262-04-12"])
def test_a_far_report_date_is_refused_in_one_line(date: str) -> None:
    one_line_error(run("report", "--demo", "--as-of", date), "--as-of", "outside the dates")


@pytest.mark.parametrize(
    ("date", "day"),
    [
        ("31.12.2025", "2025-12-31"),  # day first: the only reading of dots with a 4-digit year
        ("2025-12-31", "2025-12-31"),
        ("2025-12-31T18:30", "2025-12-31"),
        ("2025-12-31 18:30:00", "2025-12-31"),
        ("2026-01-01T01:00+02:00", "2025-12-31"),  # 23:00 UTC the day before
    ],
)
def test_unambiguous_dates_are_read(date: str, day: str) -> None:
    result = run("report", "--demo", "--as-of", date, "--format", "json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["as_of"] == day


@pytest.mark.parametrize(
    ("name", "start"),
    [
        ("r.txt", "salescore report:"),
        ("r.TEXT", "salescore report:"),
        ("r.markdown", "# salescore report"),
        ("r.htm", "<!DOCTYPE html>"),
        ("r.JSON", "{"),
    ],
)
def test_the_output_format_follows_the_extension(tmp_path: Path, name: str, start: str) -> None:
    out = tmp_path / name
    ok(run("report", "--demo", "-o", out))
    assert out.read_text(encoding="utf-8").startswith(start)


@pytest.mark.parametrize("name", ["r.pdf", "report", "r.csv"])
def test_an_unknown_output_extension_needs_format(tmp_path: Path, name: str) -> None:
    out = tmp_path / name
    one_line_error(run("report", "--demo", "-o", out), "cannot tell the format", "--format")
    assert list(tmp_path.iterdir()) == []
    ok(run("report", "--demo", "-o", out, "--format", "markdown"))
    assert out.read_text(encoding="utf-8").startswith("# salescore report")


def test_a_format_that_contradicts_the_extension_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    one_line_error(run("report", "--demo", "-o", out, "--format", "json"), "contradicts", "html")
    assert list(tmp_path.iterdir()) == []
    ok(run("report", "--demo", "-o", out, "--format", "html"))


# ------------------------------------------------------------------------ CRM joints

# HubSpot's CRM API returns deals as {"results": [{"id", "properties": {...}}]} (the
# "Search for deals" and "List deals" responses of the CRM API reference); the stage
# ids are those of the default pipeline. Deal 104 carries HubSpot's far "no date".
_HUBSPOT_API = {
    "results": [
        {
            "id": "101",
            "properties": {
                "amount": "1000",
                "dealstage": "appointmentscheduled",
                "pipeline": "default",
                "closedate": "2026-02-15T10:00:00.000Z",
                "createdate": "2025-11-01T08:00:00.000Z",
            },
        },
        {
            "id": "102",
            "properties": {
                "amount": "2500",
                "dealstage": "contractsent",
                "pipeline": "default",
                "closedate": "2026-03-01T10:00:00.000Z",
                "createdate": "2025-10-01T08:00:00.000Z",
            },
        },
        {
            "id": "103",
            "properties": {
                "amount": "4000",
                "dealstage": "closedwon",
                "pipeline": "default",
                "closedate": "2025-12-10T10:00:00.000Z",
                "createdate": "2025-09-01T08:00:00.000Z",
            },
        },
        {
            "id": "104",
            "properties": {
                "amount": "700",
                "dealstage": "closedlost",
                "pipeline": "default",
                "closedate": "9999-12-31T00:00:00.000Z",
                "createdate": "2025-09-01T08:00:00.000Z",
            },
        },
    ]
}


def test_hubspot_deals_without_history_make_a_report_in_the_commands_words(
    tmp_path: Path,
) -> None:
    deals = tmp_path / "deals.json"
    deals.write_text(json.dumps(_HUBSPOT_API), encoding="utf-8")
    result = run(
        "report", "--crm", "hubspot", "--deals", deals, "--as-of", "2026-01-01", "--format", "json"
    )
    data = reported(result)
    # No history in the export is no unusable table: the history is not read at all.
    assert [item["table"] for item in data["imports"]] == ["deals"]
    forecast = data["sections"]["forecast"]["metrics"]
    # HubSpot's default pipeline: appointmentscheduled 20 %, contractsent 90 %
    # (salescore.pipeline.presets.HUBSPOT_STAGE_PROBABILITIES): 1000 x 0.2 + 2500 x 0.9.
    assert forecast["weighted_value"] == pytest.approx(2_450.0)
    said = json.dumps(data["imports"])
    assert "--crm-stages FILE" in said
    assert "stages=" not in said
    # The lost deal without a date is in the win rate (1 won, 1 lost), not in the
    # month-by-month loss reasons, which the Funnel note says.
    assert forecast["win_rate"] == 0.5


def test_salesforce_records_without_id_are_refused_in_the_commands_words(tmp_path: Path) -> None:
    # The shape of a Salesforce sample app's data plan: records with attributes and a
    # referenceId, without Id (sfdx "data tree" plans).
    deals = tmp_path / "deals.json"
    deals.write_text(
        json.dumps(
            [
                {
                    "attributes": {"type": "Opportunity", "referenceId": "OpportunityRef1"},
                    "Name": "Big deal",
                    "StageName": "Prospecting",
                    "Amount": 1000,
                    "CloseDate": "2026-02-01",
                }
            ]
        ),
        encoding="utf-8",
    )
    result = run("report", "--crm", "salesforce", "--deals", deals, "--as-of", "2026-01-01")
    one_line_error(result, "named Id", "ids are never made up")
    assert "fields=" not in result.stderr


def test_lost_deals_without_a_close_date_keep_the_loss_reasons(tmp_path: Path) -> None:
    deals = tmp_path / "deals.csv"
    deals.write_text(
        "deal_id,value,status,close_date,lost_reason\n"
        "D1,100,lost,2025-11-03,price\n"
        "D2,100,lost,2025-12-01,price\n"
        "D3,100,lost,,timing\n",
        encoding="utf-8",
    )
    result = run("report", "--deals", deals, "--as-of", "2026-01-01", "--format", "json")
    data = reported(result)
    funnel = data["sections"]["funnel"]
    assert funnel["metrics"]["lost_deals"] == 2  # D1 and D2; D3 has no month
    assert "1 lost deal without a close date" in funnel["caveats"]["lost_deals"]
    assert any("without a close date" in note for note in funnel["notes"])


# ------------------------------------------------------------------------ hostile input
# In-process (salescore.cli.main), for speed: the same one-line contract.


def _main(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str, str]:
    from salescore.cli import main

    status = main([str(arg) for arg in args])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def _one_line_refusal(status: int, out: str, err: str, *fragments: str) -> str:
    assert status == 2, err
    assert out == ""
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("salescore: error: ")
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    return lines[0]


_DEEP = "[" * 10_000 + "]" * 10_000


@pytest.mark.parametrize("crm", ["salesforce", "hubspot", "pipedrive", "odoo"])
def test_a_deeply_nested_json_export_is_refused_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], crm: str
) -> None:
    # It ended in "internal error ... RecursionError" (exit 1).
    deals = tmp_path / "deals.json"
    deals.write_text(_DEEP, encoding="utf-8")
    _one_line_refusal(
        *_main(capsys, "report", "--crm", crm, "--deals", deals), "deals file", "nested too deeply"
    )


def test_deeply_nested_crm_stages_are_refused_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    stages = tmp_path / "stages.json"
    stages.write_text(_DEEP, encoding="utf-8")
    args: list[str | Path] = [
        "report",
        "--crm",
        "hubspot",
        "--deals",
        FIXTURES / "hubspot/deals.json",
    ]
    _one_line_refusal(
        *_main(capsys, *args, "--crm-stages", stages), "stages file", "nested too deeply"
    )


def test_a_json_integer_beyond_pythons_digit_limit_is_refused_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    deals = tmp_path / "deals.json"
    deals.write_text('[{"Id": "1", "Amount": 1' + "0" * 5000 + "}]", encoding="utf-8")
    _one_line_refusal(*_main(capsys, "report", "--crm", "salesforce", "--deals", deals), "JSON")


@pytest.mark.parametrize(
    ("args", "shown"),
    [
        (["report", "--demo", "--bogus\noption"], "--bogus\\noption"),
        (["report", "--demo", "--as-of", "2026-01-01\n--quota"], "'2026-01-01\\n--quota'"),
        (["report", "--deals", "deals\nfile.csv"], "'deals\\nfile.csv'"),
        (["report", "--deals", "deals\x1b[31m.csv"], "'deals\\x1b[31m.csv'"),
        (["report", "--demo", "--output", "re\nport"], "re\\nport"),
    ],
)
def test_a_control_character_in_an_argument_or_path_is_shown_escaped_on_one_line(
    capsys: pytest.CaptureFixture[str], args: list[str], shown: str
) -> None:
    line = _one_line_refusal(*_main(capsys, *args), shown)
    assert line.isprintable()


def test_output_naming_a_directory_names_that_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The message named the temporary file (".report.txt.3b94greo.tmp").
    target = tmp_path / "report.txt"
    target.mkdir()
    line = _one_line_refusal(*_main(capsys, "report", "--demo", "-o", target), str(target))
    assert "it is a directory" in line
    assert ".tmp" not in line
    assert [p.name for p in tmp_path.iterdir()] == ["report.txt"]


def test_a_failed_write_names_the_output_not_the_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "report.txt"

    def fail(source: str, destination: str) -> None:
        raise OSError(28, "No space left on device", source)

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OSError, match="No space") as caught:
        write_atomically(target, "text")
    assert caught.value.filename == str(target)


_EXTREME_DEALS = (
    "deal_id,value,status,close_date,probability,owner\n"
    "D1,1e308,open,2026-02-01,0.5,ana\n"
    "D2,1.7e308,won,2025-11-01,1,ben\n"
    "D3,1e308,lost,2025-10-01,0,ana\n"
)


@pytest.mark.parametrize(
    "extra", [[], ["--headcount", "5e-324"], ["--quota", "1e308"], ["--seller-cost", "1e308"]]
)
def test_extreme_numbers_print_no_python_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], extra: list[str]
) -> None:
    # "--headcount 5e-324" printed "RuntimeWarning: invalid value encountered in divide"
    # (an internal error under -W error), from revenue per seller 1e308 / 5e-324 = inf.
    deals = tmp_path / "deals.csv"
    deals.write_text(_EXTREME_DEALS, encoding="utf-8")
    status, _, err = _main(capsys, "report", "--deals", deals, "--as-of", "2026-01-01", *extra)
    assert status in (0, 3), err
    assert "Warning:" not in err
    assert all(line.startswith("salescore: ") for line in err.splitlines()), err


def test_a_python_warning_from_a_calculation_never_reaches_the_reader(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import warnings

    import salescore.report as report_package

    real = report_package.build_report

    def noisy(*args: Any, **kwargs: Any) -> Any:
        warnings.warn("overflow encountered in multiply", RuntimeWarning, stacklevel=1)
        warnings.warn("a statistical caveat\nover two lines", sc.SalescoreWarning, stacklevel=1)
        return real(*args, **kwargs)

    monkeypatch.setattr(report_package, "build_report", noisy)
    status, _, err = _main(capsys, "report", "--demo", "--format", "json")
    assert status == 0, err
    # salescore's own warning is one line of the command's; numpy's is not shown.
    assert err.splitlines() == ["salescore: warning: a statistical caveat over two lines"]


# ------------------------------------------------------------------------ --currency, --rates

_MONEY_DEALS = """\
deal_id,account_id,owner,stage,status,value,currency,created,close_date,probability
D1,A1,ann,proposal,open,110000,SEK,2026-01-05,2026-02-27,0.5
D2,A2,ann,proposal,open,20000,EUR,2026-01-05,2026-02-20,0.5
D3,A3,bo,proposal,open,109000,SEK,2026-01-05,2026-03-10,0.4
D4,A4,bo,proposal,open,50000,SEK,2025-11-05,2025-12-15,0.4
"""
# 1 EUR = 11.0 SEK from 1 January, 10.9 SEK from 1 March 2026.
_MONEY_RATES = "currency,valid_from,rate\nSEK,2026-01-01,11.0\nSEK,2026-03-01,10.9\n"


def _money_files(tmp_path: Path) -> tuple[Path, Path]:
    deals, rates = tmp_path / "deals.csv", tmp_path / "rates.csv"
    deals.write_text(_MONEY_DEALS, encoding="utf-8")
    rates.write_text(_MONEY_RATES, encoding="utf-8")
    return deals, rates


def test_currency_converts_each_deal_at_the_rate_of_its_close_date(tmp_path: Path) -> None:
    deals, rates = _money_files(tmp_path)
    args = ("report", "--deals", deals, "--as-of", "2026-01-10")
    data = reported(run(*args, "--currency", "EUR", "--rates", rates, "--format", "json"))
    assert data["currency"] == "EUR"
    assert data["rates"] == "rates.csv"
    metrics = data["sections"]["forecast"]["metrics"]
    # D1: 110,000 SEK closing 27 Feb at 11.0 = 10,000 EUR (the March rate is not yet in
    # force); D2: 20,000 EUR as it is; D3: 109,000 SEK closing 10 Mar at 10.9 = 10,000 EUR.
    # D4 closes before the first SEK rate: rejected, not converted.
    assert metrics["open_deals"] == 3
    assert metrics["open_value"] == pytest.approx(10_000 + 20_000 + 10_000)
    # weighted: 10,000 x 0.5 + 20,000 x 0.5 + 10,000 x 0.4 = 19,000
    assert metrics["weighted_value"] == pytest.approx(19_000)
    (imported,) = data["imports"]
    assert (imported["rows_in"], imported["accepted"], imported["rejected"]) == (4, 3, 1)
    reason = "close_date: before the first SEK rate in rates.csv (2026-01-01)"
    assert imported["reasons"] == {reason: 1}
    assert imported["groups"][0]["examples"] == "line 5 ('D4'): '2025-12-15'"
    assert any(reason in problem["message"] for problem in data["problems"])
    assert data["problems"][0]["kind"] == "rows_rejected"


def test_currency_is_stated_in_the_header_of_every_format(tmp_path: Path) -> None:
    deals, rates = _money_files(tmp_path)
    args = ("report", "--deals", deals, "--as-of", "2026-01-10", "--currency", "eur")
    title = "salescore report: as of 2026-01-10, csv files"
    stated = "Amounts in EUR, converted at the rate in force on each deal's close date (rates.csv)."
    text = run(*args, "--rates", rates).stdout
    assert text.startswith(f"{title}\n{'=' * len(title)}\n{stated}\n")
    markdown = run(*args, "--rates", rates, "--format", "markdown").stdout
    assert markdown.startswith(f"# {title}\n\n- {stated}\n")
    page = html.unescape(run(*args, "--rates", rates, "--format", "html").stdout)
    assert f"<title>{title}</title>" in page
    assert f"<h1>{title}</h1>" in page
    assert f'<p class="conventions">{stated}</p>' in page


def test_rates_base_other_than_the_currency(tmp_path: Path) -> None:
    # Rates against EUR, report in SEK: the EUR deal is 20,000 x 11.0 = 220,000 SEK on
    # 20 February; the SEK deals stay as they are.
    deals, rates = _money_files(tmp_path)
    data = reported(
        run(
            *("report", "--deals", deals, "--as-of", "2026-01-10", "--format", "json"),
            *("--currency", "SEK", "--rates", rates, "--rates-base", "EUR"),
        )
    )
    assert data["currency"] == "SEK"
    metrics = data["sections"]["forecast"]["metrics"]
    assert metrics["open_deals"] == 4
    assert metrics["open_value"] == pytest.approx(110_000 + 220_000 + 109_000 + 50_000)


@pytest.mark.parametrize(
    ("extra", "fragment"),
    [
        (["--currency", "EUR"], "--currency needs --rates"),
        (["--rates", "rates.csv"], "--rates needs --currency"),
        (["--currency", "EUR", "--rates-base", "EUR"], "--currency needs --rates"),
        (["--currency", "kronor", "--rates", "rates.csv"], "--currency"),
        (["--currency", "EUR", "--rates", "missing.csv"], "rates file not found"),
    ],
)
def test_currency_options_are_refused_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], extra: list[str], fragment: str
) -> None:
    deals, _ = _money_files(tmp_path)
    extra = [str(tmp_path / item) if item.endswith(".csv") else item for item in extra]
    _one_line_refusal(*_main(capsys, "report", "--deals", deals, *extra), fragment)


def test_rates_without_the_currency_to_convert_to(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    deals, rates = _money_files(tmp_path)
    # Rates against EUR hold no NOK rate: no deal could be given in NOK.
    args = ("report", "--deals", deals, "--currency", "NOK", "--rates", rates)
    _one_line_refusal(*_main(capsys, *args, "--rates-base", "EUR"), "has no rate of NOK")
