"""The report on a transactions log held by an engine, and ``salescore report --engine``.

The Retention and Value sections compute their figures in the engine; the report must
equal the one of the same transactions in pandas (floats to 1e-9), in the library
(``Inputs(transactions=<engine frame>)``) and from the command line, where the engine
reads Parquet or CSV files and globs. The sample CRM's transaction log (18,543 rows
over two years) is the data: its report has every figure of both sections, cohorts
and a revenue bridge.
"""

from __future__ import annotations

import functools
import json
import math
import sys
from pathlib import Path
from typing import Any

import attrs
import pandas as pd
import pytest

from salescore.cli import main
from salescore.datasets import sample
from salescore.report import Inputs, build_report, demo_inputs, render

from .harness import to_engine

AS_OF = "2026-01-01"


def _differences(want: Any, got: Any, path: str = "") -> list[str]:
    """Where two JSON documents differ (floats compared to 1e-9 relative)."""
    if isinstance(want, dict) and isinstance(got, dict):
        if set(want) != set(got):
            return [f"{path}: keys {sorted(set(want) ^ set(got))}"]
        return [d for key in want for d in _differences(want[key], got[key], f"{path}.{key}")]
    if isinstance(want, list) and isinstance(got, list):
        if len(want) != len(got):
            return [f"{path}: {len(want)} items, not {len(got)}"]
        pairs = enumerate(zip(want, got, strict=True))
        return [d for i, (a, b) in pairs for d in _differences(a, b, f"{path}[{i}]")]
    if isinstance(want, float) and isinstance(got, float):
        same = (math.isnan(want) and math.isnan(got)) or math.isclose(
            want, got, rel_tol=1e-9, abs_tol=1e-9
        )
        return [] if same else [f"{path}: {want!r} != {got!r}"]
    return [] if want == got else [f"{path}: {want!r} != {got!r}"]


@functools.cache
def _demo() -> Inputs:
    return demo_inputs()


@functools.cache
def _demo_json() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(render(build_report(_demo()), "json"))
    return document


def test_the_demo_report_is_the_same_from_every_engine(engine: str) -> None:
    inputs = _demo()
    assert isinstance(inputs.transactions, pd.DataFrame)
    native = to_engine(inputs.transactions, engine)
    report = build_report(attrs.evolve(inputs, transactions=native))
    assert report.skipped == {}
    got = json.loads(render(report, "json"))
    assert _differences(_demo_json(), got) == []
    # The sections computed from the transactions are there, with their tables.
    assert {"retention", "value"} <= set(got["sections"])
    assert got["sections"]["retention"]["tables"]["cohorts"]


def test_aware_dates_are_read_in_utc_as_in_pandas() -> None:
    pl = pytest.importorskip("polars")
    inputs = _demo()
    assert isinstance(inputs.transactions, pd.DataFrame)
    # Stockholm's midnight is 23:00 UTC the day before: a purchase on 1 January 2025
    # in Stockholm falls in December 2024 in UTC, in the other 12-month window.
    aware = inputs.transactions.assign(
        date=inputs.transactions["date"].dt.tz_localize("Europe/Stockholm")
    )
    want = json.loads(render(build_report(attrs.evolve(inputs, transactions=aware)), "json"))
    engine_inputs = attrs.evolve(inputs, transactions=pl.from_pandas(aware).lazy())
    got = json.loads(render(build_report(engine_inputs), "json"))
    assert _differences(want, got) == []
    assert _differences(_demo_json(), want) != []  # the zone moved purchases


def test_a_bad_row_stops_the_two_sections_naming_it() -> None:
    pl = pytest.importorskip("polars")
    inputs = _demo()
    assert isinstance(inputs.transactions, pd.DataFrame)
    bad = inputs.transactions.copy()
    bad.loc[7, "amount"] = -1.0
    report = build_report(attrs.evolve(inputs, transactions=pl.from_pandas(bad)))
    assert set(report.skipped) == {"retention", "value"}
    customer = bad.loc[7, "customer_id"]
    for reason in report.skipped.values():
        assert "amount is missing, negative or not finite for 1 row" in reason
        assert f"customer_id={customer!r}" in reason
    assert {"forecast", "funnel"} <= set(report.sections)  # the rest is reported


def test_inputs_refuse_a_transactions_table_of_another_kind() -> None:
    with pytest.raises(Exception, match=r"transactions must be a DataFrame, an engine frame"):
        Inputs(as_of=pd.Timestamp(AS_OF), source="csv", transactions=[1, 2])


# ------------------------------------------------------------------ the command line


@functools.cache
def _transactions() -> pd.DataFrame:
    return sample().transactions


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample's transactions as one CSV file, two Parquet files and two CSV files.

    With ``pandas.json``, the report of the one CSV file read by pandas.
    """
    pytest.importorskip("pyarrow")
    tmp_path = tmp_path_factory.mktemp("transactions")
    transactions = _transactions()
    half = len(transactions) // 2
    transactions.to_csv(tmp_path / "all.csv", index=False)
    for number, part in enumerate((transactions.iloc[:half], transactions.iloc[half:])):
        part.to_parquet(tmp_path / f"tx-{number}.parquet")
        part.to_csv(tmp_path / f"part-{number}.csv", index=False)
    base = ["--transactions", str(tmp_path / "all.csv"), "--output", str(tmp_path / "pandas.json")]
    assert _run(*base) == 0
    return tmp_path


def _run(*arguments: str) -> int:
    return main(["report", "--as-of", AS_OF, *arguments])


def _json(path: Path) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return document


CLI_ENGINES = ["duckdb", "polars", "dask"]
MODULE = {"duckdb": "duckdb", "polars": "polars", "dask": "dask.dataframe"}


@pytest.mark.parametrize("engine", CLI_ENGINES)
@pytest.mark.parametrize("pattern", ["tx-*.parquet", "part-*.csv"], ids=["parquet", "csv"])
def test_the_command_reads_globs_in_an_engine(files: Path, engine: str, pattern: str) -> None:
    pytest.importorskip(MODULE[engine])
    glob = str(files / pattern)
    out = files / f"{engine}-{pattern[:2]}.json"
    assert _run("--transactions", glob, "--engine", engine, "--output", str(out)) == 0
    want, got = _json(files / "pandas.json"), _json(out)
    (read,) = got["imports"]
    assert (read["rows_in"], read["accepted"]) == (len(_transactions()), len(_transactions()))
    kind = "Parquet" if pattern.endswith("parquet") else "CSV"
    assert read["warnings"][0].startswith(f"read from 2 {kind} files by {engine}")
    assert read["file"] == glob
    want.pop("imports")
    got.pop("imports")
    assert _differences(want, got) == []


def test_the_header_names_the_kinds_of_files_read(files: Path) -> None:
    pytest.importorskip("duckdb")
    parquet = str(files / "tx-*.parquet")
    deals = files / "deals.csv"
    sample().deals.to_csv(deals, index=False)
    alone, beside = files / "alone.txt", files / "beside.txt"
    assert _run("--transactions", parquet, "--engine", "duckdb", "--output", str(alone)) == 0
    assert alone.read_text(encoding="utf-8").splitlines()[0].endswith(", parquet files")
    arguments = ("--deals", str(deals), "--transactions", parquet, "--engine", "duckdb")
    assert _run(*arguments, "--output", str(beside)) == 0
    first = beside.read_text(encoding="utf-8").splitlines()[0]
    assert first.endswith(", csv and parquet files")


def test_the_command_refuses_what_it_cannot_read(
    files: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("polars")
    glob = str(files / "tx-*.parquet")
    cases = [
        (["--transactions", glob], "Parquet files and globs are read by an engine; add --engine"),
        (["--transactions", str(files / "none-*.parquet"), "--engine", "polars"], "no trans"),
        (["--deals", str(files / "all.csv"), "--engine", "polars"], "give --transactions"),
        (
            ["--transactions", str(files / "part-*.csv"), "--engine", "polars", "--sep", ";"],
            "--sep applies to the files salescore reads itself",
        ),
        # tx-*.parquet, part-*.csv and pandas.json: files of three kinds.
        (["--transactions", str(files / "[pt]*"), "--engine", "polars"], "all of one kind"),
        (
            ["--transactions", str(files / "no-amount.parquet"), "--engine", "polars"],
            "missing column 'amount' (it has ['customer_id', 'date']); --engine reads the "
            "canonical columns",
        ),
    ]
    _transactions().drop(columns="amount").to_parquet(files / "no-amount.parquet")
    for arguments, message in cases:
        assert _run(*arguments) == 2, arguments
        assert message in capsys.readouterr().err
    monkeypatch.setitem(sys.modules, "polars", None)  # as if it were not installed
    assert _run("--transactions", glob, "--engine", "polars") == 2
    assert "pip install '.[polars]' in a clone of salescore" in capsys.readouterr().err


def test_an_empty_log_is_unusable_as_its_csv_is(files: Path) -> None:
    pytest.importorskip("duckdb")
    empty = _transactions().iloc[:0]
    folder = files / "empty"
    folder.mkdir()
    empty.to_parquet(folder / "empty.parquet")
    empty.to_csv(folder / "empty.csv", index=False)
    csv_run = ["--transactions", str(folder / "empty.csv"), "--output", str(folder / "a.json")]
    assert _run(*csv_run) == 3
    out = folder / "b.json"
    engine_run = ["--transactions", str(folder / "empty.parquet"), "--engine", "duckdb"]
    assert _run(*engine_run, "--output", str(out)) == 3
    want, got = _json(folder / "a.json"), _json(out)
    assert [p["table"] for p in got["problems"]] == [p["table"] for p in want["problems"]]
    assert got["sections"] == want["sections"]
