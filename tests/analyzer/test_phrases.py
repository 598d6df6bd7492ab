"""The common-phrase model (services/analyzer/phrases.py): independent uses counted by
context, the bundled model, and `draftctl model build`."""
from __future__ import annotations

import json

import numpy as np
import pytest

from services.analyzer import phrases
from services.analyzer.detect import DetectParams, detect, index_document
from services.analyzer.index import DirectiveIndex
from services.analyzer.shingles import shingle_hashes, word_hashes
from services.analyzer.tokens import words_of
from services.analyzer.wordstats import WordStats
from services.ingest.pipeline import parse
from tests.conftest import shared
from tests.test_cli import run

STOCK = "an ninh chính trị trật tự an toàn xã hội"
COPIED = ("các cơ quan đơn vị thực hiện tinh giản tối thiểu mười lăm phần trăm số lượng văn bản hành chính "
          "so với năm trước liền kề")


def _uses(model, phrase: str) -> list[int]:
    return model.uses_of(shingle_hashes(words_of(phrase))).tolist()


BEFORE = ["nhằm", "để", "góp phần", "quyết tâm", "phấn đấu", "bảo đảm", "tiếp tục", "cùng nhau", "kiên quyết",
          "từng bước", "luôn luôn", "nỗ lực"]
AFTER = ["tại địa bàn", "trong dịp Tết", "ở khu vực biên giới", "của toàn tỉnh", "trên mọi mặt", "từ cơ sở",
         "khi có bão lũ", "ở các thôn", "năm nay", "giai đoạn mới", "trong mọi tình huống", "lâu dài"]


def _sentences(n: int, phrase: str) -> list[list[str]]:
    """n documents, each using `phrase` inside a sentence of its own."""
    return [words_of(f"văn bản số {i} về lĩnh vực {i} {BEFORE[i % 12]} {phrase} {AFTER[i % 12]} vào tháng {i}")
            for i in range(n)]


def test_a_stock_phrase_used_in_many_sentences_has_many_uses():
    model = phrases.count(_sentences(12, STOCK))
    assert min(_uses(model, STOCK)) >= 10


def test_a_passage_copied_into_many_documents_counts_as_one_use():
    documents = [words_of(f"văn bản số {i} của xã thứ {i} yêu cầu {COPIED} và báo cáo kết quả lần {i}")
                 for i in range(12)]
    uses = _uses(phrases.count(documents), COPIED)
    # inside the copy both contexts are the copied text itself: one use (not stored: 0)
    assert len(uses) >= 15 and max(uses[3:-3]) <= 1


def test_a_phrase_repeated_within_one_document_counts_once():
    document = [w for doc in _sentences(6, STOCK) for w in doc]
    assert max(_uses(phrases.count([document]), STOCK)) <= 1


def test_the_model_saves_and_loads_and_refuses_another_format(tmp_path):
    model = phrases.count(_sentences(5, STOCK), info={"corpus": ["x"]})
    model.save(tmp_path / "m.npz")
    loaded = phrases.PhraseModel.load(tmp_path / "m.npz")
    assert np.array_equal(loaded.hashes, model.hashes) and np.array_equal(loaded.uses, model.uses)
    assert loaded.documents == 5 and loaded.info["corpus"] == ["x"]
    assert loaded.words.sentences == 0 and loaded.words_digest == model.words_digest
    counted = model.with_words(WordStats.of_sentences([["an", "ninh"], ["an", "toàn"]]))
    counted.save(tmp_path / "w.npz")
    words = phrases.PhraseModel.load(tmp_path / "w.npz").words
    assert words.sentences == 2 and words.idf_of(["an"])[0] < words.idf_of(["ninh"])[0]
    np.savez(tmp_path / "old.npz", hashes=model.hashes, uses=model.uses,
             info=np.frombuffer(json.dumps({"format": 0, "documents": 5}).encode(), np.uint8))
    with pytest.raises(ValueError, match="draftctl model build"):
        phrases.PhraseModel.load(tmp_path / "old.npz")


def test_the_bundled_model_is_counted_over_the_reference_corpus():
    model = phrases.load()
    assert model.documents >= 490 and len(model.hashes) > 100_000
    assert sorted(model.info["corpus"])[0].endswith("corpus")
    assert min(_uses(model, "an ninh chính trị, trật tự an toàn xã hội")) >= 5
    # and the sentences holding each word: the sentence layer's weights
    assert model.words.sentences > 100_000 and model.words.speaks("các cơ quan, đơn vị tổ chức thực hiện".split())
    assert not model.words.speaks("the committee shall review every application within thirty days".split())


def test_model_build_counts_a_folder_and_skips_an_unreadable_file(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for i, words in enumerate(_sentences(6, STOCK)):
        (corpus / f"{i}.txt").write_text(" ".join(words), encoding="utf-8")
    (corpus / "broken.txt").write_bytes(b"\0\0\0\0\0 binary")
    out = tmp_path / "model.npz"
    done = run("model", "build", "--corpus", str(corpus), "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert "broken.txt" in done.stderr and "6 documents" in done.stderr
    model = phrases.PhraseModel.load(out)
    assert model.documents == 6 and min(_uses(model, STOCK)) >= 5
    assert model.words.sentences >= 6 and model.words.df_of(word_hashes(["ninh"]))[0] >= 6
    again = tmp_path / "again.npz"
    assert run("model", "build", "--corpus", str(corpus), "--out", str(again)).returncode == 0
    assert np.array_equal(phrases.PhraseModel.load(again).hashes, model.hashes)  # reproducible
    missing = run("model", "build", "--corpus", str(tmp_path / "nope"), "--out", str(out))
    assert missing.returncode != 0 and "nope" in missing.stderr


DIRECTIVE = """BAN CHẤP HÀNH TRUNG ƯƠNG
ĐẢNG CỘNG SẢN VIỆT NAM
Số 99-KL/TW
Hà Nội, ngày 01 tháng 02 năm 2026
KẾT LUẬN
CỦA BAN BÍ THƯ
1. Các cấp ủy tiếp tục lãnh đạo phát triển kinh tế gắn với giữ vững an ninh chính trị, trật tự an toàn xã hội trên địa bàn biên giới.
2. Rà soát việc thực hiện quy định của pháp luật về quản lý, sử dụng tài sản công tại các cơ quan hành chính nhà nước.
3. Các cơ quan, đơn vị có trách nhiệm tổ chức thực hiện nghiêm túc và báo cáo kết quả thực hiện theo quy định của pháp luật về chế độ báo cáo định kỳ trước ngày 15 tháng 12 hằng năm.
"""

OWN = ("Ban chỉ huy quân sự xã phối hợp với công an xã xây dựng phương án bố trí lực lượng trực sẵn sàng, "
       "phân công cụ thể từng thành viên phụ trách từng thôn và báo cáo Đảng ủy xã trước ngày mười lăm hằng tháng.")
DRAFT = f"""ỦY BAN NHÂN DÂN
XÃ TÂN LẬP
Số: 12/KH-UBND
Tân Lập, ngày 05 tháng 3 năm 2026
KẾ HOẠCH
Tổ chức phong trào toàn dân bảo vệ an ninh Tổ quốc năm 2026
1. Huy động lực lượng dân quân tham gia giữ vững an ninh chính trị, trật tự an toàn xã hội tại các thôn trong dịp Tết.
{OWN}
2. Văn phòng kiểm tra việc chấp hành quy định của pháp luật về quản lý, sử dụng tài sản công của các thôn trong năm.
{OWN.replace("hằng tháng", "mỗi quý")}
CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM Độc lập - Tự do - Hạnh phúc
{OWN.replace("hằng tháng", "cuối năm")}
3. Các cơ quan, đơn vị có trách nhiệm tổ chức thực hiện nghiêm túc và báo cáo kết quả thực hiện theo quy định của pháp luật về chế độ báo cáo định kỳ trước ngày 15 tháng 12 hằng năm.
"""


def test_stock_phrases_and_the_motto_are_never_passages_but_a_long_verbatim_run_is(semantic_layer):
    index = DirectiveIndex()
    index_document(index, key="99-KL-TW", parsed=parse(DIRECTIVE.encode(), with_sentences=False))
    draft = parse(DRAFT.encode(), with_sentences=False)
    report = detect(draft, index, key="plan", params=DetectParams(), semantic=semantic_layer)
    texts = [DRAFT[p.draft_start:p.draft_end] for p in report.passages]
    assert len(texts) == 1, texts
    # a sentence of common phrases, copied word for word: reported however common its words
    assert "có trách nhiệm tổ chức thực hiện nghiêm túc và báo cáo kết quả" in texts[0]
    assert "an ninh chính trị" not in texts[0] and "tài sản công" not in texts[0] and "Hạnh phúc" not in texts[0]


def test_the_service_reads_the_model_its_settings_name(tmp_path):
    from services.common.settings import Settings

    own = phrases.count(_sentences(6, STOCK), info={"corpus": ["province archive"]})
    own.save(tmp_path / "province.npz")
    assert phrases.default(Settings(phrase_model=tmp_path / "province.npz")).info["corpus"] == ["province archive"]
    assert phrases.default(Settings()).documents == phrases.load().documents  # the bundled one
