"""Scanned pages to text: Tesseract with its Vietnamese model, called directly.

PDF pages are rendered by pdftoppm (poppler) at 300 dpi, image files (.png, .jpg, .tiff,
every frame of a multi-page TIFF) are read through Pillow; each page goes through
`tesseract … -l vie tsv` once, giving every word with its box and confidence, from which
the page's text is put together in reading order (`page_text`).

Why not ocrmypdf: it makes a new PDF with a text layer, which we would then read back with
pypdf, and it brings Ghostscript and its own Python stack for that. We need the text and
the confidences only, with our own page and time limits, so two small binaries do.

Each page runs with OMP_THREAD_LIMIT=1, and pages run in parallel, one per core: Tesseract's
own OpenMP threads fight over two cores (measured here: 7.6 s for a page with them, 1.3 s
without).
"""
from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path

from services.common.errors import BadDocument, TooLarge, UnsupportedType

PACKAGES = "tesseract-ocr tesseract-ocr-vie poppler-utils"  # Debian
LANGUAGE = "vie"
DPI = 300
MAX_PIXELS = 60_000_000  # a page bigger than A0 at 300 dpi is not a scan: refused before decoding


@dataclass
class OcrPage:
    text: str
    words: int
    confidence: float | None  # mean word confidence, 0-100; None for a page with no words


@dataclass
class OcrInfo:
    """What the report says about a document that was read by OCR."""

    engine: str
    pages: list[int]  # 1-based numbers of the pages that were OCR'd
    mean_confidence: float | None  # over all words of those pages, 0-100

    def to_json(self) -> dict:
        return asdict(self)


def missing(*, for_pdf: bool) -> str | None:
    """Why OCR cannot run here (naming the Debian packages), or None when it can."""
    tesseract = shutil.which("tesseract")
    if tesseract is None:
        return f"Tesseract is not installed here (Debian: apt-get install {PACKAGES})"
    if LANGUAGE not in _languages(tesseract):
        return "Tesseract's Vietnamese model is not installed here (Debian: apt-get install tesseract-ocr-vie)"
    if for_pdf and shutil.which("pdftoppm") is None:
        return "pdftoppm is not installed here (Debian: apt-get install poppler-utils)"
    return None


def require(*, for_pdf: bool, what: str) -> None:
    """UnsupportedType naming the packages when OCR is unavailable."""
    reason = missing(for_pdf=for_pdf)
    if reason:
        raise UnsupportedType(f"{what} needs OCR to be read, and {reason}", title="OCR not available")


@lru_cache(maxsize=4)
def _languages(tesseract: str) -> frozenset[str]:
    try:
        out = subprocess.run([tesseract, "--list-langs"], capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.TimeoutExpired):
        return frozenset()
    return frozenset(line.strip() for line in out.splitlines()[1:])


@lru_cache(maxsize=4)
def engine_name() -> str:
    tesseract = shutil.which("tesseract")
    try:
        first = subprocess.run([tesseract or "tesseract", "--version"], capture_output=True, text=True,
                               timeout=30).stdout.splitlines()[0]
    except (OSError, subprocess.TimeoutExpired, IndexError):
        first = "tesseract"
    return f"{first.strip()} ({LANGUAGE})"


class Deadline:
    """The time left of one document's OCR; each subprocess gets what remains."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.until = time.monotonic() + seconds

    def left(self) -> float:
        remaining = self.until - time.monotonic()
        if remaining <= 0:
            raise self.exceeded()
        return remaining

    def exceeded(self) -> BadDocument:
        return BadDocument(f"OCR took longer than {self.seconds:g} s: refused (raise DRAFTCTL_OCR_TIME_LIMIT "
                           f"or split the scan)", title="OCR too slow")


def read_pdf_pages(data: bytes, numbers: list[int], *, time_limit: float) -> list[OcrPage]:
    """OCR the given 1-based pages of a PDF."""
    require(for_pdf=True, what="a scanned PDF")
    deadline = Deadline(time_limit)
    with tempfile.TemporaryDirectory(prefix="draftctl-ocr-") as work:
        folder = Path(work)
        source = folder / "document.pdf"
        source.write_bytes(data)

        def render(number: int) -> Path:
            stem = folder / f"page-{number}"
            # Uncompressed TIFF: PNG's compression of a noisy scan costs more than the OCR.
            _run(["pdftoppm", "-r", str(DPI), "-gray", "-tiff", "-singlefile", "-f", str(number), "-l", str(number),
                  str(source), str(stem)], deadline)
            image = stem.with_suffix(".tif")
            if not image.exists():
                raise BadDocument(f"page {number} of the PDF could not be rendered for OCR")
            return image

        return _in_parallel(lambda n: _recognise(render(n), DPI, deadline), numbers)


def image_pages(data: bytes, *, max_pages: int) -> int:
    """The number of pages (frames) of an image file; refuses what is not a page scan."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
            frames = getattr(image, "n_frames", 1)
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise BadDocument(f"a broken image: {exc}") from None
    if width * height > MAX_PIXELS:
        raise TooLarge(f"the image is {width}×{height} pixels; a page scan is at most {MAX_PIXELS:,} pixels")
    if frames > max_pages:
        raise TooLarge(f"the image has {frames} pages; OCR reads at most {max_pages} (DRAFTCTL_OCR_MAX_PAGES)",
                       title="Too many pages to OCR")
    return frames


def read_image(data: bytes, *, max_pages: int, time_limit: float) -> list[OcrPage]:
    """OCR every frame of a .png/.jpg/.tiff page scan."""
    from PIL import Image, ImageSequence

    require(for_pdf=False, what="an image")
    count = image_pages(data, max_pages=max_pages)
    deadline = Deadline(time_limit)
    with tempfile.TemporaryDirectory(prefix="draftctl-ocr-") as work:
        folder = Path(work)
        paths = []
        with Image.open(io.BytesIO(data)) as image:
            for number, frame in enumerate(ImageSequence.Iterator(image), start=1):
                if number > count:
                    break
                path = folder / f"page-{number}.tif"
                dpi = _resolution(frame.info.get("dpi"))
                # Grey uncompressed TIFF: one decoder for Tesseract whatever came in (CMYK
                # JPEG, 16-bit TIFF…), and no time spent compressing.
                frame.convert("L").save(path, format="TIFF", dpi=(dpi, dpi))
                paths.append((path, dpi))
        return _in_parallel(lambda item: _recognise(item[0], item[1], deadline), paths)


def info(pages: list[OcrPage], numbers: list[int]) -> OcrInfo:
    words = sum(p.words for p in pages)
    weighted = sum(p.confidence * p.words for p in pages if p.confidence is not None)
    return OcrInfo(engine=engine_name(), pages=numbers,
                   mean_confidence=round(weighted / words, 1) if words else None)


def _in_parallel(work, items: list) -> list[OcrPage]:
    workers = max(1, min(len(items), os.cpu_count() or 1))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(work, items))


def _resolution(dpi) -> int:
    """The scan's resolution where the file gives a plausible one, else 300 dpi."""
    try:
        value = int(round(float(dpi[0])))
    except (TypeError, ValueError, IndexError):
        return DPI
    return value if 70 <= value <= 1200 else DPI


def _recognise(image: Path, dpi: int, deadline: Deadline) -> OcrPage:
    base = image.with_suffix("")
    _run(["tesseract", str(image), str(base), "-l", LANGUAGE, "--psm", "3", "--dpi", str(dpi), "tsv"], deadline)
    with base.with_suffix(".tsv").open(encoding="utf-8", newline="") as stream:
        words = [_Word.of(row) for row in csv.DictReader(stream, delimiter="\t", quoting=csv.QUOTE_NONE)
                 if row.get("level") == "5" and (row.get("text") or "").strip()]
    confidences = [w.conf for w in words if w.conf >= 0]
    mean = sum(confidences) / len(confidences) if confidences else None
    return OcrPage(text=page_text(words), words=len(confidences), confidence=mean)


@dataclass
class _Word:
    block: int
    par: int
    line: int
    left: int
    top: int
    width: int
    height: int
    conf: float
    text: str

    @classmethod
    def of(cls, row: dict) -> "_Word":
        def number(key: str) -> int:
            try:
                return int(row.get(key) or 0)
            except ValueError:
                return 0
        try:
            conf = float(row.get("conf") or -1)
        except ValueError:
            conf = -1.0
        return cls(number("block_num"), number("par_num"), number("line_num"), number("left"), number("top"),
                   number("width"), number("height"), conf, row["text"].strip())


def page_text(words: list[_Word]) -> str:
    """The page's text in reading order.

    The page is cut into bands at vertical white space wider than most line spacing (a
    paragraph, a table row), unless Tesseract saw the lines on either side as one paragraph
    and the space is not much wider (a table cell's lines, `_bands`). A band crossed top to
    bottom by two white channels or more is a row of a borderless table (a plan's annex of
    tasks): it is read cell by cell, left to right, as the text layer of the same PDF reads
    it; Tesseract's own blocks would jump between rows and glue neighbouring cells
    together. Any other band keeps Tesseract's
    order: lines joined by a newline, paragraphs by a blank line.
    """
    if not words:
        return ""
    heights = sorted(w.height for w in words)
    line = heights[len(heights) // 2]  # the median word height: about one line of text
    parts = []
    for band in _bands(words, gap=line * 0.8, within_paragraph=line * 1.25):
        cells = _cells(band, gap=line // 2)
        # Three columns over three lines at least: a header's line with blanks left for the
        # number and the day ("Số:    /UBND-TH   ngày    tháng 12 năm") is not a table.
        if len(cells) >= 3 and len(_bands(band, gap=0)) >= 3:
            parts.append("\n".join(_lines_text(cell, by_position=True) for cell in cells))
        else:
            parts.append(_lines_text(band, by_position=False))
    return "\n\n".join(p for p in parts if p)


def _bands(words: list[_Word], *, gap: float, within_paragraph: float | None = None) -> list[list[_Word]]:
    """The words cut into bands at vertical white space wider than `gap`. A wider space, up
    to `within_paragraph`, does not cut where the next line continues one of Tesseract's
    paragraphs in the band: a cell's lines of short words ("số 226-") leave more white
    between them than prose does, once its row's other cells have ended."""
    ordered = sorted(words, key=lambda w: w.top)
    bands, current, bottom, lines = [], [], None, set()
    for word in ordered:
        if current and word.top - bottom > gap:
            continues = (within_paragraph is not None and word.top - bottom <= within_paragraph
                         and (word.block, word.par, word.line - 1) in lines)
            if not continues:
                bands.append(current)
                current, lines = [], set()
        if not current:
            bottom = word.top + word.height
        current.append(word)
        lines.add((word.block, word.par, word.line))
        bottom = max(bottom, word.top + word.height)
    bands.append(current)
    return bands


def _cells(band: list[_Word], *, gap: int) -> list[list[_Word]]:
    """The band's words by column, cut at white channels running down the whole band."""
    spans = sorted((w.left, w.left + max(w.width, 1)) for w in band)
    cuts, reach = [], spans[0][1]
    for left, right in spans[1:]:
        if left - reach > gap:
            cuts.append((reach + left) / 2)
        reach = max(reach, right)
    columns: list[list[_Word]] = [[] for _ in range(len(cuts) + 1)]
    for word in band:
        columns[sum(1 for cut in cuts if word.left > cut)].append(word)
    return [c for c in columns if c]


def _lines_text(words: list[_Word], *, by_position: bool) -> str:
    """Words grouped into Tesseract's lines; the lines in Tesseract's order, or top to bottom
    (inside a table cell, where a line of Tesseract's may hold several cells' words)."""
    lines: dict[tuple[int, int, int], list[_Word]] = {}
    for word in words:
        lines.setdefault((word.block, word.par, word.line), []).append(word)
    keys = sorted(lines, key=(lambda k: min(w.top for w in lines[k])) if by_position else None)
    out, previous = [], None
    for key in keys:
        if previous is not None and not by_position and key[:2] != previous[:2]:
            out.append("")  # a new paragraph: a blank line, as Tesseract's text output has
        out.append(" ".join(w.text for w in sorted(lines[key], key=lambda w: w.left)))
        previous = key
    return "\n".join(out)


def _run(command: list[str], deadline: Deadline) -> None:
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "OMP_THREAD_LIMIT": "1", "LANG": "C.UTF-8"}
    try:
        done = subprocess.run(command, capture_output=True, timeout=deadline.left(), check=False, env=env)
    except subprocess.TimeoutExpired:
        raise deadline.exceeded() from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise BadDocument(f"OCR failed: {message[-1] if message else 'exit status ' + str(done.returncode)}")
