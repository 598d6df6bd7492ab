"""The register of issued documents and the 15% quota: bulk archive import, issuing a
draft, entered baselines, quota figures and the periodic report for the Sở Nội vụ."""
from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, Field

from services.analyzer.issuance import (Period, agency_quota, period_report, province_quota, report_csv,
                                        report_xlsx, today)
from services.common.errors import DraftctlError, NotFound, TooLarge
from services.common.models import Role
from services.common.repositories import agencies as agencies_repo
from services.common.repositories import issuances as issuances_repo
from services.gateway.deps import DbSession, agency_in_view, require_role
from services.ingest.archive import import_lines, read_lines

router = APIRouter(prefix="/api/v1", tags=["register and quota"])

Admin = require_role(Role.admin)
Reader = require_role(Role.drafter, Role.reviewer, Role.admin)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


async def _archive_parts(request: Request, limit: int) -> tuple[bytes, dict[str, bytes]]:
    """The JSON lines and the files: a plain `application/x-ndjson` body, or multipart with
    a `metadata` part (the lines) and `files` parts named as the lines' `file`."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type in ("application/x-ndjson", "application/jsonl", "application/json-lines"):
        body = await request.body()
        if len(body) > limit:
            raise TooLarge(f"the archive is larger than the limit of {limit} bytes")
        return body, {}
    if content_type == "multipart/form-data":
        form = await request.form(max_files=10_000, max_fields=100)
        metadata = form.get("metadata")
        if metadata is None:
            raise DraftctlError("the multipart archive needs a 'metadata' part (JSON lines)", status=422,
                                title="Invalid archive")
        body = await metadata.read() if hasattr(metadata, "read") else str(metadata).encode()
        files, total = {}, len(body)
        for part in form.getlist("files"):
            data = await part.read()
            total += len(data)
            if total > limit:
                raise TooLarge(f"the archive is larger than the limit of {limit} bytes")
            files[part.filename] = data
        return body, files
    raise DraftctlError("send the archive as application/x-ndjson, or multipart/form-data with 'metadata' and "
                        "'files' parts", status=415, title="Unsupported media type")


@router.post("/archive", responses={422: {"description": "invalid lines, each with its line number"}})
async def import_archive(request: Request, db: DbSession, key: Admin) -> dict:
    """Import an archive into the register (all or nothing); files are parsed as issued documents."""
    settings = request.app.state.settings
    body, files = await _archive_parts(request, settings.max_upload_bytes * 50)
    lines = read_lines(body, files)
    result = import_lines(db=db, blobs=request.app.state.blobs, settings=settings, lines=lines, files=files)
    db.commit()
    for job_id, kind in result.jobs:
        request.app.state.runner.enqueue(job_id, kind)
    return result.to_json()


class BaselineIn(BaseModel):
    count: int = Field(ge=0, description="documents the agency issued that year (as counted by the rules)")


@router.put("/agencies/{code}/baseline/{year}")
def put_baseline(code: str, year: Annotated[int, Field(ge=2000, le=2100)], body: BaselineIn, db: DbSession,
                 key: Admin) -> dict:
    agency = agencies_repo.get_by_code(db=db, code=code)
    if agency is None:
        raise NotFound(f"no agency {code!r}")
    issuances_repo.set_baseline(db=db, agency_id=agency.id, year=year, count=body.count)
    return {"agency": code, "year": year, "count": body.count}


@router.get("/quota")
def get_quota(
    db: DbSession, key: Reader,
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
    agency: Annotated[str | None, Query(description="agency code; omitted: every agency and the province")] = None,
    as_of: Annotated[date | None, Query(description="count up to this date (default today)")] = None,
) -> dict:
    as_of = as_of or today()
    year = year or as_of.year
    if agency is None:
        if key.role == Role.drafter:
            raise DraftctlError("a drafter sees its own agency's quota: give agency", status=403, title="Forbidden")
        return province_quota(db=db, year=year, as_of=as_of)
    found = agency_in_view(db, key, agency)
    return {"agency": found.code, "name": found.name, **agency_quota(db=db, agency=found, year=year, as_of=as_of).to_json()}


@router.get("/reports/issuance", responses={200: {"content": {"text/csv": {}, XLSX: {}}}})
def get_issuance_report(
    request: Request, db: DbSession, key: require_role(Role.reviewer, Role.admin),
    period: Annotated[str, Query(description="YYYY, YYYY-Q1..Q4 or YYYY-H1/H2")],
    format: Annotated[str | None, Query(pattern="^(json|csv|xlsx)$")] = None,
):
    report = period_report(db=db, period=Period.parse(period))
    wanted = format or ("csv" if "text/csv" in request.headers.get("accept", "")
                        else "xlsx" if XLSX in request.headers.get("accept", "") else "json")
    filename = f"ban-hanh-{period}"
    if wanted == "csv":
        return Response(report_csv(report), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{filename}.csv"'})
    if wanted == "xlsx":
        return Response(report_xlsx(report), media_type=XLSX,
                        headers={"Content-Disposition": f'attachment; filename="{filename}.xlsx"'})
    return report
