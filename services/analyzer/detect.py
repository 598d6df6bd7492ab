"""Copy detection for one draft against the directive index: the analyzer's entry point.

Takes a ParsedDocument (never a request or a row) and returns a DraftReport.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from services.analyzer import align, edges, exclusions, sentences
from services.analyzer.index import DirectiveIndex, IndexedDocument
from services.analyzer.report import DraftReport, Thresholds, build
from services.analyzer.tokens import sentence_bounds, tokenize
from services.ingest.document import ParsedDocument


SEMANTIC_SOURCES = 5  # directives the semantic layer looks into per draft
EVIDENCE_WINDOW = 100  # draft tokens over which a directive's seeds are weighed to rank it


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


def cited_sources(parsed: ParsedDocument, index: DirectiveIndex, candidates) -> set[int]:
    """The candidate directives the draft cites by số ký hiệu (both read by one parser)."""
    refs = {c.reference for c in parsed.citations if c.reference}
    return {i for i in candidates if index.documents[i].meta.get("reference") in refs}


def detect(
    parsed: ParsedDocument, index: DirectiveIndex, *, key: str, params: DetectParams | None = None,
    allowed: set[int] | None = None, semantic=None,
) -> DraftReport:
    """Passages of `parsed` that repeat directives of the index (`allowed` restricts which)."""
    params = params or DetectParams()
    tokens = tokenize(parsed, exclusions.excluded_spans(parsed))
    found = []
    all_seeds = index.seeds(tokens, allowed=allowed)
    aligned = set(align.by_evidence(all_seeds, EVIDENCE_WINDOW)[:params.max_sources])
    for source_no, seeds in all_seeds.items():
        if source_no not in aligned:
            continue
        source = index.documents[source_no].tokens
        found.extend(align.passages_for_source(tokens, source, source_no, seeds, params.align))
    cited = cited_sources(parsed, index, all_seeds)
    passages = align.resolve_overlaps(found, cited)
    draft_sentences = sentence_bounds(parsed, tokens)
    weak: list[align.Passage] = []
    if params.sentences:
        # Heavily edited copying, where few shingles survive: sentences as bags of words.
        edited = sentences.passages(tokens, draft_sentences, index, passages, allowed=allowed)
        weak = [p for p in edited if p.kind == align.WEAK]
        passages = align.resolve_overlaps(passages + [p for p in edited if p.kind != align.WEAK], cited)
    if semantic is not None and params.semantic:
        # The directives the draft shares most rare seeds with are the candidates for paraphrase.
        rare = {s: int((seeds[:, 2] == 0).sum()) for s, seeds in all_seeds.items()}
        ranked = sorted((s for s, n in rare.items() if n >= 2), key=lambda s: -rare[s])
        candidates = set(ranked[:SEMANTIC_SOURCES])
        passages = semantic.extend(sentences=draft_sentences, tokens=tokens, index=index, passages=passages,
                                   candidates=candidates, allowed=allowed)
    sources = {p.source_no: index.documents[p.source_no].tokens for p in passages}
    # Merging can grow a passage over one that another directive explains less well.
    passages = align.resolve_overlaps(align.merge_adjacent(passages, tokens, sources, params.align), cited)
    if params.edges:
        passages = edges.extend_to_sentences(
            passages, tokens, draft_sentences, sources,
            {src: index.documents[src].sentences for src in sources})
    # Pieces that count only inside a summary, where nothing else was found.
    taken = align.covered(passages, len(tokens))
    pieces = [p for p in weak if not taken[p.d_start:p.d_end].any()]
    sources.update({p.source_no: index.documents[p.source_no].tokens for p in pieces})
    passages = align.join_condensed(passages + pieces, tokens, sources, params.align)
    return build(draft_key=key, parsed=parsed, tokens=tokens, passages=passages, index=index,
                 thresholds=params.thresholds)
