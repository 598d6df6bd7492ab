"""The web pages (Vietnamese), server-rendered on the same domain services as the API:
sign-in, drafts and their report, the review queue, the quota dashboard, the directive
registry, the archive, API keys. Every form that changes state carries a CSRF token;
every action answers with a redirect (post/redirect/get) and a message."""
from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from services.agencies import service as agencies_service
from services.common.errors import Conflict, DraftctlError, InvalidInput
from services.common.models import AgencyLevel, ApiKey, Role
from services.common.types import IsoDate
from services.directives import service as directives_service
from services.drafts import service as drafts_service
from services.gateway.accepting import dispatch, read_limited
from services.gateway.deps import MAX_ID, AppSettings, Blobs, DbSession, DraftId, KeyId
from services.gateway.web import charts
from services.gateway.web.marks import Span, marked
from services.gateway.web.session import WebKey, check_csrf, csrf_token, require, sign_in, sign_out
from services.register import service as register_service
from services.register.archive import import_archive
from services.register.export import report_csv, report_xlsx
from services.review import service as review_service
from services.review.schemas import Decision, DecisionIn, IssueIn, Reason, ReasonCode
from services.review.states import Action, ReviewState, roles_for

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=Path(__file__).with_name("templates"))
Csrf = Annotated[str, Form(max_length=100)]

STATE_NAMES = {"drafting": "Đang soạn", "submitted": "Chờ thẩm định", "returned": "Trả lại",
               "approved": "Đã duyệt", "issued": "Đã ban hành", "withdrawn": "Đã rút"}
REASON_NAMES = {"copies_higher_level": "Sao chép văn bản cấp trên", "can_merge": "Có thể tích hợp với văn bản khác",
                "over_quota": "Vượt chỉ tiêu giảm 15%", "other": "Lý do khác"}
KIND_NAMES = {"verbatim": "nguyên văn", "near": "gần nguyên văn", "paraphrase": "diễn đạt lại"}
VERDICT_NAMES = {"ok": "Đạt", "review": "Cần xem xét", "return": "Đề nghị trả lại"}
ROLE_NAMES = {"drafter": "Chuyên viên soạn thảo", "reviewer": "Người thẩm định", "admin": "Quản trị"}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def page(request: Request, template: str, key: ApiKey | None, status: int = 200, **context) -> HTMLResponse:
    """Render a page with what every page shows: the signed-in key, the message, the token."""
    flash = request.session.pop("flash", None)
    return templates.TemplateResponse(request, template, {
        "key": key, "flash": flash, "csrf": csrf_token(request), "states": STATE_NAMES, "reasons": REASON_NAMES,
        "kinds": KIND_NAMES, "verdicts": VERDICT_NAMES, "roles": ROLE_NAMES, "Role": Role, **context},
        status_code=status)


def done(request: Request, url: str, message: str, *, error: bool = False) -> RedirectResponse:
    request.session["flash"] = {"text": message, "error": error}
    return RedirectResponse(url, status_code=303)


def _int(value: str | None) -> int | None:
    """A form's optional id: empty is none; anything else must be an id."""
    if not value:
        return None
    if not value.isdigit() or not 1 <= int(value) <= MAX_ID:
        raise InvalidInput(f"{value!r} is not a draft number", title="Invalid form")
    return int(value)


# -- sign-in ------------------------------------------------------------------------------------

@router.get("/")
def home(request: Request) -> RedirectResponse:
    return RedirectResponse("/drafts" if request.session.get("key_id") else "/sign-in", status_code=303)


@router.get("/sign-in", response_class=HTMLResponse)
def sign_in_form(request: Request):
    return page(request, "sign_in.html", None)


@router.post("/sign-in")
def sign_in_submit(request: Request, db: DbSession, csrf: Csrf, api_key: Annotated[str, Form(max_length=200)] = ""):
    check_csrf(request, csrf)
    try:
        key = sign_in(request=request, db=db, plain=api_key)
    except DraftctlError:
        return page(request, "sign_in.html", None, status=401, error="Khóa API không đúng, đã bị thu hồi hoặc hết hạn.")
    return done(request, "/review" if key.role == Role.reviewer else "/drafts",
                f"Đã đăng nhập: {key.name} ({ROLE_NAMES[key.role.value]})")


@router.post("/sign-out")
def sign_out_submit(request: Request, csrf: Csrf):
    check_csrf(request, csrf)
    sign_out(request)
    return RedirectResponse("/sign-in", status_code=303)


# -- drafts -------------------------------------------------------------------------------------

@router.get("/drafts", response_class=HTMLResponse)
def drafts_page(request: Request, db: DbSession, key: WebKey, offset: Annotated[int, Query(ge=0, le=MAX_ID)] = 0):
    listing = drafts_service.list_drafts(db=db, key=key, offset=offset, limit=50)
    agencies = agencies_service.list_agencies(db=db) if key.role == Role.admin else []
    return page(request, "drafts.html", key, listing=listing, agencies=agencies)


@router.post("/drafts")
async def upload_page(request: Request, db: DbSession, key: WebKey, settings: AppSettings, blobs: Blobs, csrf: Csrf,
                      file: Annotated[UploadFile, File()],
                      revises: Annotated[str | None, Form(max_length=12)] = None,
                      agency: Annotated[str | None, Form(max_length=64)] = None):
    check_csrf(request, csrf)
    require(key, Role.drafter, Role.admin)
    data = await read_limited(file, settings.max_upload_bytes)
    accepted = drafts_service.upload(db=db, blobs=blobs, settings=settings, key=key, data=data,
                                     filename=file.filename or "upload", agency=agency or None,
                                     revises=_int(revises), given={})
    db.commit()
    if accepted.created:
        dispatch(request, [(accepted.job.id, accepted.job.kind)])
    message = "Đã tải lên; đang đọc và kiểm tra sao chép…" if accepted.created else "Tệp này đã được tải lên trước đó."
    return done(request, f"/drafts/{accepted.document.id}", message)


@router.get("/drafts/{draft_id}", response_class=HTMLResponse)
def draft_page(request: Request, db: DbSession, key: WebKey, draft_id: DraftId):
    document = drafts_service.visible_draft(db=db, key=key, draft_id=draft_id)
    draft = drafts_service.draft_out(db=db, document=document)
    report, pending, failed = None, False, None
    if draft.status == "failed":
        failed = draft.error
    else:
        try:
            report = drafts_service.report(db=db, key=key, draft_id=draft_id)
        except Conflict:
            pending = True
        except InvalidInput as exc:
            failed = exc.detail
    context = {"draft": draft, "report": report, "pending": pending, "failed": failed,
               "audit": review_service.audit(db=db, key=key, draft_id=draft_id), "state": draft.review.state.value,
               "can": review_service.available_actions(key=key, state=draft.review.state,
                                                       verdict=report.verdict if report else None), "today": date.today().isoformat()}
    if report is not None:
        context.update(_report_view(db, key, report))
    return page(request, "draft.html", key, **context)


def _report_view(db, key: ApiKey, report) -> dict:
    """The two sides of the report page: the draft's text and each source's, passages marked."""
    order = []
    for p in report.passages:
        if p.source_document_id not in order:
            order.append(p.source_document_id)
    directives = directives_service.texts(db=db, key=key, directive_ids=order)
    draft_spans, source_spans = [], {i: [] for i in order}
    for n, p in enumerate(report.passages):
        colour = order.index(p.source_document_id)
        draft_spans.append(Span(p.draft_start, p.draft_end, f"d{n}", f"s{n}", colour))
        source_spans[p.source_document_id].append(Span(p.source_start, p.source_end, f"s{n}", f"d{n}", colour))
    sources = [{"id": i, "colour": c, "reference": directives[i].reference or f"#{i}",
                "doc_type": directives[i].doc_type, "html": marked(directives[i].text or "", source_spans[i]),
                "share": next((s.chars for s in report.sources if s.source == f"document:{i}"), 0)}
               for c, i in enumerate(order)]
    return {"draft_html": marked(report.draft_text, draft_spans), "sources": sources,
            "passage_sources": [order.index(p.source_document_id) for p in report.passages]}


@router.post("/drafts/{draft_id}/submit")
def submit_page(request: Request, db: DbSession, key: WebKey, draft_id: DraftId, csrf: Csrf):
    check_csrf(request, csrf)
    require(key, *roles_for(Action.submit))
    out = review_service.submit(db=db, key=key, draft_id=draft_id)
    return done(request, f"/drafts/{draft_id}", "Đã gửi thẩm định." if out.action == "submit" else "Đã gửi lại thẩm định.")


@router.post("/drafts/{draft_id}/withdraw")
def withdraw_page(request: Request, db: DbSession, key: WebKey, draft_id: DraftId, csrf: Csrf,
                  comment: Annotated[str | None, Form(max_length=5000)] = None):
    check_csrf(request, csrf)
    require(key, *roles_for(Action.withdraw))
    review_service.withdraw(db=db, key=key, draft_id=draft_id, comment=comment or None)
    return done(request, f"/drafts/{draft_id}", "Đã rút dự thảo.")


@router.post("/drafts/{draft_id}/issue")
def issue_page(request: Request, db: DbSession, key: WebKey, draft_id: DraftId, csrf: Csrf,
               number: Annotated[str, Form(max_length=40)], day: Annotated[str, Form(max_length=10)],
               symbol: Annotated[str | None, Form(max_length=120)] = None,
               doc_type: Annotated[str | None, Form(max_length=120)] = None):
    check_csrf(request, csrf)
    require(key, *roles_for(Action.issue))
    try:
        body = IssueIn(number=number, date=day, symbol=symbol or None, doc_type=doc_type or None)
    except ValueError as exc:
        return done(request, f"/drafts/{draft_id}", f"Số hoặc ngày ban hành không hợp lệ: {exc}", error=True)
    out = review_service.issue(db=db, key=key, draft_id=draft_id, body=body)
    return done(request, f"/drafts/{draft_id}", f"Đã ban hành {out.reference} ngày {out.date:%d/%m/%Y}.")


# -- review -------------------------------------------------------------------------------------

@router.get("/review", response_class=HTMLResponse)
def review_page(request: Request, db: DbSession, key: WebKey,
                state: Annotated[ReviewState, Query()] = ReviewState.submitted,
                agency: Annotated[str | None, Query(max_length=64)] = None):
    require(key, Role.reviewer, Role.admin)
    queue = review_service.queue(db=db, key=key, state=state, agency=agency or None)
    return page(request, "review.html", key, queue=queue, agency=agency or "",
                agencies=agencies_service.list_agencies(db=db))


@router.post("/review/{draft_id}/decision")
def decision_page(request: Request, db: DbSession, key: WebKey, draft_id: DraftId, csrf: Csrf,
                  decision: Annotated[Decision, Form()],
                  reasons: Annotated[list[ReasonCode], Form()] = [],  # noqa: B006 (FastAPI copies it)
                  comment: Annotated[str | None, Form(max_length=5000)] = None):
    check_csrf(request, csrf)
    require(key, *roles_for(Action.approve))
    try:
        body = DecisionIn(decision=decision, reasons=[Reason(code=c) for c in reasons], comment=comment or None)
    except ValueError:
        return done(request, f"/drafts/{draft_id}", "Trả lại dự thảo cần ít nhất một lý do.", error=True)
    out = review_service.decide(db=db, key=key, draft_id=draft_id, body=body)
    return done(request, f"/drafts/{draft_id}", "Đã duyệt dự thảo." if out.action == "approve"
                else "Đã trả lại dự thảo kèm lý do.")


# -- quota and reports --------------------------------------------------------------------------

@router.get("/quota", response_class=HTMLResponse)
def quota_page(request: Request, db: DbSession, key: WebKey,
               year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
               as_of: Annotated[IsoDate | None, Query()] = None):
    today = as_of or register_service.today()
    year = year or today.year
    if key.role == Role.drafter:
        own = register_service.quota(db=db, key=key, year=year, agency=key.agency.code, as_of=today)
        agencies, province = [own], None
    else:
        figures = register_service.quota(db=db, key=key, year=year, agency=None, as_of=today)
        agencies, province = figures["agencies"], figures["province"]
    report = register_service.period_report(db=db, period=register_service.Period.parse(str(year)))
    if key.role == Role.drafter:
        months = [(f"{year}-{m}", agencies[0]["by_month"][m],
                   round((agencies[0]["target_max"] or 0) / 12, 1)) for m in sorted(agencies[0]["by_month"])]
    else:
        months = [(m["month"], m["issued"], m["target"]) for m in report["by_month"]]
    chart = charts.issued_against_target(months, title=f"Văn bản ban hành so với mục tiêu, theo tháng, năm {year}")
    return page(request, "quota.html", key, year=year, as_of=today, agencies=agencies, province=province,
                chart=chart)


@router.get("/quota/report")
def quota_report_download(request: Request, db: DbSession, key: WebKey,
                          period: Annotated[str, Query(pattern=r"^\d{4}(-(Q[1-4]|H[12]))?$")],
                          format: Annotated[str, Query(pattern="^(csv|xlsx)$")] = "xlsx"):
    require(key, Role.reviewer, Role.admin)
    report = register_service.period_report(db=db, period=register_service.Period.parse(period))
    if format == "csv":
        return Response(report_csv(report), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="ban-hanh-{period}.csv"'})
    return Response(report_xlsx(report), media_type=XLSX,
                    headers={"Content-Disposition": f'attachment; filename="ban-hanh-{period}.xlsx"'})


# -- the directive registry ---------------------------------------------------------------------

@router.get("/directives", response_class=HTMLResponse)
def directives_page(request: Request, db: DbSession, key: WebKey,
                    reference: Annotated[str | None, Query(max_length=160)] = None):
    listing = directives_service.list_page(db=db, key=key, offset=0, limit=200, reference=reference or None)
    return page(request, "directives.html", key, listing=listing, reference=reference or "", levels=list(AgencyLevel))


@router.post("/directives")
async def directive_upload_page(request: Request, db: DbSession, key: WebKey, settings: AppSettings, blobs: Blobs,
                                csrf: Csrf, file: Annotated[UploadFile, File()],
                                level: Annotated[AgencyLevel, Form()],
                                issuer: Annotated[str, Form(min_length=2, max_length=300)],
                                agency: Annotated[str | None, Form(max_length=64)] = None):
    check_csrf(request, csrf)
    require(key, Role.admin)
    data = await read_limited(file, settings.max_upload_bytes)
    accepted = directives_service.register(db=db, blobs=blobs, settings=settings, data=data,
                                           filename=file.filename or "directive", level=level, issuer=issuer,
                                           agency=agency or None)
    db.commit()
    if accepted.created:
        dispatch(request, [(accepted.job.id, accepted.job.kind)])
    return done(request, "/directives", "Đã đăng ký văn bản; đang lập chỉ mục." if accepted.created
                else "Văn bản này đã có trong danh mục.")


# -- archive and scans --------------------------------------------------------------------------

@router.get("/archive", response_class=HTMLResponse)
def archive_page(request: Request, db: DbSession, key: WebKey):
    require(key, Role.admin)
    return page(request, "archive.html", key, scans=register_service.scan_records(db=db))


@router.post("/archive")
async def archive_upload_page(request: Request, db: DbSession, key: WebKey, settings: AppSettings, blobs: Blobs,
                              csrf: Csrf, metadata: Annotated[UploadFile, File()],
                              files: Annotated[list[UploadFile], File()] = []):  # noqa: B006
    check_csrf(request, csrf)
    require(key, Role.admin)
    limit = settings.max_upload_bytes * 50
    body = await read_limited(metadata, limit)
    stored = {f.filename or "": await read_limited(f, limit) for f in files if f.filename}
    result = import_archive(db=db, blobs=blobs, settings=settings, body=body, files=stored)
    db.commit()
    dispatch(request, result.jobs)
    return done(request, "/archive", f"Đã nhập {result.registered} văn bản vào sổ đăng ký "
                f"({result.already_registered} đã có, {result.documents} tệp được kiểm tra).")


# -- API keys -----------------------------------------------------------------------------------

@router.get("/keys", response_class=HTMLResponse)
def keys_page(request: Request, db: DbSession, key: WebKey):
    require(key, Role.admin)
    return _keys(request, db, key)


def _keys(request: Request, db, key: ApiKey, created: dict | None = None, status: int = 200) -> HTMLResponse:
    keys = [(k, agencies_service.key_state(k)) for k in agencies_service.list_keys(db=db)]
    response = page(request, "keys.html", key, status=status, keys=keys, created=created,
                    agencies=agencies_service.list_agencies(db=db))
    response.headers["Cache-Control"] = "no-store"
    return response


@router.post("/keys", response_class=HTMLResponse)
def key_create_page(request: Request, db: DbSession, key: WebKey, csrf: Csrf, role: Annotated[Role, Form()],
                    name: Annotated[str, Form(min_length=1, max_length=200)],
                    agency: Annotated[str | None, Form(max_length=64)] = None,
                    days: Annotated[int | None, Form(ge=1, le=3650)] = None):
    check_csrf(request, csrf)
    require(key, Role.admin)
    created, plain = agencies_service.create_key(db=db, role=role, agency_code=agency or None, name=name, days=days)
    db.flush()
    # The new key is shown in this answer only (never stored, never put in the session cookie,
    # which is signed but readable).
    return _keys(request, db, key, created={"name": created.name, "key": plain}, status=201)


@router.post("/keys/{key_id}/revoke")
def key_revoke_page(request: Request, db: DbSession, key: WebKey, key_id: KeyId, csrf: Csrf):
    check_csrf(request, csrf)
    require(key, Role.admin)
    revoked = agencies_service.revoke_key(db=db, key_id=key_id)
    return done(request, "/keys", f"Đã thu hồi khóa {revoked.prefix}… ({revoked.name}).")
