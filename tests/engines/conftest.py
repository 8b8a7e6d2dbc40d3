"""Fixtures of the engine suite: a Dask cluster, a Spark session and the ``engine`` parameter.

Both the cluster and the session start once per test session (a few seconds each) and
only when a test asks for that engine, so ``pytest tests/engines -k polars`` starts
neither. Without an engine installed its tests skip, naming the missing module; the
nox ``engines`` session sets ``SALESCORE_ENGINES_REQUIRED=1`` so that there a missing
engine fails instead of skipping.
"""

from __future__ import annotations

import importlib
import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from .harness import ENGINES, MODULES

if TYPE_CHECKING:
    from distributed import Client
    from pyspark.sql import SparkSession

# Small on purpose: the suite's frames are tiny; the limit only has to be real.
DASK_WORKER_MEMORY = "1GiB"
SPARK_SETTINGS = {
    "spark.sql.shuffle.partitions": "2",
    "spark.default.parallelism": "2",
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.execution.arrow.pyspark.enabled": "true",
    # An Arrow failure must show, not fall back to the slow row-by-row path.
    "spark.sql.execution.arrow.pyspark.fallback.enabled": "false",
    "spark.driver.memory": "1g",
    "spark.driver.host": "127.0.0.1",
    "spark.driver.bindAddress": "127.0.0.1",
    # A JVM that starts quickly on two cores: the queries are small, so the optimising
    # JIT compiler and a parallel collector would cost more than they save.
    "spark.driver.extraJavaOptions": "-XX:+UseSerialGC -XX:TieredStopAtLevel=1",
    # Python workers (mapInPandas) run the interpreter that runs the tests.
    "spark.pyspark.python": sys.executable,
}


# Warnings the engines themselves raise under this project's `filterwarnings = error`,
# ignored for the tests in this directory only.
ENGINE_WARNINGS = (
    # PySpark warns on import under pandas 3, which it does not list as supported yet;
    # the equality suite is what shows whether the results agree.
    "ignore:PySpark does not yet fully support pandas:FutureWarning",
    # PySpark's toPandas passes `copy=` to pandas 3, which deprecates it.
    "ignore:The copy keyword is deprecated:DeprecationWarning",
    # Narwhals announces that its Dask backend moves to a `narwhals-dask` plugin, which
    # is not published yet; until it is, the built-in backend is the one there is.
    "ignore:Dask support is moving out of Narwhals:FutureWarning",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if item.path.is_relative_to(here):
            for ignored in ENGINE_WARNINGS:
                item.add_marker(pytest.mark.filterwarnings(ignored))


def _required() -> bool:
    return os.environ.get("SALESCORE_ENGINES_REQUIRED") == "1"


def _require(engine: str) -> None:
    """Skip (or, under the nox session, fail) when ``engine`` is not installed."""
    extra = engine.removesuffix("-lazy")
    for module in MODULES[engine]:
        if _required():
            importlib.import_module(module)
        else:
            reason = f"{engine} tests need {module}: pip install 'salescore[{extra}]'"
            pytest.importorskip(module, reason=reason)


@pytest.fixture(scope="session")
def dask_client() -> Iterator[Client]:
    """A ``distributed`` client on two single-threaded worker processes."""
    _require("dask")
    from distributed import Client, LocalCluster

    with (
        LocalCluster(  # type: ignore[no-untyped-call]
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            memory_limit=DASK_WORKER_MEMORY,
            dashboard_address=":0",  # any free port: 8787 may be taken on a dev machine
        ) as cluster,
        Client(cluster) as client,  # type: ignore[no-untyped-call]
    ):
        yield client


@pytest.fixture(scope="session")
def spark() -> Iterator[SparkSession]:
    """A SparkSession in ``local[2]`` mode with settings for small data."""
    _require("spark")
    if shutil.which("java") is None and "JAVA_HOME" not in os.environ:
        reason = "spark tests need a Java runtime (apt-get install default-jre-headless)"
        if _required():
            pytest.fail(reason)
        pytest.skip(reason)
    from pyspark.sql import SparkSession

    # The Python workers (mapInPandas) must run this interpreter, which has salescore
    # and pyarrow: in local mode only the environment variable reaches them.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    builder = SparkSession.builder.master("local[2]").appName("salescore-tests")
    for key, value in SPARK_SETTINGS.items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture(params=ENGINES)
def engine(request: pytest.FixtureRequest) -> str:
    """Each engine's name, with its cluster or session running; skips when not installed."""
    name: str = request.param
    _require(name)
    if name == "dask":
        request.getfixturevalue("dask_client")
    elif name == "spark":
        request.getfixturevalue("spark")
    return name
