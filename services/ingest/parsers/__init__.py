"""One parser per format: bytes -> RawDocument (text as extracted, blocks, page headers)."""
from __future__ import annotations

from dataclasses import dataclass, field


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
