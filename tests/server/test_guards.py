"""Every error path over HTTP: its status, its JSON body, its message; and the guards.

Malformed JSON, wrong types, missing and unknown fields, values the library refuses,
oversized bodies (with a length and chunked), batches above the limit, a missing or
wrong key, unknown paths, a calculation past the timeout and a bug: each answered
with ``{"error": {...}}`` and never a stack trace. CORS is off unless origins are
given, and the access log holds no payload.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from salescore.errors import InvalidInputError
from salescore.server import ServerSettings
from salescore.server import _endpoints as endpoints

from .conftest import KEY
from .harness import running

GOOD = {"deals": [{"deal_id": "D1", "value": 100.0, "probability": 0.5}]}
JSON = {"content-type": "application/json"}


def _error(answer: httpx.Response, status: int, kind: str) -> dict[str, Any]:
    """The error body, after checking its status, type and that it holds no trace."""
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"] == "application/json"
    assert "Traceback" not in answer.text
    assert 'File "' not in answer.text
    body: dict[str, Any] = answer.json()["error"]
    assert body["status"] == status
    assert body["type"] == kind
    return body


def _forecast(base: str, **options: Any) -> httpx.Response:
    return httpx.post(f"{base}/v1/forecast", timeout=30.0, **options)


def test_malformed_json_is_a_400(base: str) -> None:
    for text in (b"{not json", b'{"deals": [', b"\xff\xfe"):
        answer = _forecast(base, content=text, headers={"content-type": "application/json"})
        assert _error(answer, 400, "invalid_json")["message"] == "the body is not valid JSON"
    answer = _forecast(base, content=b"", headers={"content-type": "application/json"})
    assert _error(answer, 400, "invalid_json")["message"] == "the body is empty: send a JSON object"
    answer = httpx.post(f"{base}/v1/deal-metrics/hubspot", content=b"{oops", headers=JSON)
    assert _error(answer, 400, "invalid_json")["message"].startswith("the body is not valid JSON:")
    # Nested past what a JSON reader follows: a 400, not a crash.
    for path in ("/v1/deal-metrics/hubspot", "/v1/forecast"):
        answer = httpx.post(f"{base}{path}", content=b"[" * 100_000, headers=JSON)
        assert _error(answer, 400, "invalid_json")["message"] in (
            "the body is nested too deeply",
            "the body could not be read as JSON",
        )
    deep = {"mapping": "[" * 5000}
    answer = httpx.post(f"{base}/v1/deal-metrics/records", json=[], params=deep)
    assert (
        "mapping must be JSON text of an object" in _error(answer, 422, "invalid_input")["message"]
    )


def test_a_body_not_declared_as_json_is_a_415(base: str) -> None:
    # curl -d sends a form's content type; a client may send none.
    text = json.dumps({"deals": []})
    for headers in (
        {},
        {"content-type": "application/x-www-form-urlencoded"},
        {"content-type": "text/plain"},
    ):
        answer = _forecast(base, content=text, headers=headers)
        error = _error(answer, 415, "unsupported_media_type")
        assert "Content-Type: application/json" in error["message"]
    for kind in ("application/json; charset=utf-8", "application/vnd.api+json"):
        assert _forecast(base, content=text, headers={"content-type": kind}).status_code == 200


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ({"deals": [{"deal_id": "D1", "value": "100"}]}, "deals[0].value", "valid number"),
        ({"deals": [{"deal_id": "D1", "value": True}]}, "deals[0].value", "valid number"),
        ({"deals": [{"deal_id": 7, "value": 1.0}]}, "deals[0].deal_id", "valid string"),
        ({"deals": [{"value": 1.0}]}, "deals[0].deal_id", "Field required"),
        ({}, "deals", "Field required"),
        ({"deals": "D1"}, "deals", "valid list"),
        ({"deals": [], "quota": "lots"}, "quota", "valid number"),
        ({"deals": [], "dels": []}, "dels", "Extra inputs are not permitted"),
        (
            {"deals": [{"deal_id": "D1", "value": 1.0, "close_date": "31/03/2026"}]},
            "deals[0].close_date",
            "valid date",
        ),
        ({"deals": [], "preset": "zoho"}, "preset", "'salesforce'"),
        ([1, 2], "body", "valid dictionary"),
    ],
)
def test_wrong_shapes_and_types_are_422s_naming_the_field(
    base: str, body: Any, field: str, words: str
) -> None:
    error = _error(_forecast(base, json=body), 422, "invalid_input")
    assert error["problems"][0]["field"] == field
    assert words in error["problems"][0]["message"]
    assert error["message"].startswith(f"{field}: ")


def test_nan_and_infinity_are_no_numbers(base: str) -> None:
    for literal in ("NaN", "Infinity", "-Infinity"):
        text = f'{{"deals": [{{"deal_id": "D1", "value": {literal}, "probability": 0.5}}]}}'
        answer = _forecast(base, content=text, headers={"content-type": "application/json"})
        error = _error(answer, 422, "invalid_input")
        assert error["problems"][0]["field"] == "deals[0].value"


@pytest.mark.parametrize(
    ("body", "words"),
    [
        (
            {"deals": [{"deal_id": "D1", "value": -5.0, "probability": 0.5}]},
            "value must be a finite number >= 0",
        ),
        ({"deals": [{"deal_id": "D1", "value": 5.0, "probability": 50}]}, "probability"),
        ({"deals": [{"deal_id": "D1", "value": 5.0}]}, "have no probability: ['D1']"),
        (
            {
                "deals": [{"deal_id": "D1", "value": 5.0, "stage": "Dreaming"}],
                "preset": "salesforce",
            },
            "Dreaming",
        ),
        ({**GOOD, "preset": "hubspot", "stage_probabilities": {"A": 0.1}}, "not both"),
        (
            {
                "deals": [
                    {"deal_id": "D1", "value": 5.0, "probability": 0.5, "currency": "EUR"},
                    {"deal_id": "D2", "value": 5.0, "probability": 0.5, "currency": "USD"},
                ]
            },
            "one currency",
        ),
        ({**GOOD, "period_start": "2026-01-01"}, "go together"),
        ({**GOOD, "period_start": "2026-01-01", "period_end": "2026-03-31"}, "close_date"),
        ({**GOOD, "quota": -1.0}, "quota must be a number > 0"),
        ({**GOOD, "quota": 0}, "quota must be a number > 0"),
        ({**GOOD, "closed": -50.0}, "needs a quota"),
        ({**GOOD, "quota": 100.0, "closed": -50.0}, "closed"),
        ({"deals": [GOOD["deals"][0], GOOD["deals"][0]]}, "repeated: ['D1']"),
        (
            {
                "deals": [
                    {"deal_id": "D1", "value": 5.0, "probability": 0.5, "currency": "USD"},
                    {"deal_id": "D2", "value": 5.0, "probability": 0.5},
                ]
            },
            "name it on every deal",
        ),
    ],
)
def test_values_the_library_refuses_are_422s_with_its_message(
    base: str, body: Any, words: str
) -> None:
    error = _error(_forecast(base, json=body), 422, "invalid_input")
    assert words in error["message"]


def test_other_endpoints_refuse_with_the_library_message(base: str) -> None:
    answer = httpx.post(f"{base}/v1/customer-value", json={"margin": 100.0, "retention": 1.5})
    assert "retention" in _error(answer, 422, "invalid_input")["message"]
    both = {
        "margin": 1.0,
        "retention": 0.5,
        "acquisition_cost": 3.0,
        "hours": 1.0,
        "hourly_cost": 2,
    }
    answer = httpx.post(f"{base}/v1/customer-value", json=both)
    assert "one way" in _error(answer, 422, "invalid_input")["message"]
    for count in (0, 2.5, -1):
        odd = {"margin": 1.0, "retention": 0.5, "spend": 3.0, "new_customers": count}
        answer = httpx.post(f"{base}/v1/customer-value", json=odd)
        assert (
            "new_customers must be a whole number >= 1"
            in _error(answer, 422, "invalid_input")["message"]
        )
    start = {"margin": 1.0, "retention": 0.5, "timing": "start"}
    answer = httpx.post(f"{base}/v1/customer-value", json=start)
    assert _error(answer, 422, "invalid_input")["problems"][0]["field"] == "timing"
    twice = {
        "today": "2026-12-01",
        "segments": [],
        "accounts": [
            {"account_id": "A", "annual_revenue": 1.0},
            {"account_id": "A", "annual_revenue": 2.0},
        ],
    }
    answer = httpx.post(f"{base}/v1/tiers", json=twice)
    assert "repeated: ['A']" in _error(answer, 422, "invalid_input")["message"]
    for mapping in ("[1, 2]", "null", '"id"'):
        answer = httpx.post(f"{base}/v1/deal-metrics/records", json=[], params={"mapping": mapping})
        assert (
            "mapping must be JSON text of an object"
            in _error(answer, 422, "invalid_input")["message"]
        )
    half = {"margin": 1.0, "retention": 0.5, "spend": 3.0}
    answer = httpx.post(f"{base}/v1/customer-value", json=half)
    assert "new_customers is missing" in _error(answer, 422, "invalid_input")["message"]
    accounts = {
        "today": "2026-12-01",
        "accounts": [{"account_id": "A", "annual_revenue": -1.0}],
        "segments": [],
    }
    answer = httpx.post(f"{base}/v1/tiers", json=accounts)
    assert "revenue" in _error(answer, 422, "invalid_input")["message"]
    answer = httpx.post(f"{base}/v1/deal-metrics/zoho", json=[])
    assert _error(answer, 422, "invalid_input")["problems"][0]["field"] == "source"
    answer = httpx.post(f"{base}/v1/deal-metrics/records", json=[], params={"mapping": "{x"})
    assert "mapping must be JSON" in _error(answer, 422, "invalid_input")["message"]
    answer = httpx.post(f"{base}/v1/deal-metrics/salesforce", json=[{"Name": "no id"}])
    assert "Id" in _error(answer, 422, "invalid_input")["message"]


def test_unknown_paths_and_methods(base: str) -> None:
    assert _error(httpx.get(f"{base}/v1/nothing"), 404, "not_found")["message"] == "Not Found"
    _error(httpx.get(f"{base}/v1/forecast"), 405, "method_not_allowed")


def test_the_key_is_asked_and_compared(keyed: str) -> None:
    missing = _error(_forecast(keyed, json=GOOD), 401, "unauthorized")
    assert "needs an API key" in missing["message"]
    for headers in ({"X-API-Key": KEY + "x"}, {"X-API-Key": ""}, {"Authorization": "Bearer nope"}):
        answer = _forecast(keyed, json=GOOD, headers=headers)
        assert _error(answer, 401, "unauthorized")["message"] in (
            "the API key is wrong",
            "this server needs an API key: send X-API-Key or Authorization: Bearer",
        )
        assert answer.headers["www-authenticate"] == "Bearer"
    for headers in ({"X-API-Key": KEY}, {"Authorization": f"Bearer {KEY}"}):
        assert _forecast(keyed, json=GOOD, headers=headers).status_code == 200
    # Health and the OpenAPI document need no key.
    assert httpx.get(f"{keyed}/v1/health").status_code == 200
    assert httpx.get(f"{keyed}/v1/openapi.json").status_code == 200


def test_the_key_is_checked_before_the_body(keyed: str) -> None:
    # A caller without the key learns nothing of the body's problems, and its body is
    # not read: a large upload without the key is refused at once.
    bad = _forecast(keyed, content=b"{bad", headers={"content-type": "application/json"})
    assert _error(bad, 401, "unauthorized")["message"].startswith("this server needs an API key")
    big = _forecast(keyed, content=b"x" * 100_000, headers={"X-API-Key": "wrong-key-0123456789"})
    assert _error(big, 401, "unauthorized")["message"] == "the API key is wrong"


def test_oversized_bodies_are_413s(keyed: str) -> None:
    big = {"deals": [{"deal_id": f"D{n}", "value": 1.0, "probability": 0.5} for n in range(600)]}
    headers = {"X-API-Key": KEY}
    error = _error(_forecast(keyed, json=big, headers=headers), 413, "too_large")
    assert "20,000 bytes" in error["message"]

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it arrives
        text = json.dumps(big).encode()
        for start in range(0, len(text), 1000):
            yield text[start : start + 1000]

    answer = _forecast(
        keyed, content=chunks(), headers={**headers, "content-type": "application/json"}
    )
    assert "20,000 bytes" in _error(answer, 413, "too_large")["message"]


def test_batches_above_the_limit_are_413s(keyed: str) -> None:
    headers = {"X-API-Key": KEY}
    deals = [{"deal_id": f"D{n}", "value": 1.0, "probability": 0.5} for n in range(51)]
    error = _error(_forecast(keyed, json={"deals": deals}, headers=headers), 413, "too_large")
    assert error["message"].startswith("51 deals in one request; this server takes at most 50")
    assert _forecast(keyed, json={"deals": deals[:50]}, headers=headers).status_code == 200
    records = [{"id": n, "amount": 1.0} for n in range(51)]
    answer = httpx.post(
        f"{keyed}/v1/deal-metrics/records",
        json=records,
        headers=headers,
        params={"mapping": '{"deal_id": "id", "value": "amount"}'},
    )
    assert _error(answer, 413, "too_large")["message"].startswith("51 records")


def test_a_slow_calculation_is_a_503(monkeypatch: pytest.MonkeyPatch) -> None:
    import threading

    released = threading.Event()

    def stuck(request: Any) -> dict[str, Any]:
        released.wait(60.0)  # until the test ends: longer than any timeout
        raise AssertionError("its answer is never read")

    monkeypatch.setattr(endpoints, "forecast", stuck)
    try:
        with running(ServerSettings(timeout_seconds=0.2)) as url:
            # More stuck calculations than worker threads (one per core): each is
            # answered 503, and the abandoned work does not block the next request.
            for _ in range(3):
                error = _error(_forecast(url, json=GOOD), 503, "timeout")
                assert "longer than this server allows (0.2 s)" in error["message"]
            value = {"margin": 100.0, "retention": 0.5}
            assert httpx.post(f"{url}/v1/customer-value", json=value).status_code == 200
    finally:
        released.set()


def test_a_bug_is_a_500_without_its_trace(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(request: Any) -> dict[str, Any]:
        raise KeyError("secret internals")

    monkeypatch.setattr(endpoints, "forecast", broken)
    with running() as url, caplog.at_level(logging.ERROR, logger="salescore.server"):
        error = _error(_forecast(url, json=GOOD), 500, "internal")
    assert "secret" not in error["message"]
    assert any(
        "secret internals" in record.exc_text for record in caplog.records if record.exc_text
    )


def test_cors_is_off_unless_origins_are_given() -> None:
    origin = {"Origin": "https://example.my.salesforce.com"}
    preflight = {**origin, "Access-Control-Request-Method": "POST"}
    with running() as url:
        answer = httpx.options(f"{url}/v1/forecast", headers=preflight)
        assert "access-control-allow-origin" not in answer.headers
        assert (
            "access-control-allow-origin"
            not in httpx.get(f"{url}/v1/health", headers=origin).headers
        )
    settings = ServerSettings(cors_origins=("https://example.my.salesforce.com",))
    with running(settings) as url:
        answer = httpx.options(f"{url}/v1/forecast", headers=preflight)
        assert answer.headers["access-control-allow-origin"] == origin["Origin"]
        other = {"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"}
        assert (
            "access-control-allow-origin"
            not in httpx.options(f"{url}/v1/forecast", headers=other).headers
        )


def test_the_access_log_holds_no_payload(base: str, caplog: pytest.LogCaptureFixture) -> None:
    secret = {"deals": [{"deal_id": "ACME-SECRET-DEAL", "value": 123456.0, "probability": 0.5}]}
    with caplog.at_level(logging.INFO, logger="salescore.server"):
        answer = httpx.post(f"{base}/v1/forecast", json=secret, params={"q": "hidden"})
    assert answer.status_code == 200
    lines = [
        json.loads(record.getMessage())
        for record in caplog.records
        if record.name == "salescore.server"
    ]
    entry = next(line for line in lines if line.get("path") == "/v1/forecast")
    assert set(entry) == {"method", "path", "status", "ms", "bytes_in", "client"}
    assert (entry["method"], entry["status"]) == ("POST", 200)
    assert entry["bytes_in"] == len(answer.request.content)
    text = " ".join(record.getMessage() for record in caplog.records)
    assert "ACME-SECRET-DEAL" not in text
    assert "123456" not in text
    assert "hidden" not in text


@pytest.mark.parametrize(
    ("options", "words"),
    [
        ({"api_key": "short"}, "at least 16 characters"),
        ({"api_key": 12345678901234567}, "api_key must be text"),
        ({"max_body_bytes": 0}, "max_body_bytes must be a number > 0"),
        ({"max_batch": -1}, "max_batch must be a number > 0"),
        ({"timeout_seconds": float("nan")}, "timeout_seconds must be a number > 0"),
        ({"max_batch": True}, "max_batch must be a number > 0"),
        ({"cors_origins": "https://crm.example.com"}, "a list or tuple of origins"),
        ({"cors_origins": ["*"]}, "must hold origins"),
        ({"api_key": "schlüssel-geheim-0123"}, "printable ASCII without spaces"),
        ({"api_key": " " * 16}, "printable ASCII without spaces"),
    ],
)
def test_bad_settings_are_refused(options: dict[str, Any], words: str) -> None:
    with pytest.raises(InvalidInputError, match=words):
        ServerSettings(**options)
