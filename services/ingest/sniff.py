"""File type from content, never from the file name; zip-bomb guard for .docx and .odt."""
from __future__ import annotations

import codecs
import io
import zipfile

from services.common.errors import BadDocument, TooLarge, UnsupportedType

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF = "application/pdf"
TEXT = "text/plain"
ODT = "application/vnd.oasis.opendocument.text"
DOC = "application/msword"
PNG = "image/png"
JPEG = "image/jpeg"
TIFF = "image/tiff"
IMAGES = (PNG, JPEG, TIFF)
# What a folder of documents is searched for (the type itself is always sniffed from content).
DOCUMENT_SUFFIXES = (".txt", ".docx", ".pdf", ".doc", ".odt", ".png", ".jpg", ".jpeg", ".tif", ".tiff")


def sniff(data: bytes) -> str:
    """The media type of the bytes: docx, odt, doc, pdf, a page image (png, jpeg, tiff) or
    text; UnsupportedType otherwise."""
    if not data or not data.strip():
        raise BadDocument("the file is empty", title="Empty document")
    head = data[:1024]
    if b"%PDF-" in head:
        return PDF
    if data.startswith(b"PK\x03\x04"):
        try:
            names = zipfile.ZipFile(io.BytesIO(data)).namelist()
        except zipfile.BadZipFile:
            raise BadDocument("the file is a damaged zip/docx archive") from None
        if "word/document.xml" in names:
            return DOCX
        if "content.xml" in names and data[30:38] == b"mimetype" and ODT.encode() in data[38:120]:
            return ODT
        raise UnsupportedType("a zip archive that is not a .docx or .odt document")
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return DOC  # an OLE compound file: legacy Word
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith((b"II*\x00", b"MM\x00*")):
        return TIFF
    if data.startswith(b"GIF8"):
        raise UnsupportedType("a GIF image: scan pages as PNG, JPEG or TIFF")
    if data.startswith(b"{\\rtf"):
        raise UnsupportedType("RTF is not supported: save it as .docx")
    if _looks_binary(data):
        raise UnsupportedType("binary data that is not .docx, .pdf or text")
    return TEXT


STRAY_NULS = 0.001  # most NUL bytes per byte of a text file read as text


def _utf8(sample: bytes) -> bool:
    """Whether the sample is UTF-8 (a character cut at its end allowed)."""
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
    except UnicodeDecodeError:
        return False
    return True


def _looks_binary(data: bytes) -> bool:
    sample = data[:8192]
    if sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False
    nul = sample.count(0)
    # UTF-16 text has NULs in every other byte. Otherwise NULs mark binary data, unless they
    # are a few stray bytes in valid UTF-8 text (a copy and paste from a web page leaves
    # some): those are read as spaces (parsers.text.decode).
    if nul and not (sample[0::2].count(0) > len(sample) * 0.15 or sample[1::2].count(0) > len(sample) * 0.15):
        if nul > len(sample) * STRAY_NULS or not _utf8(sample):
            return True
    controls = sum(1 for b in sample if b < 9 or 13 < b < 32 and b != 27)
    return controls > len(sample) * 0.05


def check_zip_bomb(data: bytes, *, max_unzipped: int, max_ratio: int) -> None:
    """Refuse archives whose contents would inflate absurdly; reads streams, not declared sizes."""
    zf = zipfile.ZipFile(io.BytesIO(data))
    total = 0
    for info in zf.infolist():
        if info.file_size > max_unzipped or (
            info.compress_size and info.file_size / info.compress_size > max_ratio and info.file_size > 1_000_000
        ):
            raise TooLarge(f"{info.filename} would unpack to {info.file_size} bytes: refused as a zip bomb")
        # Declared sizes can lie: count what actually comes out.
        with zf.open(info) as stream:
            produced = 0
            while chunk := stream.read(1 << 16):
                produced += len(chunk)
                total += len(chunk)
                if total > max_unzipped:
                    raise TooLarge(f"the document unpacks to more than {max_unzipped} bytes: refused as a zip bomb")
                if info.compress_size and produced > 1_000_000 and produced / info.compress_size > max_ratio:
                    raise TooLarge(f"{info.filename} inflates more than {max_ratio}x: refused as a zip bomb")
