"""A real salescore server on a loopback port, for the server tests and the docs' examples.

:func:`running` starts uvicorn in a thread of the test process on a free port of
127.0.0.1, with the application guarded as :func:`salescore.server.serve` guards it,
waits until ``/v1/health`` answers, and stops it on exit. The tests talk to it over
TCP with httpx, as a CRM would.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Callable, Iterator

import httpx
import uvicorn

from salescore.server import ServerSettings, create_app

__all__ = ["free_port", "running", "wait_until_up"]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def wait_until_up(base: str, alive: Callable[[], bool], seconds: float = 30.0) -> None:
    """Return once ``base`` answers ``/v1/health``; raise if ``alive()`` turns false first.

    ``seconds`` bounds the wait for a server that never starts (a hang guard).
    """
    deadline = time.monotonic() + seconds
    while True:
        try:
            if httpx.get(f"{base}/v1/health", timeout=1.0).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if not alive() or time.monotonic() > deadline:
            raise RuntimeError(f"the server at {base} did not start")
        time.sleep(0.05)


@contextlib.contextmanager
def running(settings: ServerSettings | None = None) -> Iterator[str]:
    """The base URL of a server running ``settings`` until the block ends."""
    settings = settings or ServerSettings()
    port = free_port()
    config = uvicorn.Config(
        create_app(settings),
        host="127.0.0.1",
        port=port,
        log_level="warning",
        access_log=False,
        lifespan="off",
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base, thread.is_alive)
    except RuntimeError:
        server.should_exit = True
        raise
    try:
        yield base
    finally:
        server.should_exit = True
        thread.join(timeout=10.0)
