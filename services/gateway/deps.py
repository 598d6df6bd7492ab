"""Annotated dependencies, all here: the request's database session, the caller's API key,
role checks, the app's settings and stores, and bounded path and query integers."""
from __future__ import annotations

from typing import Annotated, Iterator

from fastapi import Depends, Path, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from services.agencies import service as agencies_service
from services.common.blobs import BlobStore
from services.common.db import unit_of_work
from services.common.errors import Forbidden, Unauthorized
from services.common.models import ApiKey, Role
from services.common.settings import Settings

_bearer = HTTPBearer(auto_error=False, description="an API key: `draftctl keys create` or POST /api/v1/keys")
MAX_ID = 2**31 - 1  # ids are 32-bit integers in the store


def get_db(request: Request) -> Iterator[Session]:
    """One session per request; the request commits once at the end (services never commit)."""
    with unit_of_work(request.app.state.factory) as session:
        yield session


# scope="function": the commit happens before the answer leaves, so a client that follows a
# redirect (or reads right after a write) always sees what the write committed.
DbSession = Annotated[Session, Depends(get_db, scope="function")]


def current_key(db: DbSession, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]) -> ApiKey:
    if credentials is None or credentials.scheme.lower() != "bearer" or not credentials.credentials:
        raise Unauthorized("send an API key as 'Authorization: Bearer <key>'")
    return agencies_service.authenticate(db=db, plain=credentials.credentials)


CurrentKey = Annotated[ApiKey, Depends(current_key)]


def require_role(*roles: Role):
    """A key of one of these roles; 403 for another role."""
    def check(key: CurrentKey) -> ApiKey:
        if key.role not in roles:
            allowed = " or ".join(sorted(r.value for r in roles))
            raise Forbidden(f"this needs the role {allowed}; your key is {key.role.value}")
        return key

    return Annotated[ApiKey, Depends(check)]


AnyRole = require_role(Role.drafter, Role.reviewer, Role.admin)
Admin = require_role(Role.admin)
Staff = require_role(Role.reviewer, Role.admin)


def _settings(request: Request) -> Settings:
    return request.app.state.settings


def _blobs(request: Request) -> BlobStore:
    return request.app.state.blobs


AppSettings = Annotated[Settings, Depends(_settings)]
Blobs = Annotated[BlobStore, Depends(_blobs)]
DraftId = Annotated[int, Path(ge=1, le=MAX_ID, description="a draft's id")]
DirectiveId = Annotated[int, Path(ge=1, le=MAX_ID, description="a directive's id")]
KeyId = Annotated[int, Path(ge=1, le=MAX_ID, description="an API key's id")]
Offset = Annotated[int, Query(ge=0, le=MAX_ID)]
