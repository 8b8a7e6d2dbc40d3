"""How does a spreadsheet's CSV file get in? Files in any locale's dialect, read into tables.

:func:`read_table` reads a CSV file in the canonical columns of :mod:`salescore.schema`
into a canonical table, and :func:`read_export` reads a CRM's CSV export as text for
its adapter in :mod:`salescore.adapters`. Both read what spreadsheets write across
locales: ``;`` or ``,`` or tab separators, decimal commas, thousands grouped by spaces
(including no-break spaces) or dots, UTF-8 with or without a byte-order mark, UTF-16
and Windows encodings, percentages such as ``12 %``, and dates such as ``31.12.2025``.
They detect only what a file shows beyond doubt and take the rest as options
(``sep``, ``decimal``, ``thousands``, ``dayfirst``, ``encoding``) or from one locale
preset of :data:`LOCALES`; an ambiguity is refused with a message naming the file,
the line and the option to pass. Parsing is pandas' (:func:`pandas.read_csv`).
"""

from ._dialect import LOCALES, Locale
from ._export import read_export
from ._read import LINE, read_table

__all__ = ["LINE", "LOCALES", "Locale", "read_export", "read_table"]
