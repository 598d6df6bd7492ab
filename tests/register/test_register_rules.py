"""The register's figures say nothing they cannot know: a province total without baselines
has no target; a merge candidate is dated by the day it was issued."""
from __future__ import annotations

from datetime import date

from tests.conftest import shared
from tests.gateway.test_register_api import wait_report
from tests.gateway.test_report_api import api  # noqa: F401 (fixture)
from tests.gateway.test_api import upload, wait_done
from tests.reissues import SEED, write_drafts


def _issued_draft(api, path, number: str, day: str) -> int:
    body = wait_done(api, upload(api, "drafter", path).headers["Location"], "drafter")
    wait_report(api, body["id"])
    issued = api.post(f"/api/v1/drafts/{body['id']}/issue", headers=api.keys["drafter"],
                      json={"number": number, "date": day, "symbol": "KH-UBND", "doc_type": "Kế hoạch"})
    assert issued.status_code == 201, issued.text
    return body["id"]


def test_a_province_without_baselines_has_no_target_and_is_not_called_on_track(api):
    _issued_draft(api, shared("seeds", SEED), "7", "2026-03-05")
    province = api.get("/api/v1/quota", params={"year": 2026, "as_of": "2026-06-30"},
                       headers=api.keys["admin"]).json()["province"]
    assert province["issued"] == 1 and province["issued_with_baseline"] == 0
    assert (province["target_max"], province["remaining"], province["on_track"]) == (None, None, None)
    assert sorted(province["agencies_without_baseline"]) == ["UBND-LS", "UBND-QN"]

    assert api.put("/api/v1/agencies/UBND-QN/baseline/2025", json={"count": 20},
                   headers=api.keys["admin"]).status_code == 200
    province = api.get("/api/v1/quota", params={"year": 2026, "as_of": "2026-06-30"},
                       headers=api.keys["admin"]).json()["province"]
    assert (province["target_max"], province["issued_with_baseline"], province["remaining"]) == (17, 1, 16)
    assert province["on_track"] is True and province["agencies_without_baseline"] == ["UBND-LS"]


def test_a_merge_candidate_is_dated_by_the_day_it_was_issued(api, tmp_path):
    day = date(2026, 1, 5)  # the re-issue is dated 12/01/2026: within the merge window
    issued = _issued_draft(api, shared("seeds", SEED), "7", day.isoformat())
    # A commune's re-issue of the same plan by the same agency: the issued plan is its candidate.
    reissue = write_drafts(tmp_path)[1]  # [0] is the seed itself
    draft = wait_done(api, upload(api, "drafter", reissue).headers["Location"], "drafter")
    report = wait_report(api, draft["id"])
    [candidate] = [c for c in report["merge_candidates"] if c["document"]["id"] == issued]
    assert candidate["document"]["date"] == day.isoformat() and day.strftime("%d/%m/%Y") in candidate["suggestion"]
