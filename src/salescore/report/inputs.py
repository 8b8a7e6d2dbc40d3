"""The records of the report's inputs: the tables and settings, and how each was read.

:class:`Inputs` holds the canonical frames a report is computed from and its
settings; :class:`Import` says how one input table was read (rows in, accepted,
rejected, and why), with its rejected rows grouped by column and kind of problem
(:class:`ReasonGroup`); :class:`FileFormat` is the CSV dialect of the files. Each
record checks its fields when it is made. The loaders that make them are in
:mod:`.data`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

import attrs
import pandas as pd

from .._arrays import option_count, option_flag
from ..adapters._result import MAX_ROWS
from ..engines import engine_name
from ..errors import InvalidInputError
from ..fiscal import FiscalCalendar
from . import _checks

__all__ = ["FileFormat", "Import", "Inputs", "ReasonGroup"]


def _text(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str):
        raise InvalidInputError(
            f"{attribute.name} must be a str; got {type(value).__name__} {value!r:.60}"
        )


def _optional_calendar(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None and not isinstance(value, FiscalCalendar):
        raise InvalidInputError(
            f"calendar must be a FiscalCalendar or None; got {type(value).__name__} {value!r:.60}"
        )


def _optional_text(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None:
        _text(instance, attribute, value)


def _count(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    option_count(attribute.name, value, maximum=MAX_ROWS)


def _warning_texts(values: object) -> tuple[str, ...]:
    return _checks.texts("warnings", values)


def _scale(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str) or value not in ("fraction", "percent"):
        raise InvalidInputError(
            f"probability_scale must be 'fraction' or 'percent'; got {value!r:.60}"
        )


def _dialect(instance: FileFormat, attribute: attrs.Attribute[Any], value: object) -> None:
    from ..io._dialect import check_options

    check_options(**{**_NO_DIALECT, attribute.name: value})


_NO_DIALECT: Final[dict[str, None]] = {
    "sep": None,
    "decimal": None,
    "thousands": None,
    "dayfirst": None,
    "encoding": None,
    "locale": None,
}


def _dayfirst(value: object) -> bool | None:
    return None if value is None else option_flag("dayfirst", value)


@attrs.frozen(kw_only=True)
class FileFormat:
    """How the CSV files are written; None lets :func:`salescore.io.read_table` detect it.

    See :func:`salescore.io.read_table` for each option; ``probability_scale`` applies
    to canonical files (a CRM's export is read on its adapter's scale). Each field is
    checked as :func:`~salescore.io.read_table` checks its option: a bad one raises
    :class:`~salescore.InvalidInputError` naming it.
    """

    sep: str | None = attrs.field(default=None, validator=_dialect)
    decimal: str | None = attrs.field(default=None, validator=_dialect)
    thousands: str | None = attrs.field(default=None, validator=_dialect)
    dayfirst: bool | None = attrs.field(default=None, converter=_dayfirst)
    encoding: str | None = attrs.field(default=None, validator=_dialect)
    locale: str | None = attrs.field(default=None, validator=_dialect)
    probability_scale: str = attrs.field(default="fraction", validator=_scale)

    def options(self) -> dict[str, Any]:
        """The dialect's options as keyword arguments of the readers."""
        return {
            "sep": self.sep,
            "decimal": self.decimal,
            "thousands": self.thousands,
            "dayfirst": self.dayfirst,
            "encoding": self.encoding,
            "locale": self.locale,
        }


@attrs.frozen(kw_only=True)
class ReasonGroup:
    """Rejected rows that share a column and a kind of problem.

    ``column`` is None for a problem of the whole row (``"deleted"``); ``examples``
    names the first rows (``"line 4 ('D-19'): '1,5 miljoner'; ..."``: a line of the
    file, or a 0-based position among API records) with their ids and values.
    """

    column: str | None = attrs.field(validator=_optional_text)
    problem: str = attrs.field(validator=_text)
    rows: int = attrs.field(validator=_count)
    examples: str = attrs.field(default="", validator=_text)

    @property
    def label(self) -> str:
        """``"column: problem"``, or the problem alone."""
        return self.problem if self.column is None else f"{self.column}: {self.problem}"

    def to_dict(self) -> dict[str, Any]:
        """The group as JSON-ready values."""
        return {
            "column": self.column,
            "problem": self.problem,
            "rows": self.rows,
            "examples": self.examples,
        }


def _reasons(value: object) -> dict[str, int]:
    if not isinstance(value, Mapping):
        raise InvalidInputError(
            f"reasons must be a mapping of str to int; got {type(value).__name__} {value!r:.60}"
        )
    out: dict[str, int] = {}
    for key, count in value.items():
        if not isinstance(key, str):
            raise InvalidInputError(f"reasons: a key must be a str; got {key!r:.60}")
        out[key] = option_count(f"reasons[{key!r:.40}]", count, maximum=MAX_ROWS)
    return out


def _group_tuple(value: object) -> tuple[ReasonGroup, ...]:
    if isinstance(value, (str, bytes)) or not isinstance(value, (tuple, list)):
        raise InvalidInputError(
            f"groups must be a tuple or list of ReasonGroup; got {type(value).__name__} "
            f"{value!r:.60}"
        )
    odd = [group for group in value if not isinstance(group, ReasonGroup)]
    if odd:
        raise InvalidInputError(
            f"groups must hold ReasonGroup records; got {type(odd[0]).__name__} {odd[0]!r:.60}"
        )
    return tuple(value)


@attrs.frozen(kw_only=True)
class Import:
    """How one input table was read: rows in, accepted, rejected, and why.

    ``reasons`` maps each kind of problem (``"close_date: not a date in ..."``) to the
    number of rows it rejected, so that it stays short however many rows and values
    share a problem; ``groups`` gives the same with examples. A row with problems in
    two columns counts in both.
    """

    table: str = attrs.field(validator=_text)
    source: str = attrs.field(validator=_text)
    file: str = attrs.field(validator=_text)
    rows_in: int = attrs.field(validator=_count)
    accepted: int = attrs.field(validator=_count)
    reasons: Mapping[str, int] = attrs.field(factory=dict, converter=_reasons)
    warnings: tuple[str, ...] = attrs.field(default=(), converter=_warning_texts)
    groups: tuple[ReasonGroup, ...] = attrs.field(default=(), converter=_group_tuple)

    def __attrs_post_init__(self) -> None:
        if self.accepted > self.rows_in:
            raise InvalidInputError(
                f"accepted ({self.accepted}) cannot exceed rows_in ({self.rows_in})"
            )

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
            "groups": [group.to_dict() for group in self.groups],
            "warnings": list(self.warnings),
        }


def _as_of(value: object) -> pd.Timestamp:
    return _checks.report_date("as_of", value)


def _optional_frame(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None and not isinstance(value, pd.DataFrame):
        raise InvalidInputError(
            f"{attribute.name} must be a DataFrame or None; got {type(value).__name__}"
        )


def _optional_log(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """A DataFrame, a frame of an engine (Polars, DuckDB, Dask, PySpark) or None."""
    if value is None or isinstance(value, pd.DataFrame) or engine_name(value) is not None:
        return
    raise InvalidInputError(
        f"{attribute.name} must be a DataFrame, an engine frame (Polars, DuckDB, Dask, "
        f"PySpark) or None; got {type(value).__name__}"
    )


def _quota(value: object) -> float | None:
    return None if value is None else _checks.finite("quota", value)


def _stage_names(value: object) -> tuple[str, ...] | None:
    return None if value is None else _checks.texts("stages", value)


def _headcount(value: object) -> float | pd.Series[float] | None:
    return _checks.headcount("headcount", value)


def _targets(value: object) -> dict[str, float] | None:
    return None if value is None else _checks.targets("targets", value)


def _import_tuple(value: object) -> tuple[Import, ...]:
    if isinstance(value, (str, bytes)) or not isinstance(value, (tuple, list)):
        raise InvalidInputError(
            f"imports must be a tuple or list of Import; got {type(value).__name__} {value!r:.60}"
        )
    odd = [item for item in value if not isinstance(item, Import)]
    if odd:
        raise InvalidInputError(
            f"imports must hold Import records; got {type(odd[0]).__name__} {odd[0]!r:.60}"
        )
    return tuple(value)


@attrs.frozen(kw_only=True, eq=False)
class Inputs:
    """The canonical frames a report is computed from, and its settings.

    Each field is checked when the record is made: ``as_of`` a Timestamp from 1700-01-01
    to 2200-12-31 (an aware one is made naive UTC), the tables DataFrames or None
    (``transactions`` also a frame of Polars, DuckDB, Dask or PySpark, whose figures are
    then computed in that engine), ``quota`` a finite number >= 0 or None, ``headcount``
    a finite number >= 0, a Series of them by month (NaN: unknown) or None, ``stages``
    str or None, ``targets`` (activity kind → finite number >= 0) or None,
    ``rates_file`` the name of the rates file the deals' amounts were converted to
    ``currency`` with (at each deal's close date) or None, ``imports`` :class:`Import`
    records, and ``calendar`` the company's :class:`~salescore.fiscal.FiscalCalendar`
    (the forecast quarter is its fiscal quarter) or None (calendar quarters). A bad
    field raises :class:`~salescore.InvalidInputError` naming it.
    """

    as_of: pd.Timestamp = attrs.field(converter=_as_of)
    source: str = attrs.field(validator=_text)
    deals: pd.DataFrame | None = attrs.field(default=None, validator=_optional_frame)
    stage_history: pd.DataFrame | None = attrs.field(default=None, validator=_optional_frame)
    deal_changes: pd.DataFrame | None = attrs.field(default=None, validator=_optional_frame)
    accounts: pd.DataFrame | None = attrs.field(default=None, validator=_optional_frame)
    leads: pd.DataFrame | None = attrs.field(default=None, validator=_optional_frame)
    transactions: Any = attrs.field(default=None, validator=_optional_log)
    activities: pd.DataFrame | None = attrs.field(default=None, validator=_optional_frame)
    quota: float | None = attrs.field(default=None, converter=_quota)
    stages: tuple[str, ...] | None = attrs.field(default=None, converter=_stage_names)
    headcount: float | pd.Series[float] | None = attrs.field(default=None, converter=_headcount)
    targets: Mapping[str, float] | None = attrs.field(default=None, converter=_targets)
    currency: str | None = attrs.field(default=None, validator=_optional_text)
    rates_file: str | None = attrs.field(default=None, validator=_optional_text)
    imports: tuple[Import, ...] = attrs.field(default=(), converter=_import_tuple)
    calendar: FiscalCalendar | None = attrs.field(default=None, validator=_optional_calendar)
