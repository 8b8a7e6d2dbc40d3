"""The manager's report behind ``salescore report``: inputs, sections, renderers.

:func:`load_inputs` (or :func:`demo_inputs`) reads the tables, :func:`build_report`
computes every section whose data is there and the problems to read first
(:class:`Problem`), and :func:`render` writes it as text, Markdown, JSON or a
self-contained HTML page. :class:`Import` says how each table was read, its rejected
rows grouped by column and kind of problem (:class:`ReasonGroup`); :class:`FileFormat`
is the CSV dialect of the files.
"""

from .build import EMPTY_SECTIONS, ORDER, REJECTED_SHARE, Assumptions, Problem, Report, build_report
from .data import (
    CRMS,
    FileFormat,
    Import,
    Inputs,
    ReasonGroup,
    ReportInputError,
    demo_inputs,
    load_inputs,
)
from .render import FORMATS, render

__all__ = [
    "CRMS",
    "EMPTY_SECTIONS",
    "FORMATS",
    "ORDER",
    "REJECTED_SHARE",
    "Assumptions",
    "FileFormat",
    "Import",
    "Inputs",
    "Problem",
    "ReasonGroup",
    "Report",
    "ReportInputError",
    "build_report",
    "demo_inputs",
    "load_inputs",
    "render",
]
