"""``salescore serve``: the library's calculations behind an HTTP API.

:func:`create_app` builds the ASGI application (FastAPI) and :func:`serve` runs it
with uvicorn. Each endpoint is a thin layer over a library function (see
:mod:`salescore.server._endpoints`); the OpenAPI document at ``/v1/openapi.json`` is
version 3.0, with named operations and examples, as Salesforce External Services
import it.

Errors are JSON, ``{"error": {"status", "type", "message", "problems"}}``, and never
carry a stack trace: a body that is not JSON is a 400, a body of the wrong shape or
types a 422 naming each field (``deals[2].value``) and the problem, a value the
library refuses a 422 with the library's message, a missing or wrong key a 401, a
body or batch above the limits a 413, a calculation that takes longer than the
timeout a 503. Anything else is a bug: a 500 that says so, its trace in the log only.
"""

import json
import logging
import os
from collections.abc import Callable
from typing import Annotated, Any, Literal, TypeVar

import anyio
import attrs
from fastapi import Depends, FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect

from .._version import __version__
from ..errors import InvalidInputError
from . import _endpoints
from ._asgi import LOGGER, Guard, key_problem
from ._openapi import to_openapi_30
from ._schemas import (
    CustomerValueRequest,
    CustomerValueResponse,
    DealMetricsResponse,
    ErrorBody,
    ForecastRequest,
    ForecastResponse,
    Health,
    TiersRequest,
    TiersResponse,
)

__all__ = ["ServerSettings", "create_app", "serve"]

T = TypeVar("T")


def _positive(instance: object, attribute: "attrs.Attribute[Any]", value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
        raise InvalidInputError(f"{attribute.name} must be a number > 0; got {value!r:.60}")


def _origins(value: object) -> tuple[str, ...]:
    """The CORS origins as a tuple of text; one text alone is refused (not split)."""
    if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple)):
        raise InvalidInputError(
            f"cors_origins must be a list or tuple of origins such as "
            f"('https://example.my.salesforce.com',); got {value!r:.60}"
        )
    bad = [item for item in value if not isinstance(item, str) or not item.startswith("http")]
    if bad:
        raise InvalidInputError(
            f"cors_origins must hold origins such as 'https://crm.example.com'; got {bad[0]!r:.60}"
        )
    return tuple(value)


@attrs.frozen
class ServerSettings:
    """How the server guards itself. Every field has a safe default.

    Parameters
    ----------
    api_key : str or None, default None
        The key clients must send, as ``X-API-Key: <key>`` or ``Authorization: Bearer
        <key>``; compared in constant time. None: no key is asked (bind to loopback).
        :func:`serve` reads it from an environment variable, never the command line.
    max_body_bytes : int, default 1_000_000
        Larger request bodies are refused with 413 before they are read whole.
    max_batch : int, default 10_000
        More deals, accounts or records in one request are refused with 413.
    timeout_seconds : float, default 30.0
        A calculation that takes longer is answered 503.
    cors_origins : tuple of str, default ()
        Browser origins allowed to call the API; none by default (CORS off).

    Examples
    --------
    >>> from salescore.server import ServerSettings
    >>> ServerSettings(api_key="k" * 32, max_batch=500).max_batch
    500
    >>> ServerSettings(api_key="short")
    Traceback (most recent call last):
    ...
    salescore.errors.InvalidInputError: api_key must be text of at least 16 characters ...
    """

    api_key: str | None = attrs.field(default=None)
    max_body_bytes: int = attrs.field(default=1_000_000, validator=_positive)
    max_batch: int = attrs.field(default=10_000, validator=_positive)
    timeout_seconds: float = attrs.field(default=30.0, validator=_positive)
    cors_origins: tuple[str, ...] = attrs.field(default=(), converter=_origins)

    @api_key.validator
    def _key(self, attribute: "attrs.Attribute[Any]", value: object) -> None:
        if value is None:
            return
        if not isinstance(value, str) or len(value) < 16:
            raise InvalidInputError(
                "api_key must be text of at least 16 characters (a long random key), or None"
            )
        if not all(33 <= ord(character) <= 126 for character in value):
            raise InvalidInputError(
                "api_key must be printable ASCII without spaces (HTTP headers carry no "
                "other characters reliably), such as secrets.token_urlsafe(32)"
            )


class _RefusedError(Exception):
    """An answer with a status and a message (401, 413, 503)."""

    def __init__(self, status: int, kind: str, message: str) -> None:
        super().__init__(message)
        self.status, self.kind, self.message = status, kind, message


def _error(
    status: int, kind: str, message: str, problems: list[dict[str, Any]] | None = None
) -> JSONResponse:
    body = {
        "error": {"status": status, "type": kind, "message": message, "problems": problems or []}
    }
    return JSONResponse(body, status_code=status)


def _where(location: tuple[Any, ...]) -> str:
    """``("body", "deals", 2, "value")`` -> ``deals[2].value``."""
    parts = list(
        location[1:] if location and location[0] in ("body", "query", "path") else location
    )
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "body"


#: The body of POST /v1/deal-metrics/{source}: the CRM's own payload, read by its adapter.
_PAYLOAD: dict[str, Any] = {
    "required": True,
    "content": {
        "application/json": {
            "schema": {
                "type": "object",
                "additionalProperties": True,
                "description": (
                    "The CRM's records as its API or webhook writes them: a list, a wrapper "
                    '({"records": [...]}, or under results, data, result or deals) or one '
                    "record."
                ),
            }
        }
    },
}
_NOT_JSON = object()  # a mapping query that is not JSON
_MAPPING = (
    'For source "records": canonical column -> the records\' field, as JSON text, such as '
    '{"deal_id": "id", "value": "amount"}.'
)

_ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody, "description": description}
    for status, description in (
        (400, "The body is not JSON."),
        (401, "The API key is missing or wrong."),
        (413, "The body or the batch is larger than the server accepts."),
        (415, "The body is not sent as application/json."),
        (422, "A field is missing, of the wrong type, or refused by the calculation."),
        (500, "A bug in salescore: the server's log has its details."),
        (503, "The calculation took longer than the server allows."),
    )
}


def create_app(settings: ServerSettings | None = None) -> FastAPI:
    """The HTTP API as an ASGI application, guarded as ``settings`` says.

    Parameters
    ----------
    settings : ServerSettings, optional
        The key, limits, timeout and CORS origins (default: :class:`ServerSettings`).

    Returns
    -------
    FastAPI
        With the key check, body-size limit and access log as its middleware; run it
        with any ASGI server.

    Examples
    --------
    >>> from salescore.server import ServerSettings, create_app
    >>> app = create_app(ServerSettings(api_key="k" * 32))
    >>> document = app.openapi()
    >>> document["openapi"]
    '3.0.3'
    >>> sorted(op["operationId"] for path in document["paths"].values() for op in path.values())
    ['customerValue', 'dealMetrics', 'forecast', 'health', 'tiers']

    Serve it with any ASGI server (``uvicorn.run(app)``), or with :func:`serve`.
    """
    settings = settings or ServerSettings()
    app = FastAPI(
        title="salescore",
        version=__version__,
        description="Sales metrics with their formulas and sources, as an HTTP API.",
        openapi_url="/v1/openapi.json",
        docs_url=None,
        redoc_url=None,
    )
    keyed = APIKeyHeader(name="X-API-Key", auto_error=False, description="The server's API key.")
    bearer = HTTPBearer(auto_error=False, description="The server's API key as a bearer token.")

    def authorised(
        key: Annotated[str | None, Depends(keyed)],
        token: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    ) -> None:
        # The Guard has checked the key before the body was read; this dependency
        # publishes the two schemes in the OpenAPI document, and checks again.
        headers = {} if key is None else {b"x-api-key": key.encode()}
        if token is not None:
            headers[b"authorization"] = f"Bearer {token.credentials}".encode()
        problem = key_problem(settings.api_key, headers)
        if problem is not None:
            raise _RefusedError(401, "unauthorized", problem)

    def batch(count: int, what: str) -> None:
        if count > settings.max_batch:
            raise _RefusedError(
                413,
                "too_large",
                f"{count:,} {what} in one request; this server takes at most "
                f"{settings.max_batch:,}: split the batch",
            )

    async def run(work: Callable[[], T]) -> T:
        # As many calculations at once as the machine has cores: more threads would
        # only take turns at the interpreter lock, and slow every request (measured
        # with benchmarks/serve.py: half the throughput at 16 concurrent requests).
        # An abandoned (timed-out) calculation gives its place back.
        if "limiter" not in state:
            state["limiter"] = anyio.CapacityLimiter(os.cpu_count() or 1)
        try:
            with anyio.fail_after(settings.timeout_seconds):
                return await anyio.to_thread.run_sync(
                    work, abandon_on_cancel=True, limiter=state["limiter"]
                )
        except TimeoutError:
            raise _RefusedError(
                503,
                "timeout",
                "the calculation took longer than this server allows "
                f"({settings.timeout_seconds:g} s); send fewer records",
            ) from None

    state: dict[str, anyio.CapacityLimiter] = {}
    guarded = [Depends(authorised)]

    @app.get("/v1/health", operation_id="health", response_model=Health, tags=["service"])
    async def health() -> dict[str, Any]:
        """Whether the server is up, and its version. Needs no key."""
        return {"status": "ok", "version": __version__}

    @app.post(
        "/v1/forecast",
        operation_id="forecast",
        response_model=ForecastResponse,
        dependencies=guarded,
        responses=_ERRORS,
        tags=["pipeline"],
    )
    async def forecast(request: ForecastRequest) -> dict[str, Any]:
        """The weighted forecast of a book of open deals, its P10/P50/P90, and P(reach quota).

        Each deal closes independently with its probability (or its stage's, from a
        preset or your table); the revenue's distribution is exact where it can be.
        """
        batch(len(request.deals), "deals")
        return await run(lambda: _endpoints.forecast(request))

    @app.post(
        "/v1/deal-metrics/{source}",
        operation_id="dealMetrics",
        response_model=DealMetricsResponse,
        dependencies=guarded,
        responses=_ERRORS,
        tags=["pipeline"],
        openapi_extra={"requestBody": _PAYLOAD},
    )
    async def deal_metrics(
        source: Literal["salesforce", "hubspot", "pipedrive", "odoo", "records"],
        raw: Request,
        mapping: Annotated[str | None, Query(description=_MAPPING)] = None,
        probability_scale: Annotated[
            Literal["fraction", "percent"], Query(description='For source "records".')
        ] = "fraction",
    ) -> dict[str, Any]:
        """Each deal's weighted value and the open pipeline per currency, from a CRM's records.

        The body is the CRM's own payload; rejected records are listed with their
        reasons and never fail the call.
        """
        try:
            body = await raw.body()
        except ClientDisconnect:  # the client left, or the Guard answered 413 already
            raise _RefusedError(400, "disconnected", "the client left before its body") from None
        try:
            payload = json.loads(body)
        except RecursionError:
            raise _RefusedError(400, "invalid_json", "the body is nested too deeply") from None
        except ValueError as error:
            raise _RefusedError(
                400, "invalid_json", f"the body is not valid JSON: {error}"
            ) from None
        names = None
        if mapping is not None:
            try:
                names = json.loads(mapping)
            except (ValueError, RecursionError):
                names = _NOT_JSON
            if not isinstance(names, dict):
                raise InvalidInputError(
                    f"mapping must be JSON text of an object; got {mapping!r:.80}"
                ) from None
        batch(_endpoints.records_in(payload), "records")
        return await run(lambda: _endpoints.deal_metrics(payload, source, names, probability_scale))

    @app.post(
        "/v1/tiers",
        operation_id="tiers",
        response_model=TiersResponse,
        dependencies=guarded,
        responses=_ERRORS,
        tags=["accounts"],
    )
    async def tiers(request: TiersRequest) -> dict[str, Any]:
        """Each account's tier (A–D), temperature, contact channel and next contact."""
        batch(len(request.accounts), "accounts")
        return await run(lambda: _endpoints.plan_accounts(request))

    @app.post(
        "/v1/customer-value",
        operation_id="customerValue",
        response_model=CustomerValueResponse,
        dependencies=guarded,
        responses=_ERRORS,
        tags=["value"],
    )
    async def customer_value(request: CustomerValueRequest) -> dict[str, Any]:
        """Customer lifetime value, acquisition cost, their ratio and the payback."""
        return await run(lambda: _endpoints.customer_value(request))

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, error: RequestValidationError) -> JSONResponse:
        problems = [
            {"field": _where(tuple(item["loc"])), "message": item["msg"]} for item in error.errors()
        ]
        if any(item["type"] == "json_invalid" for item in error.errors()):
            return _error(400, "invalid_json", "the body is not valid JSON")
        if any(
            item["type"] == "missing" and tuple(item["loc"]) == ("body",) for item in error.errors()
        ):
            return _error(400, "invalid_json", "the body is empty: send a JSON object")
        first = problems[0] if problems else {"field": "body", "message": "invalid"}
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        return _error(422, "invalid_input", f"{first['field']}: {first['message']}{more}", problems)

    @app.exception_handler(InvalidInputError)
    async def refused(request: Request, error: InvalidInputError) -> JSONResponse:
        return _error(422, "invalid_input", " ".join(str(error).split()))

    @app.exception_handler(_RefusedError)
    async def answered(request: Request, error: _RefusedError) -> JSONResponse:
        response = _error(error.status, error.kind, error.message)
        if error.status == 401:
            response.headers["WWW-Authenticate"] = "Bearer"
        return response

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> JSONResponse:
        if error.status_code == 400 and "parsing the body" in str(error.detail):
            # FastAPI's words for a body it could not read: too deeply nested, cut off.
            return _error(400, "invalid_json", "the body could not be read as JSON")
        kind = {404: "not_found", 405: "method_not_allowed"}.get(error.status_code, "http_error")
        return _error(error.status_code, kind, str(error.detail))

    @app.exception_handler(Exception)
    async def bug(request: Request, error: Exception) -> JSONResponse:
        LOGGER.exception("internal error on %s %s", request.method, request.url.path)
        return _error(
            500, "internal", "internal error, a bug in salescore; the server's log has its details"
        )

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            from fastapi.openapi.utils import get_openapi

            document = get_openapi(
                title=app.title, version=app.version, description=app.description, routes=app.routes
            )
            app.openapi_schema = to_openapi_30(document)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    # The Guard runs before the body is read; CORS outside it, so that a browser's
    # preflight (which carries no key) is answered.
    app.add_middleware(Guard, max_body=settings.max_body_bytes, api_key=settings.api_key)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(settings.cors_origins),
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "X-API-Key", "Content-Type"],
        )
    return app


def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    settings: ServerSettings | None = None,
    *,
    log_level: str = "info",
) -> None:
    """Run the API with uvicorn until interrupted.

    Parameters
    ----------
    host : str, default "127.0.0.1"
        The address to listen on; loopback by default. Listening elsewhere without an
        API key logs a warning.
    port : int, default 8000
        The TCP port.
    settings : ServerSettings, optional
        The key, limits, timeout and CORS origins.
    log_level : str, keyword-only, default "info"
        uvicorn's and the access log's level.

    Examples
    --------
    From the command line, ``salescore serve`` calls it with the key from the
    environment; in Python (it returns when the server is stopped)::

        import os
        from salescore.server import ServerSettings, serve

        serve("127.0.0.1", 8000, ServerSettings(api_key=os.environ["SALESCORE_API_KEY"]))
    """
    import uvicorn

    settings = settings or ServerSettings()
    logging.basicConfig(level=log_level.upper(), format="%(message)s")
    if settings.api_key is None and host not in ("127.0.0.1", "localhost", "::1"):
        warning = f"listening on {host} without an API key: anyone who reaches it can call it"
        LOGGER.warning(json.dumps({"warning": warning}))
    uvicorn.run(
        create_app(settings),
        host=host,
        port=port,
        log_level=log_level,
        access_log=False,
        timeout_keep_alive=5,
        server_header=False,
    )
