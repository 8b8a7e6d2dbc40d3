"""The report's problems: what the reader must know before reading the figures.

The report lists them before its sections in every format: an input table that has
no usable row (every row rejected, or none at all), a table that lost more than
:data:`REJECTED_SHARE` of its rows, a section left empty (:data:`EMPTY_SECTIONS`) by
a table that lost rows, however few, and a section left out because its data could
not support it. Each is a :class:`Problem`; :func:`~salescore.report.build_report`
finds them while it assembles the report.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final

import attrs
import pandas as pd

from .._arrays import utc_naive
from .._tables import counted
from ..errors import InvalidInputError
from . import _checks
from .inputs import Inputs
from .sections import _bounds, _months, _utc_naive

__all__ = [
    "EMPTY_SECTIONS",
    "PROBLEM_KINDS",
    "REJECTED_SHARE",
    "SECTION_TABLES",
    "Problem",
]

#: The input tables each section reads.
SECTION_TABLES: Final[Mapping[str, tuple[str, ...]]] = {
    "forecast": ("deals",),
    "accuracy": ("deal_changes",),
    "funnel": ("stage_history", "deals"),
    "leads": ("leads",),
    "accounts": ("accounts",),
    "retention": ("transactions", "accounts"),
    "value": ("transactions",),
    "team": ("deals", "activities"),
}

#: A table that lost more than this share of its rows to rejections is a problem shown
#: at the top of the report (a table that lost all of them is an error).
REJECTED_SHARE: Final = 0.10

#: When a section counts as empty: (section, the table it reads, what is missing). A
#: table that lost any row to rejections and leaves a section empty in one of these
#: ways is a problem (``"section_empty"``) shown at the top of the report. "The 12
#: months" are the 12 full calendar months before the month of the report date, "the
#: 24 months" those and the 12 before; an empty stage history, leads or accounts table
#: has no usable row, which is the ``"no_rows"`` problem instead.
EMPTY_SECTIONS: Final[tuple[tuple[str, str, str], ...]] = (
    ("forecast", "deals", "no open deal: no open pipeline, quarter forecast or coverage"),
    ("accuracy", "deal_changes", "no change on or before the report date: nothing to replay"),
    ("funnel", "stage_history", "no stage-history row: no conversion by stage"),
    ("funnel", "deals", "no lost deal: no loss reasons (deals with a lost_reason column)"),
    ("leads", "leads", "no lead"),
    ("accounts", "accounts", "no account"),
    ("retention", "transactions", "no transaction in the 24 months: no renewal or retention"),
    ("value", "transactions", "no transaction in the 12 months: no customer, CLV or CAC"),
    ("team", "deals", "no won deal closed in the 12 months: no revenue per seller"),
    ("team", "activities", "no activity in the 13 weeks before the report date"),
)

_REASONS_SHOWN: Final = 3


#: The kinds of :class:`Problem`.
PROBLEM_KINDS: Final = ("no_rows", "rows_rejected", "section_empty", "section_left_out")


def _text(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str):
        raise InvalidInputError(
            f"{attribute.name} must be a str; got {type(value).__name__} {value!r:.60}"
        )


def _optional_text(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None:
        _text(instance, attribute, value)


def _choice(choices: tuple[str, ...]) -> Callable[[object, attrs.Attribute[Any], object], None]:
    def check(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if not isinstance(value, str) or value not in choices:
            raise InvalidInputError(
                f"{attribute.name} must be one of {', '.join(map(repr, choices))}; "
                f"got {value!r:.60}"
            )

    return check


def _section_keys(value: object) -> tuple[str, ...]:
    return _checks.texts("sections", value)


@attrs.frozen(kw_only=True)
class Problem:
    """Something the reader must know before reading the figures.

    ``kind`` is ``"no_rows"`` (an input table has no usable row: an error),
    ``"rows_rejected"`` (a table lost more than :data:`REJECTED_SHARE` of its rows),
    ``"section_empty"`` (a table lost rows and a section that reads it is empty as
    :data:`EMPTY_SECTIONS` defines) or ``"section_left_out"`` (a section its data
    could not support); ``severity`` is ``"error"`` for the first, ``"warning"`` for
    the others.
    """

    kind: str = attrs.field(validator=_choice(PROBLEM_KINDS))
    severity: str = attrs.field(validator=_choice(("error", "warning")))
    message: str = attrs.field(validator=_text)
    table: str | None = attrs.field(default=None, validator=_optional_text)
    file: str | None = attrs.field(default=None, validator=_optional_text)
    sections: tuple[str, ...] = attrs.field(default=(), converter=_section_keys)

    def to_dict(self) -> dict[str, Any]:
        """The problem as JSON-ready values."""
        return {
            "kind": self.kind,
            "severity": self.severity,
            "table": self.table,
            "file": self.file,
            "sections": list(self.sections),
            "message": self.message,
        }


def _named(keys: tuple[str, ...]) -> str:
    """'the Forecast section', 'the Forecast and Team sections'."""
    titles = [key.capitalize() for key in keys]
    if len(titles) == 1:
        return f"the {titles[0]} section"
    return f"the {', '.join(titles[:-1])} and {titles[-1]} sections"


def _reasons(reasons: Mapping[str, Any]) -> str:
    ranked = sorted(reasons.items(), key=lambda item: -int(item[1]))
    shown = "; ".join(f"{n:,} x {reason}" for reason, n in ranked[:_REASONS_SHOWN])
    more = len(ranked) - _REASONS_SHOWN
    if more > 0:
        shown += f"; {counted(more, 'other reason')} in the import summary"
    return shown


def _in(
    frame: pd.DataFrame, column: str, start: pd.Timestamp, end: pd.Timestamp
) -> pd.Series[bool]:
    dates = _utc_naive(frame, column)[column]
    return (dates >= start) & (dates < end)


def _is_empty(section: str, table: str, frame: pd.DataFrame, as_of: pd.Timestamp) -> bool:
    """Whether ``frame`` (the table ``table``) leaves ``section`` empty (EMPTY_SECTIONS)."""
    columns = set(frame.columns)
    start, end = _bounds(_months(as_of))
    if section == "forecast":
        return "status" in columns and not (frame["status"] == "open").any()
    if section == "accuracy" and "changed_at" in columns:
        return not (_utc_naive(frame, "changed_at")["changed_at"] <= as_of).any()
    if (section, table) == ("funnel", "deals"):
        return {"status", "lost_reason"} <= columns and not (frame["status"] == "lost").any()
    if section == "retention" and "date" in columns:
        prior_start, _ = _bounds(_months(as_of, 1))
        return not _in(frame, "date", prior_start, end).any()
    if section == "value" and "date" in columns:
        return not _in(frame, "date", start, end).any()
    if (section, table) == ("team", "deals"):
        if not {"status", "close_date"} <= columns:
            return False
        return not ((frame["status"] == "won") & _in(frame, "close_date", start, end)).any()
    if (section, table) == ("team", "activities") and "date" in columns:
        return not _in(frame, "date", as_of - pd.Timedelta(weeks=13), as_of).any()
    return len(frame) == 0


def _emptied(
    inputs: Inputs, kept: tuple[str, ...], rejected: Mapping[str, dict[str, Any]]
) -> list[tuple[str, str, str]]:
    """(section, table, what is missing) of each section a table with rejections leaves empty.

    ``kept`` are the sections computed (not left out); ``rejected`` maps a table that
    lost some but not all of its rows to its import record.
    """
    as_of = utc_naive(inputs.as_of)
    found = []
    for section, table, what in EMPTY_SECTIONS:
        frame = getattr(inputs, table)
        if section not in kept or table not in rejected or frame is None:
            continue
        if section == "funnel" and table == "deals" and inputs.stage_history is not None:
            continue  # the funnel's main figures then come from the stage history
        if _is_empty(section, table, frame, as_of):
            found.append((section, table, what))
    return found


def _problems(
    imports: list[dict[str, Any]],
    planned: tuple[str, ...],
    skipped: Mapping[str, str],
    emptied: Sequence[tuple[str, str, str]] = (),
) -> list[Problem]:
    """The report's problems: unusable tables, rejections, empty sections, sections left out."""
    problems: list[Problem] = []
    for item in imports:
        table, rows, accepted = str(item["table"]), int(item["rows_in"]), int(item["accepted"])
        rejected = rows - accepted
        readers = tuple(key for key in planned if table in SECTION_TABLES[key])
        where = f"{table.replace('_', ' ')} ({item['file']})"
        if accepted == 0:
            what = (
                "the file holds no rows"
                if rows == 0
                else f"all {rows:,} rows were rejected ({_reasons(item['reasons'])})"
            )
            effect = f", so {_named(readers)} cannot use it" if readers else ""
            problems.append(
                Problem(
                    kind="no_rows",
                    severity="error",
                    message=f"No usable row in {where}: {what}{effect}.",
                    table=table,
                    file=str(item["file"]),
                    sections=readers,
                )
            )
            continue
        if rows and rejected / rows > REJECTED_SHARE:
            effect = f"; {_named(readers)} leave them out" if readers else ""
            problems.append(
                Problem(
                    kind="rows_rejected",
                    severity="warning",
                    message=(
                        f"{rejected:,} of the {rows:,} rows of {where} were rejected "
                        f"({100 * rejected / rows:.1f} %: {_reasons(item['reasons'])}){effect}."
                    ),
                    table=table,
                    file=str(item["file"]),
                    sections=readers,
                )
            )
        for section, emptied_table, what in emptied:
            if emptied_table != table:
                continue
            why = (
                "the reasons are above"
                if rows and rejected / rows > REJECTED_SHARE
                else _reasons(item["reasons"])
            )
            problems.append(
                Problem(
                    kind="section_empty",
                    severity="warning",
                    message=(
                        f"The {section.capitalize()} section is empty ({what}) and "
                        f"{rejected:,} of the {rows:,} rows of {where} were rejected "
                        f"({why}): the rejected rows may be the missing ones; see the "
                        "import summary."
                    ),
                    table=table,
                    file=str(item["file"]),
                    sections=(section,),
                )
            )
    for key, reason in skipped.items():
        problems.append(
            Problem(
                kind="section_left_out",
                severity="warning",
                message=f"The {key.capitalize()} section is left out: {reason}",
                sections=(key,),
            )
        )
    return sorted(problems, key=lambda problem: problem.severity != "error")  # errors first
