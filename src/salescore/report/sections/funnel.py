"""The Funnel section: conversion and leaks by stage, time in stage, loss reasons."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from ... import pipeline as _pipeline
from ..._arrays import utc_naive
from ..._tables import counted
from .. import _checks
from .._plain import table
from ._common import (
    Section,
    _optional,
    _own_words,
    _utc_naive,
)

__all__ = ["funnel_section", "funnel_stages"]


def funnel_stages(history: pd.DataFrame, deals: pd.DataFrame | None = None) -> tuple[str, ...]:
    """The funnel's order guessed from the history: stages by their mean step number.

    The stages won deals are in come last; the stages only lost deals are in, and
    stages whose name says "lost", are left out (a lost deal counts at the furthest
    stage it reached). A table that does not fit its canonical table raises
    :class:`~salescore.SchemaError`.
    """
    history = _checks.frame("history", history, "stage_history")
    deals = _checks.frame("deals", deals, "deals", optional=True)
    ordered = history.sort_values(["deal_id", "entered"], kind="stable")
    step = ordered.groupby("deal_id", sort=False).cumcount()
    mean_step = step.groupby(ordered["stage"]).mean().sort_values(kind="stable")
    won: set[str] = set()
    lost: set[str] = set()
    if deals is not None and {"stage", "status"} <= set(deals.columns):
        stage_of = deals["stage"].astype(str)
        won = set(stage_of[deals["status"] == "won"])
        lost = set(stage_of[deals["status"] == "lost"]) - won
        lost -= set(stage_of[deals["status"] == "open"])
    names = [str(s) for s in mean_step.index]
    kept = [s for s in names if s not in lost and "lost" not in s.lower()]
    return tuple([s for s in kept if s not in won] + [s for s in kept if s in won])


@_own_words
def funnel_section(
    history: pd.DataFrame | None,
    deals: pd.DataFrame | None,
    *,
    as_of: pd.Timestamp,
    stages: Sequence[str] | None,
) -> Section:
    """Conversion and leaks by stage, time in stage, and why deals are lost."""
    section = Section(key="funnel", title="Funnel")
    as_of = utc_naive(pd.Timestamp(as_of))
    if deals is not None:
        deals = _utc_naive(deals, "close_date", "created")
    if history is not None and len(history):
        order = tuple(stages) if stages else funnel_stages(history, deals)
        if not stages:
            section.notes.append(
                "Stage order taken from the history (pass --stages to set it): " + " > ".join(order)
            )
        funnel = _pipeline.stage_funnel(history, stages=order, other_stages="ignore")
        section.charts["funnel"] = funnel
        section.tables["stages"] = table(
            funnel[["reached", "advanced", "conversion", "dropped", "in_progress", "median_days"]]
        )
        leaks = funnel["drop_share"].iloc[:-1].dropna()
        if len(leaks):
            section.metrics["biggest_leak_stage"] = str(leaks.idxmax())
            section.metrics["biggest_leak_share"] = float(leaks.max())
        first, last = funnel["reached"].iloc[0], funnel["reached"].iloc[-1]
        section.metrics["funnel_conversion"] = float(last / first) if first else None
        spells = _pipeline.time_in_stage(history, as_of=as_of).reset_index()
        current = spells[spells["current_days"].notna() & spells["stage"].isin(order[:-1])]
        typical = funnel["median_days"]
        rows = []
        for stage in order[:-1]:
            days = current.loc[current["stage"] == stage, "current_days"]
            limit = 2.0 * float(typical.get(stage, np.nan))
            rows.append(
                {
                    "stage": stage,
                    "open_deals": len(days),
                    "median_days_in_stage": float(days.median()) if len(days) else np.nan,
                    "stalled": int((days > limit).sum()) if np.isfinite(limit) else 0,
                }
            )
        waiting = pd.DataFrame(rows).set_index("stage")
        section.tables["open_deals_in_stage"] = table(waiting)
        section.metrics["stalled_deals"] = int(waiting["stalled"].sum())
    if deals is not None and "lost_reason" in deals.columns:
        lost = deals["status"] == "lost"
        closes = (
            deals["close_date"]
            if "close_date" in deals.columns  # an optional column: every deal is undated
            else pd.Series(pd.NaT, index=deals.index, dtype="datetime64[ns]")
        )
        # Loss reasons are counted month by month: a lost deal needs its close date.
        undated = lost & closes.isna()
        # The report looks back from its date: losses after it are not known yet.
        later = lost & ~undated & (closes >= as_of)
        dated = deals.loc[~undated & ~later]
        n_undated = int(undated.sum())
        if later.any():
            section.notes.append(
                f"{counted(int(later.sum()), 'lost deal')} closed on or after the report date "
                f"{'is' if int(later.sum()) == 1 else 'are'} left out of the loss reasons."
            )
        if n_undated:
            section.notes.append(
                f"{counted(n_undated, 'lost deal')} without a close date "
                f"{'is' if n_undated == 1 else 'are'} left out of the loss reasons, which "
                "are counted month by month."
            )
    else:
        dated, n_undated = None, 0
    if dated is not None and (dated["status"] == "lost").any():
        losses = _pipeline.loss_reasons(dated, **_optional(dated, "created", "deal_id"))
        section.charts["losses"] = losses
        counts: Any = losses["count"]
        totals: pd.Series[float] = counts.sum().sort_values(ascending=False)
        reasons = pd.DataFrame({"lost": totals, "share": totals / totals.sum()})
        reasons.index.name = "reason"
        section.tables["loss_reasons"] = table(reasons)
        section.metrics["lost_deals"] = int(totals.sum())
        if n_undated:
            section.flag(
                f"leaves out {counted(n_undated, 'lost deal')} without a close date", "lost_deals"
            )
        # A spike: the month and reason furthest above that reason's typical month.
        grid = counts.to_numpy(dtype=np.float64)
        usual = np.median(grid, axis=0) if len(grid) else np.zeros(grid.shape[1])
        ratio = np.full(grid.shape, np.nan)
        np.divide(grid, usual, out=ratio, where=usual > 0)
        if np.isfinite(ratio).any():
            row, col = np.unravel_index(int(np.nanargmax(ratio)), ratio.shape)
            if ratio[row, col] >= 2.0:
                section.metrics["loss_spike_period"] = str(counts.index[row])
                section.metrics["loss_spike_reason"] = str(counts.columns[col])
                section.metrics["loss_spike_count"] = int(grid[row, col])
    return section
