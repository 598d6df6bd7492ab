"""Demo data for `make run`: the directive 226-KL/TW and four provincial drafts from examples/,
parsed and checked at once; two of the drafts sent to review; a register of the demo agency's
documents last year and this year (so the quota page has figures); and one key per role
(kept in data_dir/demo-keys.json so reruns reuse them)."""
from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from services.agencies.service import create_key, ensure_agency
from services.common.blobs import BlobStore
from services.common.db import unit_of_work
from services.common.models import AgencyLevel, DocumentKind, Role
from services.common.settings import Settings
from services.documents.intake import accept
from services.documents.pipeline import INDEX, run_analyze_job, run_index_job, run_parse_job

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
DEMO_AGENCY = ("UBND-DEMO", "Ủy ban nhân dân tỉnh (demo)", AgencyLevel.provincial_government)
PARTY = ("BBT", "Ban Bí thư", AgencyLevel.central_party)


def load_demo(*, settings: Settings, factory: sessionmaker[Session], examples: Path = EXAMPLES,
              semantic=None) -> dict:
    """Accept, parse and check the demo documents; `semantic`: the paraphrase layer the
    service checks uploads with, so that the demo reports are the ones an upload would get."""
    blobs = BlobStore(settings.blob_dir)
    jobs: list[int] = []
    counts = {"directives": 0, "drafts": 0}
    with unit_of_work(factory) as db:
        party, _ = ensure_agency(db=db, code=PARTY[0], name=PARTY[1], level=PARTY[2])
        demo, _ = ensure_agency(db=db, code=DEMO_AGENCY[0], name=DEMO_AGENCY[1], level=DEMO_AGENCY[2])
        for folder, kind, agency, counter in (
            ("directives", DocumentKind.directive, party, "directives"),
            ("drafts", DocumentKind.draft, demo, "drafts"),
        ):
            for path in sorted((examples / folder).glob("*.txt")):
                accepted = accept(
                    db=db, blobs=blobs, settings=settings, data=path.read_bytes(), filename=path.name,
                    kind=kind, agency_id=agency.id, given={},
                )
                counts[counter] += 1
                if accepted.created:
                    jobs.append(accepted.job.id)
    from services.directives.registry import loaded_index

    loaded = loaded_index(settings, factory=factory)
    follow_ups = []
    for job_id in jobs:
        follow_ups += run_parse_job(job_id, factory, blobs)
    # directives first, so the drafts are checked against them
    for job_id, kind in sorted(follow_ups, key=lambda j: j[1] != INDEX):
        if kind == INDEX:
            run_index_job(job_id, factory)
        else:
            run_analyze_job(job_id, factory, loaded, semantic=semantic)
    counts["keys"] = _demo_keys(settings=settings, factory=factory)
    counts["registered"] = _demo_register(factory=factory)
    _demo_review(factory=factory)
    return counts


LAST_YEAR_ISSUED = 40  # the demo agency's documents last year: its target this year is 34


def this_year_days(today: date) -> list[date]:
    """The days the demo agency issued a document this year: every 12th day up to today."""
    start = date(today.year, 1, 2)
    return [start + timedelta(days=d) for d in range(0, (today - start).days + 1, 12)] if today >= start else []


def _demo_register(*, factory: sessionmaker[Session]) -> int:
    """Letters and plans of the demo agency, last year and this year, through the register's
    one way in (a second run adds nothing)."""
    from services.register.service import enter, today

    now = today()
    kinds = [("Công văn", "{n}/UBND-TH"), ("Kế hoạch", "{n}/KH-UBND"), ("Báo cáo", "{n}/BC-UBND"),
             ("Thông báo", "{n}/TB-UBND")]
    entries = [(date(now.year - 1, n % 12 + 1, n % 27 + 1), n) for n in range(1, LAST_YEAR_ISSUED + 1)]
    entries += [(day, 500 + n) for n, day in enumerate(this_year_days(now), 1)]
    added = 0
    with unit_of_work(factory) as db:
        agency, _ = ensure_agency(db=db, code=DEMO_AGENCY[0], name=DEMO_AGENCY[1], level=DEMO_AGENCY[2])
        for day, n in entries:
            doc_type, pattern = kinds[n % len(kinds)]
            _, created = enter(db=db, agency=agency, reference=pattern.format(n=n), doc_type=doc_type, issued_on=day,
                               subject=f"Văn bản mẫu số {n}", source="import")
            added += created
    return added


def _demo_review(*, factory: sessionmaker[Session]) -> None:
    """The drafts that copy Kết luận 226 wait in the reviewers' queue."""
    from services.agencies.repository import list_keys
    from services.documents.repository import list_page, report_of
    from services.review.service import submit
    from services.review.states import ReviewState, state_of

    with unit_of_work(factory) as db:
        drafter = next(k for k in list_keys(db=db) if k.role == Role.drafter and k.name == "demo drafter")
        drafts, _ = list_page(db=db, key=drafter, kind=DocumentKind.draft, offset=0, limit=50)
        for document in drafts:
            report = report_of(db=db, document_id=document.id)
            if state_of(document) == ReviewState.drafting and report is not None and report.body["passages"]:
                submit(db=db, key=drafter, draft_id=document.id)


def _demo_keys(*, settings: Settings, factory: sessionmaker[Session]) -> dict[str, str]:
    path = settings.data_dir / "demo-keys.json"
    if path.exists():
        return json.loads(path.read_text())
    out = {}
    with unit_of_work(factory) as db:
        for role, agency in ((Role.drafter, DEMO_AGENCY[0]), (Role.reviewer, None), (Role.admin, None)):
            _, plain = create_key(db=db, role=role, agency_code=agency, name=f"demo {role.value}")
            out[role.value] = plain
    path.write_text(json.dumps(out, indent=2))
    path.chmod(0o600)
    return out
