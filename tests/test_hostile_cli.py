"""Hostile input for the command and the adapters: garbage in, one clear line out.

The command (``salescore.cli.main``, run in-process; a few cases as a real process) is
given garbage arguments, arbitrary bytes as files, empty files, CRM exports whose
records hold wrong types, ``null``, nested objects, ``NaN``/``Infinity`` tokens and
numbers beyond float range, JSON nested 10,000 deep, control characters in arguments
and paths, and ``--output`` naming a directory. Whatever it is given, it ends with a
status it documents (never 1, a bug), prints no traceback and no Python warning, and a
refusal (status 2) is exactly one line on standard error.

Every adapter (Salesforce, HubSpot, Pipedrive, Odoo, ``from_records``, the webhook,
``ImportResult`` itself) is given garbage records and options: it raises only
:class:`~salescore.errors.SalescoreError` subclasses, and when it accepts the call
every row is accounted for: accepted + rejected = rows in.

The example counts are set per test (``max_examples``) so that the file runs in well
under a minute with ``HYPOTHESIS_PROFILE=ci``, which fixes the seed (``derandomize``).
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from salescore.adapters import (
    ImportResult,
    from_records,
    hubspot,
    odoo,
    pipedrive,
    salesforce,
    to_records,
    webhook,
)
from salescore.cli import main
from salescore.errors import InvalidInputError, SalescoreError, SchemaError

FIXTURES = Path(__file__).parent / "fixtures"
DEPTH = 10_000  # far beyond Python's recursion limit (1,000 by default)
CRMS = ("salesforce", "hubspot", "pipedrive", "odoo")
# The few deals every CRM's JSON export below starts from (its vendor's field names).
DEALS_FIELDS: dict[str, tuple[str, ...]] = {
    "salesforce": (
        "Id", "Name", "StageName", "Amount", "Probability", "CloseDate", "CreatedDate",
        "IsClosed", "IsWon", "ForecastCategoryName", "OwnerId", "AccountId",
        "CurrencyIsoCode", "LeadSource", "IsDeleted",
    ),
    "hubspot": (
        "id", "dealname", "dealstage", "amount", "closedate", "createdate", "pipeline",
        "hubspot_owner_id", "hs_is_closed_won", "hs_is_closed", "archived", "properties",
        "hs_v2_date_entered_appointmentscheduled", "hs_v2_date_exited_appointmentscheduled",
    ),
    "pipedrive": (
        "id", "title", "value", "currency", "status", "stage_id", "probability", "add_time",
        "close_time", "won_time", "lost_time", "expected_close_date", "user_id", "owner_id",
        "org_id", "lost_reason",
    ),
    "odoo": (
        "id", "name", "expected_revenue", "probability", "stage_id", "date_deadline",
        "create_date", "date_closed", "user_id", "partner_id", "active", "type",
        "company_currency", "lost_reason_id",
    ),
}  # fmt: skip
HISTORY_FIELDS = ("Id", "OpportunityId", "StageName", "CreatedDate", "IsDeleted")
LEAD_FIELDS = ("Id", "CreatedDate", "IsConverted", "LeadSource", "OwnerId", "IsDeleted")
TASK_FIELDS = ("WhoId", "CreatedDate", "TaskSubtype", "IsDeleted")
STAGE_KEYS = (
    "id", "label", "name", "is_won", "metadata", "probability", "isClosed",
    "deal_probability", "stages", "results", "data", "displayOrder", "order_nr",
)  # fmt: skip

# ------------------------------------------------------------------ strategies

#: Values a CRM's JSON can hold, and some it should not: wrong types, texts that look
#: like numbers, dates and flags, control characters, and numbers at and beyond the
#: limits of float64 (10**400 is a JSON integer no float can hold).
hostile_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.sampled_from([10**400, -(10**400), 2**63, -(2**63) - 1, 0, -1]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([1e308, -1e308, 5e-324, -0.0, math.nan, math.inf, -math.inf]),
    st.text(max_size=12),
    st.sampled_from(
        [
            "", " ", "2024-03-04", "2024-03-04T10:20:00Z", "2024-03-04T10:20:00.000+0000",
            "9999-12-31", "0001-01-01", "1677-09-21", "02/01/2026", "31.12.2025",
            "open", "won", "lost", "Closed Won", "true", "false", "12 %", "1,5", "1e400",
            "NaN", "Infinity", "a\nb", "\x00", "\x1b[31m",
        ]
    ),
)  # fmt: skip
hostile_values = st.recursive(
    hostile_scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=6,
)


def records_of(
    fields: tuple[str, ...], *, size: int = 5
) -> st.SearchStrategy[list[dict[str, Any]]]:
    """Records keyed by a vendor's field names (and a few others), any value in each."""
    keys = st.sampled_from(fields) | st.text(max_size=4)
    return st.lists(st.dictionaries(keys, hostile_values, max_size=len(fields)), max_size=size)


# ------------------------------------------------------------------ running the command


def cli(*args: str | os.PathLike[str]) -> tuple[int, str, str]:
    """Run ``salescore`` in this process: (status, standard output, standard error)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main([os.fspath(arg) for arg in args])
    return status, out.getvalue(), err.getvalue()


def clean_end(status: int, stdout: str, stderr: str) -> list[str]:
    """A documented status, no traceback, no Python warning; the stderr lines."""
    assert status in (0, 2, 3), (status, stderr)
    assert "Traceback" not in stderr, stderr
    assert "Warning:" not in stderr, stderr  # RuntimeWarning: ..., UserWarning: ...
    lines = stderr.splitlines()
    assert all(line.startswith("salescore: ") for line in lines), stderr
    if status == 2:
        assert len(lines) == 1, stderr
        assert lines[0].startswith("salescore: error: ")
        assert stdout == ""
    if status == 3:
        assert sum(line.startswith("salescore: error: ") for line in lines) == 1, stderr
    return lines


def refused(status: int, stdout: str, stderr: str, *fragments: str) -> str:
    """Exit 2 with exactly one line on standard error, holding ``fragments``."""
    assert status == 2, (status, stderr)
    lines = clean_end(status, stdout, stderr)
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    return lines[0]


@contextlib.contextmanager
def folder() -> Iterator[Path]:
    """A fresh directory (Hypothesis runs a test many times: no tmp_path fixture)."""
    with tempfile.TemporaryDirectory() as name:
        yield Path(name)


DEALS_CSV = (
    "deal_id,value,status,close_date,probability,owner\n"
    "D1,1000,open,2026-02-01,0.5,ana\n"
    "D2,2000,won,2025-11-01,1,ben\n"
    "D3,500,lost,2025-10-01,0,ana\n"
)


@pytest.fixture(scope="module")
def deals_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cli") / "deals.csv"
    path.write_text(DEALS_CSV, encoding="utf-8")
    return path


# ------------------------------------------------------------------ the command: arguments

OPTIONS = (
    "--demo", "--deals", "--stage-history", "--accounts", "--leads", "--transactions",
    "--activities", "--crm", "--crm-stages", "--sep", "--decimal", "--thousands",
    "--dayfirst", "--monthfirst", "--encoding", "--locale", "--probability-scale",
    "--quota", "--as-of", "--stages", "--headcount", "--probabilities", "--margin",
    "--seller-cost", "--format", "--output", "-o", "--currency", "--rates", "--rates-base",
    "--display-locale", "--fiscal-year-start", "--fiscal-year-naming", "--fiscal-calendar",
    "--fiscal-week-end", "--fiscal-year-end-rule",
)  # fmt: skip
argument_texts = st.one_of(
    st.text(max_size=12),
    st.sampled_from(
        [
            "", "-", "--", "nan", "inf", "-1", "1e308", "5e-324", "1" + "0" * 400, "0x10",
            "2026-01-01", "02/01/2026", "9999-12-31", "a\nb", "\r\n", "\x1b[2J", "tab",
            "salesforce", "percent", "text", "json", "de", "cp1252", "no-such-encoding",
        ]
    ),
)  # fmt: skip


@settings(
    derandomize=True, max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(
    command=st.sampled_from(["report", "reports", "", "--help\n", "report\n", "-x"]),
    rest=st.lists(st.sampled_from(OPTIONS) | argument_texts, max_size=6),
)
def test_garbage_arguments_end_in_a_documented_status_without_a_traceback(
    command: str, rest: list[str]
) -> None:
    # Without data files no report is computed: every run is quick; each either
    # prints help or refuses in one line (no --demo: the demo is tested apart).
    rest = [arg for arg in rest if arg != "--demo"]
    status, stdout, stderr = cli(command, *rest)
    if status == 0:  # --help somewhere in a valid position
        assert stderr == ""
    else:
        refused(status, stdout, stderr)


@settings(
    derandomize=True, max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(
    option=st.sampled_from(
        ["--quota", "--headcount", "--margin", "--seller-cost", "--as-of", "--stages",
         "--sep", "--thousands", "--encoding", "--format", "--probabilities",
         "--fiscal-year-start", "--display-locale"]
    ),
    value=argument_texts,
)  # fmt: skip
def test_an_option_with_any_value_on_real_deals_ends_cleanly(
    deals_csv: Path, option: str, value: str
) -> None:
    status, stdout, stderr = cli(
        "report", "--deals", deals_csv, "--as-of", "2026-01-01", option, value
    )
    clean_end(status, stdout, stderr)


@pytest.mark.parametrize(
    "args",
    [
        ["report", "--demo", "--as-of", "2026-01-01\n--quota 5"],
        ["report", "--demo", "--format", "te\nxt"],
        ["report", "--demo", "--unknown\noption"],
        ["report", "--deals", "deals\nfile.csv"],
        ["report", "--deals", "deals\x1b[31m.csv"],
        ["report", "--demo", "--output", "re\nport.pdf"],
        ["report", "--demo", "--output", "no-such-dir/\nr.txt"],
        ["report\n", "--demo"],
    ],
)
def test_a_control_character_in_an_argument_or_path_keeps_the_error_on_one_line(
    args: list[str],
) -> None:
    line = refused(*cli(*args))
    assert line.isprintable()  # shown as an escape (\n, \x1b), never as the character


def test_output_naming_a_directory_names_the_output_not_a_temporary_file() -> None:
    with folder() as where:
        target = where / "report.txt"
        target.mkdir()
        line = refused(*cli("report", "--demo", "--output", target), str(target), "directory")
        assert ".tmp" not in line
        assert list(target.iterdir()) == []
        assert sorted(p.name for p in where.iterdir()) == ["report.txt"]


@pytest.mark.parametrize(
    ("option", "value"),
    [("--headcount", "5e-324"), ("--quota", "1e308"), ("--quota", "5e-324"),
     ("--seller-cost", "1e308"), ("--seller-cost", "5e-324"), ("--margin", "5e-324")],
)  # fmt: skip
def test_extreme_options_print_no_python_warning(deals_csv: Path, option: str, value: str) -> None:
    clean_end(*cli("report", "--deals", deals_csv, "--as-of", "2026-01-01", option, value))


def test_amounts_at_the_float_limit_print_no_python_warning() -> None:
    with folder() as where:
        deals = where / "deals.csv"
        deals.write_text(DEALS_CSV.replace("1000", "1e308").replace("2000", "1.7e308"), "utf-8")
        for extra in ([], ["--headcount", "5e-324"], ["--quota", "1e308"]):
            clean_end(*cli("report", "--deals", deals, "--as-of", "2026-01-01", *extra))


# ------------------------------------------------------------------ the command: files


@settings(
    derandomize=True, max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(
    data=st.binary(max_size=200),
    crm=st.sampled_from([None, *CRMS]),
    suffix=st.sampled_from([".csv", ".json", ".txt"]),
)
def test_arbitrary_bytes_as_a_file_end_cleanly(data: bytes, crm: str | None, suffix: str) -> None:
    with folder() as where:
        path = where / f"deals{suffix}"
        path.write_bytes(data)
        args = ["report", "--deals", str(path), "--as-of", "2026-01-01"]
        if crm is not None:
            args += ["--crm", crm]
        clean_end(*cli(*args))


@pytest.mark.parametrize("crm", [None, *CRMS])
@pytest.mark.parametrize("suffix", [".csv", ".json"])
def test_an_empty_file_is_refused_in_one_line(crm: str | None, suffix: str) -> None:
    with folder() as where:
        path = where / f"deals{suffix}"
        path.write_bytes(b"")
        crm_args = [] if crm is None else ["--crm", crm]
        status, stdout, stderr = cli("report", "--deals", path, *crm_args)
        if suffix == ".csv" or crm is not None:
            refused(status, stdout, stderr, "empty" if suffix == ".csv" else "JSON")
        else:  # a canonical file is read as CSV whatever its suffix
            refused(status, stdout, stderr, "empty")


@settings(
    derandomize=True,
    max_examples=24,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data(), crm=st.sampled_from(CRMS))
def test_garbage_records_in_a_crm_export_end_cleanly(data: st.DataObject, crm: str) -> None:
    records = data.draw(records_of(DEALS_FIELDS[crm], size=4), label="records")
    wrapped = data.draw(st.sampled_from(["list", "object", "scalar"]), label="shape")
    document: Any = records if wrapped == "list" else {"records": records, "data": records}
    if wrapped == "scalar":
        document = records[0] if records else None
    with folder() as where:
        path = where / "deals.json"
        # allow_nan: NaN and Infinity tokens, as some exporters write them.
        path.write_text(json.dumps(document, allow_nan=True), encoding="utf-8")
        clean_end(*cli("report", "--crm", crm, "--deals", path, "--as-of", "2026-01-01"))


@pytest.mark.parametrize("crm", CRMS)
@pytest.mark.parametrize(
    "number",
    ["1e308", "-1e308", "1e400", "5e-324", "1" + "0" * 400, "NaN", "Infinity", "-Infinity"],
)
def test_numbers_at_and_beyond_float_range_in_a_json_export_end_cleanly(
    crm: str, number: str
) -> None:
    money = {
        "salesforce": "Amount",
        "hubspot": "amount",
        "pipedrive": "value",
        "odoo": "expected_revenue",
    }
    good = json.loads((FIXTURES / {
        "salesforce": "salesforce/opportunities.json",
        "hubspot": "hubspot/deals.json",
        "pipedrive": "pipedrive/deals.json",
        "odoo": "odoo/leads.json",
    }[crm]).read_text(encoding="utf-8"))  # fmt: skip
    marker = '"__number__"'
    records = (
        good if isinstance(good, list) else next(v for v in good.values() if isinstance(v, list))
    )
    first = records[0]
    target = first.get("properties", first)
    target[money[crm]] = "__number__"
    text = json.dumps(good).replace(marker, number)  # a raw token json.dumps would not write
    with folder() as where:
        path = where / "deals.json"
        path.write_text(text, encoding="utf-8")
        clean_end(*cli("report", "--crm", crm, "--deals", path, "--as-of", "2024-06-01"))


def _nested(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.mark.parametrize("crm", CRMS)
@pytest.mark.parametrize("nesting", ["array", "object", "inside a record"])
def test_json_nested_10000_deep_is_refused_in_one_line(crm: str, nesting: str) -> None:
    text = {
        "array": _nested(DEPTH),
        "object": '{"a":' * DEPTH + "1" + "}" * DEPTH,
        "inside a record": '[{"Id": "1", "id": 1, "value": ' + _nested(DEPTH) + "}]",
    }[nesting]
    with folder() as where:
        path = where / "deals.json"
        path.write_text(text, encoding="utf-8")
        refused(*cli("report", "--crm", crm, "--deals", path), "nested too deeply", "deals file")


@pytest.mark.parametrize("crm", ["hubspot", "pipedrive", "odoo"])
def test_crm_stages_nested_10000_deep_are_refused_in_one_line(crm: str) -> None:
    deals = FIXTURES / {"hubspot": "hubspot/deals.json", "pipedrive": "pipedrive/deals.json",
                        "odoo": "odoo/leads.json"}[crm]  # fmt: skip
    with folder() as where:
        stages = where / "stages.json"
        stages.write_text(_nested(DEPTH), encoding="utf-8")
        refused(
            *cli("report", "--crm", crm, "--deals", deals, "--crm-stages", stages),
            "nested too deeply",
            "stages file",
        )


def test_a_json_integer_of_more_digits_than_python_reads_is_refused_in_one_line() -> None:
    with folder() as where:
        path = where / "deals.json"
        path.write_text('[{"Id": "1", "Amount": 1' + "0" * 5000 + "}]", encoding="utf-8")
        refused(*cli("report", "--crm", "salesforce", "--deals", path), "deals file", "JSON")


def test_as_a_real_process_deep_json_and_a_newline_give_one_line() -> None:
    # The in-process runs above share this interpreter's stack and warning filters; a
    # real process has its own, and its standard error is what a shell shows.
    with folder() as where:
        path = where / "deals\n.json"
        path.write_text(_nested(DEPTH), encoding="utf-8")
        done = subprocess.run(
            [sys.executable, "-m", "salescore", "report", "--crm", "hubspot", "--deals", path],
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=120,
            env={**os.environ, "PYTHONIOENCODING": "utf-8"},
            check=False,
        )
        refused(done.returncode, done.stdout, done.stderr, "nested too deeply", "deals\\n.json")


# ------------------------------------------------------------------ the adapters


def accounted(result: object, rows: int | None) -> None:
    """An accepted call accounts for every row: accepted + rejected = rows in."""
    assert isinstance(result, ImportResult)
    assert result.accepted + result.n_rejected == result.rows_in
    if rows is not None:
        assert result.rows_in == rows
    assert set(result.frame.index).isdisjoint(result.rejected.index)


def only_salescore_errors(call: Callable[[], object]) -> object | None:
    """The call's result, or None when it raised a SalescoreError (anything else fails)."""
    try:
        return call()
    except SalescoreError:
        return None


# name → (the adapter called on records, the fields of its records, does one record
# give one row: False where records expand, as HubSpot's stage history does).
ADAPTERS: dict[str, tuple[Callable[[Any], ImportResult], tuple[str, ...], bool]] = {
    "salesforce.opportunities": (salesforce.opportunities, DEALS_FIELDS["salesforce"], True),
    "salesforce.opportunity_history": (salesforce.opportunity_history, HISTORY_FIELDS, True),
    "salesforce.leads": (salesforce.leads, LEAD_FIELDS, True),
    "hubspot.deals": (hubspot.deals, DEALS_FIELDS["hubspot"], True),
    "hubspot.stage_history": (hubspot.stage_history, DEALS_FIELDS["hubspot"], False),
    "pipedrive.deals": (pipedrive.deals, DEALS_FIELDS["pipedrive"], True),
    "odoo.deals": (odoo.deals, DEALS_FIELDS["odoo"], True),
    "from_records": (from_records, ("deal_id", "value", "status", "stage", "probability",
                                    "close_date", "created", "owner", "currency"), True),
}  # fmt: skip


def _frame(records: list[dict[str, Any]]) -> pd.DataFrame:
    """The records as an export's frame (no rows when there are none)."""
    if not records:
        return pd.DataFrame()
    try:
        return pd.DataFrame.from_records(records)
    except OverflowError:  # pandas 2.2 cannot infer a column holding 10**400: objects
        keys = dict.fromkeys(key for record in records for key in record)
        return pd.DataFrame(
            {
                key: pd.Series([record.get(key, np.nan) for record in records], dtype=object)
                for key in keys
            }
        )


@pytest.mark.parametrize("name", list(ADAPTERS))
@settings(
    derandomize=True,
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data())
def test_adapters_on_garbage_records_raise_only_salescore_errors_and_count_every_row(
    name: str, data: st.DataObject
) -> None:
    adapter, fields, one_row_each = ADAPTERS[name]
    records = data.draw(records_of(fields), label="records")
    as_frame = data.draw(st.booleans(), label="as a DataFrame")
    given_records: Any = records
    if as_frame:  # an export; records without keys make a frame without rows
        given_records = _frame(records)
    result = only_salescore_errors(lambda: adapter(given_records))
    if result is not None:
        accounted(result, len(given_records) if one_row_each else None)


TASKED = [{"Id": "L1", "CreatedDate": "2024-03-04T09:00:00Z", "IsConverted": False}]


@settings(
    derandomize=True, max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(tasks=records_of(TASK_FIELDS) | hostile_values)
def test_salesforce_leads_with_garbage_tasks_count_every_lead(tasks: Any) -> None:
    result = only_salescore_errors(lambda: salesforce.leads(TASKED, tasks))
    if result is not None:
        accounted(result, 1)


HUBSPOT_DEAL = {"id": "1", "properties": {"dealstage": "s1", "amount": "5"}}
STAGED: dict[str, tuple[Callable[..., ImportResult], list[dict[str, Any]]]] = {
    "hubspot.deals": (hubspot.deals, [HUBSPOT_DEAL]),
    "hubspot.stage_history": (hubspot.stage_history, [HUBSPOT_DEAL]),
    "pipedrive.deals": (pipedrive.deals, [{"id": 1, "value": 5, "status": "open", "stage_id": 1}]),
    "odoo.deals": (odoo.deals, [{"id": 1, "expected_revenue": 5, "stage_id": [1, "New"]}]),
    "salesforce.opportunities": (salesforce.opportunities, [{"Id": "1", "StageName": "a"}]),
}
stage_definitions = st.recursive(
    hostile_scalars | st.sampled_from(STAGE_KEYS),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.sampled_from(STAGE_KEYS) | st.text(max_size=3), inner, max_size=4)
    ),
    max_leaves=10,
)


@pytest.mark.parametrize("name", list(STAGED))
@settings(
    derandomize=True, max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(stages=stage_definitions)
def test_adapters_on_garbage_stage_definitions_raise_only_salescore_errors(
    name: str, stages: Any
) -> None:
    adapter, records = STAGED[name]
    result = only_salescore_errors(lambda: adapter(records, stages=stages))
    if result is not None:
        accounted(result, None if name == "hubspot.stage_history" else len(records))


option_values = hostile_values | st.sampled_from(
    [pd.NA, np.nan, np.bool_(True), np.timedelta64(1, "h"), ["value"], {"a": 1}, object()]
)


@settings(
    derandomize=True, max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(
    option=st.sampled_from(
        ["mapping", "table", "probability_scale", "properties", "source", "stage_status"]
    ),
    value=option_values,
)
def test_from_records_with_garbage_options_raises_only_salescore_errors(
    option: str, value: Any
) -> None:
    records = [{"deal_id": "D1", "value": 10.0, "status": "open", "stage": "Proposal"}]
    result = only_salescore_errors(lambda: from_records(records, **{option: value}))
    if result is not None:
        accounted(result, 1)


@settings(
    derandomize=True, max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(
    payload=st.binary(max_size=60) | st.text(max_size=60) | hostile_values,
    source=st.sampled_from(["records", "salesforce", "hubspot", "pipedrive", "odoo"])
    | option_values,
)
def test_webhook_on_garbage_payloads_raises_only_salescore_errors(
    payload: Any, source: Any
) -> None:
    result = only_salescore_errors(lambda: webhook.deal_metrics(payload, source=source))
    if result is not None:
        assert isinstance(result, dict)
        json.dumps(result, allow_nan=False)  # JSON-ready: no NaN, no inf


@settings(
    derandomize=True, max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(frame=option_values | st.just(pd.DataFrame({"deal_id": [[1]], "value": [1.0]})))
def test_to_records_on_garbage_raises_only_salescore_errors(frame: Any) -> None:
    only_salescore_errors(lambda: to_records(frame))


def _deep(depth: int, kind: str) -> Any:
    value: Any = 1
    for _ in range(depth):
        value = [value] if kind == "list" else {"a": value}
    return value


DEEP_CALLS: dict[str, Callable[[Any], object]] = {
    "salesforce.opportunities": lambda v: salesforce.opportunities(
        [{"Id": "1", "StageName": v, "Amount": v}]
    ),
    "salesforce.opportunity_history": lambda v: salesforce.opportunity_history(
        [{"OpportunityId": "1", "StageName": v, "CreatedDate": v}]
    ),
    "salesforce.leads": lambda v: salesforce.leads(
        [{"Id": "1", "CreatedDate": v, "IsConverted": v}], [{"WhoId": v, "CreatedDate": v}]
    ),
    "hubspot.deals": lambda v: hubspot.deals([{"id": "1", "properties": {"dealstage": v}}]),
    "hubspot.stage_history": lambda v: hubspot.stage_history(
        [{"id": "1", "properties": {"hs_v2_date_entered_x": v}}]
    ),
    "pipedrive.deals": lambda v: pipedrive.deals([{"id": 1, "value": v, "status": v}]),
    "pipedrive stages": lambda v: pipedrive.deals([{"id": 1, "value": 1, "status": "o"}], stages=v),
    "odoo.deals": lambda v: odoo.deals([{"id": 1, "expected_revenue": v, "stage_id": v}]),
    "odoo stages": lambda v: odoo.deals([{"id": 1, "stage_id": [1, "a"]}], stages=v),
    "from_records": lambda v: from_records([{"deal_id": v, "value": v, "status": v}]),
    "webhook": lambda v: webhook.deal_metrics([{"deal_id": v, "value": v, "status": "open"}]),
}  # fmt: skip


@pytest.mark.parametrize("kind", ["list", "dict"])
@pytest.mark.parametrize("name", list(DEEP_CALLS))
def test_adapters_refuse_values_nested_10000_deep_with_a_schema_error(name: str, kind: str) -> None:
    value = _deep(DEPTH, kind)
    result = only_salescore_errors(lambda: DEEP_CALLS[name](value))
    if isinstance(result, ImportResult):
        accounted(result, None)


def test_webhook_refuses_json_text_nested_10000_deep() -> None:
    with pytest.raises(SchemaError, match="nested too deeply"):
        webhook.deal_metrics(_nested(DEPTH))


FIELDS_OF_IMPORT_RESULT = {
    "table": "deals",
    "source": "records",
    "frame": pd.DataFrame({"deal_id": ["D1"]}),
    "rejected": pd.DataFrame({"deal_id": ["D2"], "reason": ["value: not a number"]}, index=[1]),
    "rows_in": 2,
}


@settings(
    derandomize=True, max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(
    field=st.sampled_from(
        ["table", "source", "frame", "rejected", "warnings", "rows_in", "emptied", "id_field",
         "row_name"]
    ),
    value=option_values | st.sampled_from([-1, 2.0, "2", True, 10**400, ("a", 1), "warning"]),
)  # fmt: skip
def test_import_result_refuses_a_field_of_the_wrong_kind(field: str, value: Any) -> None:
    try:
        result = ImportResult(**{**FIELDS_OF_IMPORT_RESULT, field: value})
    except InvalidInputError:
        return
    # What is accepted is what the field documents.
    accounted(result, None)
    assert isinstance(result.table, str)
    assert isinstance(result.source, str)
    assert type(result.rows_in) is int
    assert all(isinstance(text, str) for text in result.warnings)
    assert isinstance(result.row_name, str)
    assert result.id_field is None or isinstance(result.id_field, str)
    result.summary()  # and it can be shown
