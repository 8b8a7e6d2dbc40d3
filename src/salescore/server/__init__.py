"""salescore's HTTP API (the ``server`` extra): ``salescore serve``.

:func:`create_app` builds the ASGI application, :func:`serve` runs it with uvicorn,
:class:`ServerSettings` holds the key, limits, timeout and CORS origins. The
endpoints are described on the docs page "Embedding salescore in a CRM".
"""

from __future__ import annotations

from .app import ServerSettings, create_app, serve

__all__ = ["ServerSettings", "create_app", "serve"]
