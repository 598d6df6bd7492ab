"""The semantic layer (services/analyzer/semantic.py) with the real bundled e5 model."""
from __future__ import annotations

import numpy as np

from services.analyzer.detect import DetectParams, detect
from services.analyzer.semantic import CachedEmbedder, E5Embedder


def _overlaps(report, case) -> bool:
    # The draft span and the source document; the sentence stands several times in this
    # source, so which occurrence is reported is not asserted.
    return any(
        p.source == case["source"] and p.draft_start < case["draft_end"] and p.draft_end > case["draft_start"]
        for p in report.passages
    )


def test_a_passage_the_lexical_layer_misses_is_found_by_the_semantic_layer(dev_set, semantic_layer):
    """A short sentence broken across PDF lines: too few rare shingles for the lexical
    layer, one close sentence pair for the semantic layer."""
    index, drafts, truth = dev_set
    name = "draft-dev-008.txt"
    case = next(c for d in truth["drafts"] if d["draft"] == name for c in d["cases"]
                if c["source"] == "hr-thong-tu-so-20-2022-tt-bkhdt-38035.txt")
    lexical_only = detect(drafts[name], index, key=name, params=DetectParams(semantic=False), in_background=True)
    assert not _overlaps(lexical_only, case)
    with_semantic = detect(drafts[name], index, key=name, params=DetectParams(semantic=True), semantic=semantic_layer,
                           in_background=True)
    assert _overlaps(with_semantic, case)
    found = next(p for p in with_semantic.passages if p.source == case["source"] and p.semantic is not None)
    assert found.kind == "paraphrase" and found.semantic >= 0.94  # what the layer reports it as


def test_embeddings_are_cached_by_text(tmp_path):
    cached = CachedEmbedder(E5Embedder(), tmp_path / "e.sqlite")
    texts = ["Hằng năm, các tổ chức, cơ quan, địa phương, đơn vị thực hiện tinh giản tối thiểu 15% số lượng văn bản hành chính."]
    first = cached.embed(texts)
    again = CachedEmbedder(E5Embedder(), tmp_path / "e.sqlite")
    second = again.embed(texts)
    assert cached.misses == 1 and again.misses == 0
    assert np.allclose(first, second, atol=1e-2) and abs(float(np.linalg.norm(first[0])) - 1) < 1e-3
