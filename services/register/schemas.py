"""Pydantic models of the register endpoints: archive import, baselines, quota, the
periodic report, merge candidates."""
from __future__ import annotations

import datetime as dt
from datetime import date

from pydantic import BaseModel, Field


class ImportOut(BaseModel):
    lines: int
    registered: int
    already_registered: int
    documents: int = Field(description="files stored as issued documents (parsed, then checked)")
    agencies_created: list[str]


class BaselineIn(BaseModel):
    count: int = Field(ge=0, le=1_000_000, description="documents the agency issued that year (as counted by the rules)")


class BaselineOut(BaseModel):
    agency: str
    year: int
    count: int


class Projection(BaseModel):
    pro_rata: int | None
    by_last_year_profile: int | None


class QuotaFigures(BaseModel):
    year: int
    as_of: date
    baseline: int | None = Field(description="last year's count: from the register, or entered")
    baseline_source: str | None = Field(description="register, entered or none")
    target_max: int | None = Field(description="at most this many this year (15% fewer); none without a baseline")
    issued: int
    by_type: dict[str, int]
    by_month: dict[str, int]
    excluded: dict[str, int] = Field(description="entries not counted, by reason")
    projected: int | None
    projection: Projection
    remaining: int | None
    on_track: bool | None


class AgencyQuota(QuotaFigures):
    agency: str
    name: str


class ProvinceTotal(BaseModel):
    baseline: int | None
    target_max: int | None = Field(description="the agencies with a baseline; none when no agency has one")
    issued: int
    issued_with_baseline: int
    projected: int
    remaining: int | None
    on_track: bool | None
    agencies_without_baseline: list[str]


class ProvinceQuota(BaseModel):
    year: int
    as_of: date
    agencies: list[AgencyQuota]
    province: ProvinceTotal


class ReportRow(BaseModel):
    agency: str
    name: str
    issued_in_period: int
    issued_year_to_period_end: int
    baseline: int | None
    target_max: int | None
    remaining: int | None
    projected: int | None
    on_track: bool | None


class MonthFigures(BaseModel):
    month: str
    issued: int
    target: float


class PeriodTotal(BaseModel):
    issued_in_period: int
    target_max: int


class PeriodReport(BaseModel):
    period: str
    from_: date = Field(alias="from")
    to: date
    rows: list[ReportRow]
    by_month: list[MonthFigures]
    province: PeriodTotal

    model_config = {"populate_by_name": True}


class ClusterDocument(BaseModel):
    id: int
    reference: str | None
    date: dt.date | None
    doc_type: str | None
    subject: str | None


class ClusterPair(BaseModel):
    """The evidence that two documents could be one."""

    documents: list[int]
    relation: str
    shared_citations: list[str]
    subject_similarity: float
    semantic_similarity: float | None
    containment: list[float]
    date_gap_days: int | None
    recipients_in_common: list[str]
    suggestion: str


class MergeCluster(BaseModel):
    agency: str
    documents: list[ClusterDocument]
    duplicates: bool
    pairs: list[ClusterPair]


class MergeClusters(BaseModel):
    from_: date | None = Field(alias="from")
    to: date | None
    window_days: int
    clusters: list[MergeCluster]

    model_config = {"populate_by_name": True}
