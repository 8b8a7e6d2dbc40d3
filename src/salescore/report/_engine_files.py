"""The transactions of a report read by an engine: Parquet or CSV files, one or a glob.

``salescore report --engine duckdb --transactions 'tx/*.parquet'`` hands the files to
DuckDB (or Polars, or Dask) without reading them into pandas: the Retention and Value
sections then compute their figures in that engine (see
:mod:`salescore.report.sections._transactions`), so the log may be larger than memory.
"""

from __future__ import annotations

import glob
import importlib
from pathlib import Path
from typing import Any, Final

from ..errors import InvalidInputError, SalescoreError, SchemaError
from .inputs import FileFormat, Import

__all__ = ["ENGINES", "is_engine_file", "read_transactions"]

#: The engines ``--engine`` reads files with, and the extra that installs each.
ENGINES: Final = {"duckdb": "duckdb", "polars": "polars", "dask": "dask"}
_PARQUET: Final = (".parquet", ".pq")
_CSV: Final = (".csv",)


def is_engine_file(path: Path) -> bool:
    """Whether ``path`` is a glob or a Parquet file, which only an engine reads."""
    return glob.has_magic(str(path)) or path.suffix.lower() in _PARQUET


def _files(path: Path) -> tuple[list[str], str]:
    """The files ``path`` names (itself, or what its glob matches) and their kind."""
    text = str(path)
    files = sorted(glob.glob(text)) if glob.has_magic(text) else [text]
    if not files:
        raise InvalidInputError(f"no transactions file matches {text!r}")
    for name in files:
        if not Path(name).is_file():
            raise InvalidInputError(f"transactions file not found: {name!r}")
    kinds = {Path(name).suffix.lower() for name in files}
    if kinds <= set(_PARQUET):
        return files, "Parquet"
    if kinds <= set(_CSV):
        return files, "CSV"
    raise InvalidInputError(
        f"transactions {text!r}: an engine reads Parquet (.parquet) or CSV (.csv) files, "
        f"all of one kind; found {', '.join(sorted(kinds))}"
    )


def _module(engine: str) -> Any:
    try:
        importlib.import_module("narwhals")  # which salescore reads engine frames through
        return importlib.import_module("dask.dataframe" if engine == "dask" else engine)
    except ImportError:
        raise InvalidInputError(
            f"--engine {engine} needs the {ENGINES[engine]} extra: "
            f"pip install '.[{ENGINES[engine]}]' in a clone of salescore"
        ) from None


def _read(module: Any, engine: str, files: list[str], kind: str) -> Any:
    if engine == "duckdb":
        return module.read_parquet(files) if kind == "Parquet" else module.read_csv(files)
    if engine == "polars":
        if kind == "Parquet":
            return module.scan_parquet(files)
        return module.scan_csv(files, try_parse_dates=True)
    if kind == "Parquet":
        return module.read_parquet(files)
    frame = module.read_csv(files)
    if "date" in frame.columns:
        frame["date"] = module.to_datetime(frame["date"], format="ISO8601")
    return frame


def read_transactions(path: Path, engine: str, fmt: FileFormat) -> tuple[Any, Import]:
    """The transactions in ``path`` as a frame of ``engine``, and the record of the read.

    Raises :class:`~salescore.InvalidInputError` for an unknown engine, one that is not installed,
    no file or files of mixed kinds, CSV dialect options (the engines read plain
    comma-separated UTF-8 files with ISO dates), or files the engine cannot read.
    """
    given: object = engine  # the hint is not checked at run time
    if not isinstance(given, str) or given not in ENGINES:
        choices = ", ".join(ENGINES)
        raise InvalidInputError(f"unknown engine {engine!r:.40}; choose one of {choices}")
    files, kind = _files(path)
    dialect = {name: value for name, value in fmt.options().items() if value is not None}
    if kind == "CSV" and dialect:
        flags = {"dayfirst": "--dayfirst/--monthfirst"}
        shown = ", ".join(flags.get(name, f"--{name}") for name in dialect)
        raise InvalidInputError(
            f"--engine {engine} reads CSV files as comma-separated UTF-8 with ISO dates; "
            f"{shown} appl{'ies' if len(dialect) == 1 else 'y'} to the files salescore "
            "reads itself: convert the transactions "
            "to Parquet, or read them without --engine"
        )
    module = _module(engine)
    import narwhals as nw

    from ..engines._frames import EngineFrame, collect

    try:
        native = _read(module, engine, files, kind)
        rows = int(collect(nw.from_native(native).lazy().select(nw.len().alias("n")))["n"][0])
    except SalescoreError:
        raise
    except Exception as error:  # the engines' own errors share no base class
        raise InvalidInputError(
            f"{engine} cannot read the transactions {str(path)!r}: "
            f"{type(error).__name__}: {str(error).splitlines()[0][:200] if str(error) else ''}"
        ) from error
    # The canonical columns, checked here as the CSV import checks them: a file that
    # lacks one, or holds its dates as text, is refused before any figure is computed.
    frame = EngineFrame("transactions", native, engine)
    try:
        frame.require(["customer_id", "date", "amount"])
        frame.require_dates("date")
        frame.require_numeric(["amount"])
    except SchemaError as error:  # its advice is for Python callers: say the command's
        said = str(error).partition("; pass the names")[0]
        raise SchemaError(
            f"{said}; --engine reads the canonical columns customer_id, date (datetimes, "
            "or ISO dates in a CSV file) and amount (numbers)"
        ) from error
    count = f"{len(files)} {kind} file{'s' if len(files) > 1 else ''}"
    record = Import(
        table="transactions",
        source=kind.lower(),
        file=Path(files[0]).name if len(files) == 1 else str(path),
        rows_in=rows,
        accepted=rows,
        warnings=(
            f"read from {count} by {engine}, where the figures are computed; a row "
            "without a customer, a date or a valid amount is not left out but stops "
            "the sections that read the transactions",
        ),
    )
    return native, record
