"""Was last quarter's forecast right? Past forecasts rebuilt from the change log, and scored.

:func:`backtest_forecast` goes back to the start of each past period, rebuilds the
pipeline as it stood then from the CRM's change history, forecasts the period's
revenue from it (its full distribution, not only its mean) and compares the forecast
with what was won. Nothing known after a snapshot reaches the forecast made at it,
so the score is the one the forecast would have had at the time.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any, Final

import attrs
import numpy as np
import pandas as pd

from .._arrays import FloatArray, coerce, option_count, option_number
from .._tables import plain_sum
from .._timestamps import align_zones
from ..engines import engine_name
from ..errors import InvalidInputError
from ..pipeline import forecast_distribution
from ._backtest_history import (
    PERIOD_COLUMNS,
    check_as_of_field,
    check_deals_table,
    check_groups,
    check_lead,
    check_lead_field,
    check_periods,
    check_periods_table,
    check_rates_table,
    check_source,
    check_source_field,
    crm_probabilities,
    learned_probabilities,
    one_currency,
    period_deals,
    preset_probabilities,
    score_field,
)
from ._backtest_pit import pit_bounds, pit_cdf, pit_histogram
from ._snapshots import PandasSnapshots, Snapshots
from ._window import in_period
from .accuracy import forecast_accuracy
from .calibration import ProbabilityCalibration, probability_calibration

__all__ = ["Backtest", "backtest_forecast"]

_DAY: Final = pd.Timedelta(days=1)
_SLACK: Final = 1e-9  # the share of the forecast's total under which amounts are equal


@attrs.frozen(kw_only=True, eq=False)
class Backtest:
    r"""Past forecasts beside what was won, per period and per deal, with their scores.

    Made by :func:`backtest_forecast`; see there for the definitions.

    Parameters
    ----------
    periods : DataFrame
        One row per period, indexed by ``period`` (its label), with columns ``start``
        and ``end`` (its first and last day), ``snapshot``, ``deals`` (the number of
        deals forecast), ``forecast`` (the mean), ``p10``, ``p50``, ``p90``,
        ``actual``, ``actual_from_pipeline``, ``pit_low``, ``pit_high``, ``pit`` and
        ``in_interval``.
    deals : DataFrame
        One row per deal forecast in a period: ``period``, ``deal_id``, the ``by``
        columns, ``stage`` and ``value`` at the snapshot, the ``probability`` it was
        given, its ``outcome`` (its status at ``as_of``: ``"won"``, ``"lost"`` or
        ``"open"``) and ``won_in_period``.
    rates : DataFrame or None
        With learned probabilities, the win rates learned at each snapshot: one row
        per period, group and stage, the columns of
        :func:`~salescore.forecasting.win_rates.stage_win_rates` after ``period``,
        ``snapshot``, the ``by`` columns and ``stage``. None otherwise.
    probabilities : {"crm", "preset", "learned"}
        Where the deals' probabilities came from.
    lead : Timedelta
        How long before each period's first day its snapshot was taken.
    as_of : Timestamp
        The moment at which the actuals were read.
    wape, bias : float
        Over all periods: the weighted absolute percentage error and the bias of the
        forecast means against ``actual``.
    bias_pipeline : float
        The bias of the forecast means against ``actual_from_pipeline``: whether the
        probabilities were too high or too low for the deals they were given to.
    coverage : float
        The share of periods whose ``actual_from_pipeline`` fell in the P10–P90
        interval.
    brier : float
        The Brier score of the deals' probabilities against their eventual outcomes,
        over the rows of ``deals`` won or lost by ``as_of``: a deal forecast in two
        periods counts twice (NaN without them).

    Raises
    ------
    InvalidInputError
        A field that is not what it says above: ``periods`` or ``deals`` not a
        DataFrame with flat, distinct column names including the columns above,
        ``pit_low`` and ``pit_high`` not numbers in [0, 1] with ``pit_low <=
        pit_high``, a deal's ``probability`` not a number in [0, 1] or its
        ``outcome`` not ``"won"``, ``"lost"`` or ``"open"``; ``rates`` not a
        DataFrame (with ``period``, ``snapshot`` and ``stage``) with learned
        probabilities or not None without them; ``probabilities`` not one of its
        three names; ``lead`` not a Timedelta >= 0; ``as_of`` not a Timestamp; a
        score that is not a real number within float range (NaN allowed), or
        ``wape`` < 0, or ``coverage`` or ``brier`` outside [0, 1].

    See Also
    --------
    backtest_forecast : builds this record.
    """

    periods: pd.DataFrame = attrs.field(validator=check_periods_table)
    deals: pd.DataFrame = attrs.field(validator=check_deals_table)
    rates: pd.DataFrame | None = attrs.field(default=None, repr=False, validator=check_rates_table)
    probabilities: str = attrs.field(validator=check_source_field)
    lead: pd.Timedelta = attrs.field(validator=check_lead_field)
    as_of: pd.Timestamp = attrs.field(validator=check_as_of_field)
    wape: float = attrs.field(converter=score_field("wape", 0.0, math.inf))  # type: ignore[misc]
    bias: float = attrs.field(converter=score_field("bias", -math.inf, math.inf))  # type: ignore[misc]
    bias_pipeline: float = attrs.field(converter=score_field("bias_pipeline", -math.inf, math.inf))  # type: ignore[misc]
    coverage: float = attrs.field(converter=score_field("coverage", 0.0, 1.0))  # type: ignore[misc]
    brier: float = attrs.field(converter=score_field("brier", 0.0, 1.0))  # type: ignore[misc]

    @property
    def open_deals(self) -> int:
        """The rows of ``deals`` still open at ``as_of``: left out of the Brier score."""
        return int((self.deals["outcome"] == "open").sum())

    @property
    def summary(self) -> pd.Series[Any]:
        """The overall scores, as a Series named after the probabilities' source.

        Its entries: ``periods``, ``deals``, ``open_deals``, ``wape``, ``bias``,
        ``bias_pipeline``, ``coverage`` and ``brier``.
        """
        return pd.Series(
            {
                "periods": len(self.periods),
                "deals": len(self.deals),
                "open_deals": self.open_deals,
                "wape": self.wape,
                "bias": self.bias,
                "bias_pipeline": self.bias_pipeline,
                "coverage": self.coverage,
                "brier": self.brier,
            },
            dtype=object,
            name=self.probabilities,
        )

    def calibration(self, bins: int | Sequence[float] = 10) -> ProbabilityCalibration:
        """The calibration of the deals' probabilities against their eventual outcomes.

        Parameters
        ----------
        bins : int or sequence of float, default 10
            The probability bins, as :func:`probability_calibration` takes them.

        Returns
        -------
        ProbabilityCalibration
            :func:`probability_calibration` of the rows of ``deals`` won or lost by
            ``as_of`` (won: True): its Brier score is ``brier``, split into
            reliability, resolution and uncertainty.
        """
        edges: Any = bins
        if isinstance(bins, (np.ndarray, list, tuple)):
            # Edges are read as numbers here, so that none is rounded or cast silently.
            (edges,), _ = coerce(bins=bins)
        scored = self.deals[self.deals["outcome"] != "open"]
        return probability_calibration(
            scored["probability"].to_numpy(dtype=np.float64),
            (scored["outcome"] == "won").to_numpy(dtype=bool),
            bins=edges,
        )

    def pit_cdf(self, u: Any) -> FloatArray:
        r"""The mean non-randomised PIT distribution function over the periods.

        Parameters
        ----------
        u : float or array_like
            Points in [0, 1].

        Returns
        -------
        ndarray
            :math:`\bar F(u) = \frac1n \sum_i F_i(u)`, where :math:`F_i` is uniform on
            period :math:`i`'s ``[pit_low, pit_high]`` (a step at ``pit_low`` when the
            two are equal). Calibrated forecasts give :math:`\bar F(u) \approx u`.
        """
        (values,), _ = coerce(u=u)
        points = np.atleast_1d(np.asarray(values, dtype=np.float64))
        if not bool(((points >= 0.0) & (points <= 1.0)).all()):
            raise InvalidInputError(f"u must be numbers in [0, 1]; got {u!r:.60}")
        return pit_cdf(*self._pit(), points)

    def pit_histogram(self, bins: int = 10) -> pd.DataFrame:
        """The non-randomised PIT histogram over the periods (Czado, Gneiting & Held 2009).

        Parameters
        ----------
        bins : int, default 10
            The number of bins of equal width on [0, 1], from 1 to 1,000.

        Returns
        -------
        DataFrame
            Indexed by ``bin`` (1, 2, …), with columns ``lower``, ``upper``, ``share``
            (the mass of :meth:`pit_cdf` in the bin; the shares sum to 1) and
            ``expected`` (``1 / bins``, the share of calibrated forecasts).
        """
        count = option_count("bins", bins, maximum=1_000)
        if count < 1:
            raise InvalidInputError(f"bins must be at least 1; got {count}")
        return pit_histogram(*self._pit(), count)

    def _pit(self) -> tuple[FloatArray, FloatArray]:
        low = self.periods["pit_low"].to_numpy(dtype=np.float64)
        return low, self.periods["pit_high"].to_numpy(dtype=np.float64)


def backtest_forecast(
    changes: pd.DataFrame,
    *,
    periods: Sequence[Any] | pd.PeriodIndex,
    lead: str | pd.Timedelta = "0D",
    probabilities: str | Mapping[str, float] | pd.Series[float] = "crm",
    by: str | Sequence[str] | None = None,
    as_of: Any = None,
    confidence: float = 0.95,
) -> Backtest:
    r"""Past periods' forecasts, rebuilt from the change log, beside what was won.

    For each period, the pipeline is rebuilt as it stood at a snapshot ``lead``
    before the period's first day; its open deals expected to close in the period
    are forecast — the distribution of their revenue, when each closes independently
    with its probability — and the forecast is compared with the value of the deals
    won with a close date in the period, all of them (``actual``) and those of the
    forecast (``actual_from_pipeline``). Over the periods: the weighted absolute
    percentage error and bias of the forecast means against the actual, how often
    what the forecast's deals produced fell in the P10–P90 interval, the PIT values
    that tell whether the distributions were calibrated, and the Brier score of the
    deals' probabilities against their eventual outcomes.

    Parameters
    ----------
    changes : DataFrame or engine frame
        Canonical deal changes (:data:`salescore.schema.TABLES` ``["deal_changes"]``):
        one row per change of a deal, holding its whole state after the change; read
        with :func:`~salescore.forecasting.changes.pipeline_as_of`, which checks it.
        On a Polars, DuckDB, Dask or PySpark frame the log is checked and each
        snapshot's deals are found in the engine (see Notes).
    periods : list or PeriodIndex, keyword-only
        The periods to backtest, each a pandas Period of whole days, text that
        :class:`pandas.Period` reads (``"2026Q1"``, ``"2026-03"``), or a tuple of its
        first and last day, both inclusive; a list of them or a PeriodIndex (a tuple
        of periods is refused: a tuple is one period). Each period must have ended
        by ``as_of``; periods may overlap, but not repeat.
    lead : str or Timedelta, keyword-only, default "0D"
        How long before a period's first day (at midnight) its snapshot is taken: a
        duration >= 0, such as ``"14D"``. With ``"0D"``, changes made at midnight of
        the first day are part of the snapshot.
    probabilities : "crm", "learned", mapping or Series, keyword-only, default "crm"
        Each deal's probability of closing: ``"crm"`` the probability the change log
        held for it at the snapshot; a mapping or Series from stage to probability (a
        preset such as
        :data:`~salescore.pipeline.presets.SALESFORCE_STAGE_PROBABILITIES`, applied to
        every deal with :func:`~salescore.fill_probabilities`); ``"learned"`` its
        stage's win rate learned at the snapshot from the deals closed by then (see
        Notes).
    by : str, list of str or None, keyword-only, default None
        With ``"learned"`` only: column(s) of ``changes`` (``"source"``, ``"owner"``
        …) by which the win rates are learned and applied. Each deal takes the rate
        of its group and stage, its group being the one its last row up to the
        snapshot holds, for the deals forecast and the closed deals learned from
        alike. A missing label is a group of its own. Renewals, say, win far more
        often than new business at the same stage: one rate per stage pools them.
    as_of : str, datetime, date, Timestamp or numpy.datetime64, keyword-only, optional
        When the actuals are read: the deals' states at this moment (a date means
        its midnight). By default the last ``changed_at`` of the log. Deals marked won
        after ``as_of`` are not in the actuals, whatever their close date.
    confidence : float, keyword-only, default 0.95
        With ``"learned"``: the confidence of the learned win rates' intervals (in
        ``rates``); they do not change the forecast.

    Returns
    -------
    Backtest
        ``periods`` (one row per period, in the order given), ``deals`` (one row per
        deal forecast in a period, with its ``outcome`` at ``as_of``), ``rates`` (the
        learned win rates, or None), the ``probabilities`` used (``"crm"``,
        ``"preset"`` or ``"learned"``), and the overall ``wape``, ``bias``,
        ``bias_pipeline``, ``coverage`` and ``brier``; ``open_deals`` counts the
        rows of deals left out of the Brier score, ``calibration()`` splits it into
        reliability and resolution, ``pit_histogram`` and ``pit_cdf`` read the PIT
        values over the periods.

    Raises
    ------
    SchemaError
        ``changes`` lacks a column read, or one is of the wrong dtype: the
        ``probability`` column with ``"crm"``, ``stage`` with a preset or
        ``"learned"``, a ``by`` column.
    InvalidInputError
        A bad change log (see :func:`~salescore.forecasting.changes.pipeline_as_of`);
        no periods, a period repeated, one that is not a period, or one ending after
        ``as_of``; a ``lead`` that is not a duration >= 0; ``probabilities`` of
        another kind, or a preset that is not stage → fraction; ``by`` without
        ``"learned"``, not a column name or list of them, or naming ``deal_id``,
        ``changed_at`` or ``stage``; a ``confidence`` outside (0, 1). In a period
        (named with its snapshot): a deal forecast without a CRM probability
        (``"crm"``), without a stage or with one the preset lacks, or in a stage (of
        its group, with ``by``) no deal closed by the snapshot had reached
        (``"learned"``: its win rate is unknown, and it is not guessed); with
        ``"learned"``, an open row without a stage among the rows rates are learned
        from; deals in more than one currency (a missing currency counts as one).
        The messages name the deals.

    See Also
    --------
    forecast_distribution : the distribution of one pipeline's revenue.
    probability_calibration : the Brier score and reliability of probabilities.
    stage_win_rates : a team's own win rates per stage.

    Notes
    -----
    For a period :math:`P` with first day :math:`d_P`, the snapshot is
    :math:`t_P = d_P - \text{lead}`. Its deals :math:`D_P` are those open at
    :math:`t_P` with a close date in :math:`P` (as the log held them at
    :math:`t_P`); with value :math:`v_i` and probability :math:`p_i` at
    :math:`t_P`, the forecast is :math:`S_P = \sum_{i \in D_P} v_i B_i`, with
    independent :math:`B_i \sim \mathrm{Bernoulli}(p_i)`. The actual :math:`A_P` is
    the value at ``as_of`` of the deals won at ``as_of`` with a close date in
    :math:`P` — deals created or pulled into :math:`P` after the snapshot included,
    so that ``actual - actual_from_pipeline`` measures what the pipeline missed;
    :math:`A^D_P`, ``actual_from_pipeline``, is the part of :math:`A_P` from deals
    of :math:`D_P`. A deal of :math:`D_P` is ``won_in_period`` when it is won at
    ``as_of`` with a close date in :math:`P` (a deal won after slipping to a later
    period is not); its ``outcome`` is its status at ``as_of``.

    *No look-ahead.* Only the rows with ``changed_at`` at or before :math:`t_P` are
    read for the forecast of :math:`P`, learned win rates included: later changes
    and outcomes cannot move it. With ``"learned"``, the deals closed (won or lost)
    at :math:`t_P` give each stage's win rate, :math:`P(\text{won} \mid
    \text{reached stage})`, by :func:`stage_win_rates`; a deal's visits are read
    from its rows up to :math:`t_P`, consecutive open rows in one stage making one
    visit (a closed deal's own stage, such as "Closed Won", counts as reached too,
    as :func:`stage_win_rates` counts a deal's current stage; no open deal is in
    it). With ``by``, the rates are :math:`P(\text{won} \mid \text{reached stage},
    \text{group})`, the group of every deal read from its rows up to :math:`t_P`
    too: a deal that changes group later is learned from and forecast in the group
    it was in. A deal forecast in a stage (of its group) that no deal closed by
    :math:`t_P` had reached is refused rather than given a guessed rate: backtest
    later periods, when the team has a history, group by fewer columns, or use a
    preset.

    The log is checked whole (as :func:`pipeline_as_of` checks it), and the state
    at each snapshot is rebuilt from the rows up to it, so the work grows with the
    number of periods times the rows of the log. On an engine frame the check and
    each snapshot's rows in force are queries run where the log lives, and only the
    deals existing at each snapshot come back to pandas; for ``"learned"``, one
    grouped query also brings back each deal's first open row per stage (one row per
    deal and stage: which stages a deal reached is all the win rates read). The
    result is that of the same log in pandas, except the order of the rows of
    ``rates`` among stages first entered at one moment, and that a refused row
    without a stage is named by its deal.

    *Scores.* With :math:`\mu_P` the forecast mean over the periods,

    .. math::

        \mathrm{WAPE} = \frac{\sum_P |\mu_P - A_P|}{\sum_P A_P}, \qquad
        \mathrm{bias} = \frac{\sum_P (\mu_P - A_P)}{\sum_P A_P},

    NaN when nothing was won: what a manager compares, the forecast with all that
    was won. ``bias_pipeline`` is the bias with :math:`A^D_P` for :math:`A_P`:
    the error of the probabilities themselves, apart from the business created or
    pulled in after the snapshot. The distribution :math:`S_P` models only the
    deals of :math:`D_P`, so it is judged against what they produced:
    ``in_interval`` is :math:`Q(0.1) \le A^D_P \le Q(0.9)`, and ``coverage`` its
    share of periods (at least 0.8 for calibrated forecasts, more when the revenue
    moves in large steps, since the interval holds its ends); against :math:`A_P` a
    growing team's forecasts would look too low however good their probabilities.
    The forecast is discrete, so its distribution function :math:`F` jumps; the PIT
    is the interval ``pit_low`` :math:`= F(A^{D-}_P) = P(S_P < A^D_P)`, ``pit_high``
    :math:`= F(A^D_P)`, and ``pit`` its midpoint. Read as uniform on that interval
    (the non-randomised PIT of Czado, Gneiting & Held), the PIT of calibrated
    forecasts is uniform over periods: :meth:`Backtest.pit_histogram` is flat.
    Amounts within :math:`10^{-9}` of the larger of the total and the actual count
    as equal (sums of the same values in another order), and with more than 16
    uncertain deals the distribution is a lattice whose value error widens the PIT
    interval so that it contains the true one.

    The Brier score answers "is 60 % at Proposal true?": it is that of
    :func:`probability_calibration` over the rows of ``deals`` whose deal was won or
    lost by ``as_of``, on that eventual outcome, :math:`\frac1n \sum (p_i -
    o_i)^2` with :math:`o_i = 1` for won. A CRM's or a stage's probability is the
    chance to win at all, not to win within the period; a deal won after slipping
    is a hit for it. Slippage is measured apart, by the period columns (a deal
    forecast in a period it was not won in) and by
    :func:`~salescore.forecasting.slippage.close_date_slippage`. Deals still open at
    ``as_of`` have no outcome yet: they are left out and counted in
    ``open_deals`` (``won_in_period`` is kept in ``deals``).

    References
    ----------
    .. [1] C. Czado, T. Gneiting and L. Held, "Predictive model assessment for count
       data", Biometrics 65(4):1254-1261, 2009.
    .. [2] T. Gneiting, F. Balabdaoui and A. E. Raftery, "Probabilistic forecasts,
       calibration and sharpness", Journal of the Royal Statistical Society B
       69(2):243-268, 2007.

    Examples
    --------
    Two deals expected to close in March 2026, at 50 % each in the CRM on March 1:
    D1 was won, D2 slipped to April.

    >>> import pandas as pd
    >>> from salescore.forecasting.backtest import backtest_forecast
    >>> changes = pd.DataFrame({
    ...     "deal_id": ["D1", "D2", "D1", "D2"],
    ...     "changed_at": pd.to_datetime(["2026-02-01", "2026-02-02", "2026-03-20", "2026-03-25"]),
    ...     "stage": ["Proposal", "Proposal", "Closed Won", "Proposal"],
    ...     "value": [100.0, 300.0, 100.0, 300.0],
    ...     "probability": [0.5, 0.5, 1.0, 0.5],
    ...     "close_date": pd.to_datetime(["2026-03-15", "2026-03-31", "2026-03-20", "2026-04-30"]),
    ...     "status": ["open", "open", "won", "open"],
    ... })
    >>> result = backtest_forecast(changes, periods=["2026-03"], as_of=pd.Timestamp("2026-04-01"))
    >>> result.periods[["deals", "forecast", "p10", "p90", "actual", "pit", "in_interval"]]
            deals  forecast  p10    p90  actual   pit  in_interval
    period
    2026-03      2     200.0  0.0  400.0   100.0  0.375         True
    >>> result.deals[["deal_id", "probability", "outcome", "won_in_period"]]
      deal_id  probability outcome  won_in_period
    0      D1          0.5     won           True
    1      D2          0.5    open          False
    >>> float(result.bias), float(result.brier), result.open_deals
    (1.0, 0.25, 1)

    D2 is still open on April 1: the Brier score is D1's alone, :math:`(0.5 - 1)^2`.
    """
    windows = check_periods(periods)
    duration = check_lead(lead)
    source, table = check_source(probabilities)
    groups = check_groups(by, source)
    level = option_number("confidence", confidence)
    if not 0.0 < level < 1.0:
        raise InvalidInputError(f"confidence must be in (0, 1), such as 0.95; got {confidence!r}")
    needed = ["probability"] if source == "crm" else ["stage"]
    learned = source == "learned"
    engine = engine_name(changes)
    log: Snapshots
    if engine is not None:  # the snapshots found in the engine
        from ._snapshots_engine import EngineSnapshots

        log = EngineSnapshots(changes, engine, needed, groups, learned, as_of)
    else:
        log = PandasSnapshots(changes, needed, groups, learned, as_of)
    stamp, final = log.as_of, log.final

    rows, deal_rows, rate_tables = [], [], []
    for name, first, last in windows:
        after, read_at = align_zones(last + _DAY, stamp)
        if after > read_at:
            raise InvalidInputError(
                f"periods: {name} ends on {last:%Y-%m-%d}, after as_of ({stamp}): its "
                "actual is not known yet; backtest only periods that have ended"
            )
        snapshot = first - duration
        context = f"period {name} (snapshot {snapshot})"
        # No look-ahead: the forecast reads the rows up to the snapshot, and only them.
        state = log.state(snapshot)
        forecast = state[(state["status"] == "open") & in_period(state["close_date"], first, last)]
        forecast = forecast.reset_index(drop=True)
        if learned:
            rates = log.rates(state, snapshot, level, context)
            rate_tables.append(rates.assign(period=name, snapshot=snapshot))
            chances = learned_probabilities(rates, forecast, groups, context)
        elif source == "preset":
            chances = preset_probabilities(forecast, table, context)
        else:
            chances = crm_probabilities(forecast, context)
        won = final[(final["status"] == "won") & in_period(final["close_date"], first, last)]
        one_currency(forecast, won, context)
        won_ids = set(won["deal_id"].tolist())
        in_forecast = won["deal_id"].isin(forecast["deal_id"])
        rows.append(
            {"start": first, "end": last, "snapshot": snapshot}
            | _period_row(forecast["value"], chances, won["value"], won["value"][in_forecast])
        )
        deal_rows.append(period_deals(name, forecast, chances, final, won_ids, groups))
    return _result(windows, rows, deal_rows, rate_tables, source, duration, stamp, groups)


def _period_row(
    values: pd.Series[float],
    chances: FloatArray,
    won: pd.Series[float],
    won_from_pipeline: pd.Series[float],
) -> dict[str, Any]:
    """The forecast of one period, its actuals and their comparison.

    The distribution models the forecast's deals only: it is compared with what they
    produced (``actual_from_pipeline``).
    """
    distribution = forecast_distribution(values.to_numpy(dtype=np.float64), chances)
    p10, p50, p90 = (float(q) for q in distribution.quantile(np.array([0.1, 0.5, 0.9])))
    actual = plain_sum(won)
    produced = plain_sum(won_from_pipeline)
    low, high = pit_bounds(distribution, produced)
    slack = distribution.value_error + _SLACK * max(distribution.total, produced)
    return {
        "deals": len(values),
        "forecast": distribution.mean,
        "p10": p10,
        "p50": p50,
        "p90": p90,
        "actual": actual,
        "actual_from_pipeline": produced,
        "pit_low": low,
        "pit_high": high,
        "pit": (low + high) / 2.0,
        "in_interval": bool(p10 - slack <= produced <= p90 + slack),
    }


def _result(
    windows: list[tuple[str, pd.Timestamp, pd.Timestamp]],
    rows: list[dict[str, Any]],
    deal_rows: list[pd.DataFrame],
    rate_tables: list[pd.DataFrame],
    source: str,
    lead: pd.Timedelta,
    as_of: pd.Timestamp,
    groups: list[str],
) -> Backtest:
    index = pd.Index([name for name, _, _ in windows], dtype=object, name="period")
    periods = pd.DataFrame(rows, index=index, columns=list(PERIOD_COLUMNS))
    periods["deals"] = periods["deals"].astype(np.int64)
    periods["in_interval"] = periods["in_interval"].astype(bool)
    deals = pd.concat(deal_rows, ignore_index=True)
    deals["won_in_period"] = deals["won_in_period"].astype(bool)
    rates = None
    if source == "learned":
        rates = pd.concat(rate_tables, ignore_index=True)
        front = ["period", "snapshot", *groups, "stage"]
        rates = rates[front + [column for column in rates.columns if column not in front]]
    accuracy = forecast_accuracy(periods["forecast"], periods["actual"]).summary
    own = forecast_accuracy(periods["forecast"], periods["actual_from_pipeline"]).summary
    scored = deals[deals["outcome"] != "open"]
    calibration = probability_calibration(
        scored["probability"].to_numpy(dtype=np.float64),
        (scored["outcome"] == "won").to_numpy(dtype=bool),
    )
    return Backtest(
        periods=periods,
        deals=deals,
        rates=rates,
        probabilities=source,
        lead=lead,
        as_of=as_of,
        wape=float(accuracy["wape"].iloc[0]),
        bias=float(accuracy["bias"].iloc[0]),
        bias_pipeline=float(own["bias"].iloc[0]),
        coverage=float(periods["in_interval"].mean()),
        brier=calibration.brier,
    )
