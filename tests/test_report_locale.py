"""The report's numbers in a reader's locale: ``render(..., locale=)`` and ``--display-locale``.

Where the expected strings come from: Unicode CLDR, as Babel ships it and documents it
in :func:`babel.numbers.format_currency` (``format_currency(1099.98, 'USD',
locale='en_US')`` is ``'$1,099.98'``, ``format_currency(1099.98, 'EUR',
locale='de_DE')`` is ``'1.099,98\\xa0€'``). CLDR's Swedish currency pattern is
``#,##0.00 ¤`` with a no-break space (U+00A0) before the symbol and as the group
separator, and the symbol of SEK in Swedish is ``kr``: the report drops the decimals,
so 1 234 567 SEK is ``1 234 567 kr`` (asserted with its no-break spaces written out).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap
from typing import Any

import pytest

from salescore.cli import main
from salescore.errors import InvalidInputError
from salescore.report import Report, build_report, demo_inputs, render
from salescore.report._layout import metric
from salescore.report.html import render_html
from salescore.report.render import FORMATS, cell, render_markdown, render_text

pytest.importorskip("babel")

NBSP = "\u00a0"
HINT = "pip install '.[locale]' in a clone of salescore"


@pytest.fixture(scope="module")
def report() -> Report:
    return build_report(demo_inputs())


def no_babel(monkeypatch: pytest.MonkeyPatch) -> None:
    """Babel made unimportable, as if the locale extra were not installed."""
    monkeypatch.setitem(sys.modules, "babel", None)
    monkeypatch.setitem(sys.modules, "babel.numbers", None)


# ------------------------------------------------------------------ the numbers


def test_swedish_amount_in_kronor() -> None:
    assert metric("open_value", 1_234_567.0, locale="sv_SE", currency="SEK") == (
        f"1{NBSP}234{NBSP}567{NBSP}kr"
    )


def test_german_amount_in_euro() -> None:
    assert metric("open_value", 1_234_567.0, locale="de_DE", currency="EUR") == (
        f"1.234.567{NBSP}€"
    )


def test_american_amount_in_dollars() -> None:
    assert metric("open_value", 1_234_567.0, locale="en_US", currency="USD") == "$1,234,567"
    assert metric("open_value", 1_234_567.0, locale="en-US", currency="USD") == "$1,234,567"


def test_money_without_a_currency_is_the_grouped_number() -> None:
    assert metric("open_value", 1_234_567.4, locale="sv_SE") == f"1{NBSP}234{NBSP}567"
    assert metric("open_value", 1_234_567.4, locale="de") == "1.234.567"


def test_shares_ratios_and_counts_use_the_locale_symbols() -> None:
    assert metric("win_rate", 0.3384, locale="sv_SE") == f"33,8{NBSP}%"
    assert metric("win_rate", 0.3384, locale="en_US") == "33.8%"
    assert metric("productivity_change", 0.05, locale="sv_SE") == f"+5,0{NBSP}%"
    assert metric("coverage", 1.4712, locale="de_DE") == "1,47x"
    assert metric("open_deals", 12345, locale="sv_SE") == f"12{NBSP}345"
    assert metric("median_response_minutes", 12.5, locale="sv_SE") == "12,5 min"
    assert metric("decay_exponent", 0.5, locale="fr_FR") == "0,50"
    assert cell("loss_reasons", "share", 0.25, locale="de_DE") == f"25,0{NBSP}%"
    assert cell("pipeline_by_owner", "value", 5000.0, locale="sv_SE", currency="EUR") == (
        f"5{NBSP}000{NBSP}€"
    )


def test_text_and_missing_values_are_unchanged() -> None:
    assert metric("quarter", "2026-Q1", locale="sv_SE") == "2026-Q1"
    assert metric("open_value", None, locale="sv_SE") == "-"
    assert cell("overdue_contacts", "last_contact", "2025-12-31", locale="de_DE") == "2025-12-31"


# ------------------------------------------------------------------ the report


def test_without_a_locale_the_report_is_unchanged(report: Report) -> None:
    for fmt in FORMATS:
        assert render(report, fmt, locale=None) == render(report, fmt)
    text = render(report, "text")
    assert NBSP not in text
    assert "numbers as written" not in text


def test_json_is_the_same_in_every_locale(report: Report) -> None:
    plain = render(report, "json")
    assert render(report, "json", locale="sv_SE") == plain
    assert "locale" not in json.loads(plain)


def test_a_swedish_report_names_its_locale_and_writes_swedish_amounts(report: Report) -> None:
    data = report.to_dict()
    for text in (
        render(report, "text", locale="sv_SE"),
        render_text(data, locale="sv_SE"),
        render_markdown(data, locale="sv_SE"),
        render(report, "html", locale="sv_SE"),
        render_html(report, data, locale="sv_SE"),
    ):
        # The header's conventions, after the title: one line of text, a list item in
        # Markdown, a paragraph in HTML.
        assert "Numbers as written in sv_SE." in text.split("FORECAST")[0].split("## Forecast")[0]
        assert f"{NBSP}€" in text or f"{NBSP}kr" in text
        assert data["as_of"] in text  # dates stay ISO


def test_an_unknown_locale_is_refused_by_name(report: Report) -> None:
    with pytest.raises(InvalidInputError, match="xx_YY"):
        render(report, "text", locale="xx_YY")
    with pytest.raises(InvalidInputError, match="xx_YY"):
        render(report, "json", locale="xx_YY")
    with pytest.raises(InvalidInputError, match="locale"):
        metric("open_value", 1.0, locale=5)  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="currency"):
        cell("t", "value", 1.0, locale="sv_SE", currency="crowns")


def test_without_babel_a_locale_gives_the_install_hint(
    report: Report, monkeypatch: pytest.MonkeyPatch
) -> None:
    no_babel(monkeypatch)
    with pytest.raises(InvalidInputError, match=re.escape(HINT)):
        render(report, "text", locale="sv_SE")
    with pytest.raises(InvalidInputError, match=re.escape(HINT)):
        metric("open_value", 1.0, locale="sv_SE")
    assert metric("open_value", 1_234_567.0) == "1,234,567"


def test_without_babel_an_optional_locale_keeps_the_default_and_says_so(
    report: Report, monkeypatch: pytest.MonkeyPatch
) -> None:
    plain = render(report, "text").splitlines()
    no_babel(monkeypatch)
    lines = render(report, "text", locale="sv_SE", babel_optional=True).splitlines()
    # The header gains one sentence; everything else is the default format.
    said = "Amounts in the default format: install the locale extra (Babel) for sv_SE conventions"
    head = lines.index("FORECAST")
    assert said in " ".join(line.strip() for line in lines[:head])
    assert lines[head:] == plain[plain.index("FORECAST") :]


def test_import_salescore_does_not_import_babel() -> None:
    code = textwrap.dedent(
        """
        import sys
        import salescore
        from salescore.report import render
        print("babel" in sys.modules)
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    assert result.stdout.strip() == "False"


# ------------------------------------------------------------------ the command


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = main(["report", "--demo", *args])
    out, err = capsys.readouterr()
    return status, out, err


def swedish_amount(text: str) -> bool:
    import re

    return re.search(rf"\d{{1,3}}({NBSP}\d{{3}})+{NBSP}(€|kr)", text) is not None


def test_cli_display_locale_writes_swedish_amounts(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "--display-locale", "sv_SE")
    assert status == 0
    assert "Numbers as written in sv_SE." in out.splitlines()[:6]
    assert swedish_amount(out)


def test_cli_json_does_not_change_with_the_locale(capsys: pytest.CaptureFixture[str]) -> None:
    _, plain, _ = run(capsys, "--format", "json")
    _, swedish, _ = run(capsys, "--format", "json", "--display-locale", "sv_SE")
    assert swedish == plain


def test_cli_unknown_display_locale_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, "--display-locale", "xx_YY")
    assert status == 2
    assert out == ""
    assert err.startswith("salescore: error: argument --display-locale:")
    assert "'xx_YY'" in err


def test_cli_csv_locale_sets_the_display_when_babel_is_there(
    capsys: pytest.CaptureFixture[str],
) -> None:
    _, out, _ = run(capsys, "--locale", "sv")
    assert "Numbers as written in sv_SE." in out.splitlines()[:6]
    assert swedish_amount(out)


def test_cli_without_babel(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    no_babel(monkeypatch)
    status, out, err = run(capsys, "--display-locale", "sv_SE")
    assert status == 2
    assert out == ""
    assert HINT in err
    assert len(err.strip().splitlines()) == 1
    # --locale (the files' CSV conventions) works as before: the header says why the
    # amounts keep the default format.
    _, out, _ = run(capsys, "--locale", "sv")
    assert "Amounts in the default format: install the locale extra (Babel) for sv_SE" in out
    assert not swedish_amount(out)


@pytest.mark.parametrize("identifier", ["de", "de_DE", "de-DE", "de_AT"])
def test_locale_identifiers_in_either_form(identifier: str) -> None:
    assert metric("open_value", 1_234_567.0, locale=identifier).startswith("1.234.567")


def test_numbers_record_says_what_it_uses() -> None:
    from salescore.report._numbers import numbers

    style = numbers("sv-SE", "SEK")
    assert (style.locale, style.currency) == ("sv_SE", "SEK")
    assert numbers(None).said is None
    got: Any = numbers("en_US", None)
    assert got.format(float("nan"), "money") == "NaN"
