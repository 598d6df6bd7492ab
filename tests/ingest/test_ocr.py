"""Scanned PDFs and page images read by OCR (services/ingest/parsers/ocr.py): scans made from
the real fixtures (tests/scans.py: rendered, turned a degree, noise and dust, image-only PDF)
parse to what their text versions parse to."""
from __future__ import annotations

import io
import re
from collections import Counter

import pytest
from PIL import Image
from pypdf import PdfWriter
from rapidfuzz.distance import Indel, Levenshtein

from services.common.errors import BadDocument, TooLarge, UnsupportedType
from services.common.settings import Settings
from services.ingest.normalize import normalize
from services.ingest.parsers import ocr
from services.ingest.parsers.pdf import read_pages
from services.ingest.pipeline import parse, preflight
from tests.conftest import shared
from tests.scans import degrade, missing_tools, page_images, scanned_pdf

needs_ocr = pytest.mark.skipif(missing_tools() is not None,
                               reason=f"OCR cannot run here: {missing_tools()} (.ci/run installs it)")
FIXTURES = ["002_lang_son_cong_van", "004_dong_thap_ke_hoach"]


@pytest.fixture(scope="module")
def scans() -> dict[str, bytes]:
    if missing_tools():
        pytest.skip(missing_tools())
    return {name: scanned_pdf(shared("fixtures", f"{name}.pdf").read_bytes()) for name in FIXTURES}


@pytest.fixture(scope="module")
def read(scans):
    return {name: parse(data) for name, data in scans.items()}


def _flat(doc) -> str:
    return re.sub(r"\s+", " ", doc.norm.text).strip()


@needs_ocr
def test_the_scans_are_image_only(scans):
    for data in scans.values():
        pages = read_pages(data)
        assert pages.scanned == list(range(1, len(pages.texts) + 1))


@needs_ocr
@pytest.mark.parametrize("name", FIXTURES)
def test_a_scan_parses_to_the_metadata_of_its_text_version(read, name):
    text = parse(shared("fixtures", f"{name}.pdf").read_bytes())
    scan = read[name]
    for field in ("reference", "doc_type", "date", "issuer", "place", "signer"):
        assert getattr(scan.metadata, field) == getattr(text.metadata, field), field


@needs_ocr
@pytest.mark.parametrize("name", FIXTURES)
def test_a_scan_cites_the_documents_its_text_version_cites(read, name):
    text = Counter(c.reference for c in parse(shared("fixtures", f"{name}.pdf").read_bytes()).citations)
    scan = Counter(c.reference for c in read[name].citations)
    # Every occurrence, those broken over a table cell's lines ("số 226-" / "KL/TW") included;
    # no misread reference survives.
    assert scan == text


@needs_ocr
@pytest.mark.parametrize("name", FIXTURES)
def test_ocr_text_is_at_least_97_percent_the_text_layer(read, name):
    text = parse(shared("fixtures", f"{name}.pdf").read_bytes())
    assert Indel.normalized_similarity(_flat(read[name]), _flat(text)) >= 0.97


@needs_ocr
def test_a_scan_says_it_was_read_by_ocr_with_its_confidence(read):
    found = read["002_lang_son_cong_van"].ocr
    assert found["pages"] == [1, 2] and found["engine"].startswith("tesseract") and "vie" in found["engine"]
    assert 80 <= found["mean_confidence"] <= 100
    assert parse(shared("fixtures", "002_lang_son_cong_van.pdf").read_bytes()).ocr is None  # a text layer is read as is


@needs_ocr
def test_offsets_of_a_scan_index_the_ocr_text(read):
    doc = read["002_lang_son_cong_van"]
    assert doc.citations
    for c in doc.citations:
        # The span holds the reference as OCR read it: the same after the normaliser's OCR
        # repairs, or, misread beyond them ("226-KL/W"), the spelling the document uses elsewhere.
        raw = re.sub(r"\s+", "", normalize(doc.text[c.ref_start:c.ref_end], ocr=True).text)
        assert raw.split("-")[0] == c.reference.split("-")[0]
        assert Levenshtein.distance(raw, c.reference) <= len(c.reference) // 4


@needs_ocr
def test_page_images_png_and_multipage_tiff_are_read():
    pages = page_images(shared("fixtures", "002_lang_son_cong_van.pdf").read_bytes())
    png = io.BytesIO()
    pages[0].save(png, format="PNG", dpi=(300, 300))
    doc = parse(png.getvalue())
    assert doc.media_type == "image/png" and doc.metadata.reference == "/UBND-TH" and doc.ocr["pages"] == [1]
    tiff = io.BytesIO()
    pages[0].save(tiff, format="TIFF", save_all=True, append_images=pages[1:], dpi=(300, 300))
    both = parse(tiff.getvalue())
    assert both.media_type == "image/tiff" and both.ocr["pages"] == [1, 2] and "Hữu Học" in both.text


@needs_ocr
def test_a_scan_over_the_page_limit_is_refused_before_any_ocr(scans):
    settings = Settings(ocr_max_pages=10)
    with pytest.raises(TooLarge, match="19 scanned pages; OCR reads at most 10"):
        preflight(scans["004_dong_thap_ke_hoach"], settings=settings)
    with pytest.raises(TooLarge, match="at most 10"):
        parse(scans["004_dong_thap_ke_hoach"], settings=settings)


@needs_ocr
def test_a_scan_over_the_time_limit_is_a_clear_error(scans):
    with pytest.raises(BadDocument, match="OCR took longer than 0.5 s"):
        parse(scans["004_dong_thap_ke_hoach"], settings=Settings(ocr_time_limit=0.5))


def test_without_tesseract_a_scan_is_refused_naming_the_packages(monkeypatch):
    pages = [Image.new("L", (1240, 1754), 255)]
    pages[0].paste(0, (100, 100, 1100, 140))  # something on the page: an image, no text layer
    data = io.BytesIO()
    pages[0].save(data, format="PDF", resolution=150)
    real_which = ocr.shutil.which
    monkeypatch.setattr(ocr.shutil, "which", lambda name: None if name == "tesseract" else real_which(name))
    with pytest.raises(UnsupportedType, match="tesseract-ocr tesseract-ocr-vie poppler-utils"):
        preflight(data.getvalue())
    png = io.BytesIO()
    pages[0].save(png, format="PNG")
    with pytest.raises(UnsupportedType, match="apt-get install tesseract-ocr"):
        preflight(png.getvalue())


def test_a_blank_pdf_is_refused_as_empty():
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    data = io.BytesIO()
    writer.write(data)
    with pytest.raises(BadDocument, match="no text and no scanned page"):
        preflight(data.getvalue())


@pytest.mark.parametrize("data, message", [
    (b"\x89PNG\r\n\x1a\n" + b"\0" * 200, "broken image"),
    (b"GIF89a" + b"\0" * 200, "GIF"),
])
def test_broken_or_unsupported_images_are_refused(data, message):
    if message == "broken image" and ocr.missing(for_pdf=False):
        pytest.skip(ocr.missing(for_pdf=False))
    with pytest.raises(BadDocument, match=message):
        preflight(data)


@needs_ocr
def test_an_image_too_big_to_be_a_page_is_refused():
    huge = io.BytesIO()
    Image.new("1", (9000, 9000), 1).save(huge, format="PNG")
    with pytest.raises(TooLarge, match="pixels"):
        preflight(huge.getvalue())


def test_the_scans_are_made_the_same_way_every_time():
    if missing_tools():
        pytest.skip(missing_tools())
    page = page_images(shared("fixtures", "002_lang_son_cong_van.pdf").read_bytes(), dpi=100)[0]
    import numpy as np

    one = degrade(page, rng=np.random.default_rng(1), angle=1.0)
    two = degrade(page, rng=np.random.default_rng(1), angle=1.0)
    assert one.tobytes() == two.tobytes() and one.tobytes() != page.tobytes()


def _cell_words(block: int, left: int, top: int, lines: list[str], *, pitch: int = 77) -> list:
    """Words of one table cell as Tesseract's TSV gives them: one paragraph, a line each."""
    return [ocr._Word(block, 1, n, left + 120 * i, top + pitch * (n - 1), 100, 42, 96.0, word)
            for n, line in enumerate(lines, start=1) for i, word in enumerate(line.split())]


def test_a_table_row_is_read_cell_by_cell_even_where_one_cell_runs_on_alone():
    # Row 1: three cells; the first runs on two lines below the others, and its lines of
    # short, flat words leave 35 px of white (the median word height is 42): still row 1.
    first = _cell_words(4, 700, 830, ["triển khai", "Kết luận", "số 226-", "KL/TW,", "Quyết định"])
    second = _cell_words(6, 1300, 830, ["Các sở,", "ban, ngành", "tỉnh"])
    third = _cell_words(7, 1900, 830, ["Tháng 5", "năm 2026", "x"])
    row_two = _cell_words(5, 700, 830 + 77 * 5 + 60, ["Rà soát,", "sửa đổi,", "bổ sung"])  # a row's gap
    text = ocr.page_text(first + second + third + row_two)
    assert text.split("\n\n") == [
        "triển khai\nKết luận\nsố 226-\nKL/TW,\nQuyết định\nCác sở,\nban, ngành\ntỉnh\nTháng 5\nnăm 2026\nx",
        "Rà soát,\nsửa đổi,\nbổ sung",
    ]
