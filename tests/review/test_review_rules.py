"""The review state machine through the API: what may be issued when, revisions that never
fork, who decides, withdrawing. Real app, real runner, real documents."""
from __future__ import annotations

from datetime import timedelta

import pytest

from services.common.errors import Conflict
from services.register.service import today
from tests.conftest import shared
from tests.gateway.test_api import PROBLEM, upload, wait_done
from tests.gateway.test_register_api import wait_report
from tests.gateway.test_report_api import api, register  # noqa: F401 (fixture)

SEED = "000_b0328c80448f943d.txt"  # copies three passages of Kết luận 226-KL/TW
ISSUE = {"number": "41", "symbol": "KH-UBND", "doc_type": "Kế hoạch"}


def _checked_draft(api, path, who: str = "drafter") -> tuple[int, dict]:
    response = upload(api, who, path)
    body = wait_done(api, response.headers["Location"], who)
    return body["id"], wait_report(api, body["id"], who)


def _register_count(api) -> int:
    return api.get("/api/v1/quota", params={"agency": "UBND-QN"}, headers=api.keys["drafter"]).json()["issued"]


def _issue(api, draft: int, who: str = "drafter", **fields):
    return api.post(f"/api/v1/drafts/{draft}/issue", json={**ISSUE, "date": today().isoformat(), **fields},
                    headers=api.keys[who])


def test_a_draft_whose_report_asks_for_review_is_not_issued_before_approval(api):
    register(api, "central_party")
    draft, report = _checked_draft(api, shared("seeds", SEED))
    assert report["verdict"] in ("review", "return") and report["passages"]
    refused = _issue(api, draft)
    assert refused.status_code == 409 and refused.headers["content-type"] == PROBLEM
    assert "review" in refused.json()["detail"] and _register_count(api) == 0
    assert api.post(f"/api/v1/drafts/{draft}/submit", headers=api.keys["drafter"]).status_code == 200
    assert _issue(api, draft).status_code == 409  # submitted, not yet approved
    assert api.post(f"/api/v1/review/{draft}/decision", json={"decision": "approve"},
                    headers=api.keys["admin"]).status_code == 200
    issued = _issue(api, draft)
    assert issued.status_code == 201 and issued.json()["review_state"] == "issued"
    assert _register_count(api) == 1
    again = _issue(api, draft, number="42")
    assert again.status_code == 409 and _register_count(api) == 1


def test_a_clean_draft_is_issued_without_review(api):
    draft, report = _checked_draft(api, shared("seeds", SEED))  # no directive registered: nothing copied
    assert report["verdict"] == "ok"
    issued = _issue(api, draft)
    assert issued.status_code == 201, issued.text
    assert issued.json()["reference"] == "41/KH-UBND" and _register_count(api) == 1


def test_an_issue_date_in_the_future_is_refused_and_registers_nothing(api):
    draft, _ = _checked_draft(api, shared("seeds", SEED))
    tomorrow = (today() + timedelta(days=1)).isoformat()
    for day in (tomorrow, "2030-01-01"):
        refused = _issue(api, draft, date=day)
        assert refused.status_code == 422 and refused.headers["content-type"] == PROBLEM
        assert "future" in refused.json()["detail"]
    assert _register_count(api) == 0
    state = api.get(f"/api/v1/drafts/{draft}", headers=api.keys["drafter"]).json()["review"]["state"]
    assert state == "drafting"


def test_a_returned_draft_is_revised_once_so_the_versions_never_fork(api):
    returned, _ = _checked_draft(api, shared("seeds", SEED))
    assert api.post(f"/api/v1/drafts/{returned}/submit", headers=api.keys["drafter"]).status_code == 200
    decision = {"decision": "return", "reasons": [{"code": "copies_higher_level"}]}
    assert api.post(f"/api/v1/review/{returned}/decision", json=decision, headers=api.keys["admin"]).status_code == 200
    revision = upload(api, "drafter", shared("seeds", "003_e22e6fd817a95a82.txt"), revises=str(returned))
    assert revision.status_code == 202
    fork = upload(api, "drafter", shared("seeds", "004_8df03afd199811ae.txt"), revises=str(returned))
    assert fork.status_code == 409 and fork.headers["content-type"] == PROBLEM
    assert f"revised already, by draft {revision.json()['id']}" in fork.json()["detail"]


def test_an_admin_decides_and_a_drafter_does_not(api):
    draft, _ = _checked_draft(api, shared("seeds", SEED))
    assert api.post(f"/api/v1/drafts/{draft}/submit", headers=api.keys["drafter"]).status_code == 200
    approve = {"decision": "approve", "comment": "Đồng ý"}
    assert api.post(f"/api/v1/review/{draft}/decision", json=approve, headers=api.keys["drafter"]).status_code == 403
    decided = api.post(f"/api/v1/review/{draft}/decision", json=approve, headers=api.keys["admin"])
    assert decided.status_code == 200 and decided.json()["review_state"] == "approved"
    trail = api.get(f"/api/v1/drafts/{draft}/audit", headers=api.keys["admin"]).json()["events"]
    assert [(e["action"], e["role"]) for e in trail] == [("submit", "drafter"), ("approve", "admin")]


def test_a_withdrawn_draft_leaves_the_queue_and_is_never_issued(api):
    draft, _ = _checked_draft(api, shared("seeds", SEED))
    assert api.post(f"/api/v1/drafts/{draft}/submit", headers=api.keys["drafter"]).status_code == 200
    withdrawn = api.post(f"/api/v1/drafts/{draft}/withdraw", json={"comment": "tích hợp vào KH 12"},
                         headers=api.keys["drafter"])
    assert withdrawn.status_code == 200 and withdrawn.json()["review_state"] == "withdrawn"
    assert api.get("/api/v1/review/queue", headers=api.keys["admin"]).json()["total"] == 0
    assert _issue(api, draft).status_code == 409
    assert api.post(f"/api/v1/drafts/{draft}/withdraw", headers=api.keys["drafter"]).status_code == 409
    assert api.post(f"/api/v1/drafts/{draft}/withdraw", headers=api.keys["other"]).status_code == 404


def test_two_decisions_at_once_move_the_draft_once(api):
    """Both reviewers load the submitted draft; the first decision commits; the second, made
    on what it loaded, finds the row moved and changes nothing."""
    from services.agencies.repository import list_keys
    from services.common.db import unit_of_work
    from services.documents.service import visible_draft
    from services.review import service as review
    from services.review.repository import for_documents
    from services.review.schemas import DecisionIn
    from services.review.states import Action

    draft, _ = _checked_draft(api, shared("seeds", SEED))
    assert api.post(f"/api/v1/drafts/{draft}/submit", headers=api.keys["drafter"]).status_code == 200
    factory = api.app.state.factory
    first, second = factory(), factory()
    try:
        admin = next(k for k in list_keys(db=second) if k.name == "admin")
        loaded = visible_draft(db=second, key=admin, draft_id=draft)  # submitted, as the second reviewer saw it
        review.decide(db=first, key=next(k for k in list_keys(db=first) if k.name == "admin"), draft_id=draft,
                      body=DecisionIn(decision="approve"))
        first.commit()
        with pytest.raises(Conflict, match="moved by another request"):
            review._move(db=second, key=admin, document=loaded, action=Action.return_)
        second.rollback()
    finally:
        first.close()
        second.close()
    with unit_of_work(factory) as db:
        assert [e.action for e in for_documents(db=db, document_ids=[draft])] == ["submit", "approve"]


def test_a_draft_is_not_submitted_before_it_is_checked(api):
    from services.common.db import unit_of_work
    from services.documents import repository as documents_repo

    draft, _ = _checked_draft(api, shared("seeds", SEED))
    with unit_of_work(api.app.state.factory) as db:  # as if its analysis had not run yet
        db.delete(documents_repo.report_of(db=db, document_id=draft))
    refused = api.post(f"/api/v1/drafts/{draft}/submit", headers=api.keys["drafter"])
    assert refused.status_code == 409 and "not checked yet" in refused.json()["detail"]
