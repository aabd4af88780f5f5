"""Import of the files operators' spreadsheets really save (`data/import/spreadsheets/`, described in its README):
European Excel's `;` CSV with decimal commas and grouped thousands, headers with units in brackets. A number that
could be read two ways is refused with both readings, never guessed."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from inventory.importing import normalize_header
from inventory.importing.cells import number_text
from inventory.models import Site

from .test_import import problems, run_import

DATA = Path(__file__).parent / "data" / "import" / "spreadsheets"

pytestmark = pytest.mark.django_db


def test_german_excel_csv_reads_decimal_commas_grouped_thousands_and_unit_headers(organization):
    result = run_import(organization, (DATA / "sites-excel-de.csv").read_bytes(), "sites-excel-de.csv")
    assert (result.ok, result.created) == (True, 3), result.errors_json()
    sites = {s.name: s for s in Site.objects.filter(organization=organization)}
    munich, zurich, frankfurt = sites["München"], sites["Zürich"], sites["Frankfurt"]
    assert (munich.pue, munich.electricity_price_per_kwh, munich.power_capacity_kw) == (
        pytest.approx(1.35),
        Decimal("0.21"),
        pytest.approx(1024.5),
    )
    assert munich.renewable_share_pct == pytest.approx(45)
    assert (zurich.electricity_price_per_kwh, zurich.power_capacity_kw, zurich.renewable_share_pct) == (
        Decimal("0.185"),
        pytest.approx(2500),
        pytest.approx(60.5),
    )
    assert zurich.grid_intensity_override == pytest.approx(31)
    assert (frankfurt.power_capacity_kw, frankfurt.grid_intensity_override) == (pytest.approx(12000), None)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            "name;country;power_capacity_kw\nA;DE;1.024\n",
            "'1.024' could be 1024 or 1.024: write 1024 (no thousands separator) or 1,024 (',' marks decimals in "
            "a file whose cells are separated by ';').",
        ),
        (
            'name,country,power_capacity_kw\nA,DE,"1,024"\n',
            "'1,024' could be 1024 or 1.024: write 1024 (no thousands separator) or 1.024 ('.' marks decimals in "
            "a file whose cells are separated by ',').",
        ),
    ],
)
def test_a_number_that_reads_two_ways_is_refused_with_both_readings(organization, content, message):
    assert problems(organization, content, "sites.csv") == [
        {"row": 2, "column": "power_capacity_kw", "message": message}
    ]


def test_a_problem_quotes_the_number_as_the_file_wrote_it(organization):
    found = problems(organization, "name;country;pue\nA;DE;1,35 x\nB;DE;0,5\n", "sites.csv")
    assert [(p["row"], p["message"]) for p in found] == [
        (2, "'1,35 x' is not a number."),
        (3, "Enter a PUE between 1.0 (all power reaches the IT equipment) and 3.0."),
    ]


def test_whole_numbers_in_a_semicolon_file(organization):
    Site.objects.create(organization=organization, name="Frankfurt", country="DE")
    result = run_import(organization, "hostname;site;cpu_cores;ram_gb\nn1;Frankfurt;1.024;2.048\n", "servers.csv")
    assert [(e.column, e.code) for e in result.errors] == [("cpu_cores", "ambiguous"), ("ram_gb", "ambiguous")]
    result = run_import(organization, "hostname;site;cpu_cores;ram_gb\nn1;Frankfurt;128;1 024\n", "servers.csv")
    assert result.ok, result.errors_json()


@pytest.mark.parametrize(
    ("text", "decimal_comma", "read"),
    [
        ("1,35", True, "1.35"),
        ("1.35", True, "1.35"),
        ("0.210", True, "0.210"),
        ("1.024,5", True, "1024.5"),
        ("1.024.000", True, "1024000"),
        ("1,024.5", True, "1024.5"),
        ("-1 024,5", True, "-1024.5"),
        ("1.35", False, "1.35"),
        ("1,35", False, "1.35"),
        ("0,210", False, "0.210"),
        ("1,024.5", False, "1024.5"),
        ("1,024,000", False, "1024000"),
        ("1\u00a0024", False, "1024"),
        ("1'024.5", False, "1024.5"),
        ("12 34", False, "12 34"),  # not grouped thousands: left to the reading, which refuses it
        ("1.2.3", False, "1.2.3"),
        ("lots", True, "lots"),
    ],
)
def test_number_text(text, decimal_comma, read):
    assert number_text(text, decimal_comma=decimal_comma) == read


@pytest.mark.parametrize(
    ("header", "column"),
    [
        ("Power (W)", "power_w"),
        ("RAM [GB]", "ram_gb"),
        ("Renewable share (%)", "renewable_share_pct"),
        ("renewable_share_%", "renewable_share_pct"),
        ("Power capacity (kW)", "power_capacity_kw"),
        (" Accelerator-Type ", "accelerator_type"),
    ],
)
def test_a_unit_in_brackets_is_part_of_the_column_name(header, column):
    assert normalize_header(header) == column


def test_a_header_whose_unit_is_not_the_columns_is_unknown(organization):
    Site.objects.create(organization=organization, name="Frankfurt", country="DE")
    found = problems(organization, "hostname,site,Power (kW)\nn1,Frankfurt,10\n", "servers.csv")
    assert [(p["column"], p["message"][:15]) for p in found] == [("power_kw", "unknown column;")]
