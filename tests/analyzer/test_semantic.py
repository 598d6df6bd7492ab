"""The semantic layer (services/analyzer/semantic.py) with the real bundled e5 model."""
from __future__ import annotations

import numpy as np

from services.analyzer.detect import DetectParams, detect
from services.analyzer.semantic import CachedEmbedder, E5Embedder
from services.ingest.pipeline import parse


# Two sentences of Kết luận 226-KL/TW as a commune might rewrite them: the first reworded
# throughout (a shared 5-syllable run here and there at most), the second keeping a few phrases.
PARAPHRASED = """ỦY BAN NHÂN DÂN XÃ TÂN PHÚ

KẾ HOẠCH
Về công tác văn bản năm 2026

1. Yêu cầu chung
Các văn bản của xã sẽ viết súc tích, ngắn gọn, rõ mục tiêu và dễ hiểu; những chính sách, giải pháp mà xã \
đưa ra cần khả thi, hợp với thực tiễn địa phương và đồng bộ, thống nhất với quy định của Đảng, với Hiến pháp \
và pháp luật Nhà nước.
Văn bản cấp xã phải cụ thể hóa văn bản chỉ đạo của cấp trên bằng những nhiệm vụ, giải pháp riêng của xã, có \
quy định nguồn lực, thời gian hoàn thành, đồng thời phân công trách nhiệm rõ ràng cho từng tổ chức, cá nhân liên quan.

2. Tổ chức thực hiện
Giao Văn phòng HĐND và UBND xã theo dõi, đôn đốc việc thực hiện Kế hoạch này.
"""


def test_a_reworded_sentence_the_shingles_miss_is_found_by_the_semantic_layer(kl226_index, kl226, semantic_layer):
    draft = parse(PARAPHRASED.encode(), "ke-hoach.txt", with_sentences=False)
    reworded = draft.text.index("Các văn bản của xã")
    shingles_only = detect(draft, kl226_index, key="draft",
                           params=DetectParams(semantic=False, sentences=False, edges=False))
    assert shingles_only.passages, "the second sentence keeps enough phrases for the shingles"
    assert all(p.draft_start > reworded + 100 for p in shingles_only.passages)

    with_semantic = detect(draft, kl226_index, key="draft", params=DetectParams(sentences=False),
                           semantic=semantic_layer)
    [found] = with_semantic.passages
    assert found.semantic is not None and found.semantic >= 0.94
    # The sentence layer (words as bags, no model) finds the same passage: this rewording
    # keeps most of the directive's words.
    [by_words] = detect(draft, kl226_index, key="draft", params=DetectParams(semantic=False)).passages
    for passage in (found, by_words):
        assert passage.draft_start <= reworded and passage.draft_end > draft.text.index("Văn bản cấp xã")
        # the source span holds both directive sentences
        source = kl226.text[passage.source_start:passage.source_end]
        assert "ngắn gọn, súc tích" in source and "cụ thể hóa văn bản chỉ đạo" in source


def test_embeddings_are_cached_by_text(tmp_path):
    cached = CachedEmbedder(E5Embedder(), tmp_path / "e.sqlite")
    texts = ["Hằng năm, các tổ chức, cơ quan, địa phương, đơn vị thực hiện tinh giản tối thiểu 15% số lượng văn bản hành chính."]
    first = cached.embed(texts)
    again = CachedEmbedder(E5Embedder(), tmp_path / "e.sqlite")
    second = again.embed(texts)
    assert cached.misses == 1 and again.misses == 0
    assert np.allclose(first, second, atol=1e-2) and abs(float(np.linalg.norm(first[0])) - 1) < 1e-3
