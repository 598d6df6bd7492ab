"""Background frequencies (services/analyzer/background.py): versions of a draft against
unrelated documents, and what that means for drafts checked together."""
from __future__ import annotations

import numpy as np

from services.analyzer.background import Background
from services.analyzer.detect import DetectParams, detect, index_document
from services.analyzer.index import DirectiveIndex, shingle_hashes
from services.analyzer.tokens import tokenize
from services.ingest.normalize import comparison_key
from services.ingest.pipeline import parse
from tests.conftest import shared

BODY = [f"body{i}" for i in range(60)]
PASSAGE = [f"passage{i}" for i in range(10)]


def _frequencies(background: Background, draft: list[str], shingle: list[str]):
    query = shingle_hashes(draft)
    at = int(np.nonzero(query == shingle_hashes(shingle)[0])[0][0])
    f = background.frequencies(query, query_included=True)
    return int(f.documents[at]), int(f.weighted[at])


def test_versions_of_a_draft_count_and_the_first_unrelated_document_does_not():
    draft = BODY + PASSAGE
    background = Background()
    background.add(shingle_hashes(draft))  # the draft itself, as `draftctl detect` adds it
    background.add(shingle_hashes(BODY[:55] + ["edited"] + PASSAGE))  # an earlier version of it
    assert _frequencies(background, draft, PASSAGE) == (1, 1)
    background.add(shingle_hashes([f"other{i}" for i in range(40)] + PASSAGE))
    assert _frequencies(background, draft, PASSAGE) == (2, 1)  # one unrelated document: not counted
    background.add(shingle_hashes([f"third{i}" for i in range(40)] + PASSAGE))
    assert _frequencies(background, draft, PASSAGE) == (3, 2)
    assert _frequencies(background, draft, BODY) == (1, 1)  # the version's own text


def test_a_document_holding_little_of_the_draft_is_not_a_version():
    draft = BODY + PASSAGE
    background = Background()
    background.add(shingle_hashes(draft))
    background.add(shingle_hashes(BODY[:20] + [f"other{i}" for i in range(40)] + PASSAGE))
    assert _frequencies(background, draft, PASSAGE) == (1, 0)


def test_plans_checked_together_each_report_a_sentence_two_of_them_repeat(kl226):
    """000 and 004 both repeat "tinh giản 10% số lượng hội nghị hằng năm" from KL 226;
    checked in one call with the other plans, 004 still reports it."""
    index = DirectiveIndex()
    index_document(index, key="226-KL-TW.txt", parsed=kl226)
    names = ("000_b0328c80448f943d.txt", "002_f498fa0f8298bd96.txt", "003_e22e6fd817a95a82.txt",
             "004_8df03afd199811ae.txt")
    plans = {n: parse(shared("seeds", n).read_bytes(), with_sentences=False) for n in names}
    for parsed in plans.values():
        index.add_background(tokenize(parsed).words)
    for name in ("000_b0328c80448f943d.txt", "004_8df03afd199811ae.txt"):
        report = detect(plans[name], index, key=name, params=DetectParams(semantic=False), in_background=True)
        texts = [comparison_key(plans[name].text[p.draft_start:p.draft_end]).lower() for p in report.passages]
        assert any("10% số lượng hội nghị" in t for t in texts), name
