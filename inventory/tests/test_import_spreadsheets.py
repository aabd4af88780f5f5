"""Import of the files operators' spreadsheets really save (`data/import/spreadsheets/`, described in its README):
European Excel's `;` CSV with decimal commas and grouped thousands, headers with units in brackets. A number that
could be read two ways is refused with both readings, never guessed."""

from __future__ import annotations

import datetime
import io
import re
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from inventory.importing import normalize_header, workbook_facts
from inventory.importing.cells import number_text
from inventory.models import AcceleratorType, ImportJob, Server, Site

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
    ("text", "decimal_mark", "read"),
    [
        ("1,35", ",", "1.35"),
        ("1.35", ",", "1.35"),
        ("0.210", ",", "0.210"),
        ("1.024,5", ",", "1024.5"),
        ("1.024.000", ",", "1024000"),
        ("1,024.5", ",", "1024.5"),
        ("-1 024,5", ",", "-1024.5"),
        ("1.35", ".", "1.35"),
        ("1,35", ".", "1.35"),
        ("0,210", ".", "0.210"),
        ("1,024.5", ".", "1024.5"),
        ("1,024,000", ".", "1024000"),
        ("1\u00a0024", ".", "1024"),
        ("1'024.5", ".", "1024.5"),
        ("12 34", ".", "12 34"),  # not grouped thousands: left to the reading, which refuses it
        ("1.2.3", ".", "1.2.3"),
        ("1.024.000", ".", "1024000"),
        ("1,024,000", ",", "1024000"),
        ("lots", ",", "lots"),
        ("1,35", None, "1.35"),
        ("1.35", None, "1.35"),
        ("1.024,5", None, "1024.5"),
    ],
)
def test_number_text(text, decimal_mark, read):
    assert number_text(text, decimal_mark=decimal_mark) == read


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


def h100_exists() -> None:
    assert AcceleratorType.objects.filter(model="H100 SXM", organization=None).exists()


def test_an_excel_workbook_is_read_sheet_by_sheet(organization, assessor, api_client_for):
    """Title rows, an empty row, a formula's saved value, percent, currency and date cells, a date serial, numbers
    stored as text, a hidden column, a sheet that is not a kind."""
    h100_exists()
    client = api_client_for(assessor, organization)
    content = (DATA / "inventory-excel.xlsx").read_bytes()
    response = client.post(
        "/api/v1/inventory/import/", {"file": SimpleUploadedFile("inventory-excel.xlsx", content)}, format="multipart"
    )
    assert response.status_code == 202, response.json()
    assert (response.json()["status"], response.json()["file_format"]) == ("done", "xlsx")
    munich = Site.objects.get(organization=organization, name="München")
    assert (munich.pue, munich.renewable_share_pct, munich.electricity_price_per_kwh, munich.power_capacity_kw) == (
        pytest.approx(1.35),
        pytest.approx(45),
        Decimal("0.21"),
        pytest.approx(1024),
    )
    zurich = Site.objects.get(organization=organization, name="Zürich")
    assert (zurich.renewable_share_pct, zurich.electricity_price_per_kwh) == (pytest.approx(60.5), Decimal("0.18"))
    first, second = Server.objects.filter(organization=organization).order_by("hostname")
    assert (first.site, first.purchase_date, first.power_measured, first.cpu_cores, first.purchase_cost) == (
        munich,
        datetime.date(2026, 3, 1),
        True,
        64,
        Decimal("250000"),
    )
    assert (second.site, second.purchase_date, second.accelerator_count) == (zurich, datetime.date(2026, 3, 1), 8)


def test_a_formula_without_its_saved_value_is_refused(organization):
    content = (DATA / "inventory-formula-unsaved.xlsx").read_bytes()
    found = problems(organization, content, "inventory.xlsx")
    assert found == [  # the row's other cells are read: its site is known to the servers naming it
        {
            "row": 4,
            "column": "pue",
            "message": "cell C4 holds the formula '=1.2+0.15' without its value: open the workbook in Excel or "
            "LibreOffice and save it (the values are saved with it), or type the value.",
        }
    ]


def test_a_workbook_problem_names_its_sheet_row_and_column(organization):
    book = Workbook()
    book.active.title = "Servers"
    book.active.append(["hostname", "site", "cpu_cores"])
    book.active.append(["n1", "Atlantis", "lots"])
    buffer = io.BytesIO()
    book.save(buffer)
    result = run_import(organization, buffer.getvalue(), "upload.xlsx")
    assert [(e.section, e.row, e.column, e.message) for e in result.errors] == [
        ("Servers", 2, "cpu_cores", "'lots' is not a whole number."),
        ("Servers", 2, "site", "unknown site 'Atlantis'."),
    ]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("servers.xlsx", b"hostname,site\nn1,Frankfurt\n", "The file cannot be read as an Excel workbook (.xlsx)"),
        ("servers.xls", b"\xd0\xcf\x11\xe0", "Unknown file type '.xls' (an old Excel workbook: save it as .xlsx"),
    ],
)
def test_what_is_not_a_workbook_is_refused_with_what_to_do(organization, name, content, message):
    assert problems(organization, content, name)[0]["message"].startswith(message)


def test_a_large_workbook_is_imported_by_a_worker_from_the_page(client, organization, assessor, settings):
    settings.INVENTORY_IMPORT_ASYNC_ROWS = 10
    Site.objects.create(organization=organization, name="Frankfurt", country="DE")
    book = Workbook()
    book.active.title = "servers"
    book.active.append(["Hostname", "Site", "Status"])
    for n in range(25):
        book.active.append([f"n{n}", "Frankfurt", "Planned"])
    buffer = io.BytesIO()
    book.save(buffer)
    client.force_login(assessor)
    response = client.post(
        reverse("inventory:import"), {"file": SimpleUploadedFile("fleet.xlsx", buffer.getvalue()), "kind": "servers"}
    )
    assert response.status_code == 302, response.context["form"].errors
    job = ImportJob.objects.get()
    assert (job.file_format, job.status, job.total_rows) == ("xlsx", "ready", 25)
    client.post(reverse("inventory:import_confirm", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == "done", job.errors
    assert Server.objects.filter(organization=organization, status="planned").count() == 25


def test_placeholders_in_number_and_date_cells_are_empty(organization):
    Site.objects.create(organization=organization, name="Frankfurt", country="DE")
    content = (
        "hostname,site,power_w,purchase_date,cpu_cores,serial\nn1,Frankfurt,N/A,TBD,-,N/A\nn2,Frankfurt,—,n/a,?,\n"
    )
    result = run_import(organization, content, "servers.csv")
    assert result.ok, result.errors_json()
    n1 = Server.objects.get(hostname="n1")
    assert (n1.power_w, n1.purchase_date, n1.cpu_cores, n1.serial) == (None, None, None, "N/A")  # text stays text


def test_a_required_number_given_as_a_placeholder_is_required(organization):
    Site.objects.create(organization=organization, name="Frankfurt", country="DE")
    found = problems(organization, "site,name,kind,usable_tb\nFrankfurt,lake,nas,N/A\n", "storage.csv")
    assert found == [{"row": 2, "column": "usable_tb", "message": "This field is required."}]


@pytest.mark.parametrize("kind", ["servers.csv", "servers.json"])
def test_a_spreadsheet_error_is_refused_in_any_column(organization, kind):
    Site.objects.create(organization=organization, name="Frankfurt", country="DE")
    content = (
        "hostname,site,serial,power_w\nn1,Frankfurt,#REF!,#DIV/0!\n"
        if kind.endswith("csv")
        else '[{"hostname": "n1", "site": "Frankfurt", "serial": "#REF!", "power_w": "#DIV/0!"}]'
    )
    found = problems(organization, content, kind)
    assert [(p["column"], p["message"]) for p in found] == [
        ("serial", "'#REF!' is a spreadsheet's error (a formula that failed): correct the formula or type the value."),
        (
            "power_w",
            "'#DIV/0!' is a spreadsheet's error (a formula that failed): correct the formula or type the value.",
        ),
    ]


@pytest.mark.parametrize(
    ("written", "hint"),
    [
        ("01/03/2026", "Write 2026-03-01 if it is day/month/year, 2026-01-03 if it is month/day/year."),
        ("3/1/2026", "Write 2026-01-03 if it is day/month/year, 2026-03-01 if it is month/day/year."),
        ("15/03/2026", "Write 2026-03-15."),
        ("03/15/2026", "Write 2026-03-15."),
        ("01.03.2026", "Write 2026-03-01 if it is day/month/year, 2026-01-03 if it is month/day/year."),
        ("2026/03/01", "Write 2026-03-01."),
        ("46082", "If it is a spreadsheet's date number, it is 2026-03-01: write that."),
    ],
)
def test_a_date_in_another_spelling_is_refused_with_what_to_write(organization, written, hint):
    Site.objects.create(organization=organization, name="Frankfurt", country="DE")
    found = problems(organization, f"hostname,site,purchase_date\nn1,Frankfurt,{written}\n", "servers.csv")
    assert found == [
        {"row": 2, "column": "purchase_date", "message": f"{written!r} is not a date (YYYY-MM-DD). {hint}"}
    ]


def test_excels_unicode_text_is_read(organization):
    """UTF-16 with its byte-order mark, tabs between cells, CRLF, saved as .txt."""
    content = (DATA / "sites-excel-unicode-text.txt").read_bytes()
    result = run_import(organization, content, "sites-excel-unicode-text.txt")
    assert (result.ok, result.created) == (True, 2), result.errors_json()
    munich = Site.objects.get(organization=organization, name="München")
    assert (munich.pue, munich.renewable_share_pct) == (pytest.approx(1.35), pytest.approx(45))
    assert Site.objects.get(organization=organization, name="Zürich").renewable_share_pct == 0


def test_tab_separated_utf8(organization):
    result = run_import(organization, "Name\tCountry\tPUE\nLab\tFR\t1.2\n", "sites.tsv")
    assert (result.ok, result.created) == (True, 1), result.errors_json()


def test_a_tab_separated_file_does_not_say_its_decimal_mark(organization):
    found = problems(organization, "name\tcountry\tpower_capacity_kw\tpue\nA\tDE\t1.024\t1,35\n", "sites.txt")
    assert found == [
        {
            "row": 2,
            "column": "power_capacity_kw",
            "message": "'1.024' could be 1024 or 1.024: write 1024 (no thousands separator) or 1.0240 (a fourth "
            "decimal: a tab-separated file does not say which mark is decimal).",
        }
    ]


def test_percentages_where_the_field_is_a_percent_or_a_fraction(organization):
    result = run_import(organization, 'name,country,renewable_share_pct\nA,DE,45%\nB,DE,"60,5 %"\n', "sites.csv")
    assert result.ok, result.errors_json()
    shares = dict(Site.objects.filter(organization=organization).values_list("name", "renewable_share_pct"))
    assert shares == {"A": pytest.approx(45), "B": pytest.approx(60.5)}
    content = "name,kind,model_profile,training_tokens,assumed_mfu,goodput\nw1,training,Llama-3.1-70B,1e12,45%,90 %\n"
    result = run_import(organization, content, "workloads.csv", dry_run=True)
    assert result.ok, result.errors_json()
    values = result.preview[0]["values"]
    assert (values["assumed_mfu"], values["goodput"]) == (pytest.approx(0.45), pytest.approx(0.9))
    found = problems(organization, "name,country,pue\nA,DE,12%\n", "sites.csv")
    assert found[0]["message"] == "'12%' is a percentage: PUE is a number (write it without %)."


def test_german_and_french_true_and_false(organization):
    Site.objects.create(organization=organization, name="Frankfurt", country="DE")
    result = run_import(
        organization, "hostname;site;power_measured\nn1;Frankfurt;WAHR\nn2;Frankfurt;FALSCH\n", "servers.csv"
    )
    assert result.ok, result.errors_json()
    assert dict(Server.objects.values_list("hostname", "power_measured")) == {"n1": True, "n2": False}


@pytest.mark.parametrize("written", ["2026-03-01 00:00:00", "2026-03-01T14:30:00Z", "2026-03-01T23:30:00-05:00"])
def test_a_date_and_time_is_its_date(organization, written):
    Site.objects.create(organization=organization, name="Frankfurt", country="DE")
    result = run_import(organization, f"hostname,site,purchase_date\nn1,Frankfurt,{written}\n", "servers.csv")
    assert result.ok, result.errors_json()
    assert Server.objects.get(hostname="n1").purchase_date == datetime.date(2026, 3, 1)


def test_a_cell_merged_down_holds_its_value_on_each_row(organization):
    Site.objects.create(organization=organization, name="Frankfurt", country="DE")
    content = (DATA / "servers-merged-cells.xlsx").read_bytes()
    result = run_import(organization, content, "servers-merged-cells.xlsx")
    assert (result.ok, result.created) == (True, 4), result.errors_json()
    rows = Server.objects.order_by("hostname").values_list("hostname", "site__name", "vendor", "model")
    assert list(rows) == [
        ("gpu-01", "Frankfurt", "Dell", "XE9680"),
        ("gpu-02", "Frankfurt", "Dell", "XE9680"),
        ("gpu-03", "Frankfurt", "Dell", "XE9680"),
        ("gpu-04", "Frankfurt", "Supermicro", ""),  # merged across columns: the first cell only
    ]


def test_excels_separator_line_names_the_separator(organization):
    content = "\ufeffsep=;\r\nName;Country;PUE\r\nA;DE;1,3\r\nB;FR;x\r\n"
    found = problems(organization, content, "sites.csv")
    assert found == [{"row": 4, "column": "pue", "message": "'x' is not a number."}]  # the lines as an editor counts
    result = run_import(organization, content.replace(";x", ";1,4"), "sites.csv")
    assert (result.ok, result.created) == (True, 2), result.errors_json()


def test_an_empty_column_without_a_header_is_left_out(organization):
    result = run_import(organization, "Name;;Country;PUE\r\nA;;DE;1,3\r\n", "sites.csv")
    assert (result.ok, result.created) == (True, 1), result.errors_json()
    found = problems(organization, "Name;;Country\r\nB;oops;FR\r\n", "sites.csv")
    assert found == [
        {
            "row": 2,
            "column": None,
            "message": "cell 2 of this row has a value ('oops') under no header: name the column or empty it.",
        }
    ]


def test_a_workbook_without_its_dimension_has_its_rows_counted(organization):
    """Some writers leave out the sheet's dimension: its rows are counted (a large workbook goes to a worker)."""
    book = Workbook()
    book.active.title = "servers"
    book.active.append(["hostname", "site"])
    for n in range(3000):
        book.active.append([f"n{n:05}", "Frankfurt"])
    buffer = io.BytesIO()
    book.save(buffer)
    source, out = zipfile.ZipFile(io.BytesIO(buffer.getvalue())), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename.startswith("xl/worksheets/"):
                data = re.sub(rb"<dimension[^>]*/>", b"", data)
            target.writestr(item, data)
    assert workbook_facts(io.BytesIO(buffer.getvalue()), "servers").estimated_rows == 3000
    assert workbook_facts(io.BytesIO(out.getvalue()), "servers").estimated_rows == 3000


def _prefixed(content: bytes) -> bytes:
    """The workbook with its sheets' elements written with a namespace prefix (``<x:row>``), as some writers do."""
    source, out = zipfile.ZipFile(io.BytesIO(content)), io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename.startswith("xl/worksheets/sheet"):
                text = data.decode()
                text = re.sub(r"<(/?)(?![?!])([A-Za-z][\w.-]*)", r"<\1x:\2", text)
                text = text.replace("<x:worksheet xmlns=", "<x:worksheet xmlns:x=", 1)
                data = text.encode()
            target.writestr(item, data)
    return out.getvalue()


@pytest.mark.parametrize(
    "name", ["servers-merged-cells.xlsx", "inventory-formula-unsaved.xlsx", "inventory-excel.xlsx"]
)
@pytest.mark.parametrize("prefixed", [False, True])
@pytest.mark.parametrize("chunk", [7, 64, 1 << 20])
def test_the_byte_scan_of_a_sheet_finds_what_an_xml_parser_finds(monkeypatch, name, prefixed, chunk):
    """Rows, formulas and cells merged down, found by searching the sheet's bytes, whatever the chunk edges cut
    and whatever namespace prefix the writer used, are those defusedxml's parser finds."""
    from inventory.importing import workbooks

    monkeypatch.setattr(workbooks, "_SCAN_CHUNK", chunk)
    content = (DATA / name).read_bytes()
    workbook = workbooks._open(io.BytesIO(_prefixed(content) if prefixed else content))
    try:
        for sheet in workbook.worksheets:
            assert workbooks._scan(sheet) == workbooks._scan_parsed(sheet), sheet.title
        scans = [workbooks._scan(sheet) for sheet in workbook.worksheets]
    finally:
        workbook.close()
    assert sum(scan.rows for scan in scans) > 1
    assert any(scan.has_formulas for scan in scans) == (name != "servers-merged-cells.xlsx")
    assert any(scan.merged_down for scan in scans) == (name == "servers-merged-cells.xlsx")


def test_a_workbook_without_formulas_is_read_once(organization, monkeypatch):
    """Its formulas are read (a second pass over each sheet) only where a sheet holds one."""
    from inventory.importing import workbooks

    opened: list[bool] = []
    real_open = workbooks._open

    def counting_open(handle, *, formulas=False):
        opened.append(formulas)
        return real_open(handle, formulas=formulas)

    monkeypatch.setattr(workbooks, "_open", counting_open)
    Site.objects.create(organization=organization, name="Frankfurt", country="DE")
    result = run_import(organization, (DATA / "servers-merged-cells.xlsx").read_bytes(), "servers-merged-cells.xlsx")
    assert (result.ok, result.created) == (True, 4), result.errors_json()
    assert opened
    assert True not in opened
    opened.clear()
    run_import(organization, (DATA / "inventory-formula-unsaved.xlsx").read_bytes(), "inventory-formula-unsaved.xlsx")
    assert opened.count(True) == 1, opened
