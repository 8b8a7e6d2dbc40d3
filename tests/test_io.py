"""salescore.io: spreadsheet CSV files of any locale into canonical tables, and the report.

Every file is written by the test itself, byte for byte as a spreadsheet writes it
(byte-order marks, Windows encodings, no-break spaces), so that what is read is known
exactly. Expected figures are computed by hand in the comments.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import salescore as sc
from salescore.cli import main
from salescore.errors import InvalidInputError, SchemaError
from salescore.io import LOCALES, read_export, read_table
from salescore.report import build_report, load_inputs, render
from salescore.report.data import FileFormat, ReportInputError

NBSP = "\u00a0"  # no-break space: Excel's thousands separator in sv, no, fi, fr
NNBSP = "\u202f"  # narrow no-break space: French typography's thousands separator
BOM = "\ufeff"

# A Swedish Excel "CSV UTF-8 (kommaavgränsad)" export: BOM, ';', decimal comma,
# thousands grouped by a no-break space, a narrow no-break space or a space,
# percentages with and without a space, dotted dates, a date with a time, and
# statuses as a person types them.
SWEDISH = (
    f"{BOM}deal_id;owner;value;probability;status;close_date;created\r\n"
    f"D-1;Åsa;1{NBSP}234,50;12 %;Open;15.03.2026;2025-10-01 14:00\r\n"
    f"D-2;Åsa;27{NNBSP}600,00;12,5 %;open;31.03.2026;2025-11-15 09:30\r\n"
    "D-3;Jörgen;34 500;83%;OPEN;28.02.2026;2025-12-01 00:00\r\n"
    "D-4;Jörgen;10 000;100 %;Won;05.01.2026;2025-09-01 10:00\r\n"
    "D-5;Åsa;5 000;0 %;LOST;07.01.2026;2025-08-01 10:00\r\n"
)
# The open deals' weighted value, by hand:
#   D-1: 1 234,50 × 12 %   =    148.14
#   D-2: 27 600,00 × 12,5 % =  3 450.00
#   D-3: 34 500 × 83 %     = 28 635.00
#   total                  = 32 233.14
SWEDISH_WEIGHTED = 32_233.14


def _write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


# ------------------------------------------------------------------ the Swedish file


def test_a_swedish_excel_csv_loads_with_every_value_read(tmp_path: Path) -> None:
    result = read_table(_write(tmp_path / "affärer.csv", SWEDISH))
    assert result.n_rejected == 0, result.summary()
    deals = result.frame
    assert deals["deal_id"].tolist() == ["D-1", "D-2", "D-3", "D-4", "D-5"]
    assert deals["value"].tolist() == [1234.5, 27600.0, 34500.0, 10000.0, 5000.0]
    assert deals["probability"].tolist() == pytest.approx([0.12, 0.125, 0.83, 1.0, 0.0])
    assert deals["status"].tolist() == ["open", "open", "open", "won", "lost"]
    assert deals["owner"].tolist() == ["Åsa", "Åsa", "Jörgen", "Jörgen", "Åsa"]
    assert deals["close_date"].iloc[0] == pd.Timestamp("2026-03-15")
    assert deals["created"].iloc[0] == pd.Timestamp("2025-10-01 14:00")
    assert deals["close_date"].dtype == "datetime64[ns]"
    assert deals["created"].dtype == "datetime64[ns]"  # naive, meaning UTC
    sc.validate(deals, "deals")
    open_deals = deals[deals["status"] == "open"]
    weighted = float(sc.weighted_value(open_deals["value"], open_deals["probability"]).sum())
    assert weighted == pytest.approx(SWEDISH_WEIGHTED)
    # The index is the line in the file (the header is line 1).
    assert deals.index.tolist() == [2, 3, 4, 5, 6]


def test_the_swedish_file_gives_the_hand_computed_forecast_on_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write(tmp_path / "affärer.csv", SWEDISH)
    out = tmp_path / "report.json"
    status = main(
        [
            "report",
            "--deals",
            str(path),
            "--as-of",
            "2026-01-10",
            "--format",
            "json",
            "-o",
            str(out),
        ]
    )
    assert status == 0, capsys.readouterr().err
    assert capsys.readouterr().err == ""
    data = json.loads(out.read_text(encoding="utf-8"))
    forecast = data["sections"]["forecast"]["metrics"]
    assert forecast["open_deals"] == 3
    assert forecast["weighted_value"] == pytest.approx(SWEDISH_WEIGHTED)
    (record,) = data["imports"]
    assert (record["rows_in"], record["accepted"], record["rejected"]) == (5, 5, 0)


def test_the_locale_preset_reads_a_file_without_a_byte_order_mark(tmp_path: Path) -> None:
    path = _write(tmp_path / "affärer.csv", SWEDISH.removeprefix(BOM))
    detected = read_table(path).frame
    preset = read_table(path, locale="sv").frame
    pd.testing.assert_frame_equal(detected, preset)


def test_every_locale_preset_is_coherent() -> None:
    for name, preset in LOCALES.items():
        assert preset.name == name
        assert preset.decimal != preset.thousands
        assert preset.sep != preset.decimal


# ------------------------------------------------------------------ encodings


def test_a_cp1252_file_needs_its_encoding_and_names_the_line(tmp_path: Path) -> None:
    text = "deal_id;value;owner\r\nD-1;100;Lars\r\nD-2;200;Åsa Öberg\r\nD-3;300;Jörgen Ärlig\r\n"
    path = _write(tmp_path / "deals.csv", text, "cp1252")
    with pytest.raises(InvalidInputError) as error:
        read_table(path)
    message = str(error.value)
    assert "line 3" in message  # Å is the first byte that is not UTF-8
    assert "deals.csv" in message
    assert "encoding='cp1252'" in message
    assert "--encoding cp1252" in message
    for options in ({"encoding": "cp1252"}, {"locale": "sv"}):
        frame = read_table(path, **options).frame  # type: ignore[arg-type]
        assert frame["owner"].tolist() == ["Lars", "Åsa Öberg", "Jörgen Ärlig"]
        assert frame["value"].tolist() == [100.0, 200.0, 300.0]


def test_a_utf16_file_with_tabs_is_read_by_its_byte_order_mark(tmp_path: Path) -> None:
    # Excel's "Unicode text": UTF-16 with a byte-order mark, separated by tabs.
    text = "deal_id\tvalue\tprobability\r\nD-1\t1 234,50\t0,5\r\n"
    path = _write(tmp_path / "deals.txt", text, "utf-16")
    frame = read_table(path).frame
    assert frame["value"].tolist() == [1234.5]
    assert frame["probability"].tolist() == [0.5]


# ------------------------------------------------------------------ separators


def test_a_semicolon_file_read_with_the_wrong_separator_says_which_to_pass(
    tmp_path: Path,
) -> None:
    path = _write(tmp_path / "deals.csv", "deal_id;value\nD-1;5\n")
    with pytest.raises(SchemaError) as error:
        read_table(path, sep=",")
    message = str(error.value)
    assert "deals.csv" in message
    assert "line 1" in message
    assert "sep=';'" in message
    assert "--sep ';'" in message


def test_the_command_line_says_which_separator_to_pass(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write(tmp_path / "deals.csv", "deal_id;value\nD-1;5\n")
    assert main(["report", "--deals", str(path), "--sep", ","]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert "--sep ';'" in err[0]


def test_a_line_with_more_fields_than_the_header_is_refused_not_cut(tmp_path: Path) -> None:
    # pandas would warn and cut the line's last field: the amount 1,5 would lose its 5.
    path = _write(tmp_path / "deals.csv", "deal_id;value;status\nD-1;1,5;open\n")
    with pytest.raises(InvalidInputError, match=r"more fields than the header.*--sep ';'"):
        read_table(path, sep=",")
    quoted = _write(tmp_path / "quoted.csv", "deal_id,value,status\nD-1,1,5,open\n")
    with pytest.raises(InvalidInputError, match="quote values that hold ','"):
        read_table(quoted)


def test_the_command_line_refuses_a_cut_line_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write(tmp_path / "deals.csv", "deal_id;value;status\nD-1;1,5;open\n")
    assert main(["report", "--deals", str(path), "--sep", ","]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert "--sep ';'" in err[0]


def test_a_header_with_two_separators_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path / "deals.csv", "deal_id;value,probability\nD-1;5,0.5\n")
    with pytest.raises(InvalidInputError, match=r"both ',' and ';'.*pass sep"):
        read_table(path)
    # A separator inside a quoted column name does not count.
    quoted = _write(tmp_path / "quoted.csv", 'deal_id;value;"Name, legal"\nD-1;5;"A, B"\n')
    assert read_table(quoted).frame["Name, legal"].tolist() == ["A, B"]


def test_a_comma_file_with_decimal_points_and_grouping(tmp_path: Path) -> None:
    text = 'deal_id,value,probability\nD-1,"1,234.50",0.25\nD-2,99.5,12%\n'
    frame = read_table(_write(tmp_path / "deals.csv", text)).frame
    # "1,234.50": the last separator is the decimal one; the comma groups thousands.
    assert frame["value"].tolist() == [1234.5, 99.5]
    assert frame["probability"].tolist() == [0.25, 0.12]


def test_numbers_with_both_decimal_separators_are_refused(tmp_path: Path) -> None:
    text = "deal_id;value\nD-1;0,5\nD-2;1234.5\n"
    with pytest.raises(InvalidInputError) as error:
        read_table(_write(tmp_path / "deals.csv", text))
    message = str(error.value)
    assert "'0,5' (line 2, deal_id D-1" in message
    assert "'1234.5' (line 3, deal_id D-2" in message
    assert "decimal" in message


def test_dot_thousands_are_read_only_when_the_decimal_is_known(tmp_path: Path) -> None:
    # '1.500' alone could be one and a half or fifteen hundred: refused until the
    # decimal separator is known, from the options or from another value.
    path = _write(tmp_path / "deals.csv", "deal_id;value\nD-1;1.500\nD-2;2.000\n")
    result = read_table(path)
    assert result.accepted == 0
    assert "pass thousands='.'" in result.rejected["reason"].iloc[0]
    for options in ({"thousands": "."}, {"locale": "de"}, {"decimal": ","}):
        frame = read_table(path, **options).frame  # type: ignore[arg-type]
        assert frame["value"].tolist() == [1500.0, 2000.0]
    # German Excel's 2.000,25 shows the decimal comma, so the dots group thousands.
    shown = _write(tmp_path / "shown.csv", "deal_id;value\nD-1;1.500\nD-2;2.000,25\n")
    assert read_table(shown).frame["value"].tolist() == [1500.0, 2000.25]


# ------------------------------------------------------------------ values


def test_percentages_and_the_probability_scale(tmp_path: Path) -> None:
    text = "deal_id,value,probability\nD-1,100,12 %\nD-2,100,12\nD-3,100,0.12\nD-4,12 %,0.5\n"
    path = _write(tmp_path / "deals.csv", text)
    result = read_table(path)
    assert result.frame["probability"].tolist() == [0.12, 0.12]
    reasons = dict(zip(result.rejected["deal_id"], result.rejected["reason"], strict=True))
    # A bare 12 is never read as 12 %: the schema's probabilities are fractions.
    assert "above 1 without a % sign" in reasons["D-2"]
    assert "probability_scale='percent'" in reasons["D-2"]
    assert "a percentage, not an amount" in reasons["D-4"]
    percent = read_table(path, probability_scale="percent")
    # 12 % and a bare 12 are both 0.12 on the percent scale; 0.12 is 0.0012.
    assert percent.frame["probability"].tolist() == pytest.approx([0.12, 0.12, 0.0012])


def test_flags_and_vocabularies_in_any_case_and_excel_words(tmp_path: Path) -> None:
    text = (
        "lead_id;created;converted;source\n"
        "L-1;2025-01-02;SANT;Web\n"  # Swedish Excel writes TRUE as SANT
        "L-2;2025-01-03;FALSKT;Web\n"
        "L-3;2025-01-04;kanske;Web\n"
        "L-4;2025-01-05;;Web\n"
    )
    result = read_table(_write(tmp_path / "leads.csv", text), "leads")
    assert result.frame["converted"].tolist() == [True, False]
    reasons = result.rejected["reason"].tolist()
    assert reasons == ["converted: not true or false: 'kanske'", "converted: missing"]
    accounts = "account_id;tier;last_contact\nA-1;a;01.02.2025\nA-2;B;\n"
    frame = read_table(_write(tmp_path / "accounts.csv", accounts), "accounts").frame
    assert frame["tier"].tolist() == ["A", "B"]


# ------------------------------------------------------------------ dates


def test_an_ambiguous_date_column_is_refused_then_read_with_dayfirst(tmp_path: Path) -> None:
    text = "deal_id,value,close_date\nD-1,100,02/01/2026\nD-2,100,03/01/2026\n"
    path = _write(tmp_path / "deals.csv", text)
    with pytest.raises(InvalidInputError) as error:
        read_table(path)
    message = str(error.value)
    assert "'02/01/2026' (line 2, deal_id D-1)" in message
    assert "dayfirst=True (--dayfirst)" in message
    assert "dayfirst=False (--monthfirst)" in message
    assert read_table(path, dayfirst=True).frame["close_date"].iloc[0] == pd.Timestamp("2026-01-02")
    assert read_table(path, dayfirst=False).frame["close_date"].iloc[0] == pd.Timestamp(
        "2026-02-01"
    )


def test_a_date_column_that_shows_its_order_is_read(tmp_path: Path) -> None:
    day_first = "deal_id,value,close_date\nD-1,100,02/01/2026\nD-2,100,13/01/2026\n"
    frame = read_table(_write(tmp_path / "a.csv", day_first)).frame
    assert frame["close_date"].tolist() == [pd.Timestamp("2026-01-02"), pd.Timestamp("2026-01-13")]
    month_first = "deal_id,value,close_date\nD-1,100,02/01/2026\nD-2,100,01/13/2026\n"
    frame = read_table(_write(tmp_path / "b.csv", month_first)).frame
    assert frame["close_date"].tolist() == [pd.Timestamp("2026-02-01"), pd.Timestamp("2026-01-13")]
    mixed = "deal_id,value,close_date\nD-1,100,13/01/2026\nD-2,100,01/13/2026\n"
    with pytest.raises(InvalidInputError, match=r"both day first.*and month first"):
        read_table(_write(tmp_path / "c.csv", mixed))


def test_times_with_offsets_become_naive_utc(tmp_path: Path) -> None:
    text = (
        "deal_id,value,created\n"
        "D-1,1,2025-12-31T14:00:00+01:00\n"  # 13:00 UTC
        "D-2,1,2025-12-31 14:00\n"  # no offset: read as UTC
        "D-3,1,31.12.2025 14:00:30\n"
    )
    frame = read_table(_write(tmp_path / "deals.csv", text)).frame
    assert frame["created"].tolist() == [
        pd.Timestamp("2025-12-31 13:00"),
        pd.Timestamp("2025-12-31 14:00"),
        pd.Timestamp("2025-12-31 14:00:30"),
    ]


def test_far_dates_are_no_date_where_allowed_and_a_reason_where_required(
    tmp_path: Path,
) -> None:
    deals = (
        "deal_id,value,close_date,created\n"
        "D-1,100,9999-12-31,2025-01-01\n"  # a CRM's "no end date"
        "D-2,100,2026-01-31,0001-01-01\n"
        "D-3,100,2026-02-28,2025-01-01\n"
    )
    result = read_table(_write(tmp_path / "deals.csv", deals))
    assert result.n_rejected == 0
    assert result.frame["close_date"].isna().tolist() == [True, False, False]
    assert result.frame["created"].isna().tolist() == [False, True, False]
    assert any("close_date: 1 date(s)" in w and "line 2" in w for w in result.warnings)
    assert any("created: 1 date(s)" in w and "line 3" in w for w in result.warnings)
    assert result.emptied["column"].tolist() == ["close_date", "created"]
    transactions = "customer_id,date,amount\nC-1,9999-12-31,10\nC-2,2025-01-01,20\n"
    result = read_table(_write(tmp_path / "t.csv", transactions), "transactions")
    assert result.frame["amount"].tolist() == [20.0]
    (reason,) = result.rejected["reason"]
    assert reason.startswith("date: outside the dates salescore can hold")
    history = "deal_id,stage,entered,exited\nD-1,Proposal,2025-01-01,9999-12-31\n"
    frame = read_table(_write(tmp_path / "h.csv", history), "stage_history").frame
    assert frame["exited"].isna().all()  # still in the stage


def test_far_dates_on_the_command_line_never_give_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    deals = _write(
        tmp_path / "deals.csv",
        "deal_id,value,probability,status,close_date\n"
        "D-1,100,0.5,open,9999-12-31\n"
        "D-2,200,0.5,open,2026-02-01\n",
    )
    transactions = _write(
        tmp_path / "transactions.csv",
        "customer_id,date,amount\nC-1,9999-12-31,10\nC-2,2025-12-01,20\n",
    )
    out = tmp_path / "r.json"
    args = ["report", "--deals", str(deals), "--transactions", str(transactions)]
    status = main([*args, "--as-of", "2026-01-10", "--format", "json", "-o", str(out)])
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert status in (0, 2)
    if status == 2:
        assert len(err.strip().splitlines()) == 1
    else:
        data = json.loads(out.read_text(encoding="utf-8"))
        imports = {item["table"]: item for item in data["imports"]}
        assert imports["deals"]["accepted"] == 2
        assert any("9999-12-31" in w for w in imports["deals"]["warnings"])
        assert imports["transactions"]["rejected"] == 1


def test_every_report_date_column_survives_far_dates(tmp_path: Path) -> None:
    files = {
        "deals": "deal_id,value,created,close_date\nD-1,1,9999-12-31,9999-12-31\n",
        "stage_history": "deal_id,stage,entered,exited\nD-1,A,2025-01-01,9999-12-31\n",
        "accounts": "account_id,last_contact\nA-1,9999-12-31\n",
        "leads": "lead_id,created,first_contact,converted\nL-1,2025-01-01,9999-12-31,true\n",
        "transactions": "customer_id,date,amount\nC-1,9999-12-31,1\n",
        "activities": "owner,date,kind\nÅsa,9999-12-31,call\n",
    }
    paths = {name: _write(tmp_path / f"{name}.csv", text) for name, text in files.items()}
    inputs = load_inputs(paths, as_of=pd.Timestamp("2026-01-10"))
    accepted = {record.table: record.accepted for record in inputs.imports}
    # Optional dates become no date; required ones (a transaction's or activity's
    # date, a stage entry) reject the row.
    assert accepted == {
        "deals": 1,
        "stage_history": 1,
        "accounts": 1,
        "leads": 1,
        "transactions": 0,
        "activities": 0,
    }


# ------------------------------------------------------------------ diagnostics


def test_one_date_format_problem_in_2000_rows_is_one_group(tmp_path: Path) -> None:
    rows = [
        f"D-{k},100,0.5,open,{k % 28 + 1} dec. {2000 + k // 28}" for k in range(2000)
    ]  # every value distinct, one format: "5 dec. 2017"
    text = "deal_id,value,probability,status,close_date\n" + "\n".join(rows) + "\n"
    path = _write(tmp_path / "deals.csv", text)
    result = read_table(path)
    assert (result.accepted, result.n_rejected) == (0, 2000)
    groups = result.reason_groups()
    assert len(groups) == 1
    assert groups["column"].iloc[0] == "close_date"
    assert groups["rows"].iloc[0] == 2000
    assert "line 2 ('D-0'): '1 dec. 2000'" in groups["examples"].iloc[0]
    assert len(result.summary().splitlines()) <= 3
    inputs = load_inputs({"deals": path}, as_of=pd.Timestamp("2026-01-10"))
    (record,) = inputs.imports
    assert len(record.reasons) == 1
    assert list(record.reasons.values()) == [2000]
    (group,) = record.groups
    assert (group.column, group.rows) == ("close_date", 2000)
    assert group.examples.count("line ") == 3
    text_report = render(build_report(inputs), "text")
    assert text_report.count("dec.") <= 3  # examples only, never one line per value


def test_the_command_line_summary_of_2000_bad_dates_is_bounded(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = [f"D-{k},100,0.5,open,{k % 28 + 1} dec. {2000 + k // 28}" for k in range(2000)]
    good = [f"G-{k},100,0.5,open,2026-02-01" for k in range(10)]
    text = "deal_id,value,probability,status,close_date\n" + "\n".join(rows + good) + "\n"
    path = _write(tmp_path / "deals.csv", text)
    status = main(["report", "--deals", str(path), "--as-of", "2026-01-10"])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    assert status in (0, 2)
    assert len(captured.out.splitlines()) + len(captured.err.splitlines()) < 200
    assert (captured.out + captured.err).count("dec.") <= 6


# ------------------------------------------------------------------ load_inputs


def test_canonical_files_take_the_file_format(tmp_path: Path) -> None:
    text = "deal_id;value;close_date\nD-1;1.234,5;02/01/2026\n"
    path = _write(tmp_path / "deals.csv", text)
    with pytest.raises(ReportInputError, match="dayfirst"):
        load_inputs({"deals": path})
    fmt = FileFormat(locale="de")
    inputs = load_inputs({"deals": path}, file_format=fmt)
    assert inputs.deals is not None
    assert inputs.deals["value"].tolist() == [1234.5]
    assert inputs.deals["close_date"].tolist() == [pd.Timestamp("2026-01-02")]


def test_a_swedish_salesforce_export_through_its_adapter(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The columns of tests/fixtures/salesforce/opportunities.csv, exported by Excel in
    # Swedish: ';', decimal commas, no-break spaces, percentages and dotted dates.
    text = (
        f"{BOM}Id;AccountId;OwnerId;StageName;Amount;Probability;CloseDate;CreatedDate;"
        "IsClosed;IsWon;IsDeleted\r\n"
        f"006A;001A;005A;Prospecting;27{NBSP}600,00;12 %;30.03.2026;2025-11-04 09:30;"
        "false;false;false\r\n"
        f"006B;001B;005A;Negotiation/Review;34{NBSP}500,00;83 %;31.03.2026;2025-10-15 14:05;"
        "false;false;false\r\n"
    )
    path = _write(tmp_path / "opportunities.csv", text)
    export = read_export(path)
    assert export["Amount"].tolist() == ["27600", "34500"]
    assert export["Probability"].tolist() == ["12", "83"]
    assert export["CloseDate"].tolist() == ["2026-03-30", "2026-03-31"]
    out = tmp_path / "r.json"
    status = main(
        ["report", "--crm", "salesforce", "--deals", str(path), "--as-of", "2026-01-10",
         "--format", "json", "-o", str(out)]
    )  # fmt: skip
    assert status == 0, capsys.readouterr().err
    data = json.loads(out.read_text(encoding="utf-8"))
    # 27 600 × 12 % + 34 500 × 83 % = 3 312 + 28 635 = 31 947
    assert data["sections"]["forecast"]["metrics"]["weighted_value"] == pytest.approx(31_947.0)


def test_bad_options_are_refused_by_name(tmp_path: Path) -> None:
    path = _write(tmp_path / "deals.csv", "deal_id,value\nD-1,1\n")
    bad: list[dict[str, Any]] = [
        {"sep": ";;"},
        {"decimal": "_"},
        {"thousands": "x"},
        {"decimal": ",", "thousands": ","},
        {"dayfirst": "yes"},
        {"encoding": "klingon"},
        {"locale": "xx"},
        {"probability_scale": "ratio"},
    ]
    for options in bad:
        with pytest.raises(InvalidInputError, match=next(iter(options))):
            read_table(path, **options)
    with pytest.raises(InvalidInputError, match="table must be one of"):
        read_table(path, "opportunities")
    with pytest.raises(FileNotFoundError):
        read_table(tmp_path / "none.csv")


def test_a_codec_that_is_not_a_text_encoding_is_refused_by_name(tmp_path: Path) -> None:
    # Python knows rot13 and hex as codecs, but they do not turn bytes into text:
    # bytes.decode would raise LookupError, not the library's error.
    path = _write(tmp_path / "deals.csv", "deal_id,value\nD-1,1\n")
    for encoding in ("rot13", "hex"):
        with pytest.raises(InvalidInputError, match="encoding must be"):
            read_table(path, encoding=encoding)
        with pytest.raises(InvalidInputError, match="encoding must be"):
            read_export(path, encoding=encoding)


def test_empty_lines_are_skipped_and_counted(tmp_path: Path) -> None:
    text = "deal_id;value\nD-1;1\n;\n\nD-2;2\n"
    result = read_table(_write(tmp_path / "deals.csv", text))
    assert result.frame.index.tolist() == [2, 5]
    assert result.warnings[0] == "2 empty line(s) skipped (line 3, 4)"
    assert result.rows_in == 2


def test_a_quoted_line_break_keeps_the_line_numbers(tmp_path: Path) -> None:
    text = 'deal_id,value,lost_reason\nD-1,1,"two\nlines"\nD-2,x,\n'
    result = read_table(_write(tmp_path / "deals.csv", text))
    assert result.rejected.index.tolist() == [4]
    assert np.isnan(result.frame["value"]).sum() == 0


def test_the_command_line_passes_the_file_format_options(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = (
        "deal_id;value;probability;status;close_date;owner\r\n"
        "D-1;1.234,50;0,5;open;02/03/2026;Åsa\r\n"
    )
    path = _write(tmp_path / "deals.csv", text, "cp1252")
    assert main(["report", "--deals", str(path), "--as-of", "2026-01-10"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert "--encoding cp1252" in err[0]
    args = ["report", "--deals", str(path), "--as-of", "2026-01-10", "--encoding", "cp1252"]
    assert main(args) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert "--dayfirst" in err[0]
    assert "line 2" in err[0]
    for extra in (["--dayfirst"], ["--locale", "de"]):
        out = tmp_path / "r.json"
        status = main([*args, *extra, "--format", "json", "-o", str(out)])
        assert status == 0, capsys.readouterr().err
        forecast = json.loads(out.read_text(encoding="utf-8"))["sections"]["forecast"]
        # 1 234,50 × 0,5 = 617,25, due 2 March 2026 (day first)
        assert forecast["metrics"]["weighted_value"] == pytest.approx(617.25)
        assert forecast["metrics"]["quarter_deals"] == 1


def test_a_repeated_column_name_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path / "deals.csv", "deal_id;value;value\nD-1;1;2\n")
    with pytest.raises(SchemaError, match=r"more than one column is named 'value'.*line 1"):
        read_table(path)


def test_a_byte_order_mark_read_as_plain_utf8_does_not_hide_the_first_column(
    tmp_path: Path,
) -> None:
    path = _write(tmp_path / "deals.csv", f"{BOM}deal_id;value\nD-1;1\n")
    assert read_table(path, encoding="utf-8").frame["deal_id"].tolist() == ["D-1"]


@pytest.mark.parametrize(
    "start",
    [b"PK\x03\x04\x14\x00\x06\x00", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00\x00"],
    ids=["xlsx", "xls"],
)
def test_a_workbook_is_refused_with_how_to_save_it_as_csv(
    tmp_path: Path, start: bytes, capsys: pytest.CaptureFixture[str]
) -> None:
    # The first bytes of a zip container (an .xlsx) and of an OLE2 file (an .xls).
    path = tmp_path / "deals.xlsx"
    path.write_bytes(start + b"\x00" * 64)
    with pytest.raises(InvalidInputError, match=r"workbook.*save the sheet as CSV"):
        read_table(path)
    assert main(["report", "--deals", str(path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert "not a CSV file" in err[0]


def test_a_directory_given_as_a_file_is_named_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["report", "--deals", str(tmp_path)]) == 2
    assert "is a directory" in capsys.readouterr().err


def test_a_blank_flag_outside_the_schema_is_unknown_not_false(tmp_path: Path) -> None:
    # The report reads a leads file's extra 'reached' column as a flag; a blank there
    # is unknown: read as False, it would lower the reach rates without a word.
    path = _write(
        tmp_path / "leads.csv",
        "lead_id,created,first_contact,converted,reached\n"
        "L1,2025-12-01 09:00,2025-12-01 09:03,true,true\n"
        "L2,2025-12-01 10:00,2025-12-01 10:20,false,\n",
    )
    inputs = load_inputs({"leads": path}, as_of=pd.Timestamp("2026-01-01"))
    assert inputs.leads is not None
    assert inputs.leads["reached"].tolist() == [True, pd.NA]
    section = build_report(inputs).sections["leads"]
    assert "reach_rate" not in section.tables["response_bands"]["columns"]
    assert any("Reach rates left out: 1 lead has no 'reached' value" in n for n in section.notes)


# ------------------------------------------------------------------ hostile input

_PLAIN = "deal_id,value,status\nD1,10,open\n"


@pytest.mark.parametrize("value", [pd.NA, ["fraction"], None, 1])
def test_a_probability_scale_that_is_no_choice_is_refused_by_name(
    tmp_path: Path, value: Any
) -> None:
    # pd.NA leaked "TypeError: boolean value of NA is ambiguous" from `in`.
    path = _write(tmp_path / "deals.csv", _PLAIN)
    with pytest.raises(InvalidInputError, match="probability_scale"):
        read_table(path, probability_scale=value)
    with pytest.raises(InvalidInputError, match="probability_scale"):
        read_export(path, probability_scale=value)
    with pytest.raises(InvalidInputError, match="probability_scale"):
        FileFormat(probability_scale=value)


@pytest.mark.parametrize("value", ["False", "no", 0, 1, pd.NA])
def test_dayfirst_must_be_true_false_or_none(tmp_path: Path, value: Any) -> None:
    path = _write(tmp_path / "deals.csv", _PLAIN)
    with pytest.raises(InvalidInputError, match="dayfirst must be True"):
        read_table(path, dayfirst=value)
    with pytest.raises(InvalidInputError, match="dayfirst must be True"):
        FileFormat(dayfirst=value)


@pytest.mark.parametrize(
    ("option", "value"),
    [("sep", pd.NA), ("decimal", pd.NA), ("decimal", ["."]), ("thousands", pd.NA),
     ("encoding", "utf\x00"), ("locale", ["de"])],
)  # fmt: skip
def test_dialect_options_of_the_wrong_kind_are_refused_by_name(
    tmp_path: Path, option: str, value: Any
) -> None:
    path = _write(tmp_path / "deals.csv", _PLAIN)
    with pytest.raises(InvalidInputError, match=option):
        read_table(path, **{option: value})
    with pytest.raises(InvalidInputError, match=option):
        FileFormat(**{option: value})


@pytest.mark.parametrize("kinds", ["number", ["value"], {"value": pd.NA}, {3: "number"}])
def test_kinds_must_map_column_names_to_kinds(tmp_path: Path, kinds: Any) -> None:
    path = _write(tmp_path / "deals.csv", _PLAIN)
    with pytest.raises(InvalidInputError, match="kinds"):
        read_table(path, kinds=kinds)


def test_a_directory_a_nul_or_a_number_as_the_path_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match="it is a directory"):
        read_table(tmp_path)
    with pytest.raises(InvalidInputError, match="NUL"):
        read_table(str(tmp_path / "deals\x00.csv"))
    with pytest.raises(InvalidInputError, match="path must be a str or a path"):
        read_table(3)  # type: ignore[arg-type]


def test_a_path_with_a_newline_is_shown_escaped_in_the_message(tmp_path: Path) -> None:
    path = _write(tmp_path / "dea\nls.csv", "")
    with pytest.raises(InvalidInputError, match="it is empty") as caught:
        read_table(path)
    assert "\n" not in str(caught.value)
    assert "dea\\nls.csv" in str(caught.value)


@pytest.mark.parametrize(
    ("field_name", "value"),
    [("name", None), ("sep", pd.NA), ("sep", ";;"), ("decimal", ";"), ("thousands", ["."]),
     ("dayfirst", "False"), ("dayfirst", None), ("encoding", "no-such-codec")],
)  # fmt: skip
def test_a_locale_preset_cannot_be_made_with_a_bad_field(field_name: str, value: Any) -> None:
    fields = {"name": "x", "sep": ";", "decimal": ",", "thousands": ".", "dayfirst": True}
    with pytest.raises(InvalidInputError, match=field_name):
        type(LOCALES["de"])(**{**fields, field_name: value})
