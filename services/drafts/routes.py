"""Draft endpoints: upload, status and parse result, list, report."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Query, Request, Response, UploadFile

from services.common.models import Role
from services.drafts import service
from services.drafts.schemas import DraftOut, DraftPage, ReportOut
from services.gateway.accepting import commit_and_dispatch, read_limited
from services.gateway.deps import MAX_ID, AnyRole, AppSettings, Blobs, DbSession, DraftId, Offset, require_role
from services.gateway.errors import problems

router = APIRouter(prefix="/api/v1/drafts", tags=["drafts"])
Uploader = require_role(Role.drafter, Role.admin)


@router.post(
    "", status_code=202, response_model=DraftOut,
    responses={200: {"description": "the same bytes were uploaded before: the existing draft", "model": DraftOut},
               **problems(403, 404, 409, 413, 415, 422, e404="`revises` names no draft this key may see",
                          e409="`revises` names a draft that was not returned, or is revised already")},
)
async def upload_draft(
    request: Request,
    response: Response,
    db: DbSession,
    key: Uploader,
    settings: AppSettings,
    blobs: Blobs,
    file: Annotated[UploadFile, File(description=".docx, .pdf or .txt; the type is read from the content")],
    agency: Annotated[str | None, Form(max_length=64, description="agency code (admins only; drafters upload for their own)")] = None,
    reference: Annotated[str | None, Form(max_length=160)] = None,
    doc_type: Annotated[str | None, Form(max_length=120)] = None,
    subject: Annotated[str | None, Form(max_length=2000)] = None,
    issued_on: Annotated[str | None, Form(pattern=r"^\d{4}(-\d{2}(-\d{2})?)?$",
                                          description="YYYY-MM-DD, YYYY-MM or YYYY: a real date")] = None,
    revises: Annotated[int | None, Form(ge=1, le=MAX_ID, description="id of the returned draft this upload revises")] = None,
) -> DraftOut:
    data = await read_limited(file, settings.max_upload_bytes)
    accepted = service.upload(db=db, blobs=blobs, settings=settings, key=key, data=data,
                              filename=file.filename or "upload", agency=agency, revises=revises,
                              given={"reference": reference, "doc_type": doc_type, "subject": subject,
                                     "issued_on": issued_on})
    commit_and_dispatch(request=request, response=response, db=db, accepted=accepted, kind="draft",
                        location=f"/api/v1/drafts/{accepted.document.id}")
    return service.draft_out(db=db, document=accepted.document)


@router.get("/{draft_id}", response_model=DraftOut, responses=problems(404))
def get_draft(draft_id: DraftId, db: DbSession, key: AnyRole, response: Response) -> DraftOut:
    out = service.draft_out(db=db, document=service.visible_draft(db=db, key=key, draft_id=draft_id))
    if out.job and out.job.state in ("queued", "running"):
        response.headers["Retry-After"] = "1"
    return out


@router.get("", response_model=DraftPage)
def list_drafts(db: DbSession, key: AnyRole, offset: Offset = 0,
                limit: Annotated[int, Query(ge=1, le=200)] = 50) -> DraftPage:
    return service.list_drafts(db=db, key=key, offset=offset, limit=limit)


@router.get("/{draft_id}/report", response_model=ReportOut,
            responses=problems(404, 409, 422, e409="not analysed yet: poll again (see Retry-After)",
                               e422="the analysis failed"))
def get_report(draft_id: DraftId, db: DbSession, key: AnyRole) -> ReportOut:
    return service.report(db=db, key=key, draft_id=draft_id)
