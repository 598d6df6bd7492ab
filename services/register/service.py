"""The register's rules: the one way a document enters it (issuing a draft, importing an
archive, the archive scan), and the figures read from it: an agency's quota for a year,
the province's, and the periodic report for the Sở Nội vụ."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from services.agencies import repository as agencies_repo
from services.agencies import service as agencies_service
from services.analyzer.quota import CountingRules, Entry, YearQuota, exclusion, year_quota
from services.common.errors import Forbidden, InvalidInput, NotFound
from services.common.models import Agency, ApiKey, Issuance, Role, Scan
from services.common.repositories import scans as scans_repo
from services.documents.repository import agency_visible_to
from services.register import merging
from services.register import repository as issuances_repo

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
_PERIOD = re.compile(r"^(\d{4})(?:-(Q[1-4]|H[12]))?$")


def today() -> date:
    """Today in Việt Nam: the year a document counts in is the local one."""
    return datetime.now(TZ).date()


FIRST_YEAR, LAST_YEAR = 2000, 2100  # the years the register and its figures accept
SOURCES = ("draft", "import", "scan")


def check_issue_date(day: date, *, now: date | None = None) -> date:
    """`day` if a document can have been issued on it: not before 2000, not after today."""
    now = now or today()
    if day > now:
        raise InvalidInput(f"the issue date {day.isoformat()} is in the future (today is {now.isoformat()})",
                           title="Invalid issue date")
    if day.year < FIRST_YEAR:
        raise InvalidInput(f"the issue date {day.isoformat()} is before {FIRST_YEAR}", title="Invalid issue date")
    return day


def is_registered(*, db: Session, agency: Agency, reference: str, issued_on: date) -> bool:
    """Whether the agency's document `reference` of `issued_on` is in the register."""
    return issuances_repo.find(db=db, agency_id=agency.id, reference=reference,
                               issued_on=issued_on.isoformat()) is not None


def enter(*, db: Session, agency: Agency, reference: str, doc_type: str | None, issued_on: date,
          subject: str | None, source: str, document_id: int | None = None,
          withdrawn: bool = False) -> tuple[Issuance, bool]:
    """The one way into the register: the entry of the agency's document `reference` of
    `issued_on`, and whether it is new (an entry with the same agency, reference and date
    is the same document, registered already)."""
    assert source in SOURCES
    check_issue_date(issued_on)
    existing = issuances_repo.find(db=db, agency_id=agency.id, reference=reference, issued_on=issued_on.isoformat())
    if existing is not None:
        return existing, False
    entry = issuances_repo.add(db=db, agency_id=agency.id, reference=reference, doc_type=doc_type,
                               issued_on=issued_on.isoformat(), subject=subject, withdrawn=withdrawn, source=source,
                               document_id=document_id)
    return entry, True


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
    """Every agency's quota and the province total. Agencies without a baseline are listed
    but have no target, so the province's target, what remains of it and whether it is on
    track count the agencies with a baseline only (none when no agency has one)."""
    agencies = []
    counted = []
    without = []
    issued = projected = 0
    for agency in agencies_repo.list_all(db=db):
        quota = agency_quota(db=db, agency=agency, year=year, as_of=as_of)
        agencies.append({"agency": agency.code, "name": agency.name, **quota.to_json()})
        issued += quota.issued
        projected += quota.projected or 0
        if quota.baseline is None:
            without.append(agency.code)
        else:
            counted.append(quota)
    target = sum(q.target_max for q in counted) if counted else None
    issued_counted = sum(q.issued for q in counted)
    total = {"baseline": sum(q.baseline for q in counted) if counted else None, "target_max": target,
             "issued": issued, "issued_with_baseline": issued_counted, "projected": projected,
             "remaining": None if target is None else target - issued_counted,
             "on_track": None if not counted else all(q.on_track is not False for q in counted),
             "agencies_without_baseline": without}
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
        if not match or not FIRST_YEAR <= int(match.group(1)) <= LAST_YEAR:
            raise InvalidInput(f"period {text!r}: give YYYY, YYYY-Q1..Q4 or YYYY-H1/H2 (e.g. 2026-Q2), "
                               f"a year from {FIRST_YEAR} to {LAST_YEAR}", title="Invalid period")
        year, part = int(match.group(1)), match.group(2)
        first, last = {None: (1, 12), "Q1": (1, 3), "Q2": (4, 6), "Q3": (7, 9), "Q4": (10, 12),
                       "H1": (1, 6), "H2": (7, 12)}[part]
        end_day = date(year + (last == 12), 1 if last == 12 else last + 1, 1).toordinal() - 1
        return cls(label=text, start=date(year, first, 1), end=date.fromordinal(end_day))


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


def visible_agency(*, db: Session, key: ApiKey, code: str) -> Agency:
    """The agency, if `key` may see its figures (a drafter: its own); NotFound otherwise."""
    agency = agencies_service.get_agency(db=db, code=code)
    if not agency_visible_to(key, agency):
        raise NotFound(f"no agency {code!r}")
    return agency


def set_baseline(*, db: Session, code: str, year: int, count: int) -> None:
    """Enter the agency's count of `year`."""
    issuances_repo.set_baseline(db=db, agency_id=agencies_service.get_agency(db=db, code=code).id, year=year,
                                count=count)


def quota(*, db: Session, key: ApiKey, year: int | None, agency: str | None, as_of: date | None) -> dict:
    """One agency's quota figures, or (not for drafters) every agency's and the province's."""
    as_of = as_of or today()
    year = year or as_of.year
    if agency is None:
        if key.role == Role.drafter:
            raise Forbidden("a drafter sees its own agency's quota: give agency")
        return province_quota(db=db, year=year, as_of=as_of)
    found = visible_agency(db=db, key=key, code=agency)
    return {"agency": found.code, "name": found.name,
            **agency_quota(db=db, agency=found, year=year, as_of=as_of).to_json()}


def merge_clusters(*, db: Session, key: ApiKey, agency: str | None, start: date | None, end: date | None,
                   window_days: int) -> dict:
    """Merge clusters of one agency, or (not for drafters) of every agency."""
    if start and end and start > end:
        raise InvalidInput("'from' is after 'to'", title="Invalid range")
    if agency is None:
        if key.role == Role.drafter:
            raise Forbidden("a drafter sees its own agency's candidates: give agency")
        agencies = agencies_repo.list_all(db=db)
    else:
        agencies = [visible_agency(db=db, key=key, code=agency)]
    clusters = [c for a in agencies for c in merging.for_agency(db=db, agency=a, start=start, end=end,
                                                                 window_days=window_days)]
    return {"from": start, "to": end, "window_days": window_days, "clusters": clusters}


def scan_records(*, db: Session, limit: int = 20) -> list[Scan]:
    """The latest archive scans: what each saw, imported, found and failed on."""
    return scans_repo.recent(db=db, limit=limit)
