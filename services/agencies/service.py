"""The rules on agencies and API keys: valid codes and names, key creation (the plain key
is shown once), authentication, revocation and expiry."""
from __future__ import annotations

import hashlib
import re
import secrets
import unicodedata
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from services.agencies import repository
from services.common.errors import Conflict, InvalidInput, NotFound, Unauthorized
from services.common.models import Agency, AgencyLevel, ApiKey, Role, utcnow

# A code is what URLs, folders of the archive and spreadsheets carry: letters (Vietnamese
# ones too), digits, and . _ - between them.
CODE_PATTERN = r"^[^\W_](?:[\w.-]{0,62}[^\W_])?$"
_CODE = re.compile(CODE_PATTERN)
MAX_KEY_DAYS = 3650


def check_code(code: str) -> str:
    """`code` if it is a valid agency code; InvalidInput otherwise."""
    if not _CODE.fullmatch(code or ""):
        raise InvalidInput(f"agency code {code!r}: 1–64 letters or digits, with . _ - inside (e.g. UBND-LS)",
                           title="Invalid agency code")
    return code


def check_name(name: str, *, what: str = "agency name") -> str:
    """`name` with its spaces tidied, if it is printable text; InvalidInput otherwise."""
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn") for ch in name or ""):
        raise InvalidInput(f"the {what} holds control or unprintable characters", title="Invalid name")
    tidy = " ".join((name or "").split())
    if not tidy:
        raise InvalidInput(f"the {what} is empty", title="Invalid name")
    return tidy


def code_for(issuer: str) -> str:
    """The agency code derived from an issuer's name (e.g. Ban Bí thư -> BAN-BÍ-THƯ)."""
    return check_code("-".join(check_name(issuer, what="issuer").upper().split())[:64].strip("-._"))


def ensure_agency(*, db: Session, code: str, name: str, level: AgencyLevel) -> tuple[Agency, bool]:
    """The agency with this code, created (after validation) if it does not exist yet; and
    whether it was created."""
    found = repository.get_by_code(db=db, code=code)
    if found is not None:
        return found, False
    return repository.add(db=db, code=check_code(code), name=check_name(name), level=level), True


def get_agency(*, db: Session, code: str, named_in_input: bool = False) -> Agency:
    """The agency with this code; NotFound otherwise, or InvalidInput when the code was a
    field of the request (an upload's `agency`) rather than the resource asked for."""
    found = repository.get_by_code(db=db, code=code)
    if found is None:
        if named_in_input:
            raise InvalidInput(f"unknown agency {code!r}", title="Unknown agency")
        raise NotFound(f"no agency {code!r}")
    return found


def list_agencies(*, db: Session) -> list[Agency]:
    """Every agency, by code."""
    return repository.list_all(db=db)


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def create_key(*, db: Session, role: Role, agency_code: str | None, name: str | None,
               days: int | None = None) -> tuple[ApiKey, str]:
    """A new key row and the plain key (never stored). Drafters need an agency; `days`
    makes the key expire that many days from now."""
    agency = None
    if agency_code:
        agency = repository.get_by_code(db=db, code=agency_code)
        if agency is None:
            raise InvalidInput(f"unknown agency {agency_code!r}", title="Unknown agency")
    if role == Role.drafter and agency is None:
        raise InvalidInput("a drafter key needs an agency", title="Agency required")
    if days is not None and not 1 <= days <= MAX_KEY_DAYS:
        raise InvalidInput(f"a key lives 1 to {MAX_KEY_DAYS} days, not {days}", title="Invalid expiry")
    plain = "dk_" + secrets.token_urlsafe(32)
    key = ApiKey(
        name=check_name(name, what="key name") if name else f"{role.value} key",
        prefix=plain[:10],
        key_hash=hash_key(plain),
        role=role,
        agency_id=agency.id if agency else None,
        expires_at=utcnow() + timedelta(days=days) if days else None,
    )
    repository.add_key(db=db, key=key)
    return key, plain


def authenticate(*, db: Session, plain: str) -> ApiKey:
    """The key behind `plain`; Unauthorized when unknown, revoked or expired."""
    key = repository.usable_key_by_hash(db=db, key_hash=hash_key(plain), now=utcnow())
    if key is None:
        raise Unauthorized("the API key is not valid, was revoked or has expired")
    return key


def usable_key(*, db: Session, key_id: int) -> ApiKey | None:
    """The key with this id, if it is neither revoked nor expired (a web session's key)."""
    key = repository.get_key(db=db, key_id=key_id)
    return key if key is not None and key_state(key) == "active" else None


def revoke_key(*, db: Session, key_id: int, now: datetime | None = None) -> ApiKey:
    """Revoke a key from now on; Conflict when it is revoked already."""
    key = repository.get_key(db=db, key_id=key_id) if 1 <= key_id < 2**31 else None
    if key is None:
        raise NotFound(f"no API key {key_id}")
    if key.revoked_at is not None:
        raise Conflict(f"key {key_id} was revoked already, at {key.revoked_at.isoformat()}")
    key.revoked_at = now or utcnow()
    return key


def list_keys(*, db: Session) -> list[ApiKey]:
    """Every key, newest first (hashes never leave the store)."""
    return repository.list_keys(db=db)


def key_state(key: ApiKey, now: datetime | None = None) -> str:
    """active, revoked or expired."""
    now = now or utcnow()
    if key.revoked_at is not None:
        return "revoked"
    if key.expires_at is not None and key.expires_at <= now:
        return "expired"
    return "active"
