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


def test_the_summarys_power_has_the_decimal_the_cover_and_the_table_give_it():
    """A new organization's two scoped sites draw 19.5 + 5.1 = 24.6 kW IT power (29.25 + 7.14 = 36.39 kW at the
    facility): the cover and the chapter's table said 24.6 kW, the executive summary "25 kW IT power (36 kW ...)"."""
    from types import SimpleNamespace

    from reports.report_data.content import energy_lines

    two = SimpleNamespace(sites=("Dallas", "London"), it_kw=24.6, facility_kw=36.39, energy_kwh=26564.7, tco2=9.128)
    assert energy_lines(two)[0] == (
        "The 2 sites draw 24.6 kW IT power (36.4 kW at the facility; measured where telemetry gives it, else rated): "
        "26,565 kWh per month."
    )
    one = SimpleNamespace(sites=("Dallas",), it_kw=19.5, facility_kw=29.25, energy_kwh=21352.5, tco2=7.89)
    assert energy_lines(one)[0].startswith("The 1 site draws 19.5 kW IT power (29.3 kW at the facility;")
    assert "21,353 kWh per month." in energy_lines(one)[0]
