"""Pydantic models of what every kind of document shows: its job, metadata and citations."""
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


class OcrOut(BaseModel):
    """How a scanned document was read: OCR text is less certain than a text layer."""

    engine: str = Field(description="the OCR engine and its language model")
    pages: list[int] = Field(description="the pages read by OCR (1-based)")
    mean_confidence: float | None = Field(description="the engine's mean word confidence, 0-100")

    @classmethod
    def of(cls, parsed: dict | None) -> "OcrOut | None":
        found = (parsed or {}).get("ocr")
        return cls(**found) if found else None


class JobOut(BaseModel):
    id: int
    kind: str = Field(description="parse, analyze or index")
    state: str = Field(description="queued, running, done or failed")
    attempts: int
    error: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
