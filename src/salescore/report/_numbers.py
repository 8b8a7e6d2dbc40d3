"""Numbers as the reader's locale writes them: the report's figures in CLDR conventions.

:func:`numbers` turns a locale identifier (``"sv_SE"``, ``"de"``, ``"en-US"``) and the
report's currency into a :class:`Numbers`, which writes a money amount, a share, a
ratio or a count the way that locale does, from the Unicode CLDR data that Babel
ships (``pip install '.[locale]'`` in a clone of salescore): Swedish ``1 234 567 kr``, German
``1.234.567 €``, American ``$1,234,567``. Babel is imported only when a locale is
asked for. Without a locale the report keeps its default format (``1,234,567``).
"""

from __future__ import annotations

import decimal
import functools
import math
import re
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, Final

import attrs

from .._arrays import option_flag
from ..errors import InvalidInputError
from ..schema.vocabularies import CURRENCIES, WITHDRAWN_CURRENCIES
from ._money import currency_code

__all__ = ["BABEL_HINT", "CSV_LOCALES", "Numbers", "display", "numbers", "symbol_currency"]

#: How to install Babel, which formatting in a locale needs.
BABEL_HINT: Final = "pip install '.[locale]' in a clone of salescore"

#: The CLDR locale of each CSV preset of :data:`salescore.io.LOCALES`: the conventions
#: that the readers of files written that way read numbers in.
CSV_LOCALES: Final[Mapping[str, str]] = MappingProxyType(
    {
        "sv": "sv_SE",
        "no": "nb_NO",
        "da": "da_DK",
        "fi": "fi_FI",
        "de": "de_DE",
        "fr": "fr_FR",
        "nl": "nl_NL",
        "en-gb": "en_GB",
        "en-us": "en_US",
    }
)

# The integer part of a CLDR number pattern ("#,##0", "#,##,##0") and its fraction.
_NUMBER: Final = re.compile(r"([#,]*0[0,]*)(?:\.[0#]*)?")
_PRECISION: Final = 400  # decimal digits: more than the largest float has, with a fraction
_LONGEST: Final = 64  # a locale identifier is a few letters; refuse a novel before parsing


def _digits(pattern: str, digits: int) -> str:
    """``pattern`` with exactly ``digits`` fraction digits in each of its subpatterns."""
    fraction = "." + "0" * digits if digits else ""
    return _NUMBER.sub(lambda match: match.group(1) + fraction, pattern)


@attrs.frozen(kw_only=True)
class Numbers:
    """How the report writes its numbers: a CLDR locale, or the default format.

    Attributes
    ----------
    locale : str or None
        The CLDR locale (``"sv_SE"``); None for the default format.
    currency : str or None
        The ISO 4217 code whose symbol money amounts carry; None writes them as
        grouped numbers.
    said : str or None
        The clause of the report's header naming the conventions, or saying why the
        default format is used (Babel missing); None says nothing.
    """

    locale: str | None = None
    currency: str | None = None
    said: str | None = None
    cldr: Any = attrs.field(default=None, eq=False, repr=False)

    def format(self, value: float, kind: str) -> str:
        """``value`` (a real number) written as ``kind`` in the locale's conventions."""
        # Babel rounds in decimal arithmetic: the context must hold every digit of the
        # largest float (309 of them) and its fraction, or 1e308 raises InvalidOperation.
        with decimal.localcontext() as context:
            context.prec = _PRECISION
            return self._format(value, kind)

    def _format(self, value: float, kind: str) -> str:
        from babel import numbers as babel

        cldr = self.cldr
        if math.isnan(value):
            return "NaN"
        grouped = cldr.decimal_formats[None].pattern

        def fixed(number: float, digits: int) -> str:
            return str(babel.format_decimal(number, format=_digits(grouped, digits), locale=cldr))

        if kind == "money":
            if self.currency is None:
                return fixed(value, 0)
            return str(
                babel.format_currency(
                    value,
                    self.currency,
                    format=_digits(cldr.currency_formats["standard"].pattern, 0),
                    locale=cldr,
                    currency_digits=False,
                )
            )
        if kind in ("share", "change"):
            percent = _digits(cldr.percent_formats[None].pattern, 1)
            text = str(babel.format_percent(value, format=percent, locale=cldr))
            if kind == "change" and not value < 0:
                text = babel.get_plus_sign_symbol(cldr) + text
            return text
        if kind == "ratio":
            return f"{fixed(value, 2)}x"
        if kind == "minutes":
            if value < 60:
                return f"{fixed(value, 1)} min"
            if value < 48 * 60:
                return f"{fixed(value / 60, 1)} h"
            return f"{fixed(value / 1440, 1)} d"
        if kind == "days":
            return f"{fixed(value, 1)} d"
        if kind == "count" or isinstance(value, int):
            if float(value).is_integer():
                return fixed(value, 0)
            return str(babel.format_decimal(value, locale=cldr))
        return fixed(value, 2)


def symbol_currency(currency: object) -> str | None:
    """A report's currency if it is an ISO 4217 code whose symbol amounts can carry, else None."""
    if isinstance(currency, str) and currency in CURRENCIES | WITHDRAWN_CURRENCIES:
        return currency
    return None


def numbers(locale: object, currency: object = None, *, babel_optional: object = False) -> Numbers:
    """The :class:`Numbers` of a CLDR ``locale`` for amounts in ``currency``.

    ``locale`` None gives the default format. ``currency`` None writes money as
    grouped numbers, without a symbol. Without
    Babel, ``babel_optional`` gives the default format and a header clause saying
    how to install it; otherwise that is an error.

    Raises
    ------
    InvalidInputError
        ``locale`` is not a str naming a locale CLDR knows, or Babel is not installed
        (and ``babel_optional`` is False); ``currency`` is not an ISO 4217 code or None;
        ``babel_optional`` is not a bool.
    """
    optional = option_flag("babel_optional", babel_optional)
    code = None if currency is None else currency_code("currency", currency)
    if locale is None:
        return Numbers()
    if not isinstance(locale, str) or not 0 < len(locale.strip()) <= _LONGEST:
        raise InvalidInputError(
            f"locale must be a CLDR locale identifier such as 'sv_SE', or None; got "
            f"{type(locale).__name__} {locale!r:.60}"
        )
    locale = locale.strip()
    try:
        import babel  # noqa: F401  (the extra is installed)
    except ImportError:
        if optional:
            return Numbers(
                said=f"amounts in the default format: install the locale extra (Babel) for "
                f"{locale} conventions ({BABEL_HINT})"
            )
        raise InvalidInputError(
            f"locale {locale!r:.60}: writing numbers in a locale's conventions needs Babel: "
            f"{BABEL_HINT}"
        ) from None
    cldr = _cldr(locale)
    name = str(cldr)
    return Numbers(locale=name, currency=code, said=f"numbers as written in {name}", cldr=cldr)


def display(locale: str | None, csv_locale: str | None) -> dict[str, Any]:
    """The ``locale`` and ``babel_optional`` of :func:`~salescore.report.render` for the CLI.

    ``--display-locale`` if given (Babel required); else the CLDR locale of the CSV
    preset ``--locale`` (:data:`CSV_LOCALES`) when Babel is installed, the default
    format and a header clause saying how to get it when it is not; else the default.
    """
    if locale is None and csv_locale is not None:
        return {"locale": CSV_LOCALES.get(csv_locale, csv_locale), "babel_optional": True}
    return {"locale": locale, "babel_optional": False}


@functools.lru_cache(maxsize=32)
def _cldr(locale: str) -> Any:
    """The Babel ``Locale`` of an identifier (``sv_SE``, ``sv-SE``, ``sv``), or refused."""
    import babel

    try:
        return babel.Locale.parse(locale.replace("-", "_"))
    except (babel.UnknownLocaleError, ValueError, TypeError, LookupError) as error:
        raise InvalidInputError(
            f"locale must be a locale CLDR knows, such as 'sv_SE' or 'de'; got {locale!r:.60} "
            f"({' '.join(str(error).split())[:80]})"
        ) from None
