"""Passage edges: a passage is taken out to the edges of the sentences it cuts, and on
over whole sentences before and after it, while the draft's text there is a copy of the
directive's text there too; then its directive span is taken over the directive's
sentences next to it that the draft span holds, moved.

Seeds stop where the last unedited phrase stops: in heavily edited copying the first
and last words of a copied sentence are often changed, shuffled or dropped, and a
sentence edited throughout leaves no seed at all, so a passage found from its seeds
starts late and ends early, in both texts. At each edge the piece of the draft beyond
the passage (to the sentence edge, or the next whole sentence) is compared with the
directive's piece at the same edge, as bags of words (Dice over words, as the sentence
layer does): when they share enough words, both edges move. A sentence of the drafter's
own shares few words with the directive's next sentence and stops the passage. Words,
not language rules: Vietnamese syllables and English words alike.

Heavy editing also moves sentences: the draft gives the directive's second sentence, then
its first. The passage then holds both in the draft but only one in the directive, and the
directive's sentence before it (or after it) is made of the words of the draft span that
the directive span does not explain. It is taken when those words carry most of its weight,
each word weighed by how few sentences of the two texts hold it (an "of" or a "của" weighs
little).
"""
from __future__ import annotations

import math
from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass

from services.analyzer.align import Passage, classify, lexical_similarity
from services.analyzer.tokens import TokenSeq


@dataclass(frozen=True)
class EdgeParams:
    min_dice: float = 0.35  # shared words of the two outside pieces, as a Dice coefficient
    max_piece: int = 80  # tokens of an outside piece
    max_sentences: int = 3  # sentences taken on at each edge
    min_shared: int = 3  # words a whole sentence taken on shares with the directive's
    max_ratio: float = 3.0  # the longer piece at most this many times the shorter (+1)
    moved_held: float = 0.4  # a directive sentence beside the span, moved in the draft: the
    # share of its weight the draft span's unexplained words hold, …
    moved_shared: int = 3  # … and how many of its words they hold at least
    moved_sentences: int = 2  # sentences taken so at each edge


def _containing(bounds: list[tuple[int, int]], starts: list[int], pos: int) -> tuple[int, int] | None:
    i = bisect_right(starts, pos) - 1
    if i >= 0 and bounds[i][0] <= pos < bounds[i][1]:
        return bounds[i]
    return None


def _clean(tokens: TokenSeq, a: int, b: int, toward_start: bool) -> int:
    """The outer edge of the piece [a, b) (its start when `toward_start`, else its end),
    moved in past excluded tokens that reach that edge: a citation or a heading is never
    taken, a quotation inside the sentence is stepped over."""
    if toward_start:
        if a < b and tokens.excluded[a]:
            for i in range(b - 1, a - 1, -1):
                if tokens.excluded[i]:
                    return i + 1
        return a
    if a < b and tokens.excluded[b - 1]:
        for i in range(a, b):
            if tokens.excluded[i]:
                return i
    return b


def _similar(d_piece: list[str], s_piece: list[str], params: EdgeParams, whole: bool) -> bool:
    """Two pieces alike: about as long, and sharing enough of their words (Dice); a whole
    sentence beyond the passage must also share a few words, not a title's two."""
    n, m = len(d_piece), len(s_piece)
    if not n or not m or max(n, m) > params.max_piece or max(n, m) > params.max_ratio * min(n, m) + 1:
        return False
    shared = sum((Counter(d_piece) & Counter(s_piece)).values())
    return 2 * shared / (n + m) >= params.min_dice and (not whole or shared >= params.min_shared)


def _step(draft: TokenSeq, source: TokenSeq, d_piece: tuple[int, int], s_piece: tuple[int, int],
          params: EdgeParams, whole: bool, toward_start: bool) -> tuple[tuple[int, int], bool] | None:
    """The passage's new edge (draft, directive) over these two pieces beside it, and whether
    a piece was trimmed; None when they are not alike.

    Sentences are not cut alike in the two texts (a list run into one line, a sentence the
    draft splits), so when the whole pieces differ, the longer one is trimmed to the
    shorter's length on the passage's side: the copy may begin inside a longer sentence.
    A trimmed piece is taken only when it shares a few words too, and ends the walk.
    """
    (da, db), (sa, sb) = d_piece, s_piece
    if _similar(draft.kept_words(da, db), source.kept_words(sa, sb), params, whole):
        return ((da, sa) if toward_start else (db, sb)), False
    n, m = db - da, sb - sa
    if n > m:
        da, db = (db - m, db) if toward_start else (da, da + m)
    elif m > n:
        sa, sb = (sb - n, sb) if toward_start else (sa, sa + n)
    else:
        return None
    if _similar(draft.kept_words(da, db), source.kept_words(sa, sb), params, whole=True):
        return ((da, sa) if toward_start else (db, sb)), True
    return None


def extend_to_sentences(
    passages: list[Passage], draft: TokenSeq, draft_sentences: list[tuple[int, int]],
    sources: dict[int, TokenSeq], source_sentences: dict[int, list[tuple[int, int]]],
    params: EdgeParams | None = None,
) -> list[Passage]:
    """Move each passage's edges out to the edges of the sentences they cut, and over whole
    sentences beyond, in both texts, while the pieces outside are alike; never over another
    passage, nor over excluded text at a sentence's edge (a citation, a heading)."""
    params = params or EdgeParams()
    d_starts = [a for a, _ in draft_sentences]
    d_first, d_ends = set(d_starts), {b for _, b in draft_sentences}
    s_starts = {src: [a for a, _ in sents] for src, sents in source_sentences.items()}
    ordered = sorted(passages, key=lambda q: q.d_start)
    for i, p in enumerate(ordered):
        before = (p.d_start, p.d_end)
        source, s_bounds = sources[p.source_no], source_sentences.get(p.source_no) or []
        s_list = s_starts.get(p.source_no, [])
        s_first, s_ends = set(s_list), {b for _, b in s_bounds}
        lower = ordered[i - 1].d_end if i > 0 else 0
        upper = ordered[i + 1].d_start if i + 1 < len(ordered) else len(draft)
        for toward_start in (True, False):
            for _ in range(params.max_sentences):
                if toward_start:  # the sentences before the passage's first token, in each text
                    d_sent = _containing(draft_sentences, d_starts, p.d_start - (p.d_start in d_first))
                    s_sent = _containing(s_bounds, s_list, p.s_start - (p.s_start in s_first))
                    if not (d_sent and s_sent) or d_sent[0] < lower:
                        break
                    d_piece = (_clean(draft, d_sent[0], p.d_start, toward_start=True), p.d_start)
                    s_piece = (_clean(source, s_sent[0], p.s_start, toward_start=True), p.s_start)
                    whole = p.d_start in d_first and p.s_start in s_first
                else:  # the sentences after its last token
                    d_sent = _containing(draft_sentences, d_starts, p.d_end)
                    s_sent = _containing(s_bounds, s_list, p.s_end)
                    if not (d_sent and s_sent) or d_sent[1] > upper:
                        break
                    d_piece = (p.d_end, _clean(draft, p.d_end, d_sent[1], toward_start=False))
                    s_piece = (p.s_end, _clean(source, p.s_end, s_sent[1], toward_start=False))
                    whole = p.d_end in d_ends and p.s_end in s_ends
                step = _step(draft, source, d_piece, s_piece, params, whole, toward_start)
                if step is None:
                    break
                (d_edge, s_edge), trimmed = step
                if toward_start:
                    p.d_start, p.s_start = d_edge, s_edge
                else:
                    p.d_end, p.s_end = d_edge, s_edge
                if trimmed:
                    break
        if (p.d_start, p.d_end) != before:
            p.lexical = lexical_similarity(draft, source, p)
            if p.kind in ("verbatim", "near"):
                p.kind = classify(p.lexical)
    return ordered


def _sentences_holding(tokens: TokenSeq, bounds: list[tuple[int, int]]) -> Counter:
    """How many of these sentences hold each word."""
    held = Counter()
    for a, b in bounds:
        held.update(set(tokens.kept_words(a, b)))
    return held


def _rarity(drafted: Counter, draft_count: int, source: TokenSeq, source_sentences: list[tuple[int, int]]):
    """A word's weight by how few of the two texts' sentences hold it (idf): the passage's
    own texts say which words are common, in any language. `drafted`: the draft's figures
    (`_sentences_holding`), over `draft_count` sentences."""
    held = drafted + _sentences_holding(source, source_sentences)
    n = draft_count + len(source_sentences)
    return lambda word: math.log((n + 1) / (held[word] + 0.5))


def _weighed(words: Counter, weight) -> float:
    return sum(weight(w) * n for w, n in words.items())


def take_moved_sentences(
    passages: list[Passage], draft: TokenSeq, draft_sentences: list[tuple[int, int]],
    sources: dict[int, TokenSeq], source_sentences: dict[int, list[tuple[int, int]]],
    params: EdgeParams | None = None,
) -> list[Passage]:
    """Take each passage's directive span over the directive's sentences before and after
    it (at most `moved_sentences` at each edge) that the words of the draft span the
    directive span does not explain hold: sentences the draft moved inside the passage."""
    params = params or EdgeParams()
    rarity = {}  # per directive, made when a sentence beside a span first shares enough words
    draft_held = []

    def weight_of(source_no: int):
        if source_no not in rarity:
            if not draft_held:
                draft_held.append(_sentences_holding(draft, draft_sentences))
            rarity[source_no] = _rarity(draft_held[0], len(draft_sentences), sources[source_no],
                                        source_sentences[source_no])
        return rarity[source_no]

    for p in passages:
        source, s_bounds = sources[p.source_no], source_sentences.get(p.source_no) or []
        if not s_bounds:
            continue
        s_list = [a for a, _ in s_bounds]
        drafted = Counter(draft.kept_words(p.d_start, p.d_end))
        before = (p.s_start, p.s_end)
        for toward_start in (True, False):
            for _ in range(params.moved_sentences):
                if toward_start:  # the directive's sentence (or its rest) before the span
                    sent = _containing(s_bounds, s_list, p.s_start - 1)
                    piece = sent and (_clean(source, sent[0], p.s_start, toward_start=True), p.s_start)
                else:  # after it
                    sent = _containing(s_bounds, s_list, p.s_end)
                    piece = sent and (p.s_end, _clean(source, p.s_end, sent[1], toward_start=False))
                if not piece or piece[0] >= piece[1]:
                    break
                words = Counter(source.kept_words(*piece))
                shared = words & (drafted - Counter(source.kept_words(p.s_start, p.s_end)))
                if sum(shared.values()) < params.moved_shared:
                    break
                weight = weight_of(p.source_no)
                total = _weighed(words, weight)
                if not total or _weighed(shared, weight) < params.moved_held * total:
                    break
                if toward_start:
                    p.s_start = piece[0]
                else:
                    p.s_end = piece[1]
        if (p.s_start, p.s_end) != before:
            p.lexical = lexical_similarity(draft, source, p)
            if p.kind in ("verbatim", "near"):
                p.kind = classify(p.lexical)
    return passages
