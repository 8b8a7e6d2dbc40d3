"""The HTTP examples of docs/embedding.md, sent to a real server: the answers shown are its.

Each example on the page is a fenced ``http`` block (request line, headers, blank line,
JSON body) followed by a fenced ``json`` block holding the whole answer; the status is
written between them as ``(200)``. The test sends every request to a server started with
:func:`tests.server.harness.running` and compares status and body exactly, numbers by
type and value (``65000.0`` is not ``65000``). Separately, the main figures of each
example are checked against the hand calculations below and against the library's own
functions called directly, so the page cannot drift from the library or from arithmetic.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs
import httpx
import numpy as np
import pandas as pd
import pytest

import salescore
from salescore.adapters.webhook import deal_metrics
from salescore.pipeline import book_distribution, presets
from salescore.server import ServerSettings

from .harness import running

PAGE = Path(__file__).resolve().parents[2] / "docs" / "embedding.md"
KEY = "demo-key-0123456789abcdef"

# The examples the page must hold, in its order: request line and status. Each comment is
# the hand calculation of the example's main figures.
EXPECTED = [
    # 30000×0.6 + 20000×0.9 + 15000×0.25 = 18000 + 18000 + 3750 = 39750 (006B: Salesforce's
    # Negotiation/Review default, 90 %). Pipeline 65000; the gap is 50000 − 12000 = 38000,
    # coverage 65000 / 38000 = 1.7105…. The eight outcomes of three independent deals, by
    # revenue: 0 (0.4·0.1·0.75 = 0.03), 15000 (0.4·0.1·0.25 = 0.01), 20000 (0.4·0.9·0.75 =
    # 0.27), 30000 (0.6·0.1·0.75 = 0.045), 35000 (0.4·0.9·0.25 = 0.09), 45000 (0.6·0.1·0.25
    # = 0.015), 50000 (0.6·0.9·0.75 = 0.405), 65000 (0.6·0.9·0.25 = 0.135); cumulative
    # 0.03, 0.04, 0.31, …, 0.865, 1: P10 = 20000, P50 = 50000, P90 = 65000, and
    # P(revenue >= 38000) = 0.015 + 0.405 + 0.135 = 0.555.
    ("POST /v1/forecast", 200),
    # 83 is a percentage: the library's refusal, as a 422.
    ("POST /v1/forecast", 422),
    # No key: 401.
    ("POST /v1/forecast", 401),
    # Peers by size. Enterprise: potential max(120000, 30000) = 120000 for both; smb:
    # 18000. Benchmark = the largest potential, 120000. Shares 1, 1, 0.15: tiers A, A, C
    # (cut-offs 0.8 and 0.45). Expected revenue 1×120000, 1×120000, 0.3×120000 = 36000;
    # temperatures 1, 0.25, 0.5: bands red (>= 0.8), yellow (>= 0.25), orange (>= 0.5).
    # Next contact: 2026-11-02 + 30 d = 2026-12-02 (−1 day overdue on 2026-12-01);
    # 2026-07-15 + 30 d = 2026-08-14, 17 + 30 + 31 + 30 + 1 = 109 days overdue;
    # 2026-10-01 + 90 d = 2026-12-30, −29.
    ("POST /v1/tiers", 200),
    # CLV = m·r / (1 + d − r) = 1200×0.75 / 0.3 = 3000; lifetime 1 / (1 − 0.75) = 4;
    # CAC = 40 h × 45 = 1800; CLV:CAC = 3000 / 1800 = 1.666…; payback 1800 / 1200 = 1.5.
    ("POST /v1/customer-value", 200),
    # Open: 27600×0.12 + 34500×0.83 = 3312 + 28635 = 31947 of 62100; 006A3 won
    # (IsClosed, IsWon), 12000×1 = 12000; 006A4 has no Amount: rejected, row 3.
    ("POST /v1/deal-metrics/salesforce", 200),
    # Open: 27600×0.4 + 34500×0.9 = 11040 + 31050 = 42090 of 62100 EUR; 1003 closedwon.
    ("POST /v1/deal-metrics/hubspot", 200),
    # 27600×0.12 + 34500×0.83 + 5000×(2500/5000) = 3312 + 28635 + 2500 = 34447 of 67100.
    ("POST /v1/deal-metrics/pipedrive", 200),
    # 18000 × 40 / 100 = 7200.
    ("POST /v1/deal-metrics/pipedrive", 200),
]

_FENCE = re.compile(r"^```(\w*)[^\n]*\n(.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)
_STATUS = re.compile(r"\((\d{3})\)")


@attrs.frozen
class Example:
    """One request of the page and the answer it shows."""

    method: str
    path: str
    headers: dict[str, str]
    body: str
    status: int
    answer: Any
    line: int

    @property
    def name(self) -> str:
        return f"{self.method} {self.path}"


def examples(text: str) -> list[Example]:
    """Every ``http`` block of a page with the ``json`` block after it."""
    blocks = list(_FENCE.finditer(text))
    found = []
    for block, following in zip(blocks, [*blocks[1:], None], strict=True):
        if block.group(1) != "http":
            continue
        line = text.count("\n", 0, block.start()) + 1
        where = f"line {line}: an http block must be followed by a json block with the answer"
        assert following is not None, where
        assert following.group(1) == "json", where
        statuses = _STATUS.findall(text[block.end() : following.start()])
        assert len(statuses) == 1, f"line {line}: write the status once, as (200), between"
        head, _, body = block.group(2).partition("\n\n")
        request, *header_lines = head.splitlines()
        method, path, version = request.split()
        assert version == "HTTP/1.1", f"line {line}: {request!r}"
        headers = {
            name.strip(): value.strip()
            for name, value in (header.split(":", 1) for header in header_lines)
        }
        found.append(
            Example(
                method=method,
                path=path,
                headers=headers,
                body=body.strip(),
                status=int(statuses[0]),
                answer=json.loads(following.group(2)),
                line=line,
            )
        )
    return found


def same(a: Any, b: Any) -> bool:
    """Equal as JSON, numbers by type too: 65000.0 is not 65000, 1 is not true."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[key], b[key]) for key in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


PAGE_EXAMPLES = examples(PAGE.read_text(encoding="utf-8"))


def _find(name: str, status: int = 200, index: int = 0) -> Example:
    return [e for e in PAGE_EXAMPLES if e.name == name and e.status == status][index]


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with running(ServerSettings(api_key=KEY)) as base:
        yield base


def test_the_page_holds_the_expected_examples() -> None:
    assert [(e.name, e.status) for e in PAGE_EXAMPLES] == EXPECTED


@pytest.mark.parametrize("example", PAGE_EXAMPLES, ids=lambda e: f"line{e.line}")
def test_each_example_is_the_servers_answer(server: str, example: Example) -> None:
    assert example.body, f"line {example.line}: the request has no body"
    json.loads(example.body)  # the documented body is JSON a reader can copy
    response = httpx.request(
        example.method,
        server + example.path,
        headers=example.headers,
        content=example.body.encode("utf-8"),
        timeout=10.0,
    )
    assert response.status_code == example.status, response.text
    assert response.headers["content-type"] == "application/json"
    assert same(response.json(), example.answer), (
        f"line {example.line}: the server answers\n{json.dumps(response.json(), indent=1)}"
    )


def test_the_examples_say_what_the_key_does() -> None:
    # Both forms of the key appear, and the example without one is the 401.
    for example in PAGE_EXAMPLES:
        keyed = example.headers.get("X-API-Key") == KEY
        bearer = example.headers.get("Authorization") == f"Bearer {KEY}"
        assert (keyed or bearer) == (example.status != 401), example.line
    assert any("Authorization" in e.headers for e in PAGE_EXAMPLES)


# ----------------------------------------------- the figures, by hand and by the library


def test_forecast_figures() -> None:
    example = _find("POST /v1/forecast")
    answer = example.answer
    body = json.loads(example.body)
    stage = presets.SALESFORCE_STAGE_PROBABILITIES["Negotiation/Review"]
    assert stage == 0.9
    values = np.array([30000.0, 20000.0, 15000.0])
    chances = np.array([0.6, stage, 0.25])
    assert [d["value"] for d in body["deals"]] == values.tolist()
    assert answer["weighted_forecast"] == 39750.0 == salescore.weighted_forecast(values, chances)
    distribution = book_distribution(pd.DataFrame({"value": values, "probability": chances}))
    quantiles = distribution.quantile(np.array([0.1, 0.5, 0.9])).tolist()
    assert [answer["p10"], answer["p50"], answer["p90"]] == quantiles == [20000, 50000, 65000]
    reach = float(distribution.probability_at_least(50000.0 - 12000.0))
    assert answer["probability_reach_quota"] == reach == pytest.approx(0.555, abs=1e-15)
    coverage = salescore.pipeline_coverage(65000.0, 50000.0, closed=12000.0)
    assert answer["coverage"] == coverage == pytest.approx(65000 / 38000, rel=1e-15)
    refused = _find("POST /v1/forecast", 422).answer["error"]
    assert refused["type"] == "invalid_input"
    assert "divide by 100" in refused["message"]


def test_tiers_figures() -> None:
    example = _find("POST /v1/tiers")
    body = json.loads(example.body)
    accounts = pd.DataFrame(body["accounts"])
    accounts["annual_revenue"] = accounts["annual_revenue"].astype(float)
    accounts["last_contact"] = pd.to_datetime(accounts["last_contact"])
    plan = salescore.tier_accounts(
        accounts, today=pd.Timestamp(body["today"]), segments=body["segments"]
    )
    rows = example.answer["accounts"]
    assert [r["tier"] for r in rows] == ["A", "A", "C"] == plan["tier"].astype(str).tolist()
    assert [r["expected_revenue"] for r in rows] == [120000.0, 120000.0, 36000.0]
    assert [r["expected_revenue"] for r in rows] == plan["expected_revenue"].tolist()
    assert [r["temperature"] for r in rows] == [1.0, 0.25, 0.5] == plan["temperature"].tolist()
    assert [r["band"] for r in rows] == ["red", "yellow", "orange"]
    assert [r["band"] for r in rows] == plan["band"].astype(str).tolist()
    assert [r["next_contact"] for r in rows] == ["2026-12-02", "2026-08-14", "2026-12-30"]
    assert [r["days_overdue"] for r in rows] == [-1.0, 109.0, -29.0]
    assert [r["days_overdue"] for r in rows] == plan["days_overdue"].tolist()


def test_customer_value_figures() -> None:
    example = _find("POST /v1/customer-value")
    body = json.loads(example.body)
    cac = float(salescore.value.time_cost(body["hours"], body["hourly_cost"]))
    economics = salescore.UnitEconomics(
        margin=body["margin"],
        retention=body["retention"],
        discount_rate=body["discount_rate"],
        acquisition_cost=cac,
    )
    answer = example.answer
    figures = ("clv", "expected_lifetime", "acquisition_cost", "payback_periods")
    assert [answer[name] for name in figures] == [3000.0, 4.0, 1800.0, 1.5]
    assert answer["clv_cac_ratio"] == pytest.approx(5 / 3, rel=1e-15)
    assert answer == {
        "clv": economics.clv,
        "expected_lifetime": economics.expected_lifetime,
        "acquisition_cost": cac,
        "clv_cac_ratio": economics.clv_cac_ratio,
        "payback_periods": economics.payback,
    }


@pytest.mark.parametrize(
    ("source", "index", "weighted", "value"),
    [
        ("salesforce", 0, 31947.0, 62100.0),
        ("hubspot", 0, 42090.0, 62100.0),
        ("pipedrive", 0, 34447.0, 67100.0),
        ("pipedrive", 1, 7200.0, 18000.0),
    ],
)
def test_deal_metrics_figures(source: str, index: int, weighted: float, value: float) -> None:
    example = _find(f"POST /v1/deal-metrics/{source}", index=index)
    want = deal_metrics(example.body, source=source)
    for deal in want["deals"]:  # the server writes ids as text
        deal["deal_id"] = None if deal["deal_id"] is None else str(deal["deal_id"])
    assert example.answer == want
    (line,) = example.answer["pipeline"]
    assert (line["weighted_value"], line["value"]) == (weighted, value)
