"""Accepting a document: checks, content-addressed storage, document and job rows.

Nothing is written until the bytes pass the preflight checks; the caller commits
and only then enqueues the job.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from services.common.blobs import BlobStore, sha256_hex
from services.common.models import Document, DocumentKind, Job
from services.common.repositories import jobs as jobs_repo
from services.common.settings import Settings
from services.documents import repository as documents_repo
from services.documents.pipeline import STEPS
from services.ingest.pipeline import preflight


@dataclass
class Accepted:
    document: Document
    job: Job | None  # None when the same bytes were already stored
    created: bool


def accept(
    *,
    db: Session,
    blobs: BlobStore,
    settings: Settings,
    data: bytes,
    filename: str,
    kind: DocumentKind,
    agency_id: int | None,
    given: dict[str, str | None],
) -> Accepted:
    """Store an upload once; the same bytes from the same agency return the existing document."""
    media_type = preflight(data, settings=settings)
    digest = sha256_hex(data)
    existing = documents_repo.get_by_sha(db=db, kind=kind, agency_id=agency_id, sha256=digest)
    if existing is not None:
        return Accepted(existing, jobs_repo.latest_for_document(db=db, document_id=existing.id), created=False)
    blobs.put(data)
    document = documents_repo.add(
        db=db,
        document=Document(
            kind=kind,
            agency_id=agency_id,
            sha256=digest,
            filename=filename[:500] or "upload",
            media_type=media_type,
            size=len(data),
            **{k: v for k, v in given.items() if v},
        ),
    )
    job = jobs_repo.create(db=db, document_id=document.id, kind=STEPS[kind][0])
    return Accepted(document, job, created=True)
