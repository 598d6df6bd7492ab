"""Merge candidates (Kết luận 226-KL/TW: "tích hợp, hợp nhất nội dung các văn bản có liên quan").

Two documents of the same agency, issued within a window of each other, are candidates
when they implement the same parent document (a directive they both cite that is not
common to the agency's other documents; shared laws and decrees are legal bases, not parents) or treat the same subject (subject-line similarity and
content containment both ways, on word 5-gram shingles of the body, header and footer
left out; and document embeddings: e5 vectors of each document's subject and opening
lines, which find the same subject worded differently). Near-identical documents
(containment both ways ≥ 0.75) are flagged as duplicates: a re-send. A văn bản hợp nhất
repeats the documents it consolidates by design and is never a candidate. Pairs become
clusters by average linkage: two groups join only when most of their members pair up, so
one document related to two unrelated ones does not chain them together.

Everything is read from the stored rows (text, parse), so no document is parsed again.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

import numpy as np
from rapidfuzz import fuzz

from services.ingest import references
from services.ingest.normalize import comparison_key

SHINGLE = 5
WINDOW_DAYS = 90
LEAD_CHARS = 400  # of the body, after the subject, in the text a document is embedded by
_WORD = re.compile(r"\w+")
_SUBJECT_LEAD = re.compile(r"^\s*(v/v|về việc|về|v/v:)\s*", re.IGNORECASE)
_GENERIC_RECIPIENTS = re.compile(r"^(như trên|lưu|vt|lưu vt|lưu: vt)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Thresholds:
    duplicate_containment: float = 0.75  # both ways
    topic_containment: float = 0.4  # one way: a document largely contained in another
    parent_containment: float = 0.15  # content overlap, with a shared parent document
    parent_subject: float = 0.6  # or subject similarity and some content overlap, with a shared parent
    parent_subject_containment: float = 0.05
    same_subject: float = 0.85  # subject similarity alone needs content overlap too
    same_subject_containment: float = 0.1
    common_citation_share: float = 0.5  # a citation in more than half the pool is a legal basis, not a parent
    # Embeddings of subject and opening lines: e5 puts most texts of one domain above 0.85,
    # so the bar is high and needs some word-level support too.
    same_topic_semantic: float = 0.95
    same_topic_subject: float = 0.5  # … with subjects this alike
    same_topic_containment: float = 0.1  # … or this much shared content
    linkage: float = 0.5  # two groups join when more than this share of their member pairs pair up


@dataclass
class Profile:
    """What merge detection needs of one document."""

    document_id: int
    reference: str | None
    doc_type: str | None
    day: date | None
    subject: str
    citations: frozenset[str]
    parents: frozenset[str]  # the citations that can be a parent: not laws or decrees (no year segment)
    recipients: frozenset[str]
    shingles: frozenset[int]
    kind: str = "issued"
    lead: str = ""  # subject and opening lines: what the document embedding is of
    vector: np.ndarray | None = None  # unit vector of `lead`, when an embedder is given

    @property
    def consolidated(self) -> bool:
        """A văn bản hợp nhất: it repeats the documents it consolidates by design."""
        return "hợp nhất" in (self.doc_type or "").lower() or "VBHN" in (self.reference or "").upper()


@dataclass
class Evidence:
    a: int
    b: int
    relation: str  # "duplicate" or "merge"
    shared_citations: list[str]
    subject_similarity: float
    containment_ab: float  # share of a's shingles found in b
    containment_ba: float
    date_gap_days: int | None
    recipients_in_common: list[str]
    semantic_similarity: float | None = None  # cosine of the document embeddings
    suggestion: str = ""

    def to_json(self) -> dict:
        return {"documents": [self.a, self.b], "relation": self.relation, "shared_citations": self.shared_citations,
                "subject_similarity": round(self.subject_similarity, 3),
                "semantic_similarity": None if self.semantic_similarity is None else round(self.semantic_similarity, 3),
                "containment": [round(self.containment_ab, 3), round(self.containment_ba, 3)],
                "date_gap_days": self.date_gap_days, "recipients_in_common": self.recipients_in_common,
                "suggestion": self.suggestion}


def _day(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text and len(text) == 10 else None
    except ValueError:
        return None


def _shingles(text: str) -> frozenset[int]:
    words = _WORD.findall(comparison_key(text).lower())
    return frozenset(hash(" ".join(words[i:i + SHINGLE])) for i in range(len(words) - SHINGLE + 1))


def profile(*, document_id: int, text: str, parsed: dict | None, reference: str | None = None,
            doc_type: str | None = None, issued_on: str | None = None, subject: str | None = None,
            kind: str = "issued") -> Profile:
    """A profile from a stored document: its text as submitted and its parse (as JSON)."""
    parsed = parsed or {}
    metadata = parsed.get("metadata") or {}
    blocks = parsed.get("blocks") or {}
    start = blocks["header"][1] if blocks.get("header") else 0
    end = blocks["footer"][0] if blocks.get("footer") else len(text)
    body = text[start:end] + (" " + text[blocks["footer"][1]:] if blocks.get("footer") else "")
    own = comparison_key(reference or metadata.get("reference") or "").lower()
    cited = {comparison_key(c["reference"]).lower(): c["reference"] for c in parsed.get("citations", [])}
    cited = {key: raw for key, raw in cited.items() if key and key != own}
    # 175/2024/NĐ-CP has a year segment: a law or decree, a legal basis rather than a parent.
    parents = frozenset(key for key, raw in cited.items()
                        if not (ref := references.first_reference(raw)) or not ref.year)
    recipients = frozenset(r for r in (comparison_key(x).lower().strip(" ;.,:-–") for x in
                                       (metadata.get("recipients") or []) + (metadata.get("distribution") or []))
                           if r and not _GENERIC_RECIPIENTS.match(r))
    subject = _SUBJECT_LEAD.sub("", comparison_key(subject or metadata.get("subject") or "").lower())
    lead = " ".join(f"{subject} {text[start:end][:LEAD_CHARS * 2]}".split())[:len(subject) + 1 + LEAD_CHARS]
    return Profile(document_id=document_id, reference=reference or metadata.get("reference"),
                   doc_type=doc_type or metadata.get("doc_type"), day=_day(issued_on or metadata.get("date")),
                   subject=subject, citations=frozenset(cited), parents=parents, recipients=recipients,
                   shingles=_shingles(body), kind=kind, lead=lead)


def _containment(a: frozenset[int], b: frozenset[int]) -> tuple[float, float]:
    if not a or not b:
        return 0.0, 0.0
    common = len(a & b)
    return common / len(a), common / len(b)


def compare(a: Profile, b: Profile, *, common_citations: frozenset[str] = frozenset(),
            thresholds: Thresholds = Thresholds()) -> Evidence | None:
    """The evidence that `a` and `b` could be one document, or None."""
    if a.consolidated or b.consolidated:
        return None
    ab, ba = _containment(a.shingles, b.shingles)
    shared = sorted((a.citations & b.citations) - common_citations)
    # A parent is a directive the two implement; laws and decrees both cite are legal bases.
    parents = (a.parents & b.parents) - common_citations
    subject = fuzz.token_sort_ratio(a.subject, b.subject) / 100 if a.subject and b.subject else 0.0
    gap = abs((a.day - b.day).days) if a.day and b.day else None
    evidence = Evidence(a=a.document_id, b=b.document_id, relation="merge", shared_citations=shared,
                        subject_similarity=subject, containment_ab=ab, containment_ba=ba, date_gap_days=gap,
                        recipients_in_common=sorted(a.recipients & b.recipients))
    if a.vector is not None and b.vector is not None:
        evidence.semantic_similarity = float(a.vector @ b.vector)
    t = thresholds
    if min(ab, ba) >= t.duplicate_containment:
        evidence.relation = "duplicate"
        return evidence
    if max(ab, ba) >= t.topic_containment:
        return evidence
    if parents and (max(ab, ba) >= t.parent_containment
                   or (subject >= t.parent_subject and max(ab, ba) >= t.parent_subject_containment)):
        return evidence
    if subject >= t.same_subject and max(ab, ba) >= t.same_subject_containment:
        return evidence
    if (evidence.semantic_similarity or 0) >= t.same_topic_semantic and (
            subject >= t.same_topic_subject or max(ab, ba) >= t.same_topic_containment or parents):
        return evidence
    return None


def embed(profiles: list[Profile], embedder) -> None:
    """Attach the document embedding (of subject and opening lines) to each profile.

    `embedder` caches by text hash (CachedEmbedder), so a pool is embedded once."""
    todo = [p for p in profiles if p.vector is None and p.lead]
    if not todo or embedder is None:
        return
    for p, vector in zip(todo, embedder.embed([p.lead for p in todo])):
        p.vector = vector


def default_embedder():
    """The e5 embedder with the on-disk cache, or None when merge embeddings are off."""
    from services.common.settings import get_settings

    if not get_settings().merge_embeddings:
        return None
    return _layer().embedder


@lru_cache(maxsize=1)
def _layer():
    from services.analyzer.semantic import SemanticLayer

    return SemanticLayer.default()


def suggestion(evidence: Evidence, other: Profile) -> str:
    """Plain words for the drafter: which document this one could go into."""
    name = other.reference or f"#{other.document_id}"
    when = f" ngày {other.day.strftime('%d/%m/%Y')}" if other.day else ""
    if evidence.relation == "duplicate":
        return f"Gần như trùng với văn bản {name}{when}: có thể là bản gửi lại, không cần ban hành thêm."
    because = f" (cùng thực hiện {', '.join(evidence.shared_citations[:2])})" if evidence.shared_citations else ""
    return f"Có thể tích hợp vào văn bản {name}{when}{because}."


def common_citations(profiles: list[Profile], share: float) -> frozenset[str]:
    """Citations present in more than `share` of the pool: legal bases every document cites."""
    if len(profiles) < 4:
        return frozenset()
    counts: dict[str, int] = {}
    for p in profiles:
        for c in p.citations:
            counts[c] = counts.get(c, 0) + 1
    return frozenset(c for c, n in counts.items() if n / len(profiles) > share)


def candidates_for(target: Profile, pool: list[Profile], *, window_days: int = WINDOW_DAYS,
                   thresholds: Thresholds = Thresholds()) -> list[Evidence]:
    """The documents of `pool` that `target` could be merged with, best first."""
    common = common_citations(pool + [target], thresholds.common_citation_share)
    found = []
    for other in pool:
        if other.document_id == target.document_id or not _within(target, other, window_days):
            continue
        evidence = compare(target, other, common_citations=common, thresholds=thresholds)
        if evidence:
            evidence.suggestion = suggestion(evidence, other)
            found.append(evidence)
    return sorted(found, key=lambda e: (e.relation != "duplicate", -max(e.containment_ab, e.containment_ba),
                                        -e.subject_similarity))


def _within(a: Profile, b: Profile, window_days: int) -> bool:
    return a.day is None or b.day is None or abs((a.day - b.day).days) <= window_days


@dataclass
class Cluster:
    documents: list[int]
    pairs: list[Evidence] = field(default_factory=list)

    def to_json(self, profiles: dict[int, Profile]) -> dict:
        return {"documents": [{"id": d, "reference": profiles[d].reference, "date": profiles[d].day,
                               "doc_type": profiles[d].doc_type, "subject": profiles[d].subject}
                              for d in self.documents],
                "duplicates": any(p.relation == "duplicate" for p in self.pairs),
                "pairs": [p.to_json() for p in self.pairs]}


def clusters(pool: list[Profile], *, window_days: int = WINDOW_DAYS,
             thresholds: Thresholds = Thresholds()) -> list[Cluster]:
    """Candidate pairs of one agency's documents, joined into clusters by average linkage.

    Pairs are taken strongest first (duplicates, then by containment); two groups join when
    more than `thresholds.linkage` of the pairs between their members are candidate pairs.
    Single linkage (union-find) chained, for instance, two dozen resolutions of one body on
    unrelated subjects through a few that each resembled two others.
    """
    common = common_citations(pool, thresholds.common_citation_share)
    pairs: list[Evidence] = []
    ordered = sorted(pool, key=lambda p: (p.day or date.max, p.document_id))
    for i, a in enumerate(ordered):
        for b in ordered[i + 1:]:
            if a.day and b.day and (b.day - a.day).days > window_days:
                break  # sorted by date: every later document is further away
            evidence = compare(a, b, common_citations=common, thresholds=thresholds)
            if evidence:
                evidence.suggestion = suggestion(evidence, a)
                pairs.append(evidence)
    pairs.sort(key=lambda e: (e.relation != "duplicate", -max(e.containment_ab, e.containment_ba),
                              -e.subject_similarity))
    linked = {frozenset((e.a, e.b)) for e in pairs}
    group_of: dict[int, list[int]] = {}
    for e in pairs:
        ga, gb = group_of.get(e.a, [e.a]), group_of.get(e.b, [e.b])
        if ga is gb:
            continue
        between = sum(frozenset((x, y)) in linked for x in ga for y in gb)
        if between > thresholds.linkage * len(ga) * len(gb):
            ga.extend(gb)
            for d in ga:
                group_of[d] = ga
    found: dict[int, Cluster] = {}
    for e in pairs:
        group = group_of.get(e.a)
        if group is None or e.b not in group:
            continue  # a pair across two groups stays a pair (in each draft's report), not a cluster
        cluster = found.setdefault(id(group), Cluster(documents=[]))
        cluster.pairs.append(e)
        for d in (e.a, e.b):
            if d not in cluster.documents:
                cluster.documents.append(d)
    return sorted(found.values(), key=lambda c: -len(c.documents))
