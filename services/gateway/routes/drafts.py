"""Draft endpoints: upload, status and parse result, list."""
from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, File, Form, Query, Request, Response, UploadFile
from pydantic import BaseModel, Field

from services.analyzer import merge
from services.analyzer.issuance import issue_effect

from services.common.errors import Conflict, DraftctlError, NotFound, TooLarge
from services.common.models import Document, DocumentKind, Role
from services.common.repositories import agencies as agencies_repo
from services.common.repositories import audit as audit_repo
from services.common.repositories import documents as documents_repo
from services.common.repositories import issuances as issuances_repo
from services.common.repositories import jobs as jobs_repo
from services.gateway.accepting import commit_and_dispatch
from services.gateway.deps import DbSession, require_role
from services.common.repositories import reports as reports_repo
from services.gateway.schemas import CitationOut, DraftOut, DraftSummary, JobOut, MetadataOut, Page, ReportOut
from services.ingest.intake import accept

router = APIRouter(prefix="/api/v1/drafts", tags=["drafts"])

Uploader = require_role(Role.drafter, Role.admin)
Reader = require_role(Role.drafter, Role.reviewer, Role.admin)


async def _read_limited(upload: UploadFile, limit: int) -> bytes:
    chunks, size = [], 0
    while chunk := await upload.read(1 << 20):
        size += len(chunk)
        if size > limit:
            raise TooLarge(f"the file is larger than the limit of {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _visible(document: Document | None, key) -> Document:
    # 404 also for "exists but not yours": never reveal another agency's drafts.
    if document is None or document.kind != DocumentKind.draft:
        raise NotFound("no such draft")
    if key.role == Role.drafter and document.agency_id != key.agency_id:
        raise NotFound("no such draft")
    return document


def _draft_out(db, document: Document) -> DraftOut:
    job = jobs_repo.latest_for_document(db=db, document_id=document.id)
    # Under READ COMMITTED each statement sees the latest commit: re-read the document after
    # the job, so a job shown as done always comes with the parse it committed.
    db.refresh(document)
    out = DraftOut(
        id=document.id,
        status=document.status.value,
        agency=document.agency.code if document.agency else None,
        filename=document.filename,
        media_type=document.media_type,
        size=document.size,
        sha256=document.sha256,
        created_at=document.created_at,
        job=JobOut.model_validate(job, from_attributes=True) if job else None,
        error=document.error,
        review=_review(db, document),
    )
    if document.parsed:
        md = dict(document.parsed["metadata"])
        # Values given at upload win over parsed ones.
        md.update(reference=document.reference, doc_type=document.doc_type, subject=document.subject, date=document.issued_on)
        out.metadata = MetadataOut(**{k: v for k, v in md.items() if k in MetadataOut.model_fields})
        out.citations = [CitationOut(**c) for c in document.parsed["citations"]]
    return out


@router.post(
    "",
    status_code=202,
    response_model=DraftOut,
    responses={200: {"description": "the same bytes were uploaded before: the existing draft"}},
)
async def upload_draft(
    request: Request,
    response: Response,
    db: DbSession,
    key: Uploader,
    file: Annotated[UploadFile, File(description=".docx, .pdf or .txt; the type is read from the content")],
    agency: Annotated[str | None, Form(description="agency code (admins only; drafters upload for their own)")] = None,
    reference: Annotated[str | None, Form(max_length=160)] = None,
    doc_type: Annotated[str | None, Form(max_length=120)] = None,
    subject: Annotated[str | None, Form(max_length=2000)] = None,
    issued_on: Annotated[str | None, Form(pattern=r"^\d{4}(-\d{2}(-\d{2})?)?$")] = None,
    revises: Annotated[int | None, Form(description="id of the returned draft this upload revises")] = None,
) -> DraftOut:
    settings = request.app.state.settings
    if key.role == Role.drafter:
        if agency and (key.agency is None or agency != key.agency.code):
            raise DraftctlError("a drafter uploads only for its own agency", title="Forbidden", status=403)
        agency_id = key.agency_id
    elif agency:
        found = agencies_repo.get_by_code(db=db, code=agency)
        if found is None:
            raise DraftctlError(f"unknown agency {agency!r}", title="Unknown agency", status=422)
        agency_id = found.id
    else:
        agency_id = None
    if revises is not None:
        previous = _visible(documents_repo.get(db=db, document_id=revises), key)
        if previous.review_state != "returned":
            raise Conflict(f"draft {revises} was not returned by a reviewer: there is nothing to revise")
        if previous.agency_id != agency_id:
            raise DraftctlError("a revision belongs to the agency of the draft it revises", status=422,
                                title="Wrong agency")
    data = await _read_limited(file, settings.max_upload_bytes)
    accepted = accept(
        db=db,
        blobs=request.app.state.blobs,
        settings=settings,
        data=data,
        filename=file.filename or "upload",
        kind=DocumentKind.draft,
        agency_id=agency_id,
        given={"reference": reference, "doc_type": doc_type, "subject": subject, "issued_on": issued_on,
               "previous_version_id": revises},
    )
    commit_and_dispatch(request=request, response=response, db=db, accepted=accepted, kind="draft",
                        location=f"/api/v1/drafts/{accepted.document.id}")
    return _draft_out(db, accepted.document)


@router.get("/{draft_id}", response_model=DraftOut)
def get_draft(draft_id: int, db: DbSession, key: Reader, response: Response) -> DraftOut:
    document = _visible(documents_repo.get(db=db, document_id=draft_id), key)
    out = _draft_out(db, document)
    if out.job and out.job.state in ("queued", "running"):
        response.headers["Retry-After"] = "1"
    return out


@router.get("", response_model=Page)
def list_drafts(
    db: DbSession,
    key: Reader,
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> Page:
    agency_id = key.agency_id if key.role == Role.drafter else None
    rows, total = documents_repo.list_page(db=db, kind=DocumentKind.draft, agency_id=agency_id, offset=offset, limit=limit)
    items = [
        DraftSummary(
            id=d.id, status=d.status.value, agency=d.agency.code if d.agency else None, filename=d.filename,
            reference=d.reference, doc_type=d.doc_type, subject=d.subject, created_at=d.created_at,
        )
        for d in rows
    ]
    return Page(items=items, total=total, offset=offset, limit=limit)


@router.get("/{draft_id}/report", response_model=ReportOut, responses={202: {"description": "not analysed yet"}})
def get_report(draft_id: int, db: DbSession, key: Reader, response: Response):
    document = _visible(documents_repo.get(db=db, document_id=draft_id), key)
    report = reports_repo.for_document(db=db, document_id=document.id)
    if report is None:
        job = jobs_repo.latest_for_document(db=db, document_id=document.id)
        if job is not None and job.state.value == "failed":
            raise DraftctlError(job.error or "analysis failed", title="Analysis failed", status=422)
        raise DraftctlError("the draft is not analysed yet; poll again", title="Not ready", status=409)
    body = report.body
    return ReportOut(draft_id=document.id, copied_ratio=report.copied_ratio, verdict=report.verdict,
                     directives_checked=report.directives_checked, passages=body["passages"],
                     sources=body["sources"], created_at=report.created_at, quota=issue_effect(db=db, agency=document.agency) if document.agency else None,
                     merge_candidates=merge.for_draft(db=db, document=document))


def _review(db, document: Document) -> dict:
    decision = audit_repo.last_decision(db=db, document_id=document.id)
    return {"state": document.review_state, "submitted_at": document.submitted_at,
            "previous_version_id": document.previous_version_id,
            "decision": None if decision is None else {"decision": decision.action, "reasons": decision.reasons,
                                                       "comment": decision.comment, "at": decision.at}}


class IssueIn(BaseModel):
    number: str = Field(min_length=1, max_length=40, pattern=r"^\d+[A-Za-z]?$", description="số, e.g. 512")
    date: dt.date
    symbol: str | None = Field(default=None, max_length=120, description="ký hiệu, e.g. UBND-TH; default: the draft's")
    doc_type: str | None = Field(default=None, max_length=120, description="default: the draft's")


@router.post("/{draft_id}/issue", status_code=201)
def issue_draft(draft_id: int, body: IssueIn, db: DbSession, key: Uploader) -> dict:
    """Record the draft as issued (number, date): it enters its agency's register."""
    document = _visible(documents_repo.get(db=db, document_id=draft_id), key)
    if document.agency is None:
        raise DraftctlError("the draft has no agency; upload it for an agency first", status=422, title="No agency")
    if issuances_repo.for_document(db=db, document_id=document.id) is not None:
        raise Conflict("the draft is already issued")
    if document.review_state in ("submitted", "returned"):
        raise Conflict(f"the draft is {document.review_state} in review: it is issued once approved")
    symbol = body.symbol or document.symbol
    doc_type = body.doc_type or document.doc_type
    if not symbol or not doc_type:
        raise DraftctlError("the draft's ký hiệu or type is not known: give symbol and doc_type", status=422,
                            title="Incomplete issue")
    reference = f"{body.number}/{symbol.lstrip('/')}"
    if issuances_repo.exists(db=db, agency_id=document.agency_id, reference=reference, issued_on=body.date.isoformat()):
        raise Conflict(f"{reference} of {body.date.isoformat()} is already in the register")
    issuances_repo.add(db=db, agency_id=document.agency_id, reference=reference, doc_type=doc_type,
                       issued_on=body.date.isoformat(), subject=document.subject, source="draft",
                       document_id=document.id)
    document.number, document.reference, document.issued_on = body.number, reference, body.date.isoformat()
    audit_repo.record(db=db, document_id=document.id, action="issue", key=key,
                      comment=f"{reference} ngày {body.date.isoformat()}")
    return {"draft_id": document.id, "agency": document.agency.code, "reference": reference,
            "date": body.date.isoformat(), "doc_type": doc_type}
