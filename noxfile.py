"""Development sessions: ``nox`` runs them all, ``nox -s NAME`` one of them."""

from __future__ import annotations

import os
import shutil
import time

import nox

nox.needs_version = ">=2024.10.9"
nox.options.default_venv_backend = "venv"
nox.options.sessions = [
    "lint",
    "tests",
    "tests_minimum",
    "typecheck",
    "doctest",
    "docs",
    "e2e",
    "engines",
]

PYPROJECT = nox.project.load_toml("pyproject.toml")

# The oldest releases the runtime dependencies are declared to support, and the oldest
# SciPy (`models` extra), matplotlib (`plot` extra) and Babel (`locale` extra) that work
# with them.
MINIMUM = [
    "numpy==1.26.0",
    "pandas==2.2.0",
    "attrs==24.1.0",
    "scipy==1.11.4",
    "matplotlib==3.8.0",
    "babel==2.12.1",
    # pyparsing 3.3 deprecates names that matplotlib 3.8.0 still uses at import time.
    "pyparsing<3.3",
]
# The package with every optional extra but the engines, as the sessions that test it
# install it (the HTTP server included).
PACKAGE = ".[models,plot,locale,server]"
# The package with every engine, as the `engines` session tests it.
ENGINES = ".[models,polars,duckdb,dask,spark]"
# The in-process engines, for the examples that run them (and the server, whose modules
# the doctests import).
PACKAGE_WITH_LOCAL_ENGINES = ".[models,plot,locale,server,polars,duckdb]"
# Both, for the type checker.
PACKAGE_WITH_ENGINES = ".[models,plot,locale,server,polars,duckdb,dask,spark]"
# The engine suite needs its engines (and PySpark its JVM), so only `engines` runs it.
NOT_ENGINES = "--ignore=tests/engines"


def _groups(*names: str) -> list[str]:
    requirements: list[str] = []
    for name in names:
        requirements.extend(nox.project.dependency_groups(PYPROJECT, name))
    return requirements


@nox.session
def lint(session: nox.Session) -> None:
    """Ruff lint and format check."""
    session.install(*_groups("lint"))
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session
def tests(session: nox.Session) -> None:
    """The test suite with the thorough Hypothesis profile (override with HYPOTHESIS_PROFILE)."""
    session.install(PACKAGE, *_groups("test"))
    profile = os.environ.get("HYPOTHESIS_PROFILE", "ci")
    # One worker per core: the thorough profile is CPU-bound.
    session.run(
        "pytest", "-n", "auto", NOT_ENGINES, *session.posargs, env={"HYPOTHESIS_PROFILE": profile}
    )


@nox.session
def tests_minimum(session: nox.Session) -> None:
    """The test suite on the oldest supported numpy, pandas and attrs."""
    session.install(PACKAGE, *_groups("test"), *MINIMUM)
    session.run(
        "python",
        "-W",
        "ignore",
        "-c",
        "import attrs, numpy, pandas, scipy; print('numpy', numpy.__version__, "
        "'pandas', pandas.__version__, 'attrs', attrs.__version__, 'scipy', scipy.__version__)",
    )
    session.run(
        "pytest", "-n", "auto", NOT_ENGINES, *session.posargs, env={"HYPOTHESIS_PROFILE": "dev"}
    )


@nox.session
def typecheck(session: nox.Session) -> None:
    """mypy --strict on the package, the tests, the benchmarks and the examples."""
    # With the engines, so that their types are checked here as in a dev environment.
    session.install(PACKAGE_WITH_ENGINES, *_groups("typecheck"))
    session.run("mypy")


@nox.session
def doctest(session: nox.Session) -> None:
    """Execute every docstring example and every example in the docs pages."""
    # Polars and DuckDB for the examples of the guide "When the data outgrows one machine".
    session.install(PACKAGE_WITH_LOCAL_ENGINES, *_groups("test"))
    session.run("pytest", "--doctest-modules", "src/salescore")
    session.run("pytest", "--doctest-glob=*.md", "docs", "README.md")


@nox.session
def docs(session: nox.Session) -> None:
    """Build the HTML docs with warnings as errors."""
    session.install(PACKAGE, *_groups("docs"))
    session.run("sphinx-build", "-W", "--keep-going", "-b", "html", "docs", "docs/_build/html")


@nox.session
def e2e(session: nox.Session) -> None:
    """The HTML report in a real headless browser (Debian's chromium, installed here)."""
    if shutil.which("chromium") is None:
        _apt_install(session, "chromium")
    session.install(".[plot]", *_groups("test"))
    session.run("pytest", "tests/e2e", "-p", "no:cacheprovider")


@nox.session
def engines(session: nox.Session) -> None:
    """The table functions on Polars, DuckDB, a Dask cluster and Spark against pandas."""
    if shutil.which("java") is None:
        # PySpark runs on the JVM; Debian's default runtime (OpenJDK 17) runs Spark 3.5 and 4.
        _apt_install(session, "default-jre-headless")
    session.install(ENGINES, *_groups("test"))
    # No xdist: the Dask cluster and the Spark session are started once for the session.
    session.run(
        "pytest",
        "tests/engines",
        "-p",
        "no:cacheprovider",
        *session.posargs,
        env={"SALESCORE_ENGINES_REQUIRED": "1"},
    )


def _apt_install(session: nox.Session, package: str, attempts: int = 3) -> None:
    """Install a Debian package, retrying a failed download before giving up."""
    for attempt in range(1, attempts + 1):
        try:
            session.run("apt-get", "update", "-qq", external=True)
            session.run(
                "apt-get",
                "install",
                "-y",
                "-qq",
                "--no-install-recommends",
                package,
                external=True,
                env={"DEBIAN_FRONTEND": "noninteractive"},
            )
        except nox.command.CommandFailed:
            if attempt == attempts:
                raise
            session.log(f"apt-get failed (attempt {attempt} of {attempts}); retrying")
            time.sleep(10 * attempt)
        else:
            return
