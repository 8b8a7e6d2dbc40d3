"""``salescore serve``: the HTTP API of :mod:`salescore.server`, run by uvicorn.

The API key is read from an environment variable (``SALESCORE_API_KEY`` unless
``--api-key-env`` names another), never from the command line, where other users of
the machine could read it in the process list.
"""

from __future__ import annotations

import argparse
import os
from typing import Any

from ._options import UsageError

__all__ = ["add_serve", "run_serve"]

_DESCRIPTION = """\
Serve salescore's calculations over HTTP (needs the server extra: in a clone,
python -m pip install '.[server]'): POST /v1/forecast, /v1/deal-metrics/{source},
/v1/tiers and /v1/customer-value; GET /v1/health and the OpenAPI 3.0 document at
/v1/openapi.json. Clients send the key as X-API-Key or Authorization: Bearer."""


def _positive_int(text: str) -> int:
    if not text.isdigit() or int(text) <= 0:
        raise argparse.ArgumentTypeError(f"must be a whole number > 0; got {text!r}")
    return int(text)


def _positive_float(text: str) -> float:
    try:
        number = float(text)
    except ValueError:
        number = float("nan")
    if not number > 0 or number == float("inf"):
        raise argparse.ArgumentTypeError(f"must be a number of seconds > 0; got {text!r}")
    return number


def add_serve(commands: Any) -> None:
    """Add the ``serve`` command to the subparsers ``commands``."""
    serve = commands.add_parser(
        "serve",
        help="serve the calculations over HTTP, for CRMs that call a URL",
        description=_DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    serve.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)"
    )
    serve.add_argument("--port", type=_positive_int, default=8000, help="TCP port (default: 8000)")
    serve.add_argument(
        "--api-key-env",
        default="SALESCORE_API_KEY",
        metavar="NAME",
        help="environment variable holding the API key (default: SALESCORE_API_KEY); "
        "when it is unset, no key is asked",
    )
    serve.add_argument(
        "--max-body-bytes",
        type=_positive_int,
        default=1_000_000,
        help="larger request bodies get 413 (default: 1000000)",
    )
    serve.add_argument(
        "--max-batch",
        type=_positive_int,
        default=10_000,
        help="more deals, accounts or records in one request get 413 (default: 10000)",
    )
    serve.add_argument(
        "--timeout",
        type=_positive_float,
        default=30.0,
        metavar="SECONDS",
        help="a calculation taking longer gets 503 (default: 30)",
    )
    serve.add_argument(
        "--cors-origin",
        action="append",
        default=[],
        metavar="ORIGIN",
        help="a browser origin allowed to call the API (repeatable; default: none, CORS off)",
    )
    serve.add_argument(
        "--log-level",
        choices=("critical", "error", "warning", "info", "debug"),
        default="info",
        help="log level of the access log and uvicorn (default: info)",
    )


def run_serve(args: argparse.Namespace) -> int:
    """Run the server until interrupted; 0 when it stops."""
    try:
        from ..server import ServerSettings, serve
    except ImportError as missing:
        raise UsageError(
            f"salescore serve needs the server extra ({missing.name} is not installed): "
            "python -m pip install '.[server]' in a clone of salescore"
        ) from None
    key = os.environ.get(args.api_key_env) or None
    settings = ServerSettings(
        api_key=key,
        max_body_bytes=args.max_body_bytes,
        max_batch=args.max_batch,
        timeout_seconds=args.timeout,
        cors_origins=tuple(args.cors_origin),
    )
    serve(args.host, args.port, settings, log_level=args.log_level)
    return 0
