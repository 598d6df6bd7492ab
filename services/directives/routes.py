"""Directive registry endpoints: admins register higher-level documents to check drafts
against; every role reads the registry."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Query, Request, Response, UploadFile

from services.common.models import AgencyLevel
from services.directives import service
from services.directives.schemas import DirectiveOut, DirectivePage
from services.gateway.accepting import commit_and_dispatch, read_limited
from services.gateway.deps import Admin, AnyRole, AppSettings, Blobs, DbSession, DirectiveId, Offset
from services.gateway.errors import problems

router = APIRouter(prefix="/api/v1/directives", tags=["directives"])


@router.post("", status_code=202, response_model=DirectiveOut,
             responses={200: {"description": "the same bytes were registered before: the existing directive",
                              "model": DirectiveOut},
                        **problems(413, 415, 422, e422="an unreadable file, or an issuer or code that is not "
                                                       "printable text")})
async def register_directive(
    request: Request,
    response: Response,
    db: DbSession,
    key: Admin,
    settings: AppSettings,
    blobs: Blobs,
    file: Annotated[UploadFile, File(description=".docx, .pdf or .txt")],
    level: Annotated[AgencyLevel, Form(description="issuing level of the directive")],
    issuer: Annotated[str, Form(min_length=2, max_length=300, description="issuing body, e.g. Ban Bí thư")],
    agency: Annotated[str | None, Form(max_length=64, description="agency code; default: derived from the issuer")] = None,
) -> DirectiveOut:
    data = await read_limited(file, settings.max_upload_bytes)
    accepted = service.register(db=db, blobs=blobs, settings=settings, data=data,
                                filename=file.filename or "directive", level=level, issuer=issuer, agency=agency)
    commit_and_dispatch(request=request, response=response, db=db, accepted=accepted, kind="directive",
                        location=f"/api/v1/directives/{accepted.document.id}")
    return service.directive_out(db=db, document=accepted.document)


@router.get("", response_model=DirectivePage)
def list_directives(db: DbSession, key: AnyRole, offset: Offset = 0,
                    limit: Annotated[int, Query(ge=1, le=200)] = 50,
                    reference: Annotated[str | None, Query(max_length=160, description="part of the số ký hiệu, "
                                                           "e.g. 226-KL")] = None) -> DirectivePage:
    return service.list_page(db=db, key=key, offset=offset, limit=limit, reference=reference)


@router.get("/{directive_id}", response_model=DirectiveOut, responses=problems(404))
def get_directive(directive_id: DirectiveId, db: DbSession, key: AnyRole) -> DirectiveOut:
    return service.get(db=db, key=key, directive_id=directive_id)
