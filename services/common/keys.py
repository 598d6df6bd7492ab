"""API keys: creation (the plain key is shown once) and lookup by hash."""
from __future__ import annotations

import hashlib
import secrets

from sqlalchemy.orm import Session

from services.common.errors import DraftctlError, Unauthorized
from services.common.models import ApiKey, Role
from services.common.repositories import agencies as agencies_repo
from services.common.repositories import api_keys as keys_repo


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def create(*, db: Session, role: Role, agency_code: str | None, name: str | None) -> tuple[ApiKey, str]:
    """A new key row and the plain key (never stored). Drafters need an agency."""
    agency = None
    if agency_code:
        agency = agencies_repo.get_by_code(db=db, code=agency_code)
        if agency is None:
            raise DraftctlError(f"unknown agency {agency_code!r}", title="Unknown agency", status=422)
    if role == Role.drafter and agency is None:
        raise DraftctlError("a drafter key needs --agency CODE", title="Agency required", status=422)
    plain = "dk_" + secrets.token_urlsafe(32)
    key = ApiKey(
        name=name or f"{role.value} key",
        prefix=plain[:10],
        key_hash=hash_key(plain),
        role=role,
        agency_id=agency.id if agency else None,
    )
    keys_repo.add(db=db, key=key)
    return key, plain


def authenticate(*, db: Session, plain: str) -> ApiKey:
    key = keys_repo.get_active_by_hash(db=db, key_hash=hash_key(plain))
    if key is None:
        raise Unauthorized("the API key is not valid or was revoked")
    return key
