"""The review queue of the Sở Tư pháp / Văn phòng UBND: drafters submit, reviewers decide
(approve or return with structured reasons), every action goes to the audit log."""
from __future__ import annotations

import enum
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field, model_validator
from sqlalchemy import select

from services.analyzer import merge
from services.analyzer.issuance import issue_effect
from services.common.errors import Conflict, NotFound
from services.common.models import Document, DocumentKind, DocumentStatus, Role, utcnow
from services.common.repositories import agencies as agencies_repo
from services.common.repositories import audit as audit_repo
from services.common.repositories import documents as documents_repo
from services.common.repositories import reports as reports_repo
from services.gateway.deps import DbSession, require_role
from services.gateway.routes.drafts import Uploader, _visible

router = APIRouter(prefix="/api/v1", tags=["review"])

Reviewer = require_role(Role.reviewer, Role.admin)
Decider = require_role(Role.reviewer)
AuditReader = require_role(Role.drafter, Role.admin)


class ReasonCode(str, enum.Enum):
    copies_higher_level = "copies_higher_level"  # sao chép văn bản cấp trên
    can_merge = "can_merge"  # có thể tích hợp với văn bản khác
    over_quota = "over_quota"  # vượt chỉ tiêu giảm 15%
    other = "other"


class Reason(BaseModel):
    code: ReasonCode
    detail: str | None = Field(default=None, max_length=2000, description="e.g. the document it can merge with")


class DecisionIn(BaseModel):
    decision: str = Field(pattern="^(approve|return)$")
    reasons: list[Reason] = Field(default_factory=list)
    comment: str | None = Field(default=None, max_length=5000)

    @model_validator(mode="after")
    def _return_needs_a_reason(self):
        if self.decision == "return" and not self.reasons:
            raise ValueError("a returned draft needs at least one reason")
        return self


@router.post("/drafts/{draft_id}/submit")
def submit(draft_id: int, db: DbSession, key: Uploader) -> dict:
    """Send a draft to review. A revision of a returned draft (uploaded with `revises`) is a resubmission."""
    document = _visible(documents_repo.get(db=db, document_id=draft_id), key)
    if document.status != DocumentStatus.parsed:
        raise Conflict("the draft is not parsed (yet, or it failed): it cannot be submitted")
    if document.review_state in ("submitted", "approved"):
        raise Conflict(f"the draft is already {document.review_state}")
    if document.review_state == "returned":
        raise Conflict("a returned draft is revised, not resubmitted as it is: upload the revision with "
                       f"revises={document.id} and submit that")
    document.review_state, document.submitted_at = "submitted", utcnow()
    action = "resubmit" if document.previous_version_id else "submit"
    audit_repo.record(db=db, document_id=document.id, action=action, key=key)
    return {"draft_id": document.id, "review_state": "submitted", "action": action,
            "previous_version_id": document.previous_version_id}


def _severity(db, document: Document, effects: dict, pools: dict) -> dict:
    """The draft's findings and its place in the queue; `effects` and `pools` hold, by agency,
    what the queue has computed already (one quota and one merge pool per agency)."""
    report = reports_repo.for_document(db=db, document_id=document.id)
    copied = report.copied_ratio if report else None
    over, mergeable = None, []
    if document.agency is not None:
        if document.agency_id not in effects:
            effects[document.agency_id] = issue_effect(db=db, agency=document.agency)
            pools[document.agency_id] = merge.agency_pool(db=db, agency_id=document.agency_id)
        over = effects[document.agency_id]["over_target_after"]
        mergeable = merge.for_draft(db=db, document=document, pool=pools[document.agency_id])
    # Copying is the first ground for return; merge candidates and an agency over its quota come next.
    score = round((copied or 0) * 100 + 10 * min(3, len(mergeable)) + (25 if over else 0), 2)
    return {"score": score, "copied_ratio": copied, "verdict": report.verdict if report else None,
            "passages": len(report.body["passages"]) if report else None, "over_quota_after_issue": over,
            "merge_candidates": [{"id": m["document"]["id"], "reference": m["document"]["reference"],
                                  "relation": m["relation"]} for m in mergeable]}


@router.get("/review/queue")
def queue(
    db: DbSession, key: Reviewer,
    agency: Annotated[str | None, Query(description="agency code")] = None,
    state: Annotated[str, Query(pattern="^(submitted|returned|approved)$")] = "submitted",
) -> dict:
    """Drafts under review, most severe first (copied ratio, over-quota agency), then oldest."""
    query = select(Document).where(Document.kind == DocumentKind.draft, Document.review_state == state)
    if agency:
        found = agencies_repo.get_by_code(db=db, code=agency)
        if found is None:
            raise NotFound(f"no agency {agency!r}")
        query = query.where(Document.agency_id == found.id)
    items, effects, pools = [], {}, {}
    for document in db.scalars(query):
        findings = _severity(db, document, effects, pools)
        items.append({"draft_id": document.id, "agency": document.agency.code if document.agency else None,
                      "filename": document.filename, "subject": document.subject, "doc_type": document.doc_type,
                      "submitted_at": document.submitted_at, "previous_version_id": document.previous_version_id,
                      "findings": findings})
    items.sort(key=lambda i: (-i["findings"]["score"], i["submitted_at"] or datetime.max))
    return {"state": state, "total": len(items), "items": items}


@router.post("/review/{draft_id}/decision")
def decide(draft_id: int, body: DecisionIn, db: DbSession, key: Decider) -> dict:
    document = documents_repo.get(db=db, document_id=draft_id)
    if document is None or document.kind != DocumentKind.draft:
        raise NotFound("no such draft")
    if document.review_state != "submitted":
        raise Conflict(f"only a submitted draft is decided; this one is {document.review_state or 'not submitted'}")
    document.review_state = "approved" if body.decision == "approve" else "returned"
    reasons = [r.model_dump(mode="json") for r in body.reasons]
    audit_repo.record(db=db, document_id=document.id, action=body.decision, key=key, reasons=reasons,
                      comment=body.comment)
    return {"draft_id": document.id, "review_state": document.review_state, "reasons": reasons,
            "comment": body.comment}


@router.get("/drafts/{draft_id}/audit")
def audit(draft_id: int, db: DbSession, key: AuditReader) -> dict:
    """The draft's history, with the versions it revises: admins and the drafter's agency."""
    document = _visible(documents_repo.get(db=db, document_id=draft_id), key)
    versions = documents_repo.version_ids(db=db, document=document)
    events = audit_repo.for_documents(db=db, document_ids=versions)
    return {"draft_id": document.id, "versions": versions,
            "events": [{"draft_id": e.document_id, "action": e.action, "actor": e.actor, "role": e.actor_role,
                        "at": e.at, "reasons": e.reasons, "comment": e.comment} for e in events]}
