"""Queries on documents (drafts, directives, issued documents) and their reports, with the
one rule of who may read a document (`visible_to`)."""
from __future__ import annotations

from sqlalchemy import ColumnElement, func, or_, select, true, update
from sqlalchemy.orm import Session

from services.common.models import Agency, ApiKey, Document, DocumentKind, DocumentStatus, Report, Role


def visible_to(key: ApiKey) -> ColumnElement[bool]:
    """Who may read a document: reviewers and admins every one; a drafter its own agency's
    documents and every directive. Another agency's document is, to a drafter, not there."""
    if key.role != Role.drafter:
        return true()
    return or_(Document.agency_id == key.agency_id, Document.kind == DocumentKind.directive)


def agency_visible_to(key: ApiKey, agency: Agency) -> bool:
    """The same rule for an agency's figures (quota, merge candidates): a drafter sees its own."""
    return key.role != Role.drafter or agency.id == key.agency_id


def get(*, db: Session, document_id: int) -> Document | None:
    """The document with this id (for jobs and workers, which act for no key)."""
    return db.get(Document, document_id)


def get_visible(*, db: Session, key: ApiKey, document_id: int, kind: DocumentKind) -> Document | None:
    """The document of this kind with this id, if `key` may read it."""
    return db.scalar(select(Document).where(Document.id == document_id, Document.kind == kind, visible_to(key)))


def get_by_sha(*, db: Session, kind: DocumentKind, agency_id: int | None, sha256: str) -> Document | None:
    """The document of this kind and agency with these exact bytes, if stored already."""
    agency = Document.agency_id.is_(None) if agency_id is None else Document.agency_id == agency_id
    return db.scalar(select(Document).where(Document.kind == kind, agency, Document.sha256 == sha256))


def add(*, db: Session, document: Document) -> Document:
    """Store a new document row and give it an id."""
    db.add(document)
    db.flush()
    return document


def list_page(*, db: Session, key: ApiKey, kind: DocumentKind, offset: int, limit: int,
              agency_id: int | None = None, reference: str | None = None) -> tuple[list[Document], int]:
    """One page of the documents of a kind that `key` may read (optionally of one agency, or
    whose số ký hiệu holds `reference`), newest first, and their total."""
    where = [Document.kind == kind, visible_to(key)]
    if agency_id is not None:
        where.append(Document.agency_id == agency_id)
    if reference:
        where.append(func.lower(Document.reference).contains(reference.lower(), autoescape=True))
    total = db.scalar(select(func.count()).select_from(Document).where(*where)) or 0
    rows = db.scalars(select(Document).where(*where).order_by(Document.id.desc()).offset(offset).limit(limit))
    return list(rows), total


def in_review(*, db: Session, key: ApiKey, state: str, agency_id: int | None) -> list[Document]:
    """Drafts `key` may read that are in this review state (optionally of one agency)."""
    query = select(Document).where(Document.kind == DocumentKind.draft, Document.review_state == state,
                                   visible_to(key))
    if agency_id is not None:
        query = query.where(Document.agency_id == agency_id)
    return list(db.scalars(query.order_by(Document.id)))


def count(*, db: Session) -> int:
    """How many documents are stored."""
    return db.scalar(select(func.count()).select_from(Document)) or 0


def record_parse(*, db: Session, document_id: int, parsed) -> Document:
    """Store a ParsedDocument on its row; metadata given at upload is kept over parsed values."""
    doc = db.get(Document, document_id)
    md = parsed.metadata
    doc.text = parsed.text
    doc.parsed = parsed.to_json(include_text=False)
    doc.number = doc.number or md.number
    doc.symbol = doc.symbol or md.symbol
    doc.reference = doc.reference or md.reference
    doc.doc_type = doc.doc_type or md.doc_type
    doc.issued_on = doc.issued_on or md.date
    doc.subject = doc.subject or md.subject
    doc.status = DocumentStatus.parsed
    doc.error = None
    return doc


def set_status(*, db: Session, document_id: int, status: DocumentStatus, error: str | None = None) -> None:
    """Change a document's processing status."""
    doc = db.get(Document, document_id)
    doc.status = status
    doc.error = error


def parsed_of_agency(*, db: Session, agency_id: int, kinds: tuple[DocumentKind, ...]) -> list[Document]:
    """The agency's parsed documents of the given kinds (what merge detection compares)."""
    return list(db.scalars(select(Document).where(Document.agency_id == agency_id, Document.kind.in_(kinds),
                                                  Document.status == DocumentStatus.parsed)
                           .order_by(Document.id)))


def agencies_of(*, db: Session, document_ids: list[int]) -> list[int]:
    """The distinct agencies of these documents."""
    return sorted(db.scalars(select(Document.agency_id).where(Document.id.in_(document_ids),
                                                              Document.agency_id.is_not(None)).distinct()))


def version_ids(*, db: Session, document: Document) -> list[int]:
    """The ids of a draft's versions, oldest first, ending with `document` (each revision
    names the returned draft it revises)."""
    ids, current = [document.id], document
    while current.previous_version_id:
        ids.append(current.previous_version_id)
        current = db.get(Document, current.previous_version_id)
    return ids[::-1]


def move_review_state(*, db: Session, document_id: int, sources: list[str | None], target: str | None) -> bool:
    """Move a draft's review state to `target` if it is still one of `sources` (one guarded
    UPDATE: of two requests at once, one moves the row and the other finds it moved)."""
    allowed = [Document.review_state.in_([s for s in sources if s is not None])]
    if None in sources:
        allowed.append(Document.review_state.is_(None))
    result = db.execute(update(Document).where(Document.id == document_id, or_(*allowed))
                        .values(review_state=target).execution_options(synchronize_session="fetch"))
    return result.rowcount == 1


def revision_of(*, db: Session, document_id: int) -> Document | None:
    """The draft that revises this one, if any."""
    return db.scalar(select(Document).where(Document.previous_version_id == document_id).limit(1))


def report_of(*, db: Session, document_id: int) -> Report | None:
    """The copy-detection report of a document, if checked."""
    return db.scalar(select(Report).where(Report.document_id == document_id))


def save_report(*, db: Session, document_id: int, body: dict, copied_ratio: float, verdict: str,
                checked: int) -> Report:
    """Store a document's report (the caller has merged in what an earlier check found)."""
    report = report_of(db=db, document_id=document_id)
    if report is None:
        report = Report(document_id=document_id)
        db.add(report)
    report.body, report.copied_ratio, report.verdict, report.directives_checked = body, copied_ratio, verdict, checked
    db.flush()
    return report
