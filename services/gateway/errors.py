"""problem+json (RFC 9457): the one shape of every error answer, its handlers, and its
place in the OpenAPI description (`problems(...)` on a route, `describe` for the rest)."""
from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from services.common.errors import DraftctlError

PROBLEM = "application/problem+json"
log = logging.getLogger(__name__)


class Problem(BaseModel):
    """An error answer (RFC 9457)."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    instance: str | None = None
    errors: list[dict[str, Any]] | None = Field(default=None, description="per field or per line, when several")


DESCRIPTIONS = {
    400: "the request body cannot be parsed (not JSON, broken multipart)",
    401: "no API key, or a key that is unknown, revoked or expired",
    403: "the key's role may not do this",
    404: "no such resource (or not one this key may see)",
    409: "the resource's state does not allow this now",
    413: "the upload is larger than the limit",
    415: "the upload is not a type draftctl reads",
    422: "the request breaks a rule: invalid fields, an unknown agency, a date in the future…",
}
_REF = {"$ref": "#/components/schemas/Problem"}


def problems(*statuses: int, **why: str) -> dict[int | str, dict]:
    """The `responses` entry of a route for the errors it can answer; `why` overrides a
    description, keyed `e409="…"`."""
    return {s: {"description": why.get(f"e{s}", DESCRIPTIONS[s]), "content": {PROBLEM: {"schema": _REF}}}
            for s in statuses}


def problem(status: int, title: str, detail: str, instance: str | None = None, **extra) -> JSONResponse:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail}
    if instance:
        body["instance"] = instance
    body.update(extra)
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(body, status_code=status, media_type=PROBLEM, headers=headers)


def install(app: FastAPI) -> None:
    from services.gateway.web import errors as web_errors

    @app.exception_handler(DraftctlError)
    async def _draftctl(request: Request, exc: DraftctlError):
        if web_errors.is_page(request):
            return web_errors.render(request, exc.status, exc.title, exc.detail)
        return problem(exc.status, exc.title, exc.detail, request.url.path, **exc.extra)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError):
        errors = [
            {"loc": list(e.get("loc", [])), "msg": e.get("msg", ""), "type": e.get("type", "")} for e in exc.errors()
        ]
        detail = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in errors)
        if web_errors.is_page(request):
            return web_errors.render(request, 422, "Dữ liệu không hợp lệ", detail)
        return problem(422, "Invalid request", detail, request.url.path, errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException):
        titles = {400: "Bad request", 404: "Not found", 405: "Method not allowed", 401: "Unauthorized",
                  403: "Forbidden"}
        if web_errors.is_page(request) and exc.status_code in (400, 404):
            return web_errors.render(request, exc.status_code, "Không tìm thấy" if exc.status_code == 404
                                     else "Yêu cầu không hợp lệ", str(exc.detail))
        response = problem(exc.status_code, titles.get(exc.status_code, "Error"), str(exc.detail), request.url.path)
        if exc.headers:
            response.headers.update(exc.headers)
        if exc.status_code == 405:
            # Starlette names the methods of the first route on the path; the resource has them all.
            response.headers["Allow"] = ", ".join(_methods_at(app, request))
        return response


def _methods_at(app: FastAPI, request: Request) -> list[str]:
    """Every method some route of the app answers at the request's path."""
    from starlette.routing import Match

    methods: set[str] = set()
    for route in app.router.routes:
        match, _ = route.matches({**request.scope, "method": "GET", "type": "http"})
        if match != Match.NONE and getattr(route, "methods", None):
            methods |= set(route.methods)
    return sorted(methods)


def internal_error(request: Request) -> JSONResponse:
    """The answer to a bug: logged with its traceback (JSON), shown without it."""
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return problem(500, "Internal error", "the server failed on this request; it is logged with the request id",
                   request.url.path)


def describe(app: FastAPI) -> None:
    """Make /openapi.json say what the API answers: every error as problem+json, 401 and 403
    on every route that takes a key, 422 as problem+json wherever FastAPI validates."""

    def openapi() -> dict:
        if app.openapi_schema:
            return app.openapi_schema
        schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components["Problem"] = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
        for path in schema.get("paths", {}).values():
            for operation in path.values():
                responses = operation.setdefault("responses", {})
                if operation.get("security"):
                    for status in ("401", "403"):
                        responses.setdefault(status, problems(int(status))[int(status)])
                if "422" in responses:
                    responses["422"] = problems(422)[422]
                if "requestBody" in operation:  # a body that cannot be parsed at all
                    responses.setdefault("400", problems(400)[400])
        for unused in ("HTTPValidationError", "ValidationError"):
            components.pop(unused, None)
        app.openapi_schema = schema
        return schema

    app.openapi = openapi
