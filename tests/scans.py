"""Scanned renderings of real documents, made the same way every time: each page of a PDF is
rendered by pdftoppm, turned by a degree, given a little noise and dust, and the pages are
put together as an image-only PDF (JPEG pages, as a scanner makes them)."""
from __future__ import annotations

import io
import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image


def missing_tools() -> str | None:
    """Why scans cannot be made or read here, or None."""
    from services.ingest.parsers import ocr

    if shutil.which("pdftoppm") is None:
        return "pdftoppm is not installed (Debian: poppler-utils)"
    return ocr.missing(for_pdf=True)


def page_images(pdf: bytes, *, dpi: int = 300) -> list[Image.Image]:
    with tempfile.TemporaryDirectory() as work:
        source = Path(work) / "in.pdf"
        source.write_bytes(pdf)
        subprocess.run(["pdftoppm", "-r", str(dpi), "-gray", str(source), str(Path(work) / "p")],
                       check=True, capture_output=True)
        pages = []
        for path in sorted(Path(work).glob("p-*.pgm"), key=lambda p: int(p.stem.split("-")[1])):
            with Image.open(path) as image:
                pages.append(image.copy())
        return pages


def degrade(page: Image.Image, *, rng: np.random.Generator, angle: float) -> Image.Image:
    """A degree of skew, sensor noise and a little dust, as from an office scanner."""
    turned = page.convert("L").rotate(angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=255)
    pixels = np.asarray(turned, dtype=np.float32)
    pixels += rng.normal(0, 6, pixels.shape)
    dust = rng.random(pixels.shape) < 0.0004
    pixels[dust] = 0
    return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8), mode="L")


def scanned_pdf(pdf: bytes, *, seed: int = 226, dpi: int = 300) -> bytes:
    """An image-only PDF of `pdf`, each page degraded; the same bytes for the same input."""
    rng = np.random.default_rng(seed)
    pages = [degrade(p, rng=rng, angle=float(rng.choice([-1.0, -0.6, 0.6, 1.0]))) for p in page_images(pdf, dpi=dpi)]
    out = io.BytesIO()
    pages[0].save(out, format="PDF", save_all=True, append_images=pages[1:], resolution=dpi, quality=75)
    return out.getvalue()


def text_to_pdf(text_file: Path) -> bytes:
    """A PDF of a plain-text document, laid out by LibreOffice (for scanning a .txt seed)."""
    with tempfile.TemporaryDirectory() as work:
        profile = Path(work) / "profile"
        subprocess.run(["soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
                        "--convert-to", "pdf", "--outdir", work, str(text_file)],
                       check=True, capture_output=True, timeout=120, env={"HOME": work, "PATH": "/usr/bin:/bin"})
        return (Path(work) / (text_file.stem + ".pdf")).read_bytes()
