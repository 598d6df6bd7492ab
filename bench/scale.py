"""How copy detection grows with the registry: synthetic registries made from the corpus.

A registry of N directives holds the corpus's 219 central-level documents, as `make bench`
does, plus N - 219 synthetic directives: real documents of `corpus-extra`, each copy with
every 6th word replaced by a word of its own, so that most of its shingles
are its own and the index grows as with new documents. The same seed gives the same
registry. For each size it measures, in one process:

- build: parsing and indexing every directive (what registering them costs), s;
- memory: resident set after the build and at its peak, MB;
- new-draft latency, warm (second check of each draft), p50 and p95, s: the corpus's 39
  lower-level documents, with the lexical and sentence layers (and the semantic layer
  with --semantic);
- same answers: the passages the drafts get from the 219 originals, compared with a
  registry of those 219 alone (passages identical; draft characters credited to the same
  original, Jaccard);
and how each figure grows from the smallest size to the others.

usage: python bench/scale.py --shared ../shared --sizes 2000 [--semantic] --out bench/scale.json
"""
from __future__ import annotations

import argparse
import gc
import json
import random
import re
import statistics
import time
from pathlib import Path

from services.analyzer.detect import DetectParams, detect, index_document
from services.analyzer.index import DirectiveIndex
from services.ingest.pipeline import parse

CENTRAL = {"central_party", "central_legislature", "central_government", "ministry_or_central_agency"}
WORD = re.compile(r"\w+")
EVERY = 6  # every 6th word of a synthetic directive is its own


def _memory_mb() -> tuple[int, int]:
    """Resident set now and at its peak, MB."""
    status = Path("/proc/self/status").read_text()
    field = {line.split(":")[0]: line.split()[1] for line in status.splitlines() if line.startswith("Vm")}
    return int(field["VmRSS"]) // 1024, int(field["VmHWM"]) // 1024


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def synthetic(text: str, copy: int) -> str:
    """The text with every EVERY-th word replaced by a word of this copy's own."""
    count = 0

    def own(m: re.Match) -> str:
        nonlocal count
        count += 1
        return f"s{copy}x{count % 50}" if count % EVERY == 0 else m.group()
    return WORD.sub(own, text)


def _texts(folder: Path) -> list[tuple[str, str]]:
    return [(p.stem, p.read_text(encoding="utf-8")) for p in sorted((folder / "docs").glob("*.txt"))]


def _passages(reports: dict[str, list], keys: set[str]) -> set[tuple]:
    return {(draft, p.source, p.draft_start, p.draft_end, p.source_start, p.source_end)
            for draft, passages in reports.items() for p in passages if p.source in keys}


def _characters(reports: dict[str, list], keys: set[str]) -> set[tuple]:
    return {(draft, p.source, i) for draft, passages in reports.items() for p in passages if p.source in keys
            for i in range(p.draft_start, p.draft_end)}


def measure(size: int, originals, pool, drafts, params: DetectParams, layer, seed: int) -> tuple[dict, dict]:
    gc.collect()
    t0 = time.perf_counter()
    index = DirectiveIndex()
    for key, text in originals:
        index_document(index, key=key, parsed=parse(text.encode(), with_sentences=False))
    rng = random.Random(seed)
    for copy in range(max(0, size - len(originals))):
        key, text = pool[rng.randrange(len(pool))]
        index_document(index, key=f"synthetic-{copy}-{key}", parsed=parse(synthetic(text, copy).encode(),
                                                                           with_sentences=False))
    index._postings()  # the merge is lazy; count it in the build
    build_s = time.perf_counter() - t0
    rss_after, _ = _memory_mb()
    for key, parsed in drafts:  # first checks build the sentence table and warm the caches
        detect(parsed, index, key=key, params=params, semantic=layer)
    latencies, reports = [], {}
    for key, parsed in drafts:
        t = time.perf_counter()
        reports[key] = detect(parsed, index, key=key, params=params, semantic=layer).passages
        latencies.append(time.perf_counter() - t)
    _, peak = _memory_mb()
    return {
        "directives": len(index), "tokens": sum(len(d.tokens) for d in index.documents),
        "build_s": round(build_s, 1), "rss_after_build_mb": rss_after, "peak_rss_mb": peak,
        "draft_p50_s": round(statistics.median(latencies), 3), "draft_p95_s": round(_percentile(latencies, 0.95), 3),
    }, reports


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--shared", default="../shared")
    ap.add_argument("--sizes", default="2000", help="comma-separated registry sizes")
    ap.add_argument("--semantic", action="store_true", help="the semantic layer too (e5 on verified pairs)")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--out", default="bench/scale.json")
    args = ap.parse_args()
    shared = Path(args.shared)
    records = [json.loads(line) for line in (shared / "corpus" / "metadata.jsonl").read_text().splitlines()]
    level = {r["id"]: r["level"] for r in records}
    corpus = _texts(shared / "corpus")
    originals = [(k, t) for k, t in corpus if level.get(k) in CENTRAL]
    drafts = [(k, parse(t.encode(), with_sentences=False)) for k, t in corpus if level.get(k) not in CENTRAL]
    # Synthetic directives come from documents that are neither drafts here nor the
    # originals: a near-copy of a draft in the registry would answer for it.
    pool = _texts(shared / "corpus-extra")
    params = DetectParams(semantic=args.semantic)
    layer = None
    if args.semantic:
        from services.analyzer.semantic import SemanticLayer
        layer = SemanticLayer.default()

    # The answers to compare with: the 219 originals alone.
    baseline, base_reports = measure(len(originals), originals, pool, drafts, params, layer, args.seed)
    keys = {k for k, _ in originals}
    rows = [baseline]
    for size in sorted(int(s) for s in args.sizes.split(",")):
        row, reports = measure(size, originals, pool, drafts, params, layer, args.seed)
        want, got = _passages(base_reports, keys), _passages(reports, keys)
        row["same_passages_from_the_originals"] = round(len(want & got) / max(1, len(want | got)), 4)
        want, got = _characters(base_reports, keys), _characters(reports, keys)
        row["same_draft_characters_from_the_originals"] = round(len(want & got) / max(1, len(want | got)), 4)
        rows.append(row)
        print(json.dumps(row), flush=True)
    first = rows[0]
    for row in rows[1:]:
        row["growth_vs_first"] = {
            "directives": round(row["directives"] / first["directives"], 2),
            "build": round(row["build_s"] / first["build_s"], 2),
            "peak_rss": round(row["peak_rss_mb"] / first["peak_rss_mb"], 2),
            "draft_p50": round(row["draft_p50_s"] / first["draft_p50_s"], 2),
            "draft_p95": round(row["draft_p95_s"] / first["draft_p95_s"], 2),
        }
    out = {"layers": "lexical, sentence" + (", semantic" if args.semantic else ""), "drafts": len(drafts),
           "workers": 1, "sizes": rows}
    Path(args.out).write_text(json.dumps(out, indent=1, ensure_ascii=False) + "\n")
    print(json.dumps(out, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()
