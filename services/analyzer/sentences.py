"""Sentence seeds: copying edited too heavily for shingles to survive.

Where a third of the words are swapped, dropped or replaced, few five-token shingles are
left, but a sentence still holds most of its words. Here each draft sentence that no
lexical passage covers is compared, as a bag of words weighted by rarity (tf-idf, the
directive's own sentences being the documents), with the sentences of the directives the
draft shares most seeds with. A pair counts when both its cosine and the Dice overlap of
its word sets are high. Pairs in order in both texts are grouped into passages, and a
passage needs two aligned sentences or one long and close one: one shared sentence of
common wording is not copying.

Words, not language rules: Vietnamese syllables and English words alike.
"""
from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz

from services.analyzer.align import Passage, classify, lexical_similarity
from services.analyzer.index import DirectiveIndex
from services.analyzer.tokens import TokenSeq


@dataclass
class SentenceParams:
    min_tokens: int = 6  # shorter sentences (a heading, a list label) say too little
    min_cosine: float = 0.4  # tf-idf cosine of an aligned pair
    min_dice: float = 0.4  # and the share of distinct words the two hold in common
    single_tokens: int = 15  # one aligned sentence is a passage when this long …
    single_cosine: float = 0.8  # … and this close
    min_lexical: float = 0.55  # character similarity of the whole passage (rapidfuzz ratio)
    min_sorted_lexical: float = 0.65  # or the same of the words sorted (moved words)
    max_draft_gap: int = 1  # draft sentences a passage may step over
    max_source_gap: int = 3  # directive sentences between aligned ones of a passage
    common_share: float = 0.2  # words in more of a directive's sentences do not select pairs


@dataclass
class SentenceTable:
    """Every sentence of the index's directives as a weighted bag of words, with postings
    from word to sentences. Weights are idf over all these sentences, so a report depends
    on the draft and the registry alone. Built once per state of the index."""

    doc: np.ndarray  # directive number of each sentence
    spans: list[tuple[int, int]]  # its token range in that directive
    bags: list[dict[int, int]]  # word id -> count
    norms: np.ndarray
    idf: np.ndarray  # per word id
    vocabulary: dict[str, int]
    postings: list[np.ndarray | None]  # word id -> sentence numbers; None for common words
    unseen: float  # the weight of a word no directive uses


def table(index: DirectiveIndex, params: SentenceParams) -> SentenceTable:
    cached = getattr(index, "_sentence_table", None)
    if cached is not None and cached[0] == len(index.documents):
        return cached[1]
    vocabulary: dict[str, int] = {}
    docs, spans, bags = [], [], []
    for doc_no, document in enumerate(index.documents):
        tokens = document.tokens
        for a, b in document.meta.get("sentences") or []:
            bag = _bag(tokens, a, b)
            if sum(bag.values()) >= params.min_tokens:
                docs.append(doc_no)
                spans.append((a, b))
                bags.append({vocabulary.setdefault(w, len(vocabulary)): c for w, c in bag.items()})
    n = len(bags)
    df = np.zeros(len(vocabulary), dtype=np.int64)
    for bag in bags:
        df[list(bag)] += 1
    idf = np.log((n + 1) / (df + 0.5))
    members: list[list[int]] = [[] for _ in vocabulary]
    for i, bag in enumerate(bags):
        for w in bag:
            members[w].append(i)
    common = max(8, int(params.common_share * n))
    postings = [np.asarray(m, dtype=np.int32) if len(m) <= common else None for m in members]
    norms = np.asarray([math.sqrt(sum((c * idf[w]) ** 2 for w, c in bag.items())) for bag in bags])
    built = SentenceTable(np.asarray(docs, dtype=np.int32), spans, bags, norms, idf, vocabulary, postings,
                          float(np.log((n + 1) / 0.5)))
    index._sentence_table = (len(index.documents), built)  # derived, never stored
    return built


def _bag(tokens: TokenSeq, a: int, b: int) -> Counter:
    return Counter(w for w, x in zip(tokens.words[a:b], tokens.excluded[a:b].tolist()) if not x)


def passages(
    draft: TokenSeq, draft_sents: list[tuple[int, int]], index: DirectiveIndex, existing: list[Passage],
    allowed: set[int] | None = None, params: SentenceParams | None = None,
) -> list[Passage]:
    """Passages of the draft's uncovered sentences copied, heavily edited, from directives
    of the index (`allowed` restricts which)."""
    params = params or SentenceParams()
    t = table(index, params)
    if not t.spans:
        return []
    covered = np.zeros(len(draft), dtype=bool)
    for q in existing:
        covered[q.d_start:q.d_end] = True
    mask = None if allowed is None else np.isin(t.doc, np.fromiter(allowed, dtype=np.int32, count=len(allowed)))
    by_source: dict[int, list[tuple[int, int, float]]] = {}
    spans = {}
    for k, (a, b) in enumerate(draft_sents):
        if covered[a:b].mean() >= 0.5:
            continue
        bag = _bag(draft, a, b)
        if sum(bag.values()) < params.min_tokens:
            continue
        best = _best_match(bag, t, mask, params)
        if best is not None:
            s, cosine = best
            spans[k] = (a, b)
            by_source.setdefault(int(t.doc[s]), []).append((k, s, cosine))
    out: list[Passage] = []
    for src, aligned in by_source.items():
        out.extend(_group(aligned, spans, t, src, draft, index.documents[src].tokens, params))
    return out


CANDIDATES = 8  # directive sentences scored exactly per draft sentence


def _best_match(bag: Counter, t: SentenceTable, mask, params: SentenceParams) -> tuple[int, float] | None:
    """The directive sentence closest to this bag, with its cosine, if close enough."""
    ids = {t.vocabulary[w]: c for w, c in bag.items() if w in t.vocabulary}
    weights = {w: c * t.idf[w] for w, c in ids.items()}
    norm = math.sqrt(sum(v * v for v in weights.values()) + sum(
        (c * t.unseen) ** 2 for w, c in bag.items() if w not in t.vocabulary))
    scores = np.zeros(len(t.spans))
    for w, weight in weights.items():
        hits = t.postings[w]
        if hits is not None:
            scores[hits] += weight * t.idf[w]
    if mask is not None:
        scores[~mask] = 0
    scores /= np.maximum(t.norms, 1e-9)
    top = np.argpartition(-scores, min(CANDIDATES, len(scores) - 1))[:CANDIDATES]
    words = set(ids)
    n_words = len(bag)
    best = None
    for s in top[scores[top] > 0].tolist():
        other = t.bags[s]
        shared = words & other.keys()
        dice = 2 * len(shared) / (n_words + len(other))
        if dice < params.min_dice:
            continue
        cosine = sum(weights[w] * other[w] * t.idf[w] for w in shared) / (norm * t.norms[s] or 1.0)
        if cosine >= params.min_cosine and (best is None or cosine > best[1]):
            best = (s, cosine)
    return best


def _word_order_free(draft: TokenSeq, source: TokenSeq, p: Passage) -> float:
    """Character similarity of the two spans' words put in order: heavy editing moves words
    around, which plain character similarity punishes as if they were changed."""
    return fuzz.token_sort_ratio(" ".join(draft.words[p.d_start:p.d_end]),
                                 " ".join(source.words[p.s_start:p.s_end])) / 100.0


def _group(aligned, sents: dict[int, tuple[int, int]], t: SentenceTable, src: int, draft: TokenSeq,
           source: TokenSeq, params: SentenceParams) -> list[Passage]:
    """Aligned sentences in order in both texts, as passages."""
    out: list[Passage] = []
    group: list[tuple[int, int, float]] = []

    def flush():
        if not group:
            return
        d_tokens = sum(sents[i][1] - sents[i][0] for i, _, _ in group)
        alone = d_tokens >= params.single_tokens and max(c for _, _, c in group) >= params.single_cosine
        if len({s for _, s, _ in group}) >= 2 or alone:
            s_ranges = [t.spans[s] for _, s, _ in group]
            p = Passage(src, sents[group[0][0]][0], sents[group[-1][0]][1],
                        min(a for a, _ in s_ranges), max(b for _, b in s_ranges), seeds=len(group))
            p.lexical = lexical_similarity(draft, source, p)
            if p.lexical >= params.min_lexical or _word_order_free(draft, source, p) >= params.min_sorted_lexical:
                p.kind = classify(p.lexical)
                out.append(p)
        group.clear()

    for i, s, cosine in aligned:
        if group:
            last_i, _, _ = group[-1]
            lo, hi = min(g[1] for g in group), max(g[1] for g in group)
            if i - last_i > params.max_draft_gap + 1 or s < lo - params.max_source_gap or s > hi + params.max_source_gap:
                flush()
        group.append((i, s, cosine))
    flush()
    return out
