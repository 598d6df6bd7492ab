"""The review queue through the API: submit → queue → return → revise and resubmit →
approve → issue, with the audit trail; roles enforced with problem+json."""
from __future__ import annotations

import pytest

from services.agencies import service as keys
from services.common.db import unit_of_work
from services.agencies.service import ensure_agency
from services.common.models import AgencyLevel, Role
from tests.conftest import shared
from tests.gateway.test_api import PROBLEM, api, settings, upload, wait_done  # noqa: F401 (fixtures)
from tests.gateway.test_register_api import wait_report


@pytest.fixture
def review_api(api):  # noqa: F811
    with unit_of_work(api.app.state.factory) as db:
        api.keys["reviewer2"] = {"Authorization": f"Bearer {keys.create_key(db=db, role=Role.reviewer, agency_code=None, name='Sở Tư pháp – chuyên viên B')[1]}"}
    return api


def _draft(api, who: str, path, **fields) -> int:
    response = upload(api, who, path, **fields)
    assert response.status_code in (200, 202), response.text
    body = wait_done(api, response.headers["Location"], who, timeout=120)
    assert body["status"] == "parsed"
    return body["id"]


def test_submit_return_resubmit_approve_issue_with_the_audit_trail(review_api):
    api = review_api
    seeds = sorted(shared("seeds").glob("*.txt"))
    first = _draft(api, "lang_son", seeds[0])
    assert api.post(f"/api/v1/drafts/{first}/submit", headers=api.keys["dong_thap"]).status_code == 404
    assert api.post(f"/api/v1/drafts/{first}/submit", headers=api.keys["lang_son"]).json()["action"] == "submit"
    assert api.post(f"/api/v1/drafts/{first}/submit", headers=api.keys["lang_son"]).status_code == 409

    queue = api.get("/api/v1/review/queue", headers=api.keys["reviewer"]).json()
    assert [i["draft_id"] for i in queue["items"]] == [first] and queue["items"][0]["agency"] == "UBND-LS"
    assert api.get("/api/v1/review/queue", headers=api.keys["lang_son"]).status_code == 403
    assert api.get("/api/v1/review/queue", params={"agency": "UBND-DT"}, headers=api.keys["reviewer"]).json()["total"] == 0

    # Drafters do not decide; a return needs a reason.
    decision = {"decision": "return", "reasons": [{"code": "copies_higher_level", "detail": "mục II chép KL 226"}],
                "comment": "Đề nghị bỏ các đoạn sao chép Kết luận 226-KL/TW."}
    assert api.post(f"/api/v1/review/{first}/decision", json=decision, headers=api.keys["lang_son"]).status_code == 403
    no_reason = api.post(f"/api/v1/review/{first}/decision", json={"decision": "return"}, headers=api.keys["reviewer"])
    assert no_reason.status_code == 422 and no_reason.headers["content-type"] == PROBLEM
    returned = api.post(f"/api/v1/review/{first}/decision", json=decision, headers=api.keys["reviewer"])
    assert returned.status_code == 200 and returned.json()["review_state"] == "returned"
    seen = api.get(f"/api/v1/drafts/{first}", headers=api.keys["lang_son"]).json()["review"]
    assert seen["state"] == "returned" and seen["decision"]["reasons"][0]["code"] == "copies_higher_level"
    assert api.post(f"/api/v1/drafts/{first}/submit", headers=api.keys["lang_son"]).status_code == 409
    assert api.post("/api/v1/drafts/{0}/issue".format(first), json={"number": "5", "date": "2026-11-20",
                    "symbol": "KH-UBND", "doc_type": "Kế hoạch"}, headers=api.keys["lang_son"]).status_code == 409

    # The revision, linked to the returned draft, goes back to the queue as a resubmission.
    second = _draft(api, "lang_son", seeds[1], revises=str(first))
    assert _draft_field(api, second, "previous_version_id") == first
    resubmitted = api.post(f"/api/v1/drafts/{second}/submit", headers=api.keys["lang_son"]).json()
    assert resubmitted["action"] == "resubmit" and resubmitted["previous_version_id"] == first
    approved = api.post(f"/api/v1/review/{second}/decision", json={"decision": "approve", "comment": "Đồng ý"},
                        headers=api.keys["reviewer2"])
    assert approved.json()["review_state"] == "approved"
    assert api.get("/api/v1/review/queue", params={"state": "approved"}, headers=api.keys["reviewer"]).json()["total"] == 1
    issued = api.post(f"/api/v1/drafts/{second}/issue", json={"number": "498", "date": "2026-11-20", "symbol": "KH-UBND",
                                                              "doc_type": "Kế hoạch"}, headers=api.keys["lang_son"])
    assert issued.status_code == 201

    trail = api.get(f"/api/v1/drafts/{second}/audit", headers=api.keys["lang_son"]).json()
    assert trail["versions"] == [first, second]
    assert [(e["draft_id"], e["action"], e["actor"]) for e in trail["events"]] == [
        (first, "submit", "lang_son"), (first, "return", "reviewer"), (second, "resubmit", "lang_son"),
        (second, "approve", "Sở Tư pháp – chuyên viên B"), (second, "issue", "lang_son")]
    assert trail["events"][1]["comment"].startswith("Đề nghị bỏ")
    assert api.get(f"/api/v1/drafts/{second}/audit", headers=api.keys["admin"]).status_code == 200
    other = api.get(f"/api/v1/drafts/{second}/audit", headers=api.keys["dong_thap"])
    assert other.status_code == 404 and other.headers["content-type"] == PROBLEM
    assert api.get(f"/api/v1/drafts/{second}/audit", headers=api.keys["reviewer"]).status_code == 200


def test_the_queue_puts_the_most_copied_draft_first(review_api):
    api = review_api
    with unit_of_work(api.app.state.factory) as db:
        ensure_agency(db=db, code="BBT", name="Ban Bí thư", level=AgencyLevel.central_party)
    directive = api.post("/api/v1/directives", headers=api.keys["admin"],
                         files={"file": ("kl.txt", shared("directives", "226-KL-TW.txt").read_bytes())},
                         data={"level": "central_party", "issuer": "Ban Bí thư", "agency": "BBT"})
    assert directive.status_code == 202
    wait_done(api, directive.headers["Location"], "admin", timeout=120)
    plain = _draft(api, "dong_thap", shared("fixtures", "004_dong_thap_ke_hoach.pdf"))
    copying = _draft(api, "lang_son", sorted(shared("seeds").glob("*.txt"))[0])
    reports = {d: wait_report(api, d, who) for d, who in ((plain, "dong_thap"), (copying, "lang_son"))}
    for draft, who in ((plain, "dong_thap"), (copying, "lang_son")):
        assert api.post(f"/api/v1/drafts/{draft}/submit", headers=api.keys[who]).status_code == 200
    items = api.get("/api/v1/review/queue", headers=api.keys["reviewer"]).json()["items"]
    ratios = [reports[i["draft_id"]]["copied_ratio"] for i in items]
    assert ratios == sorted(ratios, reverse=True) and items[0]["findings"]["copied_ratio"] == max(ratios)


def _draft_field(api, draft_id: int, name: str):
    return api.get(f"/api/v1/drafts/{draft_id}", headers=api.keys["lang_son"]).json()["review"][name]
