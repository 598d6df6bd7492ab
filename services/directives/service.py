"""The rules of the directive registry: who issued a directive (a checked agency, created
on first upload), what the registry shows."""
from __future__ import annotations

from sqlalchemy.orm import Session

from services.agencies import service as agencies_service
from services.common.blobs import BlobStore
from services.common.models import AgencyLevel, ApiKey, Document, DocumentKind
from services.common.repositories import jobs as jobs_repo
from services.common.settings import Settings
from services.documents import repository as documents_repo
from services.documents.intake import Accepted, accept
from services.documents.schemas import JobOut
from services.documents.service import visible_document
from services.directives.schemas import DirectiveOut, DirectivePage


def register(*, db: Session, blobs: BlobStore, settings: Settings, data: bytes, filename: str,
             level: AgencyLevel, issuer: str, agency: str | None) -> Accepted:
    """Accept a directive of `issuer` (agency `agency`, or a code derived from the name).
    An issuer met for the first time becomes an agency of `level`."""
    code = agencies_service.check_code(agency) if agency else agencies_service.code_for(issuer)
    issuing, _ = agencies_service.ensure_agency(db=db, code=code, name=issuer, level=level)
    return accept(db=db, blobs=blobs, settings=settings, data=data, filename=filename,
                  kind=DocumentKind.directive, agency_id=issuing.id, given={})


def directive_out(*, db: Session, document: Document) -> DirectiveOut:
    """What the API shows of a directive."""
    job = jobs_repo.latest_for_document(db=db, document_id=document.id)
    db.refresh(document)
    return DirectiveOut(
        id=document.id, status=document.status.value, agency=document.agency.code if document.agency else None,
        level=document.agency.level.value if document.agency else None, filename=document.filename,
        reference=document.reference, doc_type=document.doc_type, subject=document.subject,
        job=JobOut.model_validate(job, from_attributes=True) if job else None,
    )


def get(*, db: Session, key: ApiKey, directive_id: int) -> DirectiveOut:
    """A registered directive; NotFound otherwise."""
    document = visible_document(db=db, key=key, document_id=directive_id, kind=DocumentKind.directive)
    return directive_out(db=db, document=document)


def list_page(*, db: Session, key: ApiKey, offset: int, limit: int, reference: str | None) -> DirectivePage:
    """One page of the registry, newest first; `reference` keeps those whose số ký hiệu holds it."""
    rows, total = documents_repo.list_page(db=db, key=key, kind=DocumentKind.directive, offset=offset,
                                           limit=limit, reference=reference)
    return DirectivePage(items=[directive_out(db=db, document=d) for d in rows], total=total, offset=offset,
                         limit=limit)


def texts(*, db: Session, key: ApiKey, directive_ids: list[int]) -> dict[int, Document]:
    """The directives with these ids that `key` may read (their text is what a report shows)."""
    return {i: visible_document(db=db, key=key, document_id=i, kind=DocumentKind.directive) for i in directive_ids}
