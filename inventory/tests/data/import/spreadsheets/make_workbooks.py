"""Writes the workbooks of this folder (python make_workbooks.py): openpyxl writes formulas without their value,
as a program does; a spreadsheet saves the value it computed beside the formula (`<v>`), added here by hand."""

import datetime
import io
import re
import zipfile
from pathlib import Path

from openpyxl import Workbook

HERE = Path(__file__).parent


def workbook() -> Workbook:
    book = Workbook()
    sites = book.active
    sites.title = "Sites"
    sites.append(["Acme AI inventory, exported 2026-03-01"])  # a title row, then an empty row, above the header
    sites.append([])
    sites.append(["Name", "Country", "PUE", "Renewable share (%)", "Electricity price per kWh", "Power capacity (kW)"])
    sites.append(["München", "DE", "=1.2+0.15", 0.45, 0.21, "1 024"])
    sites["D4"].number_format = "0%"  # 45 % is stored as 0.45
    sites["E4"].number_format = '#,##0.00 "€"'  # a currency cell
    sites.append([])  # an empty row in the middle
    sites.append(["Zürich", "CH", 1.2, 0.605, "0.18", 2500])  # a number stored as text
    sites["D6"].number_format = "0.0%"
    sites.column_dimensions["E"].hidden = True
    servers = book.create_sheet("servers")
    servers.append(
        [
            "Hostname",
            "Site",
            "Purchase date",
            "Power measured",
            "CPU cores",
            "Accelerator type",
            "Accelerator count",
            "Purchase cost",
        ]
    )
    servers.append(["gpu-01", "München", datetime.date(2026, 3, 1), True, "64", "H100 SXM", 8, 250000])
    servers.append(["gpu-02", "Zürich", 46082, "yes", 64.0, "H100 SXM", 8, None])  # a date as an Excel serial
    servers["H2"].number_format = '"$"#,##0.00'
    notes = book.create_sheet("Notes")  # not a kind: left alone
    notes.append(["Ask Jo before changing the PUE figures"])
    return book


def with_saved_values(content: bytes, values: dict[str, str]) -> bytes:
    """The workbook as a spreadsheet saves it: each formula cell's value beside it."""
    source, out = zipfile.ZipFile(io.BytesIO(content)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                text = data.decode()
                for cell, value in values.items():
                    text = re.sub(
                        rf'(<c r="{cell}"[^>]*>)(<f>[^<]*</f>)(<v\s*/>|<v></v>)?', rf"\1\2<v>{value}</v>", text
                    )
                data = text.encode()
            target.writestr(item, data)
    return out.getvalue()


def merged() -> Workbook:
    """A site written once for its servers (B2:B5 merged, row 5 otherwise empty) and a vendor merged across two
    columns (C6:D6: only its first cell holds the value)."""
    book = Workbook()
    sheet = book.active
    sheet.title = "servers"
    sheet.append(["hostname", "site", "vendor", "model"])
    sheet.append(["gpu-01", "Frankfurt", "Dell", "XE9680"])
    sheet.append(["gpu-02", None, "Dell", "XE9680"])
    sheet.append(["gpu-03", None, "Dell", "XE9680"])
    sheet.append([])
    sheet.append(["gpu-04", "Frankfurt", "Supermicro", None])
    sheet.merge_cells("B2:B5")
    sheet.merge_cells("C6:D6")
    return book


if __name__ == "__main__":
    buffer = io.BytesIO()
    workbook().save(buffer)
    (HERE / "inventory-excel.xlsx").write_bytes(with_saved_values(buffer.getvalue(), {"C4": "1.35"}))
    (HERE / "inventory-formula-unsaved.xlsx").write_bytes(buffer.getvalue())
    merged().save(HERE / "servers-merged-cells.xlsx")
