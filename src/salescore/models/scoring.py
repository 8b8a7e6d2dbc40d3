"""Who is still a customer, and what will each buy? The models' scores, frame in, frame out.

:func:`score_customers` adds to a table of customer histories (the columns of
:func:`~salescore.models.rfm.rfm_summary`) the fitted models' predictions for each
customer. The table may be a pandas DataFrame or a frame of Polars, DuckDB, Dask or
PySpark: there each partition is scored where it lies and the result is a frame of the
same engine, so a billion customers are scored without leaving the cluster.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from .._tables import option_column, require_columns, require_numeric
from ..engines import Table, engine_name
from ..errors import InvalidInputError, SchemaError
from .clv import SpendModel, TimeUnit, _check_model, model_clv

__all__ = ["score_customers"]


def score_customers(
    customers: Table,
    bgnbd: Any,
    *,
    t: float | None = None,
    gamma_gamma: SpendModel | None = None,
    months: int | None = None,
    discount_rate: float | None = None,
    time_unit: TimeUnit = "W",
    margin: float = 1.0,
    frequency: str = "frequency",
    recency: str = "recency",
    T: str = "T",  # noqa: N803
    monetary_value: str = "monetary_value",
) -> Table:
    r"""Each customer's probability of being alive, expected purchases, value and CLV.

    Parameters
    ----------
    customers : DataFrame or engine frame
        One row per customer with the columns of
        :func:`~salescore.models.rfm.rfm_summary` (their names can be changed
        below); other columns are kept. A pandas DataFrame, or a frame of Polars
        (eager or lazy), DuckDB, Dask or PySpark.
    bgnbd : BetaGeoModel
        The fitted purchase model (time in ``time_unit``).
    t : float, keyword-only, optional
        A horizon in the model's time unit: adds ``expected_purchases``, the
        purchases expected of each customer in the next ``t`` units.
    gamma_gamma : GammaGammaModel, keyword-only, optional
        The fitted spend model: adds ``expected_value``, each customer's expected
        value per future purchase (needs the ``monetary_value`` column).
    months, discount_rate : keyword-only, optional
        Both, with ``gamma_gamma``: adds ``clv``, :func:`model_clv` over ``months``
        months at ``discount_rate`` a month.
    time_unit : {"W", "D", "M"}, keyword-only, default "W"
        The unit of ``recency``, ``T`` and the purchase model's time, for ``clv``.
    margin : float, keyword-only, default 1.0
        The share of a purchase's value that is margin, in [0, 1], for ``clv``.
    frequency, recency, T, monetary_value : str, keyword-only
        The names of the history columns.

    Returns
    -------
    DataFrame or engine frame
        The frame of ``customers``' kind, with float64 columns
        ``probability_alive`` and, as asked, ``expected_purchases``,
        ``expected_value`` and ``clv``. A pandas input is not changed (a new frame
        is returned); an engine frame's result is lazy where the engine is (Polars'
        LazyFrame, DuckDB, Dask, Spark): nothing is computed until it is collected.

    Raises
    ------
    SchemaError
        A missing or non-numeric history column, or a column the result would add
        already present.
    InvalidInputError
        An invalid option or model (checked before any row is read); an invalid
        history on a row (see :meth:`BetaGeoModel.probability_alive`), for an engine
        frame when its rows are computed, as that engine's error wrapping salescore's.

    See Also
    --------
    salescore.models.bgnbd.BetaGeoModel.probability_alive
    salescore.models.bgnbd.BetaGeoModel.conditional_expected_purchases
    salescore.models.gamma_gamma.GammaGammaModel.conditional_expected_value
    salescore.models.clv.model_clv

    Notes
    -----
    Each column is the model's own formula applied to each row: ``probability_alive``
    is :math:`P(\text{alive} \mid x, t_x, T)` and ``expected_purchases`` is
    :math:`E[Y(t) \mid x, t_x, T]` of the BG/NBD model [1]_, ``expected_value`` the
    Gamma-Gamma posterior mean spend per purchase and ``clv`` their discounted product
    month by month [2]_. The scores depend on a row alone, so scoring by partition
    gives the same numbers as scoring the whole table.

    References
    ----------
    .. [1] P. S. Fader, B. G. S. Hardie and K. L. Lee, "'Counting Your Customers' the
       Easy Way: An Alternative to the Pareto/NBD Model", Marketing Science 24(2),
       275–284, 2005.
    .. [2] P. S. Fader, B. G. S. Hardie and K. L. Lee, "RFM and CLV: Using Iso-Value
       Curves for Customer Base Analysis", Journal of Marketing Research 42(4),
       415–430, 2005.

    Examples
    --------
    >>> import pandas as pd
    >>> from salescore.models import BetaGeoModel, score_customers
    >>> model = BetaGeoModel(r=0.243, alpha=4.414, a=0.793, b=2.426)
    >>> history = pd.DataFrame({"frequency": [0, 2], "recency": [0.0, 30.43],
    ...                         "T": [38.86, 38.86]}, index=["a", "b"])
    >>> score_customers(history, model, t=39).round(3)
       frequency  recency      T  probability_alive  expected_purchases
    a          0     0.00  38.86              1.000               0.195
    b          2    30.43  38.86              0.727               1.226

    Customer ``b`` is Fader, Hardie and Lee's worked example (CDNOW parameters,
    x = 2, t_x = 30.43, T = 38.86): 1.226 purchases expected in the next 39 weeks.
    """
    names = {
        "frequency": option_column("frequency", frequency),
        "recency": option_column("recency", recency),
        "T": option_column("T", T),
    }
    if gamma_gamma is not None:
        names["monetary_value"] = option_column("monetary_value", monetary_value)
    _check_model("bgnbd", bgnbd, "probability_alive", "salescore.models.fit_bgnbd")
    if t is not None:
        _check_model("bgnbd", bgnbd, "conditional_expected_purchases", "salescore.models.fit_bgnbd")
    if gamma_gamma is not None:
        _check_model(
            "gamma_gamma",
            gamma_gamma,
            "conditional_expected_value",
            "salescore.models.fit_gamma_gamma",
        )
    if (months is None) != (discount_rate is None):
        raise InvalidInputError(
            f"months and discount_rate go together (the CLV's horizon and its discounting); "
            f"got months={months!r:.30}, discount_rate={discount_rate!r:.30}"
        )
    if months is not None and gamma_gamma is None:
        raise InvalidInputError("months and discount_rate need gamma_gamma, the spend model")
    added = ["probability_alive"]
    added += ["expected_purchases"] if t is not None else []
    added += ["expected_value"] if gamma_gamma is not None else []
    added += ["clv"] if months is not None else []
    columns: dict[str, str] = {key: str(value) for key, value in names.items()}

    def kernel(frame: pd.DataFrame) -> pd.DataFrame:
        x, tx, age = (frame[columns[key]] for key in ("frequency", "recency", "T"))
        out = frame.copy()
        out["probability_alive"] = bgnbd.probability_alive(x, tx, age)
        if t is not None:
            out["expected_purchases"] = bgnbd.conditional_expected_purchases(t, x, tx, age)
        if gamma_gamma is not None:
            value = frame[columns["monetary_value"]]
            out["expected_value"] = gamma_gamma.conditional_expected_value(x, value)
            if months is not None:
                out["clv"] = model_clv(
                    bgnbd,
                    gamma_gamma,
                    x,
                    tx,
                    age,
                    value,
                    months=months,
                    discount_rate=discount_rate,  # type: ignore[arg-type]
                    time_unit=time_unit,
                    margin=margin,
                )
        return out

    # The options and models are checked once, on one customer, before any row is read.
    kernel(pd.DataFrame({column: [1.0] for column in columns.values()}))
    engine = engine_name(customers)
    if engine is None:
        require_columns("customers", customers, columns.values())
        require_numeric("customers", customers, columns.values())
        _refuse_overwrite(list(customers.columns), added)
        return kernel(customers)
    from ..engines._frames import EngineFrame
    from ..engines._map import map_frame

    frame = EngineFrame("customers", customers, engine)
    frame.require(columns.values())
    frame.require_numeric(columns.values())
    _refuse_overwrite(list(frame.schema), added)
    return map_frame(customers, engine, kernel, added)


def _refuse_overwrite(present: list[str], added: list[str]) -> None:
    clash = [name for name in added if name in present]
    if clash:
        listed = ", ".join(repr(name) for name in clash)
        raise SchemaError(
            f"customers already has {listed}, which score_customers adds; rename or drop it"
        )
