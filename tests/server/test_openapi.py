"""The OpenAPI document: valid OpenAPI 3.0, named operations, examples that the server takes.

Salesforce External Services import OpenAPI 3.0 documents, and name each action
after its ``operationId``; the document is validated with ``openapi-spec-validator``
against the 3.0 schema, and every example it publishes is posted to the server.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from openapi_spec_validator import validate
from openapi_spec_validator.validation import OpenAPIV30SpecValidator

from salescore.server._openapi import to_openapi_30

OPERATIONS = {
    ("get", "/v1/health"): "health",
    ("post", "/v1/forecast"): "forecast",
    ("post", "/v1/deal-metrics/{source}"): "dealMetrics",
    ("post", "/v1/tiers"): "tiers",
    ("post", "/v1/customer-value"): "customerValue",
}


@pytest.fixture(scope="module")
def document(base: str) -> dict[str, Any]:
    answer = httpx.get(f"{base}/v1/openapi.json")
    assert answer.status_code == 200
    body: dict[str, Any] = answer.json()
    return body


def test_the_document_is_valid_openapi_30(document: dict[str, Any]) -> None:
    assert document["openapi"] == "3.0.3"
    validate(document, cls=OpenAPIV30SpecValidator)


def test_no_construct_of_31_is_left(document: dict[str, Any]) -> None:
    # 3.0 has no null type, no const, no examples list in a schema, no numeric exclusive
    # bounds; a $ref takes no siblings.
    def walk(node: Any, where: str) -> None:
        if isinstance(node, dict):
            assert node.get("type") != "null", where
            assert "const" not in node, where
            assert not ("$ref" in node and len(node) > 1), where
            for key in ("exclusiveMinimum", "exclusiveMaximum"):
                assert isinstance(node.get(key, True), bool), where
            for key, item in node.items():
                if key == "examples" and where.endswith("schema"):
                    raise AssertionError(f"examples list in a schema at {where}")
                walk(item, f"{where}.{key}")
        elif isinstance(node, list):
            for position, item in enumerate(node):
                walk(item, f"{where}[{position}]")

    walk(document["components"]["schemas"], "schemas")
    walk(document["paths"], "paths")


def test_every_operation_is_named_and_its_errors_described(document: dict[str, Any]) -> None:
    found = {
        (method, path): operation["operationId"]
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
    }
    assert found == OPERATIONS
    for (method, path), _ in OPERATIONS.items():
        operation = document["paths"][path][method]
        assert operation["summary"]
        if path != "/v1/health":
            wanted = {"200", "400", "401", "413", "415", "422", "500", "503"}
            assert wanted <= set(operation["responses"])
            assert {"APIKeyHeader": []} in operation["security"]
            assert {"HTTPBearer": []} in operation["security"]


def test_the_published_examples_are_answered(base: str, document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    posted = 0
    for path, operations in document["paths"].items():
        for operation in operations.values():
            content = operation.get("requestBody", {}).get("content", {})
            reference = content.get("application/json", {}).get("schema", {}).get("$ref")
            if reference is None:
                continue
            example = schemas[reference.rsplit("/", 1)[1]].get("example")
            assert example is not None, path
            answer = httpx.post(f"{base}{path}", json=example)
            assert answer.status_code == 200, answer.text
            posted += 1
    assert posted == 3  # forecast, tiers, customer value


def test_nullable_fields_are_written_the_30_way() -> None:
    # What FastAPI writes for an optional number, and a model's examples, in 3.1.
    written = {
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "paths": {},
        "components": {
            "schemas": {
                "M": {
                    "type": "object",
                    "properties": {
                        "quota": {"anyOf": [{"type": "number"}, {"type": "null"}], "title": "Q"},
                        "deal": {"anyOf": [{"$ref": "#/components/schemas/D"}, {"type": "null"}]},
                        "kind": {"const": "ok"},
                        "low": {"type": "number", "exclusiveMinimum": 0},
                    },
                    "examples": [{"quota": 1.0}],
                },
                "D": {"type": "object"},
            }
        },
    }
    converted = to_openapi_30(written)
    model = converted["components"]["schemas"]["M"]
    assert model["properties"]["quota"] == {"type": "number", "title": "Q", "nullable": True}
    assert model["properties"]["deal"] == {
        "allOf": [{"$ref": "#/components/schemas/D"}],
        "nullable": True,
    }
    assert model["properties"]["kind"] == {"enum": ["ok"]}
    assert model["properties"]["low"] == {"type": "number", "minimum": 0, "exclusiveMinimum": True}
    assert model["example"] == {"quota": 1.0}
    assert "examples" not in model
    assert json.loads(json.dumps(converted)) == converted
    validate(converted, cls=OpenAPIV30SpecValidator)
