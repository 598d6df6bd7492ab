"""The web pages of the gateway: sessions, pages, charts, and the assets they load (all
served here; a page makes no request to any other host)."""
from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware

from services.common.settings import Settings

STATIC = Path(__file__).with_name("static")


def install(app: FastAPI, settings: Settings) -> None:
    """Sessions, the pages, the assets, and /docs on locally served Swagger UI (the
    fastapi-offline package carries Swagger UI 5, which FastAPI's OpenAPI 3.1 needs). There is
    no /redoc: ReDoc fetches its logo from cdn.redoc.ly."""
    from importlib.resources import files

    from services.gateway.web.pages import router
    from services.gateway.web.session import COOKIE, session_secret

    app.add_middleware(SessionMiddleware, secret_key=session_secret(settings), session_cookie=COOKIE,
                       max_age=int(settings.session_hours * 3600), same_site="strict", https_only=False)
    app.mount("/static/apidocs", StaticFiles(directory=str(files("fastapi_offline") / "static")), name="apidocs")
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.get("/docs", include_in_schema=False)
    def docs():
        return get_swagger_ui_html(openapi_url=app.openapi_url, title=f"{app.title} API",
                                   swagger_js_url="/static/apidocs/swagger-ui-bundle.js",
                                   swagger_css_url="/static/apidocs/swagger-ui.css",
                                   swagger_favicon_url="/static/favicon.svg",
                                   # no validator badge: it would be fetched from validator.swagger.io
                                   swagger_ui_parameters={"validatorUrl": None})

    app.include_router(router)
