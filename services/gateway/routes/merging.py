"""Merge candidates of the archive: clusters of an agency's documents that could be one."""
from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query

from services.analyzer.merge import WINDOW_DAYS, for_agency
from services.common.errors import DraftctlError
from services.common.models import Role
from services.common.repositories import agencies as agencies_repo
from services.gateway.deps import DbSession, agency_in_view, require_role

router = APIRouter(prefix="/api/v1", tags=["merge candidates"])
Reader = require_role(Role.drafter, Role.reviewer, Role.admin)


@router.get("/merge-candidates")
def merge_candidates(
    db: DbSession, key: Reader,
    agency: Annotated[str | None, Query(description="agency code; omitted: every agency (not for drafters)")] = None,
    from_: Annotated[date | None, Query(alias="from")] = None,
    to: Annotated[date | None, Query()] = None,
    window_days: Annotated[int, Query(ge=1, le=730)] = WINDOW_DAYS,
) -> dict:
    if from_ and to and from_ > to:
        raise DraftctlError("'from' is after 'to'", status=422, title="Invalid range")
    if agency is None:
        if key.role == Role.drafter:
            raise DraftctlError("a drafter sees its own agency's candidates: give agency", status=403,
                                title="Forbidden")
        agencies = agencies_repo.list_all(db=db)
    else:
        agencies = [agency_in_view(db, key, agency)]
    clusters = [c for a in agencies for c in for_agency(db=db, agency=a, start=from_, end=to, window_days=window_days)]
    return {"from": from_, "to": to, "window_days": window_days, "clusters": clusters}
