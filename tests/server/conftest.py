"""Servers shared by the server tests: one without a key, one with a key."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from salescore.server import ServerSettings

from .harness import running

#: The key of the keyed test server (at least 16 characters, as a key must be).
KEY = "test-key-0123456789abcdef"


@pytest.fixture(scope="session")
def base() -> Iterator[str]:
    """The URL of a server with the default settings (no key)."""
    with running() as url:
        yield url


@pytest.fixture(scope="session")
def keyed() -> Iterator[str]:
    """The URL of a server that asks for :data:`KEY`, with small limits."""
    settings = ServerSettings(api_key=KEY, max_body_bytes=20_000, max_batch=50)
    with running(settings) as url:
        yield url
