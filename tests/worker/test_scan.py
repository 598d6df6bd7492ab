"""The archive scan (services/worker/scan.py) over real corpus documents, on PostgreSQL."""
from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import time
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from services.common.db import make_engine, session_factory, unit_of_work
from services.common.errors import Conflict
from services.common.migrate import upgrade
from services.common.models import AgencyLevel, DocumentKind, Report, Scan
from services.agencies.service import ensure_agency
from services.common.repositories import scans as scans_repo
from services.common.blobs import BlobStore
from services.common.settings import Settings
from services.documents.pipeline import run_index_job
from services.documents.intake import accept
from services.documents.pipeline import run_parse_job
from services.worker.scan import run_scan
from tests.conftest import empty_store, shared
from tests.test_cli import DRAFTCTL
from tests.worker.test_celery import Worker, _env, machine_redis  # noqa: F401 (a fixture)

DIRECTIVE = "sct-nd-161-2024-hhnh-text"


@pytest.fixture
def store(pg_url, tmp_path):
    settings = Settings(data_dir=tmp_path / "data", cache_dir=tmp_path / "cache", database_url=pg_url)
    upgrade(pg_url)
    factory = session_factory(make_engine(pg_url))
    empty_store(factory)  # each test starts from an empty store in this schema
    return settings, factory


def _register_directive(settings, factory) -> None:
    blobs = BlobStore(settings.blob_dir)
    with unit_of_work(factory) as db:
        agency, _ = ensure_agency(db=db, code="CP", name="Chính phủ", level=AgencyLevel.central_government)
        accepted = accept(db=db, blobs=blobs, settings=settings, data=shared("corpus", "docs", f"{DIRECTIVE}.txt").read_bytes(),
                          filename=f"{DIRECTIVE}.txt", kind=DocumentKind.directive, agency_id=agency.id, given={})
    for job_id, kind in run_parse_job(accepted.job.id, factory, blobs):
        run_index_job(job_id, factory)


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
        reports = db.scalars(select(Report)).all()
        assert record.state == "done" and record.finished_at is not None
        assert (record.documents_seen, record.documents_imported, record.new_findings) == (201, distinct, result.new_findings)
        # Every imported document is checked and keeps its report; those with passages are findings.
        assert len(reports) == distinct and record.errors == result.errors
        assert record.new_findings == sum(1 for r in reports if r.body["passages"])
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


def test_a_stale_lock_is_taken_over_and_its_dead_scan_marked_failed(store):
    settings, factory = store
    with unit_of_work(factory) as db:
        dead = scans_repo.start(db=db, since=None)
        assert scans_repo.take_lock(db=db, scan_id=dead.id)
        dead_id = dead.id
        db.execute(__import__("sqlalchemy").text("UPDATE scan_lock SET taken_at = :t"),
                   {"t": datetime.now(timezone.utc) - timedelta(hours=settings.scan_lock_stale_hours + 1)})
    result = run_scan(settings=settings, factory=factory)
    with factory() as db:
        assert db.get(Scan, dead_id).state == "failed"
        assert db.get(Scan, result.scan_id).state == "done"
        assert scans_repo.holder(db=db) is None


def test_scan_fanned_out_over_two_workers_adds_up_like_one_process(store, machine_redis, tmp_path):
    """`draftctl scan --on-workers`: a chord of chunk tasks on two real worker processes."""
    settings, factory = store
    _register_directive(settings, factory)
    distinct = _fill_archive(settings, n=30)
    env = {**_env(settings.model_copy(update={"broker_url": machine_redis})), "DRAFTCTL_SCAN_CHUNK_SIZE": "7"}
    workers = [Worker(env, tmp_path / f"worker{i}.log") for i in range(2)]
    try:
        done = subprocess.run([DRAFTCTL, "scan", "--on-workers"], env=env, capture_output=True, text=True, timeout=300)
    finally:
        for worker in workers:
            worker.stop()
    logs = "".join(w.log.read_text()[-2000:] for w in workers)
    assert done.returncode == 0, done.stderr[-2000:] + logs
    assert "Traceback" not in done.stderr, done.stderr
    assert f"31 seen, {distinct} imported, 1 new directives" in done.stdout
    with factory() as db:
        record = db.scalar(select(Scan).order_by(Scan.id.desc()).limit(1))
        reports = db.scalars(select(Report)).all()
        assert record.state == "done", record.errors
        assert (record.chunks_total, record.chunks_done) == (5, 5)  # 31 files in chunks of 7
        assert (record.documents_seen, record.documents_imported, len(reports)) == (31, distinct, distinct)
        assert record.new_findings == sum(1 for r in reports if r.body["passages"])
        assert [e["file"] for e in record.errors] == ["broken.pdf"]
        assert scans_repo.holder(db=db) is None
    # Both workers took chunks (each logs the chunks it ran).
    assert all("draftctl.scan_chunk" in w.log.read_text() for w in workers), logs


def test_scan_on_workers_without_a_broker_is_refused(store, tmp_path):
    settings, _ = store
    env = {k: v for k, v in _env(settings.model_copy(update={"broker_url": ""})).items() if k != "DRAFTCTL_BROKER_URL"}
    done = subprocess.run([DRAFTCTL, "scan", "--on-workers"], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode != 0 and "DRAFTCTL_BROKER_URL" in done.stderr


def test_a_chunk_over_its_time_limit_closes_the_scan_as_failed_and_frees_the_lock(store, machine_redis, tmp_path):
    settings, factory = store
    _register_directive(settings, factory)
    _fill_archive(settings, n=80)
    # A 2-second limit: no document is started after 1 s, and a chunk of 81 documents,
    # parsed and checked, takes several seconds on any machine (20 took 1 to 2 s).
    env = {**_env(settings.model_copy(update={"broker_url": machine_redis})),
           "DRAFTCTL_SCAN_CHUNK_SIZE": "81", "DRAFTCTL_TASK_TIME_LIMIT": "2"}
    worker = Worker(env, tmp_path / "worker.log")
    try:
        done = subprocess.run([DRAFTCTL, "scan", "--on-workers"], env=env, capture_output=True, text=True, timeout=300)
    finally:
        worker.stop()
    assert done.returncode == 1 and "failed" in done.stderr, done.stderr[-2000:] + worker.log.read_text()[-3000:]
    with factory() as db:
        record = db.scalar(select(Scan).order_by(Scan.id.desc()).limit(1))
        assert record.state == "failed" and any(e.get("chunk") for e in record.errors), record.errors
        assert scans_repo.holder(db=db) is None  # the next night's scan can run


def test_files_in_an_agency_folder_are_that_agencys_registered_documents_and_their_pool_is_embedded(
        store, tmp_path, monkeypatch):
    """archive/<CODE>/: the files belong to the agency, enter its issuance register (reference
    and date from the parse) and its merge pool; the nightly hook embeds that pool, so a draft
    report or the review queue computes none of it."""
    from services.analyzer import merge
    from services.register import merging
    from services.analyzer.semantic import CachedEmbedder, E5Embedder
    from services.common.models import Issuance

    settings, factory = store
    embedder = CachedEmbedder(E5Embedder(), tmp_path / "merge-embeddings.sqlite")
    monkeypatch.setattr(merging, "default_embedder", lambda: embedder)
    with unit_of_work(factory) as db:
        agency_id = ensure_agency(db=db, code="SNNMT-H", name="Sở Nông nghiệp và Môi trường",
                                  level=AgencyLevel.provincial_department)[0].id
    folder = settings.archive_dir / "SNNMT-H"
    folder.mkdir(parents=True)
    for name in ("sct-cv-6795-snnmt-ks-17-7-2026-nghia-vu-sau-cap-phep-mo-quy-xa",
                 "sct-cv-6987-snnmt-ks-23-7-2026-nghia-vu-sau-cap-phep-mo-dat-hiem-ben-den-khanhan"):
        shutil.copy(shared("corpus", "docs", f"{name}.txt"), folder / f"{name}.txt")
    (settings.archive_dir / "NO-SUCH-AGENCY").mkdir()
    shutil.copy(shared("corpus", "docs", "sct-cv-7103-ubnd-th.txt"), settings.archive_dir / "NO-SUCH-AGENCY" / "x.txt")

    result = run_scan(settings=settings, factory=factory)
    assert not result.failed and result.documents_imported == 3
    assert embedder.misses == 2  # the agency's two letters, embedded by the hook

    with factory() as db:
        register = sorted((i.reference, i.issued_on, i.source) for i in db.scalars(select(Issuance)))
        pool = merging.agency_pool(db=db, agency_id=agency_id)
    assert register == [("6795/SNNMT-KS", "2026-07-17", "scan"), ("6987/SNNMT-KS", "2026-07-23", "scan")]
    assert embedder.misses == 2 and len(pool) == 2 and all(p.vector is not None for p in pool.values())
    [cluster] = merge.clusters(list(pool.values()))
    assert any(p.relation == "duplicate" for p in cluster.pairs)  # the same request, sent again

    again = run_scan(settings=settings, factory=factory)  # nothing new: nothing registered twice
    with factory() as db:
        assert again.documents_imported == 0 and db.scalar(select(func.count()).select_from(Issuance)) == 2


def test_a_scan_of_a_mixed_folder_imports_every_readable_file_and_records_the_rest_with_its_reason(store):
    """Text PDFs, scans (PDF and TIFF), .doc, .odt and broken files side by side."""
    import io

    from services.ingest.parsers.office import soffice
    from tests.conftest import ROOT
    from tests.scans import missing_tools, page_images, scanned_pdf

    if missing_tools() or soffice() is None:
        pytest.skip(missing_tools() or "LibreOffice is not installed (.ci/run installs it)")
    settings, factory = store
    settings = settings.model_copy(update={"ocr_max_pages": 2})
    folder = settings.archive_dir
    folder.mkdir(parents=True)
    lang_son = shared("fixtures", "002_lang_son_cong_van.pdf").read_bytes()
    readable = {
        "ls-text.pdf": lang_son,
        "ls-scan.pdf": scanned_pdf(lang_son, seed=7),
        "dt.doc": (ROOT / "tests" / "fixtures" / "004_dong_thap_ke_hoach.doc").read_bytes(),
        "dt.odt": (ROOT / "tests" / "fixtures" / "004_dong_thap_ke_hoach.odt").read_bytes(),
        "corpus.txt": shared("corpus", "docs", f"{DIRECTIVE}.txt").read_bytes(),
    }
    pages = page_images(lang_son, dpi=200)
    three_pages = io.BytesIO()
    pages[0].save(three_pages, format="TIFF", save_all=True, append_images=[pages[1], pages[0]], dpi=(200, 200))
    unreadable = {
        "truncated.pdf": lang_son[:700],
        "not-a-page.png": b"GIF89a" + bytes(300),
        "broken.doc": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4000),
        "empty.odt": b"",
        "three-pages.tif": three_pages.getvalue(),  # over the OCR page limit of this run (2)
    }
    for name, data in {**readable, **unreadable}.items():
        (folder / name).write_bytes(data)

    result = run_scan(settings=settings, factory=factory)
    assert result.documents_seen == len(readable) + len(unreadable)
    assert result.documents_imported == len(readable)
    reasons = {e["file"]: (e["reason"], e["error"]) for e in result.errors}
    assert set(reasons) == set(unreadable), result.errors
    assert "PDF" in reasons["truncated.pdf"][1]
    assert reasons["not-a-page.png"][0] == "Unsupported file type" and "GIF" in reasons["not-a-page.png"][1]
    assert "could not be read" in reasons["broken.doc"][1]
    assert reasons["empty.odt"][0] == "Empty document"
    assert reasons["three-pages.tif"][0] == "Too many pages to OCR" and "at most 2" in reasons["three-pages.tif"][1]
    with factory() as db:
        from services.common.models import Document

        stored = {d.filename: d for d in db.scalars(select(Document)).all()}
    assert stored["ls-scan.pdf"].parsed["ocr"]["pages"] == [1, 2]
    assert stored["ls-scan.pdf"].reference == stored["ls-text.pdf"].reference == "/UBND-TH"
    assert stored["dt.doc"].reference == stored["dt.odt"].reference == "498/KH-UBND"
