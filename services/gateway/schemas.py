"""Pydantic models at the API edge."""
from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field


class CitationOut(BaseModel):
    reference: str
    doc_type: str | None
    date: str | None
    issuer: str | None
    start: int = Field(description="offset into the text as submitted (end exclusive)")
    end: int
    ref_start: int = Field(description="the số ký hiệu alone")
    ref_end: int


class MetadataOut(BaseModel):
    issuer: str | None = None
    reference: str | None = None
    number: str | None = None
    symbol: str | None = None
    doc_type: str | None = None
    place: str | None = None
    date: str | None = Field(None, description="ISO date, possibly partial (YYYY or YYYY-MM)")
    subject: str | None = None
    recipients: list[str] = []
    distribution: list[str] = []
    signer: str | None = None
    signer_title: str | None = None
    authority: str | None = None


class JobOut(BaseModel):
    id: int
    kind: str
    state: str
    attempts: int
    error: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


class DraftOut(BaseModel):
    id: int
    status: str = Field(description="received, parsed or failed")
    agency: str | None
    filename: str
    media_type: str
    size: int
    sha256: str
    created_at: datetime
    job: JobOut | None
    error: str | None = None
    metadata: MetadataOut | None = None
    citations: list[CitationOut] | None = None
    review: dict | None = Field(default=None, description="review state, the version it revises, the last decision")


class DraftSummary(BaseModel):
    id: int
    status: str
    agency: str | None
    filename: str
    reference: str | None
    doc_type: str | None
    subject: str | None
    created_at: datetime


class Page(BaseModel):
    items: list[DraftSummary]
    total: int
    offset: int
    limit: int


class PassageOut(BaseModel):
    draft_start: int = Field(description="offsets into the draft's text as submitted (end exclusive)")
    draft_end: int
    source: str
    source_document_id: int
    source_reference: str | None
    source_start: int = Field(description="offsets into the directive's text as submitted")
    source_end: int
    kind: str = Field(description="verbatim, near or paraphrase")
    lexical: float
    semantic: float | None


class ReportOut(BaseModel):
    draft_id: int
    copied_ratio: float = Field(description="copied characters over content characters (header/footer excluded)")
    verdict: str = Field(description="ok, review or return")
    directives_checked: int
    passages: list[PassageOut]
    sources: list[dict]
    created_at: datetime
    quota: dict | None = Field(default=None, description="what issuing the draft would do to its agency's quota")
    merge_candidates: list[dict] = Field(default_factory=list,
                                         description="documents of the agency this draft could be merged with")


class DirectiveOut(BaseModel):
    id: int
    status: str
    agency: str | None
    level: str | None
    filename: str
    reference: str | None
    doc_type: str | None
    subject: str | None
    job: JobOut | None
