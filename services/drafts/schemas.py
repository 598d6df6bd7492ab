"""Pydantic models of the draft endpoints: a draft, a page of drafts, its report."""
from __future__ import annotations

import datetime as dt
from datetime import datetime

from pydantic import BaseModel, Field

from services.documents.schemas import CitationOut, JobOut, MetadataOut, OcrOut
from services.register.schemas import ClusterPair
from services.review.schemas import Reason
from services.review.states import ReviewState


class LastDecision(BaseModel):
    decision: str = Field(description="approve or return")
    reasons: list[Reason]
    comment: str | None
    at: datetime


class ReviewOut(BaseModel):
    state: ReviewState
    submitted_at: datetime | None
    previous_version_id: int | None = Field(description="the returned draft this one revises")
    decision: LastDecision | None


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
    ocr: OcrOut | None = Field(None, description="set when the draft was a scan, read by OCR")
    review: ReviewOut


class DraftSummary(BaseModel):
    id: int
    status: str
    review_state: ReviewState
    agency: str | None
    filename: str
    reference: str | None
    doc_type: str | None
    subject: str | None
    created_at: datetime


class DraftPage(BaseModel):
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
    source_excerpt: str = Field(description="the directive's text of the passage")
    source_unit: str | None = Field(description="the directive's unit it comes from, e.g. khoản 2 Điều 5")
    suggestion: str = Field(description="what to write instead: a citation of that unit")


class SourceShare(BaseModel):
    source: str
    reference: str | None
    passages: int
    chars: int = Field(description="draft characters copied from this directive")


class QuotaEffect(BaseModel):
    agency: str
    year: int
    issued: int
    target_max: int | None
    issued_after: int
    over_target_after: bool | None = Field(description="none when the agency has no baseline")


class MergeDocument(BaseModel):
    id: int
    kind: str
    reference: str | None
    date: dt.date | None = Field(description="the day it was issued (or, for a draft not issued, uploaded)")
    subject: str | None


class MergeCandidate(ClusterPair):
    """A document of the agency this draft could be merged with, and the evidence."""

    document: MergeDocument


class ReportOut(BaseModel):
    draft_id: int
    draft_text: str = Field(description="the draft's text as submitted: what the offsets index (for a scan, "
                            "the text OCR read)")
    ocr: OcrOut | None = Field(None, description="set when the draft was a scan, read by OCR: its passages "
                               "are as certain as the OCR text")
    copied_ratio: float = Field(description="copied characters over content characters (header/footer excluded)")
    verdict: str = Field(description="ok, review or return")
    directives_checked: int
    passages: list[PassageOut]
    sources: list[SourceShare]
    created_at: datetime
    quota: QuotaEffect | None = Field(default=None, description="what issuing the draft would do to its agency's quota")
    merge_candidates: list[MergeCandidate] = Field(default_factory=list,
                                                   description="documents of the agency this draft could be merged with")
