"""The manager's report behind ``salescore report``: inputs, sections, renderers.

:func:`load_inputs` (or :func:`demo_inputs`) reads the tables, :func:`build_report`
computes every section whose data is there, and :func:`render` writes it as text,
Markdown, JSON or a self-contained HTML page.
"""

from .build import ORDER, Assumptions, Report, build_report
from .data import CRMS, Import, Inputs, ReportInputError, demo_inputs, load_inputs
from .render import FORMATS, render

__all__ = [
    "CRMS",
    "FORMATS",
    "ORDER",
    "Assumptions",
    "Import",
    "Inputs",
    "Report",
    "ReportInputError",
    "build_report",
    "demo_inputs",
    "load_inputs",
    "render",
]
