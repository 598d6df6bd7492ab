"""Pydantic models of the review endpoints."""
from __future__ import annotations

import datetime as dt
import enum

from pydantic import BaseModel, Field, model_validator

from services.common.types import IsoDate
from services.review.states import ReviewState


class ReasonCode(str, enum.Enum):
    copies_higher_level = "copies_higher_level"  # sao chép văn bản cấp trên
    can_merge = "can_merge"  # có thể tích hợp với văn bản khác
    over_quota = "over_quota"  # vượt chỉ tiêu giảm 15%
    other = "other"


class Reason(BaseModel):
    code: ReasonCode
    detail: str | None = Field(default=None, max_length=2000, description="e.g. the document it can merge with")


class Decision(str, enum.Enum):
    approve = "approve"
    return_ = "return"


class DecisionIn(BaseModel):
    decision: Decision
    reasons: list[Reason] = Field(default_factory=list, max_length=20)
    comment: str | None = Field(default=None, max_length=5000)

    @model_validator(mode="after")
    def _return_needs_a_reason(self):
        if self.decision == Decision.return_ and not self.reasons:
            raise ValueError("a returned draft needs at least one reason")
        return self


class IssueIn(BaseModel):
    number: str = Field(min_length=1, max_length=40, pattern=r"^\d{1,9}[A-Za-z]?$", description="số, e.g. 512")
    date: IsoDate = Field(description="the day it is issued: not in the future")
    symbol: str | None = Field(default=None, min_length=1, max_length=120, pattern=r"^[^\x00-\x1f\x7f]+$",
                               description="ký hiệu, e.g. UBND-TH; default: the draft's")
    doc_type: str | None = Field(default=None, min_length=1, max_length=120, pattern=r"^[^\x00-\x1f\x7f]+$",
                                 description="default: the draft's")


class WithdrawIn(BaseModel):
    comment: str | None = Field(default=None, max_length=5000, description="why it will not be issued")


class TransitionOut(BaseModel):
    draft_id: int
    review_state: ReviewState
    action: str = Field(description="submit, resubmit, approve, return, issue or withdraw")
    previous_version_id: int | None = None


class DecisionOut(TransitionOut):
    reasons: list[Reason]
    comment: str | None


class IssueOut(TransitionOut):
    agency: str
    reference: str
    date: dt.date
    doc_type: str


class MergeHint(BaseModel):
    id: int
    reference: str | None
    relation: str


class Findings(BaseModel):
    score: float = Field(description="the queue's order: copied share ×100, +10 per merge candidate (≤3), +25 over quota")
    copied_ratio: float | None
    verdict: str | None
    passages: int | None
    over_quota_after_issue: bool | None
    merge_candidates: list[MergeHint]


class QueueItem(BaseModel):
    draft_id: int
    agency: str | None
    filename: str
    subject: str | None
    doc_type: str | None
    submitted_at: dt.datetime | None
    previous_version_id: int | None
    findings: Findings


class QueueOut(BaseModel):
    state: ReviewState
    total: int
    items: list[QueueItem]


class AuditEventOut(BaseModel):
    draft_id: int
    action: str
    actor: str
    role: str
    at: dt.datetime
    reasons: list[Reason]
    comment: str | None


class AuditOut(BaseModel):
    draft_id: int
    versions: list[int]
    events: list[AuditEventOut]
