"""The review rules: every move of a draft goes through the state table (review.states) and
the audit log here; issuing goes into the register through the register's one way in.

Issuing needs approval when the draft's report says `review` or `return`; a draft whose
report says `ok` may be issued without review. A draft not checked yet is not issued.
"""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy.orm import Session

from services.agencies import service as agencies_service
from services.common.errors import Conflict, InvalidInput
from services.common.models import ApiKey, Document, DocumentStatus, utcnow
from services.documents import repository as documents_repo
from services.documents.service import visible_draft
from services.register import merging
from services.register import service as register
from services.review import repository as audit_repo
from services.review.schemas import (AuditEventOut, AuditOut, DecisionIn, DecisionOut, Findings, IssueIn, IssueOut,
                                     MergeHint, QueueItem, QueueOut, TransitionOut)
from services.review.states import TRANSITIONS, Action, ReviewState, state_of, stored, transition

NEEDS_APPROVAL = ("review", "return")
_LAST = datetime.max.replace(tzinfo=timezone.utc)  # report verdicts that make review compulsory before issue


def _move(*, db: Session, key: ApiKey, document: Document, action: Action, reasons: list | None = None,
          comment: str | None = None) -> ReviewState:
    sources, state = transition(document, action)
    if not documents_repo.move_review_state(db=db, document_id=document.id, sources=[stored(s) for s in sources],
                                            target=stored(state)):
        raise Conflict("the draft was moved by another request meanwhile; reload it")
    audit_repo.record(db=db, document_id=document.id, action=action.value, key=key, reasons=reasons,
                      comment=comment)
    return state


def submit(*, db: Session, key: ApiKey, draft_id: int) -> TransitionOut:
    """Send a parsed draft to review; a revision's first submission is a resubmission."""
    document = visible_draft(db=db, key=key, draft_id=draft_id)
    if document.status != DocumentStatus.parsed:
        raise Conflict("the draft is not parsed (yet, or it failed): it cannot be submitted")
    if documents_repo.report_of(db=db, document_id=document.id) is None:
        raise Conflict("the draft is not checked yet: it is submitted once its report is ready")
    action = Action.resubmit if document.previous_version_id else Action.submit
    state = _move(db=db, key=key, document=document, action=action)
    document.submitted_at = utcnow()
    return TransitionOut(draft_id=document.id, review_state=state, action=action.value,
                         previous_version_id=document.previous_version_id)


def decide(*, db: Session, key: ApiKey, draft_id: int, body: DecisionIn) -> DecisionOut:
    """Approve or return a submitted draft, with reasons."""
    document = visible_draft(db=db, key=key, draft_id=draft_id)
    action = Action.approve if body.decision.value == "approve" else Action.return_
    reasons = [r.model_dump(mode="json") for r in body.reasons]
    state = _move(db=db, key=key, document=document, action=action, reasons=reasons, comment=body.comment)
    return DecisionOut(draft_id=document.id, review_state=state, action=action.value,
                       previous_version_id=document.previous_version_id, reasons=body.reasons, comment=body.comment)


def issue(*, db: Session, key: ApiKey, draft_id: int, body: IssueIn) -> IssueOut:
    """Record the draft as issued (number, date): it enters its agency's register."""
    document = visible_draft(db=db, key=key, draft_id=draft_id)
    if document.agency is None:
        raise InvalidInput("the draft has no agency; upload it for an agency first", title="No agency")
    if state_of(document) == ReviewState.drafting:
        report = documents_repo.report_of(db=db, document_id=document.id)
        if report is None:
            raise Conflict("the draft is not checked yet: it is issued once its report is ready")
        if report.verdict in NEEDS_APPROVAL:
            raise Conflict(f"the draft's report says {report.verdict!r}: submit it for review, and issue it "
                           "once approved")
    symbol = body.symbol or document.symbol
    doc_type = body.doc_type or document.doc_type
    if not symbol or not doc_type:
        raise InvalidInput("the draft's ký hiệu or type is not known: give symbol and doc_type",
                           title="Incomplete issue")
    reference = f"{body.number}/{symbol.lstrip('/')}"
    register.check_issue_date(body.date)
    state = _move(db=db, key=key, document=document, action=Action.issue,
                  comment=f"{reference} ngày {body.date.isoformat()}")
    _, created = register.enter(db=db, agency=document.agency, reference=reference, doc_type=doc_type,
                                issued_on=body.date, subject=document.subject, source="draft",
                                document_id=document.id)
    if not created:
        raise Conflict(f"{reference} of {body.date.isoformat()} is already in the register")
    document.number, document.reference, document.issued_on = body.number, reference, body.date.isoformat()
    return IssueOut(draft_id=document.id, review_state=state, action=Action.issue.value,
                    previous_version_id=document.previous_version_id, agency=document.agency.code,
                    reference=reference, date=body.date, doc_type=doc_type)


def withdraw(*, db: Session, key: ApiKey, draft_id: int, comment: str | None) -> TransitionOut:
    """Withdraw a draft that will not be issued (e.g. merged into another document)."""
    document = visible_draft(db=db, key=key, draft_id=draft_id)
    state = _move(db=db, key=key, document=document, action=Action.withdraw, comment=comment)
    return TransitionOut(draft_id=document.id, review_state=state, action=Action.withdraw.value,
                         previous_version_id=document.previous_version_id)


def available_actions(*, key: ApiKey, state: ReviewState, verdict: str | None) -> dict[str, bool]:
    """What `key` may do to a draft in `state` whose report says `verdict` (None: not checked
    yet), by the same table and rules the actions apply (the pages show only these)."""
    def allowed(action: Action) -> bool:
        sources, _, roles = TRANSITIONS[action]
        return key.role in roles and state in sources

    checked = verdict is not None
    clean = checked and verdict not in NEEDS_APPROVAL
    return {"submit": allowed(Action.submit) and checked,
            "decide": allowed(Action.approve),
            "issue": allowed(Action.issue) and (state == ReviewState.approved or clean),
            "withdraw": allowed(Action.withdraw),
            "revise": state == ReviewState.returned and key.role in TRANSITIONS[Action.submit][2]}


def check_revisable(*, db: Session, previous: Document) -> None:
    """A revision revises a returned draft, and each returned draft has one revision: the
    chain of versions never forks."""
    if state_of(previous) != ReviewState.returned:
        raise Conflict(f"draft {previous.id} was not returned by a reviewer: there is nothing to revise")
    revision = documents_repo.revision_of(db=db, document_id=previous.id)
    if revision is not None:
        raise Conflict(f"draft {previous.id} is revised already, by draft {revision.id}: revise that one")


def queue(*, db: Session, key: ApiKey, state: ReviewState, agency: str | None) -> QueueOut:
    """Drafts in a review state, most severe first (copied share, merge candidates, an agency
    over its quota), then the oldest submission."""
    agency_id = agencies_service.get_agency(db=db, code=agency).id if agency else None
    effects, pools, items = {}, {}, []
    stored = None if state == ReviewState.drafting else state.value
    for document in documents_repo.in_review(db=db, key=key, state=stored, agency_id=agency_id):
        items.append(QueueItem(draft_id=document.id, agency=document.agency.code if document.agency else None,
                               filename=document.filename, subject=document.subject, doc_type=document.doc_type,
                               submitted_at=document.submitted_at, previous_version_id=document.previous_version_id,
                               findings=_findings(db, document, effects, pools)))
    items.sort(key=lambda i: (-i.findings.score, i.submitted_at or _LAST))
    return QueueOut(state=state, total=len(items), items=items)


def _findings(db: Session, document: Document, effects: dict, pools: dict) -> Findings:
    """The draft's findings and its score; `effects` and `pools` hold, by agency, what the
    queue has computed already (one quota and one merge pool per agency)."""
    report = documents_repo.report_of(db=db, document_id=document.id)
    copied = report.copied_ratio if report else None
    over, mergeable = None, []
    if document.agency is not None:
        if document.agency_id not in effects:
            effects[document.agency_id] = register.issue_effect(db=db, agency=document.agency)
            pools[document.agency_id] = merging.agency_pool(db=db, agency_id=document.agency_id)
        over = effects[document.agency_id]["over_target_after"]
        mergeable = merging.for_draft(db=db, document=document, pool=pools[document.agency_id])
    # Copying is the first ground for return; merge candidates and an agency over its quota come next.
    score = round((copied or 0) * 100 + 10 * min(3, len(mergeable)) + (25 if over else 0), 2)
    return Findings(score=score, copied_ratio=copied, verdict=report.verdict if report else None,
                    passages=len(report.body["passages"]) if report else None, over_quota_after_issue=over,
                    merge_candidates=[MergeHint(id=m["document"]["id"], reference=m["document"]["reference"],
                                                relation=m["relation"]) for m in mergeable])


def audit(*, db: Session, key: ApiKey, draft_id: int) -> AuditOut:
    """The draft's history, with the versions it revises."""
    document = visible_draft(db=db, key=key, draft_id=draft_id)
    versions = documents_repo.version_ids(db=db, document=document)
    events = audit_repo.for_documents(db=db, document_ids=versions)
    return AuditOut(draft_id=document.id, versions=versions,
                    events=[AuditEventOut(draft_id=e.document_id, action=e.action, actor=e.actor, role=e.actor_role,
                                          at=e.at, reasons=e.reasons, comment=e.comment) for e in events])
