"""The store of record: agencies, documents, jobs and API keys (SQLAlchemy 2)."""
from __future__ import annotations

import enum
from datetime import datetime, timezone

from sqlalchemy import JSON, DateTime, Enum, ForeignKey, Integer, LargeBinary, String, Text, TypeDecorator, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class UTCDateTime(TypeDecorator):
    """Timestamps in UTC on every backend (SQLite stores them without a zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value


class Base(DeclarativeBase):
    pass


class AgencyLevel(str, enum.Enum):
    """Issuing levels, highest first; a draft is checked against higher levels."""

    @property
    def rank(self) -> int:
        """0 for the highest level; a smaller rank is a higher level."""
        return list(AgencyLevel).index(self)

    central_party = "central_party"
    central_legislature = "central_legislature"
    central_government = "central_government"
    ministry_or_central_agency = "ministry_or_central_agency"
    provincial_party = "provincial_party"
    provincial_government = "provincial_government"
    provincial_front = "provincial_front"
    provincial_department = "provincial_department"
    commune = "commune"


class DocumentKind(str, enum.Enum):
    draft = "draft"
    directive = "directive"
    issued = "issued"


class DocumentStatus(str, enum.Enum):
    received = "received"
    parsed = "parsed"
    failed = "failed"


class JobState(str, enum.Enum):
    queued = "queued"
    running = "running"
    done = "done"
    failed = "failed"


class Role(str, enum.Enum):
    drafter = "drafter"
    reviewer = "reviewer"
    admin = "admin"


def _enum(e: type[enum.Enum]) -> Enum:
    # Stored as plain strings (no native PG enum): adding a value needs no type migration.
    return Enum(e, native_enum=False, length=40, validate_strings=True)


class Agency(Base):
    __tablename__ = "agencies"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    level: Mapped[AgencyLevel] = mapped_column(_enum(AgencyLevel))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Document(Base):
    __tablename__ = "documents"
    __table_args__ = (UniqueConstraint("kind", "agency_id", "sha256", name="uq_documents_kind_agency_sha256"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[DocumentKind] = mapped_column(_enum(DocumentKind))
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"), index=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    filename: Mapped[str] = mapped_column(String(500))
    media_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    status: Mapped[DocumentStatus] = mapped_column(_enum(DocumentStatus), default=DocumentStatus.received)
    # Metadata, filled from the parse (or given at upload):
    number: Mapped[str | None] = mapped_column(String(40))
    symbol: Mapped[str | None] = mapped_column(String(120))
    reference: Mapped[str | None] = mapped_column(String(160), index=True)
    doc_type: Mapped[str | None] = mapped_column(String(120))
    issued_on: Mapped[str | None] = mapped_column(String(10), doc="ISO date, possibly partial (YYYY or YYYY-MM)")
    subject: Mapped[str | None] = mapped_column(Text)
    text: Mapped[str | None] = mapped_column(Text, doc="text as submitted (decoded/extracted)")
    parsed: Mapped[dict | None] = mapped_column(JSON, doc="ParsedDocument as JSON, without the text")
    error: Mapped[str | None] = mapped_column(Text)
    # Review of a draft: None (not submitted), submitted, returned or approved.
    review_state: Mapped[str | None] = mapped_column(String(20), index=True)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    previous_version_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"),
                                                             doc="the returned draft this one revises")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    agency: Mapped[Agency | None] = relationship()
    jobs: Mapped[list["Job"]] = relationship(back_populates="document", order_by="Job.id")


class Job(Base):
    __tablename__ = "jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    state: Mapped[JobState] = mapped_column(_enum(JobState), default=JobState.queued, index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    document: Mapped[Document] = relationship(back_populates="jobs")


class ApiKey(Base):
    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    prefix: Mapped[str] = mapped_column(String(16), index=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[Role] = mapped_column(_enum(Role))
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), doc="none: the key does not expire")

    agency: Mapped[Agency | None] = relationship()


class IndexEntry(Base):
    """One directive in the copy-detection index: its analysis tokens, ready to load."""

    __tablename__ = "index_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), unique=True)
    level: Mapped[AgencyLevel] = mapped_column(_enum(AgencyLevel))
    payload: Mapped[bytes] = mapped_column(LargeBinary, doc="npz: token offsets, words, exclusions, sentences")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Report(Base):
    """The copy-detection report of a document (one per document): a check against new
    directives adds its findings to it (`body["checked"]` lists every directive checked)."""

    __tablename__ = "reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), unique=True)
    copied_ratio: Mapped[float] = mapped_column()
    verdict: Mapped[str] = mapped_column(String(20))
    body: Mapped[dict] = mapped_column(JSON)
    directives_checked: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Scan(Base):
    """One run of the archive scan: what it saw, found and failed on."""

    __tablename__ = "scans"

    id: Mapped[int] = mapped_column(primary_key=True)
    state: Mapped[str] = mapped_column(String(20), default="running", doc="running, done or failed")
    since: Mapped[str | None] = mapped_column(String(10))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    documents_seen: Mapped[int] = mapped_column(Integer, default=0)
    documents_imported: Mapped[int] = mapped_column(Integer, default=0)
    directives_new: Mapped[int] = mapped_column(Integer, default=0)
    new_findings: Mapped[int] = mapped_column(Integer, default=0)
    errors: Mapped[list] = mapped_column(JSON, default=list)
    # Fanned out over workers: how many chunks the plan has and how many have finished.
    chunks_total: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    chunks_done: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class ScanLock(Base):
    """A single row; holding it (holder not null) means a scan is running."""

    __tablename__ = "scan_lock"

    id: Mapped[int] = mapped_column(primary_key=True)
    holder: Mapped[int | None] = mapped_column(Integer)
    taken_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Issuance(Base):
    """One entry of the register of issued documents: what the 15% quota counts."""

    __tablename__ = "issuances"
    __table_args__ = (UniqueConstraint("agency_id", "reference", "issued_on", name="uq_issuances_agency_ref_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    reference: Mapped[str] = mapped_column(String(160))
    doc_type: Mapped[str | None] = mapped_column(String(120))
    issued_on: Mapped[str] = mapped_column(String(10), index=True, doc="ISO date")
    subject: Mapped[str | None] = mapped_column(Text)
    withdrawn: Mapped[bool] = mapped_column(default=False)
    source: Mapped[str] = mapped_column(String(20), doc="draft (issued through the API), import, or scan (archive folder)")
    document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    agency: Mapped[Agency] = relationship()


class Baseline(Base):
    """An agency's issuance count for a year, entered by hand when the register lacks that year."""

    __tablename__ = "baselines"
    __table_args__ = (UniqueConstraint("agency_id", "year", name="uq_baselines_agency_year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    year: Mapped[int] = mapped_column(Integer)
    count: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class AuditEvent(Base):
    """Who did what to a draft, and when: submissions, decisions, issue."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    action: Mapped[str] = mapped_column(String(20), doc="submit, resubmit, approve, return, issue or withdraw")
    actor: Mapped[str] = mapped_column(String(200), doc="the API key's name")
    actor_key_id: Mapped[int | None] = mapped_column(ForeignKey("api_keys.id"))
    actor_role: Mapped[str] = mapped_column(String(20))
    reasons: Mapped[list] = mapped_column(JSON, default=list)
    comment: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
