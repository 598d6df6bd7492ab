"""The periodic report as files for the Sở Nội vụ: CSV, and an .xlsx with a chart."""
from __future__ import annotations

import csv
import io

REPORT_COLUMNS = ["agency", "name", "issued_in_period", "issued_year_to_period_end", "baseline", "target_max",
                  "remaining", "projected", "on_track"]


def report_csv(report: dict) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=REPORT_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in report["rows"]:
        writer.writerow(row)
    return out.getvalue()


def report_xlsx(report: dict) -> bytes:
    """Sheet "Cơ quan": one row per agency; sheet "Theo tháng": issued vs target by month, with a chart."""
    from openpyxl import Workbook
    from openpyxl.chart import BarChart, Reference
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = "Cơ quan"
    sheet.append([f"Báo cáo ban hành văn bản {report['period']} ({report['from']} – {report['to']})"])
    sheet["A1"].font = Font(bold=True)
    headers = ["Mã cơ quan", "Tên cơ quan", "Ban hành trong kỳ", "Lũy kế năm", "Năm trước (gốc)",
               "Tối đa (giảm 15%)", "Còn lại", "Dự báo cả năm", "Đạt mục tiêu"]
    sheet.append(headers)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for row in report["rows"]:
        # Names stored before names were checked may hold control characters, which .xlsx cannot.
        values = [ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v for v in (row[c] for c in REPORT_COLUMNS)]
        values[-1] = {True: "Có", False: "Không", None: ""}[row["on_track"]]
        sheet.append(values)
    months = book.create_sheet("Theo tháng")
    months.append(["Tháng", "Đã ban hành", "Mục tiêu tháng"])
    for row in report["by_month"]:
        months.append([row["month"], row["issued"], row["target"]])
    chart = BarChart()
    chart.title = "Văn bản ban hành so với mục tiêu, theo tháng"
    chart.add_data(Reference(months, min_col=2, max_col=3, min_row=1, max_row=len(report["by_month"]) + 1),
                   titles_from_data=True)
    chart.set_categories(Reference(months, min_col=1, min_row=2, max_row=len(report["by_month"]) + 1))
    months.add_chart(chart, "E2")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
