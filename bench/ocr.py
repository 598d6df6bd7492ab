"""OCR throughput on scanned renderings of the real fixtures (tests/scans.py), against two
baselines measured in the same run:

- "naive": what a first version would do: each page rendered to PNG by pdftoppm and read by
  `tesseract … -l vie` with its default threads, one page after another;
- "text layer": the same document's own PDF with a text layer, parsed by draftctl (the cost
  of a document that needs no OCR).

draftctl's OCR renders uncompressed TIFF, runs one Tesseract per core with OMP_THREAD_LIMIT=1.
Figures are medians of --repeats runs; results are merged into bench/results.json under "ocr".

usage: python bench/ocr.py --shared ../shared --out bench/results.json
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from services.ingest.parsers import ocr  # noqa: E402
from services.ingest.pipeline import parse  # noqa: E402
from tests.scans import missing_tools, scanned_pdf  # noqa: E402

import harness  # noqa: E402

FIXTURES = ["002_lang_son_cong_van", "004_dong_thap_ke_hoach"]


def _naive(pdf: bytes, pages: int) -> None:
    with tempfile.TemporaryDirectory() as work:
        source = Path(work) / "in.pdf"
        source.write_bytes(pdf)
        for number in range(1, pages + 1):
            stem = Path(work) / f"p{number}"
            subprocess.run(["pdftoppm", "-r", "300", "-gray", "-png", "-singlefile", "-f", str(number), "-l",
                            str(number), str(source), str(stem)], check=True, capture_output=True)
            subprocess.run(["tesseract", f"{stem}.png", str(stem), "-l", "vie"], check=True, capture_output=True)


def _median_seconds(work, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--shared", default="../shared")
    ap.add_argument("--out", default="bench/results.json")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--naive-pages", type=int, default=2, help="pages the slow baseline reads (from the start)")
    args = ap.parse_args()
    if missing_tools():
        sys.exit(f"OCR cannot run here: {missing_tools()}")
    shared = Path(args.shared)
    rows = {}
    for name in FIXTURES:
        text_pdf = (shared / "fixtures" / f"{name}.pdf").read_bytes()
        scan = scanned_pdf(text_pdf)
        pages = len(parse(scan).ocr["pages"])
        ours = _median_seconds(lambda: parse(scan), args.repeats)
        layer = _median_seconds(lambda: parse(text_pdf), args.repeats)
        naive_pages = min(pages, args.naive_pages)
        naive = _median_seconds(lambda: _naive(scan, naive_pages), args.repeats) / naive_pages * pages
        rows[name] = {
            "pages": pages, "scan_bytes": len(scan),
            "draftctl_ocr_s": round(ours, 2), "draftctl_pages_per_s": round(pages / ours, 2),
            "naive_s_estimated": round(naive, 2), "naive_measured_pages": naive_pages,
            "text_layer_s": round(layer, 3),
            "speedup_vs_naive": round(naive / ours, 1), "cost_vs_text_layer": round(ours / layer, 1),
        }
        print(name, rows[name], flush=True)
    harness.merge_results(Path(args.out), {"ocr": {"engine": ocr.engine_name(), "repeats": args.repeats,
                                                   "documents": rows}})


if __name__ == "__main__":
    main()
