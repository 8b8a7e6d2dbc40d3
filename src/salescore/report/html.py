"""The report as one self-contained HTML page, with the charts inlined as PNG.

The charts are drawn by :mod:`salescore.plotting` with matplotlib's Agg backend and
embedded as base64 ``data:`` URIs, so the page needs no other file and no network.
Without matplotlib the page says that the charts need the ``plot`` extra.
"""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Callable
from typing import Any, Final

from ..errors import InvalidInputError
from ._layout import (
    _caveats,
    _cells,
    _count,
    _header,
    _metric,
    _problems,
    _reasons_cell,
    label,
    table_title,
)
from ._numbers import Numbers, numbers, symbol_currency
from .build import Report

__all__ = ["PLOT_HINT", "render_html"]

#: What the page says when matplotlib is not installed.
PLOT_HINT: Final = (
    "Charts need matplotlib, which the plot extra installs: "
    "pip install '.[plot]' in a clone of salescore"
)

_STYLE: Final = """
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 72rem;
       color: #1f2933; padding: 0 1rem; }
h1 { font-size: 1.5rem; } h2 { border-bottom: 2px solid #d9e2ec; padding-bottom: .2rem; }
h3 { font-size: 1rem; margin-top: 1.4rem; }
nav a { margin-right: 1rem; }
table { border-collapse: collapse; margin: .5rem 0; font-size: .9rem; }
th, td { padding: .2rem .6rem; border-bottom: 1px solid #e4e7eb; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
figure { margin: 1rem 0; } figure img { max-width: 100%; height: auto; }
figcaption { font-size: .85rem; color: #52606d; }
.note { color: #52606d; font-size: .9rem; }
#problems { border-left: 4px solid #9b2c2c; background: #fff5f5; padding: .2rem 1rem; }
#problems h2 { border: none; color: #9b2c2c; }
#problems li { margin: .3rem 0; }
td.caveat { color: #9b2c2c; font-size: .85rem; }
"""


def _esc(value: object) -> str:
    return html.escape(str(value), quote=True)


def _charts_for(report: Report) -> list[tuple[str, str, Callable[[], Any]]]:
    """(section, chart name, function drawing it) for every chart the data allows."""
    from .. import plotting
    from ..leads.presets import MIT2007_CONTACT

    found: list[tuple[str, str, Callable[[], Any]]] = []
    sections = report.sections
    if "forecast" in sections and "distribution" in sections["forecast"].charts:
        charts = sections["forecast"].charts
        found.append(
            (
                "forecast",
                "forecast",
                lambda: plotting.forecast_chart(charts["distribution"], quota=charts.get("quota")),
            )
        )
    if "accuracy" in sections:
        charts_a = sections["accuracy"].charts
        if "backtest" in charts_a:
            found.append(
                ("accuracy", "backtest", lambda: plotting.backtest_chart(charts_a["backtest"]))
            )
        if "reliability" in charts_a:
            found.append(
                (
                    "accuracy",
                    "reliability",
                    lambda: plotting.reliability_chart(charts_a["reliability"]),
                )
            )
    if "funnel" in sections:
        charts_f = sections["funnel"].charts
        if "funnel" in charts_f:
            found.append(("funnel", "funnel", lambda: plotting.funnel_chart(charts_f["funnel"])))
        if "losses" in charts_f:
            found.append(
                ("funnel", "losses", lambda: plotting.loss_reasons_chart(charts_f["losses"]))
            )
    if "leads" in sections and "decay_fit" in sections["leads"].charts:
        charts_l = sections["leads"].charts
        found.append(
            (
                "leads",
                "decay",
                lambda: plotting.decay_chart(
                    {
                        "MIT 2007: contact": MIT2007_CONTACT,
                        "Fitted to our leads": charts_l["decay_fit"],
                    },
                    observed=charts_l["decay_observed"],
                ),
            )
        )
    if "accounts" in sections and "plan" in sections["accounts"].charts:
        plan = sections["accounts"].charts["plan"]
        found.append(("accounts", "temperature", lambda: plotting.temperature_map(plan)))
    if "retention" in sections and "cohorts" in sections["retention"].charts:
        cohorts = sections["retention"].charts["cohorts"]
        found.append(("retention", "cohorts", lambda: plotting.cohort_heatmap(cohorts)))
    return found


def _png(draw: Callable[[], Any]) -> str:
    import matplotlib.pyplot as plt

    ax = draw()
    figure = ax.figure
    buffer = io.BytesIO()
    try:
        figure.savefig(buffer, format="png", dpi=90, bbox_inches="tight")
    finally:
        plt.close(figure)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _draw_all(report: Report) -> tuple[dict[str, list[str]], str | None]:
    """Figure HTML per section, or the reason there are no charts."""
    try:
        import matplotlib
    except ImportError:
        return {}, PLOT_HINT
    matplotlib.use("Agg", force=True)
    figures: dict[str, list[str]] = {}
    from ..errors import SalescoreError

    for section, name, draw in _charts_for(report):
        try:
            encoded = _png(draw)
        except (SalescoreError, ValueError) as error:
            figures.setdefault(section, []).append(
                f'<p class="note">The {name} chart could not be drawn: {_esc(error)}</p>'
            )
            continue
        figures.setdefault(section, []).append(
            f'<figure class="chart" data-chart="{name}"><img alt="{name} chart" '
            f'src="data:image/png;base64,{encoded}"></figure>'
        )
    return figures, None


def _table(key: str, data: dict[str, Any], periods: Any, style: Numbers) -> str:
    columns, rows = _cells(key, data, style)
    head = "".join(
        f"<th{'' if i == 0 else ' class=n'}>{_esc(c.replace('_', ' '))}</th>"
        for i, c in enumerate(columns)
    )
    body = "".join(
        "<tr>"
        + "".join(f"<td{'' if i == 0 else ' class=n'}>{_esc(v)}</td>" for i, v in enumerate(r))
        + "</tr>"
        for r in rows
    )
    more = ""
    total = data.get("total_rows")
    if total is not None and total > len(rows):
        more = (
            f'<p class="note">... {total - len(rows)} more ({total} in all; '
            "see the JSON report)</p>"
        )
    return (
        f'<h3>{_esc(table_title(key, periods))}</h3><table data-table="{_esc(key)}">'
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>{more}"
    )


def render_html(report: Report, data: dict[str, Any], *, locale: str | None = None) -> str:
    """The report as a self-contained HTML page.

    ``data`` is ``report.to_dict()``; with a CLDR ``locale`` (``"sv_SE"``) the numbers
    follow its conventions (see :func:`salescore.report.render`). Raises
    :class:`~salescore.InvalidInputError` when ``report`` is not a
    :class:`~salescore.report.Report`, ``data`` not a dict with its keys, ``locale``
    not a locale CLDR knows, or Babel is not installed and a locale is given.
    """
    _checked(report, data)
    currency = symbol_currency(data.get("currency"))
    return _html(report, data, numbers(locale, currency))


def _checked(report: object, data: object) -> None:
    if not isinstance(report, Report):
        raise InvalidInputError(
            f"report must be a Report (from build_report); got {type(report).__name__}"
        )
    needed = ("as_of", "source", "currency", "problems", "imports", "sections")
    if not isinstance(data, dict) or not all(key in data for key in needed):
        raise InvalidInputError(
            "data must be the report's to_dict(), a dict with the keys "
            f"{', '.join(needed)}; got {type(data).__name__} {data!r:.60}"
        )


def _html(report: Report, data: dict[str, Any], style: Numbers) -> str:
    """The page of :func:`render_html`, its numbers written as ``style`` says."""
    _checked(report, data)
    figures, hint = _draw_all(report)
    title, *details = _header(data, style)
    found = _problems(data)
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<link rel="icon" href="data:,">',
        f"<title>{_esc(title)}</title><style>{_STYLE}</style></head><body>",
        f"<header><h1>{_esc(title)}</h1>",
        *(f'<p class="conventions">{_esc(detail)}</p>' for detail in details),
        "<nav>",
        *(['<a href="#problems">Problems</a>'] if found else []),
        *(
            f'<a href="#{_esc(key)}">{_esc(section["title"])}</a>'
            for key, section in data["sections"].items()
        ),
        '<a href="#imports">Import</a></nav></header>',
    ]
    if found:
        items = "".join(
            f'<li class="{severity.lower()}"><strong>{severity}:</strong> {_esc(message)}</li>'
            for severity, message in found
        )
        parts.append(
            '<section id="problems"><h2>Problems (read these before the figures)</h2>'
            f"<ul>{items}</ul></section>"
        )
    if hint is not None:
        parts.append(f'<p class="note" id="plot-hint">{_esc(hint)}</p>')
    for key, section in data["sections"].items():
        parts.append(f'<section id="{_esc(key)}"><h2>{_esc(section["title"])}</h2>')
        parts += figures.get(key, [])
        flagged = _caveats(section)
        rows = "".join(
            f"<tr><th>{_esc(label(k, section.get('periods')))}</th>"
            f"<td class=n>{_esc(_metric(k, v, style))}</td>"
            + (f'<td class="caveat">{_esc(flagged.get(k, ""))}</td>' if flagged else "")
            + "</tr>"
            for k, v in section["metrics"].items()
        )
        parts.append(f'<table class="metrics" data-table="metrics">{rows}</table>')
        parts += [_table(k, t, section.get("periods"), style) for k, t in section["tables"].items()]
        parts += [f'<p class="note">{_esc(note)}</p>' for note in section["notes"]]
        parts.append("</section>")
    rows = "".join(
        "<tr>"
        + "".join(
            f"<td>{_esc(v)}</td>"
            for v in (
                i["table"],
                i["file"],
                _count(i["rows_in"], style),
                _count(i["accepted"], style),
                _count(i["rejected"], style),
                _reasons_cell(i),
            )
        )
        + "</tr>"
        for i in data["imports"]
    )
    parts.append(
        '<section id="imports"><h2>Import</h2><table data-table="imports"><thead><tr>'
        "<th>table</th><th>file</th><th>rows</th><th>accepted</th><th>rejected</th>"
        f"<th>reasons</th></tr></thead><tbody>{rows}</tbody></table></section>"
    )
    parts.append("</body></html>\n")
    return "\n".join(parts)
