"""The parse job: stored original -> ParsedDocument -> document row. Runs in the in-process
runner (and, with a broker, in the ingest worker); safe to run twice."""
from __future__ import annotations

import logging

from sqlalchemy.orm import Session, sessionmaker

from services.common.blobs import BlobStore
from services.common.db import unit_of_work
from services.common.errors import DraftctlError
from services.common.models import DocumentKind, DocumentStatus, JobState
from services.common.repositories import documents as documents_repo
from services.common.repositories import jobs as jobs_repo
from services.ingest.document import ParsedDocument
from services.ingest.pipeline import parse

log = logging.getLogger(__name__)

PARSE = "parse"
# What follows a successful parse (the analyzer registers handlers for these kinds).
ANALYZE = "analyze"
INDEX = "index"


def run_parse_job(job_id: int, factory: sessionmaker[Session], blobs: BlobStore) -> list[tuple[int, str]]:
    """Parse, store, and return the follow-up jobs to dispatch."""
    return parse_job(job_id, factory, blobs)[1]


def parse_job(job_id: int, factory: sessionmaker[Session],
              blobs: BlobStore) -> tuple[ParsedDocument | None, list[tuple[int, str]]]:
    """The parse job, also handing back the parse (the archive scan checks it next)."""
    with unit_of_work(factory) as db:
        if not jobs_repo.claim(db=db, job_id=job_id):
            return None, []  # already running or finished elsewhere: a duplicate delivery
        job = jobs_repo.get(db=db, job_id=job_id)
        document_id = job.document_id
        sha = documents_repo.get(db=db, document_id=document_id).sha256
    try:
        parsed = parse(blobs.get(sha))
    except DraftctlError as exc:
        _fail(factory, job_id, document_id, exc.detail)
        return None, []
    except Exception as exc:  # a parser bug must not leave the job running forever
        log.exception("parse job %s failed", job_id)
        _fail(factory, job_id, document_id, f"internal error: {type(exc).__name__}: {exc}")
        return None, []
    with unit_of_work(factory) as db:
        documents_repo.record_parse(db=db, document_id=document_id, parsed=parsed)
        jobs_repo.finish(db=db, job_id=job_id, state=JobState.done)
        document = documents_repo.get(db=db, document_id=document_id)
        kind = INDEX if document.kind == DocumentKind.directive else ANALYZE if document.kind == DocumentKind.draft else None
        follow_up = jobs_repo.create(db=db, document_id=document_id, kind=kind) if kind else None
        follow_ups = [(follow_up.id, kind)] if follow_up else []
    log.info("parsed document %s (job %s)", document_id, job_id)
    return parsed, follow_ups


def _fail(factory: sessionmaker[Session], job_id: int, document_id: int, reason: str) -> None:
    with unit_of_work(factory) as db:
        documents_repo.set_status(db=db, document_id=document_id, status=DocumentStatus.failed, error=reason)
        jobs_repo.finish(db=db, job_id=job_id, state=JobState.failed, error=reason)
