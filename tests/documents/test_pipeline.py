"""The document pipeline (services/documents/pipeline.py): every kind's declared jobs, a
parse stored once and read by the later jobs, and reports that a re-check adds to.
Real documents, a real store, the real job handlers."""
from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest
from sqlalchemy import select

from services.agencies.service import ensure_agency
from services.analyzer import phrases
from services.analyzer.detect import DetectParams, detect, detect_over
from services.analyzer.shards import ask_local
from services.directives.registry import LoadedIndex, loaded_index, write_snapshot
from services.common.blobs import BlobStore
from services.common.db import make_engine, session_factory, unit_of_work
from services.common.migrate import upgrade
from services.common.models import AgencyLevel, Document, DocumentKind, Report
from services.common.settings import Settings
from services.documents import repository as documents_repo
from services.documents.intake import accept
from services.ingest.pipeline import parse
from services.documents.pipeline import ANALYZE, INDEX, PARSE, STEPS, run_analyze_job, run_index_job, run_parse_job
from services.worker.scan import run_scan
from tests.conftest import shared
from tests.test_cli import DRAFTCTL
from tests.gateway.test_report_api import api, register  # noqa: F401 (fixture)
from tests.polling import wait_for

DEV = ("eval", "dev")
# draft-dev-001 copies passages of both of these (its truth lists them).
FIRST = "hr-nghi-dinh-so-191-2026-nd-cp-469672.txt"
SECOND = "hr-thong-tu-so-44-2022-tt-btc-37701.txt"


@pytest.fixture
def store(tmp_path):
    settings = Settings(data_dir=tmp_path / "data", cache_dir=tmp_path / "cache")
    settings.data_dir.mkdir(parents=True)
    upgrade(settings.effective_database_url)
    return settings, session_factory(make_engine(settings.effective_database_url)), BlobStore(settings.blob_dir)


def _accept(store, path, kind: DocumentKind, agency: str, level: AgencyLevel) -> int:
    settings, factory, blobs = store
    with unit_of_work(factory) as db:
        owner, _ = ensure_agency(db=db, code=agency, name=agency, level=level)
        return accept(db=db, blobs=blobs, settings=settings, data=path.read_bytes(), filename=path.name, kind=kind,
                      agency_id=owner.id, given={}).job.id


def _directive(store, name: str) -> None:
    _, factory, blobs = store
    job = _accept(store, shared(*DEV, "sources", name), DocumentKind.directive, "CP", AgencyLevel.central_government)
    for follow_up, kind in run_parse_job(job, factory, blobs):
        assert kind == INDEX
        run_index_job(follow_up, factory)


def test_every_kind_of_document_has_its_declared_jobs():
    assert STEPS == {DocumentKind.draft: (PARSE, ANALYZE), DocumentKind.directive: (PARSE, INDEX),
                     DocumentKind.issued: (PARSE, ANALYZE)}


def test_the_analysis_reads_the_stored_parse_and_never_the_file_again(store):
    settings, factory, blobs = store
    _directive(store, FIRST)
    job = _accept(store, shared(*DEV, "drafts", "draft-dev-001.txt"), DocumentKind.draft, "UBND-T",
                  AgencyLevel.provincial_government)
    [(analyze, kind)] = run_parse_job(job, factory, blobs)
    with factory() as db:
        document = db.scalar(select(Document).where(Document.kind == DocumentKind.draft))
    blobs.path_for(document.sha256).unlink()  # the original is gone: only the stored parse is left
    assert run_analyze_job(analyze, factory, LoadedIndex(phrases.default(settings))) == []
    with factory() as db:
        report = documents_repo.report_of(db=db, document_id=document.id)
        assert report is not None and report.body["passages"], "the check ran on the stored parse"


def test_a_recheck_against_new_directives_adds_to_the_earlier_findings(store):
    settings, factory, _ = store
    _directive(store, FIRST)
    folder = settings.archive_dir / "UBND-T"
    folder.mkdir(parents=True)
    with unit_of_work(factory) as db:
        ensure_agency(db=db, code="UBND-T", name="UBND tỉnh", level=AgencyLevel.provincial_government)
    shutil.copy(shared(*DEV, "drafts", "draft-dev-001.txt"), folder / "draft-dev-001.txt")
    first = run_scan(settings=settings, factory=factory)
    assert (first.documents_imported, first.new_findings, first.errors) == (1, 1, [])
    with factory() as db:
        before = db.scalar(select(Report))
        directives = {p["source_document_id"] for p in before.body["passages"]}
        assert len(directives) == 1 and before.directives_checked == 1

    _directive(store, SECOND)
    second = run_scan(settings=settings, factory=factory)  # re-checks the stored document against SECOND only
    assert (second.directives_new, second.new_findings, second.errors) == (1, 1, [])
    with factory() as db:
        after = db.scalar(select(Report))
        sources = {p["source_document_id"] for p in after.body["passages"]}
        assert directives < sources and len(sources) == 2, "the first directive's passages are kept"
        assert after.directives_checked == 2 and len(after.body["checked"]) == 2
        kept = [p for p in after.body["passages"] if p["source_document_id"] in directives]
        assert kept == [p for p in before.body["passages"]]
        assert after.copied_ratio > before.copied_ratio


def test_an_archive_file_imported_through_the_api_is_checked_against_the_registry(api):  # noqa: F811
    register(api, "central_party")
    line = {"agency": "UBND-QN", "reference": "12/KH-UBND", "doc_type": "Kế hoạch", "date": "2026-01-15",
            "file": "kh-12.txt"}
    response = api.post("/api/v1/archive", headers=api.keys["admin"],
                        files={"metadata": ("archive.jsonl", json.dumps(line, ensure_ascii=False).encode()),
                               "files": ("kh-12.txt", shared("seeds", "000_b0328c80448f943d.txt").read_bytes())})
    assert response.status_code == 200, response.text
    assert response.json()["documents"] == 1

    def checked():
        with api.app.state.factory() as db:
            return db.scalar(select(Report).join(Document, Document.id == Report.document_id)
                             .where(Document.kind == DocumentKind.issued))

    report = wait_for(checked, timeout=120, what="the issued document's check")
    assert report.directives_checked == 1 and len(report.body["passages"]) >= 3


def test_a_worker_maps_the_index_snapshot_and_loads_only_directives_registered_after_it(store):
    settings, factory, _ = store
    _directive(store, FIRST)
    snapshot_dir = settings.data_dir / "index"
    made = subprocess.run([DRAFTCTL, "index", "snapshot", "--out", str(snapshot_dir)], capture_output=True,
                          text=True, timeout=300, env={**os.environ, "DRAFTCTL_DATA_DIR": str(settings.data_dir)})
    assert made.returncode == 0, made.stderr
    assert "1 directives" in made.stdout
    _directive(store, SECOND)

    mapped = LoadedIndex(phrases.default(settings), snapshot_dir)
    whole = LoadedIndex(phrases.default(settings))
    with factory() as db:
        assert mapped.refresh(db) == 1 and whole.refresh(db) == 2
    assert mapped.document_ids == whole.document_ids and mapped.levels == whole.levels
    draft = parse(shared(*DEV, "drafts", "draft-dev-001.txt").read_bytes(), with_sentences=False)
    got = detect(draft, mapped.index, key="d", params=DetectParams(semantic=False)).passages
    assert {p.source for p in got} == {f"document:{i}" for i in whole.document_ids}, "both directives found"
    assert got == detect(draft, whole.index, key="d", params=DetectParams(semantic=False)).passages


def test_index_snapshot_refuses_a_folder_of_other_files_and_changes_nothing(store, tmp_path):
    settings, _, _ = store
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "keep.txt").write_text("mine")
    made = subprocess.run([DRAFTCTL, "index", "snapshot", "--out", str(tmp_path / "notes")], capture_output=True,
                          text=True, timeout=300, env={**os.environ, "DRAFTCTL_DATA_DIR": str(settings.data_dir)})
    assert made.returncode != 0 and "not an index snapshot" in made.stderr
    assert [p.name for p in (tmp_path / "notes").iterdir()] == ["keep.txt"]


def test_the_nightly_snapshot_writes_the_configured_folder_and_is_skipped_without_one(store):
    settings, factory, _ = store
    _directive(store, FIRST)
    assert write_snapshot(settings=settings, factory=factory, loaded=LoadedIndex(phrases.default(settings))) == {
        "skipped": "DRAFTCTL_INDEX_SNAPSHOT is not set"}
    configured = settings.model_copy(update={"index_snapshot": settings.data_dir / "index"})
    done = write_snapshot(settings=configured, factory=factory, loaded=LoadedIndex(phrases.default(settings)))
    assert done["directives"] == 1
    assert len(LoadedIndex(phrases.default(settings), settings.data_dir / "index").index) == 1


def test_a_worker_given_a_snapshot_it_cannot_use_loads_every_entry_instead(store, tmp_path):
    settings, factory, _ = store
    _directive(store, FIRST)
    (tmp_path / "manifest.json").write_text('{"format": 1}')  # an older format
    loaded = LoadedIndex(phrases.default(settings), tmp_path)
    with factory() as db:
        assert loaded.refresh(db) == 1


def test_a_split_registry_snapshots_each_shard_and_checks_as_one_index_does(store):
    settings, factory, _ = store
    names = sorted(p.name for p in shared(*DEV, "sources").iterdir())
    for name in [FIRST, SECOND] + [n for n in names if n not in (FIRST, SECOND)][:3]:
        _directive(store, name)
    split = settings.model_copy(update={"index_shards": 2, "index_snapshot": settings.data_dir / "index"})
    done = write_snapshot(settings=split, factory=factory, loaded=loaded_index(split))
    assert done["shards"] == 2 and done["directives"] == 5
    _directive(store, [n for n in names if n not in (FIRST, SECOND)][3])  # registered after the snapshot

    whole = LoadedIndex(phrases.default(settings))
    with factory() as db:
        whole.refresh(db)
        mapped = [loaded_index(split, shard=k) for k in (0, 1)]
        assert [part.refresh(db) for part in mapped] == [1, 1]  # only the entry newer than the snapshots
        fresh = [LoadedIndex(phrases.default(settings), shard=k, shards=2) for k in (0, 1)]
        for part in fresh:
            part.refresh(db)
    for part, again in zip(mapped, fresh):
        assert part.numbers == again.numbers and part.document_ids == whole.document_ids
        assert part.index.sentence_stats.sentences == again.index.sentence_stats.sentences
        assert (part.index.sentence_stats.df == again.index.sentence_stats.df).all()
    catalogue = loaded_index(split, factory=factory)  # what the process that fans out holds
    with factory() as db:
        catalogue.refresh(db)
    assert catalogue.document_ids == whole.document_ids and catalogue.levels == whole.levels
    assert len(catalogue.index) == 0
    from_the_store = LoadedIndex(phrases.default(settings), shards=2)  # no snapshot: the catalogue's rows only
    with factory() as db:
        assert from_the_store.refresh(db) == 6
    assert from_the_store.document_ids == whole.document_ids and from_the_store.levels == whole.levels
    parsed = parse(shared(*DEV, "drafts", "draft-dev-001.txt").read_bytes(), with_sentences=False)
    one = detect(parsed, whole.index, key="d")
    over = detect_over(ask_local([part.shard_view() for part in mapped]), parsed, key="d")
    assert one.passages and over.to_json() == one.to_json()
