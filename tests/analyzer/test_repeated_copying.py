"""Many drafts copying one directive, and reports that depend only on the draft, the
registry and the common-phrase model (never on what else a process has checked)."""
from __future__ import annotations

import json

from services.analyzer.detect import DetectParams, detect, index_document
from services.analyzer.index import DirectiveIndex
from services.ingest.pipeline import parse
from tests.conftest import shared
from tests.reissues import COPIED, copied_found, write_drafts
from tests.test_cli import run


def test_seven_drafts_copying_kl226_each_report_its_passages_in_one_detect_call(tmp_path):
    drafts = write_drafts(tmp_path / "drafts")
    result = run("detect", "--sources", str(shared("directives", "226-KL-TW.txt")), "--json",
                 *map(str, drafts))
    assert result.returncode == 0, result.stderr
    reports = json.loads(result.stdout)
    assert [r["draft"] for r in reports] == [str(p) for p in drafts]
    for report in reports:
        text = open(report["draft"], encoding="utf-8").read()
        assert copied_found(text, report["passages"]) == COPIED, report["draft"]


def _passages(report):
    return [(p.draft_start, p.draft_end, p.source, p.source_start, p.source_end, p.kind) for p in report.passages]


def test_a_report_is_the_same_alone_after_fifty_other_checks_and_after_a_restart(kl226, tmp_path):
    drafts = [parse(p.read_bytes(), with_sentences=False) for p in write_drafts(tmp_path / "drafts")]
    others = [parse(p.read_bytes(), with_sentences=False)
              for p in sorted(shared("eval", "dev", "drafts").iterdir())][:43]

    def fresh_index():
        index = DirectiveIndex()
        index_document(index, key="226-KL-TW.txt", parsed=kl226)
        return index

    params = DetectParams(semantic=False)
    index = fresh_index()
    alone = [_passages(detect(d, index, key="d", params=params)) for d in drafts]
    for other in others + drafts:  # fifty checks through the same index
        detect(other, index, key="o", params=params)
    again = [_passages(detect(d, index, key="d", params=params)) for d in drafts]
    restarted = [_passages(detect(d, fresh_index(), key="d", params=params)) for d in drafts]
    assert alone == again == restarted
    assert all(alone)
