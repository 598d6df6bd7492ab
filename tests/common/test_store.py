"""The store (models, migrations, repositories, keys) on SQLite and PostgreSQL.

Each test runs inside a transaction rolled back at the end.
"""
from __future__ import annotations

import pytest
from sqlalchemy import inspect
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.agencies import service as keys
from services.common.db import make_engine
from services.common.errors import DraftctlError, Unauthorized
from services.common.migrate import upgrade
from services.common.models import AgencyLevel, Document, DocumentKind, JobState, Role, utcnow
from services.agencies.service import ensure_agency
from services.documents import repository as documents_repo
from services.common.repositories import jobs as jobs_repo


@pytest.fixture
def db(database_url):
    upgrade(database_url)
    engine = make_engine(database_url)
    connection = engine.connect()
    outer = connection.begin()
    session = Session(bind=connection, join_transaction_mode="create_savepoint")
    yield session
    session.close()
    outer.rollback()
    connection.close()
    engine.dispose()


def _draft(db, agency_id, sha="a" * 64) -> Document:
    return documents_repo.add(
        db=db,
        document=Document(kind=DocumentKind.draft, agency_id=agency_id, sha256=sha, filename="d.txt",
                          media_type="text/plain", size=10),
    )


def test_migrations_create_every_table(database_url):
    upgrade(database_url)
    engine = make_engine(database_url)
    tables = set(inspect(engine).get_table_names())
    engine.dispose()
    assert {"agencies", "documents", "jobs", "api_keys", "alembic_version"} <= tables


def test_agency_ensure_is_idempotent(db):
    first, _ = ensure_agency(db=db, code="UBND-LS", name="UBND tỉnh Lạng Sơn", level=AgencyLevel.provincial_government)
    again, _ = ensure_agency(db=db, code="UBND-LS", name="other", level=AgencyLevel.commune)
    assert first.id == again.id and again.name == "UBND tỉnh Lạng Sơn"


def test_same_bytes_are_stored_once_per_agency(db):
    a, _ = ensure_agency(db=db, code="A", name="A", level=AgencyLevel.commune)
    b, _ = ensure_agency(db=db, code="B", name="B", level=AgencyLevel.commune)
    _draft(db, a.id)
    _draft(db, b.id)  # another agency may upload the same bytes
    assert documents_repo.get_by_sha(db=db, kind=DocumentKind.draft, agency_id=a.id, sha256="a" * 64) is not None
    with pytest.raises(IntegrityError):
        with db.begin_nested():
            _draft(db, a.id)


def test_job_moves_queued_running_done_once(db):
    agency, _ = ensure_agency(db=db, code="A", name="A", level=AgencyLevel.commune)
    job = jobs_repo.create(db=db, document_id=_draft(db, agency.id).id, kind="parse")
    assert jobs_repo.queued_ids(db=db) == [job.id]
    assert jobs_repo.claim(db=db, job_id=job.id) is True
    assert jobs_repo.claim(db=db, job_id=job.id) is False  # a duplicate delivery does nothing
    assert jobs_repo.finish(db=db, job_id=job.id, state=JobState.done) is True
    assert jobs_repo.finish(db=db, job_id=job.id, state=JobState.failed, error="late") is False
    db.expire_all()
    stored = jobs_repo.get(db=db, job_id=job.id)
    assert (stored.state, stored.attempts, stored.error) == (JobState.done, 1, None)
    assert stored.started_at is not None and stored.finished_at is not None


def test_api_keys_are_stored_hashed_and_checked(db):
    ensure_agency(db=db, code="A", name="A", level=AgencyLevel.commune)
    key, plain = keys.create_key(db=db, role=Role.drafter, agency_code="A", name="chuyên viên")
    assert plain not in key.key_hash and key.key_hash == keys.hash_key(plain)
    assert keys.authenticate(db=db, plain=plain).id == key.id
    key.revoked_at = utcnow()
    db.flush()
    with pytest.raises(Unauthorized):
        keys.authenticate(db=db, plain=plain)


def test_drafter_key_needs_a_known_agency(db):
    with pytest.raises(DraftctlError, match="needs an agency"):
        keys.create_key(db=db, role=Role.drafter, agency_code=None, name=None)
    with pytest.raises(DraftctlError, match="unknown agency"):
        keys.create_key(db=db, role=Role.reviewer, agency_code="NOPE", name=None)


def test_parsed_metadata_fills_only_what_the_upload_did_not_give(db):
    from services.ingest.pipeline import parse
    from tests.conftest import shared

    agency, _ = ensure_agency(db=db, code="A", name="A", level=AgencyLevel.commune)
    doc = _draft(db, agency.id)
    doc.subject = "given at upload"
    documents_repo.record_parse(db=db, document_id=doc.id, parsed=parse(shared("seeds", "002_f498fa0f8298bd96.txt").read_bytes()))
    db.flush()
    assert (doc.subject, doc.reference, doc.doc_type, doc.issued_on) == ("given at upload", "/UBND-TH", "Công văn", "2025-12")
    assert doc.parsed["metadata"]["signer"] == "Đinh Hữu Học" and "text" not in doc.parsed
