"""The archive scan (services/worker/scan.py) over real corpus documents, on PostgreSQL."""
from __future__ import annotations

import hashlib
import json
import shutil
import time

import pytest
from sqlalchemy import func, select

from services.common.db import make_engine, session_factory, unit_of_work
from services.common.errors import Conflict
from services.common.migrate import upgrade
from services.common.models import AgencyLevel, DocumentKind, Report, Scan
from services.common.repositories import agencies as agencies_repo
from services.common.repositories import scans as scans_repo
from services.common.blobs import BlobStore
from services.common.settings import Settings
from services.analyzer.tasks import run_index_job
from services.ingest.intake import accept
from services.ingest.tasks import run_parse_job
from services.worker.scan import run_scan
from tests.conftest import shared

DIRECTIVE = "sct-nd-161-2024-hhnh-text"


@pytest.fixture
def store(pg_url, tmp_path):
    settings = Settings(data_dir=tmp_path / "data", cache_dir=tmp_path / "cache", database_url=pg_url)
    upgrade(pg_url)
    factory = session_factory(make_engine(pg_url))
    with unit_of_work(factory) as db:  # each test starts from an empty store in this schema
        for table in ("scans", "scan_lock", "reports", "index_entries", "jobs", "api_keys", "documents", "agencies"):
            db.execute(__import__("sqlalchemy").text(f"DELETE FROM {table}"))
    return settings, factory


def _register_directive(settings, factory) -> None:
    blobs = BlobStore(settings.blob_dir)
    with unit_of_work(factory) as db:
        agency = agencies_repo.ensure(db=db, code="CP", name="Chính phủ", level=AgencyLevel.central_government)
        accepted = accept(db=db, blobs=blobs, settings=settings, data=shared("corpus", "docs", f"{DIRECTIVE}.txt").read_bytes(),
                          filename=f"{DIRECTIVE}.txt", kind=DocumentKind.directive, agency_id=agency.id, given={})
    for job_id, kind in run_parse_job(accepted.job.id, factory, blobs):
        run_index_job(job_id, factory, blobs)


def _fill_archive(settings, n: int = 200) -> int:
    """200 real documents and one broken PDF in the archive folder; returns how many distinct
    contents there are (the corpus holds a few byte-identical documents, stored once)."""
    records = [json.loads(line) for line in shared("corpus", "metadata.jsonl").read_text().splitlines()]
    docs = sorted((r for r in records if r["id"] != DIRECTIVE), key=lambda r: r["n_chars"])[:n]
    settings.archive_dir.mkdir(parents=True)
    for r in docs:
        shutil.copy(shared("corpus", "docs", f"{r['id']}.txt"), settings.archive_dir / f"{r['id']}.txt")
    broken = shared("fixtures", "002_lang_son_cong_van.pdf").read_bytes()[:500]
    (settings.archive_dir / "broken.pdf").write_bytes(broken)
    return len({hashlib.sha256(p.read_bytes()).hexdigest() for p in settings.archive_dir.glob("*.txt")})


def test_scan_of_200_documents_records_everything_and_survives_a_broken_file(store, capsys):
    settings, factory = store
    _register_directive(settings, factory)
    distinct = _fill_archive(settings)
    started = time.perf_counter()
    result = run_scan(settings=settings, factory=factory)
    elapsed = time.perf_counter() - started
    with capsys.disabled():
        print(f"\nscan: 201 files in {elapsed:.1f} s ({201 / elapsed:.2f} documents/s, one process)")
    assert (result.documents_seen, result.documents_imported, result.directives_new) == (201, distinct, 1)
    assert [e["file"] for e in result.errors] == ["broken.pdf"] and "PDF" in result.errors[0]["error"]
    with factory() as db:
        record = db.get(Scan, result.scan_id)
        reports = db.scalar(select(func.count()).select_from(Report))
        assert record.state == "done" and record.finished_at is not None
        assert (record.documents_seen, record.documents_imported, record.new_findings) == (201, distinct, result.new_findings)
        assert record.new_findings == reports and record.errors == result.errors
        assert scans_repo.holder(db=db) is None  # the lock is released

    again = run_scan(settings=settings, factory=factory)  # nothing new since the first scan
    assert (again.documents_imported, again.directives_new, again.new_findings) == (0, 0, 0)
    assert [e["file"] for e in again.errors] == ["broken.pdf"]


def test_a_second_scan_while_one_runs_is_refused(store):
    settings, factory = store
    with unit_of_work(factory) as db:
        running = scans_repo.start(db=db, since=None)
        assert scans_repo.take_lock(db=db, scan_id=running.id)
    with pytest.raises(Conflict, match="already running"):
        run_scan(settings=settings, factory=factory)
    with factory() as db:
        assert db.scalar(select(func.count()).select_from(Scan)) == 1  # the refused scan left no record
