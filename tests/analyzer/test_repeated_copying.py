"""Many drafts copying one directive, and reports that depend only on the draft, the
registry and the common-phrase model (never on what else a process has checked)."""
from __future__ import annotations

import json
import re

from services.analyzer import shards
from services.analyzer.detect import DetectParams, detect, detect_over, index_document
from services.analyzer.index import DirectiveIndex
from services.ingest.pipeline import parse
from tests.conftest import shared
from tests.reissues import COMMUNES, COPIED, SEED, copied_found, reissue, write_drafts
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


def test_copies_of_one_text_filling_the_registry_do_not_push_out_the_directive_copied(kl226):
    """A registry where many documents hold the same text as the draft's own (a template
    every agency re-issued) ranks each of them above the directive the draft copies three
    sentences of: one of them is aligned for all, and the directive still is, one index or
    split in two shards."""
    seed = shared("seeds", SEED).read_text(encoding="utf-8")
    # the template: the seed's opening, up to a few lines before what it copies from Kết luận 226
    first = min(re.search(r"\s+".join(map(re.escape, c.split())), seed, flags=re.I).start() for c in COPIED)
    template = seed[:first - 300]
    index = DirectiveIndex()
    for k in range(12):
        index_document(index, key=f"template-{k}.txt", parsed=parse(template.encode(), "template.txt"))
    index_document(index, key="226-KL-TW.txt", parsed=kl226)
    text = reissue(seed, COMMUNES[0], 11)
    draft = parse(text.encode(), "draft.txt")
    # fewer places than copies of the template; the lexical layer alone (it bounds what it aligns)
    params = DetectParams(semantic=False, sentences=False, max_sources=4)
    one = detect(draft, index, key="d", params=params).to_json()
    from_kl226 = [p for p in one["passages"] if p["source"] == "226-KL-TW.txt"]
    assert copied_found(text, from_kl226) == COPIED
    assert {p["source"] for p in one["passages"]} - {"226-KL-TW.txt"} == {"template-0.txt"}
    split = detect_over(shards.ask_local(shards.split(index, 2)), draft, key="d", params=params).to_json()
    assert split == one


def test_a_cited_directive_keeps_its_place_though_an_earlier_one_seeds_the_same_positions():
    """Two directives with the same body (a text and its re-issue under another number):
    one place for both, but the draft cites the later one, and its passages go to it."""
    text = shared("directives", "226-KL-TW.txt").read_text(encoding="utf-8")
    index = DirectiveIndex()
    index_document(index, key="226.txt", parsed=parse(text.encode(), "a.txt"))
    index_document(index, key="230.txt", parsed=parse(text.replace("Số 226-KL/TW", "Số 230-KL/TW").encode(), "b.txt"))
    body = text[text.index("Xem xét"):][:2500]
    draft = parse(("ỦY BAN NHÂN DÂN\nXÃ TÂN LẬP\nSố: 12/UBND-VP\nV/v triển khai Kết luận số 230-KL/TW\n\n"
                   "Thực hiện Kết luận số 230-KL/TW của Ban Bí thư, UBND xã yêu cầu:\n\n" + body).encode(), "d.txt")
    assert "230-KL/TW" in [c.reference for c in draft.citations]
    report = detect(draft, index, key="d", params=DetectParams(semantic=False, sentences=False))
    assert report.passages and {p.source for p in report.passages} == {"230.txt"}
