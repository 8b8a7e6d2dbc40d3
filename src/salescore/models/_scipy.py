"""SciPy, imported only when a model is fitted or evaluated."""

from __future__ import annotations

import importlib
from types import ModuleType

__all__ = ["scipy_module"]

_HINT = (
    "salescore.models needs SciPy, which the 'models' extra installs: "
    "pip install '.[models]' in a clone of salescore"
)


def scipy_module(name: str) -> ModuleType:
    """Import ``scipy.<name>`` (for example ``"special"``), saying how to install it if absent."""
    try:
        return importlib.import_module(f"scipy.{name}")
    except ImportError as error:
        raise ImportError(_HINT) from error
