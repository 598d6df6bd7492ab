"""Register endpoints: archive import, entered baselines, quota figures, the periodic report
for the Sở Nội vụ, and merge candidates."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response

from services.analyzer.merge import WINDOW_DAYS
from services.common.types import IsoDate
from services.common.errors import InvalidInput, TooLarge, UnsupportedType
from services.gateway.accepting import dispatch
from services.gateway.deps import Admin, AnyRole, AppSettings, Blobs, DbSession, Staff
from services.gateway.errors import problems
from services.register import service
from services.register.archive import import_archive as import_lines
from services.register.export import report_csv, report_xlsx
from services.register.schemas import (AgencyQuota, BaselineIn, BaselineOut, ImportOut, MergeClusters, PeriodReport,
                                       ProvinceQuota)

router = APIRouter(prefix="/api/v1", tags=["register and quota"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
AgencyCode = Annotated[str, Path(min_length=1, max_length=64, description="agency code, e.g. UBND-LS")]
Year = Annotated[int, Path(ge=2000, le=2100)]

_ARCHIVE_BODY = {
    "required": True,
    "content": {
        "application/x-ndjson": {"schema": {"type": "string", "description": "one JSON object per line: agency, "
                                            "reference, doc_type, date, and optionally subject, withdrawn, "
                                            "agency_name, agency_level"}},
        "multipart/form-data": {"schema": {
            "type": "object", "required": ["metadata"],
            "properties": {"metadata": {"type": "string", "format": "binary",
                                        "description": "the JSON lines; a line's `file` names one of `files`"},
                           "files": {"type": "array", "items": {"type": "string", "format": "binary"}}}}},
    },
}


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
            raise InvalidInput("the multipart archive needs a 'metadata' part (JSON lines)", title="Invalid archive")
        body = await metadata.read() if hasattr(metadata, "read") else str(metadata).encode()
        files, total = {}, len(body)
        for part in form.getlist("files"):
            if not hasattr(part, "read"):
                raise InvalidInput("each 'files' part is a file", title="Invalid archive")
            data = await part.read()
            total += len(data)
            if total > limit:
                raise TooLarge(f"the archive is larger than the limit of {limit} bytes")
            files[part.filename or ""] = data
        return body, files
    raise UnsupportedType("send the archive as application/x-ndjson, or multipart/form-data with 'metadata' and "
                          "'files' parts", title="Unsupported media type")


@router.post("/archive", response_model=ImportOut, openapi_extra={"requestBody": _ARCHIVE_BODY},
             responses=problems(413, 415, 422, e422="invalid lines or unreadable files, each with its line "
                                                    "number (`errors`); nothing was imported"))
async def import_archive(request: Request, db: DbSession, key: Admin, settings: AppSettings,
                         blobs: Blobs) -> ImportOut:
    """Import an archive into the register (all or nothing). Its files are stored as issued
    documents, parsed, and checked against the registered directives."""
    body, files = await _archive_parts(request, settings.max_upload_bytes * 50)
    result = import_lines(db=db, blobs=blobs, settings=settings, body=body, files=files)
    db.commit()
    dispatch(request, result.jobs)
    return ImportOut(**result.to_json())


@router.put("/agencies/{code}/baseline/{year}", response_model=BaselineOut, responses=problems(404))
def put_baseline(code: AgencyCode, year: Year, body: BaselineIn, db: DbSession, key: Admin) -> BaselineOut:
    """Enter the agency's count of a year the register does not hold."""
    service.set_baseline(db=db, code=code, year=year, count=body.count)
    return BaselineOut(agency=code, year=year, count=body.count)


@router.get("/quota", response_model=AgencyQuota | ProvinceQuota,
            responses=problems(403, 404, e403="a drafter asks for its own agency only"))
def get_quota(
    db: DbSession, key: AnyRole,
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
    agency: Annotated[str | None, Query(max_length=64, description="agency code; omitted: every agency and the province")] = None,
    as_of: Annotated[IsoDate | None, Query(description="count up to this date (default today)")] = None,
) -> AgencyQuota | ProvinceQuota:
    return service.quota(db=db, key=key, year=year, agency=agency, as_of=as_of)


@router.get("/reports/issuance", response_model=PeriodReport,
            responses={200: {"content": {"text/csv": {"schema": {"type": "string"}},
                                         XLSX: {"schema": {"type": "string", "format": "binary"}}}},
                       **problems(422, e422="a period that is not YYYY, YYYY-Q1..Q4 or YYYY-H1/H2 of 2000–2100")})
def get_issuance_report(
    request: Request, db: DbSession, key: Staff,
    period: Annotated[str, Query(pattern=r"^\d{4}(-(Q[1-4]|H[12]))?$", description="YYYY, YYYY-Q1..Q4 or YYYY-H1/H2")],
    format: Annotated[str | None, Query(pattern="^(json|csv|xlsx)$")] = None,
):
    """The issuance report of a period: one row per agency, issued against the 15% target."""
    report = service.period_report(db=db, period=service.Period.parse(period))
    accept = request.headers.get("accept", "")
    wanted = format or ("csv" if "text/csv" in accept else "xlsx" if XLSX in accept else "json")
    filename = f"ban-hanh-{period}"
    if wanted == "csv":
        return Response(report_csv(report), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{filename}.csv"'})
    if wanted == "xlsx":
        return Response(report_xlsx(report), media_type=XLSX,
                        headers={"Content-Disposition": f'attachment; filename="{filename}.xlsx"'})
    return report


@router.get("/merge-candidates", response_model=MergeClusters,
            responses=problems(403, 404, 422, e403="a drafter asks for its own agency only",
                               e422="'from' is after 'to'"))
def merge_candidates(
    db: DbSession, key: AnyRole,
    agency: Annotated[str | None, Query(max_length=64, description="agency code; omitted: every agency (not for drafters)")] = None,
    from_: Annotated[IsoDate | None, Query(alias="from")] = None,
    to: Annotated[IsoDate | None, Query()] = None,
    window_days: Annotated[int, Query(ge=1, le=730)] = WINDOW_DAYS,
) -> MergeClusters:
    """Clusters of an agency's documents that could be one."""
    return service.merge_clusters(db=db, key=key, agency=agency, start=from_, end=to, window_days=window_days)
