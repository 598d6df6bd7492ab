"""The 15% issuance quota (Kết luận 226-KL/TW): which register entries count, and an
agency's year: baseline, target, issued to date, by type and month, projection.

Pure arithmetic over register entries; the gateway and the periodic report feed it.
"""
from __future__ import annotations

import calendar
import unicodedata
from dataclasses import dataclass, field
from datetime import date

from services.ingest import references

CUT = 15  # per cent a year
# Văn bản hành chính (Nghị định 30/2020, Phụ lục III) and the Party's own types; a Party
# "Lời kêu gọi" counts too, though it is never cited as a type.
ADMINISTRATIVE_TYPES = frozenset(unicodedata.normalize("NFC", t).lower()
                                 for t in references.ADMINISTRATIVE_TYPES + references.PARTY_TYPES + ("Lời kêu gọi",))
COPY_CODES = frozenset({"SY", "TrS", "SL"})  # bản sao y, trích sao, sao lục


@dataclass(frozen=True)
class CountingRules:
    types: frozenset[str] = ADMINISTRATIVE_TYPES
    copy_codes: frozenset[str] = COPY_CODES
    cut_percent: int = CUT


@dataclass(frozen=True)
class Entry:
    reference: str
    doc_type: str | None
    issued_on: date
    withdrawn: bool = False


def exclusion(entry: Entry, rules: CountingRules = CountingRules()) -> str | None:
    """Why `entry` is not counted, or None when it counts."""
    if entry.withdrawn:
        return "withdrawn"
    reference = references.first_reference(entry.reference)
    if reference and reference.year:  # 16/2026/QĐ-UBND: a year segment
        return "legal_normative"
    if reference and reference.type_code in rules.copy_codes:
        return "copy"
    kind = unicodedata.normalize("NFC", entry.doc_type or "").strip().lower()
    if kind.startswith("bản sao") or kind.startswith("bản trích sao"):
        return "copy"
    if kind not in rules.types:
        return "not_administrative" if kind else "no_type"
    return None


@dataclass
class YearQuota:
    year: int
    as_of: date
    baseline: int | None
    baseline_source: str | None  # "register", "entered" or None
    issued: int = 0
    by_type: dict[str, int] = field(default_factory=dict)
    by_month: dict[str, int] = field(default_factory=dict)
    excluded: dict[str, int] = field(default_factory=dict)
    projected_pro_rata: int | None = None
    projected_by_profile: int | None = None
    cut_percent: int = CUT

    @property
    def target_max(self) -> int | None:
        # Integer arithmetic: floor(baseline × 0.85) without a float rounding 0.85 × 100 down to 84.
        return None if self.baseline is None else self.baseline * (100 - self.cut_percent) // 100

    @property
    def projected(self) -> int | None:
        return self.projected_by_profile if self.projected_by_profile is not None else self.projected_pro_rata

    @property
    def remaining(self) -> int | None:
        return None if self.target_max is None else self.target_max - self.issued

    @property
    def on_track(self) -> bool | None:
        if self.target_max is None:
            return None
        return self.issued <= self.target_max and (self.projected or 0) <= self.target_max

    def to_json(self) -> dict:
        return {
            "year": self.year, "as_of": self.as_of.isoformat(), "baseline": self.baseline,
            "baseline_source": self.baseline_source, "target_max": self.target_max, "issued": self.issued,
            "by_type": self.by_type, "by_month": self.by_month, "excluded": self.excluded,
            "projected": self.projected,
            "projection": {"pro_rata": self.projected_pro_rata, "by_last_year_profile": self.projected_by_profile},
            "remaining": self.remaining, "on_track": self.on_track,
        }


def counted(entries: list[Entry], rules: CountingRules = CountingRules()) -> list[Entry]:
    return [e for e in entries if exclusion(e, rules) is None]


def year_quota(*, year: int, as_of: date, this_year: list[Entry], last_year: list[Entry],
               entered_baseline: int | None, rules: CountingRules = CountingRules()) -> YearQuota:
    """The quota of one agency for `year`, counting entries issued up to `as_of`.

    The baseline is last year's count from the register when the register holds last year,
    else the figure entered for the agency (None when neither is known)."""
    as_of = min(as_of, date(year, 12, 31))
    last_counted = counted(last_year, rules)
    if last_year:
        baseline, source = len(last_counted), "register"
    elif entered_baseline is not None:
        baseline, source = entered_baseline, "entered"
    else:
        baseline, source = None, None
    quota = YearQuota(year=year, as_of=as_of, baseline=baseline, baseline_source=source, cut_percent=rules.cut_percent)
    quota.by_month = {f"{m:02d}": 0 for m in range(1, 13)}
    for entry in this_year:
        if entry.issued_on.year != year or entry.issued_on > as_of:
            continue
        reason = exclusion(entry, rules)
        if reason:
            quota.excluded[reason] = quota.excluded.get(reason, 0) + 1
            continue
        quota.issued += 1
        kind = (entry.doc_type or "").strip()
        quota.by_type[kind] = quota.by_type.get(kind, 0) + 1
        quota.by_month[f"{entry.issued_on.month:02d}"] += 1
    days_in_year = 366 if calendar.isleap(year) else 365
    elapsed = as_of.timetuple().tm_yday
    if as_of >= date(year, 12, 31):
        quota.projected_pro_rata = quota.issued
    elif elapsed > 0 and as_of.year == year:
        quota.projected_pro_rata = round(quota.issued * days_in_year / elapsed)
    if last_counted:
        # Last year's share issued by the same day of the year: this year should follow its profile.
        same_day = sum(1 for e in last_counted if (e.issued_on.month, e.issued_on.day) <= (as_of.month, as_of.day))
        if same_day:
            quota.projected_by_profile = round(quota.issued * len(last_counted) / same_day)
    return quota
