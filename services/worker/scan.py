"""The archive scan (nightly from beat at 01:30, or `draftctl scan` by hand).

1. `begin_scan` takes the lock, writes a running scan record and plans the work: the
   files dropped into the archive folder, and (when directives were registered since
   the last scan) the issued documents to re-check against them;
2. `scan_items` does any slice of that plan: a new file is imported and goes through the
   issued document's pipeline (parse, then a check against every higher-level directive)
   here, and enters the register; a stored document is re-checked against the new
   directives only, and what that finds is added to its report. In one process it takes the whole plan; on Celery workers the
   plan is cut in chunks that run as a group, with `finish_scan` as the chord's callback;
3. `finish_scan` adds the parts up, calls the hooks later stages register (merge
   candidates, issuance counts), writes the record and releases the lock.

One failing document is recorded and the scan goes on. A second scan while one runs
is refused (a lock row in the database, so it holds across machines).
"""
from __future__ import annotations

import logging
import time
from datetime import date, timedelta
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from celery.exceptions import SoftTimeLimitExceeded
from sqlalchemy.orm import Session, sessionmaker

from services.agencies import service as agencies_service
from services.directives.registry import LoadedIndex, loaded_index
from services.common.blobs import BlobStore
from services.common.db import unit_of_work
from services.ingest.sniff import DOCUMENT_SUFFIXES
from services.common.errors import Conflict, DraftctlError, NotFound
from services.common.models import DocumentKind, JobState, utcnow
from services.common.repositories import jobs as jobs_repo
from services.common.repositories import scans as scans_repo
from services.common.settings import Settings
from services.documents import repository as documents_repo
from services.documents.intake import accept
from services.documents.pipeline import ANALYZE, check_document, parse_job, record_check, run_analyze_job, stored_parse
from services.register import merging
from services.register import service as register

log = logging.getLogger(__name__)

# Run after a completed scan with the issued documents: f(db_factory, document_ids). Merge
# candidates are computed on request from the stored documents; the nightly hook embeds the
# agencies' pools ahead of the day. Quotas are counted from the register and need nothing.
HOOKS: list[Callable[[sessionmaker[Session], list[int]], None]] = [merging.prepare_pools]
Progress = Callable[[str, int, int], None]
ARCHIVE_SUFFIXES = DOCUMENT_SUFFIXES


@dataclass
class ScanPlan:
    scan_id: int
    files: list[str]  # relative to the archive folder
    documents: list[int]  # stored issued documents to re-check against `new_directives`
    new_directives: list[int]

    def chunks(self, size: int) -> list[tuple[list[str], list[int]]]:
        """The plan in slices of about `size` items, files first (they cost the most)."""
        items = [("file", f) for f in self.files] + [("document", d) for d in self.documents]
        return [([v for k, v in part if k == "file"], [v for k, v in part if k == "document"])
                for part in (items[i:i + size] for i in range(0, len(items), size))]


@dataclass
class ScanResult:
    scan_id: int
    documents_seen: int = 0
    documents_imported: int = 0
    directives_new: int = 0
    new_findings: int = 0
    errors: list[dict] = field(default_factory=list)
    failed: bool = False

    def part(self) -> dict:
        """The counts of a slice of the scan, as a chunk task returns them."""
        return {"documents_seen": self.documents_seen, "documents_imported": self.documents_imported,
                "new_findings": self.new_findings, "errors": self.errors}

    def add(self, part: dict) -> None:
        self.documents_seen += part["documents_seen"]
        self.documents_imported += part["documents_imported"]
        self.new_findings += part["new_findings"]
        self.errors.extend(part["errors"])


def run_scan(*, settings: Settings, factory: sessionmaker[Session], since: str | None = None,
             progress: Progress | None = None, semantic=None) -> ScanResult:
    """The whole scan in this process. The scan checks lexically unless given a semantic
    layer: the archive is large, and e5 embeds about 25 sentences a second on 2 cores."""
    plan = begin_scan(settings=settings, factory=factory, since=since)
    part, state = None, "failed"
    try:
        part = scan_items(settings=settings, factory=factory, files=plan.files, documents=plan.documents,
                          new_directives=plan.new_directives, semantic=semantic, progress=progress)
        state = "done"
    finally:
        result = finish_scan(factory=factory, scan_id=plan.scan_id, parts=[part] if part else [], state=state)
    return result


def begin_scan(*, settings: Settings, factory: sessionmaker[Session], since: str | None = None) -> ScanPlan:
    """Take the lock, open the scan record and list the work; Conflict when a scan runs."""
    with unit_of_work(factory) as db:
        previous = scans_repo.last_completed(db=db)
        scan = scans_repo.start(db=db, since=since)
        stale_before = utcnow() - timedelta(hours=settings.scan_lock_stale_hours)
        dead = scans_repo.holder(db=db)
        if not scans_repo.take_lock(db=db, scan_id=scan.id, stale_before=stale_before):
            running = scans_repo.holder(db=db)
            db.rollback()
            raise Conflict(f"a scan is already running (scan {running}); try again when it has finished")
        if dead is not None:  # its lock went stale: that scan died without finishing
            scans_repo.get(db=db, scan_id=dead).state = "failed"
        new_directives = sorted(scans_repo.directive_ids_indexed_since(
            db=db, since=previous.started_at if previous else None))
        documents = scans_repo.issued_ids(db=db, since_date=since) if new_directives else []
        scan.directives_new = len(new_directives)
        scan_id = scan.id
    folder = settings.archive_dir
    files = sorted(str(p.relative_to(folder)) for p in folder.rglob("*")
                   if p.is_file() and p.suffix.lower() in ARCHIVE_SUFFIXES) if folder.exists() else []
    return ScanPlan(scan_id=scan_id, files=files, documents=documents, new_directives=new_directives)


class ChunkOverTime(Exception):
    """A chunk ran past its deadline: it fails as a whole, and the scan is closed as failed."""


def scan_items(*, settings: Settings, factory: sessionmaker[Session], files: list[str], documents: list[int],
               new_directives: list[int], semantic=None, loaded: LoadedIndex | None = None,
               progress: Progress | None = None, deadline: float | None = None) -> dict:
    """Import and check `files`, re-check `documents`; returns the counts of this part.

    With a `deadline` (time.monotonic()), no document is started after it: a task stops
    between documents, well before its soft time limit would interrupt one mid-query."""
    progress = progress or (lambda stage, done, total: None)

    def _in_time() -> None:
        if deadline is not None and time.monotonic() > deadline:
            raise ChunkOverTime("the chunk ran past its time limit; lower DRAFTCTL_SCAN_CHUNK_SIZE")

    loaded = loaded or loaded_index(settings, factory=factory)
    with factory() as db:
        loaded.refresh(db)
    blobs = BlobStore(settings.blob_dir)
    part = ScanResult(scan_id=0)
    for done, name in enumerate(files, 1):
        _in_time()
        part.documents_seen += 1
        _guarded(part, {"file": name}, lambda: _import_and_check(settings, factory, blobs, loaded, name, semantic, part))
        progress("import", done, len(files))
    new = set(new_directives)
    allowed = loaded.numbers_of(new)
    for done, document_id in enumerate(documents if allowed else [], 1):
        _in_time()
        _guarded(part, {"document_id": document_id},
                 lambda: _check_stored(factory, blobs, loaded, document_id, allowed, semantic, part))
        progress("recheck", done, len(documents))
    return part.part()


def finish_scan(*, factory: sessionmaker[Session], scan_id: int, parts: list[dict], state: str) -> ScanResult:
    """Add the parts up, run the hooks, write the record and release the lock."""
    with factory() as db:
        result = ScanResult(scan_id=scan_id, directives_new=scans_repo.get(db=db, scan_id=scan_id).directives_new)
    for part in parts:
        result.add(part)
    try:
        if state == "done":
            with factory() as db:
                ids = scans_repo.issued_ids(db=db, since_date=None)
            for hook in HOOKS:
                hook(factory, ids)
    except Exception as exc:
        log.exception("scan %s: a hook failed", scan_id)
        result.errors.append({"hook": True, "error": f"{type(exc).__name__}: {exc}"})
        state = "failed"
    finally:
        with unit_of_work(factory) as db:
            record = scans_repo.get(db=db, scan_id=scan_id)
            record.state, record.finished_at = state, utcnow()
            record.documents_seen, record.documents_imported = result.documents_seen, result.documents_imported
            record.new_findings, record.errors = result.new_findings, result.errors
            scans_repo.release_lock(db=db, scan_id=scan_id)
        log.info("scan %s %s: %s", scan_id, state, result)
    result.failed = state == "failed"
    return result


def _guarded(part: ScanResult, where: dict, work: Callable[[], None]) -> None:
    try:
        work()
    except SoftTimeLimitExceeded:
        raise  # the chunk's time is up: its task fails and the scan is marked failed
    except DraftctlError as exc:
        part.errors.append({**where, "reason": exc.title, "error": exc.detail})
    except Exception as exc:  # one bad document must not stop the scan
        log.exception("scan: %s failed", where)
        part.errors.append({**where, "reason": "Internal error", "error": f"{type(exc).__name__}: {exc}"})


def _import_and_check(settings, factory, blobs, loaded, name, semantic, part: ScanResult) -> None:
    path = settings.archive_dir / name
    with unit_of_work(factory) as db:
        agency = _folder_agency(db, name)
        accepted = accept(db=db, blobs=blobs, settings=settings, data=path.read_bytes(), filename=path.name,
                          kind=DocumentKind.issued, agency_id=agency.id if agency else None, given={})
        job_id = accepted.job.id if accepted.created else None
        document_id = accepted.document.id
    if job_id is None:
        return  # imported by an earlier scan
    parsed, follow_ups = parse_job(job_id, factory, blobs)
    if parsed is None:
        with factory() as db:
            raise DraftctlError(documents_repo.get(db=db, document_id=document_id).error
                                or "the document could not be parsed")
    part.documents_imported += 1
    with unit_of_work(factory) as db:
        _register(db, documents_repo.get(db=db, document_id=document_id), part, name)
    for analyze_id, kind in follow_ups:
        assert kind == ANALYZE
        run_analyze_job(analyze_id, factory, loaded, semantic=semantic)
        with factory() as db:
            job = jobs_repo.get(db=db, job_id=analyze_id)
            if job.state == JobState.failed:
                raise DraftctlError(job.error or "the check failed")
            report = documents_repo.report_of(db=db, document_id=document_id)
            if report is not None and report.body["passages"]:
                part.new_findings += 1


def _folder_agency(db: Session, name: str):
    """archive/<AGENCY CODE>/… files belong to that agency (a known code); others to none."""
    parts = Path(name).parts
    if len(parts) < 2:
        return None
    try:
        return agencies_service.get_agency(db=db, code=parts[0])
    except NotFound:
        return None


def _register(db: Session, document, part: ScanResult, name: str) -> None:
    """An agency's archived document enters the register when its parse gives a reference
    and a full date (a date the register refuses is recorded as the file's error)."""
    if document.agency is None or not document.reference or not document.issued_on or len(document.issued_on) != 10:
        return
    try:
        register.enter(db=db, agency=document.agency, reference=document.reference, doc_type=document.doc_type,
                       issued_on=date.fromisoformat(document.issued_on), subject=document.subject, source="scan",
                       document_id=document.id)
    except (DraftctlError, ValueError) as exc:
        part.errors.append({"file": name, "reason": "Not registered", "error": f"not registered: {getattr(exc, 'detail', exc)}"})


def _check_stored(factory, blobs, loaded, document_id, allowed: set[int], semantic, part: ScanResult) -> None:
    """Re-check a stored document against the new directives; its report keeps what earlier
    checks found."""
    with factory() as db:
        document = documents_repo.get(db=db, document_id=document_id)
        level = document.agency.level if document.agency else None
        parsed = stored_parse(document)
    higher = allowed & loaded.higher_than(level)
    if not higher:
        return
    report, body = check_document(parsed=parsed, loaded=loaded, document_id=document_id, allowed=higher,
                                  semantic=semantic)
    with unit_of_work(factory) as db:
        record_check(db=db, document_id=document_id, body=body)
    if report.passages:
        part.new_findings += 1
