"""Queries on documents (drafts, directives, issued documents)."""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.common.models import Document, DocumentKind, DocumentStatus


def get(*, db: Session, document_id: int) -> Document | None:
    """The document with this id."""
    return db.get(Document, document_id)


def get_by_sha(*, db: Session, kind: DocumentKind, agency_id: int | None, sha256: str) -> Document | None:
    """The document of this kind and agency with these exact bytes, if stored already."""
    agency = Document.agency_id.is_(None) if agency_id is None else Document.agency_id == agency_id
    return db.scalar(select(Document).where(Document.kind == kind, agency, Document.sha256 == sha256))


def add(*, db: Session, document: Document) -> Document:
    """Store a new document row and give it an id."""
    db.add(document)
    db.flush()
    return document


def list_page(
    *, db: Session, kind: DocumentKind, agency_id: int | None, offset: int, limit: int
) -> tuple[list[Document], int]:
    """One page of documents of a kind (optionally of one agency), newest first, and the total."""
    where = [Document.kind == kind]
    if agency_id is not None:
        where.append(Document.agency_id == agency_id)
    total = db.scalar(select(func.count()).select_from(Document).where(*where)) or 0
    rows = db.scalars(select(Document).where(*where).order_by(Document.id.desc()).offset(offset).limit(limit))
    return list(rows), total


def count(*, db: Session) -> int:
    """How many documents are stored."""
    return db.scalar(select(func.count()).select_from(Document)) or 0


def record_parse(*, db: Session, document_id: int, parsed) -> None:
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


def version_ids(*, db: Session, document: Document) -> list[int]:
    """The ids of a draft's versions, oldest first, ending with `document` (each revision
    names the returned draft it revises)."""
    ids, current = [document.id], document
    while current.previous_version_id:
        ids.append(current.previous_version_id)
        current = db.get(Document, current.previous_version_id)
    return ids[::-1]
