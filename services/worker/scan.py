"""The archive scan (nightly from beat at 01:30, or `draftctl scan` by hand).

1. import the files dropped into the archive folder as issued documents;
2. re-check issued documents against the directives registered since the last scan;
3. call the hooks that later stages register (merge candidates, issuance counts);
4. write the scan record: seen, imported, new findings, errors.

One failing document is recorded and the scan goes on. A second scan while one runs
is refused (a lock row in the database, so it holds across machines).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Callable

from sqlalchemy.orm import Session, sessionmaker

from services.analyzer.registry import LoadedIndex
from services.analyzer.tasks import check_document
from services.common.blobs import BlobStore
from services.common.db import unit_of_work
from services.common.errors import Conflict, DraftctlError
from services.common.models import DocumentKind, utcnow
from services.common.repositories import documents as documents_repo
from services.common.repositories import reports as reports_repo
from services.common.repositories import scans as scans_repo
from services.common.settings import Settings
from services.ingest.intake import accept
from services.ingest.pipeline import parse
from services.ingest.tasks import run_parse_job

log = logging.getLogger(__name__)

# Later stages (merge candidates, issuance counts) register here: f(db_factory, document_ids).
HOOKS: list[Callable[[sessionmaker[Session], list[int]], None]] = []
Progress = Callable[[str, int, int], None]
ARCHIVE_SUFFIXES = (".txt", ".docx", ".pdf")


@dataclass
class ScanResult:
    scan_id: int
    documents_seen: int = 0
    documents_imported: int = 0
    directives_new: int = 0
    new_findings: int = 0
    errors: list[dict] = field(default_factory=list)


def run_scan(*, settings: Settings, factory: sessionmaker[Session], since: str | None = None,
             progress: Progress | None = None, semantic=None) -> ScanResult:
    progress = progress or (lambda stage, done, total: None)
    with unit_of_work(factory) as db:
        previous = scans_repo.last_completed(db=db)
        scan = scans_repo.start(db=db, since=since)
        if not scans_repo.take_lock(db=db, scan_id=scan.id):
            running = scans_repo.holder(db=db)
            db.rollback()
            raise Conflict(f"a scan is already running (scan {running}); try again when it has finished")
        scan_id = scan.id
        previous_start = previous.started_at if previous else None
    result = ScanResult(scan_id=scan_id)
    state = "failed"
    try:
        blobs = BlobStore(settings.blob_dir)
        _import_archive(settings, factory, blobs, result, progress)
        _recheck(factory, blobs, previous_start, since, result, progress, semantic)
        with factory() as db:
            ids = scans_repo.issued_ids(db=db, since_date=since)
        for hook in HOOKS:
            hook(factory, ids)
        state = "done"
        return result
    finally:
        with unit_of_work(factory) as db:
            record = scans_repo.get(db=db, scan_id=scan_id)
            record.state, record.finished_at = state, utcnow()
            record.documents_seen, record.documents_imported = result.documents_seen, result.documents_imported
            record.directives_new, record.new_findings = result.directives_new, result.new_findings
            record.errors = result.errors
            scans_repo.release_lock(db=db, scan_id=scan_id)
        log.info("scan %s %s: %s", scan_id, state, result)


def _import_archive(settings, factory, blobs, result: ScanResult, progress: Progress) -> None:
    folder = settings.archive_dir
    files = sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in ARCHIVE_SUFFIXES) \
        if folder.exists() else []
    for done, path in enumerate(files, 1):
        result.documents_seen += 1
        try:
            with unit_of_work(factory) as db:
                accepted = accept(db=db, blobs=blobs, settings=settings, data=path.read_bytes(),
                                  filename=path.name, kind=DocumentKind.issued, agency_id=None, given={})
                job_id = accepted.job.id if accepted.created else None
            if job_id is not None:
                run_parse_job(job_id, factory, blobs)
                result.documents_imported += 1
        except DraftctlError as exc:
            result.errors.append({"file": str(path.relative_to(folder)), "error": exc.detail})
        except Exception as exc:  # one bad file must not stop the scan
            log.exception("scan: %s failed", path)
            result.errors.append({"file": str(path.relative_to(folder)), "error": f"{type(exc).__name__}: {exc}"})
        progress("import", done, len(files))


def _recheck(factory, blobs, previous_start, since, result: ScanResult, progress: Progress, semantic) -> None:
    loaded = LoadedIndex()
    with factory() as db:
        loaded.refresh(db)
        new_directives = set(scans_repo.directive_ids_indexed_since(db=db, since=previous_start))
        issued = scans_repo.issued_ids(db=db, since_date=since)
    result.directives_new = len(new_directives)
    allowed = {i for i, doc_id in enumerate(loaded.document_ids) if doc_id in new_directives}
    if not allowed:
        return
    for done, document_id in enumerate(issued, 1):
        try:
            with factory() as db:
                document = documents_repo.get(db=db, document_id=document_id)
                sha, level = document.sha256, document.agency.level if document.agency else None
            parsed = parse(blobs.get(sha), with_sentences=False)
            higher = allowed & loaded.higher_than(level)
            report, body = check_document(parsed=parsed, loaded=loaded, document_id=document_id, allowed=higher,
                                          semantic=semantic)
            if report.passages:
                with unit_of_work(factory) as db:
                    reports_repo.save(db=db, document_id=document_id, body=body, copied_ratio=report.copied_ratio,
                                      verdict=report.verdict, checked=len(higher))
                result.new_findings += 1
        except DraftctlError as exc:
            result.errors.append({"document_id": document_id, "error": exc.detail})
        except Exception as exc:
            log.exception("scan: document %s failed", document_id)
            result.errors.append({"document_id": document_id, "error": f"{type(exc).__name__}: {exc}"})
        progress("recheck", done, len(issued))
