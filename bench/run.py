"""Copy-detection speed against the corpus, with a naive baseline measured in the same run.

Registry: every central-level document of the corpus. Drafts: every lower-level one.
Figures: index build time, per-draft latency p50/p95 (cold: first check, embeddings
computed; warm: the same drafts again, model and caches warm), drafts per second, peak
RSS, and the naive baseline a user would write: rapidfuzz partial_ratio of every draft
sentence against every directive sentence, timed on a sample and scaled to the whole
registry, as `speedup_vs_naive`.

usage: python bench/run.py --corpus ../shared/corpus --out bench/results.json
"""
from __future__ import annotations

import argparse
import json
import platform
import random
import resource
import statistics
import tempfile
import time
from pathlib import Path

from rapidfuzz import fuzz

from services.analyzer.detect import DetectParams, detect, index_document
from services.analyzer.index import DirectiveIndex
from services.analyzer.semantic import CachedEmbedder, E5Embedder, SemanticLayer
from services.analyzer.tokens import sentence_bounds, tokenize
from services.ingest.pipeline import parse

import harness

CENTRAL = {"central_party", "central_legislature", "central_government", "ministry_or_central_agency"}


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def _sentences(parsed) -> list[str]:
    tokens = tokenize(parsed)
    return [" ".join(tokens.words[a:b]) for a, b in sentence_bounds(parsed, tokens) if b - a >= 6]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", default="../shared/corpus")
    ap.add_argument("--out", default="bench/results.json")
    ap.add_argument("--naive-drafts", type=int, default=3)
    ap.add_argument("--naive-directive-share", type=float, default=0.02)
    args = ap.parse_args()
    corpus = Path(args.corpus)
    records = [json.loads(line) for line in (corpus / "metadata.jsonl").read_text().splitlines()]
    directives = [r for r in records if r["level"] in CENTRAL]
    drafts = [r for r in records if r["level"] not in CENTRAL]

    # Index build: parse + tokenise + hash every central document (what registering them costs).
    t0 = time.perf_counter()
    index = DirectiveIndex()
    chars = 0
    directive_docs = []
    for r in directives:
        data = (corpus / "docs" / f"{r['id']}.txt").read_bytes()
        parsed = parse(data, with_sentences=False)
        chars += len(parsed.text)
        index_document(index, key=r["id"], parsed=parsed)
        directive_docs.append(parsed)
    index._postings()  # the merge happens lazily; count it in the build
    build_s = time.perf_counter() - t0

    parsed_drafts = []
    for r in drafts:
        parsed = parse((corpus / "docs" / f"{r['id']}.txt").read_bytes(), with_sentences=False)
        parsed_drafts.append((r, parsed))

    layer = SemanticLayer(CachedEmbedder(E5Embedder(), Path(tempfile.mkdtemp()) / "e.sqlite"))
    layer.embedder.embed(["khởi động mô hình"])  # load the model outside the timings

    def run_all() -> list[tuple[float, int, int]]:
        out = []
        for r, parsed in parsed_drafts:
            t = time.perf_counter()
            report = detect(parsed, index, key=r["id"], params=DetectParams(), semantic=layer)
            out.append((time.perf_counter() - t, len(tokenize(parsed)), len(report.passages)))
        return out

    cold = run_all()
    t_warm = time.perf_counter()
    warm = run_all()
    warm_total = time.perf_counter() - t_warm
    lat_cold = [x[0] for x in cold]
    lat_warm = [x[0] for x in warm]
    near_1500 = [x[0] for x in warm if 1000 <= x[1] <= 2500]

    # The naive baseline on a sample: every draft sentence against a share of the directive
    # sentences, scaled to all directive sentences.
    rng = random.Random(7)
    all_directive_sentences = [s for d in directive_docs for s in _sentences(d)]
    sample_dir = rng.sample(all_directive_sentences, max(1, int(len(all_directive_sentences) * args.naive_directive_share)))
    sample_drafts = rng.sample(parsed_drafts, min(args.naive_drafts, len(parsed_drafts)))
    naive_per_draft = []
    ours_same = []
    for r, parsed in sample_drafts:
        sentences = _sentences(parsed)
        t = time.perf_counter()
        for s in sentences:
            for d in sample_dir:
                fuzz.partial_ratio(s, d, score_cutoff=90)
        measured = time.perf_counter() - t
        naive_per_draft.append(measured * len(all_directive_sentences) / len(sample_dir))
        ours_same.append(next(x[0] for (rr, _), x in zip(parsed_drafts, warm) if rr["id"] == r["id"]))

    results = {
        "machine": {"cpus": __import__("os").cpu_count(), "python": platform.python_version()},
        "registry": {"directives": len(directives), "chars": chars, "shingles": index.shingles},
        "index_build_s": round(build_s, 2),
        "drafts": len(parsed_drafts),
        "latency_cold_s": {"p50": round(_percentile(lat_cold, 0.5), 4), "p95": round(_percentile(lat_cold, 0.95), 4)},
        "latency_warm_s": {"p50": round(_percentile(lat_warm, 0.5), 4), "p95": round(_percentile(lat_warm, 0.95), 4)},
        "latency_warm_1000_2500_tokens_p50_s": round(statistics.median(near_1500), 4) if near_1500 else None,
        "drafts_per_s_warm": round(len(parsed_drafts) / warm_total, 2),
        "embeddings_computed": layer.embedder.misses,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "naive": {
            "method": "rapidfuzz.fuzz.partial_ratio, every draft sentence x every directive sentence",
            "sampled_drafts": len(sample_drafts),
            "directive_sentences": len(all_directive_sentences),
            "sampled_directive_sentences": len(sample_dir),
            "per_draft_s_scaled": round(statistics.mean(naive_per_draft), 2),
            "ours_same_drafts_warm_s": round(statistics.mean(ours_same), 4),
        },
        "speedup_vs_naive": round(statistics.mean(naive_per_draft) / max(1e-9, statistics.mean(ours_same)), 1),
    }
    harness.merge_results(Path(args.out), results)  # beside what scan_workers.py, index_workers.py, ocr.py wrote
    print(json.dumps(results, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
