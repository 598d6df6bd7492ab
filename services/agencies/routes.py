"""Agency and API-key endpoints: every role lists agencies; admins create, list and revoke keys."""
from __future__ import annotations

from fastapi import APIRouter

from services.agencies import service
from services.agencies.schemas import AgencyOut, KeyCreated, KeyIn, KeyOut
from services.common.models import ApiKey
from services.gateway.deps import Admin, AnyRole, DbSession, KeyId
from services.gateway.errors import problems

router = APIRouter(prefix="/api/v1", tags=["agencies and keys"])


def _key_out(key: ApiKey) -> KeyOut:
    return KeyOut(id=key.id, name=key.name, prefix=key.prefix, role=key.role,
                  agency=key.agency.code if key.agency else None, created_at=key.created_at,
                  expires_at=key.expires_at, revoked_at=key.revoked_at, state=service.key_state(key))


@router.get("/agencies", response_model=list[AgencyOut])
def list_agencies(db: DbSession, key: AnyRole) -> list[AgencyOut]:
    return [AgencyOut(code=a.code, name=a.name, level=a.level) for a in service.list_agencies(db=db)]


@router.get("/keys", response_model=list[KeyOut])
def list_keys(db: DbSession, key: Admin) -> list[KeyOut]:
    """Every key, newest first, with its state (the keys themselves are never stored)."""
    return [_key_out(k) for k in service.list_keys(db=db)]


@router.post("/keys", status_code=201, response_model=KeyCreated,
             responses=problems(422, e422="an unknown agency, or a drafter key without one"))
def create_key(body: KeyIn, db: DbSession, key: Admin) -> KeyCreated:
    """A new key; the answer holds the key itself, once."""
    created, plain = service.create_key(db=db, role=body.role, agency_code=body.agency, name=body.name,
                                        days=body.days)
    db.flush()
    return KeyCreated(**_key_out(created).model_dump(), key=plain)


@router.post("/keys/{key_id}/revoke", response_model=KeyOut,
             responses=problems(404, 409, e409="revoked already"))
def revoke_key(key_id: KeyId, db: DbSession, key: Admin) -> KeyOut:
    """Revoke a key: from now on it is refused (401)."""
    return _key_out(service.revoke_key(db=db, key_id=key_id))
