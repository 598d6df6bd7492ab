"""Analyzer jobs: `index` registers a parsed directive, `analyze` checks a parsed draft
against every registered directive of a higher level and stores the report."""
from __future__ import annotations

import logging

from sqlalchemy.orm import Session, sessionmaker

from services.analyzer.detect import DetectParams, detect
from services.analyzer.registry import LoadedIndex, register
from services.common.blobs import BlobStore
from services.common.db import unit_of_work
from services.common.models import AgencyLevel, JobState
from services.common.repositories import documents as documents_repo
from services.common.repositories import jobs as jobs_repo
from services.common.repositories import reports as reports_repo
from services.ingest.pipeline import parse

log = logging.getLogger(__name__)


def check_document(*, parsed, loaded: LoadedIndex, document_id: int, allowed: set[int], semantic=None,
                   params: DetectParams | None = None):
    """Detect against the loaded index and return the report and its stored form, whose
    passages name the directive's document id."""
    report = detect(parsed, loaded.index, key=f"document:{document_id}", params=params, allowed=allowed,
                    semantic=semantic)
    body = report.to_json()
    for passage in body["passages"]:
        passage["source_document_id"] = int(passage["source"].split(":")[1])  # key: "document:ID"
    return report, body


def _claim(factory, job_id):
    with unit_of_work(factory) as db:
        if not jobs_repo.claim(db=db, job_id=job_id):
            return None
        document = documents_repo.get(db=db, document_id=jobs_repo.get(db=db, job_id=job_id).document_id)
        level = document.agency.level if document.agency else None
        return document.id, document.sha256, level


def _finish(factory, job_id, error: str | None = None) -> None:
    with unit_of_work(factory) as db:
        jobs_repo.finish(db=db, job_id=job_id, state=JobState.failed if error else JobState.done, error=error)


def run_index_job(job_id: int, factory: sessionmaker[Session], blobs: BlobStore) -> None:
    claimed = _claim(factory, job_id)
    if claimed is None:
        return
    document_id, sha, level = claimed
    try:
        parsed = parse(blobs.get(sha), with_sentences=False)
        with unit_of_work(factory) as db:
            register(db=db, document=documents_repo.get(db=db, document_id=document_id), parsed=parsed,
                     level=level or AgencyLevel.central_party)
            jobs_repo.finish(db=db, job_id=job_id, state=JobState.done)
    except Exception as exc:
        log.exception("index job %s failed", job_id)
        _finish(factory, job_id, f"{type(exc).__name__}: {exc}")


def run_analyze_job(
    job_id: int, factory: sessionmaker[Session], blobs: BlobStore, loaded: LoadedIndex, semantic=None,
    params: DetectParams | None = None,
) -> None:
    claimed = _claim(factory, job_id)
    if claimed is None:
        return
    document_id, sha, level = claimed
    try:
        parsed = parse(blobs.get(sha), with_sentences=False)
        with factory() as db:
            loaded.refresh(db)
        allowed = loaded.higher_than(level)
        report, body = check_document(parsed=parsed, loaded=loaded, document_id=document_id, allowed=allowed,
                                      semantic=semantic, params=params)
        with unit_of_work(factory) as db:
            reports_repo.save(db=db, document_id=document_id, body=body, copied_ratio=report.copied_ratio,
                              verdict=report.verdict, checked=len(allowed))
            jobs_repo.finish(db=db, job_id=job_id, state=JobState.done)
    except Exception as exc:
        log.exception("analyze job %s failed", job_id)
        _finish(factory, job_id, f"{type(exc).__name__}: {exc}")
