"""ParsedDocument: what ingest hands to the analyzer and the store.

All offsets are Python string indices (end exclusive) into `text`, the text as
submitted: the decoded .txt, or the text extracted from the .docx/.pdf.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

from services.ingest.normalize import OffsetText


@dataclass
class Metadata:
    issuer: str | None = None
    issuer_parent: str | None = None
    reference: str | None = None
    number: str | None = None
    symbol: str | None = None
    doc_type: str | None = None
    place: str | None = None
    date: str | None = None  # ISO, possibly partial: YYYY, YYYY-MM or YYYY-MM-DD
    subject: str | None = None
    recipients: list[str] = field(default_factory=list)  # Kính gửi
    distribution: list[str] = field(default_factory=list)  # Nơi nhận
    signer: str | None = None
    signer_title: str | None = None
    authority: str | None = None  # TM., KT., TL., TUQ., Q.


@dataclass
class Citation:
    reference: str
    doc_type: str | None
    date: str | None
    issuer: str | None
    start: int
    end: int
    ref_start: int
    ref_end: int


@dataclass
class Unit:
    """A structural unit: mục (I.), điểm (1., 1.1.), khoản (a)), ý (-, +), table row, paragraph."""

    kind: str
    label: str | None
    level: int
    start: int
    end: int


@dataclass
class Span:
    start: int
    end: int


@dataclass
class ParsedDocument:
    text: str
    media_type: str
    norm: OffsetText
    metadata: Metadata
    citations: list[Citation]
    units: list[Unit]
    sentences: list[Span]
    header: Span | None = None
    footer: Span | None = None
    boilerplate: list[Span] = field(default_factory=list)  # standard header/footer elements
    encoding: str | None = None
    pages: int | None = None
    page_headers: list[str] = field(default_factory=list)
    page_footers: list[str] = field(default_factory=list)
    reflow: bool = True  # how `norm` was made from `text` (PDF-style line breaks repaired)
    ocr: dict | None = None  # engine, OCR'd page numbers, mean word confidence (0-100)

    def content_spans(self) -> list[Span]:
        """The parts of the text that are neither the header block nor the footer block."""
        start = self.header.end if self.header else 0
        end = self.footer.start if self.footer else len(self.text)
        spans = [Span(start, max(start, end))]
        if self.footer and self.footer.end < len(self.text):
            spans.append(Span(self.footer.end, len(self.text)))  # appendix after the signature
        return spans

    def to_json(self, *, include_text: bool = True) -> dict:
        out = {
            "metadata": asdict(self.metadata),
            "citations": [asdict(c) for c in self.citations],
            "units": [asdict(u) for u in self.units],
            "sentences": [[s.start, s.end] for s in self.sentences],
            "blocks": {
                "header": [self.header.start, self.header.end] if self.header else None,
                "footer": [self.footer.start, self.footer.end] if self.footer else None,
            },
            "media_type": self.media_type,
            "encoding": self.encoding,
            "pages": self.pages,
            "page_headers": self.page_headers,
            "page_footers": self.page_footers,
            "boilerplate": [[s.start, s.end] for s in self.boilerplate],
            "reflow": self.reflow,
            "ocr": self.ocr,
        }
        if include_text:
            out["text"] = self.text
        return out

    @classmethod
    def from_json(cls, text: str, data: dict) -> "ParsedDocument":
        """The stored parse back, without parsing the file again: only the normalised view
        is recomputed from the text (normalising is deterministic, and cheap next to
        extraction, metadata and segmentation)."""
        from services.ingest.normalize import normalize

        blocks = data.get("blocks") or {}
        return cls(
            text=text,
            media_type=data.get("media_type", "text/plain"),
            norm=normalize(text, reflow=data.get("reflow", True), ocr=bool(data.get("ocr"))),
            metadata=Metadata(**data["metadata"]),
            citations=[Citation(**c) for c in data.get("citations", [])],
            units=[Unit(**u) for u in data.get("units", [])],
            sentences=[Span(s, e) for s, e in data.get("sentences", [])],
            header=Span(*blocks["header"]) if blocks.get("header") else None,
            footer=Span(*blocks["footer"]) if blocks.get("footer") else None,
            boilerplate=[Span(s, e) for s, e in data.get("boilerplate", [])],
            encoding=data.get("encoding"),
            pages=data.get("pages"),
            page_headers=data.get("page_headers", []),
            page_footers=data.get("page_footers", []),
            reflow=data.get("reflow", True),
            ocr=data.get("ocr"),
        )
