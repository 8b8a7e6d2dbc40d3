"""Stage probabilities: fill missing deal probabilities from a stage table or a vendor preset."""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence

import numpy as np
import pandas as pd

from .. import schema
from .._arrays import option_flag, option_number
from .._tables import SHOWN as _SHOWN
from .._tables import option_column
from ..errors import InvalidInputError
from ._deals import (
    _PERCENT_HINT,
    _check_probabilities,
    _deal_ids,
    _floats,
    _which,
)

__all__ = ["fill_probabilities"]


# ------------------------------------------------------------- fill_probabilities


def _stage_table(table: object) -> dict[Hashable, float]:
    """A validated copy of a stage → probability table."""
    items: list[tuple[Hashable, object]]
    if isinstance(table, pd.Series):
        repeated = table.index[table.index.duplicated()].unique().tolist()
        if repeated:
            raise InvalidInputError(
                f"stage_probabilities lists a stage more than once: {repeated[:_SHOWN]!r}"
            )
        items = list(zip(table.index.tolist(), table.tolist(), strict=True))
    elif isinstance(table, Mapping):
        items = list(table.items())
    else:
        raise InvalidInputError(
            "stage_probabilities must be a mapping or a pandas Series from stage to "
            f"probability; got {type(table).__name__}"
        )
    checked: dict[Hashable, float] = {}
    for stage, probability in items:
        try:  # booleans, text, durations and numbers beyond float range (10**400) fail
            number = option_number("stage_probabilities", probability, allow_nan=True)
        except InvalidInputError:
            number = float("nan")
        if not 0.0 <= number <= 1.0:
            hint = f"; {_PERCENT_HINT}" if 1.0 < number <= 100.0 else ""
            raise InvalidInputError(
                "stage_probabilities must map each stage to a fraction in [0, 1]; "
                f"got {stage!r}: {probability!r}{hint}"
            )
        checked[stage] = number
    return checked


def _listed(values: Sequence[object], limit: int = 20) -> str:
    more = f", … ({len(values)} in all)" if len(values) > limit else ""
    return ", ".join(repr(value) for value in values[:limit]) + more


def fill_probabilities(
    deals: pd.DataFrame,
    stage_probabilities: Mapping[str, float] | pd.Series[float],
    *,
    stage: str = "stage",
    probability: str = "probability",
    overwrite: bool = False,
    deal_id: str | None = "deal_id",
) -> tuple[pd.DataFrame, pd.DataFrame]:
    r"""Fill deals' missing probabilities from a stage → probability table.

    CRMs attach a default probability to each pipeline stage, but exports and
    spreadsheets often lose it. This puts it back: every deal without a probability
    gets its stage's (with ``overwrite=True``, every deal does), and a report lists
    what was filled, so that nothing changes unseen. The vendors' default tables are in
    :mod:`salescore.pipeline.presets`; a table of your own win rates per stage is
    better still.

    Parameters
    ----------
    deals : DataFrame
        Canonical deals table, one row per deal. It is not modified.
    stage_probabilities : mapping or Series
        Probability of winning per stage, a fraction in [0, 1] (``{"Proposal": 0.5}``,
        a Series indexed by stage, or a preset such as
        :data:`~salescore.pipeline.presets.HUBSPOT_STAGE_PROBABILITIES`). Stages are
        matched exactly, case included.
    stage, probability : str, keyword-only
        Column names: the deal's stage, and its probability (numeric, a fraction in
        [0, 1] where present, NaN where missing).
    overwrite : bool, keyword-only, default False
        Replace every deal's probability, not only the missing ones.
    deal_id : str or None, keyword-only, default "deal_id"
        Column naming each deal in the report and in error messages; ``None`` uses
        the index.

    Returns
    -------
    filled : DataFrame
        A copy of ``deals`` whose ``probability`` column is float64 and filled.
    report : DataFrame
        One row per deal that received a probability from the table, on the index of
        ``deals``, with columns ``deal_id``, ``stage``, ``old_probability`` (NaN where
        it was missing) and ``new_probability``. Empty when nothing needed filling.

    Raises
    ------
    SchemaError
        A named column is missing or ``probability`` is not numeric.
    InvalidInputError
        A deal to be filled has no stage, or a stage the table does not know (the
        message lists the unknown stages and the known ones); a probability that is
        kept lies outside [0, 1] (a percentage, probably); a probability in the table
        is not a fraction; ``overwrite`` is not a bool; ``stage`` or ``probability``
        is not a str, or ``deal_id`` neither a str nor None.

    See Also
    --------
    weighted_pipeline : weighs each open deal by its probability.

    Notes
    -----
    With :math:`T` the table and :math:`s_i`, :math:`p_i` deal :math:`i`'s stage and
    probability:

    .. math::

        p_i' = \begin{cases} T(s_i) & \text{if } p_i \text{ is missing, or overwrite}
        \\ p_i & \text{otherwise.} \end{cases}

    References
    ----------
    .. [1] See :mod:`salescore.pipeline.presets` for the sources of the vendors'
       default tables.

    Examples
    --------
    >>> import math
    >>> import pandas as pd
    >>> import salescore
    >>> from salescore.pipeline.presets import HUBSPOT_STAGE_PROBABILITIES
    >>> deals = pd.DataFrame({
    ...     "deal_id": ["D1", "D2", "D3"],
    ...     "stage": ["qualifiedtobuy", "contractsent", "qualifiedtobuy"],
    ...     "probability": [math.nan, 0.75, math.nan],
    ... })
    >>> filled, report = salescore.fill_probabilities(deals, HUBSPOT_STAGE_PROBABILITIES)
    >>> filled["probability"].tolist()
    [0.4, 0.75, 0.4]
    >>> report
      deal_id           stage  old_probability  new_probability
    0      D1  qualifiedtobuy              NaN              0.4
    2      D3  qualifiedtobuy              NaN              0.4
    >>> salescore.fill_probabilities(deals, {"contractsent": 0.9})
    Traceback (most recent call last):
    ...
    salescore.errors.InvalidInputError: stage must be one of the stages stage_probabilities
    lists; not so for 'qualifiedtobuy' (2 deals: 'D1', 'D3'); known stages: 'contractsent'
    """
    option_column("stage", stage)
    option_column("probability", probability)
    option_column("deal_id", deal_id, optional=True)
    table = _stage_table(stage_probabilities)
    overwrite = option_flag("overwrite", overwrite)
    read = {"stage": stage, "probability": probability, "deal_id": deal_id}
    schema.check_columns(deals, "deals", read)

    ids = _deal_ids(deals, deal_id)
    old = _floats(deals, probability)
    target = np.ones(len(deals), dtype=bool) if overwrite else np.isnan(old)
    _check_probabilities(probability, old, ids, ~target)
    stages = deals[stage].to_numpy(dtype=object)
    no_stage = target & pd.isna(stages)
    if no_stage.any():
        raise InvalidInputError(
            f"{stage} is missing for {_which(ids, no_stage)}, so their probability cannot "
            "be filled from stage_probabilities"
        )
    looked_up = pd.Series(stages, dtype=object).map(table).to_numpy(dtype=np.float64)
    unknown = target & np.isnan(looked_up)
    if unknown.any():
        codes, names = pd.factorize(stages[unknown])
        listed = "; ".join(
            f"{name!r} ({_which(ids[unknown], codes == code)})" for code, name in enumerate(names)
        )
        raise InvalidInputError(
            f"{stage} must be one of the stages stage_probabilities lists; not so for "
            f"{listed}; known stages: {_listed(list(table)) or '(none)'}"
        )
    new = np.where(target, looked_up, old)
    filled = deals.copy()
    filled[probability] = new  # positional: the frame's index may repeat labels
    report = pd.DataFrame(
        {
            "deal_id": pd.Series(ids[target], dtype=object),
            "stage": pd.Series(stages[target], dtype=object),
            "old_probability": old[target],
            "new_probability": new[target],
        }
    )
    report.index = deals.index[target]
    return filled, report
