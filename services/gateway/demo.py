"""Demo data for `make run`: the directive 226-KL/TW and four provincial drafts from examples/,
parsed at once, plus one key per role (kept in data_dir/demo-keys.json so reruns reuse them)."""
from __future__ import annotations

import json
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
    from services.analyzer import phrases
    from services.directives.registry import LoadedIndex

    loaded = LoadedIndex(phrases.default(settings))
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
    return counts


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
