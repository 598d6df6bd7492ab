"""Word .docx via python-docx: body paragraphs and tables in document order, list numbering
rendered as text, section headers/footers kept apart from the body.

Layout tables of two columns or fewer (the Nghị định 30 header and the signature block)
are read column by column, so "Nơi nhận" and the signer do not interleave; wider tables
(appendices) are read row by row, one line per row, cells separated by a tab.
"""
from __future__ import annotations

import io
import zipfile

import docx
from docx.oxml.ns import qn

from services.common.errors import BadDocument
from services.ingest.parsers import Block, RawDocument


class _Numbering:
    """Renders w:numPr list numbers ("1.", "a)", "-") the way Word shows them."""

    def __init__(self, document):
        self.formats: dict[tuple[str, int], tuple[str, str, int]] = {}
        self.counters: dict[tuple[str, int], int] = {}
        try:
            part = document.part.numbering_part
        except (KeyError, NotImplementedError):
            return
        root = part.element
        abstract = {}
        for an in root.findall(qn("w:abstractNum")):
            levels = {}
            for lvl in an.findall(qn("w:lvl")):
                ilvl = int(lvl.get(qn("w:ilvl")))
                fmt = lvl.find(qn("w:numFmt"))
                text = lvl.find(qn("w:lvlText"))
                start = lvl.find(qn("w:start"))
                levels[ilvl] = (
                    fmt.get(qn("w:val")) if fmt is not None else "decimal",
                    text.get(qn("w:val")) if text is not None else "",
                    int(start.get(qn("w:val"))) if start is not None else 1,
                )
            abstract[an.get(qn("w:abstractNumId"))] = levels
        for num in root.findall(qn("w:num")):
            ref = num.find(qn("w:abstractNumId"))
            if ref is None:
                continue
            for ilvl, spec in abstract.get(ref.get(qn("w:val")), {}).items():
                self.formats[(num.get(qn("w:numId")), ilvl)] = spec

    def label(self, p) -> str:
        ppr = p.find(qn("w:pPr"))
        numpr = ppr.find(qn("w:numPr")) if ppr is not None else None
        if numpr is None:
            return ""
        num_el, lvl_el = numpr.find(qn("w:numId")), numpr.find(qn("w:ilvl"))
        if num_el is None:
            return ""
        num_id = num_el.get(qn("w:val"))
        ilvl = int(lvl_el.get(qn("w:val"))) if lvl_el is not None else 0
        spec = self.formats.get((num_id, ilvl))
        if spec is None or num_id == "0":
            return ""
        fmt, text, start = spec
        key = (num_id, ilvl)
        self.counters[key] = self.counters.get(key, start - 1) + 1
        for (n, lv) in list(self.counters):  # a new item restarts deeper levels
            if n == num_id and lv > ilvl:
                del self.counters[(n, lv)]
        if fmt == "bullet":
            return "- "
        label = text
        for lv in range(ilvl + 1):
            f = self.formats.get((num_id, lv), ("decimal", "", 1))[0]
            value = self.counters.get((num_id, lv), self.formats.get((num_id, lv), ("", "", 1))[2])
            label = label.replace(f"%{lv + 1}", _format_number(value, f))
        return label + " " if label else ""


def _format_number(n: int, fmt: str) -> str:
    if fmt == "lowerLetter":
        return _letters(n)
    if fmt == "upperLetter":
        return _letters(n).upper()
    if fmt == "lowerRoman":
        return _roman(n).lower()
    if fmt == "upperRoman":
        return _roman(n)
    return str(n)


def _letters(n: int) -> str:
    alphabet = "abcdeghiklmnopqrstuvxy"  # the Vietnamese list alphabet skips f, j, w, z
    return alphabet[(n - 1) % len(alphabet)] * (1 + (n - 1) // len(alphabet))


def _roman(n: int) -> str:
    out = ""
    for value, numeral in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
                           (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        while n >= value:
            out += numeral
            n -= value
    return out


def _paragraph_text(p) -> str:
    parts = []
    for el in p.iter():
        tag = el.tag
        if tag == qn("w:t"):
            parts.append(el.text or "")
        elif tag == qn("w:tab"):
            parts.append("\t")
        elif tag in (qn("w:br"), qn("w:cr")):
            parts.append("\n")
        elif tag == qn("w:delText"):  # tracked deletions are not part of the text
            continue
    return "".join(parts)


class _Writer:
    def __init__(self):
        self.parts: list[str] = []
        self.pos = 0
        self.blocks: list[Block] = []

    def line(self, text: str, kind: str) -> None:
        if self.parts:
            self.parts.append("\n")
            self.pos += 1
        self.blocks.append(Block(kind, self.pos, self.pos + len(text)))
        self.parts.append(text)
        self.pos += len(text)


def _cells(tr) -> list:
    return [tc for tc in tr if tc.tag == qn("w:tc")]


def _emit_table(tbl, out: _Writer, numbering: _Numbering) -> None:
    rows = [tr for tr in tbl if tr.tag == qn("w:tr")]
    width = max((len(_cells(tr)) for tr in rows), default=0)
    if width <= 2:
        for col in range(width):
            for tr in rows:
                cells = _cells(tr)
                if col < len(cells):
                    _emit_container(cells[col], out, numbering, kind="cell")
        return
    for tr in rows:
        texts = []
        for tc in _cells(tr):
            paras = [numbering.label(p) + _paragraph_text(p) for p in tc.iter(qn("w:p"))]
            texts.append(" ".join(t.strip() for t in paras if t.strip()))
        if any(texts):
            out.line("\t".join(texts), "row")


def _emit_container(container, out: _Writer, numbering: _Numbering, kind: str = "paragraph") -> None:
    for child in container.iterchildren():
        if child.tag == qn("w:p"):
            text = numbering.label(child) + _paragraph_text(child)
            if text.strip():
                out.line(text, kind)
        elif child.tag == qn("w:tbl"):
            _emit_table(child, out, numbering)
        elif child.tag == qn("w:sdt"):
            content = child.find(qn("w:sdtContent"))
            if content is not None:
                _emit_container(content, out, numbering, kind)


def parse_docx(data: bytes) -> RawDocument:
    try:
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise BadDocument(f"broken .docx: {exc}") from None
    except Exception as exc:  # lxml and python-docx raise many kinds on damaged parts
        raise BadDocument(f"broken .docx: {type(exc).__name__}: {exc}") from None
    numbering = _Numbering(document)
    out = _Writer()
    _emit_container(document.element.body, out, numbering)
    headers, footers = [], []
    for section in document.sections:
        for part, sink in ((section.header, headers), (section.footer, footers)):
            try:
                text = "\n".join(p.text for p in part.paragraphs if p.text.strip())
            except Exception:
                text = ""
            if text and text not in sink:
                sink.append(text)
    text = "".join(out.parts)
    if not text.strip():
        raise BadDocument("the .docx has no text", title="Empty document")
    return RawDocument(text=text, media_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                       reflow=False, blocks=out.blocks, page_headers=headers, page_footers=footers)
