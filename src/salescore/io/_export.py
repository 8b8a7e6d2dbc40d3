"""Reading a CRM's CSV export in any spreadsheet's dialect, as text for its adapter."""

from __future__ import annotations

from os import PathLike
from typing import Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from .._arrays import option_flag
from . import _dialect
from ._text import _checked_options, _dates, _decimal, _read_text

__all__ = ["read_export"]

_NUMBERISH: Final = (
    r"[+-]?[0-9 \u00a0\u202f.,']*[0-9][0-9 \u00a0\u202f.,']*(?:[eE][+-]?[0-9]+)? ?%?"
)
_PLAIN: Final = r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?"
_ISO_TEXT: Final = r"[0-9]{4}-[0-9]{2}-[0-9]{2}(?:T[0-9:.]+(?:Z|[+-][0-9:]+)?)?"


def _export(
    path: str | PathLike[str],
    *,
    sep: str | None,
    decimal: str | None,
    thousands: str | None,
    dayfirst: bool | None,
    encoding: str | None,
    locale: str | None,
    probability_scale: str,
) -> tuple[pd.DataFrame, npt.NDArray[np.int64]]:
    """A CRM export's text with numbers and dates in plain form, and each row's line."""
    if dayfirst is not None:
        dayfirst = option_flag("dayfirst", dayfirst)
    preset = _checked_options(
        sep, decimal, thousands, dayfirst, encoding, locale, probability_scale
    )
    text = _read_text(path, "export", sep=sep, encoding=encoding, preset=preset)
    frame = text.frame.copy()
    numeric: list[str] = []
    dated: list[str] = []
    for name in frame.columns:
        values = frame[name].dropna()
        if values.empty:
            continue
        if values.str.fullmatch(_dialect.DATE_PATTERN).all():
            if not values.str.fullmatch(_ISO_TEXT).all():
                dated.append(name)
        elif values.str.fullmatch(_NUMBERISH).all() and not values.str.fullmatch(_PLAIN).all():
            numeric.append(name)
    point, group = _decimal(text, numeric, decimal, thousands, None)
    if dayfirst is None and preset is not None:
        dayfirst = preset.dayfirst
    for name in numeric:
        values = frame[name]
        numbers, bad, percent = _dialect.parse_numbers(values, point, group)
        if probability_scale == "fraction":
            numbers = np.where(percent, numbers / 100.0, numbers)
        good = values.notna().to_numpy(dtype=bool) & ~bad
        rewritten = pd.Series(numbers, index=frame.index).map(repr).str.removesuffix(".0")
        frame[name] = values.where(~pd.Series(good, index=frame.index), rewritten)
    for name in dated:
        try:
            iso, unknown = _dialect.iso_dates(frame[name], dayfirst)
        except _dialect.AmbiguousDatesError:
            _dates(text, name, dayfirst, None)  # raises with the examples
            raise  # pragma: no cover - _dates has raised
        if unknown.any():
            continue  # not a date column (or a bad one: the adapter names its values)
        frame[name] = iso.where(iso.notna(), frame[name])
    return frame, text.lines


def read_export(
    path: str | PathLike[str],
    *,
    sep: str | None = None,
    decimal: str | None = None,
    thousands: str | None = None,
    dayfirst: bool | None = None,
    encoding: str | None = None,
    locale: str | None = None,
    probability_scale: str = "percent",
) -> pd.DataFrame:
    r"""Read a CRM's CSV export in any dialect as text, ready for its adapter.

    The file is read like :func:`read_table` reads one (separator, encoding and
    decimal separator detected or given), but its columns are the CRM's: every
    value stays text, blank values are None, and a column whose values are all
    numbers (or all dates) in the file's dialect is rewritten in the plain form the
    adapters of :mod:`salescore.adapters` read: ``1 234,50`` as ``1234.5``,
    ``31.12.2025`` as ``2025-12-31``, ``31.12.2025 14:00`` as ``2025-12-31T14:00``.

    Parameters
    ----------
    path : str or path-like
        The CSV export.
    sep, decimal, thousands, dayfirst, encoding, locale
        The dialect, as for :func:`read_table`.
    probability_scale : {"percent", "fraction"}, keyword-only, default "percent"
        The scale the adapter reads probabilities on: a percentage such as ``12 %``
        becomes ``12`` (Salesforce, Pipedrive, Odoo) or ``0.12`` (HubSpot).

    Returns
    -------
    DataFrame
        One row per non-empty data line, object dtype, under the file's column names.

    Raises
    ------
    FileNotFoundError
        No such file.
    InvalidInputError
        As for :func:`read_table`: a bad option, a file that is not text in its
        encoding, not CSV or empty, a header with several separators, numbers with
        both decimal separators, or slashed dates of unclear order.

    See Also
    --------
    read_table : a file in the canonical columns.

    Notes
    -----
    A value that does not fit its column's rewriting is left as written, for the
    adapter to reject with its own reason.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from salescore.adapters import salesforce
    >>> from salescore.io import read_export
    >>> text = ("Id;Amount;Probability;StageName;CloseDate;IsClosed;IsWon\n"
    ...         "006A;27\u00a0600,00;12 %;Prospecting;31.12.2025;false;false\n")
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = Path(folder) / "opportunities.csv"
    ...     _ = path.write_text(text, encoding="utf-8")
    ...     export = read_export(path)
    >>> export[["Amount", "Probability", "CloseDate"]].to_dict("records")
    [{'Amount': '27600', 'Probability': '12', 'CloseDate': '2025-12-31'}]
    >>> salesforce.opportunities(export).frame[["value", "probability"]]
         value  probability
    0  27600.0         0.12
    """
    frame, _ = _export(
        path,
        sep=sep,
        decimal=decimal,
        thousands=thousands,
        dayfirst=dayfirst,
        encoding=encoding,
        locale=locale,
        probability_scale=probability_scale,
    )
    return frame
