"""salescore works without SciPy; calling a model without it says how to install it.

Each check runs in a fresh interpreter whose import system refuses ``scipy`` (as if
the ``models`` extra were not installed), so that the test does not depend on what
this process has imported already.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

BLOCK_SCIPY = textwrap.dedent(
    """
    import importlib.abc
    import sys

    class NoScipy(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name == "scipy" or name.startswith("scipy."):
                raise ImportError(f"No module named {name!r} (blocked by the test)")
            return None

    sys.meta_path.insert(0, NoScipy())
    for name in [name for name in sys.modules if name.split(".")[0] == "scipy"]:
        del sys.modules[name]
    """
)


def _run(body: str) -> subprocess.CompletedProcess[str]:
    script = BLOCK_SCIPY + textwrap.dedent(body)
    return subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_the_block_really_hides_scipy() -> None:
    out = _ok(
        _run(
            """
            try:
                import scipy.special
            except ImportError as error:
                print("blocked:", error)
            """
        )
    )
    assert out.startswith("blocked:")


def test_salescore_and_its_models_import_without_scipy() -> None:
    out = _ok(
        _run(
            """
            import salescore
            import salescore.models
            from salescore.models import bgnbd, data, rfm
            print(salescore.clv(100.0, 0.5, 0.1) > 0)
            print(any(name.split(".")[0] == "scipy" for name in sys.modules))
            """
        )
    )
    assert out.split() == ["True", "False"]


def test_summaries_and_data_work_without_scipy() -> None:
    out = _ok(
        _run(
            """
            from salescore.models.data import load_cdnow_summary, load_cdnow_transactions
            from salescore.models.rfm import compress, rfm_summary
            summary = rfm_summary(load_cdnow_transactions(), freq="D", time_unit="W",
                                  observation_end="1998-06-30")
            rows = compress(summary["frequency"], summary["recency"], summary["T"])
            print(len(summary), int(rows["weight"].sum()), len(load_cdnow_summary()))
            """
        )
    )
    assert out.split() == ["2357", "2357", "2357"]


@pytest.mark.parametrize(
    "call",
    [
        "fit_bgnbd([1, 2], [1.0, 2.0], [3.0, 4.0])",
        "BetaGeoModel(r=0.243, alpha=4.414, a=0.793, b=2.426).expected_purchases(39)",
        "BetaGeoModel(r=0.25, alpha=4.0, a=0.8, b=2.5).customer_log_likelihood(0, 0.0, 40.0)",
    ],
)
def test_calling_a_model_without_scipy_says_how_to_install_it(call: str) -> None:
    out = _ok(
        _run(
            f"""
            from salescore.models.bgnbd import BetaGeoModel, fit_bgnbd
            try:
                {call}
            except ImportError as error:
                print("ImportError:", error)
            """
        )
    )
    assert out.startswith("ImportError:")
    assert "pip install '.[models]' in a clone of salescore" in out
