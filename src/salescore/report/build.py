"""Assemble the report: every section whose data was given, in a fixed order.

Besides the sections, the report lists its **problems** (:class:`Problem`, in
:mod:`.problems` with the rules that find them), shown before the sections in every
format: tables without a usable row, heavy rejections, sections left empty by
rejected rows or left out.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any, Final

import attrs
import numpy as np
import pandas as pd

from .._arrays import option_number, utc_naive
from .._tables import counted
from .._version import __version__
from ..errors import InvalidInputError, SalescoreError
from ..fiscal import FiscalCalendar
from ..pipeline import presets as _presets
from ..pipeline.probabilities import fill_probabilities
from . import _checks
from ._calendar import calendar_text
from .data import DEFAULT_TARGETS
from .inputs import Inputs, _optional_calendar
from .problems import (
    _REASONS_SHOWN,
    EMPTY_SECTIONS,
    REJECTED_SHARE,
    SECTION_TABLES,
    Problem,
    _emptied,
    _optional_text,
    _problems,
    _text,
)
from .problems import PROBLEM_KINDS as PROBLEM_KINDS
from .sections import (
    Section,
    _monthly,
    _months,
    accounts_section,
    accuracy_section,
    forecast_section,
    funnel_section,
    leads_section,
    months_text,
    retention_section,
    team_section,
    value_section,
)

__all__ = [
    "EMPTY_SECTIONS",
    "ORDER",
    "PROBABILITY_PRESETS",
    "REJECTED_SHARE",
    "SECTION_TABLES",
    "Assumptions",
    "Problem",
    "Report",
    "build_report",
]

#: The sections' keys, in the order they are shown.
ORDER: Final = (
    "forecast",
    "accuracy",
    "funnel",
    "leads",
    "accounts",
    "retention",
    "value",
    "team",
)

#: ``Assumptions.probabilities`` → (the vendor's name, its default stage probabilities
#: from :mod:`salescore.pipeline.presets`).
PROBABILITY_PRESETS: Final[Mapping[str, tuple[str, Mapping[str, float]]]] = {
    "salesforce": ("Salesforce", _presets.SALESFORCE_STAGE_PROBABILITIES),
    "hubspot": ("HubSpot", _presets.HUBSPOT_STAGE_PROBABILITIES),
    "suitecrm": ("SuiteCRM", _presets.SUITECRM_STAGE_PROBABILITIES),
    "espocrm": ("EspoCRM", _presets.ESPOCRM_STAGE_PROBABILITIES),
}


def _fraction(value: object) -> float:
    number = option_number("margin", value)
    if not 0.0 <= number <= 1.0:
        raise InvalidInputError(f"margin must be a fraction in [0, 1]; got {value!r:.60}")
    return number


def _cost(value: object) -> float:
    number = option_number("seller_cost", value)
    if not 0.0 <= number < math.inf:
        raise InvalidInputError(f"seller_cost must be a finite number >= 0; got {value!r:.60}")
    return number


def _rate(value: object) -> float:
    number = option_number("discount_rate", value)
    if not 0.0 <= number < math.inf:
        raise InvalidInputError(f"discount_rate must be a finite number >= 0; got {value!r:.60}")
    return number


def _preset(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None and (not isinstance(value, str) or value not in PROBABILITY_PRESETS):
        raise InvalidInputError(
            f"{attribute.name} must be one of {', '.join(PROBABILITY_PRESETS)} or None; "
            f"got {value!r}"
        )


@attrs.frozen(kw_only=True)
class Assumptions:
    """What the report assumes where the data is silent.

    ``margin``, ``seller_cost`` and ``discount_rate`` are the Value section's;
    ``probabilities`` names a vendor's default stage probabilities
    (:data:`PROBABILITY_PRESETS`) that fill the probability of every open deal
    without one, or is ``None`` to fill nothing. ``margin`` is a fraction in [0, 1];
    ``seller_cost`` and ``discount_rate`` are finite numbers >= 0; anything else is
    refused with :class:`~salescore.InvalidInputError` naming the field.
    """

    margin: float = attrs.field(default=0.3, converter=_fraction)
    seller_cost: float = attrs.field(default=90_000.0, converter=_cost)
    discount_rate: float = attrs.field(default=0.1, converter=_rate)
    probabilities: str | None = attrs.field(default=None, validator=_preset)


def _as_of(value: object) -> pd.Timestamp:
    return _checks.report_date("as_of", value)


def _quota(value: object) -> float | None:
    return None if value is None else _checks.finite("quota", value)


def _imports(value: object) -> list[dict[str, Any]]:
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise InvalidInputError(
            f"imports must be a list of dicts (Import.to_dict()); got {value!r:.60}"
        )
    return value


def _sections(value: object) -> dict[str, Section]:
    if not isinstance(value, dict) or not all(
        isinstance(key, str) and isinstance(section, Section) for key, section in value.items()
    ):
        raise InvalidInputError(
            f"sections must be a dict of section key to Section; got {value!r:.60}"
        )
    return value


def _skipped(value: object) -> dict[str, str]:
    if not isinstance(value, dict) or not all(
        isinstance(key, str) and isinstance(reason, str) for key, reason in value.items()
    ):
        raise InvalidInputError(
            f"skipped must be a dict of section key to reason (str); got {value!r:.60}"
        )
    return value


def _problem_list(value: object) -> list[Problem]:
    if not isinstance(value, list) or not all(isinstance(item, Problem) for item in value):
        raise InvalidInputError(f"problems must be a list of Problem; got {value!r:.60}")
    return value


@attrs.define(kw_only=True)
class Report:
    """The computed report: its header, problems, import summary and sections."""

    as_of: pd.Timestamp = attrs.field(converter=_as_of)
    source: str = attrs.field(validator=_text)
    currency: str | None = attrs.field(validator=_optional_text)
    quota: float | None = attrs.field(converter=_quota)
    imports: list[dict[str, Any]] = attrs.field(converter=_imports)
    sections: dict[str, Section] = attrs.field(converter=_sections)
    skipped: dict[str, str] = attrs.field(factory=dict, converter=_skipped)
    problems: list[Problem] = attrs.field(factory=list, converter=_problem_list)
    rates_file: str | None = attrs.field(default=None, validator=_optional_text)
    calendar: FiscalCalendar | None = attrs.field(default=None, validator=_optional_calendar)

    @property
    def unusable(self) -> list[Problem]:
        """The problems that make the data unusable: tables without a usable row."""
        return [problem for problem in self.problems if problem.kind == "no_rows"]

    def to_dict(self) -> dict[str, Any]:
        """The report as JSON-ready values under stable keys."""
        # "rates" is there only when the amounts were converted.
        rates = {} if self.rates_file is None else {"rates": self.rates_file}
        # "fiscal_calendar" is there only when the report follows one.
        if self.calendar is not None:
            rates["fiscal_calendar"] = calendar_text(self.calendar, self.as_of)
        return {
            "salescore_version": __version__,
            "as_of": self.as_of.date().isoformat(),
            "source": self.source,
            "currency": self.currency,
            **rates,
            "quota": self.quota,
            "problems": [problem.to_dict() for problem in self.problems],
            "imports": self.imports,
            "sections": {key: section.to_dict() for key, section in self.sections.items()},
            "skipped": dict(self.skipped),
        }


def _sellers(inputs: Inputs) -> tuple[float, str | None]:
    """Sellers in the Value section's year, and a note when the headcount is partial.

    A headcount by month is averaged over the same 12 months as the section's other
    figures (the 12 full calendar months before the month of ``as_of``); a month
    without a headcount is unknown, not zero, so the mean is over the months that have
    one, and the note says so. No headcount in any of them gives NaN (the sales cost
    and CAC are then unknown). Without a headcount, the owners of deals are counted.
    """
    headcount = inputs.headcount
    if isinstance(headcount, pd.Series):
        months = _months(utc_naive(inputs.as_of))
        window = months_text(months)
        known = _monthly(headcount).reindex(months).dropna()
        if not len(known):
            return np.nan, (
                f"No headcount for any month of {window}: the sales cost, CAC, CLV:CAC and "
                "payback are unknown (--headcount gives one for every month)."
            )
        mean = float(known.mean())
        if len(known) < len(months):
            return mean, (
                f"Headcount known for {len(known)} of the {len(months)} months of {window}; "
                f"the sellers are the mean of those months ({mean:g})."
            )
        return mean, None
    if headcount is not None:
        return float(headcount), None
    if inputs.deals is not None and "owner" in inputs.deals.columns:
        return float(max(inputs.deals["owner"].nunique(), 1)), None
    return 1.0, None


def _fill_probabilities(deals: pd.DataFrame, name: str) -> tuple[pd.DataFrame, str]:
    """Open deals without a probability take their stage's from a preset; and the note."""
    vendor, stages = PROBABILITY_PRESETS[name]
    source = f"the {vendor} default stage probabilities (--probabilities {name})"
    rows = len(deals)
    is_open = (
        (deals["status"] == "open").to_numpy(dtype=bool)
        if "status" in deals.columns
        else np.ones(rows, dtype=bool)
    )
    probability = (
        deals["probability"].to_numpy(dtype=np.float64, copy=True)
        if "probability" in deals.columns
        else np.full(rows, np.nan)
    )
    missing = is_open & np.isnan(probability)
    if not missing.any():
        return deals, f"Every open deal has a probability of its own: none was taken from {source}."
    todo = deals.loc[missing].assign(probability=np.nan)
    ids = todo["deal_id"] if "deal_id" in todo.columns else pd.Series(todo.index, index=todo.index)
    stage_of = todo["stage"] if "stage" in todo.columns else pd.Series(None, index=todo.index)
    unknown = ~stage_of.isin(list(stages))
    if bool(unknown.any()):
        named = stage_of[unknown].fillna("(no stage)").astype(str)
        unknown_ids = ids[unknown]
        listed = "; ".join(
            f"{stage!r} ({_few(unknown_ids[named == stage])})" for stage in dict.fromkeys(named)
        )
        raise InvalidInputError(
            f"{source} have no probability for the stage of some open deals without one: "
            f"{listed}. Their stages: {', '.join(map(repr, stages))}. Give those deals a "
            "probability, or use the preset of the CRM their stages come from."
        )
    try:
        filled, _ = fill_probabilities(
            todo, stages, deal_id="deal_id" if "deal_id" in deals.columns else None
        )
    except InvalidInputError as error:
        raise InvalidInputError(
            f"{source} cannot fill the open deals without a probability: {error}"
        ) from error
    probability[missing] = filled["probability"].to_numpy(dtype=np.float64)
    counts = todo["stage"].astype(str).value_counts(sort=False)
    used = ", ".join(f"{stage} {stages[stage]:.0%} ({n})" for stage, n in counts.items())
    n = int(missing.sum())
    note = (
        f"{counted(n, 'open deal')} without a probability took {'its' if n == 1 else 'their'} "
        f"stage's from {source}: {used}. These are the vendor's generic guesses, not the "
        "team's own win rates."
    )
    return deals.assign(probability=probability), note


def _few(ids: pd.Series[Any]) -> str:
    """'2 deals: 'D1', 'D2'' with at most three ids."""
    shown = ", ".join(repr(str(i)) for i in ids.iloc[:_REASONS_SHOWN])
    more = " ..." if len(ids) > _REASONS_SHOWN else ""
    return f"{counted(len(ids), 'deal')}: {shown}{more}"


def build_report(inputs: Inputs, *, assumptions: Assumptions | None = None) -> Report:
    """Compute every section whose data is in ``inputs``, and the report's problems.

    A section the data cannot support (say, deals in a shape a table function
    rejects) is left out and named in ``skipped`` with the reason, so that one odd
    table does not cost the whole report. The problems (:class:`Problem`, shown first
    by :func:`render`) name every input table without a usable row, every table that
    lost more than :data:`REJECTED_SHARE` of its rows, every section a table that lost
    rows leaves empty (:data:`EMPTY_SECTIONS`), and every section left out.

    Parameters
    ----------
    inputs : Inputs
        The tables, from :func:`load_inputs` or :func:`demo_inputs`.
    assumptions : Assumptions, keyword-only, optional
        Margin, seller cost and discount rate of the Value section (stated in it), and
        the stage probabilities, if any, that fill the open deals' missing
        probabilities (stated in the Forecast section).

    Returns
    -------
    Report
        The sections in :data:`ORDER`, the problems, the import summary and the
        skipped sections.

    Raises
    ------
    InvalidInputError
        ``inputs`` is not an :class:`~salescore.report.data.Inputs`, ``assumptions``
        not an :class:`Assumptions` (or None); or ``assumptions.probabilities`` cannot
        fill a deal: an open deal without a probability has no stage, or a stage the
        preset does not know.

    Examples
    --------
    >>> from salescore.report import build_report, demo_inputs
    >>> report = build_report(demo_inputs())
    >>> list(report.sections), report.skipped, report.problems
    (['forecast', 'accuracy', 'funnel', 'leads', 'accounts', 'retention', 'value', 'team'], {}, [])
    >>> report.sections["forecast"].metrics["open_deals"]  # open deals of the sample
    450

    A table whose every row was rejected is an error the report shows first:

    >>> import pandas as pd
    >>> from salescore.report import Import, Inputs
    >>> empty = Inputs(
    ...     as_of=pd.Timestamp("2026-01-01"), source="csv",
    ...     deals=pd.DataFrame({"deal_id": [], "value": [], "status": []}),
    ...     imports=(Import(table="deals", source="csv", file="deals.csv", rows_in=2,
    ...                     accepted=0, reasons={"value: not a number": 2}),),
    ... )
    >>> [problem.message for problem in build_report(empty).unusable]  # doctest: +ELLIPSIS
    ['No usable row in deals (deals.csv): all 2 rows were rejected (2 x value: not a number), ...']
    """
    if not isinstance(inputs, Inputs):
        raise InvalidInputError(
            "inputs must be an Inputs (from load_inputs or demo_inputs); got "
            f"{type(inputs).__name__} {inputs!r:.60}"
        )
    if assumptions is None:
        assumptions = Assumptions()
    elif not isinstance(assumptions, Assumptions):
        raise InvalidInputError(
            f"assumptions must be an Assumptions or None; got {type(assumptions).__name__} "
            f"{assumptions!r:.60}"
        )
    as_of = inputs.as_of
    filled_note: str | None = None
    if assumptions.probabilities is not None and inputs.deals is not None:
        filled, filled_note = _fill_probabilities(inputs.deals, assumptions.probabilities)
        inputs = attrs.evolve(inputs, deals=filled)
    plans: dict[str, Callable[[], Section] | None] = {
        "forecast": None,
        "accuracy": None,
        "funnel": None,
        "leads": None,
        "accounts": None,
        "retention": None,
        "value": None,
        "team": None,
    }
    deals, history = inputs.deals, inputs.stage_history
    if deals is not None:
        plans["forecast"] = lambda: forecast_section(
            deals, as_of=as_of, quota=inputs.quota, calendar=inputs.calendar
        )
    if inputs.deal_changes is not None:
        changes = inputs.deal_changes
        plans["accuracy"] = lambda: accuracy_section(changes, as_of=as_of, calendar=inputs.calendar)
    if history is not None or deals is not None:
        plans["funnel"] = lambda: funnel_section(history, deals, as_of=as_of, stages=inputs.stages)
    if inputs.leads is not None:
        leads = inputs.leads
        plans["leads"] = lambda: leads_section(leads, as_of=as_of)
    if inputs.accounts is not None:
        accounts = inputs.accounts
        plans["accounts"] = lambda: accounts_section(accounts, as_of=as_of)
    if inputs.transactions is not None or inputs.accounts is not None:
        plans["retention"] = lambda: retention_section(
            inputs.transactions, inputs.accounts, as_of=as_of
        )
    sellers, sellers_note = _sellers(inputs)
    if inputs.transactions is not None:
        tx = inputs.transactions
        plans["value"] = lambda: value_section(
            tx,
            as_of=as_of,
            sellers=sellers,
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
            if isinstance(error, KeyError):
                skipped[key] = f"the data lack the column {error.args[0]!r}"
            else:
                skipped[key] = str(error)
            continue
        if section.metrics or section.tables:
            sections[key] = section
    if filled_note is not None and "forecast" in sections:
        sections["forecast"].notes.insert(0, filled_note)
    if sellers_note is not None and "value" in sections:
        sections["value"].notes.append(sellers_note)
        sections["value"].flag(sellers_note, "sales_cost", "cac", "clv_cac", "payback_months")
    imports = [record.to_dict() for record in inputs.imports]
    planned = tuple(key for key in ORDER if plans[key] is not None)
    lost_some = {
        str(item["table"]): item
        for item in imports
        if 0 < int(item["accepted"]) < int(item["rows_in"])
    }
    changes_lost = lost_some.get("deal_changes")
    if changes_lost is not None and "accuracy" in sections:
        # A rejected change is a state the replay never sees: say so beside every figure.
        n = int(changes_lost["rows_in"]) - int(changes_lost["accepted"])
        sections["accuracy"].flag(
            f"{counted(n, 'change')} of the change history rejected (see Import): the "
            "pipeline rebuilt from it misses them",
            *sections["accuracy"].metrics,
        )
    kept = tuple(key for key in planned if key not in skipped)
    return Report(
        as_of=as_of,
        source=inputs.source,
        currency=inputs.currency,
        quota=inputs.quota,
        imports=imports,
        sections=sections,
        skipped=skipped,
        problems=_problems(imports, planned, skipped, _emptied(inputs, kept, lost_some)),
        rates_file=inputs.rates_file,
        calendar=inputs.calendar,
    )
