"""The server's ASGI layer: the API key, a body-size limit, an access log without payloads.

:class:`Guard` is the application's outermost middleware but CORS. A request
without the right key (``X-API-Key: <key>`` or ``Authorization: Bearer <key>``,
compared in constant time) is answered 401 before its body is read, except for the
paths anyone may read (``/v1/health`` and the OpenAPI document). A POST whose body is
not declared as JSON is answered 415. A request whose
``Content-Length`` is above the limit is answered 413 before its body is read; a
body sent without a length (chunked) is counted as it arrives and answered 413 as
soon as it passes the limit.
Each request is logged as one JSON line on the ``salescore.server`` logger: method,
path, status, duration, body bytes and the client's address — never the body or the
query, which hold customers' data, nor the API key.
"""

from __future__ import annotations

import hmac
import json
import logging
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

__all__ = [
    "LOGGER",
    "MISSING_KEY",
    "NOT_JSON",
    "OPEN_PATHS",
    "WRONG_KEY",
    "Guard",
    "error_response",
    "key_problem",
    "too_large",
]

LOGGER = logging.getLogger("salescore.server")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]


def error_response(status: int, kind: str, message: str) -> bytes:
    """The JSON body of an error without a field: ``{"error": {...}}``."""
    body = {"error": {"status": status, "type": kind, "message": message, "problems": []}}
    return json.dumps(body).encode()


def too_large(limit: int) -> str:
    return (
        f"the request body is larger than this server accepts ({limit:,} bytes); "
        "send fewer records per request"
    )


class _TooLargeError(Exception):
    """A request body whose Content-Length is above the limit."""


#: Paths anyone may read, with or without the key.
OPEN_PATHS = frozenset({"/v1/health", "/v1/openapi.json"})
MISSING_KEY = "this server needs an API key: send X-API-Key or Authorization: Bearer"
WRONG_KEY = "the API key is wrong"
NOT_JSON = "send the body as JSON, with the header Content-Type: application/json"


def _is_json(content_type: bytes | None) -> bool:
    """Whether a Content-Type names JSON (``application/json``, ``…+json``, any charset)."""
    if content_type is None:
        return False
    kind = content_type.split(b";", 1)[0].strip().lower()
    return kind == b"application/json" or (
        kind.startswith(b"application/") and kind.endswith(b"+json")
    )


def key_problem(expected: str | None, headers: dict[bytes, bytes]) -> str | None:
    """Why the request's key is refused (None when it is accepted or none is asked)."""
    if expected is None:
        return None
    given = headers.get(b"x-api-key")
    if given is None:
        scheme, _, token = headers.get(b"authorization", b"").partition(b" ")
        given = token.strip() if scheme.lower() == b"bearer" else None
    if given is None:
        return MISSING_KEY
    if not hmac.compare_digest(given, expected.encode()):
        return WRONG_KEY
    return None


class Guard:
    """Ask for the key, limit request bodies to ``max_body`` bytes, log each request."""

    def __init__(self, app: App, max_body: int, api_key: str | None = None) -> None:
        self.app = app
        self.max_body = max_body
        self.api_key = api_key

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status: dict[str, Any] = {"code": 500, "sent": False}
        received = {"bytes": 0}
        message = too_large(self.max_body)

        async def send_logged(event: Message) -> None:
            if status["sent"] and event["type"] == "http.response.start":
                status["dropped"] = True  # the 413 went first: the app's answer is dropped
            if status.get("dropped"):
                return
            if event["type"] == "http.response.start":
                status["code"] = int(event["status"])
                status["sent"] = True
            await send(event)

        async def counted() -> Message:
            if status["sent"]:
                return {"type": "http.disconnect"}
            event = await receive()
            if event["type"] == "http.request":
                received["bytes"] += len(event.get("body", b""))
                if received["bytes"] > self.max_body:
                    # Answered at once, whatever the application makes of the rest: it
                    # reads a disconnect, and its own answer is dropped.
                    await self._answer(send_logged, 413, "too_large", message)
                    return {"type": "http.disconnect"}
            return event

        headers = {name.lower(): value for name, value in scope.get("headers") or []}
        refused = None
        if scope.get("path") not in OPEN_PATHS and scope.get("method") != "OPTIONS":
            refused = key_problem(self.api_key, headers)
        try:
            if refused is not None:
                await self._answer(send_logged, 401, "unauthorized", refused)
                return
            if scope.get("method") == "POST" and not _is_json(headers.get(b"content-type")):
                await self._answer(send_logged, 415, "unsupported_media_type", NOT_JSON)
                return
            length = headers.get(b"content-length")
            if length is not None and (not length.isdigit() or int(length) > self.max_body):
                raise _TooLargeError
            await self.app(scope, counted, send_logged)
        except _TooLargeError:
            if not status["sent"]:
                await self._answer(send_logged, 413, "too_large", message)
        finally:
            LOGGER.info(
                json.dumps(
                    {
                        "method": scope.get("method"),
                        "path": scope.get("path"),
                        "status": status["code"],
                        "ms": round((time.perf_counter() - started) * 1000.0, 2),
                        "bytes_in": received["bytes"],
                        "client": (scope.get("client") or [None])[0],
                    }
                )
            )

    @staticmethod
    async def _answer(send: Send, status: int, kind: str, message: str) -> None:
        body = error_response(status, kind, message)
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
        ]
        if status == 401:
            headers.append((b"www-authenticate", b"Bearer"))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})
