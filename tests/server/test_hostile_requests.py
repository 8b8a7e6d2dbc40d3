"""Hostile bodies over HTTP: whatever a client sends, the answer is 200 or a JSON 4xx.

Hypothesis sends each endpoint arbitrary JSON, and valid bodies with one field
replaced by arbitrary JSON; the server must answer every one with 200 or with a 400,
413 or 422 whose body is the error JSON (a status, a type and a message), never a
500 and never a stack trace.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
from hypothesis import given, settings
from hypothesis import strategies as st

from salescore.server._schemas import (
    CustomerValueRequest,
    ForecastRequest,
    TiersRequest,
    example,
)

SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12)
    | st.sampled_from(["2026-03-31", "Proposal/Price Quote", "USD", "1e308", "-0", ""])
)
JSON = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
BODIES = {
    "/v1/forecast": example(ForecastRequest),
    "/v1/tiers": example(TiersRequest),
    "/v1/customer-value": example(CustomerValueRequest),
}
PATHS = [
    *BODIES,
    *(f"/v1/deal-metrics/{source}" for source in ("salesforce", "hubspot", "pipedrive", "odoo")),
]
FEW = settings(max_examples=min(settings().max_examples, 150), deadline=None)


def test_the_valid_examples_are_answered(base: str) -> None:
    # The baseline the fuzzing departs from: the unchanged bodies get 200.
    for path, body in BODIES.items():
        assert httpx.post(f"{base}{path}", json=body).status_code == 200


def _answered(answer: httpx.Response) -> None:
    assert answer.status_code in (200, 400, 413, 422), answer.text
    assert "Traceback" not in answer.text
    body = answer.json()
    if answer.status_code != 200:
        error = body["error"]
        assert error["status"] == answer.status_code
        assert isinstance(error["message"], str)
        assert error["message"]


@FEW
@given(path=st.sampled_from(PATHS), body=JSON)
def test_any_json_body(base: str, path: str, body: Any) -> None:
    headers = {"content-type": "application/json"}
    _answered(httpx.post(f"{base}{path}", content=json.dumps(body), headers=headers, timeout=30.0))


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place in a JSON value: its keys and positions from the root."""
    places = [prefix] if prefix else []
    if isinstance(node, dict):
        for key, item in node.items():
            places += _paths(item, (*prefix, key))
    elif isinstance(node, list):
        for position, item in enumerate(node):
            places += _paths(item, (*prefix, position))
    return places


def _replaced(node: Any, place: tuple[Any, ...], value: Any) -> Any:
    if not place:
        return value
    copy = json.loads(json.dumps(node))
    target = copy
    for step in place[:-1]:
        target = target[step]
    target[place[-1]] = value
    return copy


@FEW
@given(data=st.data(), value=JSON)
def test_valid_bodies_with_one_field_replaced(base: str, data: st.DataObject, value: Any) -> None:
    path = data.draw(st.sampled_from(list(BODIES)))
    body = BODIES[path]
    place = data.draw(st.sampled_from(_paths(body)))
    _answered(httpx.post(f"{base}{path}", json=_replaced(body, place, value), timeout=30.0))
