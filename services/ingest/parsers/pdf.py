"""PDF via pypdf's text layer; pages without one (scans) are read by OCR where Tesseract is
installed, and refused naming the packages where it is not; password-protected PDFs are
refused clearly."""
from __future__ import annotations

import io
import logging
from dataclasses import dataclass

from pypdf import PdfReader
from pypdf.errors import FileNotDecryptedError, PdfReadError

from services.common.errors import BadDocument, TooLarge
from services.ingest.parsers import RawDocument, from_pages
from services.ingest.parsers import ocr

logging.getLogger("pypdf").setLevel(logging.ERROR)

MIN_PAGE_TEXT = 20  # characters: less than this on a page with an image is a scanned page


@dataclass
class PdfPages:
    texts: list[str]  # the text layer of each page
    scanned: list[int]  # 1-based numbers of the pages that hold an image and (almost) no text


def read_pages(data: bytes) -> PdfPages:
    """The text layer of every page, and which pages are scans; cheap (no OCR)."""
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            # Many PDFs are encrypted only against editing, with an empty user password.
            try:
                ok = reader.decrypt("")
            except Exception:
                ok = 0
            if not ok:
                raise BadDocument("encrypted PDF: it needs a password to open", title="Encrypted PDF")
        texts, scanned = [], []
        for number, page in enumerate(reader.pages, start=1):
            text = page.extract_text() or ""
            texts.append(text)
            if len(text.strip()) < MIN_PAGE_TEXT and _has_image(page):
                scanned.append(number)
    except BadDocument:
        raise
    except FileNotDecryptedError:
        raise BadDocument("encrypted PDF: it needs a password to open", title="Encrypted PDF") from None
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise BadDocument(f"broken PDF: {exc}") from None
    if not texts:
        raise BadDocument("the PDF has no pages")
    if sum(len(t.strip()) for t in texts) < MIN_PAGE_TEXT and not scanned:
        raise BadDocument("the PDF has no text and no scanned page", title="Empty document")
    return PdfPages(texts, scanned)


def check_scan(pages: PdfPages, *, max_pages: int) -> None:
    """Refuse, before any work, a scan OCR cannot read here or one over the page limit."""
    if not pages.scanned:
        return
    # A text PDF with a scanned annex is refused too where OCR is missing: reading its text
    # pages alone would check part of the document and say nothing of the rest.
    what = "a scanned PDF" if len(pages.scanned) == len(pages.texts) else \
        f"a PDF with {len(pages.scanned)} scanned page(s)"
    ocr.require(for_pdf=True, what=what)
    if len(pages.scanned) > max_pages:
        raise TooLarge(f"the PDF has {len(pages.scanned)} scanned pages; OCR reads at most {max_pages} "
                       f"(DRAFTCTL_OCR_MAX_PAGES)", title="Too many pages to OCR")


def parse_pdf(data: bytes, *, ocr_max_pages: int = 30, ocr_time_limit: float = 240) -> RawDocument:
    pages = read_pages(data)
    check_scan(pages, max_pages=ocr_max_pages)
    texts = list(pages.texts)
    found = None
    if pages.scanned:
        read = ocr.read_pdf_pages(data, pages.scanned, time_limit=ocr_time_limit)
        for number, page in zip(pages.scanned, read):
            texts[number - 1] = page.text
        found = ocr.info(read, pages.scanned)
    return from_pages(texts, media_type="application/pdf", ocr=found)


def _has_image(page) -> bool:
    try:
        return _holds_image(page.get("/Resources"))
    except (KeyError, AttributeError, TypeError, ValueError, PdfReadError):
        return False


def _holds_image(resources, depth: int = 2) -> bool:
    """An image among the resources' XObjects, or inside a form XObject among them: a
    scanner's page is sometimes an image wrapped in a form."""
    resources = resources.get_object() if resources is not None else None
    xobjects = resources.get("/XObject") if resources else None
    if xobjects is None:
        return False
    for ref in xobjects.get_object().values():
        obj = ref.get_object()
        if obj.get("/Subtype") == "/Image":
            return True
        if depth > 1 and obj.get("/Subtype") == "/Form" and _holds_image(obj.get("/Resources"), depth - 1):
            return True
    return False
