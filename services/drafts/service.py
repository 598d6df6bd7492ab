"""The rules of drafts: who uploads for which agency, revisions, what a draft and its
report show."""
from __future__ import annotations

from sqlalchemy.orm import Session

from services.agencies import service as agencies_service
from services.analyzer.citing import suggestion, unit_at
from services.common.blobs import BlobStore
from services.common.errors import Conflict, Forbidden, InvalidInput
from services.common.models import ApiKey, Document, DocumentKind, Role
from services.common.repositories import jobs as jobs_repo
from services.common.settings import Settings
from services.documents import repository as documents_repo
from services.documents.intake import Accepted, accept
from services.documents.schemas import CitationOut, JobOut, MetadataOut, OcrOut
from services.documents.service import check_partial_date, visible_draft
from services.drafts.schemas import DraftOut, DraftPage, DraftSummary, LastDecision, ReportOut, ReviewOut
from services.register import merging
from services.register.service import issue_effect
from services.review import repository as audit_repo
from services.review.service import check_revisable
from services.review.states import state_of


def upload(*, db: Session, blobs: BlobStore, settings: Settings, key: ApiKey, data: bytes, filename: str,
           agency: str | None, given: dict[str, str | None], revises: int | None) -> Accepted:
    """Accept a draft for the key's agency (an admin names the agency); a revision names the
    returned draft it revises."""
    if key.role == Role.drafter:
        if agency and (key.agency is None or agency != key.agency.code):
            raise Forbidden("a drafter uploads only for its own agency")
        agency_id = key.agency_id
    elif agency:
        agency_id = agencies_service.get_agency(db=db, code=agency, named_in_input=True).id
    else:
        agency_id = None
    if given.get("issued_on"):
        check_partial_date(given["issued_on"], what="issued_on")
    if revises is not None:
        previous = visible_draft(db=db, key=key, draft_id=revises)
        check_revisable(db=db, previous=previous)
        if previous.agency_id != agency_id:
            raise InvalidInput("a revision belongs to the agency of the draft it revises", title="Wrong agency")
    return accept(db=db, blobs=blobs, settings=settings, data=data, filename=filename, kind=DocumentKind.draft,
                  agency_id=agency_id, given={**given, "previous_version_id": revises})


def draft_out(*, db: Session, document: Document) -> DraftOut:
    """What the API shows of a draft: status, job, metadata, citations, review."""
    job = jobs_repo.latest_for_document(db=db, document_id=document.id)
    # Under READ COMMITTED each statement sees the latest commit: re-read the document after
    # the job, so a job shown as done always comes with the parse it committed.
    db.refresh(document)
    out = DraftOut(
        id=document.id, status=document.status.value, agency=document.agency.code if document.agency else None,
        filename=document.filename, media_type=document.media_type, size=document.size, sha256=document.sha256,
        created_at=document.created_at, job=JobOut.model_validate(job, from_attributes=True) if job else None,
        error=document.error, review=_review(db, document),
    )
    if document.parsed:
        md = dict(document.parsed["metadata"])
        # Values given at upload win over parsed ones.
        md.update(reference=document.reference, doc_type=document.doc_type, subject=document.subject,
                  date=document.issued_on)
        out.metadata = MetadataOut(**{k: v for k, v in md.items() if k in MetadataOut.model_fields})
        out.citations = [CitationOut(**c) for c in document.parsed["citations"]]
        out.ocr = OcrOut.of(document.parsed)
    return out


def _review(db: Session, document: Document) -> ReviewOut:
    decision = audit_repo.last_decision(db=db, document_id=document.id)
    return ReviewOut(state=state_of(document), submitted_at=document.submitted_at,
                     previous_version_id=document.previous_version_id,
                     decision=None if decision is None else LastDecision(
                         decision=decision.action, reasons=decision.reasons, comment=decision.comment,
                         at=decision.at))


def list_drafts(*, db: Session, key: ApiKey, offset: int, limit: int) -> DraftPage:
    """One page of the drafts `key` may read, newest first."""
    rows, total = documents_repo.list_page(db=db, key=key, kind=DocumentKind.draft, offset=offset, limit=limit)
    items = [DraftSummary(id=d.id, status=d.status.value, review_state=state_of(d),
                          agency=d.agency.code if d.agency else None,
                          filename=d.filename, reference=d.reference, doc_type=d.doc_type, subject=d.subject,
                          created_at=d.created_at) for d in rows]
    return DraftPage(items=items, total=total, offset=offset, limit=limit)


def cited_passages(*, db: Session, passages: list[dict]) -> list[dict]:
    """The stored passages with what a drafter needs beside each: the directive's text of
    it, the unit it comes from, and the citation to write instead."""
    directives: dict[int, Document | None] = {}
    out = []
    for passage in passages:
        source_id = passage["source_document_id"]
        if source_id not in directives:
            directives[source_id] = documents_repo.get(db=db, document_id=source_id)
        directive = directives[source_id]
        text = (directive.text if directive else None) or ""
        units = (directive.parsed or {}).get("units", []) if directive else []
        unit = unit_at(units, passage["source_start"])
        issuer = directive.agency.name if directive is not None and directive.agency else None
        out.append({**passage, "source_excerpt": text[passage["source_start"]:passage["source_end"]],
                    "source_unit": unit,
                    "suggestion": suggestion(unit=unit, doc_type=directive.doc_type if directive else None,
                                             reference=passage.get("source_reference"), issuer=issuer)})
    return out


def report(*, db: Session, key: ApiKey, draft_id: int) -> ReportOut:
    """The draft's copy-detection report, its quota effect and merge candidates; Conflict
    while it is not analysed, InvalidInput when its analysis failed."""
    document = visible_draft(db=db, key=key, draft_id=draft_id)
    stored = documents_repo.report_of(db=db, document_id=document.id)
    if stored is None:
        job = jobs_repo.latest_for_document(db=db, document_id=document.id)
        if job is not None and job.state.value == "failed":
            raise InvalidInput(job.error or "analysis failed", title="Analysis failed")
        raise Conflict("the draft is not analysed yet; poll again", title="Not ready")
    body = stored.body
    return ReportOut(draft_id=document.id, draft_text=document.text or "", ocr=OcrOut.of(document.parsed),
                     copied_ratio=stored.copied_ratio,
                     verdict=stored.verdict, directives_checked=stored.directives_checked,
                     passages=cited_passages(db=db, passages=body["passages"]),
                     sources=body["sources"], created_at=stored.created_at,
                     quota=issue_effect(db=db, agency=document.agency) if document.agency else None,
                     merge_candidates=merging.for_draft(db=db, document=document))
