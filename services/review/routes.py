"""Review endpoints: drafters submit, issue or withdraw; reviewers (and admins) approve or
return with reasons; the queue, most severe first; the audit log of a draft."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from services.gateway.deps import AnyRole, DbSession, DraftId, Staff, require_role
from services.gateway.errors import problems
from services.review import service
from services.review.schemas import AuditOut, DecisionIn, DecisionOut, IssueIn, IssueOut, QueueOut, TransitionOut, WithdrawIn
from services.review.states import Action, ReviewState, roles_for

router = APIRouter(prefix="/api/v1", tags=["review"])
Submitter = require_role(*roles_for(Action.submit))
Decider = require_role(*roles_for(Action.approve))
Issuer = require_role(*roles_for(Action.issue))
Withdrawer = require_role(*roles_for(Action.withdraw))


@router.post("/drafts/{draft_id}/submit", response_model=TransitionOut,
             responses=problems(404, 409, e409="the draft is not parsed, or not in a state to submit"))
def submit(draft_id: DraftId, db: DbSession, key: Submitter) -> TransitionOut:
    """Send a draft to review. A revision of a returned draft (uploaded with `revises`) is a resubmission."""
    return service.submit(db=db, key=key, draft_id=draft_id)


@router.post("/review/{draft_id}/decision", response_model=DecisionOut,
             responses=problems(404, 409, 422, e409="only a submitted draft is decided"))
def decide(draft_id: DraftId, body: DecisionIn, db: DbSession, key: Decider) -> DecisionOut:
    """Approve or return a submitted draft (a return needs at least one reason)."""
    return service.decide(db=db, key=key, draft_id=draft_id, body=body)


@router.post("/drafts/{draft_id}/issue", status_code=201, response_model=IssueOut,
             responses=problems(404, 409, 422, e409="the draft needs approval first (its report says review or "
                                                    "return), is not checked yet, or is in the register already",
                                e422="no agency, no ký hiệu or type known, or a date in the future"))
def issue_draft(draft_id: DraftId, body: IssueIn, db: DbSession, key: Issuer) -> IssueOut:
    """Record the draft as issued (number, date): it enters its agency's register."""
    return service.issue(db=db, key=key, draft_id=draft_id, body=body)


@router.post("/drafts/{draft_id}/withdraw", response_model=TransitionOut,
             responses=problems(404, 409, e409="an issued, returned or withdrawn draft is not withdrawn"))
def withdraw_draft(draft_id: DraftId, db: DbSession, key: Withdrawer, body: WithdrawIn | None = None) -> TransitionOut:
    """Withdraw a draft that will not be issued (merged into another, or dropped)."""
    return service.withdraw(db=db, key=key, draft_id=draft_id, comment=body.comment if body else None)


@router.get("/review/queue", response_model=QueueOut, responses=problems(404, e404="no such agency"))
def queue(db: DbSession, key: Staff,
          agency: Annotated[str | None, Query(max_length=64, description="agency code")] = None,
          state: Annotated[ReviewState, Query()] = ReviewState.submitted) -> QueueOut:
    """Drafts in a review state, most severe first (copied ratio, merge candidates, over quota), then oldest."""
    return service.queue(db=db, key=key, state=state, agency=agency)


@router.get("/drafts/{draft_id}/audit", response_model=AuditOut, responses=problems(404))
def audit(draft_id: DraftId, db: DbSession, key: AnyRole) -> AuditOut:
    """The draft's history across its versions."""
    return service.audit(db=db, key=key, draft_id=draft_id)
