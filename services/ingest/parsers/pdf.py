"""PDF via pypdf's text layer; scanned (no text) and password-protected PDFs are refused clearly."""
from __future__ import annotations

import io
import logging

from pypdf import PdfReader
from pypdf.errors import FileNotDecryptedError, PdfReadError

from services.common.errors import BadDocument
from services.ingest.parsers import Block, RawDocument

logging.getLogger("pypdf").setLevel(logging.ERROR)


def parse_pdf(data: bytes) -> RawDocument:
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
        pages = [page.extract_text() or "" for page in reader.pages]
    except BadDocument:
        raise
    except FileNotDecryptedError:
        raise BadDocument("encrypted PDF: it needs a password to open", title="Encrypted PDF") from None
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise BadDocument(f"broken PDF: {exc}") from None
    if not pages:
        raise BadDocument("the PDF has no pages")
    if sum(len(p.strip()) for p in pages) < 20:
        raise BadDocument("scanned PDF, OCR not supported: the PDF has no text layer", title="Scanned PDF")
    blocks, parts, pos = [], [], 0
    for text in pages:
        text = text.rstrip("\n")
        blocks.append(Block("page", pos, pos + len(text)))
        parts.append(text)
        pos += len(text) + 1
    return RawDocument(text="\n".join(parts), media_type="application/pdf", reflow=True, blocks=blocks, pages=len(pages))
