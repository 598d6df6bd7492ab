"""Pydantic models of the directive endpoints."""
from __future__ import annotations

from pydantic import BaseModel, Field

from services.documents.schemas import JobOut


class DirectiveOut(BaseModel):
    id: int
    status: str = Field(description="received, parsed or failed")
    agency: str | None = Field(description="the issuing body's code")
    level: str | None
    filename: str
    reference: str | None
    doc_type: str | None
    subject: str | None
    job: JobOut | None


class DirectivePage(BaseModel):
    items: list[DirectiveOut]
    total: int
    offset: int
    limit: int
