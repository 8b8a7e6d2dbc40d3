"""Assemble the report: every section whose data was given, in a fixed order."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

import attrs
import pandas as pd

from .._version import __version__
from ..errors import SalescoreError
from .data import DEFAULT_TARGETS, Inputs
from .sections import (
    Section,
    accounts_section,
    forecast_section,
    funnel_section,
    leads_section,
    retention_section,
    team_section,
    value_section,
)

__all__ = ["ORDER", "Assumptions", "Report", "build_report"]

#: The sections' keys, in the order they are shown.
ORDER: Final = ("forecast", "funnel", "leads", "accounts", "retention", "value", "team")


@attrs.frozen(kw_only=True)
class Assumptions:
    """What the Value section needs and the data does not hold."""

    margin: float = 0.3
    seller_cost: float = 90_000.0
    discount_rate: float = 0.1


@attrs.define(kw_only=True)
class Report:
    """The computed report: its header, import summary and sections."""

    as_of: pd.Timestamp
    source: str
    currency: str | None
    quota: float | None
    imports: list[dict[str, Any]]
    sections: dict[str, Section]
    skipped: dict[str, str] = attrs.field(factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The report as JSON-ready values under stable keys."""
        return {
            "salescore_version": __version__,
            "as_of": self.as_of.date().isoformat(),
            "source": self.source,
            "currency": self.currency,
            "quota": self.quota,
            "imports": self.imports,
            "sections": {key: section.to_dict() for key, section in self.sections.items()},
            "skipped": dict(self.skipped),
        }


def _sellers(inputs: Inputs) -> float:
    headcount = inputs.headcount
    if isinstance(headcount, pd.Series):
        return float(headcount.tail(12).mean())
    if headcount is not None:
        return float(headcount)
    if inputs.deals is not None and "owner" in inputs.deals.columns:
        return float(max(inputs.deals["owner"].nunique(), 1))
    return 1.0


def build_report(inputs: Inputs, *, assumptions: Assumptions | None = None) -> Report:
    """Compute every section whose data is in ``inputs``.

    A section the data cannot support (say, deals in a shape a table function
    rejects) is left out and named in ``skipped`` with the reason, so that one odd
    table does not cost the whole report.

    Parameters
    ----------
    inputs : Inputs
        The tables, from :func:`load_inputs` or :func:`demo_inputs`.
    assumptions : Assumptions, keyword-only, optional
        Margin, seller cost and discount rate of the Value section (stated in it).

    Returns
    -------
    Report
        The sections in :data:`ORDER`, the import summary and the skipped sections.

    Examples
    --------
    >>> from salescore.report import build_report, demo_inputs
    >>> report = build_report(demo_inputs())
    >>> list(report.sections), report.skipped
    (['forecast', 'funnel', 'leads', 'accounts', 'retention', 'value', 'team'], {})
    >>> report.sections["forecast"].metrics["open_deals"]  # open deals of the sample
    446
    """
    assumptions = assumptions or Assumptions()
    as_of = inputs.as_of
    plans: dict[str, Callable[[], Section] | None] = {
        "forecast": None,
        "funnel": None,
        "leads": None,
        "accounts": None,
        "retention": None,
        "value": None,
        "team": None,
    }
    deals, history = inputs.deals, inputs.stage_history
    if deals is not None:
        plans["forecast"] = lambda: forecast_section(deals, as_of=as_of, quota=inputs.quota)
    if history is not None or deals is not None:
        plans["funnel"] = lambda: funnel_section(history, deals, as_of=as_of, stages=inputs.stages)
    if inputs.leads is not None:
        leads = inputs.leads
        plans["leads"] = lambda: leads_section(leads)
    if inputs.accounts is not None:
        accounts = inputs.accounts
        plans["accounts"] = lambda: accounts_section(accounts, as_of=as_of)
    if inputs.transactions is not None or inputs.accounts is not None:
        plans["retention"] = lambda: retention_section(
            inputs.transactions, inputs.accounts, as_of=as_of
        )
    if inputs.transactions is not None:
        tx = inputs.transactions
        plans["value"] = lambda: value_section(
            tx,
            as_of=as_of,
            sellers=_sellers(inputs),
            margin=assumptions.margin,
            seller_cost=assumptions.seller_cost,
            discount_rate=assumptions.discount_rate,
        )
    if deals is not None or inputs.activities is not None:
        plans["team"] = lambda: team_section(
            deals,
            inputs.activities,
            as_of=as_of,
            headcount=inputs.headcount,
            targets=inputs.targets or DEFAULT_TARGETS,
        )
    sections: dict[str, Section] = {}
    skipped: dict[str, str] = {}
    for key in ORDER:
        plan = plans[key]
        if plan is None:
            continue
        try:
            section = plan()
        except (SalescoreError, KeyError) as error:
            reason = error.args[0] if isinstance(error, KeyError) and error.args else error
            skipped[key] = f"{type(error).__name__}: {reason}"
            continue
        if section.metrics or section.tables:
            sections[key] = section
    return Report(
        as_of=as_of,
        source=inputs.source,
        currency=inputs.currency,
        quota=inputs.quota,
        imports=[record.to_dict() for record in inputs.imports],
        sections=sections,
        skipped=skipped,
    )
