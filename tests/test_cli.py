"""``salescore report`` run as a real command: ``python -m salescore`` in a subprocess.

Every format on the sample data, the canonical CSV files, each CRM's export through
``--crm``, and each error path with its exit status and its one-line message. When
the ``salescore`` console script is installed, it is run too.
"""

from __future__ import annotations

import json
import os
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
        "forecast", "funnel", "leads", "accounts", "retention", "value", "team",
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


def test_demo_markdown_and_html_files_with_the_format_from_the_suffix(tmp_path: Path) -> None:
    markdown = tmp_path / "report.md"
    result = run("report", "--demo", "--output", markdown)
    ok(result)
    assert result.stdout == ""
    text = markdown.read_text(encoding="utf-8")
    assert text.startswith("# salescore report")
    assert "## Forecast" in text
    assert "| Probability of reaching quota | 30.2% |" in text  # 0.3024, as test_report
    page = tmp_path / "report.html"
    result = run("report", "--demo", "--format", "html", "-o", page)
    ok(result)
    html = page.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>")
    assert html.count('<img alt="') == 6
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
        "accounts": crm.accounts,
        "leads": crm.leads,
        "transactions": crm.transactions,
    }
    args: list[str | Path] = ["report", "--format", "json", "--as-of", "2026-01-01"]
    for name, frame in files.items():
        path = tmp_path / f"{name}.csv"
        frame.to_csv(path, index=False)
        args += [f"--{name}", path]
    result = run(*args, "--quota", str(crm.quota))
    ok(result)
    data = json.loads(result.stdout)
    assert data["source"] == "csv"
    for key in ("forecast", "funnel", "leads", "accounts", "retention"):
        got, expected = data["sections"][key]["metrics"], demo_json["sections"][key]["metrics"]
        assert got.keys() == expected.keys()
        for metric, value in expected.items():
            assert got[metric] == (pytest.approx(value) if isinstance(value, float) else value)
    assert {i["table"]: i["rejected"] for i in data["imports"]} == dict.fromkeys(
        ["deals", "stage_history", "accounts", "leads", "transactions"], 0
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
    ok(result)
    (record,) = json.loads(result.stdout)["imports"]
    assert (record["rows_in"], record["accepted"], record["rejected"]) == (3, 1, 2)
    assert sum(record["reasons"].values()) == 2
    assert "value: not a number" in record["reasons"]


# ------------------------------------------------------------------------ vendors


def _records(path: Path) -> Any:
    if path.suffix == ".json":
        return json.loads(path.read_text(encoding="utf-8"))
    return pd.read_csv(path, dtype=str)


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
    ok(result)
    data = json.loads(result.stdout)
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
    assert record["reasons"] == {str(k): int(v) for k, v in expected.reasons().items()}
    assert "forecast" in data["sections"] or "forecast" in data["skipped"]


def test_salesforce_history_and_leads_through_the_adapter() -> None:
    result = run(
        "report", "--crm", "salesforce",
        "--deals", FIXTURES / "salesforce/opportunities.json",
        "--stage-history", FIXTURES / "salesforce/opportunity_history.json",
        "--leads", FIXTURES / "salesforce/leads.json",
        "--as-of", "2024-06-01", "--format", "json",
    )  # fmt: skip
    ok(result)
    data = json.loads(result.stdout)
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
    ok(result)
    assert "Conversion by stage" in result.stdout
    assert max(map(len, result.stdout.splitlines())) <= 100


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
