"""Numbers in the reports as the inventory's pages write them: chart tables rounded for people (their CSV plain),
large numbers in the PDF in powers of ten (inventory/tests/test_numbers_in_words.py has the rule itself)."""

from __future__ import annotations

from reports.charts.common import Table
from reports.report_data.text import number_text


def test_chart_tables_show_rounded_numbers_and_export_plain_ones():
    table = Table(("Accelerator", "Memory (GB)"), (("H100", 7680.0), ("L40S", 96.5)))
    assert table.shown_rows == [("H100", "7,680.0"), ("L40S", "96.5")]
    assert table.rows[0][1] == 7680.0


def test_the_pdf_writes_large_numbers_as_the_pages_do():
    assert number_text(8.47e22) == "8.47 x 10²²"
    assert number_text(1234.5) == "1,234.5"
