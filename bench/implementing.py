"""Real implementing documents checked together against the documents they cite.

From a corpus with metadata (../shared/corpus): every lower-level document (provincial,
commune) that cites documents of the corpus (by số ký hiệu) and shares verbatim runs of at
least 15 tokens with them is a child; what it cites are its parents (`--all-levels`: any
citing document, central ones included, each checked against the registry less itself). All children are checked in one process against
one registry: every parent, plus unrelated central documents cited by no child.

Silver truth: the child tokens inside a run of >= 15 tokens it shares verbatim with a
parent, outside what is never copying (header, footer, legal bases, citations with the
title they quote, quotations) on either side. Figures:
- silver recall: share of those tokens covered by a passage naming that parent, or another
  cited parent that holds the same run (micro over all pairs, and the lowest pair);
- pairs attributed: pairs whose silver is mostly covered by passages naming their parent;
- passages on unrelated sources: share of all passages whose source the child does not cite.

usage: python bench/implementing.py --corpus ../shared/corpus [--unrelated 10] [--out FILE]
"""
from __future__ import annotations

import argparse
import json
import random
import re
from pathlib import Path

import numpy as np

from services.analyzer.detect import DetectParams, detect, index_document
from services.analyzer.exclusions import excluded_spans, source_spans
from services.analyzer.index import DirectiveIndex
from services.analyzer.semantic import SemanticLayer
from services.analyzer.shingles import shingle_hashes, window_any
from services.analyzer.tokens import tokenize
from services.ingest.pipeline import parse

RUN = 15
CENTRAL = {"central_party", "central_legislature", "central_government", "ministry_or_central_agency"}


def _key(reference: str | None) -> str | None:
    return re.sub(r"\s+", "", reference).upper().replace("Đ", "D") if reference else None


def _windows(tokens, n: int = RUN) -> dict[int, list[int]]:
    """Hash of each n-token window with no excluded token -> its start positions."""
    hashes = shingle_hashes(tokens.words, n)
    bad = window_any(tokens.excluded, n)
    out: dict[int, list[int]] = {}
    for i, h in enumerate(hashes.tolist()):
        if not bad[i]:
            out.setdefault(h, []).append(i)
    return out


def silver(child, parent) -> set[int]:
    """Child token positions inside a verbatim run of >= RUN tokens shared with the parent."""
    theirs = _windows(parent)
    covered: set[int] = set()
    for h, starts in _windows(child).items():
        if h in theirs:
            for s in starts:
                covered.update(range(s, s + RUN))
    return covered


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", default="../shared/corpus")
    ap.add_argument("--unrelated", type=int, default=10)
    ap.add_argument("--no-semantic", action="store_true")
    ap.add_argument("--all-levels", action="store_true", help="central documents citing others are children too")
    ap.add_argument("--out")
    args = ap.parse_args()
    corpus = Path(args.corpus)
    records = [json.loads(line) for line in (corpus / "metadata.jsonl").read_text(encoding="utf-8").splitlines()
               if line.strip()]
    by_ref = {_key(r["so_ky_hieu"]): r["id"] for r in records if r.get("so_ky_hieu")}
    parsed = {r["id"]: parse((corpus / "docs" / f"{r['id']}.txt").read_bytes(), with_sentences=False)
              for r in records}
    level = {r["id"]: r["level"] for r in records}

    pairs: dict[str, list[str]] = {}
    for doc_id, p in parsed.items():
        if level[doc_id] in CENTRAL and not args.all_levels:
            continue
        cited = {by_ref.get(_key(c.reference)) for c in p.citations} - {None, doc_id}
        child_tokens = tokenize(p, excluded_spans(p))
        parents = []
        for parent_id in sorted(cited):
            parent = parsed[parent_id]
            if silver(child_tokens, tokenize(parent, source_spans(parent))):
                parents.append(parent_id)
        if parents:
            pairs[doc_id] = parents
    all_parents = sorted({q for v in pairs.values() for q in v})
    cited_anywhere = {by_ref.get(_key(c.reference)) for p in parsed.values() for c in p.citations}
    pool = sorted(d for d in parsed if level[d] in CENTRAL and d not in cited_anywhere and d not in pairs)
    unrelated = random.Random(7).sample(pool, min(args.unrelated, len(pool)))

    index = DirectiveIndex()
    sources = all_parents + unrelated
    for doc_id in sources:
        index_document(index, key=doc_id, parsed=parsed[doc_id])
    layer = None if args.no_semantic else SemanticLayer.default()
    covered_total = silver_total = passages = off_parent = on_unrelated = attributed = 0
    worst = 1.0
    rows = []
    for child_id, parents in sorted(pairs.items()):
        p = parsed[child_id]
        others = {i for i, d in enumerate(sources) if d != child_id}  # a child may be another's parent
        report = detect(p, index, key=child_id, params=DetectParams(semantic=layer is not None), semantic=layer,
                        allowed=others)
        tokens = tokenize(p, excluded_spans(p))
        passages += len(report.passages)
        off_parent += sum(r.source not in parents for r in report.passages)
        on_unrelated += sum(r.source in unrelated for r in report.passages)
        truths, founds = {}, {}
        for parent_id in parents:
            truths[parent_id] = silver(tokens, tokenize(parsed[parent_id], source_spans(parsed[parent_id])))
            founds[parent_id] = set()
            for r in report.passages:
                if r.source == parent_id:
                    lo = int(np.searchsorted(tokens.starts, r.draft_start))
                    hi = int(np.searchsorted(tokens.starts, r.draft_end))
                    founds[parent_id].update(range(lo, hi))
        for parent_id in parents:
            truth = truths[parent_id]
            # text two cited parents share is found when a passage names either of them
            hit = sum(any(t in founds[q] and t in truths[q] for q in parents) for t in truth)
            own = len(truth & founds[parent_id])
            covered_total += hit
            silver_total += len(truth)
            recall = hit / len(truth)
            worst = min(worst, recall)
            attributed += own > 0.5 * len(truth) or hit > 0.5 * len(truth)
            rows.append({"child": child_id, "parent": parent_id, "silver_tokens": len(truth),
                         "recall": round(recall, 3), "on_this_parent": round(own / len(truth), 3)})
    figures = {
        "children": len(pairs), "parents": len(all_parents), "unrelated_sources": len(unrelated),
        "pairs": len(rows), "pairs_attributed": attributed,
        "silver_recall": round(covered_total / max(1, silver_total), 4), "lowest_pair_recall": round(worst, 3),
        "passages": passages, "passages_not_on_a_cited_parent": off_parent,
        "share_on_unrelated_sources": round(on_unrelated / max(1, passages), 4),
    }
    print(json.dumps(figures, ensure_ascii=False))
    if args.out:
        Path(args.out).write_text(json.dumps({"figures": figures, "pairs": rows}, ensure_ascii=False, indent=1) + "\n")


if __name__ == "__main__":
    main()
