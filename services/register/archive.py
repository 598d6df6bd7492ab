"""Bulk import of an archive into the register of issued documents: JSON lines of metadata
(`agency`, `reference`, `doc_type`, `date`, `subject`, optional `file`, `withdrawn`), with
the named files alongside.

All or nothing: every line is checked first, and any error (with its line number) rejects
the whole import. Agencies the store does not know are created and listed in the result.
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from sqlalchemy.orm import Session

from services.agencies.service import CODE_PATTERN, check_name, ensure_agency
from services.common.blobs import BlobStore
from services.common.errors import DraftctlError
from services.common.models import AgencyLevel, DocumentKind
from services.common.settings import Settings
from services.common.types import IsoDate
from services.documents.intake import accept
from services.register.service import check_issue_date, enter, is_registered

# An agency first met in an import, with no level given, gets the lowest level: its
# documents are then checked against every registered directive rather than none.
DEFAULT_LEVEL = list(AgencyLevel)[-1]


class ArchiveLine(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    agency: str = Field(min_length=1, max_length=64, pattern=CODE_PATTERN)
    reference: str = Field(min_length=1, max_length=160)
    doc_type: str = Field(min_length=1, max_length=120)
    date: IsoDate
    subject: str | None = Field(default=None, max_length=5000)
    file: str | None = Field(default=None, max_length=500)
    withdrawn: bool = False
    agency_name: str | None = Field(default=None, max_length=300)
    agency_level: AgencyLevel | None = None

    @field_validator("reference", "doc_type", "agency_name")
    @classmethod
    def _printable(cls, value: str | None) -> str | None:
        return None if value is None else check_name(value, what="value")

    @field_validator("date")
    @classmethod
    def _issued(cls, value: dt.date) -> dt.date:
        return check_issue_date(value)


@dataclass
class ImportResult:
    lines: int = 0
    registered: int = 0
    already_registered: int = 0
    documents: int = 0
    agencies_created: list[str] = field(default_factory=list)
    jobs: list[tuple[int, str]] = field(default_factory=list)  # to dispatch once committed

    def to_json(self) -> dict:
        return {"lines": self.lines, "registered": self.registered, "already_registered": self.already_registered,
                "documents": self.documents, "agencies_created": self.agencies_created}


def read_lines(body: bytes, files: dict[str, bytes]) -> list[tuple[int, ArchiveLine]]:
    """Every line checked; a DraftctlError listing each bad line (number and reason) if any."""
    errors, lines, seen = [], [], {}
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DraftctlError("the archive is not UTF-8 JSON lines", status=422, title="Invalid archive")
    for number, raw in enumerate(text.splitlines(), 1):
        if not raw.strip():
            continue
        try:
            line = ArchiveLine.model_validate(json.loads(raw))
        except json.JSONDecodeError as exc:
            errors.append({"line": number, "error": f"not JSON: {exc.msg}"})
            continue
        except DraftctlError as exc:
            errors.append({"line": number, "error": exc.detail})
            continue
        except ValidationError as exc:
            reasons = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'line'}: {e['msg']}" for e in exc.errors())
            errors.append({"line": number, "error": reasons})
            continue
        if line.file and line.file not in files:
            errors.append({"line": number, "error": f"file {line.file!r} is not in the upload"})
            continue
        key = (line.agency, line.reference, line.date)
        if key in seen:
            errors.append({"line": number, "error": f"repeats line {seen[key]} (same agency, reference and date)"})
            continue
        seen[key] = number
        lines.append((number, line))
    if not lines and not errors:
        errors.append({"line": 0, "error": "the archive has no lines"})
    if errors:
        raise DraftctlError(f"{len(errors)} line(s) of the archive are invalid; nothing was imported",
                            status=422, title="Invalid archive", extra={"errors": errors})
    return lines


def import_lines(*, db: Session, blobs: BlobStore, settings: Settings, lines: list[tuple[int, ArchiveLine]],
                 files: dict[str, bytes]) -> ImportResult:
    """Apply checked lines in the caller's transaction; any failure raises before a commit."""
    result, errors = ImportResult(lines=len(lines)), []
    for number, line in lines:
        agency, created = ensure_agency(db=db, code=line.agency, name=line.agency_name or line.agency,
                                        level=line.agency_level or DEFAULT_LEVEL)
        if created:
            result.agencies_created.append(line.agency)
        if is_registered(db=db, agency=agency, reference=line.reference, issued_on=line.date):
            result.already_registered += 1
            continue
        document_id = None
        if line.file:
            try:
                accepted = accept(db=db, blobs=blobs, settings=settings, data=files[line.file], filename=line.file,
                                  kind=DocumentKind.issued, agency_id=agency.id,
                                  given={"reference": line.reference, "doc_type": line.doc_type,
                                         "issued_on": line.date.isoformat(), "subject": line.subject})
            except DraftctlError as exc:
                errors.append({"line": number, "file": line.file, "error": exc.detail})
                continue
            document_id = accepted.document.id
            result.documents += 1
            if accepted.created:
                result.jobs.append((accepted.job.id, accepted.job.kind))
        enter(db=db, agency=agency, reference=line.reference, doc_type=line.doc_type, issued_on=line.date,
              subject=line.subject, source="import", document_id=document_id, withdrawn=line.withdrawn)
        result.registered += 1
    if errors:
        raise DraftctlError(f"{len(errors)} file(s) of the archive cannot be read; nothing was imported",
                            status=422, title="Invalid archive", extra={"errors": errors})
    return result


def import_archive(*, db: Session, blobs: BlobStore, settings: Settings, body: bytes,
                   files: dict[str, bytes]) -> ImportResult:
    """Check every line, then apply them all in the caller's transaction (all or nothing)."""
    return import_lines(db=db, blobs=blobs, settings=settings, lines=read_lines(body, files), files=files)
