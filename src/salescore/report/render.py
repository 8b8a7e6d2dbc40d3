"""The report as text (a 100-column terminal), Markdown or JSON; HTML is in :mod:`.html`.

What the renderers share (labels, number formats, cells, import reasons) is in
:mod:`._layout`; :func:`render` picks the renderer of the format asked for.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any, Final

from ..errors import InvalidInputError
from ._layout import (
    EXAMPLE_CHARS,
    IMPORT_GROUPS,
    _caveats,
    _cells,
    _count,
    _header,
    _import_warnings,
    _metric,
    _problems,
    _reasons_cell,
    cell,
    import_reasons,
    label,
    table_title,
)
from ._numbers import Numbers, numbers, symbol_currency
from .build import Report
from .html import _html

__all__ = [
    "EXAMPLE_CHARS",
    "FORMATS",
    "IMPORT_GROUPS",
    "WIDTH",
    "cell",
    "import_reasons",
    "label",
    "render",
    "table_title",
]

#: The output formats of :func:`render`.
FORMATS: Final = ("text", "markdown", "json", "html")
#: Columns of the text report.
WIDTH: Final = 100


# ------------------------------------------------------------------------ text


def _text_table(
    key: str,
    data: dict[str, Any],
    periods: Mapping[str, str] | None = None,
    style: Numbers | None = None,
) -> list[str]:
    columns, rows = _cells(key, data, style)
    headers = [c.replace("_", " ") for c in columns]
    widths = [max([len(h), *(len(r[i]) for r in rows)]) for i, h in enumerate(headers)]
    first = min(widths[0], 28) if widths else 0
    widths = [first, *widths[1:]]
    # Keep the columns that fit in the terminal; JSON has them all.
    kept, used = 0, 2
    for w in widths:
        if used + w + 2 > WIDTH:
            break
        used += w + 2
        kept += 1
    kept = max(kept, 1)

    def line(values: list[str]) -> str:
        parts = [values[0][:first].ljust(first)]
        parts += [v.rjust(w) for v, w in zip(values[1:kept], widths[1:kept], strict=True)]
        return ("  " + "  ".join(parts)).rstrip()

    out = [f"  {table_title(key, periods)}", line(headers)]
    out += [line(r) for r in rows]
    if kept < len(columns):
        out.append(f"  ({len(columns) - kept} more columns in the JSON and HTML reports)")
    total = data.get("total_rows")
    if total is not None and total > len(rows):
        out.append(f"  ... {total - len(rows)} more ({total} in all)")
    return out


def _imports_lines(data: dict[str, Any], style: Numbers | None = None) -> list[str]:
    lines = []
    for item in data["imports"]:
        rows_in, accepted = _count(item["rows_in"], style), _count(item["accepted"], style)
        lines.append(
            f"  {item['table']:<14} {item['file'][:30]:<30} {rows_in:>8} rows "
            f"{accepted:>8} accepted {_count(item['rejected'], style):>6} rejected"
        )
        shown, more = import_reasons(item)
        for reason, examples in shown:
            lines += _wrap(reason, "      ")
            if examples:
                lines += _wrap(f"e.g. {examples}", "          ")
        if more:
            lines += _wrap(more, "      ")
        for text in _import_warnings(item):
            lines += _wrap(f"warning: {text}", "      ")
    return lines


def _wrap(text: str, indent: str) -> list[str]:
    import textwrap

    return textwrap.wrap(text, WIDTH, initial_indent=indent, subsequent_indent=indent + "  ")


def _style(data: dict[str, Any], locale: object, babel_optional: object = False) -> Numbers:
    """How the numbers of the report ``data`` are written in ``locale`` (None: the default)."""
    return numbers(locale, symbol_currency(data.get("currency")), babel_optional=babel_optional)


def render_text(data: dict[str, Any], *, locale: str | None = None) -> str:
    """The report for a 100-column terminal; numbers in a CLDR ``locale``'s conventions if given."""
    return _text(data, _style(data, locale))


def _text(data: dict[str, Any], style: Numbers) -> str:
    title, *details = _header(data, style)
    lines = [title, "=" * min(WIDTH, len(title))]
    for detail in details:
        lines += _wrap(detail, "")
    found = _problems(data)
    if found:
        lines += ["", "PROBLEMS (read these before the figures)", "-" * 40]
        for severity, message in found:
            lines += _wrap(f"{severity.upper()}: {message}", "  ")
    for section in data["sections"].values():
        lines += ["", section["title"].upper(), "-" * len(section["title"])]
        periods = section.get("periods")
        flagged = _caveats(section)
        for key, value in section["metrics"].items():
            mark = " (!)" if key in flagged else ""
            shown = _metric(key, value, style)
            lines.append(f"  {label(key, periods):<56} {shown:>20}{mark}".rstrip())
            if key in flagged:
                lines += _wrap(f"(!) {flagged[key]}", "      ")
        for key, table in section["tables"].items():
            lines.append("")
            lines += _text_table(key, table, periods, style)
        for note in section["notes"]:
            lines += _wrap(f"Note: {note}", "  ")
    lines += ["", "IMPORT", "------", *_imports_lines(data, style)]
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------------ markdown


def _md_escape(text: str) -> str:
    return text.replace("|", "\\|")


def _md_table(headers: list[str], rows: list[list[str]], *, text_last: bool = False) -> list[str]:
    """A table whose first column (and with ``text_last`` its last) is text, left-aligned."""
    align = ["---", *["---:"] * (len(headers) - 1)]
    if text_last and len(align) > 1:
        align[-1] = "---"
    out = ["| " + " | ".join(_md_escape(h) for h in headers) + " |"]
    out.append("|" + "|".join(align) + "|")
    out += ["| " + " | ".join(_md_escape(v) for v in r) + " |" for r in rows]
    return out


def render_markdown(data: dict[str, Any], *, locale: str | None = None) -> str:
    """The report as a Markdown document; numbers in a CLDR ``locale``'s conventions if given."""
    return _markdown(data, _style(data, locale))


def _markdown(data: dict[str, Any], style: Numbers) -> str:
    title, *details = _header(data, style)
    lines = [f"# {title}"]
    if details:
        lines += ["", *(f"- {_md_escape(detail)}" for detail in details)]
    found = _problems(data)
    if found:
        lines += ["", "## Problems (read these before the figures)", ""]
        lines += [f"- **{severity}:** {_md_escape(message)}" for severity, message in found]
    for section in data["sections"].values():
        lines += ["", f"## {section['title']}", ""]
        periods = section.get("periods")
        flagged = _caveats(section)
        if flagged:
            rows = [
                [label(k, periods), _metric(k, v, style), flagged.get(k, "")]
                for k, v in section["metrics"].items()
            ]
            lines += _md_table(["Metric", "Value", "Caveat"], rows, text_last=True)
        else:
            rows = [
                [label(k, periods), _metric(k, v, style)] for k, v in section["metrics"].items()
            ]
            lines += _md_table(["Metric", "Value"], rows)
        for key, table in section["tables"].items():
            columns, cells = _cells(key, table, style)
            lines += ["", f"### {table_title(key, periods)}", ""]
            lines += _md_table([c.replace("_", " ") for c in columns], cells)
            total = table.get("total_rows")
            if total is not None and total > len(cells):
                lines += ["", f"... {total - len(cells)} more ({total} in all)"]
        if section["notes"]:
            lines.append("")
            lines += [f"- {note}" for note in section["notes"]]
    lines += ["", "## Import", ""]
    lines += _md_table(
        ["Table", "File", "Rows", "Accepted", "Rejected", "Reasons"],
        [
            [
                i["table"],
                i["file"],
                _count(i["rows_in"], style),
                _count(i["accepted"], style),
                _count(i["rejected"], style),
                _reasons_cell(i),
            ]
            for i in data["imports"]
        ],
        text_last=True,
    )
    return "\n".join(lines) + "\n"


def render_json(data: dict[str, Any]) -> str:
    """The report as JSON (no NaN: missing numbers are null)."""
    return json.dumps(data, indent=2, allow_nan=False, ensure_ascii=False) + "\n"


def render(
    report: Report, fmt: str, *, locale: str | None = None, babel_optional: bool = False
) -> str:
    r"""The report in one of :data:`FORMATS`: text, Markdown, JSON or HTML.

    Every format shows the report's problems (:class:`~salescore.report.build.Problem`:
    tables without a usable row, heavy rejections, sections left out) before the
    sections, errors first, and each metric's caveat, if it has one, beside its figure.

    Parameters
    ----------
    report : Report
        From :func:`build_report`.
    fmt : {"text", "markdown", "json", "html"}
        The format; the JSON keys are listed on the report's JSON page.
    locale : str, optional
        A CLDR locale (``"sv_SE"``, ``"de"``, ``"en-US"``) whose conventions the text,
        Markdown and HTML numbers follow, money with the symbol of the report's
        currency and no decimals (Swedish ``1 234 567 kr``); the header names it.
        Needs Babel (``pip install '.[locale]'`` in a clone of salescore). Dates stay
        ISO 8601 and JSON is the same in every locale. None (default): ``1,234,567``.
    babel_optional : bool, default False
        Without Babel installed, write the numbers in the default format and say so
        in the header, rather than raise.

    Returns
    -------
    str
        The whole document.

    Raises
    ------
    InvalidInputError
        ``report`` is not a :class:`~salescore.report.build.Report`, ``fmt`` is not
        one of :data:`FORMATS`, ``locale`` is not a locale CLDR knows, or Babel is
        not installed (unless ``babel_optional``).

    Notes
    -----
    The numbers are Babel's, with CLDR's characters: Swedish groups thousands with a
    no-break space (U+00A0) and French with a narrow one (U+202F), so that an amount
    is never broken across lines; the text and Markdown keep them.

    Examples
    --------
    >>> import json
    >>> from salescore.report import build_report, demo_inputs
    >>> from salescore.report.render import render
    >>> report = build_report(demo_inputs())
    >>> print("\n".join(render(report, "text").splitlines()[:4]))
    salescore report: as of 2026-01-01, the sample CRM (salescore.datasets.sample)
    ==============================================================================
    Amounts in EUR, converted at the rate in force on each deal's close date (the sample's rates).
    Fiscal year from 1 April, named by the year it ends in (FY2026: 2025-04-01 to 2026-03-31).
    >>> json.loads(render(report, "json"))["sections"]["forecast"]["metrics"]["open_deals"]
    450
    >>> "Numbers as written in sv_SE." in render(report, "text", locale="sv_SE").splitlines()
    True
    """
    if not isinstance(report, Report):
        raise InvalidInputError(
            f"report must be a Report (from build_report); got {type(report).__name__} "
            f"{report!r:.60}"
        )
    if not isinstance(fmt, str) or fmt not in FORMATS:  # type: ignore[redundant-expr]
        raise InvalidInputError(
            f"fmt must be one of {', '.join(map(repr, FORMATS))}; got {fmt!r:.60}"
        )
    data = report.to_dict()
    style = _style(data, locale, babel_optional)
    if fmt == "html":
        return _html(report, data, style)
    renderers: dict[str, Callable[[dict[str, Any]], str]] = {
        "text": lambda data: _text(data, style),
        "markdown": lambda data: _markdown(data, style),
        "json": render_json,
    }
    if fmt not in renderers:
        raise InvalidInputError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    return renderers[fmt](data)
