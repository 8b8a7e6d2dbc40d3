r"""The ``salescore`` command: ``salescore report`` prints a sales manager's dashboard.

Run ``salescore report --demo`` to see it on the sample CRM, or give your own files::

    salescore report --deals deals.csv --accounts accounts.csv --quota 2000000 \\
        --as-of 2026-01-01 --format html --output report.html

Without ``--crm`` the CSV files are in salescore's canonical columns (see
:mod:`salescore.schema`); with ``--crm salesforce|hubspot|pipedrive|odoo`` the deals
file is that CRM's export (CSV, or its API's JSON records) and goes through the
adapter of :mod:`salescore.adapters`. A file that is missing or unreadable, a table
without its required columns or a bad option prints one line and exits with status
2; ``--output`` is written whole or not at all.
"""

from __future__ import annotations

import argparse
import contextlib
import math
import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

import pandas as pd

from ._version import __version__
from .errors import SalescoreError

__all__ = ["main"]

_PROG = "salescore"
_SUFFIX_FORMATS = {".html": "html", ".htm": "html", ".json": "json", ".md": "markdown"}
_FILES = ("deals", "stage_history", "accounts", "leads", "transactions", "activities")


class _UsageError(Exception):
    """A bad command line, reported in one line with exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise _UsageError(message)


def _number(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not math.isfinite(value) or value < 0:
        raise argparse.ArgumentTypeError(f"must be a finite number >= 0, got {text!r}")
    return value


def _fraction(text: str) -> float:
    value = _number(text)
    if value > 1:
        raise argparse.ArgumentTypeError(f"must be a fraction between 0 and 1, got {text!r}")
    return value


def _date(text: str) -> pd.Timestamp:
    try:
        stamp = pd.Timestamp(text)
    except (ValueError, TypeError):
        raise argparse.ArgumentTypeError(f"not a date (use YYYY-MM-DD): {text!r}") from None
    if pd.isna(stamp):
        raise argparse.ArgumentTypeError(f"not a date (use YYYY-MM-DD): {text!r}")
    if stamp.tzinfo is not None:
        stamp = stamp.tz_convert("UTC").tz_localize(None)
    return pd.Timestamp(stamp)


def _parser() -> argparse.ArgumentParser:
    from .report.data import CRMS
    from .report.render import FORMATS

    parser = _Parser(prog=_PROG, description="Sales metrics with their formulas and sources.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    report = commands.add_parser(
        "report",
        help="a sales manager's dashboard from CRM files or the sample data",
        description=(
            "Compute a sales manager's dashboard (forecast, funnel, leads, accounts, "
            "retention, value, team) from CRM files, or from the sample CRM with --demo."
        ),
    )
    data = report.add_argument_group("data")
    data.add_argument("--demo", action="store_true", help="use the sample CRM")
    for name in _FILES:
        flag = "--" + name.replace("_", "-")
        data.add_argument(flag, type=Path, metavar="FILE", help=f"{name.replace('_', ' ')} CSV")
    data.add_argument(
        "--crm", choices=CRMS, help="the deals file is this CRM's export (CSV or JSON records)"
    )
    data.add_argument(
        "--crm-stages",
        type=Path,
        metavar="FILE",
        help="the CRM's stage definitions as JSON (HubSpot pipelines, Pipedrive or Odoo stages)",
    )
    settings = report.add_argument_group("settings")
    settings.add_argument("--quota", type=_number, metavar="N", help="quota for the quarter")
    settings.add_argument(
        "--as-of", type=_date, metavar="DATE", help="the report's date (default: today)"
    )
    settings.add_argument(
        "--stages", metavar="S1,S2,...", help="the funnel's stages in order, comma-separated"
    )
    settings.add_argument(
        "--headcount", type=_number, metavar="N", help="sellers (default: owners of deals)"
    )
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
    output = report.add_argument_group("output")
    output.add_argument("--format", choices=FORMATS, help="text (default), markdown, json or html")
    output.add_argument("--output", "-o", type=Path, metavar="FILE", help="write to FILE")
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
        raise _UsageError(f"cannot write {path}: directory {directory} does not exist")
    handle, temporary = tempfile.mkstemp(dir=directory, prefix=f".{path.name}.", suffix=".tmp")
    try:
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)  # as open() would make it, not mkstemp's 0600
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _report(args: argparse.Namespace) -> int:
    from .report import Assumptions, build_report, demo_inputs, load_inputs, render

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
    fmt = args.format
    if fmt is None:
        suffix = args.output.suffix.lower() if args.output is not None else ""
        fmt = _SUFFIX_FORMATS.get(suffix, "text")
    stages = [s.strip() for s in args.stages.split(",") if s.strip()] if args.stages else None
    if args.demo:
        inputs = demo_inputs(as_of=args.as_of, quota=args.quota)
    else:
        inputs = load_inputs(
            files,
            crm=args.crm,
            crm_stages=args.crm_stages,
            as_of=args.as_of,
            quota=args.quota,
            stages=stages,
            headcount=args.headcount,
        )
    assumptions = Assumptions(margin=args.margin, seller_cost=args.seller_cost)
    text = render(build_report(inputs, assumptions=assumptions), fmt)
    if args.output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
    else:
        write_atomically(args.output, text)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status (0, or 2 for bad input).

    Parameters
    ----------
    argv : sequence of str, optional
        The arguments after the program's name (default: ``sys.argv[1:]``).

    Returns
    -------
    int
        0 on success; 2 when a file, a table or an option is wrong (one line on
        standard error says what).

    Examples
    --------
    >>> from salescore.cli import main
    >>> main(["report", "--demo", "--format", "json", "--output", "/nonexistent/r.json"])
    2
    """
    parser = _parser()
    try:
        args = parser.parse_args(argv)
        if args.command is None:
            parser.print_help()
            return 0
        return _report(args)
    except SystemExit as done:  # --help and --version
        return done.code if isinstance(done.code, int) else 0
    except _UsageError as error:
        print(f"{_PROG}: error: {error}", file=sys.stderr)
        return 2
    except SalescoreError as error:
        message = " ".join(str(error).split())
        print(f"{_PROG}: error: {message}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # The reader (say, `head`) left: nothing more to say.
        with contextlib.suppress(OSError):
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115
        return 0
    except OSError as error:
        where = f": {error.filename}" if error.filename else ""
        print(f"{_PROG}: error: {error.strerror or error}{where}", file=sys.stderr)
        return 2
