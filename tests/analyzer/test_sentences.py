"""Heavily edited copying (services/analyzer/sentences.py): sentences compared as bags of
rare words find what five-token shingles lose, and one shared sentence of common wording
is still not a passage."""
from __future__ import annotations

import re

import numpy as np

from services.analyzer.align import disambiguate, run_lengths
from services.analyzer.detect import DetectParams, detect, index_document
from services.analyzer.index import DirectiveIndex
from services.ingest.pipeline import parse
from tests.conftest import shared


def heavily_edited(sentence: str) -> str:
    """PAN-style random editing, made the same way every time: every second pair of
    neighbouring words swapped and every seventh word dropped, so no five words in a row
    are left as they were."""
    words = sentence.rstrip(".").split()
    for i in range(0, len(words) - 1, 4):
        words[i], words[i + 1] = words[i + 1], words[i]
    words = [w for i, w in enumerate(words, start=1) if i % 7]
    return " ".join(words) + "."


DIRECTIVE = (
    "The committee shall review every application within thirty days of its receipt and shall notify the "
    "applicant in writing of its decision. Where the application is refused, the notice shall state the "
    "reasons for the refusal and the means of appeal available to the applicant. The secretariat keeps the "
    "records of every application, prepares the annual report of the committee and publishes it on the "
    "website of the ministry.\n\n"
    "A member who has a personal interest in a matter before the committee shall disclose that interest and "
    "shall not take part in the deliberations on that matter.\n")


def _english_index() -> DirectiveIndex:
    index = DirectiveIndex()
    index_document(index, key="regulation", parsed=parse(DIRECTIVE.encode(), with_sentences=False))
    return index


def _five_in_a_row(a: str, b: str) -> bool:
    def grams(text):
        words = text.lower().replace(".", " ").replace(",", " ").split()
        return {tuple(words[i:i + 5]) for i in range(len(words) - 4)}
    return bool(grams(a) & grams(b))


def test_a_heavily_edited_copy_is_found_by_its_sentences_and_not_by_shingles():
    copied = " ".join(heavily_edited(s) for s in DIRECTIVE.split("\n\n")[0].split(". "))
    assert not _five_in_a_row(copied, DIRECTIVE)  # nothing a shingle could seed
    text = (f"Annual plan of the district office.\n\nThe office will hire two clerks this year.\n\n{copied}\n\n"
            "The budget comes from the district.\n")
    draft = parse(text.encode(), with_sentences=False)
    index = _english_index()

    without = detect(draft, index, key="plan", params=DetectParams(semantic=False, sentences=False))
    assert without.passages == []

    report = detect(draft, index, key="plan", params=DetectParams(semantic=False))
    assert len(report.passages) == 1
    p = report.passages[0]
    assert text[p.draft_start:p.draft_end].strip().rstrip(".") == copied.rstrip(".")
    assert DIRECTIVE[p.source_start:p.source_end].startswith("The committee shall review")
    assert DIRECTIVE[p.source_start:p.source_end].rstrip(".").endswith("on the website of the ministry")
    assert p.kind in ("near", "paraphrase")


def test_one_short_sentence_of_shared_wording_is_not_a_passage():
    # Most of one directive sentence's words, but short and reordered: phrasing, not a copy.
    text = ("Annual plan of the district office.\n\nThe applicant is notified in writing of the decision of "
            "the committee.\n\nThe budget comes from the district.\n")
    report = detect(parse(text.encode(), with_sentences=False), _english_index(), key="plan",
                    params=DetectParams(semantic=False))
    assert report.passages == []


def test_a_heavily_edited_paragraph_of_a_real_directive_is_reported(kl226_index, kl226):
    paragraph = max(kl226.text.split("\n"), key=len)  # KL 226's longest paragraph
    sentences = [s for s in paragraph.split(". ") if len(s.split()) >= 12][:3]
    copied = " ".join(heavily_edited(s) for s in sentences)
    assert not _five_in_a_row(copied, paragraph)
    host = shared("seeds", "002_f498fa0f8298bd96.txt").read_text(encoding="utf-8")
    at = host.index(" 2. Giao Văn phòng")
    draft = parse((host[:at] + copied + "\n\n" + host[at:]).encode("utf-8"), with_sentences=False)
    report = detect(draft, kl226_index, key="draft", params=DetectParams(semantic=False))
    start = draft.text.index(copied[:40])
    assert any(p.draft_start <= start + 40 and p.draft_end >= start + len(copied) - 40 for p in report.passages)


def test_run_lengths_count_the_tokens_of_each_seeds_diagonal_run():
    seeds = np.asarray([(0, 10, 0), (1, 11, 0), (2, 12, 0), (9, 19, 0), (2, 50, 0)])
    # 0-2 and 9 are one run on diagonal 10 only where the gap is a shingle or less
    assert run_lengths(seeds).tolist() == [7, 7, 7, 5, 5]


def test_text_the_directive_repeats_is_traced_to_the_place_holding_the_longest_identical_run():
    # Draft tokens 0-9 match only at diagonal +100; tokens 10-30 match at +500 all along,
    # and also at +100 for their first three: the neighbours point to +100, but the list
    # was taken from +500, where it runs on identical.
    rows = [(q, q + 100, 0) for q in range(0, 13)] + [(q, q + 500, 0) for q in range(10, 31)]
    kept = disambiguate(np.asarray(rows))
    chosen = {int(q): int(s - q) for q, s, _ in kept.tolist()}
    assert all(chosen[q] == 100 for q in range(10)) and all(chosen[q] == 500 for q in range(10, 31))


def test_a_directive_added_after_a_check_is_searched_without_rebuilding_the_sentence_table():
    from services.analyzer import sentences

    index = _english_index()
    plan = parse(b"Annual plan of the district office.\n\nThe budget comes from the district.\n", with_sentences=False)
    assert detect(plan, index, key="plan", params=DetectParams(semantic=False)).passages == []
    built, _ = sentences.table(index, sentences.SentenceParams())
    assert built.directives == 1

    later = ("Every school shall keep a register of its pupils, with the name, the date of birth and the address "
             "of each pupil, and shall send a copy of the register to the district office before the first day "
             "of October. The district office checks the registers it receives and reports any pupil missing "
             "from them to the provincial department within ten working days.\n")
    index_document(index, key="circular", parsed=parse(later.encode(), with_sentences=False))
    copied = " ".join(heavily_edited(s) for s in later.strip().split(". "))
    draft = parse(f"Plan of the district office.\n\n{copied}\n\nThe budget comes from the district.\n".encode(),
                  with_sentences=False)
    report = detect(draft, index, key="plan", params=DetectParams(semantic=False))
    assert [p.source for p in report.passages] == ["circular"]
    assert sentences.table(index, sentences.SentenceParams())[0] is built and built.directives == 2


def test_sentences_too_short_to_compare_are_read_with_the_next_and_excluded_ones_never():
    from services.analyzer.sentences import units
    from services.analyzer.tokens import TokenSeq

    words = "lack this is called pressure a disk this can cause pain in the hand cited text here end".split()
    excluded = np.zeros(len(words), dtype=bool)
    excluded[14:17] = True  # "cited text here": a citation clause
    tokens = TokenSeq(words, np.arange(len(words)), np.arange(len(words)) + 1, excluded)
    # "Lack. (this is called.) Pressure, a. Disk. This can cause pain in the hand. [cited] End."
    sentences = [(0, 1), (1, 4), (4, 6), (6, 7), (7, 14), (14, 17), (17, 18)]
    # six words make a unit; the excluded clause ends one, and a short last one stays alone
    assert units(tokens, sentences, 6) == [(0, 6), (6, 14), (17, 18)]


def _closest_to_the_first_directive(index: DirectiveIndex, text: str) -> dict:
    """(sentence, cosine, Dice) of each draft unit's matches in the index's first directive."""
    from services.analyzer import sentences
    from services.analyzer.detect import analysis_tokens

    params = sentences.SentenceParams()
    tokens, bounds = analysis_tokens(parse(text.encode("utf-8"), with_sentences=False), as_source=False)
    found = sentences.search(index, tokens, sentences.units(tokens, bounds, params.min_tokens), allowed=None,
                             params=params)
    return {(unit, m.ordinal): (m.cosine, m.dice) for unit, matches in enumerate(found) for m in matches if m.no == 0}


def _halves(text: str, copies: int) -> list[str]:
    """Directives that repeat the first half of each of the text's sentences: they make the
    text's words common in the registry."""
    halves = [" ".join(s.split()[:len(s.split()) // 2]) for s in text.split(". ") if len(s.split()) >= 8]
    return [". ".join(halves[i:] + halves[:i]) + "." for i in range(copies)]


def test_a_vietnamese_drafts_sentence_matches_do_not_depend_on_what_else_the_registry_holds(kl226):
    paragraph = max(kl226.text.split("\n"), key=len)
    draft = " ".join(heavily_edited(s) for s in paragraph.split(". ") if len(s.split()) >= 12)
    index = DirectiveIndex()
    index_document(index, key="226-KL-TW.txt", parsed=kl226)
    alone = _closest_to_the_first_directive(index, draft)
    assert alone and max(c for c, _ in alone.values()) > 0.5
    for k, other in enumerate(_halves(paragraph, 12)):
        index_document(index, key=f"other-{k}", parsed=parse(other.encode("utf-8"), with_sentences=False))
    # the words are weighed by the common-phrase model, not by the registry's sentences: each
    # match is as close as it was (the others can push weaker ones out of the candidates)
    after = _closest_to_the_first_directive(index, draft)
    assert all(after[k] == alone[k] for k in after.keys() & alone.keys())
    best = {unit: max((v, k) for k, v in alone.items() if k[0] == unit)[1] for unit, _ in alone}
    assert all(k in after for k in best.values())


def test_a_vietnamese_drafts_passages_do_not_change_when_directives_repeating_its_words_are_added(kl226):
    """The words that rank a draft's candidate sentences include those rare in the reference
    corpus, however common the registry makes them: the passages found stay the same."""
    paragraph = max(kl226.text.split("\n"), key=len)
    draft = parse(" ".join(heavily_edited(s) for s in paragraph.split(". ") if len(s.split()) >= 12).encode(),
                  with_sentences=False)
    index = DirectiveIndex()
    index_document(index, key="226-KL-TW.txt", parsed=kl226)

    def passages() -> list[tuple]:
        report = detect(draft, index, key="draft", params=DetectParams(semantic=False))
        return [(p.source, p.draft_start, p.draft_end, p.source_start, p.source_end) for p in report.passages]

    alone = passages()
    assert alone and all(source == "226-KL-TW.txt" for source, *_ in alone)
    # Directives holding every word of the paragraph, eight words a sentence in another
    # order: each sentence shares a few words with any of the draft's, and together they
    # put every word in more of the registry's sentences than the registry's share allows.
    words = sorted(set(re.findall(r"\w+", paragraph.lower())), key=lambda w: (len(w), w))
    for k in range(40):
        turned = words[k % len(words):] + words[:k % len(words)]
        other = ". ".join(" ".join(turned[i:i + 8]) for i in range(0, len(turned), 8)) + "."
        index_document(index, key=f"other-{k}", parsed=parse(other.encode("utf-8"), with_sentences=False))
    assert [p for p in passages() if p[0] == "226-KL-TW.txt"] == alone


def test_a_draft_in_another_language_than_the_models_is_weighed_by_the_registry():
    draft = " ".join(heavily_edited(s) for s in DIRECTIVE.split("\n\n")[0].split(". "))
    index = _english_index()
    alone = _closest_to_the_first_directive(index, draft)
    assert alone
    for k, other in enumerate(_halves(DIRECTIVE.replace("\n", " "), 12)):
        index_document(index, key=f"other-{k}", parsed=parse(other.encode(), with_sentences=False))
    # English words the Vietnamese model hardly knows: their weights are the registry's,
    # which these directives change
    after = _closest_to_the_first_directive(index, draft)
    assert after.keys() & alone.keys() and any(after[k] != alone[k] for k in after.keys() & alone.keys())


def test_sentences_copied_around_two_rewritten_ones_make_one_passage():
    # Four short directive sentences (under the 15 tokens one sentence alone needs); the
    # draft edits the first and the last heavily and rewrites the two between beyond
    # matching, as PAN's random obfuscation does: the two that still match, three draft
    # sentences apart, are one copied passage.
    source = ("Every district office keeps a register of the wells it licenses each year. "
              "The register names the owner and the depth of every licensed well. "
              "Inspectors visit each licensed well once in the first two years. "
              "The office sends a summary of the register to the ministry every March.\n")
    draft_sentences = [
        "Our commune plans to repair the school roof before the rainy season starts.",
        heavily_edited("Every district office keeps a register of the wells it licenses each year."),
        "Owners and depths of them all appear in that list the authorities hold.",
        "Someone from the inspectorate comes by early on to look at them.",
        heavily_edited("The office sends a summary of the register to the ministry every March."),
        "The commune budget pays for the new roof and the painting of the hall.",
    ]
    draft = parse(("\n\n".join(draft_sentences) + "\n").encode(), with_sentences=False)
    index = DirectiveIndex()
    index_document(index, key="wells", parsed=parse(source.encode(), with_sentences=False))

    report = detect(draft, index, key="plan", params=DetectParams(semantic=False))
    assert len(report.passages) == 1
    p = report.passages[0]
    assert draft.text[p.draft_start:].startswith(draft_sentences[1][:20])
    assert draft.text[:p.draft_end].rstrip(".").endswith(draft_sentences[4].rstrip(".")[-20:])
    assert source[p.source_start:p.source_end].startswith("Every district office")


WELLS = ("Chapter two. Wells.\n\nEvery district office keeps a register of the wells it licenses each year and "
         "of the owners who drilled them. The register names the owner, the depth and the yield of every licensed "
         "well in the district. Inspectors visit each licensed well once in the first two years after the licence "
         "is granted. The office sends a summary of the register to the ministry every March with its budget.\n")
WELLS_SENTENCES = [s.strip() + "." for s in WELLS.split("\n\n")[1].strip().rstrip(".").split(". ")]


def cut_down(sentence: str) -> str:
    """Two words of every five kept, in order: most of a long sentence deleted."""
    words = sentence.rstrip(".").split()
    return " ".join(w for i, w in enumerate(words) if i % 5 in (0, 2)) + "."


def _wells_passages(draft_sentences: list[str]) -> list[tuple[str, str]]:
    index = DirectiveIndex()
    index_document(index, key="wells", parsed=parse(WELLS.encode(), with_sentences=False))
    text = ("Plan of the commune for the year.\n\n" + " ".join(draft_sentences)
            + "\n\nThe commune budget pays for the new roof.\n")
    report = detect(parse(text.encode(), with_sentences=False), index, key="plan", params=DetectParams(semantic=False))
    return [(text[p.draft_start:p.draft_end], WELLS[p.source_start:p.source_end]) for p in report.passages]


def test_sentences_cut_down_and_given_in_reverse_order_are_one_passage():
    # PAN's random obfuscation deletes words and reorders sentences: the two texts' characters
    # differ too much in order and length for either character measure, yet every rare word
    # of the draft's span is in the directive's
    first, second, third = (cut_down(s) for s in WELLS_SENTENCES[1:])
    [(copied, source)] = _wells_passages([third, second, first])
    assert copied == f"{third} {second} {first}".rstrip(".")
    assert source.startswith("The register names") and source.endswith("with its budget")


def test_a_drafters_own_sentence_between_cut_down_directive_sentences_is_no_passage():
    own = "Our staff met on Monday to agree on the plan for the roof of the school."
    assert _wells_passages([cut_down(WELLS_SENTENCES[3]), own, cut_down(WELLS_SENTENCES[1])]) == []


def _passages_of(source: str, draft_text: str) -> list[str]:
    index = DirectiveIndex()
    index_document(index, key="directive", parsed=parse(source.encode("utf-8"), with_sentences=False))
    report = detect(parse(draft_text.encode("utf-8"), with_sentences=False), index, key="draft",
                    params=DetectParams(semantic=False))
    return [draft_text[p.draft_start:p.draft_end] for p in report.passages]


VI_DIRECTIVE = (
    "Điều 12. Đánh giá hồ sơ đề xuất về kỹ thuật\n\n"
    "1. Nhà thầu có HSĐXKT hợp lệ được xem xét, đánh giá tiếp về kỹ thuật.\n\n"
    "2. Lưu giữ mẫu ADN hài cốt chưa xác định được danh tính\n\n"
    "a) Thành phần tham dự:\n\n"
    "- Ban Thường trực Ủy ban MTTQ Việt Nam xã;\n\n"
    "- Tổ chuyên gia lập báo cáo kết quả đánh giá và trình chủ đầu tư xem xét, phê duyệt danh sách.\n")


def _vi_draft(sentence: str) -> str:
    return ("Ủy ban nhân dân xã tổ chức thực hiện kế hoạch năm 2026 như sau.\n\n"
            f"{sentence}\n\n"
            "a) Kinh phí thực hiện do ngân sách xã bảo đảm theo phân cấp hiện hành.\n")


def test_a_short_heavily_edited_sentence_holding_a_rare_directive_sentences_words_is_a_passage():
    edited = heavily_edited("Nhà thầu có HSĐXKT hợp lệ được xem xét, đánh giá tiếp về kỹ thuật.")
    assert not _five_in_a_row(edited, VI_DIRECTIVE) and len(edited.split()) < 15
    assert [p.strip() for p in _passages_of(VI_DIRECTIVE, _vi_draft(edited))] == [edited]  # its "." too


def test_a_short_sentence_of_the_domains_stock_phrasing_is_not_a_passage_however_close():
    # the name of a body: the phrasing of every commune's documents
    edited = "- " + heavily_edited("Ban Thường trực Ủy ban MTTQ Việt Nam xã")
    assert not _five_in_a_row(edited, VI_DIRECTIVE)
    assert _passages_of(VI_DIRECTIVE, _vi_draft(edited)) == []


# Long sentences of real directives (Thông tư 20/2022/TT-BKHĐT, a VAT decree, Nghị định 161/2024)
VI_LONG_SENTENCES = (
    "Điều 5. Kiểm tra hồ sơ\n\n"
    "b) Kiểm tra các thành phần của bản gốc HSĐXKT, trong đó có: đơn dự thầu thuộc HSĐXKT, thỏa thuận "
    "liên danh (nếu có), tài liệu chứng minh tư cách hợp lệ của người ký đơn (nếu có), tài liệu chứng minh "
    "tư cách hợp lệ, đề xuất về kỹ thuật và các thành phần khác thuộc HSĐXKT theo quy định tại Mục 10 CDNT;\n\n"
    "c) Doanh nghiệp, hợp tác xã bán sản phẩm cho doanh nghiệp, hợp tác xã, liên hiệp hợp tác xã khác thì "
    "không phải kê khai, tính nộp thuế giá trị gia tăng nhưng được khấu trừ thuế giá trị gia tăng đầu vào.\n\n"
    "d) Giấy đề nghị điều chỉnh thông tin trên Giấy phép vận chuyển hàng hóa nguy hiểm theo mẫu quy định "
    "tại Phụ lục IVa kèm theo Nghị định này;\n\n"
    "Đồng thời chuyển danh sách chi trả để tổ chức dịch vụ chi trả cho đối tượng thụ hưởng tháng sau.\n")


def test_an_edited_clause_of_a_long_directive_sentence_is_a_passage_of_that_clause():
    index = DirectiveIndex()
    index_document(index, key="directive", parsed=parse(VI_LONG_SENTENCES.encode(), with_sentences=False))
    for clause, edited in (
        ("và các thành phần khác thuộc HSĐXKT theo quy định tại Mục 10 CDNT",
         "và các phần thành khác thuộc HSĐXKT theo quy định tại Mục 10 của CDNT."),
        ("thuế giá trị gia tăng nhưng được khấu trừ thuế giá trị gia tăng đầu vào",
         "thuế giá trị gia tăng nhưng khấu trừ được thuế giá trị gia tăng đầu vào."),
    ):
        draft = parse(_vi_draft(edited).encode(), with_sentences=False)
        # the whole sentences share too little to match, and shingles too few to seed
        assert detect(draft, index, key="draft", params=DetectParams(semantic=False, sentences=False)).passages == []
        report = detect(draft, index, key="draft", params=DetectParams(semantic=False))
        assert [draft.text[p.draft_start:p.draft_end].strip().rstrip(".") for p in report.passages] == [
            edited.rstrip(".")]
        # the directive's side is the clause, not the whole long sentence
        (p,) = report.passages
        start = VI_LONG_SENTENCES.index(clause)
        assert start <= p.source_start and p.source_end <= start + len(clause) + 1


def test_a_copied_sentence_glued_to_a_line_of_the_drafts_own_is_a_passage_without_that_line():
    # reflowing joins a line with no closing punctuation to the next one that opens in lower case
    own = "Ủy ban nhân dân xã rà soát danh sách hộ nghèo trên địa bàn"
    copied = "chuyển danh chi trả sách để tổ dịch vụ chức cho chi trả đối thụ tượng hưởng tháng sau."
    assert not _five_in_a_row(copied, VI_LONG_SENTENCES)
    passages = _passages_of(VI_LONG_SENTENCES, _vi_draft(f"{own}\n{copied}"))
    assert [p.strip().rstrip(".") for p in passages] == [copied.rstrip(".")]


def test_a_clause_of_the_domains_formulas_is_not_a_passage():
    # "… theo mẫu quy định tại Phụ lục … kèm theo Nghị định này" closes a thousand sentences
    own = "Kích thước, ký hiệu, màu sắc biểu trưng nguy hiểm theo mẫu quy định tại Phụ lục III kèm theo Nghị định này."
    assert _passages_of(VI_LONG_SENTENCES, _vi_draft(own)) == []


def test_a_directives_numbered_heading_taken_over_by_a_draft_is_not_a_passage():
    heading = heavily_edited("Lưu giữ mẫu ADN hài cốt chưa xác định được danh tính").rstrip(".")
    assert _passages_of(VI_DIRECTIVE, _vi_draft(f"2. {heading}")) == []
    # the same words without the section number are a sentence of the directive's
    assert [p.strip() for p in _passages_of(VI_DIRECTIVE, _vi_draft(heading))] == [heading]


def test_a_sentence_the_directive_repeats_is_matched_where_its_neighbours_were():
    from services.analyzer.sentences import SentenceMatch, settle_repeats

    def match(ordinal: int, cosine: float = 0.9) -> SentenceMatch:
        return SentenceMatch(cosine, 0, ordinal, cosine, 0.9, 10 * ordinal, 10 * ordinal + 9)

    # unit 0's sentence stands at the directive's sentences 3 and 40; units 1 and 2 match 41 and 42
    found = {0: [match(3), match(40)], 1: [match(41)], 2: [match(42)]}
    chosen = [(k, (10 * k, 10 * k + 9), found[k][0]) for k in found]
    assert [m.ordinal for _, _, m in settle_repeats(chosen, found)] == [40, 41, 42]
    # with nothing from that directive around it, the first occurrence stays
    assert [m.ordinal for _, _, m in settle_repeats(chosen[:1], found)] == [3]


def test_candidates_are_the_best_by_every_ranking_word_of_a_wider_pool_ranked_through_short_postings():
    """The postings of a word that ranks are read only up to a bound, so a draft's best
    sentence may rank low by what was read as the registry grows: the candidates kept are the
    best, by the score over every word that ranks, of the RANKED best by what was read, and
    two shards' lists merge to the one index's."""
    from services.analyzer.sentences import CANDIDATES, RANKED, SentenceMatch, merge_matches

    def match(no: int, value: float, exact: float) -> SentenceMatch:
        return SentenceMatch(value, no, 0, exact, 0.5, 0, 10, "", exact)

    pool = [match(no, value=1.0 - no / 1000, exact=0.1) for no in range(RANKED)]
    low_but_best = match(RANKED - 1, value=pool[-1].value, exact=0.9)  # last in the pool
    outside = match(RANKED, value=0.0, exact=0.99)  # never read far enough to be in it
    found = pool[:-1] + [low_but_best, outside]
    merged = merge_matches([found])
    assert len(merged) == CANDIDATES and merged[0] == low_but_best and outside not in merged
    # the same from two shards, each holding half the directives
    assert merge_matches([[m for m in found if m.no % 2], [m for m in found if not m.no % 2]]) == merged


def test_words_the_model_finds_rare_rank_the_lexical_candidates_sentences_however_long_their_postings(kl226):
    """A word the model finds rare ranks candidates only up to a bound on its postings (the
    cost follows the draft); past it, it still ranks the sentences of the directives the
    lexical layer aligns, so a registry that grows with documents using the draft's rare words
    leaves its matches where they were. A bound of 40 postings here does what 10,000 do in a
    registry of 20,000 directives."""
    from services.analyzer import phrases, sentences
    from services.analyzer.detect import analysis_tokens
    from services.analyzer.shingles import word_hashes

    paragraph = max(kl226.text.split("\n"), key=len)
    draft = " ".join(heavily_edited(s) for s in paragraph.split(". ") if len(s.split()) >= 12)
    tokens, bounds = analysis_tokens(parse(draft.encode("utf-8"), with_sentences=False), as_source=False)
    params = sentences.SentenceParams(rare_postings=40)
    units = sentences.units(tokens, bounds, params.min_tokens)
    index = DirectiveIndex()
    index_document(index, key="226-KL-TW.txt", parsed=kl226)

    def matched(among) -> list:
        found = sentences.search(index, tokens, units, allowed=None, params=params, among=among)
        best = [sentences.best_match(sentences.merge_matches([f]), params) for f in found]
        return [(m.no, m.ordinal) if m else None for m in best]

    alone = matched(None)
    assert sum(m is not None for m in alone) >= 3
    model = phrases.default().words
    words = sorted(set(re.findall(r"\w+", paragraph.lower())))
    rare = [w for w, df in zip(words, model.df_of(word_hashes(words)).tolist())
            if df <= params.common_share * model.sentences]
    assert rare
    for k in range(12):  # every word of the paragraph in some 54 sentences of other directives
        lines = [" ".join(words[(8 * n + j + k) % len(words)] for j in range(8)) for n in range(40)]
        index_document(index, key=f"other-{k}", parsed=parse((". ".join(lines) + ".").encode("utf-8"),
                                                             with_sentences=False))
    assert matched({0}) == alone
    assert matched(None) != alone  # read only through short postings, they are lost
