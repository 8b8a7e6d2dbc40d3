"""The report's inputs: the sample CRM, canonical CSV files, or a CRM's exports.

Every loader returns :class:`Inputs`: the canonical frames that were given (``None``
for the others), the settings of the report (``as_of``, ``quota``, the funnel's
stages, headcount and activity targets) and one :class:`Import` per file, saying how
many rows were read, accepted and rejected, and why, grouped by column and kind of
problem with a few examples (:class:`ReasonGroup`). CSV files are read by
:mod:`salescore.io` in any spreadsheet's dialect (``;`` separators, decimal commas,
``31.12.2025``, ...). A row that does not fit the canonical schema is rejected and
counted, never silently dropped; a file that cannot be read, or lacks a required
column, raises :class:`ReportInputError`. The records themselves are in :mod:`.inputs`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from os import PathLike
from pathlib import Path
from typing import Any, Final

import attrs
import pandas as pd

from .._arrays import utc_naive
from ..adapters import ImportResult
from ..adapters._result import REASON
from ..errors import InvalidInputError, SalescoreError
from ..fiscal import FiscalCalendar
from ..io import read_table
from ..io._export import _export
from ..money import read_rates
from . import _checks
from ._engine_files import is_engine_file, read_transactions
from ._money import Money, converted, currency_code
from .inputs import FileFormat, Import, Inputs, ReasonGroup

__all__ = [
    "CRMS",
    "DEFAULT_TARGETS",
    "TABLE_FILES",
    "FileFormat",
    "Import",
    "Inputs",
    "ReasonGroup",
    "ReportInputError",
    "demo_inputs",
    "load_inputs",
]

#: The CRMs whose exports ``--crm`` reads through :mod:`salescore.adapters`.
CRMS: Final = ("salesforce", "hubspot", "pipedrive", "odoo")

#: Command-line file option → canonical table.
TABLE_FILES: Final = {
    "deals": "deals",
    "stage_history": "stage_history",
    "deal_changes": "deal_changes",
    "accounts": "accounts",
    "leads": "leads",
    "transactions": "transactions",
    "activities": "activities",
}

#: Activities per seller and week assumed when none are given (the sample's targets).
DEFAULT_TARGETS: Final = {"call": 50.0, "email": 50.0, "meeting": 8.0, "visit": 4.0}

# Columns outside the canonical schema that the report reads, with their kinds.
_EXTRA_KINDS: Final = {
    "previous_revenue": "number",
    "reached": "flag",
    "value": "number",
}
# The scale each CRM's adapter reads probabilities on, for a percentage such as "12 %".
_PROBABILITY_SCALES: Final = {
    "salesforce": "percent",
    "hubspot": "fraction",
    "pipedrive": "percent",
    "odoo": "percent",
}
#: How many example rows each group of reasons shows.
EXAMPLES: Final = 3


class ReportInputError(SalescoreError):
    """A file that cannot be read or does not hold the table it should."""


def _money(currency: object, rates: object, rates_base: object) -> Money | None:
    """The conversion that ``currency``, ``rates`` (a CSV file) and ``rates_base`` ask for."""
    if currency is None and rates is None:
        if rates_base is not None:
            raise InvalidInputError(f"rates_base needs currency and rates; got {rates_base!r:.60}")
        return None
    if currency is None or rates is None:
        missing, given = ("currency", "rates") if currency is None else ("rates", "currency")
        raise InvalidInputError(f"{given} needs {missing}: give both or neither")
    if not isinstance(rates, (str, PathLike)):
        raise InvalidInputError(f"rates must be a path or None; got {rates!r:.60}")
    to = currency_code("currency", currency)
    base = to if rates_base is None else currency_code("rates_base", rates_base)
    path = Path(rates)
    _exists(path, "rates")
    try:
        table = read_rates(path, base=base)
    except OSError as error:
        raise ReportInputError(
            f"cannot read rates file {_shown(path)}: {error.strerror or error}"
        ) from error
    except SalescoreError as error:
        raise ReportInputError(str(error)) from error
    held = set(table.to_frame()["currency"])
    if to != table.base and to not in held:
        raise ReportInputError(
            f"the rates file {_shown(path)} has no rate of {to}, the currency to convert to "
            f"(its rates are against {table.base}: give the rates of {to} too, or convert "
            f"to {table.base})"
        )
    return Money(to=to, rates=table, file=_shown(path.name))


# ------------------------------------------------------------------------ demo

#: How the report names the sample's own exchange rates.
SAMPLE_RATES: Final = "the sample's rates"


def demo_inputs(
    *,
    as_of: pd.Timestamp | None = None,
    quota: float | None = None,
    currency: str | None = None,
    rates: Path | None = None,
    rates_base: str | None = None,
    calendar: FiscalCalendar | None = None,
) -> Inputs:
    """The sample CRM of :func:`salescore.datasets.sample` as report inputs.

    The sample's deals are in euros and, for the North accounts, Swedish kronor
    (``sample(currencies=("EUR", "SEK"))``); they are converted to one currency at the
    rate in force on each deal's close date, with the sample's own rates unless
    ``rates`` is given. The forecast quarter is a quarter of the sample's fiscal year,
    which starts in April.

    Parameters
    ----------
    as_of : Timestamp, keyword-only, optional
        The report's date; the sample's own (1 January 2026) by default.
    quota : float, keyword-only, optional
        The quarter's quota; the sample's own by default.
    currency : str, keyword-only, optional
        The currency to convert the deals to; the sample's (EUR) by default.
    rates, rates_base : optional
        A rates file to convert with instead of the sample's rates, as
        :func:`load_inputs` reads it (``rates`` needs ``currency``).
    calendar : FiscalCalendar, keyword-only, optional
        The fiscal calendar; the sample's own (years from 1 April) by default.

    Returns
    -------
    Inputs
        Every table of the sample, with its quota, targets, headcount and fiscal
        calendar, the deals in one currency.

    Examples
    --------
    >>> from salescore.report import demo_inputs
    >>> inputs = demo_inputs()
    >>> from salescore.datasets import sample
    >>> str(inputs.as_of.date()), inputs.quota == sample().quota, len(inputs.deals)
    ('2026-01-01', True, 5000)
    >>> inputs.currency, inputs.rates_file, set(inputs.deals["currency"])
    ('EUR', "the sample's rates", {'EUR'})
    >>> inputs.calendar.period_of(inputs.as_of, kind="quarter")
    'FY2026 Q4'
    """
    from ..datasets import sample

    crm = sample(currencies=("EUR", "SEK"))
    frames = {
        "deals": crm.deals,
        "stage_history": crm.stage_history,
        "deal_changes": crm.deal_changes,
        "accounts": crm.accounts,
        "leads": crm.leads,
        "transactions": crm.transactions,
        "activities": crm.activities,
    }
    if rates is None:  # the sample's own rates
        if rates_base is not None:
            raise InvalidInputError(f"rates_base needs rates; got {rates_base!r:.60}")
        to = crm.currency if currency is None else currency_code("currency", currency)
        money = Money(to=to, rates=crm.rates, file=SAMPLE_RATES)
    else:
        given = _money(currency, rates, rates_base)
        assert given is not None  # rates were given
        money = given
    imports = tuple(
        Import(table=name, source="sample", file="sample(seed=0)", rows_in=len(f), accepted=len(f))
        for name, f in frames.items()
    )
    converted: dict[str, Import] = {}
    for name in ("deals", "deal_changes"):  # amounts in the report's currency
        sampled = ImportResult(
            table=name,
            source="sample",
            frame=frames[name],
            rejected=pd.DataFrame({REASON: pd.Series(dtype=object)}),
            rows_in=len(frames[name]),
            id_field="deal_id",
        )
        frames[name], converted[name] = _from_result(sampled, Path("sample(seed=0)"), money)
    imports = tuple(converted.get(item.table, item) for item in imports)
    return Inputs(
        as_of=crm.as_of if as_of is None else as_of,
        source="sample",
        quota=crm.quota if quota is None else quota,
        stages=crm.stages,
        headcount=crm.headcount,
        targets=dict(crm.targets),
        currency=money.to,
        rates_file=money.file,
        imports=imports,
        calendar=crm.fiscal_calendar if calendar is None else calendar,
        **frames,
    )


# ------------------------------------------------------------------ reading files


def _shown(path: Path | str) -> str:
    """A path for a message: as written, or quoted with escapes if it holds control characters."""
    text = str(path)
    return text if text.isprintable() else repr(text)


def _exists(path: Path, what: str) -> None:
    if path.is_dir():
        raise ReportInputError(f"{what} file {_shown(path)} is a directory; give the file in it")
    if not path.is_file():
        raise ReportInputError(f"{what} file not found: {_shown(path)}")


def _json(path: Path, what: str) -> Any:
    """The JSON in ``path``; a file JSON cannot read, or nested too deeply, is refused."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except RecursionError:
        # json's parser recurses once per level: an export nested thousands deep is
        # no CRM's, and would end the command with a RecursionError.
        raise ReportInputError(
            f"cannot read {what} file {_shown(path)} as JSON: it is nested too deeply"
        ) from None
    except (ValueError, UnicodeDecodeError) as error:
        # ValueError: malformed JSON, or an integer of more digits than Python reads.
        reason = " ".join(str(error).split())
        raise ReportInputError(
            f"cannot read {what} file {_shown(path)} as JSON: {reason}"
        ) from error
    except OSError as error:
        raise ReportInputError(
            f"cannot read {what} file {_shown(path)}: {error.strerror or error}"
        ) from error


def _read_export(path: Path, what: str, crm: str, fmt: FileFormat) -> Any:
    """A vendor export: JSON (API records) by its suffix, otherwise CSV in any dialect.

    Returns the records, and for a CSV file the line of each row (else None).
    """
    _exists(path, what)
    if path.suffix.lower() != ".json":
        try:
            return _export(path, probability_scale=_PROBABILITY_SCALES[crm], **fmt.options())
        except InvalidInputError as error:
            raise ReportInputError(str(error).replace("export file", f"{what} file")) from error
        except OSError as error:
            raise ReportInputError(
                f"cannot read {what} file {_shown(path)}: {error.strerror or error}"
            ) from error
    return _json(path, what), None


def _read_records(path: Path, what: str, crm: str, fmt: FileFormat) -> Any:
    """Stage definitions: JSON by the suffix, otherwise CSV in any dialect."""
    _exists(path, what)
    if path.suffix.lower() != ".json":
        return _read_export(path, what, crm, fmt)[0]
    return _json(path, what)


def _canonical(
    path: Path, name: str, fmt: FileFormat, money: Money | None = None
) -> tuple[pd.DataFrame, Import]:
    """A canonical CSV file through :func:`salescore.io.read_table`."""
    what = name.replace("_", " ")
    _exists(path, what)
    table = TABLE_FILES[name]
    kinds = {k: v for k, v in _EXTRA_KINDS.items() if k != "value" or table == "leads"}
    try:
        result = read_table(
            path, table, kinds=kinds, probability_scale=fmt.probability_scale, **fmt.options()
        )
    except InvalidInputError as error:
        raise ReportInputError(str(error)) from error
    except OSError as error:
        raise ReportInputError(
            f"cannot read {what} file {_shown(path)}: {error.strerror or error}"
        ) from error
    return _from_result(result, path, money)


def _groups(result: ImportResult) -> tuple[ReasonGroup, ...]:
    """The result's rejections by column and kind of problem."""
    grouped = result.reason_groups(examples=EXAMPLES)
    return tuple(
        ReasonGroup(
            column=None if row["column"] is None or pd.isna(row["column"]) else str(row["column"]),
            problem=str(row["problem"]),
            rows=int(row["rows"]),
            examples=str(row["examples"]),
        )
        for row in grouped.to_dict("records")
    )


# The adapters' hints name their keyword arguments; the report's reader has the
# command's options instead (no message may suggest an option the caller has not got).
_HINTS: Final = (
    (
        re.compile(
            r"need fields=\{'deal_id': \.\.\.\} naming a field that is unique per record"
            r" \([^)]*\)"
        ),
        "need a field that is unique per record, named Id, in the export",
    ),
    (re.compile(r"add it to stages="), "add it to the stages of --crm-stages FILE"),
    (re.compile(r"pass stages="), "give --crm-stages FILE"),
    (re.compile(r"(?<![\w-])stages="), "--crm-stages FILE"),
)


def _command_words(text: str) -> str:
    """An adapter's message with its keyword hints as the command's options."""
    for pattern, words in _HINTS:
        text = pattern.sub(words, text)
    return text


def _from_result(
    result: ImportResult, path: Path, money: Money | None = None
) -> tuple[pd.DataFrame, Import]:
    result = converted(result, money)
    groups = tuple(
        attrs.evolve(group, problem=_command_words(group.problem)) for group in _groups(result)
    )
    record = Import(
        table=str(result.table),
        source=str(result.source),
        file=path.name,
        rows_in=int(result.rows_in),
        accepted=int(result.accepted),
        reasons={group.label: group.rows for group in groups},
        warnings=tuple(_command_words(warning) for warning in result.warnings),
        groups=groups,
    )
    frame: pd.DataFrame = result.frame.reset_index(drop=True)
    # Canonical tables are naive UTC; an aware column (an older adapter) is made so.
    for column in frame.columns:
        frame[column] = utc_naive(frame[column])
    return frame, record


def _by_line(result: ImportResult, lines: Any) -> ImportResult:
    """An adapter's result on a CSV export, its rows named by their lines in the file."""
    if lines is None:
        return result
    return attrs.evolve(
        result,
        frame=result.frame.set_axis(pd.Index(lines[result.frame.index], name="line")),
        rejected=result.rejected.set_axis(pd.Index(lines[result.rejected.index], name="line")),
        row_name="line",
    )


def _vendor_tables(
    crm: str,
    files: Mapping[str, Path],
    crm_stages: Path | None,
    fmt: FileFormat,
    money: Money | None = None,
) -> tuple[dict[str, pd.DataFrame], list[Import]]:
    """The deals (and stage history, deal changes, leads) of a CRM's exports, via its adapter."""
    from ..adapters import hubspot, odoo, pipedrive, salesforce

    stages = _read_records(crm_stages, "stages", crm, fmt) if crm_stages is not None else None
    frames: dict[str, pd.DataFrame] = {}
    imports: list[Import] = []

    def take(name: str, result: Any, path: Path, lines: Any) -> None:
        frame, record = _from_result(_by_line(result, lines), path, money)
        frames[name] = frame
        imports.append(record)

    deals_path = files.get("deals")
    deals, lines = (
        _read_export(deals_path, "deals", crm, fmt) if deals_path is not None else (None, None)
    )
    if crm == "salesforce":
        if deals_path is not None:
            take("deals", salesforce.opportunities(deals, stages=stages), deals_path, lines)
        if (path := files.get("stage_history")) is not None:
            history, at = _read_export(path, "stage history", crm, fmt)
            take("stage_history", salesforce.opportunity_history(history), path, at)
        if (path := files.get("deal_changes")) is not None:
            changes, at = _read_export(path, "deal changes", crm, fmt)
            take("deal_changes", salesforce.opportunity_changes(changes, stages=stages), path, at)
        if (path := files.get("leads")) is not None:
            leads, at = _read_export(path, "leads", crm, fmt)
            take("leads", salesforce.leads(leads), path, at)
        return frames, imports
    module = {"hubspot": hubspot, "pipedrive": pipedrive, "odoo": odoo}[crm]
    if deals_path is not None:
        take("deals", module.deals(deals, stages=stages), deals_path, lines)
        if crm == "hubspot" and "stage_history" not in files:
            # The history is read from the deals' own stage history, when the export
            # holds it (propertiesWithHistory); deals without one are no unusable table.
            history = hubspot.stage_history(deals, stages=stages)
            if history.rows_in:
                take("stage_history", history, deals_path, lines)
        if crm == "hubspot" and "deal_changes" not in files:
            # Likewise the change history, from the deals' propertiesWithHistory.
            changes = hubspot.deal_changes(deals, stages=stages)
            if changes.rows_in:
                take("deal_changes", changes, deals_path, None)
    for name in ("stage_history", "leads"):  # a canonical deal changes file is read as one
        if name in files:
            raise ReportInputError(
                f"--crm {crm} reads deals only; give the {name.replace('_', ' ')} without --crm "
                "in the canonical columns"
            )
    return frames, imports


def _as_of_default(frames: Mapping[str, pd.DataFrame]) -> pd.Timestamp:
    return pd.Timestamp.today().normalize()


def load_inputs(
    files: Mapping[str, Path],
    *,
    crm: str | None = None,
    crm_stages: Path | None = None,
    as_of: pd.Timestamp | None = None,
    quota: float | None = None,
    stages: Sequence[str] | None = None,
    headcount: float | None = None,
    targets: Mapping[str, float] | None = None,
    file_format: FileFormat | None = None,
    currency: str | None = None,
    rates: Path | None = None,
    rates_base: str | None = None,
    calendar: FiscalCalendar | None = None,
    engine: str | None = None,
) -> Inputs:
    """Read the given files into report inputs.

    Parameters
    ----------
    files : mapping of str to Path
        Canonical table name (see :data:`TABLE_FILES`) → file.
    crm : {"salesforce", "hubspot", "pipedrive", "odoo"}, optional
        The deals (Salesforce also stage history, deal changes and leads) are that
        CRM's export (CSV, or JSON API records by the ``.json`` suffix) and go through
        its adapter; HubSpot deals read with ``propertiesWithHistory`` also give their
        stage history and deal changes. The other tables are read in the canonical
        columns.
    crm_stages : Path, optional
        The CRM's stage definitions (JSON), for HubSpot, Pipedrive and Odoo.
    as_of, quota, stages, headcount, targets
        Settings of the report; ``as_of`` defaults to today.
    file_format : FileFormat, optional
        How the CSV files are written (separator, decimal, thousands, day order,
        encoding, locale); detected where the file shows it beyond doubt.
    currency : str, optional
        Convert the deals' ``value`` to this ISO 4217 currency, each deal at the rate
        in force on its ``close_date``; needs ``rates``. A deal that cannot be
        converted (its currency or close date missing, no rate of its currency, or
        none yet on its close date) is rejected with the reason, never converted at
        another rate.
    rates : Path, optional
        The rates: a CSV file read by :func:`salescore.money.read_rates`
        (``currency,valid_from,rate``); needs ``currency``.
    rates_base : str, optional
        The currency the rates are against (``rate`` is units of the currency per
        one unit of it); ``currency`` by default.
    calendar : FiscalCalendar, optional
        The company's fiscal calendar: the forecast quarter is its fiscal quarter
        holding ``as_of``. Calendar quarters by default.
    engine : {"duckdb", "polars", "dask"}, optional
        Read the transactions with this engine instead of pandas: their file may then
        be Parquet, and a glob of files (``"tx/*.parquet"``); CSV files must be plain
        comma-separated UTF-8 with ISO dates. The Retention and Value sections compute
        their figures in the engine; a row without a customer, a date or a valid
        amount stops them (named in ``skipped``) instead of being left out. A Parquet
        file or a glob without an engine is refused.

    Returns
    -------
    Inputs

    Raises
    ------
    ReportInputError
        A file is missing, unreadable, or lacks a required column; or its dialect is
        unclear (the message names the line and the option to pass).
    InvalidInputError
        An argument of the wrong kind: ``files`` not a mapping of a table name to a
        path, ``file_format`` not a :class:`FileFormat`, a setting out of its range.
    """
    given: object = files  # the hints are not checked at run time
    if not isinstance(given, Mapping) or not all(
        isinstance(name, str) and name in TABLE_FILES and isinstance(path, (str, PathLike))
        for name, path in given.items()
    ):
        raise InvalidInputError(
            f"files must map table names ({', '.join(TABLE_FILES)}) to paths; got {files!r:.80}"
        )
    files = {name: Path(path) for name, path in files.items()}
    if crm_stages is not None and not isinstance(crm_stages, (str, PathLike)):
        raise InvalidInputError(f"crm_stages must be a path or None; got {crm_stages!r:.60}")
    crm_stages = None if crm_stages is None else Path(crm_stages)
    if file_format is not None and not isinstance(file_format, FileFormat):
        raise InvalidInputError(
            f"file_format must be a FileFormat or None; got {type(file_format).__name__}"
        )
    fmt = FileFormat() if file_format is None else file_format
    chosen: object = crm
    if chosen is not None and (not isinstance(chosen, str) or chosen not in CRMS):
        raise ReportInputError(f"unknown CRM {crm!r:.60}; choose one of {', '.join(CRMS)}")
    stages = None if stages is None else _checks.texts("stages", stages)
    money = _money(currency, rates, rates_base)
    frames: dict[str, pd.DataFrame] = {}
    imports: list[Import] = []
    canonical = dict(files)
    if crm is not None:
        try:
            vendor, records = _vendor_tables(crm, files, crm_stages, fmt, money)
        except SalescoreError as error:
            raise ReportInputError(_command_words(str(error))) from error
        frames.update(vendor)
        imports.extend(records)
        canonical = {k: v for k, v in files.items() if k not in vendor and k not in ("deals",)}
        if crm == "salesforce":
            vendor_only = ("stage_history", "deal_changes", "leads")
            canonical = {k: v for k, v in canonical.items() if k not in vendor_only}
    engine_log: Any = None
    for name, path in canonical.items():
        if name == "transactions" and (engine is not None or is_engine_file(path)):
            if engine is None:
                raise ReportInputError(
                    f"transactions {_shown(path)}: Parquet files and globs are read by an "
                    "engine; add --engine duckdb (or polars, dask)"
                )
            try:
                engine_log, record = read_transactions(path, engine, fmt)
            except InvalidInputError as error:
                raise ReportInputError(_command_words(str(error))) from error
            imports.append(record)
            continue
        frame, record = _canonical(path, name, fmt, money)
        frames[name] = frame
        imports.append(record)
    if engine is not None and engine_log is None:
        raise ReportInputError(f"--engine {engine} reads the transactions: give --transactions")
    main: str | None = None if money is None else money.to
    deals = frames.get("deals")
    if (
        money is None
        and deals is not None
        and "currency" in deals.columns
        and deals["currency"].notna().any()
    ):
        main = str(deals["currency"].mode().iloc[0])
    return Inputs(
        as_of=_as_of_default(frames) if as_of is None else as_of,
        source=crm or "csv",
        quota=quota,
        stages=stages or None,
        headcount=headcount,
        targets=targets or None,
        currency=main,
        rates_file=None if money is None else money.file,
        imports=tuple(imports),
        calendar=calendar,
        **frames,
        **({} if engine_log is None else {"transactions": engine_log}),
    )
