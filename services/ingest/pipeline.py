"""parse(bytes, filename) -> ParsedDocument: the one entry point of the ingest service."""
from __future__ import annotations

from services.common.errors import BadDocument, UnsupportedType
from services.common.settings import Settings, get_settings
from services.ingest import citations as citations_mod
from services.ingest import metadata as metadata_mod
from services.ingest import segment
from services.ingest.document import Citation, ParsedDocument, Span
from services.ingest.normalize import normalize
from services.ingest.parsers import RawDocument, from_pages
from services.ingest.parsers.docx import parse_docx
from services.ingest.parsers import ocr
from services.ingest.parsers.pdf import check_scan, parse_pdf, read_pages
from services.ingest.parsers.text import parse_text
from services.ingest.parsers.office import PACKAGE, soffice, to_docx
from services.ingest.sniff import DOC, DOCX, IMAGES, ODT, PDF, check_zip_bomb, sniff


def extract(data: bytes, *, settings: Settings | None = None) -> RawDocument:
    """Bytes -> text as submitted, by content type."""
    settings = settings or get_settings()
    media_type = sniff(data)
    if media_type == PDF:
        raw = parse_pdf(data, ocr_max_pages=settings.ocr_max_pages, ocr_time_limit=settings.ocr_time_limit)
    elif media_type in IMAGES:
        raw = _parse_image(data, media_type, settings)
    elif media_type == DOCX:
        check_zip_bomb(data, max_unzipped=settings.max_unzipped_bytes, max_ratio=settings.max_zip_ratio)
        raw = parse_docx(data)
    elif media_type in (ODT, DOC):
        if media_type == ODT:
            check_zip_bomb(data, max_unzipped=settings.max_unzipped_bytes, max_ratio=settings.max_zip_ratio)
        what = "an .odt document" if media_type == ODT else "a legacy Word .doc"
        docx = to_docx(data, suffix=".odt" if media_type == ODT else ".doc", what=what,
                       time_limit=settings.convert_time_limit)
        check_zip_bomb(docx, max_unzipped=settings.max_unzipped_bytes, max_ratio=settings.max_zip_ratio)
        raw = parse_docx(docx)
        raw.media_type = media_type
    else:
        raw = parse_text(data)
    if not raw.text.strip():
        raise BadDocument("the document has no text", title="Empty document")
    return raw


def _parse_image(data: bytes, media_type: str, settings: Settings) -> RawDocument:
    pages = ocr.read_image(data, max_pages=settings.ocr_max_pages, time_limit=settings.ocr_time_limit)
    return from_pages([p.text for p in pages], media_type=media_type,
                      ocr=ocr.info(pages, list(range(1, len(pages) + 1))))


def analyse(raw: RawDocument, *, with_sentences: bool = True) -> ParsedDocument:
    """Normalise, extract metadata and citations, segment: RawDocument -> ParsedDocument."""
    norm = normalize(raw.text, reflow=raw.reflow, ocr=raw.ocr is not None)
    if not norm.text.strip():
        raise BadDocument("the document has no text", title="Empty document")
    found = metadata_mod.extract(norm.text)
    body_start = found.header[1] if found.header else 0
    own = {found.metadata.reference} if found.metadata.reference and found.metadata.number else set()
    cites = []
    found_cites = citations_mod.find(norm.text, start=0, exclude=own)
    if raw.ocr is not None:
        found_cites = citations_mod.agree_misread(found_cites)
    for c in found_cites:
        if found.header and c.ref_end <= body_start:
            continue  # the trích yếu of the header names the parent document: not a body citation
        s, e = norm.to_raw(c.start, c.end)
        rs, re_ = norm.to_raw(c.ref_start, c.ref_end)
        cites.append(Citation(c.reference, c.doc_type, c.date, c.issuer, s, e, rs, re_))
    rows = [(b.start, b.end) for b in raw.blocks if b.kind == "row"]
    return ParsedDocument(
        text=raw.text,
        media_type=raw.media_type,
        norm=norm,
        metadata=found.metadata,
        citations=cites,
        units=segment.units(norm, rows),
        sentences=segment.sentences(norm) if with_sentences else [],
        header=Span(*norm.to_raw(*found.header)) if found.header else None,
        footer=Span(*norm.to_raw(*found.footer)) if found.footer else None,
        boilerplate=_boilerplate(found, norm, raw.text),
        encoding=raw.encoding,
        pages=raw.pages,
        page_headers=raw.page_headers,
        page_footers=raw.page_footers,
        reflow=raw.reflow,
        ocr=raw.ocr.to_json() if raw.ocr else None,
    )


def _boilerplate(found: metadata_mod.Extracted, norm, raw_text: str) -> list[Span]:
    """The standard elements as raw spans. The recipients' lines that read as sentences are
    not among them: text pasted after "Kính gửi: - …," is joined to the recipient line when
    line breaks are repaired, and is the draft's own content, not an addressee."""
    out = []
    for s, e in found.boilerplate:
        if e <= s:
            continue
        rs, re_ = norm.to_raw(s, e)
        if (s, e) == found.recipients:
            lines = metadata_mod.without_prose(raw_text, rs, re_, lower_start=True)
            out.extend(Span(a, b) for a, b in lines if b > a)
        else:
            out.append(Span(rs, re_))
    return out


def parse(data: bytes, filename: str = "", *, settings: Settings | None = None, with_sentences: bool = True) -> ParsedDocument:
    """Parse a .docx, .odt, .doc, .pdf (scanned ones by OCR), .txt document or a page scan
    (.png, .jpg, .tiff) (type sniffed from content; the name is informative only)."""
    return analyse(extract(data, settings=settings), with_sentences=with_sentences)


def preflight(data: bytes, *, settings: Settings | None = None) -> str:
    """Cheap checks at upload time so a bad file is refused before anything is stored.

    Returns the sniffed media type; raises BadDocument (and subclasses) otherwise.
    """
    settings = settings or get_settings()
    if len(data) > settings.max_upload_bytes:
        from services.common.errors import TooLarge

        raise TooLarge(f"the file is {len(data)} bytes; the limit is {settings.max_upload_bytes}")
    media_type = sniff(data)
    if media_type == DOCX:
        check_zip_bomb(data, max_unzipped=settings.max_unzipped_bytes, max_ratio=settings.max_zip_ratio)
        parse_docx(data)
    elif media_type == PDF:
        # OCR takes seconds a page: the parse job does it; here, only what refuses a scan at
        # once (no Tesseract here, too many pages).
        check_scan(read_pages(data), max_pages=settings.ocr_max_pages)
    elif media_type in IMAGES:
        ocr.require(for_pdf=False, what="an image")
        ocr.image_pages(data, max_pages=settings.ocr_max_pages)
    elif media_type in (ODT, DOC):
        # Converting takes LibreOffice seconds: the parse job does it; here, only what refuses
        # a file at once (no LibreOffice on this machine, a zip bomb).
        if media_type == ODT:
            check_zip_bomb(data, max_unzipped=settings.max_unzipped_bytes, max_ratio=settings.max_zip_ratio)
        if soffice() is None:
            raise UnsupportedType(f"a .doc or .odt document needs LibreOffice to be read, and it is not installed "
                                  f"here (Debian: apt-get install {PACKAGE}); or save the file as .docx")
    else:
        raw = parse_text(data)
        if not raw.text.strip():
            raise BadDocument("the document has no text", title="Empty document")
    return media_type
