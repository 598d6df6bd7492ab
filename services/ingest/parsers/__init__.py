"""One parser per format: bytes -> RawDocument (text as extracted, blocks, page headers)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Block:
    """A span of the extracted text with its layout role: paragraph, table row, table cell."""

    kind: str
    start: int
    end: int


@dataclass
class RawDocument:
    text: str
    media_type: str
    reflow: bool  # True when line breaks are layout, not paragraphs (pdf, txt)
    blocks: list[Block] = field(default_factory=list)
    page_headers: list[str] = field(default_factory=list)
    page_footers: list[str] = field(default_factory=list)
    encoding: str | None = None
    pages: int | None = None
    ocr: Any = None  # parsers.ocr.OcrInfo when some pages were read by OCR


def from_pages(texts: list[str], *, media_type: str, ocr: Any = None) -> RawDocument:
    """One document of page texts, a page per block, pages joined by a newline."""
    blocks, parts, pos = [], [], 0
    for text in texts:
        text = text.rstrip("\n")
        blocks.append(Block("page", pos, pos + len(text)))
        parts.append(text)
        pos += len(text) + 1
    return RawDocument(text="\n".join(parts), media_type=media_type, reflow=True, blocks=blocks,
                       pages=len(texts), ocr=ocr)
