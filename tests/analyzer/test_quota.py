"""Quota arithmetic: what counts, baselines from the register or entered, rounding, projection."""
from __future__ import annotations

from datetime import date

from services.analyzer.quota import Entry, exclusion, year_quota


def e(reference: str, doc_type: str | None, day: str, withdrawn: bool = False) -> Entry:
    return Entry(reference=reference, doc_type=doc_type, issued_on=date.fromisoformat(day), withdrawn=withdrawn)


def test_administrative_documents_count_and_the_rest_say_why_not():
    assert exclusion(e("512/UBND-TH", "Công văn", "2026-03-02")) is None
    assert exclusion(e("45-KH/TU", "Kế hoạch", "2026-03-02")) is None  # Party documents count too
    assert exclusion(e("16/2026/QĐ-UBND", "Quyết định", "2026-03-02")) == "legal_normative"
    assert exclusion(e("03/SY-UBND", "Công văn", "2026-03-02")) == "copy"
    assert exclusion(e("07/TrS-VP", "Quyết định", "2026-03-02")) == "copy"
    assert exclusion(e("12/SL-UBND", "Bản sao lục", "2026-03-02")) == "copy"
    assert exclusion(e("9/UBND-TH", "Công văn", "2026-03-02", withdrawn=True)) == "withdrawn"
    assert exclusion(e("9/XYZ", "Luật", "2026-03-02")) == "not_administrative"


def test_baseline_from_the_register_wins_and_the_target_is_rounded_down():
    last = [e(f"{i}/UBND-TH", "Công văn", "2025-06-01") for i in range(1, 108)]  # 107 counted
    last.append(e("1/2025/QĐ-UBND", "Quyết định", "2025-06-01"))  # not counted in the baseline
    quota = year_quota(year=2026, as_of=date(2026, 12, 31), this_year=[], last_year=last, entered_baseline=500)
    assert (quota.baseline, quota.baseline_source) == (107, "register")
    assert quota.target_max == 90  # 107 × 0.85 = 90.95


def test_entered_baseline_is_used_when_the_register_lacks_last_year():
    quota = year_quota(year=2026, as_of=date(2026, 6, 30), this_year=[], last_year=[], entered_baseline=20)
    assert (quota.baseline, quota.baseline_source, quota.target_max) == (20, "entered", 17)
    assert year_quota(year=2026, as_of=date(2026, 6, 30), this_year=[], last_year=[],
                      entered_baseline=None).to_json()["target_max"] is None


def test_issued_to_date_by_type_and_month_with_pro_rata_and_profile_projections():
    this_year = [e(f"{i}/UBND-TH", "Công văn", "2026-01-15") for i in range(10)]
    this_year += [e(f"{i}/KH-UBND", "Kế hoạch", "2026-02-10") for i in range(5)]
    this_year += [e("2/2026/QĐ-UBND", "Quyết định", "2026-02-11"), e("99/UBND-TH", "Công văn", "2026-04-01")]
    # Last year: 30 by the end of February, 90 after: a back-loaded profile (a quarter by 28 Feb).
    last_year = [e(f"{i}/UBND-TH", "Công văn", "2025-02-01") for i in range(30)]
    last_year += [e(f"{i}/UBND-VX", "Công văn", "2025-10-01") for i in range(90)]
    quota = year_quota(year=2026, as_of=date(2026, 2, 28), this_year=this_year, last_year=last_year,
                       entered_baseline=None)
    assert quota.issued == 15  # the April letter is after as_of, the QPPL is excluded
    assert quota.by_type == {"Công văn": 10, "Kế hoạch": 5}
    assert (quota.by_month["01"], quota.by_month["02"], quota.by_month["04"]) == (10, 5, 0)
    assert quota.excluded == {"legal_normative": 1}
    assert quota.projected_pro_rata == round(15 * 365 / 59)  # 93
    assert quota.projected_by_profile == 60  # 15 / (30 / 120)
    assert quota.projected == 60 and quota.target_max == 102 and quota.remaining == 87 and quota.on_track is True


def test_a_past_year_projects_what_it_issued_and_is_off_track_above_the_target():
    this_year = [e(f"{i}/UBND-TH", "Công văn", "2025-05-05") for i in range(10)]
    quota = year_quota(year=2025, as_of=date(2026, 3, 1), this_year=this_year, last_year=[], entered_baseline=10)
    assert quota.as_of == date(2025, 12, 31) and quota.projected == 10
    assert quota.target_max == 8 and quota.remaining == -2 and quota.on_track is False
