"""Hypothesis profiles: ``dev`` is quick, ``ci`` is thorough.

Choose one with the HYPOTHESIS_PROFILE environment variable; the nox ``tests``
session uses ``ci`` unless told otherwise, a bare ``pytest`` uses ``dev``.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile("dev", max_examples=50, deadline=None)
settings.register_profile(
    "ci",
    max_examples=800,
    deadline=None,
    derandomize=True,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))
