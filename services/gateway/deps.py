"""Annotated dependencies: the request's database session, the caller's API key, role checks."""
from __future__ import annotations

from typing import Annotated, Iterator

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from services.common import keys
from services.common.errors import Forbidden, Unauthorized
from services.common.models import ApiKey, Role

_bearer = HTTPBearer(auto_error=False)


def get_db(request: Request) -> Iterator[Session]:
    """One session per request; the request commits once at the end (services never commit)."""
    session = request.app.state.factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


DbSession = Annotated[Session, Depends(get_db)]


def current_key(db: DbSession, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]) -> ApiKey:
    if credentials is None or credentials.scheme.lower() != "bearer" or not credentials.credentials:
        raise Unauthorized("send an API key as 'Authorization: Bearer <key>'")
    return keys.authenticate(db=db, plain=credentials.credentials)


CurrentKey = Annotated[ApiKey, Depends(current_key)]


def require_role(*roles: Role):
    def check(key: CurrentKey) -> ApiKey:
        if key.role not in roles:
            allowed = ", ".join(r.value for r in roles)
            raise Forbidden(f"this needs the role {allowed}; your key is {key.role.value}")
        return key

    return Annotated[ApiKey, Depends(check)]


def agency_in_view(db: Session, key: ApiKey, code: str):
    """The agency `code`, if the key may see it: a drafter sees only its own (another agency
    is a 404, as if it did not exist)."""
    from services.common.errors import NotFound
    from services.common.repositories import agencies as agencies_repo

    found = agencies_repo.get_by_code(db=db, code=code)
    if found is None or (key.role == Role.drafter and found.id != key.agency_id):
        raise NotFound(f"no agency {code!r}")
    return found
