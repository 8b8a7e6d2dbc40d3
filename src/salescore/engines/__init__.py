"""Frames of other engines: Polars, DuckDB, Dask and PySpark.

The heavy table functions accept, besides a pandas DataFrame, a frame of one of these
engines. They run their reduction (group, count, sum, minimum, maximum over the raw
rows) in that engine, through `Narwhals <https://narwhals-dev.github.io/narwhals/>`_,
and bring back only the small result, on which the same exact kernels run as for
pandas. Nothing here is imported until such a frame arrives: the engines and Narwhals
are optional extras (``salescore[polars]``, ``[duckdb]``, ``[dask]``, ``[spark]``).
"""

from __future__ import annotations

from typing import Any, Final, TypeAlias

from ..errors import InvalidInputError

__all__ = ["ENGINES", "engine_name"]

#: A table argument: a pandas DataFrame, or a frame of one of the engines below.
Table: TypeAlias = Any

#: The engine of a frame, by the top-level package its class comes from, and the
#: extra that installs it.
ENGINES: Final = {
    "polars": "polars",
    "duckdb": "duckdb",
    "dask": "dask",
    "pyspark": "spark",
}
#: Packages whose frames belong to one of the engines above.
_ALIASES: Final = {"_duckdb": "duckdb", "dask_expr": "dask"}


def engine_name(frame: object) -> str | None:
    """The engine holding ``frame`` ("polars", "duckdb", "dask", "pyspark"), or None.

    None for a pandas DataFrame and for anything that is not a frame of a supported
    engine. Only the class's module is looked at: no engine is imported.

    Parameters
    ----------
    frame : object
        Any object; a frame of a supported engine is recognised by its class.

    Returns
    -------
    str or None
        The engine's package name, or None.

    Raises
    ------
    InvalidInputError
        A frame of a supported engine while Narwhals, through which salescore reads
        it, is not installed.

    Examples
    --------
    >>> import pandas as pd
    >>> from salescore.engines import engine_name
    >>> engine_name(pd.DataFrame({"a": [1]})) is None
    True
    """
    package = type(frame).__module__.partition(".")[0]
    package = _ALIASES.get(package, package)
    if package not in ENGINES:
        return None
    try:
        import narwhals  # noqa: F401
    except ImportError:
        raise InvalidInputError(
            f"a {package} frame needs Narwhals, which salescore reads it through: install "
            f"salescore[{ENGINES[package]}]"
        ) from None
    return package
