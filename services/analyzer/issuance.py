"""Issuance figures from the store: an agency's quota for a year, the province's, and the
periodic report for the Sở Nội vụ (JSON rows, CSV, and an .xlsx with a chart)."""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from services.analyzer.quota import CountingRules, Entry, YearQuota, exclusion, year_quota
from services.common.errors import DraftctlError
from services.common.models import Agency, Issuance
from services.common.repositories import agencies as agencies_repo
from services.common.repositories import issuances as issuances_repo

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
_PERIOD = re.compile(r"^(\d{4})(?:-(Q[1-4]|H[12]))?$")


def today() -> date:
    """Today in Việt Nam: the year a document counts in is the local one."""
    return datetime.now(TZ).date()


def _entry(row: Issuance) -> Entry:
    return Entry(reference=row.reference, doc_type=row.doc_type, issued_on=date.fromisoformat(row.issued_on),
                 withdrawn=row.withdrawn)


def agency_quota(*, db: Session, agency: Agency, year: int, as_of: date,
                 rules: CountingRules = CountingRules()) -> YearQuota:
    this_year = [_entry(r) for r in issuances_repo.in_range(db=db, start=f"{year}-01-01", end=f"{year}-12-31",
                                                             agency_id=agency.id)]
    last_year = [_entry(r) for r in issuances_repo.in_range(db=db, start=f"{year - 1}-01-01",
                                                             end=f"{year - 1}-12-31", agency_id=agency.id)]
    return year_quota(year=year, as_of=as_of, this_year=this_year, last_year=last_year,
                      entered_baseline=issuances_repo.baseline(db=db, agency_id=agency.id, year=year - 1),
                      rules=rules)


def issue_effect(*, db: Session, agency: Agency) -> dict:
    """What issuing one more document would do to the agency's quota this year."""
    quota = agency_quota(db=db, agency=agency, year=today().year, as_of=today())
    after = quota.issued + 1
    return {"agency": agency.code, "year": quota.year, "issued": quota.issued, "target_max": quota.target_max,
            "issued_after": after, "over_target_after": None if quota.target_max is None else after > quota.target_max}


def province_quota(*, db: Session, year: int, as_of: date) -> dict:
    """Every agency's quota and the province total (agencies without a baseline are listed
    but left out of the total target)."""
    agencies = []
    total = {"baseline": 0, "target_max": 0, "issued": 0, "projected": 0, "agencies_without_baseline": []}
    for agency in agencies_repo.list_all(db=db):
        quota = agency_quota(db=db, agency=agency, year=year, as_of=as_of)
        agencies.append({"agency": agency.code, "name": agency.name, **quota.to_json()})
        total["issued"] += quota.issued
        total["projected"] += quota.projected or 0
        if quota.baseline is None:
            total["agencies_without_baseline"].append(agency.code)
        else:
            total["baseline"] += quota.baseline
            total["target_max"] += quota.target_max
    total["remaining"] = total["target_max"] - total["issued"]
    total["on_track"] = all(a["on_track"] is not False for a in agencies)
    return {"year": year, "as_of": min(as_of, date(year, 12, 31)).isoformat(), "agencies": agencies,
            "province": total}


@dataclass(frozen=True)
class Period:
    label: str
    start: date
    end: date

    @classmethod
    def parse(cls, text: str) -> "Period":
        match = _PERIOD.match(text or "")
        if not match:
            raise DraftctlError(f"period {text!r}: give YYYY, YYYY-Q1..Q4 or YYYY-H1/H2 (e.g. 2026-Q2)",
                                status=422, title="Invalid period")
        year, part = int(match.group(1)), match.group(2)
        first, last = {None: (1, 12), "Q1": (1, 3), "Q2": (4, 6), "Q3": (7, 9), "Q4": (10, 12),
                       "H1": (1, 6), "H2": (7, 12)}[part]
        end_day = date(year + (last == 12), 1 if last == 12 else last + 1, 1).toordinal() - 1
        return cls(label=text, start=date(year, first, 1), end=date.fromordinal(end_day))


REPORT_COLUMNS = ["agency", "name", "issued_in_period", "issued_year_to_period_end", "baseline", "target_max",
                  "remaining", "projected", "on_track"]


def period_report(*, db: Session, period: Period) -> dict:
    """One row per agency for the period, plus the province's issued and target by month."""
    rows, months_issued = [], {m: 0 for m in range(period.start.month, period.end.month + 1)}
    year = period.start.year
    for agency in agencies_repo.list_all(db=db):
        quota = agency_quota(db=db, agency=agency, year=year, as_of=period.end)
        in_period = [r for r in issuances_repo.in_range(db=db, start=period.start.isoformat(),
                                                        end=period.end.isoformat(), agency_id=agency.id)
                     if exclusion(_entry(r)) is None]
        for r in in_period:
            months_issued[int(r.issued_on[5:7])] += 1
        rows.append({"agency": agency.code, "name": agency.name, "issued_in_period": len(in_period),
                     "issued_year_to_period_end": quota.issued, "baseline": quota.baseline,
                     "target_max": quota.target_max, "remaining": quota.remaining, "projected": quota.projected,
                     "on_track": quota.on_track})
    target_year = sum(r["target_max"] or 0 for r in rows)
    by_month = [{"month": f"{year}-{m:02d}", "issued": n, "target": round(target_year / 12, 1)}
                for m, n in months_issued.items()]
    return {"period": period.label, "from": period.start.isoformat(), "to": period.end.isoformat(),
            "rows": rows, "by_month": by_month,
            "province": {"issued_in_period": sum(r["issued_in_period"] for r in rows), "target_max": target_year}}


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
        values = [row[c] for c in REPORT_COLUMNS]
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
