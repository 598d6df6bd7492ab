"""Merge candidates from the store: an agency's drafts and issued documents, profiled and
compared by the analyzer's merge engine (`services.analyzer.merge`).

A document is dated by the day it was issued: its register entry when it has one, else
the full date its parse or its upload gave; only a draft with no date yet is dated by
the day it was uploaded.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session, sessionmaker

from services.analyzer.merge import WINDOW_DAYS, Profile, candidates_for, clusters, default_embedder, embed, profile
from services.common.models import Agency, Document, DocumentKind
from services.documents import repository as documents_repo
from services.register import repository as issuances_repo

MERGE_KINDS = (DocumentKind.draft, DocumentKind.issued)


def document_day(document: Document, registered_on: str | None = None) -> str | None:
    """The day a document counts from (ISO): issued, else dated, else (a draft) uploaded."""
    if registered_on:
        return registered_on
    if document.issued_on and len(document.issued_on) == 10:
        return document.issued_on
    if document.kind == DocumentKind.draft:
        return document.created_at.date().isoformat()
    return None


def from_document(document: Document, registered_on: str | None = None) -> Profile:
    """The profile of a stored, parsed document."""
    return profile(document_id=document.id, text=document.text or "", parsed=document.parsed,
                   reference=document.reference, doc_type=document.doc_type,
                   issued_on=document_day(document, registered_on), subject=document.subject,
                   kind=document.kind.value)


def agency_pool(*, db: Session, agency_id: int) -> dict[int, Profile]:
    """The profiles of an agency's parsed drafts and issued documents, by document id."""
    rows = documents_repo.parsed_of_agency(db=db, agency_id=agency_id, kinds=MERGE_KINDS)
    registered = issuances_repo.issue_days(db=db, document_ids=[row.id for row in rows])
    pool = {row.id: from_document(row, registered.get(row.id)) for row in rows}
    embed(list(pool.values()), default_embedder())
    return pool


def prepare_pools(factory: sessionmaker[Session], document_ids: list[int]) -> None:
    """Nightly-scan hook: embed the merge pools of the agencies these documents belong to,
    so the day's draft reports and review queue find every document embedding cached."""
    if default_embedder() is None or not document_ids:
        return
    with factory() as db:
        for agency_id in documents_repo.agencies_of(db=db, document_ids=document_ids):
            agency_pool(db=db, agency_id=agency_id)


def for_draft(*, db: Session, document: Document, pool: dict[int, Profile] | None = None,
              window_days: int = WINDOW_DAYS) -> list[dict]:
    """Merge candidates of a draft among its agency's drafts and issued documents (not the
    draft's own earlier versions). `pool` is the agency's, when the caller has it already."""
    if document.agency_id is None or not document.parsed:
        return []
    pool = agency_pool(db=db, agency_id=document.agency_id) if pool is None else pool
    versions = set(documents_repo.version_ids(db=db, document=document))
    others = {k: p for k, p in pool.items() if k not in versions}
    target = pool.get(document.id)
    if target is None:
        target = from_document(document)
        embed([target], default_embedder())
    found = candidates_for(target, list(others.values()), window_days=window_days)
    return [{**e.to_json(), "document": {"id": e.b, "kind": others[e.b].kind, "reference": others[e.b].reference,
                                         "date": others[e.b].day, "subject": others[e.b].subject}} for e in found]


def for_agency(*, db: Session, agency: Agency, start: date | None, end: date | None,
               window_days: int = WINDOW_DAYS) -> list[dict]:
    """The agency's merge clusters among documents dated from `start` to `end`."""
    profiles = {i: p for i, p in agency_pool(db=db, agency_id=agency.id).items()
                if (start is None or (p.day and p.day >= start)) and (end is None or (p.day and p.day <= end))}
    return [{"agency": agency.code, **c.to_json(profiles)} for c in clusters(list(profiles.values()),
                                                                             window_days=window_days)]
