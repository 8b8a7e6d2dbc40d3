"""The deals at each snapshot of a backtest, read from a pandas change log.

:class:`Snapshots` is what :func:`~salescore.forecasting.backtest.backtest_forecast`
reads a change log through: the moment the actuals are read (``as_of``), the deals
then (``final``), the deals at each snapshot with the ``by`` columns of their row in
force (:meth:`Snapshots.state`), and the win rates learned from the deals closed at
it (:meth:`Snapshots.rates`). :class:`PandasSnapshots` reads a pandas DataFrame,
rebuilding each snapshot from the rows up to it;
:class:`~salescore.forecasting._snapshots_engine.EngineSnapshots` reads an engine's
frame where it lives.
"""

from __future__ import annotations

from typing import Any, Final, Protocol

import pandas as pd

from .. import schema
from .._timestamps import align_zones
from ..errors import InvalidInputError
from ._backtest_history import learned_rates, with_groups
from ._changes import moment
from .changes import pipeline_as_of

__all__ = ["EMPTY", "PandasSnapshots", "Snapshots"]

TABLE: Final = "deal_changes"
#: The refusal of a log without rows.
EMPTY: Final = "changes has no rows: there is nothing to backtest"


class Snapshots(Protocol):
    """A change log as a backtest reads it."""

    as_of: pd.Timestamp
    final: pd.DataFrame

    def state(self, snapshot: pd.Timestamp) -> pd.DataFrame:
        """The deals at ``snapshot`` (as :func:`pipeline_as_of`), with the ``by`` columns."""

    def rates(
        self, state: pd.DataFrame, snapshot: pd.Timestamp, level: float, context: str
    ) -> pd.DataFrame:
        """The win rates learned at ``snapshot`` from the deals of ``state`` closed then."""


class PandasSnapshots:
    """A pandas change log, checked whole; each snapshot rebuilt from the rows up to it.

    ``needed`` names the columns the probabilities read, ``groups`` the ``by``
    columns; ``as_of`` is the argument (None: the last ``changed_at``).
    """

    def __init__(
        self,
        changes: pd.DataFrame,
        needed: list[str],
        groups: list[str],
        learned: bool,
        as_of: Any,
    ) -> None:
        columns = {"changed_at": "changed_at"} | {name: name for name in needed}
        schema.check_columns(changes, TABLE, columns, others=groups)
        if len(changes) == 0:
            raise InvalidInputError(EMPTY)
        log = changes.reset_index(drop=True)
        self.as_of = log["changed_at"].max() if as_of is None else moment(as_of, "as_of")
        self.final = pipeline_as_of(log, self.as_of)  # checks the whole log
        if learned:  # the rows' statuses as pipeline_as_of reads them
            log = log.assign(status=log["status"].astype(str).str.strip().str.lower())
        self._log = log
        self._groups = groups
        self._past = log.iloc[:0]

    def state(self, snapshot: pd.Timestamp) -> pd.DataFrame:
        clock, when = align_zones(self._log["changed_at"], snapshot)
        # No look-ahead: the forecast reads the rows up to the snapshot, and only them.
        seen = (clock <= when).to_numpy()
        self._past = self._log[seen].reset_index(drop=True)
        state = pipeline_as_of(self._past, snapshot) if len(self._past) else self.final.iloc[:0]
        # The groups too are those of the snapshot.
        return with_groups(state, self._past, clock[seen], self._groups)

    def rates(
        self, state: pd.DataFrame, snapshot: pd.Timestamp, level: float, context: str
    ) -> pd.DataFrame:
        # The rows read are those of the last state() call, whose snapshot this is.
        return learned_rates(self._past, state, level, context, self._groups)
