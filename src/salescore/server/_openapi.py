"""The OpenAPI document in version 3.0, which Salesforce External Services import.

FastAPI writes OpenAPI 3.1, whose schemas are JSON Schema 2020-12. Version 3.0 has a
subset of it; :func:`to_openapi_30` rewrites the few constructs the server's models
produce: a nullable field (``anyOf`` with ``{"type": "null"}``) becomes the schema
with ``nullable: true``, a list of ``examples`` becomes one ``example``, ``const``
becomes a one-value ``enum``, a numeric ``exclusiveMinimum`` or ``exclusiveMaximum``
becomes the boolean form, and a ``$ref`` with sibling keywords is wrapped in
``allOf`` (3.0 ignores the siblings of a ``$ref``).
"""

from __future__ import annotations

from typing import Any

__all__ = ["to_openapi_30"]


def _schema(node: Any) -> Any:
    """One schema, rewritten in the 3.0 dialect (recursively)."""
    if isinstance(node, list):
        return [_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: _schema(item) for key, item in node.items()}
    for key in ("anyOf", "oneOf"):
        options = out.get(key)
        if isinstance(options, list) and {"type": "null"} in options:
            rest = [option for option in options if option != {"type": "null"}]
            del out[key]
            if len(rest) == 1:
                out = {**rest[0], **out} if "$ref" not in rest[0] else {"allOf": rest, **out}
            else:
                out[key] = rest
            out["nullable"] = True
    if "examples" in out and isinstance(out["examples"], list):
        examples = out.pop("examples")
        if examples:
            out["example"] = examples[0]
    if "const" in out:
        out["enum"] = [out.pop("const")]
    for key, bound in (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")):
        if isinstance(out.get(key), (int, float)) and not isinstance(out.get(key), bool):
            out[bound] = out[key]
            out[key] = True
    if "$ref" in out and len(out) > 1:
        ref = out.pop("$ref")
        out = {"allOf": [{"$ref": ref}], **out}
    return out


def to_openapi_30(document: dict[str, Any]) -> dict[str, Any]:
    """The FastAPI document (3.1) rewritten as OpenAPI 3.0.3."""
    out = dict(document)
    out["openapi"] = "3.0.3"
    components = dict(out.get("components", {}))
    if "schemas" in components:
        components["schemas"] = {
            name: _schema(schema) for name, schema in components["schemas"].items()
        }
    out["components"] = components
    paths: dict[str, Any] = {}
    for path, operations in out.get("paths", {}).items():
        paths[path] = {}
        for method, operation in operations.items():
            operation = dict(operation)
            for parameter in operation.get("parameters", []):
                if "schema" in parameter:
                    parameter["schema"] = _schema(parameter["schema"])
            body = operation.get("requestBody", {}).get("content", {})
            for media in body.values():
                if "schema" in media:
                    media["schema"] = _schema(media["schema"])
            for response in operation.get("responses", {}).values():
                for media in response.get("content", {}).values():
                    if "schema" in media:
                        media["schema"] = _schema(media["schema"])
            paths[path][method] = operation
    out["paths"] = paths
    return out
