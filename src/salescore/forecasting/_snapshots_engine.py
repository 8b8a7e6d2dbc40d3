"""The deals at each snapshot of a backtest, read from an engine's change log.

:class:`EngineSnapshots` checks the log once where it lives (as
:func:`~salescore.forecasting.changes.pipeline_as_of` checks it), and finds there
the rows in force at each snapshot: what comes back to pandas is one row per deal
existing then, with the ``by`` columns of its row in force. For learned win rates a
deal's stages reached while open are what counts (:func:`stage_win_rates` reads
which stages a closed deal reached, not how often or how long), so one grouped query
finds, per deal and stage, the first open row in it; that table, one row per deal
and stage, is collected once, and a snapshot reads its pairs first entered at or
before it, which are exactly the stages its rows up to then visited. The rates are
then learned in pandas, as for a pandas log.
"""

from __future__ import annotations

from typing import Any, Final

import narwhals as nw
import pandas as pd

from .._tables import which
from ..engines._frames import collect
from ..engines._frames import pandas_text as _pandas_text
from ..errors import InvalidInputError
from ._changes import moment
from ._changes_engine import _ID, _UTC, EngineChanges, rows_in_force
from ._snapshots import EMPTY
from .win_rates import stage_win_rates

__all__ = ["EngineSnapshots"]

_FIRST: Final = "__salescore_first"
_N: Final = "__salescore_rows"


def _utc(stamp: pd.Timestamp) -> pd.Timestamp:
    """A moment as naive UTC floored to microseconds, as the engine compares it."""
    if stamp.tzinfo is not None:
        stamp = stamp.tz_convert("UTC").tz_localize(None)
    return stamp.floor("us")


class EngineSnapshots:
    """An engine's change log, checked once; the deals at each snapshot found there.

    The arguments are those of
    :class:`~salescore.forecasting._snapshots.PandasSnapshots`, with the ``engine``.
    """

    def __init__(
        self,
        native: object,
        engine: str,
        needed: list[str],
        groups: list[str],
        learned: bool,
        as_of: Any,
    ) -> None:
        self._log = EngineChanges(native, engine, [*needed, *groups])
        found = collect(self._log.log.select(nw.len().alias(_N), nw.col(_UTC).max().alias(_UTC)))
        if int(found[_N].iloc[0]) == 0:
            raise InvalidInputError(EMPTY)
        self._log.check()
        if as_of is None:
            last = pd.Timestamp(found[_UTC].iloc[0])
            zone = self._log.zone
            self.as_of = last if zone is None else last.tz_localize("UTC").tz_convert(zone)
        else:
            self.as_of = moment(as_of, "as_of")
        self._groups = groups
        self.final = self.state(self.as_of)
        self._reached = self._first_entries() if learned else None

    def state(self, snapshot: pd.Timestamp) -> pd.DataFrame:
        return rows_in_force(self._log, snapshot, self._groups)

    def _first_entries(self) -> pd.DataFrame:
        """Per deal and stage (a missing stage included), its first open row's moment."""
        open_rows = self._log.log.filter(nw.col("status") == "open")
        firsts = open_rows.group_by(_ID, "stage", drop_null_keys=False).agg(
            nw.col(_UTC).min().alias(_FIRST)
        )
        table = collect(firsts)
        for name in (_ID, "stage"):
            if isinstance(self._log.schema.get(name), nw.String):
                table[name] = _pandas_text(table[name])
        table[_FIRST] = pd.to_datetime(table[_FIRST])
        # In a fixed order: the engine's rows have none.
        return table.sort_values([_FIRST, _ID], kind="stable").reset_index(drop=True)

    def rates(
        self, state: pd.DataFrame, snapshot: pd.Timestamp, level: float, context: str
    ) -> pd.DataFrame:
        reached = self._reached
        if reached is None:  # pragma: no cover - asked for only with learned rates
            raise RuntimeError("the stages reached were not read")
        closed = state[state["status"].isin(["won", "lost"])].reset_index(drop=True)
        before = (reached[_FIRST] <= _utc(snapshot)).to_numpy()
        mine = before & reached[_ID].isin(closed[_ID]).to_numpy()
        visits = reached[mine].reset_index(drop=True)
        nameless = visits["stage"].isna().to_numpy()
        if nameless.any():
            raise InvalidInputError(
                f"{context}: learned win rates need the stage of every open row, but it is "
                f"missing for {which(visits[_ID].to_numpy(dtype=object), nameless, noun='deal')}"
            )
        history = pd.DataFrame(
            {
                _ID: visits[_ID],
                "stage": visits["stage"],
                "entered": visits[_FIRST],
                # Not read by the rates: a moment no later than the next visit's entry.
                "exited": visits[_FIRST],
            }
        )
        rates = stage_win_rates(history, closed, by=self._groups or None, confidence=level)
        return rates.reset_index()
