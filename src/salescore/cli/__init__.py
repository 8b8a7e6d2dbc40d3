r"""The ``salescore`` command: ``salescore report`` prints a sales manager's dashboard.

Run ``salescore report --demo`` to see it on the sample CRM, or give your own files::

    salescore report --deals deals.csv --accounts accounts.csv --quota 2000000 \\
        --as-of 2026-01-01 --format html --output report.html

Without ``--crm`` the CSV files are in salescore's canonical columns (see
:mod:`salescore.schema`); with ``--crm salesforce|hubspot|pipedrive|odoo`` the deals
file is that CRM's export (CSV, or its API's JSON records) and goes through the
adapter of :mod:`salescore.adapters`.

Problems are shown at the top of the report, in every format, before the figures: an
input table without a usable row (every row rejected, or none at all), a table that
lost more than 10 % of its rows (:data:`salescore.report.problems.REJECTED_SHARE`), a
section left empty by a table that lost rows, however few
(:data:`salescore.report.problems.EMPTY_SECTIONS`), a section the data could not
support. ``--output`` is written whole or not at all.

Exit status (see :func:`main`):

- 0: the report was written.
- 1: an internal error, a bug in salescore: one line on standard error asks you to
  report it (set ``SALESCORE_TRACEBACK=1`` to see the traceback too).
- 2: a bad command line, a file that is missing or unreadable, a table without a
  required column, or an option the data does not fit (``--probabilities`` with a
  stage the preset does not know): one line on standard error, and no report.
- 3: the data is unusable: an input table has no usable row. The report is still
  written, with the reasons at its top, and one line on standard error says which
  table.
- 130: interrupted (Ctrl-C).

Dates on the command line are unambiguous or refused: ``YYYY-MM-DD`` (optionally
with a time, ``YYYY-MM-DDTHH:MM``) or ``DD.MM.YYYY``; ``02/01/2026`` is refused, as
it means 2 January in some places and 1 February in others. The format of
``--output`` follows its extension (``.txt``/``.text``, ``.md``/``.markdown``,
``.json``, ``.html``/``.htm``); another extension needs ``--format``, and a
``--format`` that contradicts the extension is refused.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import tempfile
import traceback
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from .._tables import counted
from .._version import __version__
from ..errors import SalescoreError, SalescoreWarning
from ._options import CURRENCY_HELP as _CURRENCY_HELP
from ._options import DISPLAY_HELP as _DISPLAY_HELP
from ._options import RATES_HELP as _RATES_HELP
from ._options import UsageError as _UsageError
from ._options import calendar_arguments as _calendar_arguments
from ._options import currency as _currency
from ._options import date as _date
from ._options import display_locale as _display_locale
from ._options import file_format as _file_format
from ._options import file_format_arguments as _file_format_arguments
from ._options import fiscal_calendar as _calendar
from ._options import fraction as _fraction
from ._options import number as _number
from ._serve import add_serve as _add_serve
from ._serve import run_serve as _run_serve

__all__ = ["main"]

_PROG = "salescore"
_SUFFIX_FORMATS = {
    ".html": "html",
    ".htm": "html",
    ".json": "json",
    ".md": "markdown",
    ".markdown": "markdown",
    ".txt": "text",
    ".text": "text",
}
# The report's dates: far enough from datetime64[ns]'s limits (1677-09-21 to
# 2262-04-11) for the report's windows, two years back and a quarter ahead.
#: Exit statuses of :func:`main`.
EXIT_OK, EXIT_BUG, EXIT_USAGE, EXIT_UNUSABLE, EXIT_INTERRUPTED = 0, 1, 2, 3, 130
_EPILOG = """\
exit status:
  0    the report was written
  1    internal error (a bug in salescore): one line asks you to report it
  2    bad command line, missing or unreadable file, table without a required
       column, or an option the data does not fit: one line, nothing written
  3    data unusable: an input table has no usable row; the report is still
       written, with the reasons at its top, and one line says which table
  130  interrupted

Problems come first in every format: tables without a usable row, tables that
lost more than 10 % of their rows, sections left empty by a table that lost
rows, sections the data could not support.
Dates: YYYY-MM-DD, YYYY-MM-DDTHH:MM or DD.MM.YYYY (02/01/2026 is ambiguous).
The format of --output follows its extension (.txt, .md, .json, .html);
another extension needs --format, and --format must agree with a known one.
"""
_FILES = (
    "deals",
    "stage_history",
    "deal_changes",
    "accounts",
    "leads",
    "transactions",
    "activities",
)


def _one_line(text: str) -> str:
    r"""``text`` as one printable line: control characters shown as escapes (``\n``).

    A newline or an escape sequence in an argument or a path must not break the one
    line of an error, nor reach the terminal.
    """
    if text.isprintable():
        return text
    return "".join(char if char.isprintable() else repr(char)[1:-1] for char in text)


def _shown(path: Path | str) -> str:
    """A path for a message: as written, or quoted with escapes if it holds control characters."""
    text = str(path)
    return text if text.isprintable() else repr(text)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise _UsageError(message)


def _parser() -> argparse.ArgumentParser:
    from ..report._engine_files import ENGINES
    from ..report.build import PROBABILITY_PRESETS
    from ..report.data import CRMS
    from ..report.render import FORMATS

    parser = _Parser(prog=_PROG, description="Sales metrics with their formulas and sources.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    report = commands.add_parser(
        "report",
        help="a sales manager's dashboard from CRM files or the sample data",
        description=(
            "Compute a sales manager's dashboard (forecast, forecast accuracy, funnel,\n"
            "leads, accounts, retention, value, team) from CRM files, or from the sample\n"
            "CRM with --demo."
        ),
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    data = report.add_argument_group("data")
    data.add_argument("--demo", action="store_true", help="use the sample CRM")
    for name in _FILES:
        flag = "--" + name.replace("_", "-")
        what = f"{name.replace('_', ' ')} CSV"
        if name == "transactions":
            what += " (with --engine also Parquet, or a quoted glob of files)"
        data.add_argument(flag, type=Path, metavar="FILE", help=what)
    data.add_argument(
        "--engine",
        choices=tuple(ENGINES),
        help=(
            "read --transactions with this engine, where the retention and value figures "
            "are computed: the file may be Parquet and a quoted glob ('tx/*.parquet'); "
            "needs the duckdb, polars or dask extra"
        ),
    )
    data.add_argument(
        "--crm", choices=CRMS, help="the deals file is this CRM's export (CSV or JSON records)"
    )
    data.add_argument(
        "--crm-stages",
        type=Path,
        metavar="FILE",
        help="the CRM's stage definitions as JSON (HubSpot pipelines, Pipedrive or Odoo stages)",
    )
    _file_format_arguments(report)
    settings = report.add_argument_group("settings")
    settings.add_argument("--quota", type=_number, metavar="N", help="quota for the quarter")
    settings.add_argument(
        "--as-of",
        type=_date,
        metavar="DATE",
        help="the report's date, YYYY-MM-DD or DD.MM.YYYY (default: today)",
    )
    settings.add_argument(
        "--stages", metavar="S1,S2,...", help="the funnel's stages in order, comma-separated"
    )
    settings.add_argument(
        "--headcount", type=_number, metavar="N", help="sellers (default: owners of deals)"
    )
    settings.add_argument(
        "--probabilities",
        choices=tuple(PROBABILITY_PRESETS),
        metavar="PRESET",
        help=(
            "fill the probability of open deals without one from their stage, with a "
            f"vendor's default stage probabilities: {', '.join(PROBABILITY_PRESETS)} "
            "(the report says so)"
        ),
    )
    settings.add_argument("--currency", type=_currency, metavar="CODE", help=_CURRENCY_HELP)
    settings.add_argument("--rates", type=Path, metavar="FILE", help=_RATES_HELP)
    base = "the currency the rates are against (default: --currency)"
    settings.add_argument("--rates-base", type=_currency, metavar="CODE", help=base)
    settings.add_argument(
        "--margin", type=_fraction, default=0.3, metavar="F", help="gross margin (default 0.3)"
    )
    settings.add_argument(
        "--seller-cost",
        type=_number,
        default=90_000.0,
        metavar="N",
        help="cost of one seller a year (default 90000)",
    )
    _calendar_arguments(report)
    output = report.add_argument_group("output")
    output.add_argument(
        "--format",
        choices=FORMATS,
        help="text, markdown, json or html (default: from the extension of --output, else text)",
    )
    output.add_argument(
        "--output", "-o", type=Path, metavar="FILE", help="write to FILE (.txt, .md, .json, .html)"
    )
    output.add_argument(
        "--display-locale", type=_display_locale, metavar="LOCALE", help=_DISPLAY_HELP
    )
    _add_serve(commands)
    return parser


def write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file in the same directory.

    The file appears whole (``os.replace``) or not at all.

    Parameters
    ----------
    path : Path
        The file to write; its directory must exist.
    text : str
        The whole content, written as UTF-8.

    Raises
    ------
    OSError
        The file cannot be written (a full disk, no permission); the error names
        ``path``, not the temporary file. ``path`` naming a directory, or a directory
        that does not exist, is a usage error of the command (exit status 2).

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from salescore.cli import write_atomically
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     target = Path(folder) / "report.txt"
    ...     write_atomically(target, "forecast 31,947")
    ...     target.read_text(encoding="utf-8"), sorted(p.name for p in Path(folder).iterdir())
    ('forecast 31,947', ['report.txt'])
    """
    directory = path.parent if str(path.parent) else Path(".")
    if not directory.is_dir():
        raise _UsageError(
            f"cannot write {_shown(path)}: directory {_shown(directory)} does not exist"
        )
    if path.is_dir():
        raise _UsageError(f"cannot write {_shown(path)}: it is a directory; name a file in it")
    try:
        handle, temporary = tempfile.mkstemp(dir=directory, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as error:
        raise _named(error, path) from None
    try:
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)  # as open() would make it, not mkstemp's 0600
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except OSError as error:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise _named(error, path) from None
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _named(error: OSError, path: Path) -> OSError:
    """``error`` naming ``path``: the reader knows the output, not its temporary file."""
    return OSError(error.errno, error.strerror or str(error), os.fspath(path))


def _report(args: argparse.Namespace) -> int:
    from ..report import Assumptions, build_report, demo_inputs, load_inputs, render

    files = {name: getattr(args, name) for name in _FILES if getattr(args, name) is not None}
    if args.demo and (files or args.crm):
        raise _UsageError("give either --demo or data files, not both")
    if args.crm and "deals" not in files:
        raise _UsageError(f"--crm {args.crm} needs the deals export (--deals FILE)")
    if not args.demo and not files:
        raise _UsageError(
            "nothing to report: give --demo, or files such as --deals deals.csv "
            "(see salescore report --help)"
        )
    if args.crm_stages is not None and not args.crm:
        raise _UsageError("--crm-stages needs --crm")
    if args.engine is not None and "transactions" not in files:
        raise _UsageError(
            f"--engine {args.engine} reads the transactions: give --transactions FILE or GLOB"
        )
    pairs = [("rates", "currency"), ("rates_base", "rates")]
    if not args.demo:  # the demo converts with the sample's own rates
        pairs.insert(0, ("currency", "rates"))
    for given, needed in pairs:
        if getattr(args, given) is not None and getattr(args, needed) is None:
            given = given.replace("_", "-")
            raise _UsageError(f"--{given} needs --{needed}: e.g. --currency EUR --rates rates.csv")
    money = {"currency": args.currency, "rates": args.rates, "rates_base": args.rates_base}
    fmt = _output_format(args.format, args.output)
    stages = [s.strip() for s in args.stages.split(",") if s.strip()] if args.stages else None
    calendar = _calendar(args)
    if args.demo:
        inputs = demo_inputs(as_of=args.as_of, quota=args.quota, calendar=calendar, **money)
    else:
        inputs = load_inputs(
            files,
            crm=args.crm,
            crm_stages=args.crm_stages,
            as_of=args.as_of,
            quota=args.quota,
            stages=stages,
            headcount=args.headcount,
            file_format=_file_format(args),
            calendar=calendar,
            engine=args.engine,
            **money,
        )
    assumptions = Assumptions(
        margin=args.margin, seller_cost=args.seller_cost, probabilities=args.probabilities
    )
    report = build_report(inputs, assumptions=assumptions)
    from ..report._numbers import display

    text = render(report, fmt, **display(args.display_locale, args.locale))
    if args.output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
    else:
        write_atomically(args.output, text)
    where = "the report" if args.output is None else _shown(args.output)
    if report.unusable:
        tables = ", ".join(
            f"no usable row in {str(problem.table).replace('_', ' ')} ({problem.file})"
            for problem in report.unusable
        )
        print(
            f"{_PROG}: error: data unusable: {tables}; {where} shows why at its top",
            file=sys.stderr,
        )
        return EXIT_UNUSABLE
    if report.problems:
        n = len(report.problems)
        print(
            f"{_PROG}: warning: {where} starts with {counted(n, 'problem')}: "
            + report.problems[0].message
            + (" ..." if n > 1 else ""),
            file=sys.stderr,
        )
    return EXIT_OK


def _output_format(fmt: str | None, output: Path | None) -> str:
    """The format: ``--format``, else the extension of ``--output``, else text."""
    if output is None:
        return fmt or "text"
    suffix = output.suffix.lower()
    implied = _SUFFIX_FORMATS.get(suffix)
    if fmt is None and implied is None:
        raise _UsageError(
            f"cannot tell the format of --output {_shown(output)} from its extension "
            f"{suffix or '(none)'}: name it .txt, .md, .json or .html, or give --format"
        )
    if fmt is not None and implied is not None and fmt != implied:
        raise _UsageError(
            f"--format {fmt} contradicts the extension of --output {_shown(output)} ({implied}); "
            "change one of them"
        )
    return fmt or str(implied)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status.

    Nothing it does ends in a traceback: every failure is one line on standard error
    that starts with ``salescore: error:``.

    Parameters
    ----------
    argv : sequence of str, optional
        The arguments after the program's name (default: ``sys.argv[1:]``).

    Returns
    -------
    int
        - 0: the report was written (a problem that does not make the data unusable,
          such as rows rejected, is shown at its top and in one warning line).
        - 1: an internal error, a bug in salescore; one line asks to report it
          (``SALESCORE_TRACEBACK=1`` in the environment prints the traceback too).
        - 2: a bad command line, a file that is missing or unreadable, a table
          without a required column, or an option the data does not fit; nothing
          is written.
        - 3: the data is unusable: an input table has no usable row (every row was
          rejected, or there was none). The report is written all the same, with
          the reasons at its top, so that the import summary can be read.
        - 130: interrupted.

    Examples
    --------
    >>> from salescore.cli import main
    >>> main(["report", "--demo", "--format", "json", "--output", "/nonexistent/r.json"])
    2
    >>> main(["report", "--demo", "--as-of", "02/01/2026"])  # day or month first?
    2
    """
    with warnings.catch_warnings(record=True) as caught:
        # A Python warning is no message for the reader of a command: NumPy's
        # RuntimeWarning on extreme numbers would print code lines. salescore's own
        # warnings become one line each; any other is dropped (shown with
        # SALESCORE_TRACEBACK=1, as it points to a bug).
        warnings.simplefilter("always")
        status = _run(argv)
    debug = bool(os.environ.get("SALESCORE_TRACEBACK"))
    if status in (EXIT_OK, EXIT_UNUSABLE) or debug:
        for item in caught:
            if issubclass(item.category, SalescoreWarning):
                _say("warning", " ".join(str(item.message).split()))
            elif debug:
                where = f"{item.filename}:{item.lineno}"
                _say("warning", f"{item.category.__name__}: {item.message} ({where})")
    return status


def _say(kind: str, message: str) -> None:
    """One line on standard error: ``salescore: <kind>: <message>``."""
    print(f"{_PROG}: {kind}: {_one_line(message)}", file=sys.stderr)


def _run(argv: Sequence[str] | None) -> int:
    """:func:`main` without the handling of warnings."""
    parser = _parser()
    try:
        args = parser.parse_args(argv)
        if args.command is None:
            parser.print_help()
            return 0
        if args.command == "serve":
            return _run_serve(args)
        return _report(args)
    except SystemExit as done:  # --help and --version
        return done.code if isinstance(done.code, int) else 0
    except _UsageError as error:
        _say("error", str(error))
        return EXIT_USAGE
    except SalescoreError as error:
        _say("error", " ".join(str(error).split()))
        return EXIT_USAGE
    except BrokenPipeError:
        # The reader (say, `head`) left: nothing more to say.
        with contextlib.suppress(OSError):
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115
        return 0
    except OSError as error:
        where = f": {_shown(error.filename)}" if error.filename else ""
        _say("error", f"{error.strerror or error}{where}")
        return EXIT_USAGE
    except RecursionError:
        _say("error", "the input is nested too deeply to read")
        return EXIT_USAGE
    except KeyboardInterrupt:
        print(f"{_PROG}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as error:  # a bug: one line for the reader, not a traceback
        if os.environ.get("SALESCORE_TRACEBACK"):
            traceback.print_exc()
        message = " ".join(str(error).split())[:300]
        _say(
            "error",
            f"internal error, a bug in salescore ({type(error).__name__}: {message}); "
            "please report it with the command you ran",
        )
        return EXIT_BUG
