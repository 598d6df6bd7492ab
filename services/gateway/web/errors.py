"""Errors on the web pages: a page, not problem+json. No session sends the browser to the
sign-in form; a refused action comes back to the page it was sent from, with the reason."""
from __future__ import annotations

from urllib.parse import urlsplit

from fastapi import Request
from fastapi.responses import RedirectResponse, Response

TITLES = {400: "Yêu cầu không hợp lệ", 401: "Cần đăng nhập", 403: "Không được phép", 404: "Không tìm thấy",
          409: "Chưa thực hiện được", 413: "Tệp quá lớn", 415: "Loại tệp không hỗ trợ", 422: "Dữ liệu không hợp lệ"}
API_PREFIXES = ("/api/", "/metrics", "/healthz", "/readyz", "/openapi.json", "/docs", "/static/")


def is_page(request: Request) -> bool:
    """A request of the web pages (everything the API and the assets are not)."""
    return not request.url.path.startswith(API_PREFIXES)


def render(request: Request, status: int, title: str, detail: str) -> Response:
    from services.gateway.web.pages import page
    from services.gateway.web.session import SignInRequired

    title = TITLES.get(status, title)
    if status == SignInRequired.status:
        return RedirectResponse("/sign-in", status_code=303)
    back = urlsplit(request.headers.get("referer", ""))
    if request.method == "POST" and back.path.startswith("/") and back.netloc in ("", request.url.netloc) \
            and back.path != request.url.path:
        request.session["flash"] = {"text": f"{title}: {detail}", "error": True}
        return RedirectResponse(back.path + (f"?{back.query}" if back.query else ""), status_code=303)
    return page(request, "error.html", None, status=status, title=title, detail=detail)
