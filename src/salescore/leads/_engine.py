"""Lead sources of a leads table held by an engine (Polars, DuckDB, Dask, Spark), counted there.

The leads are checked where they live, as the pandas path checks them: a lead id that
names more than one row is found by a query per id (on Dask after shuffling the rows
by id, so that no worker gathers every id); converted flags that are missing or not
True/False/1/0, leads without a creation date (with ``freq``) and revenues that are
negative or infinite on converted leads are counted by one aggregate query. Only when
something is wrong does a further query fetch the first few offending rows to name,
in the words of the pandas path's messages. The leads are then reduced in the engine
to one row per source (and period) with their number, their conversions, the revenue
of the converted ones and how many of those have no revenue; only that table comes
back to pandas, where :func:`~salescore.leads.sources.source_performance` finishes it
with the same code as for a pandas frame.
"""

from __future__ import annotations

from typing import Any, Final

import narwhals as nw
import numpy as np
import pandas as pd

from .._tables import PERIOD, SHOWN
from ..engines._frames import EngineFrame, collect, collect_by_key
from ..engines._frames import count_true as _count
from ..engines._frames import found_count as _number
from ..engines._frames import pandas_text as _text
from ..engines._frames import sure as _sure
from ..engines._periods import engine_dtype, with_period
from ..errors import InvalidInputError
from ..fiscal import FiscalFrequency
from ..fiscal._freq import Frequency

__all__ = ["source_counts"]

#: The most repeated lead ids fetched to look for the first rows that repeat one.
REPEATED_IDS: Final = 1_000

# Column names inside the engine's queries.
_ID, _SRC, _C = "__salescore_lead", "__salescore_source", "__salescore_converted"
_V, _D = "__salescore_value", "__salescore_created"
_P, _N, _K, _M = "__salescore_period", "__salescore_leads", "__salescore_won", "__salescore_nan"


def _flags(dtype: Any) -> tuple[nw.Expr, nw.Expr | None, nw.Expr]:
    """The converted flags as pandas reads them: (converted, invalid, missing).

    Booleans as they are; numbers 1 and 0 (1.0 and 0.0), NaN missing; no value of
    another type (text, dates) is a flag. ``invalid`` is None where no value can be.
    """
    raw = nw.col(_C)
    missing = raw.is_null()
    if isinstance(dtype, nw.Boolean):
        return _sure(raw), None, missing
    if dtype.is_numeric():
        if dtype.is_float():
            missing = missing | _sure(raw.is_nan())
        valid = _sure((raw == 0) | (raw == 1))
        return _sure(raw == 1), ~missing & ~valid, missing
    return missing & ~missing, ~missing, missing  # never converted; every value invalid


def _listed(count: int, sample: pd.DataFrame, shown: str | None) -> str:
    """``2 leads: 'L3' (-5.0), 'L7' (inf)``: the pandas path's ``which``, from a sample."""
    ids = sample[_ID].tolist()
    values = sample[shown].tolist() if shown is not None else [None] * len(ids)
    items = [
        repr(lead) + ("" if shown is None else f" ({value!r})")
        for lead, value in zip(ids[:SHOWN], values[:SHOWN], strict=True)
    ]
    more = ", …" if count > SHOWN else ""
    noun = "1 lead" if count == 1 else f"{count} leads"
    return f"{noun}: {', '.join(items)}{more}"


def source_counts(
    native: object,
    engine: str,
    *,
    source: str,
    converted: str,
    value: str | None,
    freq: object,
    period_dtype: Frequency | None,
    created: str,
    lead_id: str | None,
) -> tuple[pd.DataFrame, pd.Series[int]]:
    """Check an engine's leads as the pandas path does and reduce them per group.

    Returns the sums (``conversions`` and, with ``value``, ``revenue``, float64) and
    the sizes (int64) of the groups, indexed by source (and period) as the pandas
    path's group sums are, with the sources in the order of their labels. The options
    have been checked by :func:`~salescore.leads.sources.source_performance`.
    """
    shift = 0
    if period_dtype is not None:
        period_dtype, shift = engine_dtype(period_dtype, freq)
    frame = EngineFrame("leads", native, engine)
    optional = [name for name in (value, lead_id) if name is not None]
    frame.require([source, converted, *optional, *([] if period_dtype is None else [created])])
    if value is not None:
        frame.require_numeric([value])
    zone = None
    if period_dtype is not None:
        frame.require_dates(created)
        zone = frame.zone(created)

    log = frame.frame.select(
        *([] if lead_id is None else [nw.col(lead_id).alias(_ID)]),
        nw.col(source).alias(_SRC),
        nw.col(converted).alias(_C),
        *([] if value is None else [nw.col(value).cast(nw.Float64).alias(_V)]),
        *([] if period_dtype is None else [nw.col(created).alias(_D)]),
    )

    def rows(condition: nw.Expr, count: int, shown: str | None = None) -> str:
        """The leads for which ``condition`` holds, as the pandas path names them."""
        names = {_C: converted, _V: str(value), _D: created}
        if lead_id is None:  # no index in an engine: the rows by their source and value
            columns = {_SRC: source} | ({} if shown is None else {shown: names[shown]})
            return frame.rows(log, condition, count, columns)
        picked = log.filter(condition).select(_ID, *([] if shown is None else [shown]))
        return _listed(count, collect(picked.head(SHOWN)), shown)

    if lead_id is not None:
        repeated = _repeated(log, engine)
        if repeated:
            ids = collect(_repeated_ids(log).head(REPEATED_IDS))[_ID].tolist()
            where = rows(nw.col(_ID).is_in(ids), repeated)
            raise InvalidInputError(
                f"{lead_id} must name each lead once (one row per lead); repeated for {where}"
            )

    flag, invalid, missing = _flags(frame.schema[converted])
    checks = [_count(missing).alias("missing")]
    if invalid is not None:
        checks.append(_count(invalid).alias("invalid"))
    if period_dtype is not None:
        checks.append(_count(nw.col(_D).is_null()).alias("undated"))
    unknown = None
    if value is not None:
        amount = nw.col(_V)
        unknown = amount.is_null() | _sure(amount.is_nan())  # NaN passes: it propagates
        wrong = flag & ~unknown & _sure(~amount.is_finite() | (amount < 0.0))
        checks.append(_count(wrong).alias("revenue"))
    found = collect(log.select(*checks)).iloc[0]
    if invalid is not None and _number(found, "invalid"):
        where = rows(invalid, _number(found, "invalid"), _C)
        raise InvalidInputError(
            f"{converted} must be True or False (or 1 or 0); not so for {where}"
        )
    if _number(found, "missing"):
        raise InvalidInputError(
            f"{converted} is missing for {rows(missing, _number(found, 'missing'))}; record "
            "False for leads not (yet) converted, or leave the undecided leads out explicitly"
        )
    if period_dtype is not None and _number(found, "undated"):
        where = rows(nw.col(_D).is_null(), _number(found, "undated"))
        raise InvalidInputError(
            f"{created} is missing for {where} (a table by period needs the date each lead "
            "was created)"
        )
    if value is not None and _number(found, "revenue"):
        where = rows(wrong, _number(found, "revenue"), _V)
        raise InvalidInputError(
            f"{value} must be a finite number >= 0 on converted leads; not so for {where}"
        )

    parts = [nw.col(_SRC), nw.lit(1, dtype=nw.Int64).alias(_N), flag.cast(nw.Int64).alias(_K)]
    sums = [nw.col(_N).sum(), nw.col(_K).sum()]
    if unknown is not None:
        # A lead that did not convert brings no revenue; an unknown one is counted.
        known = nw.when(flag & ~unknown).then(nw.col(_V)).otherwise(nw.lit(0.0))
        parts += [known.alias(_V), (flag & unknown).cast(nw.Int64).alias(_M)]
        sums += [nw.col(_V).sum(), nw.col(_M).sum()]
    keys = [_SRC]
    reduced = log.select(*parts, *([] if period_dtype is None else [nw.col(_D)]))
    if period_dtype is not None:
        reduced = with_period(reduced, _D, zone, period_dtype, freq, _P)
        keys.append(_P)
    # Plain sums of columns made beforehand, as Dask requires of a grouped aggregation.
    table = collect(reduced.group_by(*keys).agg(*sums))
    if isinstance(frame.schema[source], nw.String):
        table[_SRC] = _text(table[_SRC])
    return _pandas_sums(table, source, period_dtype, shift, revenue=value is not None)


def _repeated(log: nw.LazyFrame[Any], engine: str) -> int:
    """How many rows have a lead id that another row has too (missing ids aside)."""
    named = log.filter(~nw.col(_ID).is_null()).select(
        nw.col(_ID), nw.lit(1, dtype=nw.Int64).alias(_N)
    )

    def query(part: nw.LazyFrame[Any]) -> nw.LazyFrame[Any]:
        groups = part.group_by(_ID).agg(nw.col(_N).sum())
        return groups.filter(nw.col(_N) > 1).select(nw.col(_N).sum())

    counts = collect_by_key(named, engine, _ID, query)[_N]
    return int(counts.fillna(0).sum())


def _repeated_ids(log: nw.LazyFrame[Any]) -> nw.LazyFrame[Any]:
    """The lead ids that more than one row has."""
    named = log.filter(~nw.col(_ID).is_null()).select(
        nw.col(_ID), nw.lit(1, dtype=nw.Int64).alias(_N)
    )
    groups = named.group_by(_ID).agg(nw.col(_N).sum())
    return groups.filter(nw.col(_N) > 1).select(_ID)


def _pandas_sums(
    table: pd.DataFrame,
    source: str,
    period_dtype: Frequency | None,
    shift: int,
    *,
    revenue: bool,
) -> tuple[pd.DataFrame, pd.Series[int]]:
    """The engine's reduced table as the pandas path's group sums and sizes.

    The sources are put in the order of their labels (a missing source last): an
    engine's rows have no order of first appearance.
    """
    labels = table[_SRC].reset_index(drop=True)
    if isinstance(labels.dtype, pd.CategoricalDtype):  # by label, not by category code
        labels = labels.astype(object)
    table = table.iloc[labels.sort_values(na_position="last", kind="stable").index]
    sources = pd.Index(table[_SRC], name=source)
    index: pd.Index[Any] = sources
    if period_dtype is not None:
        assert not isinstance(period_dtype, FiscalFrequency)  # refused above
        ordinals = table[_P].to_numpy(dtype=np.int64) + shift
        periods = pd.PeriodIndex(pd.arrays.PeriodArray(ordinals, dtype=period_dtype))
        # A missing source is a level of its own, as a group-by makes it; a checked
        # MultiIndex would give it the code -1, which MultiIndex.equals tells apart.
        source_codes, source_levels = pd.factorize(sources, use_na_sentinel=False)
        period_codes, period_levels = pd.factorize(periods)
        levels: list[Any] = [source_levels, period_levels]
        codes: list[Any] = [source_codes, period_codes]
        index = pd.MultiIndex(
            levels=levels,
            codes=codes,
            names=[source, PERIOD],
            verify_integrity=False,
        )
    conversions = table[_K].fillna(0).to_numpy(dtype=np.float64)
    sums = pd.DataFrame({"conversions": conversions}, index=index)
    if revenue:
        total = table[_V].to_numpy(dtype=np.float64, na_value=np.nan)
        # The amounts summed are finite and not negative: NaN is a sum that overflowed
        # (Dask adds as pandas does, with Kahan's compensation: inf - inf).
        total = np.where(np.isnan(total), np.inf, total)
        unknown = table[_M].fillna(0).to_numpy(dtype=np.int64) > 0
        sums["revenue"] = np.where(unknown, np.nan, total)
    sizes = pd.Series(table[_N].to_numpy(dtype=np.int64), index=index)
    return sums, sizes
