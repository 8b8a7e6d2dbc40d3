"""What an adapter hands back: :class:`ImportResult`, and its rejections grouped by problem.

A reason is written ``"<field>: <problem>: <value>"``, ``"<field>: <problem>"`` or a
plain ``"<problem>"`` (see :mod:`salescore.adapters._core`); :func:`split_reason`
reads it back, so that :meth:`ImportResult.reason_groups` counts rows per field and
kind of problem.
"""

from __future__ import annotations

import math
import re
import reprlib
from typing import Any, Final

import attrs
import numpy as np
import pandas as pd

from .._arrays import option_count
from ..errors import InvalidInputError

__all__ = ["MAX_ROWS", "MAX_SHOWN", "REASON", "SUMMARY_LINES", "ImportResult", "split_reason"]

#: The column of :attr:`ImportResult.rejected` that holds each row's reason.
REASON: Final = "reason"


def _frame(instance: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, pd.DataFrame):
        raise InvalidInputError(f"{attribute.name} must be a DataFrame; got {type(value).__name__}")
    if isinstance(value.columns, pd.MultiIndex):
        raise InvalidInputError(
            f"{attribute.name} must have one row of column names, not a MultiIndex"
        )


def _text(instance: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str) or not value:
        raise InvalidInputError(
            f"{attribute.name} must be a non-empty str; got {type(value).__name__} {value!r:.60}"
        )


def _optional_text(instance: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None:
        _text(instance, attribute, value)


def _strings(values: object) -> tuple[str, ...]:
    # A lone str would be read as its characters, and a number is no list of lines.
    if isinstance(values, (str, bytes)) or not isinstance(values, (tuple, list)):
        raise InvalidInputError(
            f"warnings must be a tuple or list of str; got {type(values).__name__} {values!r:.60}"
        )
    odd = [value for value in values if not isinstance(value, str)]
    if odd:
        raise InvalidInputError(
            f"warnings must hold str only; got {type(odd[0]).__name__} {odd[0]!r:.60}"
        )
    return tuple(values)


def _rows_in(value: object) -> int:
    return option_count("rows_in", value, maximum=MAX_ROWS)


def _emptied_frame(value: object) -> pd.DataFrame:
    if value is None:
        return pd.DataFrame(
            {"column": pd.Series(dtype=object), "reason": pd.Series(dtype=object)},
            index=pd.Index([], dtype=np.int64),
        )
    if not isinstance(value, pd.DataFrame):
        raise InvalidInputError(f"emptied must be a DataFrame; got {type(value).__name__}")
    return value


#: How many groups of problems, and of warnings, :meth:`ImportResult.summary` shows.
SUMMARY_LINES: Final = 12
#: The most examples per group, or lines, :meth:`ImportResult.reason_groups` and
#: :meth:`ImportResult.summary` are asked for (a mistyped 2**70 is refused).
MAX_SHOWN: Final = 1_000_000
#: The most rows an import can count: the largest int64, as pandas counts rows.
MAX_ROWS: Final = int(np.iinfo(np.int64).max)
_PROBLEM = re.compile(r"(?P<column>[^:;]{1,80}?): (?P<rest>.*)", re.DOTALL)
_SCHEMA_PROBLEM = re.compile(
    r"(?P<column>\w+) (?P<rest>(?:must|is) .*?)(?: \((?P<value>[^()]*)\))?", re.DOTALL
)


def split_reason(reason: str) -> list[tuple[str | None, str, str | None]]:
    """The problems of one row's reason as (field, kind of problem, shown value).

    A reason is one or more problems joined by ``"; "``; each is
    ``"<field>: <problem>: <value>"``, ``"<field>: <problem>"`` or a plain
    ``"<problem>"`` (see the module's notes). The row checks of
    :func:`salescore.schema.row_problems` (``"<column> must ... (<value>)"``) are read
    too, as are its ``"<column> is ... (<value>)"`` checks.
    """
    out: list[tuple[str | None, str, str | None]] = []
    for part in str(reason).split("; "):
        part = part.strip()
        if not part:
            continue
        checked = _SCHEMA_PROBLEM.fullmatch(part)
        if checked is not None:
            out.append((checked["column"], checked["rest"], checked["value"]))
            continue
        found = _PROBLEM.fullmatch(part)
        if found is None:
            out.append((None, part, None))
            continue
        kind, _, value = found["rest"].partition(": ")
        out.append((found["column"], kind, value or None))
    return out


def _head(column: object, problem: object) -> str:
    """A group's title: ``"<field>: <problem>"``, or the problem of a whole record."""
    return str(problem) if column is None else f"{column!s}: {problem!s}"


def _example(label: object, name: str, identifier: object, value: str | None) -> str:
    where = f"{name} {label}"
    if identifier is not None and not (isinstance(identifier, float) and math.isnan(identifier)):
        where += f" ({_shown_id(identifier)})"
    return where if value is None else f"{where}: {value}"


def _shown_id(value: object) -> str:
    if isinstance(value, np.generic):
        value = value.item()
    try:
        return f"{value!r:.40}"
    except RecursionError:  # a list nested too deeply for repr
        return f"{reprlib.repr(value):.40}"


def _groups(
    reasons: pd.Series[Any], ids: pd.Series[Any] | None, examples: int, name: str
) -> pd.DataFrame:
    """Rows per (field, kind of problem), most frequent first, with a few examples."""
    counts: dict[tuple[str | None, str], int] = {}
    shown: dict[tuple[str | None, str], list[str]] = {}
    first: dict[tuple[str | None, str], list[Any]] = {}
    labels = reasons.index.tolist()
    keys = ids.tolist() if ids is not None else [None] * len(labels)
    cache: dict[str, list[tuple[str | None, str, str | None]]] = {}
    for label, identifier, reason in zip(labels, keys, reasons.tolist(), strict=True):
        if reason is None or (isinstance(reason, float) and math.isnan(reason)):
            continue
        text = str(reason)
        parts = cache.get(text)
        if parts is None:
            parts = cache[text] = split_reason(text)
        for column, kind, value in dict.fromkeys(parts):
            key = (column, kind)
            counts[key] = counts.get(key, 0) + 1
            if counts[key] <= examples:
                shown.setdefault(key, []).append(_example(label, name, identifier, value))
                first.setdefault(key, []).append(label)
    order = sorted(counts, key=lambda key: (-counts[key], str(key[0]), key[1]))
    return pd.DataFrame(
        {
            "column": pd.Series([key[0] for key in order], dtype=object),
            "problem": pd.Series([key[1] for key in order], dtype=object),
            "rows": pd.Series([counts[key] for key in order], dtype=np.int64),
            "first_rows": pd.Series([tuple(first.get(key, ())) for key in order], dtype=object),
            "examples": pd.Series(["; ".join(shown.get(key, ())) for key in order], dtype=object),
        }
    )


@attrs.frozen(kw_only=True, eq=False)
class ImportResult:
    """What an adapter made of a CRM's records: the canonical table and the rejects.

    Every input row is either in :attr:`frame` (accepted) or in :attr:`rejected`, with
    a reason; the two indexes are the input positions (0-based), so a row can be
    traced back to the record it came from.

    Parameters
    ----------
    table : str
        The canonical table of :attr:`frame` (``"deals"``, ``"stage_history"``,
        ``"leads"``, ...; see :data:`salescore.schema.TABLES`).
    source : str
        Where the rows came from, such as ``"salesforce"`` or ``"records"``.
    frame : DataFrame
        The accepted rows in the canonical columns and dtypes.
    rejected : DataFrame
        The rejected rows with their original values as received, plus a column
        ``reason`` (:data:`REASON`) holding each row's full reason.
    warnings : tuple of str, default ()
        Things worth knowing that did not reject a row (e.g. mixed currencies, or
        optional values left empty), one line per kind, with counts.
    rows_in : int
        How many rows were given.
    emptied : DataFrame, optional
        The accepted rows in which an unreadable optional value was left empty: one
        row per value, indexed by input position, with the canonical ``column`` and
        the ``reason``. Empty by default.
    id_field : str, optional
        The column of :attr:`rejected` holding the record's id, shown beside the
        position in the examples of :meth:`reason_groups`.
    row_name : str, default "row"
        What an index label of :attr:`rejected` is called in examples (``"row"`` for
        the 0-based input position; a file reader may index by ``"line"``).

    Raises
    ------
    InvalidInputError
        A field of the wrong kind (``table``, ``source`` and ``row_name`` not a
        non-empty str, ``rows_in`` not a non-negative int, ``warnings`` not a tuple or
        list of str, a frame not a DataFrame with one row of column names); the
        accepted and rejected rows do not add up to ``rows_in``, or share an index
        label; ``rejected`` lacks the ``reason`` column, or ``emptied`` its ``column``
        and ``reason`` columns.

    Examples
    --------
    >>> from salescore.adapters import from_records
    >>> result = from_records([{"id": "D-17", "amount": 27_600},
    ...                        {"id": "D-18", "amount": "n/a"}],
    ...                       {"deal_id": "id", "value": "amount"})
    >>> result.accepted, result.n_rejected, result.rows_in
    (1, 1, 2)
    >>> print(result.summary())
    deals from records: 2 rows in, 1 accepted, 1 rejected
      1 × amount: not a plain number (e.g. row 1 ('D-18'): 'n/a')
    """

    table: str = attrs.field(validator=_text)
    source: str = attrs.field(validator=_text)
    frame: pd.DataFrame = attrs.field(validator=_frame)
    rejected: pd.DataFrame = attrs.field(validator=_frame)
    warnings: tuple[str, ...] = attrs.field(default=(), converter=_strings)
    rows_in: int = attrs.field(converter=_rows_in)
    emptied: pd.DataFrame = attrs.field(default=None, converter=_emptied_frame, validator=_frame)
    id_field: str | None = attrs.field(default=None, validator=_optional_text)
    row_name: str = attrs.field(default="row", validator=_text)

    def __attrs_post_init__(self) -> None:
        if REASON not in self.rejected.columns:
            raise InvalidInputError(f"rejected must have a {REASON!r} column")
        missing = {"column", REASON} - set(self.emptied.columns)
        if missing:
            raise InvalidInputError(
                f"emptied must have the columns 'column' and {REASON!r}; "
                f"it lacks {', '.join(map(repr, sorted(missing)))}"
            )
        shared = self.frame.index.intersection(self.rejected.index)
        if len(shared):
            raise InvalidInputError(
                f"a row cannot be both accepted and rejected; frame and rejected share the "
                f"index labels {shared[:3].tolist()!r:.60}"
            )
        if len(self.frame) + len(self.rejected) != self.rows_in:
            raise InvalidInputError(
                f"{len(self.frame)} accepted + {len(self.rejected)} rejected rows do not "
                f"add up to the {self.rows_in} rows given"
            )

    @property
    def accepted(self) -> int:
        """How many rows are in the canonical frame."""
        return len(self.frame)

    @property
    def n_rejected(self) -> int:
        """How many rows were rejected."""
        return len(self.rejected)

    def reasons(self) -> pd.Series[int]:
        """How many rows were rejected for each distinct full reason, most frequent first.

        A full reason shows the row's value, so a problem that recurs with many values
        gives many entries; :meth:`reason_groups` counts rows per field and kind of
        problem instead, in a bounded number of lines.

        Returns
        -------
        Series
            Counts (int64) indexed by reason; empty when nothing was rejected.
        """
        counts: pd.Series[int] = self.rejected[REASON].value_counts(sort=True)
        return counts

    def reason_groups(self, *, examples: int = 3) -> pd.DataFrame:
        """The rejected rows grouped by field and kind of problem, with counts and examples.

        Each rejected row is counted once under every distinct problem its reason
        names (a row with a bad amount and a bad date counts in both groups), so the
        groups do not sum to :attr:`n_rejected` when rows have several problems. The
        per-row detail stays in :attr:`rejected`.

        Parameters
        ----------
        examples : int, keyword-only, default 3
            How many example rows to give per group: 0 to :data:`MAX_SHOWN`.

        Returns
        -------
        DataFrame
            One row per group, most rows first, with the columns ``column`` (the
            field named by the reason, None for a record-wide reason such as
            ``"deleted"``), ``problem`` (the kind of problem, without the value),
            ``rows`` (int64: how many rejected rows have it), ``first_rows`` (tuple
            of the first index labels, input positions for the adapters) and
            ``examples`` (text: ``"row 3 ('006A3'): '31.12.2025'; ..."``, with the
            id when :attr:`id_field` is set).

        Raises
        ------
        InvalidInputError
            ``examples`` is not an integer from 0 to :data:`MAX_SHOWN`.

        Examples
        --------
        Five amounts written with a decimal comma are one kind of problem, however
        many values they hold:

        >>> from salescore.adapters import from_records
        >>> records = [{"id": f"D-{k}", "amount": f"{k}000,50"} for k in range(1, 6)]
        >>> records.append({"id": "D-6", "amount": -3})
        >>> result = from_records(records, {"deal_id": "id", "value": "amount"})
        >>> groups = result.reason_groups(examples=2)
        >>> groups[["column", "problem", "rows"]]
           column             problem  rows
        0  amount  not a plain number     5
        1  amount     negative amount     1
        >>> groups["examples"].iloc[0]
        "row 0 ('D-1'): '1000,50'; row 1 ('D-2'): '2000,50'"
        >>> result.rejected["reason"].iloc[4]  # the row's own reason, in full
        "amount: not a plain number: '5000,50'"
        """
        count = option_count("examples", examples, maximum=MAX_SHOWN)
        ids = None
        if self.id_field is not None and self.id_field in self.rejected.columns:
            ids = self.rejected[self.id_field]
        return _groups(self.rejected[REASON], ids, count, self.row_name)

    def summary(self, *, lines: int = SUMMARY_LINES) -> str:
        """A few lines for a person: the counts, the kinds of problem and the warnings.

        The length is bounded whatever the input's size: at most ``lines`` groups of
        :meth:`reason_groups` and ``lines`` warnings, each with its count and two
        examples, and one line saying how many more there are.

        Parameters
        ----------
        lines : int, keyword-only, default 12
            How many groups, and how many warnings, to show: 1 to :data:`MAX_SHOWN`.

        Returns
        -------
        str
            The counts on the first line, then one line per kind of problem (with how
            many rows it rejected and examples) and one per warning.

        Raises
        ------
        InvalidInputError
            ``lines`` is not an integer from 1 to :data:`MAX_SHOWN`.
        """
        lines = option_count("lines", lines, maximum=MAX_SHOWN)
        if lines < 1:
            raise InvalidInputError(f"lines must be an int >= 1; got {lines!r:.60}")
        out = [
            f"{self.table} from {self.source}: {self.rows_in} rows in, "
            f"{self.accepted} accepted, {self.n_rejected} rejected"
        ]
        groups = self.reason_groups(examples=2)
        for row in groups.head(int(lines)).itertuples(index=False):
            head = _head(row.column, row.problem)
            out.append(f"  {row.rows} × {head} (e.g. {row.examples})")
        if len(groups) > lines:
            rest = groups.iloc[int(lines) :]
            out.append(
                f"  … and {len(rest)} more kinds of problem ({int(rest['rows'].sum())} "
                "rows; reason_groups() lists them, rejected holds each row's reason)"
            )
        out += [f"  warning: {text}" for text in self.warnings[: int(lines)]]
        if len(self.warnings) > lines:
            out.append(f"  … and {len(self.warnings) - lines} more warnings (see warnings)")
        return "\n".join(out)
