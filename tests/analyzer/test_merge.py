"""Merge signals on real corpus documents (services/analyzer/merge.py), with the bundled e5."""
from __future__ import annotations

import pytest

from services.analyzer import merge
from services.ingest.pipeline import parse
from tests.conftest import shared

# Chính phủ, 2025: two decrees on one subject for two sectors, worded differently; a decree
# of the same weeks on another matter; a văn bản hợp nhất of nothing here.
SAME_SUBJECT = {"sct-nd-139-2025-phan-dinh-tham-quyen-2-cap-bct": "139/2025/NĐ-CP",
                "sct-nd-140-2025-phan-dinh-tham-quyen-2-cap-xd": "140/2025/NĐ-CP"}
OTHER_MATTER = {"sct-nd-178-2025-quy-hoach-do-thi-nong-thon": "178/2025/NĐ-CP"}


def _profile(number: int, doc_id: str, reference: str, doc_type: str = "Nghị định") -> merge.Profile:
    path = shared("corpus", "docs", f"{doc_id}.txt")
    parsed = parse(path.read_bytes(), path.name, with_sentences=False)
    return merge.profile(document_id=number, text=parsed.text, parsed=parsed.to_json(include_text=False),
                         reference=reference, doc_type=doc_type, issued_on="2025-06-12")


@pytest.fixture(scope="module")
def decrees():
    return [_profile(i, doc_id, ref) for i, (doc_id, ref) in enumerate({**SAME_SUBJECT, **OTHER_MATTER}.items())]


def test_document_embeddings_pair_two_decrees_on_one_subject_in_other_words(decrees, semantic_layer):
    a, b, other = decrees
    assert merge.compare(a, b) is None  # words alone: too little shared text
    merge.embed(decrees, semantic_layer.embedder)
    evidence = merge.compare(a, b)
    assert evidence is not None and evidence.relation == "merge"
    assert evidence.semantic_similarity >= merge.Thresholds().same_topic_semantic
    assert evidence.to_json()["semantic_similarity"] == round(evidence.semantic_similarity, 3)
    assert merge.compare(a, other) is None and merge.compare(b, other) is None
    [cluster] = merge.clusters(decrees)
    assert sorted(cluster.documents) == [a.document_id, b.document_id]


def test_a_consolidated_text_is_never_a_merge_candidate_of_what_it_consolidates(decrees):
    a = decrees[0]
    consolidated = _profile(9, "sct-nd-139-2025-phan-dinh-tham-quyen-2-cap-bct", "12/VBHN-BCT", "Văn bản hợp nhất")
    assert consolidated.consolidated and not a.consolidated
    assert merge.compare(a, consolidated) is None


def test_clusters_join_only_groups_whose_members_mostly_pair_up():
    """A chain a–b–c where a and c are unrelated: average linkage keeps two groups apart
    that single linkage would have chained into one."""
    def p(i, words):
        return merge.Profile(document_id=i, reference=f"{i}/UBND", doc_type="Công văn", day=None, subject="",
                             citations=frozenset(), parents=frozenset(), recipients=frozenset(),
                             shingles=frozenset(words))
    a, b, c = p(1, range(0, 100)), p(2, range(0, 200)), p(3, range(100, 200))
    # b contains all of a and all of c (topic containment one way); a and c share nothing
    assert merge.compare(a, b) and merge.compare(b, c) and merge.compare(a, c) is None
    found = merge.clusters([a, b, c])
    assert len(found) == 1 and len(found[0].documents) == 2
