"""HubSpot's inputs: response bodies, the deal pipelines, and each deal's stage.

What :mod:`salescore.adapters.hubspot` reads before it builds a table: the records of
a list or search response (and hubspot-api-client's objects), the deal pipelines of
``GET /crm/v3/pipelines/deals`` as a table of stage id → label, probability and
closedness (HubSpot's default pipeline when none is given), the first associated
company, the id field, and each row's stage looked up in that table.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, Final, NamedTuple

import numpy as np
import numpy.typing as npt
import pandas as pd

from ..errors import InvalidInputError
from ..pipeline.presets import HUBSPOT_STAGE_PROBABILITIES
from ._core import plain, require_fields

__all__ = [
    "_SOURCE",
    "BoolArray",
    "ObjectArray",
    "_first_company",
    "_id_field",
    "_stage_table",
    "_stages_of",
    "_unwrap",
]

_SOURCE: Final = "hubspot"
# HubSpot's default deal pipeline, read when no stages are given: each stage id (and
# label, as exports show them) with its probability from the salescore preset; 1 is
# the closed-won stage, 0 the closed-lost one, the others are open.
_DEFAULT_PIPELINE: Final = {
    key.casefold(): value for key, value in HUBSPOT_STAGE_PROBABILITIES.items()
}

ObjectArray = npt.NDArray[np.object_]
BoolArray = npt.NDArray[np.bool_]


class _Stage(NamedTuple):
    label: str
    probability: float  # NaN when the pipeline does not say
    closed: bool | None


def _unwrap(records: object) -> object:
    """The records of a list or search response body (``{"results": [...]}``).

    hubspot-api-client's page objects (``CollectionResponse...``, with ``results``)
    and deal objects (``SimplePublicObject...``) are read through their ``to_dict()``.
    """
    records = plain(records)
    if isinstance(records, Mapping) and "results" in records:
        return records["results"]
    return records


def _stage_key(value: object) -> str | None:
    """A dealstage id as text; None for a missing or unusable value."""
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_)):
        return str(int(value))  # an export read by pandas turns numeric ids into numbers
    if isinstance(value, (float, np.floating)) and math.isfinite(value) and value == int(value):
        return str(int(value))
    return None


def _flag(value: object, where: str) -> bool | None:
    if value is None:
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise InvalidInputError(f"stages: {where} isClosed must be true or false; got {value!r:.60}")


def _fraction(value: object, where: str) -> float:
    if value is None:
        return math.nan
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        number = math.nan
        valid = False
    else:
        valid = 0.0 <= number <= 1.0 and not isinstance(value, bool)
    if not valid:
        raise InvalidInputError(
            f"stages: {where} probability must be a fraction in [0, 1]; got {value!r:.60}"
        )
    return number


def _stage_items(stages: object) -> list[Mapping[Any, Any]]:
    """The stage mappings of a pipelines response, a list of pipelines or of stages."""
    stages = _unwrap(stages)
    if not isinstance(stages, (list, tuple)):
        raise InvalidInputError(
            "stages must be the deal pipelines (the body of GET /crm/v3/pipelines/deals, or "
            f"its list of pipelines) or a list of stages; got {type(stages).__name__}"
        )
    items: list[Mapping[Any, Any]] = []
    for position, item in enumerate(stages):
        if not isinstance(item, Mapping):
            raise InvalidInputError(
                f"stages[{position}] must be a mapping; got {type(item).__name__}"
            )
        inner = item.get("stages")
        if inner is None:
            items.append(item)
        elif isinstance(inner, (list, tuple)) and all(isinstance(s, Mapping) for s in inner):
            items.extend(inner)
        else:
            raise InvalidInputError(f"stages[{position}]['stages'] must be a list of mappings")
    return items


def _stage_table(stages: object) -> dict[str, _Stage]:
    """Each stage id → its label, probability and closedness, from the pipelines."""
    table: dict[str, _Stage] = {}
    for item in _stage_items(stages):
        key = _stage_key(item.get("id", item.get("stageId")))
        if key is None:
            raise InvalidInputError(f"stages: a stage has no usable id: {dict(item)!r:.80}")
        label = item.get("label")
        metadata = item.get("metadata") or {}
        if not isinstance(metadata, Mapping):
            raise InvalidInputError(f"stages: stage {key!r} metadata must be a mapping")
        where = f"stage {key!r}"
        table[key] = _Stage(
            label=label if isinstance(label, str) and label.strip() else key,
            probability=_fraction(metadata.get("probability"), where),
            closed=_flag(metadata.get("isClosed"), where),
        )
    return table


def _first_company(values: pd.Series[Any]) -> pd.Series[Any]:
    """The id of each record's first associated company, from ``associations``."""
    out = np.full(len(values), None, dtype=object)
    if values.isna().all():
        return pd.Series(out, index=values.index, dtype=object)
    for position, value in enumerate(values.to_numpy(dtype=object)):
        if not isinstance(value, Mapping):
            continue
        companies = value.get("companies")
        results = companies.get("results") if isinstance(companies, Mapping) else None
        if isinstance(results, (list, tuple)) and results and isinstance(results[0], Mapping):
            out[position] = results[0].get("id")
    return pd.Series(out, index=values.index, dtype=object)


def _id_field(raw: pd.DataFrame) -> str:
    if "id" in raw.columns:
        return "id"
    if "hs_object_id" in raw.columns:
        return "hs_object_id"
    require_fields(raw, ["id"], source=_SOURCE)  # raises, naming the fields the records have
    return "id"


def _stage_of(
    value: object, table: dict[str, _Stage] | None
) -> tuple[str | None, float, bool | None, str | None]:
    """One raw dealstage: its label, probability, closedness (None: unknown), a reason."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None, math.nan, None, None
    key = _stage_key(value)
    if key is None:
        return None, math.nan, None, f"dealstage: not a stage id: {value!r:.60}"
    if table is None:
        default = _DEFAULT_PIPELINE.get(key.casefold())
        if default is None:
            return key, math.nan, None, None
        return key, default, default in (0.0, 1.0), None
    if key in table:
        return (*table[key], None)
    return None, math.nan, None, f"dealstage: not a stage of the pipelines given: {key!r}"


def _stages_of(
    raw_stages: pd.Series[Any], table: dict[str, _Stage] | None
) -> tuple[ObjectArray, npt.NDArray[np.float64], ObjectArray, pd.Series[Any]]:
    """Per row: the stage label, its probability, its closedness, and a reason or None."""
    n = len(raw_stages)
    labels = np.full(n, None, dtype=object)
    probabilities = np.full(n, np.nan)
    closed = np.full(n, None, dtype=object)
    reasons = np.full(n, None, dtype=object)
    seen: dict[object, tuple[str | None, float, bool | None, str | None]] = {}
    for position, value in enumerate(raw_stages.to_numpy(dtype=object)):
        try:
            key: object = (type(value), value)
            found = seen.get(key)
        except TypeError:  # an unhashable value, such as a list where an id belongs
            key, found = None, None
        if found is None:
            found = _stage_of(value, table)
            if key is not None:
                seen[key] = found
        labels[position], probabilities[position], closed[position], reasons[position] = found
    return labels, probabilities, closed, pd.Series(reasons, index=raw_stages.index, dtype=object)
