"""``import salescore`` is enough: every submodule is reachable, the optional ones load late.

A notebook user types ``import salescore`` and then ``salescore.datasets.sample()`` or
``salescore.adapters.salesforce.opportunities(...)``. The package loads the submodules
its own names come from, and the others on first access (PEP 562), so that the import
stays fast and SciPy and matplotlib stay optional. The checks run in a fresh
interpreter, where no other test has imported a submodule already.
"""

from __future__ import annotations

import functools
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from types import ModuleType
from typing import Any, Final

import pytest

import salescore

SRC: Final = Path(salescore.__file__).resolve().parents[1]
#: Loaded only when touched: they need (or reach) SciPy and matplotlib.
OPTIONAL: Final = ("salescore.models", "salescore.plotting")


def public_modules() -> list[str]:
    """Every submodule of the source tree with no private part in its name."""
    names = []
    for path in sorted((SRC / "salescore").rglob("*.py")):
        parts = path.relative_to(SRC).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        if len(parts) > 1 and not any(part.startswith("_") for part in parts):
            names.append(".".join(parts))
    return names


def top_level() -> list[str]:
    """The public submodules and subpackages directly under salescore."""
    return [name.split(".")[1] for name in public_modules() if name.count(".") == 1]


@functools.cache
def fresh() -> dict[str, Any]:
    """What a fresh interpreter sees after a bare ``import salescore``, then on access."""
    script = textwrap.dedent(
        """
        import json
        import sys

        import salescore

        loaded = sorted(
            name for name in sys.modules
            if name.split(".")[0] in {"scipy", "matplotlib"} or name.startswith("salescore.")
        )
        missing = []
        for name in json.loads(sys.argv[1]):
            parent = salescore
            *path, last = name.split(".")[1:]
            try:
                for part in path:
                    parent = getattr(parent, part)
                value = getattr(parent, last)
            except AttributeError as error:
                missing.append(f"{name}: {error}")
                continue
            # A public name may shadow its own module (salescore.tiers.temperature is the
            # function of the module salescore.tiers.temperature): the user gets the name.
            if getattr(value, "__name__", None) != name and last not in parent.__all__:
                missing.append(f"{name}: the attribute is {value!r}")
        json.dump({"loaded": loaded, "missing": missing}, sys.stdout)
        """
    )
    path = [str(SRC), *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(path)}
    result = subprocess.run(
        [sys.executable, "-c", script, json.dumps(public_modules())],
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    report: dict[str, Any] = json.loads(result.stdout)
    return report


def test_the_fresh_interpreter_imports_this_salescore() -> None:
    assert "salescore.errors" in fresh()["loaded"]


def test_every_public_subpackage_is_an_attribute() -> None:
    names = [f"salescore.{name}" for name in top_level()]
    assert {"salescore.datasets", "salescore.models", "salescore.report"} <= set(names)
    missing = [line for line in fresh()["missing"] if line.split(":")[0] in names]
    assert not missing, "\n".join(missing)


def test_every_public_module_is_reachable_by_attributes() -> None:
    # salescore.adapters.salesforce.opportunities, salescore.leads.presets, ...
    assert not fresh()["missing"], "\n".join(fresh()["missing"])


def test_import_salescore_loads_no_optional_dependency() -> None:
    loaded = fresh()["loaded"]
    assert [name for name in loaded if name.split(".")[0] in {"scipy", "matplotlib"}] == []
    assert [name for name in loaded if name.startswith(OPTIONAL)] == []


def test_dir_lists_the_submodules() -> None:
    assert set(top_level()) <= set(dir(salescore))
    assert set(salescore.__all__) <= set(dir(salescore))


def test_a_submodule_loads_on_access() -> None:
    for name in top_level():
        module = getattr(salescore, name)
        assert isinstance(module, ModuleType)
        assert module is sys.modules[f"salescore.{name}"]


def test_an_unknown_attribute_raises_attribute_error() -> None:
    with pytest.raises(AttributeError, match=r"^module 'salescore' has no attribute 'no_such'$"):
        getattr(salescore, "no_such")  # noqa: B009
    assert not hasattr(salescore, "sample")  # a name of a submodule, not of the package
    assert not hasattr(salescore, "__main__")  # runs the command line: not loaded by access
