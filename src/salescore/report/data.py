"""The report's inputs: the sample CRM, canonical CSV files, or a CRM's exports.

Every loader returns :class:`Inputs`: the canonical frames that were given (``None``
for the others), the settings of the report (``as_of``, ``quota``, the funnel's
stages, headcount and activity targets) and one :class:`Import` per file, saying how
many rows were read, accepted and rejected, and why. A row that does not fit the
canonical schema is rejected and counted, never silently dropped; a file that
cannot be read, or lacks a required column, raises :class:`ReportInputError`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Final

import attrs
import numpy as np
import pandas as pd

from .. import schema
from ..errors import SalescoreError

__all__ = [
    "CRMS",
    "DEFAULT_TARGETS",
    "TABLE_FILES",
    "Import",
    "Inputs",
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
_TRUE: Final = frozenset({"true", "1", "yes", "y", "t"})
_FALSE: Final = frozenset({"false", "0", "no", "n", "f"})
_SHOWN: Final = 3


class ReportInputError(SalescoreError):
    """A file that cannot be read or does not hold the table it should."""


@attrs.frozen(kw_only=True)
class Import:
    """How one input table was read: rows in, accepted, rejected, and why."""

    table: str
    source: str
    file: str
    rows_in: int
    accepted: int
    reasons: Mapping[str, int] = attrs.field(factory=dict)
    warnings: tuple[str, ...] = ()

    @property
    def rejected(self) -> int:
        """Rows left out, each for a reason in :attr:`reasons`."""
        return self.rows_in - self.accepted

    def to_dict(self) -> dict[str, Any]:
        """The record as JSON-ready values."""
        return {
            "table": self.table,
            "source": self.source,
            "file": self.file,
            "rows_in": self.rows_in,
            "accepted": self.accepted,
            "rejected": self.rejected,
            "reasons": dict(self.reasons),
            "warnings": list(self.warnings),
        }


@attrs.frozen(kw_only=True, eq=False)
class Inputs:
    """The canonical frames a report is computed from, and its settings."""

    as_of: pd.Timestamp
    source: str
    deals: pd.DataFrame | None = None
    stage_history: pd.DataFrame | None = None
    accounts: pd.DataFrame | None = None
    leads: pd.DataFrame | None = None
    transactions: pd.DataFrame | None = None
    activities: pd.DataFrame | None = None
    quota: float | None = None
    stages: tuple[str, ...] | None = None
    headcount: float | pd.Series[float] | None = None
    targets: Mapping[str, float] | None = None
    currency: str | None = None
    imports: tuple[Import, ...] = ()


# ------------------------------------------------------------------------ demo


def demo_inputs(*, as_of: pd.Timestamp | None = None, quota: float | None = None) -> Inputs:
    """The sample CRM of :func:`salescore.datasets.sample` as report inputs.

    Parameters
    ----------
    as_of : Timestamp, keyword-only, optional
        The report's date; the sample's own (1 January 2026) by default.
    quota : float, keyword-only, optional
        The quarter's quota; the sample's own by default.

    Returns
    -------
    Inputs
        Every table of the sample, with its quota, targets and headcount.

    Examples
    --------
    >>> from salescore.report import demo_inputs
    >>> inputs = demo_inputs()
    >>> str(inputs.as_of.date()), inputs.quota, len(inputs.deals)
    ('2026-01-01', 2010000.0, 5000)
    """
    from ..datasets import sample

    crm = sample()
    frames = {
        "deals": crm.deals,
        "stage_history": crm.stage_history,
        "accounts": crm.accounts,
        "leads": crm.leads,
        "transactions": crm.transactions,
        "activities": crm.activities,
    }
    imports = tuple(
        Import(table=name, source="sample", file="sample(seed=0)", rows_in=len(f), accepted=len(f))
        for name, f in frames.items()
    )
    return Inputs(
        as_of=crm.as_of if as_of is None else as_of,
        source="sample",
        quota=crm.quota if quota is None else quota,
        stages=crm.stages,
        headcount=crm.headcount,
        targets=dict(crm.targets),
        currency=crm.currency,
        imports=imports,
        **frames,
    )


# ------------------------------------------------------------------ reading files


def _read_csv(path: Path, what: str) -> pd.DataFrame:
    if not path.is_file():
        raise ReportInputError(f"{what} file not found: {path}")
    try:
        frame = pd.read_csv(path, dtype=str, skipinitialspace=True)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as error:
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise ReportInputError(f"cannot read {what} file {path} as CSV: {reason}") from error
    except OSError as error:
        raise ReportInputError(f"cannot read {what} file {path}: {error.strerror}") from error
    frame.columns = [str(column).strip() for column in frame.columns]
    return frame


def _read_records(path: Path, what: str) -> Any:
    """A vendor export: JSON (API records) by its suffix, otherwise CSV."""
    if path.suffix.lower() != ".json":
        return _read_csv(path, what)
    if not path.is_file():
        raise ReportInputError(f"{what} file not found: {path}")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ReportInputError(f"cannot read {what} file {path} as JSON: {error}") from error
    except OSError as error:
        raise ReportInputError(f"cannot read {what} file {path}: {error.strerror}") from error


def _listed(values: Sequence[object]) -> str:
    shown = ", ".join(repr(v) for v in values[:_SHOWN])
    return shown + (f" and {len(values) - _SHOWN} more" if len(values) > _SHOWN else "")


def _parse_column(raw: pd.Series[Any], kind: str) -> tuple[pd.Series[Any], pd.Series[bool]]:
    """Parsed values, and where a non-empty text could not be parsed."""
    text = raw.astype("object")
    present = text.notna() & (text.astype(str).str.strip() != "")
    if kind in ("number", "fraction"):
        parsed: pd.Series[Any] = pd.to_numeric(text.where(present), errors="coerce").astype(
            np.float64
        )
        return parsed, present & parsed.isna()
    if kind in ("date", "timestamp"):
        stamps = pd.to_datetime(text.where(present), errors="coerce", utc=True, format="ISO8601")
        naive: pd.Series[Any] = stamps.dt.tz_localize(None).astype("datetime64[ns]")
        return naive, present & naive.isna()
    if kind == "flag":
        lowered = text.where(present).astype(str).str.strip().str.lower()
        flags = lowered.isin(_TRUE)
        bad = present & ~(flags | lowered.isin(_FALSE))
        return flags.astype(bool), bad
    stripped: pd.Series[Any] = text.where(present).map(
        lambda v: v.strip() if isinstance(v, str) else v
    )
    return stripped.astype("object"), pd.Series(False, index=raw.index)


def _canonical(raw: pd.DataFrame, table: str, path: Path) -> tuple[pd.DataFrame, Import]:
    """A canonical CSV's text as typed columns, with its unfit rows rejected."""
    spec = schema.TABLES[table]
    kinds = {column.name: column.kind for column in spec.columns}
    missing = [c.name for c in spec.columns if c.required and c.name not in raw.columns]
    if missing:
        raise ReportInputError(
            f"{table} file {path} lacks the required column(s) {', '.join(missing)}; "
            f"it has {', '.join(map(str, raw.columns)) or 'none'}"
        )
    frame = pd.DataFrame(index=raw.index)
    reasons = pd.Series(None, index=raw.index, dtype="object")
    for name in raw.columns:
        kind = kinds.get(name, _EXTRA_KINDS.get(name, "text"))
        if table != "leads" and name == "value" and name not in kinds:
            kind = "text"
        values, bad = _parse_column(raw[name], kind)
        frame[name] = values
        if bool(bad.any()):
            reason = f"{name}: not a {'date' if kind in ('date', 'timestamp') else kind}"
            reasons = reasons.where(~bad | reasons.notna(), reason)
    # Empty optional timestamps stay NaT; required ones are checked by the schema.
    problems = schema.row_problems(frame, table)
    reasons = reasons.where(reasons.notna(), problems)
    rejected = reasons.notna()
    counts = reasons[rejected].astype(str).value_counts()
    accepted = frame.loc[~rejected].reset_index(drop=True)
    record = Import(
        table=table,
        source="csv",
        file=path.name,
        rows_in=len(raw),
        accepted=len(accepted),
        reasons={str(k): int(v) for k, v in counts.items()},
    )
    return accepted, record


def _from_result(result: Any, path: Path) -> tuple[pd.DataFrame, Import]:
    reasons = {str(k): int(v) for k, v in result.reasons().items()}
    record = Import(
        table=str(result.table),
        source=str(result.source),
        file=path.name,
        rows_in=int(result.rows_in),
        accepted=int(result.accepted),
        reasons=reasons,
        warnings=tuple(result.warnings),
    )
    frame: pd.DataFrame = result.frame.reset_index(drop=True)
    for column in frame.columns:
        if isinstance(frame[column].dtype, pd.DatetimeTZDtype):
            frame[column] = frame[column].dt.tz_convert("UTC").dt.tz_localize(None)
    return frame, record


def _vendor_tables(
    crm: str, files: Mapping[str, Path], crm_stages: Path | None
) -> tuple[dict[str, pd.DataFrame], list[Import]]:
    """The deals (and stage history, leads) of a CRM's exports, through its adapter."""
    from ..adapters import hubspot, odoo, pipedrive, salesforce

    stages = _read_records(crm_stages, "stages") if crm_stages is not None else None
    frames: dict[str, pd.DataFrame] = {}
    imports: list[Import] = []

    def take(name: str, result: Any, path: Path) -> None:
        frame, record = _from_result(result, path)
        frames[name] = frame
        imports.append(record)

    deals_path = files.get("deals")
    deals = _read_records(deals_path, "deals") if deals_path is not None else None
    if crm == "salesforce":
        if deals_path is not None:
            take("deals", salesforce.opportunities(deals), deals_path)
        if (path := files.get("stage_history")) is not None:
            take(
                "stage_history",
                salesforce.opportunity_history(_read_records(path, "stage history")),
                path,
            )
        if (path := files.get("leads")) is not None:
            take("leads", salesforce.leads(_read_records(path, "leads")), path)
        return frames, imports
    module = {"hubspot": hubspot, "pipedrive": pipedrive, "odoo": odoo}[crm]
    if deals_path is not None:
        take("deals", module.deals(deals, stages=stages), deals_path)
        if crm == "hubspot" and "stage_history" not in files:
            take("stage_history", hubspot.stage_history(deals, stages=stages), deals_path)
    for name in ("stage_history", "leads"):
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
) -> Inputs:
    """Read the given files into report inputs.

    Parameters
    ----------
    files : mapping of str to Path
        Canonical table name (see :data:`TABLE_FILES`) → file.
    crm : {"salesforce", "hubspot", "pipedrive", "odoo"}, optional
        The deals (Salesforce also stage history and leads) are that CRM's export
        (CSV, or JSON API records by the ``.json`` suffix) and go through its adapter;
        the other tables are read in the canonical columns.
    crm_stages : Path, optional
        The CRM's stage definitions (JSON), for HubSpot, Pipedrive and Odoo.
    as_of, quota, stages, headcount, targets
        Settings of the report; ``as_of`` defaults to today.

    Returns
    -------
    Inputs

    Raises
    ------
    ReportInputError
        A file is missing, unreadable, or lacks a required column.
    """
    if crm is not None and crm not in CRMS:
        raise ReportInputError(f"unknown CRM {crm!r}; choose one of {', '.join(CRMS)}")
    frames: dict[str, pd.DataFrame] = {}
    imports: list[Import] = []
    canonical = dict(files)
    if crm is not None:
        vendor, records = _vendor_tables(crm, files, crm_stages)
        frames.update(vendor)
        imports.extend(records)
        canonical = {k: v for k, v in files.items() if k not in vendor and k not in ("deals",)}
        if crm == "salesforce":
            canonical = {k: v for k, v in canonical.items() if k not in ("stage_history", "leads")}
    for name, path in canonical.items():
        raw = _read_csv(path, name.replace("_", " "))
        frame, record = _canonical(raw, TABLE_FILES[name], path)
        frames[name] = frame
        imports.append(record)
    currency: str | None = None
    deals = frames.get("deals")
    if deals is not None and "currency" in deals.columns and deals["currency"].notna().any():
        currency = str(deals["currency"].mode().iloc[0])
    return Inputs(
        as_of=_as_of_default(frames) if as_of is None else as_of,
        source=crm or "csv",
        quota=quota,
        stages=tuple(stages) if stages else None,
        headcount=headcount,
        targets=dict(targets) if targets else None,
        currency=currency,
        imports=tuple(imports),
        **frames,
    )
