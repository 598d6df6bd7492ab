"""Counts detections that fall inside a citation of another document in the draft
("Thực hiện … số … của … về …"): there must be none. Used by `make eval`.

usage: decoys.py DRAFTS_DIR DETECTIONS.json
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from services.analyzer.exclusions import citation_clauses
from services.ingest.pipeline import parse


def main(drafts_dir: str, detections: str) -> int:
    reports = {Path(r["draft"]).name: r for r in json.loads(Path(detections).read_text())}
    inside = 0
    for path in sorted(Path(drafts_dir).iterdir()):
        parsed = parse(path.read_bytes(), with_sentences=False)
        clauses = citation_clauses(parsed)
        for p in reports.get(path.name, {}).get("passages", []):
            for s, e in clauses:
                if p["draft_start"] >= s and p["draft_end"] <= e:
                    inside += 1
    print(json.dumps({"detections_inside_citations": inside}))
    return 1 if inside else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
