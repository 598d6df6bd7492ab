"""Web sessions: an API key entered once at sign-in becomes a signed, HttpOnly,
SameSite=Strict cookie holding the key's id (never the key) and a CSRF token. Every
page re-reads the key, so a revoked or expired key ends its sessions at once."""
from __future__ import annotations

import secrets
from pathlib import Path
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from services.agencies import service as agencies_service
from services.common.errors import DraftctlError, Forbidden
from services.common.models import ApiKey, Role
from services.common.settings import Settings
from services.gateway.deps import DbSession

COOKIE = "draftctl_session"


class SignInRequired(DraftctlError):
    """No valid session: the page sends the browser to the sign-in form."""

    status = 303
    title = "Sign in"


def session_secret(settings: Settings) -> str:
    """The setting, or a random secret kept beside the data so restarts keep sessions."""
    if settings.session_secret:
        return settings.session_secret
    path: Path = settings.data_dir / "session-secret"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def sign_in(*, request: Request, db: Session, plain: str) -> ApiKey:
    """Start a session for the key behind `plain` (Unauthorized when it is not valid)."""
    key = agencies_service.authenticate(db=db, plain=plain.strip())
    request.session.clear()
    request.session.update(key_id=key.id, csrf=secrets.token_urlsafe(32))
    return key


def sign_out(request: Request) -> None:
    request.session.clear()


def csrf_token(request: Request) -> str:
    """The session's CSRF token (a signed-out page gets one too, for the sign-in form)."""
    if "csrf" not in request.session:
        request.session["csrf"] = secrets.token_urlsafe(32)
    return request.session["csrf"]


def check_csrf(request: Request, token: str | None) -> None:
    """Every form that changes state carries the session's token."""
    expected = request.session.get("csrf")
    if not expected or not token or not secrets.compare_digest(expected, token):
        raise Forbidden("the form is stale or was not sent from draftctl's pages: reload the page and try again",
                        title="Invalid form")


def web_key(request: Request, db: DbSession) -> ApiKey:
    key_id = request.session.get("key_id")
    key = agencies_service.usable_key(db=db, key_id=key_id) if isinstance(key_id, int) else None
    if key is None:
        request.session.pop("key_id", None)
        raise SignInRequired("sign in with your API key")
    return key


WebKey = Annotated[ApiKey, Depends(web_key)]


def require(key: ApiKey, *roles: Role) -> None:
    """403 on a page whose action needs another role (the same roles as the API's)."""
    if key.role not in roles:
        raise Forbidden(f"this needs the role {' or '.join(sorted(r.value for r in roles))}")
