"""Directive registry endpoints: admins register higher-level documents to check drafts against."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Request, Response, UploadFile

from services.common.errors import NotFound
from services.common.models import AgencyLevel, DocumentKind, Role
from services.common.repositories import agencies as agencies_repo
from services.common.repositories import documents as documents_repo
from services.common.repositories import jobs as jobs_repo
from services.gateway.accepting import commit_and_dispatch
from services.gateway.deps import DbSession, require_role
from services.gateway.routes.drafts import _read_limited
from services.gateway.schemas import DirectiveOut, JobOut
from services.ingest.intake import accept

router = APIRouter(prefix="/api/v1/directives", tags=["directives"])
Admin = require_role(Role.admin)


def _out(db, document) -> DirectiveOut:
    job = jobs_repo.latest_for_document(db=db, document_id=document.id)
    db.refresh(document)
    return DirectiveOut(
        id=document.id, status=document.status.value, agency=document.agency.code if document.agency else None,
        level=document.agency.level.value if document.agency else None, filename=document.filename,
        reference=document.reference, doc_type=document.doc_type, subject=document.subject,
        job=JobOut.model_validate(job, from_attributes=True) if job else None,
    )


@router.post("", status_code=202, response_model=DirectiveOut)
async def register_directive(
    request: Request,
    response: Response,
    db: DbSession,
    key: Admin,
    file: Annotated[UploadFile, File(description=".docx, .pdf or .txt")],
    level: Annotated[AgencyLevel, Form(description="issuing level of the directive")],
    issuer: Annotated[str, Form(min_length=2, max_length=300, description="issuing body, e.g. Ban Bí thư")],
    agency: Annotated[str | None, Form(max_length=64, description="agency code; default: derived from the issuer")] = None,
) -> DirectiveOut:
    settings = request.app.state.settings
    code = agency or "-".join(issuer.upper().split())[:64]
    issuing = agencies_repo.ensure(db=db, code=code, name=issuer, level=level)
    data = await _read_limited(file, settings.max_upload_bytes)
    accepted = accept(db=db, blobs=request.app.state.blobs, settings=settings, data=data,
                      filename=file.filename or "directive", kind=DocumentKind.directive,
                      agency_id=issuing.id, given={})
    commit_and_dispatch(request=request, response=response, db=db, accepted=accepted, kind="directive",
                        location=f"/api/v1/directives/{accepted.document.id}")
    return _out(db, accepted.document)


@router.get("/{directive_id}", response_model=DirectiveOut)
def get_directive(directive_id: int, db: DbSession, key: require_role(Role.drafter, Role.reviewer, Role.admin)) -> DirectiveOut:
    document = documents_repo.get(db=db, document_id=directive_id)
    if document is None or document.kind != DocumentKind.directive:
        raise NotFound("no such directive")
    return _out(db, document)
