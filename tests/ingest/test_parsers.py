"""services/ingest/parsers and sniff.py: real .docx/.pdf fixtures, and every bad file refused clearly."""
from __future__ import annotations

import io
import zipfile

import pytest
from pypdf import PdfWriter

from services.common.errors import BadDocument, TooLarge, UnsupportedType
from services.common.settings import Settings
from services.ingest.parsers.docx import parse_docx
from services.ingest.parsers.pdf import parse_pdf
from services.ingest.pipeline import parse, preflight
from tests.conftest import shared


def test_docx_reads_header_table_column_by_column_then_body():
    raw = parse_docx(shared("fixtures", "002_lang_son_cong_van.docx").read_bytes())
    lines = raw.text.splitlines()
    assert lines[:3] == ["ỦY BAN NHÂN DÂN", "TỈNH LẠNG SƠN", "Số:         /UBND-TH"]
    assert raw.text.index("Kính gửi:") < raw.text.index("Thực hiện Kết luận")
    # the signature table: distribution list first, then the signature column
    assert raw.text.index("- Lưu VT, TH (NNK).") < raw.text.index("TM. ỦY BAN NHÂN DÂN") < raw.text.index("Đinh Hữu Học")


def test_docx_appendix_table_rows_become_one_line_each():
    raw = parse_docx(shared("fixtures", "004_dong_thap_ke_hoach.docx").read_bytes())
    rows = [b for b in raw.blocks if b.kind == "row"]
    assert len(rows) >= 17
    first_task = next(raw.text[b.start:b.end] for b in rows if raw.text[b.start:b.end].startswith("1\t"))
    assert "226-KL/TW" in first_task and "534/QĐ-TTg" in first_task


def test_pdf_text_layer_is_extracted_page_by_page():
    raw = parse_pdf(shared("fixtures", "004_dong_thap_ke_hoach.pdf").read_bytes())
    assert raw.pages == 19
    assert "226-KL/T\nW" in raw.text  # the table-cell break the normaliser has to repair


def _pdf_bytes(writer: PdfWriter) -> bytes:
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def test_password_protected_pdf_is_refused():
    writer = PdfWriter(clone_from=io.BytesIO(shared("fixtures", "002_lang_son_cong_van.pdf").read_bytes()))
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="RC4-128")
    with pytest.raises(BadDocument, match="encrypted PDF"):
        preflight(_pdf_bytes(writer))


def test_pdf_encrypted_only_against_editing_still_opens():
    writer = PdfWriter(clone_from=io.BytesIO(shared("fixtures", "002_lang_son_cong_van.pdf").read_bytes()))
    writer.encrypt(user_password="", owner_password="owner", algorithm="RC4-128")
    assert preflight(_pdf_bytes(writer)) == "application/pdf"


def test_truncated_pdf_is_refused():
    data = shared("fixtures", "002_lang_son_cong_van.pdf").read_bytes()
    with pytest.raises(BadDocument):
        preflight(data[:400])


def zip_bomb_docx() -> bytes:
    """A real .docx with an extra part of 300 MB of zeros (compresses to ~300 KB)."""
    src = zipfile.ZipFile(io.BytesIO(shared("fixtures", "002_lang_son_cong_van.docx").read_bytes()))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as out:
        for item in src.infolist():
            out.writestr(item, src.read(item.filename))
        with out.open("word/media/bomb.bin", "w", force_zip64=True) as bomb:
            chunk = b"\0" * (1 << 20)
            for _ in range(300):
                bomb.write(chunk)
    return buf.getvalue()


def test_docx_zip_bomb_is_refused_before_parsing():
    with pytest.raises(TooLarge, match="zip bomb"):
        preflight(zip_bomb_docx())


def test_zip_that_is_not_a_docx_is_refused():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("hello.txt", "xin chào")
    with pytest.raises(UnsupportedType):
        preflight(buf.getvalue())


@pytest.mark.parametrize(
    "data, error",
    [
        (b"", BadDocument),
        (b"   \n\n  ", BadDocument),
        (b"GIF89a" + b"\0" * 100, UnsupportedType),
        (bytes(range(32)) * 50, UnsupportedType),
    ],
    ids=["empty", "blank", "gif", "binary"],
)
def test_bad_files_get_a_clear_error(data, error):
    with pytest.raises(error):
        preflight(data)


def test_oversize_file_is_refused():
    with pytest.raises(TooLarge):
        preflight(b"a" * 2048, settings=Settings(max_upload_bytes=1024))


def test_type_comes_from_content_not_name():
    data = shared("fixtures", "002_lang_son_cong_van.pdf").read_bytes()
    assert preflight(data) == "application/pdf"


def test_stray_nul_bytes_in_a_utf8_text_are_read_as_spaces():
    # A text pasted from a web page can carry a few NULs: still a text, offsets unchanged.
    seed = shared("seeds", "000_b0328c80448f943d.txt").read_bytes()
    at = seed.index("Kết luận".encode())
    data = seed[:at] + b"\x00" + seed[at:]
    assert preflight(data) == "text/plain"
    doc = parse(data)
    char_at = len(seed[:at].decode())  # one character for the NUL: the seed's offsets shift by it
    assert "\x00" not in doc.text and doc.text[char_at:char_at + 9] == " Kết luận"
    assert doc.metadata.reference == parse(seed).metadata.reference


@pytest.mark.parametrize("data", [b"ab\0\0\0\0\0cd", b"\0" * 20 + "Kết luận".encode() * 100,
                                  ("Kết luận " * 300).encode("utf-8")[:-1] + b"\xff\0"])
def test_nul_bytes_beyond_a_stray_few_or_outside_utf8_are_binary(data):
    with pytest.raises(UnsupportedType):
        preflight(data)
