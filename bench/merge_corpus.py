"""What the merge detector finds on the corpus: clusters per issuing body, with and without
document embeddings, and the pairs only the embeddings found (to read, not to score).

    python bench/merge_corpus.py --corpus ../shared/corpus [--out bench/merge_corpus.json]

The corpus has no merge truth; the figures are counts and examples for a reader.
"""
from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from services.analyzer import merge  # noqa: E402
from services.analyzer.semantic import SemanticLayer  # noqa: E402
from services.common.errors import DraftctlError  # noqa: E402
from services.ingest.pipeline import parse  # noqa: E402


def profiles_by_body(corpus: Path) -> dict[str, list[merge.Profile]]:
    out: dict[str, list[merge.Profile]] = defaultdict(list)
    for number, line in enumerate((corpus / "metadata.jsonl").read_text(encoding="utf-8").splitlines()):
        meta = json.loads(line)
        path = corpus / "docs" / f"{meta['id']}.txt"
        if not path.exists():
            continue
        try:
            parsed = parse(path.read_bytes(), path.name, with_sentences=False)
        except DraftctlError:
            continue
        out[meta.get("issuing_body") or "?"].append(merge.profile(
            document_id=number, text=parsed.text, parsed=parsed.to_json(include_text=False),
            reference=meta.get("so_ky_hieu"), doc_type=meta.get("doc_type"), issued_on=meta.get("date"),
            subject=meta.get("title")))
    return out


def summary(pools: dict[str, list[merge.Profile]], thresholds: merge.Thresholds) -> dict:
    found = {body: merge.clusters(pool, thresholds=thresholds) for body, pool in pools.items()}
    every = [c for cs in found.values() for c in cs]
    return {"clusters": len(every), "documents": sum(len(c.documents) for c in every),
            "with_duplicates": sum(any(p.relation == "duplicate" for p in c.pairs) for c in every),
            "largest": max((len(c.documents) for c in every), default=0),
            "pairs": {frozenset((p.a, p.b)) for c in every for p in c.pairs}}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", type=Path, required=True)
    ap.add_argument("--out", type=Path)
    args = ap.parse_args()
    pools = profiles_by_body(args.corpus)
    lexical = summary(pools, merge.Thresholds(same_topic_semantic=2.0))  # the embedding rule never fires
    every = [p for pool in pools.values() for p in pool]
    merge.embed(every, SemanticLayer.default().embedder)
    both = summary(pools, merge.Thresholds())
    by_id = {p.document_id: p for p in every}
    added = []
    bar = merge.Thresholds().same_topic_semantic
    for pair in both["pairs"] - lexical["pairs"]:
        a, b = (by_id[i] for i in sorted(pair))
        if float(a.vector @ b.vector) < bar:
            continue  # paired before too, and now in a cluster the embeddings joined
        added.append({"a": [a.reference, a.subject[:90]], "b": [b.reference, b.subject[:90]],
                      "cosine": round(float(a.vector @ b.vector), 3)})
    result = {"documents": len(every), "bodies": len(pools),
              "without_embeddings": {k: v for k, v in lexical.items() if k != "pairs"},
              "with_embeddings": {k: v for k, v in both.items() if k != "pairs"},
              "pairs_only_embeddings_found": sorted(added, key=lambda x: -x["cosine"])}
    text = json.dumps(result, ensure_ascii=False, indent=1, default=str)
    print(text)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
