"""Copy detection (services/analyzer): real directives and drafts, each exclusion, offsets."""
from __future__ import annotations

import textwrap
import unicodedata

import numpy as np

from services.analyzer import align
from services.analyzer.align import MAX_PLACES, without_litany
from services.analyzer.detect import DetectParams, detect, index_document
from services.analyzer.exclusions import ascii_quotations, citation_clauses, excluded_spans
from services.analyzer.index import DirectiveIndex
from services.analyzer.tokens import tokenize
from services.ingest.normalize import comparison_key
from services.ingest.pipeline import parse
from tests.conftest import shared

FIFTEEN = "thực hiện tinh giản tối thiểu 15% số lượng văn bản hành chính so với năm"
NO_COPY = "không ban hành văn bản mang tính sao chép lại nội dung văn bản của cấp trên"


def _texts(report, parsed):
    return [comparison_key(parsed.text[p.draft_start:p.draft_end]) for p in report.passages]


def test_seed_repeating_kl226_reports_the_15_percent_and_no_copy_sentences(kl226_index):
    seed = parse(shared("seeds", "000_b0328c80448f943d.txt").read_bytes(), with_sentences=False)
    report = detect(seed, kl226_index, key="seed-000", params=DetectParams(semantic=False))
    texts = _texts(report, seed)
    assert any(FIFTEEN in t for t in texts)
    assert any(NO_COPY in t for t in texts)
    fifteen = next(p for p in report.passages if FIFTEEN in comparison_key(seed.text[p.draft_start:p.draft_end]))
    # the sentence opens with words the seed reorders ("Hằng năm các cơ quan, đơn vị, địa
    # phương …"): the passage takes them in, an edited copy
    assert seed.text[fifteen.draft_start:fifteen.draft_end].startswith("Hằng năm")
    assert fifteen.kind == "near"
    # The seed rewrites the sentence around the no-copy rule ("khi thực sự cần thiết"): one
    # passage, mapped onto the directive's sentence.
    rule = next(p for p in report.passages if NO_COPY in comparison_key(seed.text[p.draft_start:p.draft_end]))
    assert rule.kind in ("near", "paraphrase")
    assert 0 < report.copied_ratio < 0.2 and report.verdict == "review"


def test_source_spans_point_at_the_same_words_in_the_directive(kl226_index, kl226):
    seed = parse(shared("seeds", "000_b0328c80448f943d.txt").read_bytes(), with_sentences=False)
    report = detect(seed, kl226_index, key="seed-000", params=DetectParams(semantic=False))
    rule = next(p for p in report.passages if NO_COPY in comparison_key(seed.text[p.draft_start:p.draft_end]))
    assert NO_COPY in comparison_key(kl226.text[rule.source_start:rule.source_end]).lower()
    for p in report.passages:
        if p.kind == "verbatim":
            draft = comparison_key(seed.text[p.draft_start:p.draft_end]).lower()
            source = comparison_key(kl226.text[p.source_start:p.source_end]).lower()
            assert draft == source


def test_the_drafts_own_citation_of_the_directive_is_never_reported(kl226_index):
    for name in ("000_b0328c80448f943d.txt", "002_f498fa0f8298bd96.txt", "003_e22e6fd817a95a82.txt", "004_8df03afd199811ae.txt"):
        seed = parse(shared("seeds", name).read_bytes(), with_sentences=False)
        report = detect(seed, kl226_index, key=name, params=DetectParams(semantic=False))
        for s, e in citation_clauses(seed):
            assert not any(p.draft_start < e and p.draft_end > s for p in report.passages), name
    lang_son = parse(shared("seeds", "002_f498fa0f8298bd96.txt").read_bytes(), with_sentences=False)
    assert detect(lang_son, kl226_index, key="002", params=DetectParams(semantic=False)).passages == []


def _draft_with(paragraph: str) -> bytes:
    """The Lạng Sơn draft (which only cites KL 226) with a paragraph added to its body."""
    text = shared("seeds", "002_f498fa0f8298bd96.txt").read_text(encoding="utf-8")
    at = text.index(" 2. Giao Văn phòng")
    return (text[:at] + paragraph + "\n\n" + text[at:]).encode("utf-8")


def _kl226_paragraph(kl226) -> str:
    return next(line for line in kl226.text.splitlines() if NO_COPY in comparison_key(line).lower())


def test_a_copied_paragraph_is_reported_and_a_quoted_one_is_not(kl226_index, kl226):
    paragraph = _kl226_paragraph(kl226)
    copied = parse(_draft_with(paragraph), with_sentences=False)
    assert detect(copied, kl226_index, key="d", params=DetectParams(semantic=False)).passages
    quoted = parse(_draft_with(f"Ban Bí thư yêu cầu: “{paragraph}”"), with_sentences=False)
    assert detect(quoted, kl226_index, key="d", params=DetectParams(semantic=False)).passages == []


def test_legal_bases_opening_the_body_are_not_copying():
    source_path = shared("corpus", "docs", "hr-nghi-quyet-so-15-2026-nq-cp-469344.txt")
    source = parse(source_path.read_bytes(), with_sentences=False)
    bases = [line for line in source.text.splitlines() if line.startswith("Căn cứ")]
    assert bases
    index = DirectiveIndex()
    index_document(index, key="nq15", parsed=source)
    text = shared("seeds", "002_f498fa0f8298bd96.txt").read_text(encoding="utf-8")
    at = text.index("Thực hiện Kết luận số 226-KL/TW, ngày")
    draft = parse((text[:at] + "\n".join(bases) + "\n" + text[at:]).encode(), with_sentences=False)
    assert detect(draft, index, key="d", params=DetectParams(semantic=False)).passages == []


def test_legal_bases_wrapped_over_several_lines_are_not_copying(kl226_index, kl226):
    """PDF text wraps a long "Căn cứ …" line; the continuation lines are part of the basis,
    even when they repeat the directive's words."""
    sentence = next(line for line in kl226.text.splitlines() if FIFTEEN in comparison_key(line).lower())
    basis = f"Căn cứ Kết luận số 226-KL/TW ngày 11/12/2025 của Ban Bí thư, theo đó {sentence.strip().rstrip('.')};"
    wrapped = textwrap.fill(basis, 60)
    assert wrapped.count("\n") >= 2
    text = shared("seeds", "002_f498fa0f8298bd96.txt").read_text(encoding="utf-8")
    at = text.index("Thực hiện Kết luận số 226-KL/TW, ngày")
    draft = parse((text[:at] + wrapped + "\n" + text[at:]).encode(), with_sentences=False)
    assert detect(draft, kl226_index, key="d", params=DetectParams(semantic=False)).passages == []


def test_a_sentence_pasted_among_the_recipients_is_reported_and_the_recipients_are_not(kl226_index, kl226):
    text = shared("seeds", "002_f498fa0f8298bd96.txt").read_text(encoding="utf-8")
    at = text.index("\n", text.index("Nơi nhận")) + 1
    sentence = next(line for line in kl226.text.splitlines() if FIFTEEN in comparison_key(line).lower())
    pasted = f"- {sentence.strip()};\n"
    draft = parse((text[:at] + pasted + text[at:]).encode(), with_sentences=False)
    report = detect(draft, kl226_index, key="d", params=DetectParams(semantic=False))
    assert [(p.draft_start >= at - 1, p.draft_end <= at + len(pasted)) for p in report.passages] == [(True, True)]
    plain = parse(text.encode(), with_sentences=False)
    assert detect(plain, kl226_index, key="d", params=DetectParams(semantic=False)).passages == []


def test_passages_shorter_than_the_minimum_are_not_reported(kl226_index, kl226):
    paragraph = _kl226_paragraph(kl226)
    words = comparison_key(paragraph).split()
    start = words.index("không")
    short = " ".join(words[start:start + 6])  # six words of the directive
    draft = parse(_draft_with(f"Các cơ quan thống nhất {short}."), with_sentences=False)
    assert detect(draft, kl226_index, key="d", params=DetectParams(semantic=False)).passages == []


def test_offsets_hold_after_nfd_old_tones_and_pdf_breaks(kl226_index, kl226):
    paragraph = _kl226_paragraph(kl226)
    words = paragraph.split()
    broken = "\n".join(" ".join(words[i:i + 9]) for i in range(0, len(words), 9))  # PDF-style lines
    mangled = unicodedata.normalize("NFD", broken.replace("hóa", "hoá").replace("Hóa", "Hoá"))
    draft_bytes = _draft_with(mangled)
    draft = parse(draft_bytes, with_sentences=False)
    report = detect(draft, kl226_index, key="d", params=DetectParams(semantic=False))
    assert report.passages
    best = max(report.passages, key=lambda p: p.draft_end - p.draft_start)
    assert best.kind == "verbatim"
    submitted = draft_bytes.decode("utf-8")
    assert comparison_key(submitted[best.draft_start:best.draft_end]).lower() == \
        comparison_key(kl226.text[best.source_start:best.source_end]).lower()
    assert NO_COPY in comparison_key(submitted[best.draft_start:best.draft_end]).lower()


def test_adding_a_directive_updates_the_index_without_rebuilding(kl226):
    index = DirectiveIndex()
    other = parse(shared("corpus", "docs", "hr-nghi-quyet-so-15-2026-nq-cp-469344.txt").read_bytes(), with_sentences=False)
    index_document(index, key="nq15", parsed=other)
    seed = parse(shared("seeds", "000_b0328c80448f943d.txt").read_bytes(), with_sentences=False)
    assert detect(seed, index, key="s", params=DetectParams(semantic=False)).passages == []
    postings_before = index.shingles
    index_document(index, key="226", parsed=kl226)
    report = detect(seed, index, key="s", params=DetectParams(semantic=False))
    assert report.passages and {p.source for p in report.passages} == {"226"}
    assert index.shingles > postings_before  # the old postings are kept, the new appended


def test_allowed_restricts_the_directives_checked(kl226_index):
    seed = parse(shared("seeds", "000_b0328c80448f943d.txt").read_bytes(), with_sentences=False)
    assert detect(seed, kl226_index, key="s", params=DetectParams(semantic=False), allowed=set()).passages == []


OWN_SENTENCE = ("Văn phòng Ủy ban nhân dân tỉnh tổ chức tập huấn nghiệp vụ soạn thảo cho công chức "
                "làm công tác văn thư tại các sở, ban, ngành và Ủy ban nhân dân cấp xã trong quý III.")


def test_a_sentence_of_the_drafters_own_between_two_copied_ones_is_not_reported(kl226_index, kl226):
    lines = [line.strip() for line in kl226.text.splitlines()]
    first = next(line for line in lines if line.startswith("Nội dung văn bản phải ngắn gọn"))
    second = next(line for line in lines if line.startswith("Văn bản của cấp dưới phải cụ thể hóa"))
    draft = parse(_draft_with(f"{first} {OWN_SENTENCE} {second}"), with_sentences=False)
    report = detect(draft, kl226_index, key="d", params=DetectParams(semantic=False))
    own = draft.text.index(OWN_SENTENCE)
    covered = [(p.draft_start, p.draft_end) for p in report.passages]
    assert len(covered) == 2
    # the extension may take a word the directive happens to continue with, no more
    inside = sum(max(0, min(e, own + len(OWN_SENTENCE)) - max(s, own)) for s, e in covered)
    assert inside < 0.1 * len(OWN_SENTENCE)


def test_the_method_holds_for_english_text():
    """Nothing in the alignment is Vietnamese-specific: an English copy, verbatim and edited."""
    directive = ("The committee shall review every application within thirty days of its receipt and shall "
                 "notify the applicant in writing of its decision. Where the application is refused, the notice "
                 "shall state the reasons for the refusal and the means of appeal available to the applicant.\n\n"
                 "A member who has a personal interest in a matter before the committee shall disclose that "
                 "interest and shall not take part in the deliberations on that matter.\n")
    verbatim = directive.split(". ")[0] + "."
    edited = ("A member who has a personal interest in a matter before the committee must disclose that "
              "interest and may not take part in the discussions on that matter.")
    own = ("We will also train staff on the new database, hold quarterly meetings with local businesses "
           "and publish a summary of the results on the district portal.")
    draft_text = f"Annual plan of the district office.\n\n{verbatim}\n\n{own}\n\n{edited}\n\nThe budget comes from the district.\n"
    index = DirectiveIndex()
    index_document(index, key="regulation", parsed=parse(directive.encode(), with_sentences=False))
    draft = parse(draft_text.encode(), with_sentences=False)
    report = detect(draft, index, key="plan", params=DetectParams(semantic=False))
    spans = [draft.text[p.draft_start:p.draft_end] for p in report.passages]
    assert len(spans) == 2
    assert spans[0].startswith("The committee shall review") and spans[0].rstrip(".") == verbatim.rstrip(".")
    assert report.passages[0].kind == "verbatim"
    assert spans[1].startswith("A member who has a personal interest") and report.passages[1].kind == "near"
    assert own not in "".join(spans)


def test_a_passage_reaches_past_a_word_changed_near_its_end():
    """The last words after an edit are too few for a shingle of their own; the passage
    still reaches the end of the copied sentence."""
    directive = ("The secretariat keeps the records of the committee, prepares its annual report and "
                 "publishes the report on the website of the ministry yearly.\n")
    copied = ("The secretariat keeps the records of the committee, prepares its annual report and "
              "publishes the report on the portal of the ministry yearly.")
    index = DirectiveIndex()
    index_document(index, key="regulation", parsed=parse(directive.encode(), with_sentences=False))
    draft = parse(f"Plan of the district office.\n\n{copied}\n\nThe budget comes from the district.\n".encode(),
                  with_sentences=False)
    report = detect(draft, index, key="plan", params=DetectParams(semantic=False))
    assert len(report.passages) == 1
    p = report.passages[0]
    assert draft.text[p.draft_start:p.draft_end].rstrip(".").endswith("portal of the ministry yearly")
    assert directive[p.source_start:p.source_end].rstrip(".").endswith("website of the ministry yearly")


def test_a_sentence_the_directive_repeats_is_traced_to_the_occurrence_laid_out_like_the_copy():
    """The same words twice in the directive, wrapped differently: the copy keeps the line
    breaks of the place it came from, and is traced there (any language)."""
    sentence = ("Where the ministry does not confirm the list, it shall reply in writing and state the "
                "reasons for its refusal within five working days.")
    wrapped = sentence.replace("in writing and", "in writing and\n")
    filler = ("The agency keeps a register of the workers it sends abroad, with the contract of each "
              "worker and the reports received from the host country.")
    between = ("Article 5. Fees\nThe fees are paid into the account of the agency before the departure of the "
               "worker, and are refunded when the contract is cancelled for reasons beyond his control. "
               "The agency publishes its fees on its website and at its office, and may not collect any "
               "other amount from the worker or from his family for the services it provides.\n\n")
    directive = (f"Article 4. Lists of workers\n{filler}\n{wrapped}\n\n{between}"
                 f"Article 9. Lists of trainees\n{filler.replace('workers', 'trainees')}\n{sentence}\n")
    index = DirectiveIndex()
    index_document(index, key="decree", parsed=parse(directive.encode(), with_sentences=False))
    for copy, occurrence in ((sentence, directive.rindex(sentence)), (wrapped, directive.index(wrapped))):
        draft = parse(f"Plan of the district office.\n\n{copy}\n\nThe budget comes from the district.\n".encode(),
                      with_sentences=False)
        report = detect(draft, index, key="plan", params=DetectParams(semantic=False))
        assert len(report.passages) == 1
        assert report.passages[0].source_start == occurrence


def test_a_line_pasted_between_the_recipient_items_is_reported(kl226_index, kl226):
    """A recipient list wraps items onto lines without a dash; what sits between two items,
    or before the "Lưu" line, is read as content like the items themselves."""
    text = shared("seeds", "002_f498fa0f8298bd96.txt").read_text(encoding="utf-8")
    first_item = text.index("\n-", text.index("Nơi nhận"))
    at = text.index("\n", first_item + 1) + 1
    sentence = next(line for line in kl226.text.splitlines() if FIFTEEN in comparison_key(line).lower())
    pasted = f"{sentence.strip()};\n"
    draft = parse((text[:at] + pasted + text[at:]).encode(), with_sentences=False)
    report = detect(draft, kl226_index, key="d", params=DetectParams(semantic=False))
    assert [(p.draft_start >= at - 1, p.draft_end <= at + len(pasted)) for p in report.passages] == [(True, True)]


def test_short_quoted_words_do_not_turn_the_prose_between_them_into_a_quotation():
    """A quoted word ("id") is a pair of marks of its own: the closing mark is never paired
    with the next opening one, which would hide the copied sentence between them."""
    sentence = ("The committee shall review every application within thirty days of its receipt and shall "
                "notify the applicant in writing of its decision.")
    index = DirectiveIndex()
    index_document(index, key="regulation", parsed=parse(f"Rules of procedure.\n\n{sentence}\n".encode(),
                                                         with_sentences=False))
    draft = parse(f'Plan of the office.\n\nFill in the "id" box. {sentence} Then tick "ok" twice.\n'.encode(),
                  with_sentences=False)
    report = detect(draft, index, key="plan", params=DetectParams(semantic=False))
    assert [draft.text[p.draft_start:p.draft_end].rstrip(".") for p in report.passages] == [sentence.rstrip(".")]


def test_a_draft_passage_that_condenses_a_long_stretch_of_the_directive_is_one_passage_over_that_stretch():
    """A summary keeps a sentence here and there, in order: three pieces close together in
    the draft, far apart in the directive, are one passage whose source span is the stretch
    they condense; two such pieces stay two passages."""
    kept = ["The committee shall review every application within thirty days of its receipt and shall notify "
            "the applicant in writing of its decision.",
            "A member who has a personal interest in a matter before the committee shall disclose that interest "
            "and shall not take part in the deliberations on that matter.",
            "The secretariat keeps the records of the committee, prepares its annual report and publishes the "
            "report on the website of the ministry every year."]
    filler = ["The agency keeps a register of the workers it sends abroad, with the contract of each worker and "
              "the reports received from the host country, for ten years after the contract ends.",
              "The fees are paid into the account of the agency before the departure of the worker, and are "
              "refunded when the contract is cancelled for reasons beyond the worker's control."]
    between = [filler[0], filler[1], filler[0].replace("agency", "office"), filler[1].replace("fees", "charges")]
    directive = "\n\n".join([kept[0], *between, kept[1], *reversed(between), kept[2]]) + "\n"
    index = DirectiveIndex()
    index_document(index, key="regulation", parsed=parse(directive.encode(), with_sentences=False))

    summary = f"{kept[0]} In short, {kept[1]} Also, {kept[2]}"
    draft = parse(f"Plan of the district office.\n\n{summary}\n\nThe budget comes from the district.\n".encode(),
                  with_sentences=False)
    [p] = detect(draft, index, key="plan", params=DetectParams(semantic=False)).passages
    assert draft.text[p.draft_start:p.draft_end].rstrip(".") == summary.rstrip(".")
    assert directive[p.source_start:p.source_end].rstrip(".") == directive.strip().rstrip(".")

    two = f"{kept[0]} In short, {kept[2]}"
    draft = parse(f"Plan of the district office.\n\n{two}\n\nThe budget comes from the district.\n".encode(),
                  with_sentences=False)
    assert len(detect(draft, index, key="plan", params=DetectParams(semantic=False)).passages) == 2


def test_a_cited_title_that_joins_its_parts_with_a_semicolon_is_excluded_to_its_end():
    """Decree titles join their parts with ";" ("… bảo hiểm y tế; chi tổ chức …"): the part
    after it is still the quoted title, while a ";" that ends a line ends the citation."""
    title_tail = "chi tổ chức và hoạt động bảo hiểm xã hội, bảo hiểm thất nghiệp, bảo hiểm y tế"
    text = ("ỦY BAN NHÂN DÂN TỈNH X\n\nKẾ HOẠCH\nTriển khai chính sách bảo hiểm năm 2026\n\n"
            "I. MỤC ĐÍCH\nThực hiện Nghị định số 233/2025/NĐ-CP của Chính phủ về cơ chế tài chính về bảo hiểm xã hội, "
            f"bảo hiểm thất nghiệp, bảo hiểm y tế; {title_tail}. Ủy ban nhân dân tỉnh ban hành kế hoạch.\n"
            "Thực hiện Nghị định số 161/2024/NĐ-CP của Chính phủ về hàng hóa nguy hiểm;\n"
            "các sở triển khai thực hiện kế hoạch này.\n")
    draft = parse(text.encode(), with_sentences=False)
    clauses = [draft.text[s:e] for s, e in citation_clauses(draft)]
    assert len(clauses) == 2
    assert clauses[0].endswith(title_tail)
    assert clauses[1].endswith("hàng hóa nguy hiểm")


def test_a_passage_takes_in_the_edited_start_of_its_first_sentence_and_stops_at_the_drafters_own():
    """Seeds begin after the edited opening words of a copied sentence; the passage still
    starts where the sentence starts, in both texts, and the drafter's sentences on either
    side stay out."""
    directive = ("General provisions.\n\nThe committee shall review every application within thirty days of its "
                 "receipt. It shall notify the applicant in writing of the decision and the reasons for it. Fees "
                 "are paid at the counter of the office.\n")
    index = DirectiveIndex()
    index_document(index, key="rules", parsed=parse(directive.encode(), with_sentences=False))
    draft = parse(("Plan of the office.\n\nOur staff met on Monday to agree on the plan. Each application is "
                   "reviewed by the committee within thirty days of its receipt. It shall notify the applicant in "
                   "writing of the decision and the reasons for it. Lunch is served at noon.\n").encode(),
                  with_sentences=False)

    def found(edges: bool) -> list[tuple[str, str]]:
        report = detect(draft, index, key="plan", params=DetectParams(semantic=False, edges=edges))
        return [(draft.text[p.draft_start:p.draft_end], directive[p.source_start:p.source_end])
                for p in report.passages]

    [(copied, source)] = found(edges=True)
    assert copied.startswith("Each application is reviewed") and copied.rstrip(".").endswith("reasons for it")
    assert source.startswith("The committee shall review") and source.rstrip(".").endswith("reasons for it")
    [(seeded, _)] = found(edges=False)
    assert seeded.startswith("within thirty days")


_PLAN_HEADER = ("ỦY BAN NHÂN DÂN\n{agency}\nSố: {reference}\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
                "Độc lập - Tự do - Hạnh phúc\n\nKẾ HOẠCH\n{title}\n\n")
_REVIEW = ("Các cơ quan, đơn vị rà soát toàn bộ văn bản do mình ban hành trong năm, đề xuất hợp nhất những văn "
           "bản có cùng nội dung và giảm ít nhất 15% số lượng văn bản hành chính so với năm trước.")


def test_text_a_cited_directive_holds_is_credited_to_it_though_another_holds_a_longer_run():
    # Two provincial plans hold the same sentence; the other one also holds the words the
    # commune put before it. The commune's plan cites the first: that is the one it implements.
    cited = (_PLAN_HEADER.format(agency="TỈNH LÀO CAI", reference="12/KH-UBND", title="Tinh gọn văn bản năm 2026")
             + f"1. Mục đích\n\n{_REVIEW}\n\n2. Tổ chức thực hiện\n\nSở Nội vụ theo dõi, tổng hợp kết quả.\n")
    other = (_PLAN_HEADER.format(agency="TỈNH LÀO CAI", reference="40/KH-UBND", title="Cải cách hành chính năm 2026")
             + f"1. Nhiệm vụ\n\nĐể nâng cao hiệu quả quản lý, {_REVIEW} Sở Tư pháp thẩm định.\n\n"
             "2. Kinh phí\n\nNgân sách tỉnh bảo đảm.\n")
    draft = (_PLAN_HEADER.format(agency="XÃ BẢO THẮNG", reference="05/KH-UBND", title="Tinh gọn văn bản của xã")
             + "Thực hiện Kế hoạch số 12/KH-UBND ngày 05/01/2026 của Ủy ban nhân dân tỉnh về tinh gọn văn bản năm "
             "2026, Ủy ban nhân dân xã ban hành kế hoạch như sau.\n\nI. MỤC ĐÍCH, YÊU CẦU\n\nBảo đảm sự lãnh đạo "
             "thống nhất của Đảng ủy xã, phát huy vai trò của các đoàn thể ở thôn, bản.\n\n"
             f"Để nâng cao hiệu quả quản lý, {_REVIEW}\n\nCác thôn báo cáo kết quả trước ngày 15 tháng 12.\n")
    index = DirectiveIndex()
    for key, text in (("cited", cited), ("other", other)):
        index_document(index, key=key, parsed=parse(text.encode(), with_sentences=False))
    parsed = parse(draft.encode(), with_sentences=False)
    assert [c.reference for c in parsed.citations] == ["12/KH-UBND"]

    [p] = detect(parsed, index, key="commune", params=DetectParams(semantic=False)).passages
    assert p.source == "cited"
    assert _REVIEW.rstrip(".") in draft[p.draft_start:p.draft_end + 1]


def _moved(middle: str) -> tuple[str, str]:
    """The passage of a draft giving a directive's third sentence, `middle`, then its fourth."""
    from tests.analyzer.test_sentences import WELLS, WELLS_SENTENCES

    index = DirectiveIndex()
    index_document(index, key="wells", parsed=parse(WELLS.encode(), with_sentences=False))
    text = (f"Plan of the commune for the year.\n\n{WELLS_SENTENCES[2]} {middle} {WELLS_SENTENCES[3]}\n\n"
            "The commune budget pays for the new roof.\n")
    [p] = detect(parse(text.encode(), with_sentences=False), index, key="plan",
                 params=DetectParams(semantic=False)).passages
    return text[p.draft_start:p.draft_end], WELLS[p.source_start:p.source_end]


def test_a_directive_sentence_the_draft_moved_into_a_passage_is_in_its_directive_span():
    from tests.analyzer.test_sentences import WELLS_SENTENCES, heavily_edited

    # the directive's second sentence, edited, between its third and fourth
    copied, source = _moved(heavily_edited(WELLS_SENTENCES[1]))
    assert copied.startswith("Inspectors visit") and copied.endswith("with its budget")
    assert source.startswith("The register names the owner") and source.endswith("with its budget")


def test_a_drafters_own_sentence_inside_a_passage_does_not_move_its_directive_span():
    copied, source = _moved("Our staff met on Monday to agree on the plan for the roof of the school.")
    assert "Our staff met" in copied
    assert source.startswith("Inspectors visit") and source.endswith("with its budget")


def test_a_passage_ends_with_the_closing_punctuation_both_texts_put_after_its_last_word():
    directive = ("General provisions.\n\nThe committee shall review every application within thirty days of its "
                 "receipt and shall notify the applicant in writing (with the reasons).\n\nFees are paid at the "
                 "counter of the office.\n")
    index = DirectiveIndex()
    index_document(index, key="rules", parsed=parse(directive.encode(), with_sentences=False))
    copied = ("The committee shall review every application within thirty days of its receipt and shall notify "
              "the applicant in writing (with the reasons")

    def found(closing: str) -> list[tuple[str, str]]:
        text = f"Plan of the office.\n\nOur staff met on Monday.\n\n{copied}{closing}\n\nLunch is served at noon.\n"
        draft = parse(text.encode(), with_sentences=False)
        return [(text[p.draft_start:p.draft_end], directive[p.source_start:p.source_end])
                for p in detect(draft, index, key="plan", params=DetectParams(semantic=False)).passages]

    assert found(").") == [(copied + ").", copied + ").")]
    # the drafter's own punctuation is not the directive's
    assert found(");") == [(copied, copied)]


def test_a_sentence_copied_as_a_list_item_is_reported_with_its_bullet_and_each_texts_closing_mark():
    sentence = ("The committee shall review every application within thirty days of its receipt and shall "
                "notify the applicant in writing of its decision")
    draft_text = f"Tasks of the office:\n- {sentence};\n- Lunch is served at noon.\n"
    draft = parse(draft_text.encode(), with_sentences=False)
    for directive, source_side in ((f"General provisions.\n\n{sentence}.\n\nFees are paid at the counter.\n",
                                    f"{sentence}."),
                                   (f"General provisions:\n- {sentence}.\n- Fees are paid at the counter.\n",
                                    f"- {sentence}.")):
        index = DirectiveIndex()
        index_document(index, key="rules", parsed=parse(directive.encode(), with_sentences=False))
        passages = detect(draft, index, key="plan", params=DetectParams(semantic=False)).passages
        assert [(draft_text[p.draft_start:p.draft_end], directive[p.source_start:p.source_end])
                for p in passages] == [(f"- {sentence};", source_side)]


def test_a_straight_quotation_mark_left_open_does_not_hide_the_text_up_to_the_next_quotation():
    """A stray opening mark (machine translation leaves many) would pair with the next
    quotation's opening mark; a mark opens only with no word before it and closes only with
    no word after it, so the copied sentence between is still read."""
    sentence = ("The committee shall review every application within thirty days of its receipt and shall "
                "notify the applicant in writing of its decision.")
    index = DirectiveIndex()
    index_document(index, key="regulation", parsed=parse(f"Rules of procedure.\n\n{sentence}\n".encode(),
                                                         with_sentences=False))
    draft = parse(f'Plan of the office.\n\nOn the "importance of the rules. {sentence} See the "Annual '
                  f'report of the office" for the figures.\n'.encode(), with_sentences=False)
    report = detect(draft, index, key="plan", params=DetectParams(semantic=False))
    assert [draft.text[p.draft_start:p.draft_end].rstrip(".") for p in report.passages] == [sentence.rstrip(".")]
    assert [draft.text[a:b] for a, b in ascii_quotations(draft.text)] == ['"Annual report of the office"']


def test_a_summary_that_rewrites_most_of_its_sentences_is_one_passage_over_the_stretch_it_condenses():
    """One sentence kept and two rewritten ones, in the directive's order: the rewritten ones
    are no passage alone, but with the kept one they make one passage over the stretch."""
    sentences = [
        "The committee shall review every application within thirty days of its receipt and shall notify the "
        "applicant in writing of its decision.",
        "The agency keeps a register of the workers it sends abroad, with the contract of each worker, for ten "
        "years after the contract ends.",
        "Fees are paid into the account of the agency before the departure of the worker.",
        "Inspectors visit each training centre twice a year and record the condition of its classrooms, "
        "dormitories and kitchens.",
        "A centre that fails two inspections in a row loses its licence until the faults are repaired.",
        "The ministry publishes the list of licensed centres on its website every quarter.",
        "Complaints from workers are answered by the provincial office within fifteen working days.",
        "Any worker may appeal the answer to the ministry, which decides within one month.",
    ]
    directive = "Regulation on sending workers abroad.\n\n" + "\n\n".join(sentences) + "\n"
    index = DirectiveIndex()
    index_document(index, key="regulation", parsed=parse(directive.encode(), with_sentences=False))
    summary = (f"{sentences[0]} Twice a year inspectors visit every centre and check its classrooms, kitchens and "
               "dormitories. Workers' complaints get an answer from the provincial office in fifteen working days.")
    draft = parse(f"Plan of the district office.\n\n{summary}\n\nThe budget comes from the district.\n".encode(),
                  with_sentences=False)

    [p] = detect(draft, index, key="plan", params=DetectParams(semantic=False)).passages
    assert draft.text[p.draft_start:p.draft_end].rstrip(".") == summary.rstrip(".")
    assert directive[p.source_start:p.source_end].rstrip(".") == "\n\n".join(sentences[:7]).rstrip(".")
    assert p.kind == "paraphrase"
    # without the sentence layer's pieces only the kept sentence is found
    [kept] = detect(draft, index, key="plan", params=DetectParams(semantic=False, sentences=False)).passages
    assert draft.text[kept.draft_start:kept.draft_end].rstrip(".") == sentences[0].rstrip(".")


def test_a_name_the_directive_repeats_in_every_article_does_not_seed_but_a_sentence_holding_it_is_found():
    """The name of a body repeated forty times in a directive matches forty places for each
    of its shingles: those seeds are dropped (they cannot tell where a copy came from and
    cost more than all the others), and a copied sentence that holds the name is still one
    passage, name included."""
    body = "Ban Thường trực Ủy ban Mặt trận Tổ quốc Việt Nam"
    articles = [f"Điều {i}. {body} cấp tỉnh phối hợp tổ chức hội nghị lần thứ {i} theo quy định." for i in range(1, 41)]
    copied = (f"Chậm nhất mười ngày trước ngày bầu cử, {body} gửi danh sách chính thức những người ứng cử "
              "đến từng khu vực bỏ phiếu để niêm yết công khai tại nhà văn hóa.")
    directive = "NGHỊ QUYẾT LIÊN TỊCH\n\n" + "\n".join(articles[:20] + [copied] + articles[20:]) + "\n"
    index = DirectiveIndex()
    index_document(index, key="nqlt", parsed=parse(directive.encode(), with_sentences=False))
    litany = " ".join(f"{body} huyện {i} dự họp." for i in range(5))
    draft = parse(f"KẾ HOẠCH\n\n{litany}\n{copied}\nCác xã báo cáo kết quả.\n".encode(), with_sentences=False)

    tokens = tokenize(draft, excluded_spans(draft))
    seeds = index.seeds(tokens)[0]
    kept = without_litany(seeds)
    assert len(kept) < len(seeds)
    assert np.unique(kept[:, 0], return_counts=True)[1].max() <= MAX_PLACES
    report = detect(draft, index, key="plan", params=DetectParams(semantic=False))
    assert [draft.text[p.draft_start:p.draft_end].rstrip(".") for p in report.passages] == [copied.rstrip(".")]


def test_text_pasted_after_the_last_recipient_is_reported_though_line_repair_joins_it_to_that_line(
        kl226_index, kl226):
    """"- UBND các xã, phường," ends with a comma, so repairing line breaks joins the next
    line to it; a line of prose opening in lower case is not an addressee, and a copy there
    is reported while the recipient line stays excluded."""
    text = shared("seeds", "002_f498fa0f8298bd96.txt").read_text(encoding="utf-8")
    last = "- UBND các xã, phường."
    sentence = next(line for line in kl226.text.splitlines() if FIFTEEN in comparison_key(line).lower())
    tail = sentence[sentence.index("các tổ chức"):].strip()
    pasted = textwrap.fill(tail, 70)
    assert pasted[:1].islower() and len(pasted.splitlines()[0].split()) >= 8
    draft_text = text.replace(last, "- UBND các xã, phường,\n" + pasted)
    draft = parse(draft_text.encode(), with_sentences=False)
    at = draft_text.index(pasted)
    [p] = detect(draft, kl226_index, key="d", params=DetectParams(semantic=False)).passages
    assert at <= p.draft_start < at + 20 and p.draft_end <= at + len(pasted)
    recipient = draft_text.index("- UBND các xã, phường,")
    assert any(b.start <= recipient and b.end >= recipient + 20 for b in draft.boilerplate)


def test_directives_are_ranked_by_the_evidence_their_seeds_hold_close_together():
    # rows: (draft position, directive position, common uses beyond one)
    dense_rare = np.array([[100 + i, 500 + i, 0] for i in range(12)])
    scattered = np.array([[i * 300, i * 300, 0] for i in range(20)])  # more seeds, never near each other
    common = np.array([[200 + i, 40 + i, 9] for i in range(30)])  # close together, but stock phrasing
    order = align.by_evidence({7: scattered, 3: common, 5: dense_rare}, window=100)
    assert order == [5, 3, 7]


def test_a_check_aligns_only_the_directives_with_the_most_evidence(kl226):
    index = DirectiveIndex()
    index_document(index, key="226", parsed=kl226)
    for name in ("hr-nghi-quyet-so-15-2026-nq-cp-469344.txt", "hr-thong-tu-so-44-2022-tt-btc-37701.txt"):
        index_document(index, key=name, parsed=parse(shared("corpus", "docs", name).read_bytes(),
                                                     with_sentences=False))
    seed = parse(shared("seeds", "000_b0328c80448f943d.txt").read_bytes(), with_sentences=False)
    everything = detect(seed, index, key="s", params=DetectParams(semantic=False, sentences=False, max_sources=64))
    one = detect(seed, index, key="s", params=DetectParams(semantic=False, sentences=False, max_sources=1))
    assert {p.source for p in one.passages} == {"226"} and len(one.passages) >= 3
    assert [p for p in everything.passages if p.source == "226"] == one.passages


def test_two_copies_touching_in_the_draft_from_far_apart_in_the_directive_in_the_other_order_stay_two():
    """PAN 2013: a later stretch of the source, then right after it an earlier one, each
    copied as is. One passage over both would credit the draft with the source text between
    them, which another passage of the draft copies."""
    pan = ("eval", "pan13", "none")
    index = DirectiveIndex()
    index_document(index, key="source-document01611.txt",
                   parsed=parse(shared(*pan, "sources", "source-document01611.txt").read_bytes(), "s.txt"))
    draft = parse(shared(*pan, "drafts", "suspicious-document00119.txt").read_bytes(), "d.txt")
    found = [(p.draft_start, p.draft_end, p.source_start, p.source_end)
             for p in detect(draft, index, key="d", params=DetectParams(semantic=False)).passages]

    def near(a, b):
        return all(abs(x - y) <= 30 for x, y in zip(a, b))

    # PAN's truth: 3001-4305 <- 3570-4874, then 4306-5358 <- 0-1052
    assert any(near(f, (3001, 4305, 3570, 4874)) for f in found), found
    assert any(near(f, (4306, 5358, 0, 1052)) for f in found), found
