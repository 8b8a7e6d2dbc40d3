"""The options of ``salescore report``: their types, their groups, what they build.

Each ``type=`` function turns one argument into its value or refuses it in one line
(:class:`argparse.ArgumentTypeError`); each ``*_arguments`` function adds a group of
options to the report's parser; :func:`file_format` and :func:`fiscal_calendar`
build the records the options describe, raising :class:`UsageError` for a
combination that does not fit.
"""

from __future__ import annotations

import argparse
import math
import re
from typing import TYPE_CHECKING

import pandas as pd

from .._arrays import utc_naive
from ..errors import SalescoreError

if TYPE_CHECKING:
    from ..fiscal import FiscalCalendar
    from ..report.data import FileFormat

__all__ = [
    "CURRENCY_HELP",
    "DISPLAY_HELP",
    "RATES_HELP",
    "UsageError",
    "calendar_arguments",
    "currency",
    "date",
    "display_locale",
    "file_format",
    "file_format_arguments",
    "fiscal_calendar",
    "fraction",
    "number",
]

_FIRST_DATE = pd.Timestamp("1700-01-01")
_LAST_DATE = pd.Timestamp("2200-12-31")
_ISO = re.compile(r"\d{4}-\d{1,2}-\d{1,2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?")
_DOTTED = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})")


class UsageError(Exception):
    """A bad command line, reported in one line with exit status 2."""


def number(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r:.60}") from None
    if not math.isfinite(value) or value < 0:
        raise argparse.ArgumentTypeError(f"must be a finite number >= 0, got {text!r:.60}")
    return value


def fraction(text: str) -> float:
    value = number(text)
    if value > 1:
        raise argparse.ArgumentTypeError(f"must be a fraction between 0 and 1, got {text!r:.60}")
    return value


def date(text: str) -> pd.Timestamp:
    """An unambiguous date (and time), as a naive timestamp in UTC."""
    stripped = text.strip()
    dotted = _DOTTED.fullmatch(stripped)
    try:
        if dotted is not None:
            day, month, year = (int(part) for part in dotted.groups())
            stamp = pd.Timestamp(year=year, month=month, day=day)
        elif _ISO.fullmatch(stripped):
            stamp = pd.Timestamp(stripped)
        elif "/" in stripped:
            raise argparse.ArgumentTypeError(
                f"ambiguous date {text!r} (day/month or month/day?): write it as YYYY-MM-DD"
            )
        else:
            raise argparse.ArgumentTypeError(f"not a date (use YYYY-MM-DD or DD.MM.YYYY): {text!r}")
    except (ValueError, TypeError, OverflowError):
        raise argparse.ArgumentTypeError(f"not a date (use YYYY-MM-DD): {text!r}") from None
    stamp = utc_naive(stamp)
    if not _FIRST_DATE <= stamp <= _LAST_DATE:
        raise argparse.ArgumentTypeError(
            f"{text!r} is outside the dates a report can cover "
            f"({_FIRST_DATE.date()} to {_LAST_DATE.date()})"
        )
    return pd.Timestamp(stamp).as_unit("ns")


def currency(text: str) -> str:
    from ..schema.vocabularies import CURRENCIES, WITHDRAWN_CURRENCIES

    if (code := text.strip().upper()) not in CURRENCIES | WITHDRAWN_CURRENCIES:
        raise argparse.ArgumentTypeError(f"not an ISO 4217 code such as EUR: {text!r:.60}")
    return code


def display_locale(text: str) -> str:
    from ..report._numbers import numbers

    try:
        return str(numbers(text).locale)
    except SalescoreError as error:  # argparse would hide a ValueError's message
        raise argparse.ArgumentTypeError(str(error)) from None


DISPLAY_HELP = (
    "write the numbers as this CLDR locale does, e.g. sv_SE (1 234 567 kr) or de_DE; needs "
    "Babel: pip install '.[locale]' (default: --locale's conventions if Babel is there)"
)
CURRENCY_HELP = (
    "convert the deals' amounts to this ISO 4217 currency (e.g. EUR), each at the rate in "
    "force on its close date; needs --rates. A deal without a rate is rejected, with the reason"
)
RATES_HELP = (
    "a CSV file of currency,valid_from,rate: units of the currency per one unit of "
    "--rates-base, in force from valid_from until the currency's next rate"
)
_SEPARATORS = {"tab": "\t", "\\t": "\t"}
_THOUSANDS = {"none": "", "space": " "}


def file_format_arguments(report: argparse.ArgumentParser) -> None:
    """The "file format" options: the CSV dialect of the files (see salescore.io)."""
    from ..io import LOCALES

    dialect = report.add_argument_group(
        "file format",
        "How the CSV files are written. Detected where a file shows it beyond doubt\n"
        "(a byte-order mark, the one separator of its header, a decimal comma);\n"
        "otherwise give it, or one --locale.",
    )
    dialect.add_argument(
        "--sep",
        type=lambda text: _SEPARATORS.get(text, text),
        metavar="CHAR",
        help="column separator: ',', ';', 'tab' or '|' (default: the header's)",
    )
    dialect.add_argument(
        "--decimal", choices=(".", ","), help="decimal separator (default: as the numbers show)"
    )
    dialect.add_argument(
        "--thousands",
        type=lambda text: _THOUSANDS.get(text, text),
        metavar="CHAR",
        help="thousands separator besides spaces: '.', ',', \"'\" or none (default: none)",
    )
    order = dialect.add_mutually_exclusive_group()
    order.add_argument(
        "--dayfirst",
        action="store_true",
        default=None,
        help="read 02/01/2026 as 2 January",
    )
    order.add_argument(
        "--monthfirst",
        dest="dayfirst",
        action="store_false",
        help="read 02/01/2026 as 1 February",
    )
    dialect.add_argument(
        "--encoding", metavar="NAME", help="text encoding, e.g. cp1252 (default: BOM or UTF-8)"
    )
    dialect.add_argument(
        "--locale",
        choices=tuple(LOCALES),
        help="a locale's Excel conventions: separator, decimal, thousands, day order, encoding",
    )
    dialect.add_argument(
        "--probability-scale",
        choices=("fraction", "percent"),
        default="fraction",
        help="bare probabilities are 0.12 (fraction, default) or 12 (percent); 12 %% is both",
    )


def calendar_arguments(report: argparse.ArgumentParser) -> None:
    """The "fiscal calendar" options: the quarter the forecast and quota are for."""
    fiscal = report.add_argument_group(
        "fiscal calendar",
        "The forecast quarter, its quota and coverage follow the fiscal calendar\n"
        "(default: calendar quarters; with --demo, the sample's year from April).",
    )
    fiscal.add_argument(
        "--fiscal-year-start",
        type=_month,
        metavar="MONTH",
        help="the month each fiscal year starts in, 1-12 (4: years from 1 April)",
    )
    fiscal.add_argument(
        "--fiscal-year-naming",
        choices=("end", "start"),
        help="FY2027 is the year ending in 2027 (end, default) or starting in it (start)",
    )
    fiscal.add_argument(
        "--fiscal-calendar",
        choices=("months", "4-4-5", "4-5-4", "5-4-4"),
        help="calendar months (default) or 52/53-week years of 13-week quarters",
    )
    fiscal.add_argument(
        "--fiscal-week-end",
        type=_weekday,
        metavar="DAY",
        help="the weekday a 52/53-week year ends on, e.g. Sat (needed with 4-4-5 etc.)",
    )
    fiscal.add_argument(
        "--fiscal-year-end-rule",
        choices=("last", "nearest"),
        help="the last such weekday of the month before the start month, or the one "
        "nearest its end (needed with 4-4-5 etc.)",
    )


def _weekday(text: str) -> str:
    from ..fiscal._fields import weekday_name

    try:
        return weekday_name(text)
    except SalescoreError:
        raise argparse.ArgumentTypeError(
            f"not a weekday such as Sat or Saturday: {text!r:.60}"
        ) from None


def _month(text: str) -> int:
    if text.strip().isdigit() and 1 <= int(text) <= 12:
        return int(text)
    raise argparse.ArgumentTypeError(f"not a month from 1 to 12: {text!r:.60}")


def fiscal_calendar(args: argparse.Namespace) -> FiscalCalendar | None:
    """The fiscal calendar the options ask for, or None when none of them is given."""
    from ..fiscal import FiscalCalendar

    start, weeks = args.fiscal_year_start, args.fiscal_calendar not in (None, "months")
    week_options = {
        "--fiscal-week-end": args.fiscal_week_end,
        "--fiscal-year-end-rule": args.fiscal_year_end_rule,
    }
    if not weeks:
        given = [flag for flag, value in week_options.items() if value is not None]
        if given:
            raise UsageError(f"{given[0]} needs --fiscal-calendar 4-4-5, 4-5-4 or 5-4-4")
    if start is None:
        if args.fiscal_calendar is not None or args.fiscal_year_naming is not None:
            raise UsageError("the fiscal calendar options need --fiscal-year-start MONTH")
        return None
    naming = args.fiscal_year_naming or "end"
    if not weeks:
        return FiscalCalendar.from_start_month(start, naming=naming)
    missing = [flag for flag, value in week_options.items() if value is None]
    if missing:
        raise UsageError(
            f"--fiscal-calendar {args.fiscal_calendar} needs {' and '.join(missing)}: "
            "e.g. --fiscal-week-end Sat --fiscal-year-end-rule last"
        )
    return FiscalCalendar.weeks(
        args.fiscal_calendar,
        end_month=12 if start == 1 else start - 1,
        weekday=args.fiscal_week_end,
        rule=args.fiscal_year_end_rule,
        naming=naming,
    )


def file_format(args: argparse.Namespace) -> FileFormat:
    from ..report.data import FileFormat

    return FileFormat(
        sep=args.sep,
        decimal=args.decimal,
        thousands=args.thousands,
        dayfirst=args.dayfirst,
        encoding=args.encoding,
        locale=args.locale,
        probability_scale=args.probability_scale,
    )
