"""Copy detection for one draft against the directive index: the analyzer's entry point.

Takes a ParsedDocument (never a request or a row) and returns a DraftReport.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from services.analyzer import align, edges, exclusions, sentences
from services.analyzer.index import DirectiveIndex, IndexedDocument
from services.analyzer.shards import Ask, LocalShard, Seeded, ask_local, best_seeded
from services.analyzer.report import DraftReport, Thresholds, build
from services.analyzer.tokens import sentence_bounds, tokenize
from services.ingest.document import ParsedDocument


SEMANTIC_SOURCES = 5  # directives the semantic layer looks into per draft


@dataclass
class DetectParams:
    align: align.AlignParams = field(default_factory=align.AlignParams)
    thresholds: Thresholds = field(default_factory=Thresholds)
    semantic: bool = True
    sentences: bool = True  # the bag-of-words sentence layer (heavily edited copying)
    edges: bool = True  # passages taken to the edges of the sentences they cut, where alike
    # Directives aligned per draft, those whose seeds hold the most evidence of reuse first:
    # the cost of a check follows the draft, not the registry. In the 219-directive corpus
    # registry every passage of its 39 drafts comes from the first 33, but three stock
    # closing formulas ("… chịu trách nhiệm thi hành Quyết định này", ranks 85-108); the
    # dev set, PAN and the implementing bench give the same figures as with no bound.
    max_sources: int = 64


def analysis_tokens(parsed: ParsedDocument, *, as_source: bool):
    """Tokens with the right exclusions, and sentence bounds, of a directive or a draft."""
    spans = exclusions.source_spans(parsed) if as_source else exclusions.excluded_spans(parsed)
    tokens = tokenize(parsed, spans)
    return tokens, sentence_bounds(parsed, tokens)


def index_document(index: DirectiveIndex, *, key: str, parsed: ParsedDocument, level_rank: int = 0) -> int:
    """Add a directive (its content, without its own header and footer) to the index."""
    tokens, sentences = analysis_tokens(parsed, as_source=True)
    meta = {"reference": parsed.metadata.reference, "doc_type": parsed.metadata.doc_type, "sentences": sentences}
    return index.add(IndexedDocument(key=key, tokens=tokens, level_rank=level_rank, meta=meta))


def detect(
    parsed: ParsedDocument, index: DirectiveIndex, *, key: str, params: DetectParams | None = None,
    allowed: set[int] | None = None, semantic=None,
) -> DraftReport:
    """Passages of `parsed` that repeat directives of the index (`allowed` restricts which)."""
    return detect_over(ask_local([LocalShard(index)]), parsed, key=key, params=params, allowed=allowed,
                       semantic=semantic)


def _nobody(round_name: str, **question) -> list:
    return []


def detect_over(
    ask: Ask, parsed: ParsedDocument, *, key: str, params: DetectParams | None = None,
    allowed: set[int] | None = None, semantic=None,
) -> DraftReport:
    """Passages of `parsed` that repeat directives of a registry whose shards `ask` reaches
    (`allowed`: registry numbers of the directives to check against; None, all). Each
    round's answers are merged as one index holding every directive would give them
    (`shards`), so the report does not depend on how the registry is split."""
    params = params or DetectParams()
    if allowed is not None and not allowed:  # nothing to check against: no shard is asked
        ask = _nobody
    sentence_params = sentences.SentenceParams()
    tokens = tokenize(parsed, exclusions.excluded_spans(parsed))
    draft_sentences = sentence_bounds(parsed, tokens)

    # 1. Shingle seeds: the directives with the most evidence of reuse are aligned.
    answers = ask("lexical", draft=tokens, cited=sorted({c.reference for c in parsed.citations if c.reference}),
                  allowed=allowed, max_sources=params.max_sources, params=params.align)
    seeded = [s for a in answers for s in a.seeded]
    found_by = {no: found for a in answers for no, found in a.passages.items()}
    best = best_seeded(seeded, params.max_sources)
    found = [p for s in sorted(best, key=lambda s: (s.first, s.no)) for p in found_by[s.no]]
    cited = {s.no for s in seeded if s.cited}
    passages = align.resolve_overlaps(found, cited)

    # 2. Sentences as bags of words: heavily edited copying, where few shingles survive; and
    # the semantic layer's candidates, the directives the draft shares most rare seeds with.
    units = sentences.units_to_search(tokens, draft_sentences, passages, sentence_params) if params.sentences else []
    semantic_on = semantic is not None and params.semantic
    candidates = [s.no for s in sorted((s for s in seeded if s.rare >= 2), key=lambda s: (-s.rare, s.first, s.no))
                  ][:SEMANTIC_SOURCES] if semantic_on else []
    searched = semantic.sentences_to_search(draft_sentences, tokens, passages) if candidates else []
    unit_matches: list = []
    semantic_matches: dict = {}
    if units or searched:
        answers = ask("sentences", draft=tokens, units=[(a, b) for _, a, b in units], semantic=searched,
                      candidates=candidates, aligned=sorted(s.no for s in best), allowed=allowed,
                      params=sentence_params)
        unit_matches = [sentences.merge_matches([a.units[i] for a in answers]) for i in range(len(units))]
        semantic_matches = {span: sentences.merge_matches([a.semantic[i] for a in answers])
                            for i, span in enumerate(searched)}
    chosen = []  # (unit, its span, its best match), in the draft's order
    for (k, a, b), found_here in zip(units, unit_matches):
        match = sentences.best_match(found_here, sentence_params)
        if match is not None:
            chosen.append((k, (a, b), match))
    chosen = sentences.settle_repeats(chosen, {k: found for (k, _, _), found in zip(units, unit_matches)})

    # 3. The sentence layer's passages, made where the matched directives are.
    weak: list[align.Passage] = []
    if params.sentences and chosen:
        grouped = {no: found for a in ask("grouped", draft=tokens, matches=chosen, params=sentence_params)
                   for no, found in a.items()}
        edited = [p for no in dict.fromkeys(m.no for _, _, m in chosen) for p in grouped.get(no, [])]
        weak = [p for p in edited if p.kind == align.WEAK]
        passages = align.resolve_overlaps(passages + [p for p in edited if p.kind != align.WEAK], cited)
    if semantic_on:
        passages = semantic.extend(sentences=draft_sentences, tokens=tokens, passages=passages,
                                   matches=semantic_matches)

    # 4. The directives of the passages, to finish here.
    documents = {}
    needed = sorted({p.source_no for p in passages})
    if needed:
        for answer in ask("documents", numbers=needed):
            documents.update(answer)
    sources = {p.source_no: documents[p.source_no].tokens for p in passages}
    # Merging can grow a passage over one that another directive explains less well.
    passages = align.resolve_overlaps(align.merge_adjacent(passages, tokens, sources, params.align), cited)
    if params.edges:
        source_sentences = {src: documents[src].sentences for src in sources}
        passages = edges.extend_to_sentences(passages, tokens, draft_sentences, sources, source_sentences)
        passages = edges.take_moved_sentences(passages, tokens, draft_sentences, sources, source_sentences)
    # Pieces that count only inside a summary, where nothing else was found.
    taken = align.covered(passages, len(tokens))
    pieces = [p for p in weak if not taken[p.d_start:p.d_end].any()]
    # (a run of pieces joins only with a passage of its directive: `sources` holds it)
    passages = align.join_condensed(passages + pieces, tokens, sources, params.align)
    return build(draft_key=key, parsed=parsed, tokens=tokens, passages=passages, documents=documents,
                 thresholds=params.thresholds)
