"""The directive registry in the store, and its index in each process.

A directive's tokens are computed once and stored (IndexEntry); a worker loads the
entries it has not seen yet, so adding a directive never rebuilds the index. With an
index snapshot (`draftctl index snapshot`, setting `index_snapshot`) a worker maps the
snapshot's files and loads from the store only the entries registered after it.
"""
from __future__ import annotations

import io
import logging
import threading
from pathlib import Path
from sys import intern

import numpy as np
from sqlalchemy.orm import Session

from services.analyzer import phrases as phrase_model
from services.analyzer import snapshot
from services.analyzer.detect import analysis_tokens
from services.analyzer.index import DirectiveIndex, IndexedDocument
from services.analyzer.phrases import PhraseModel
from services.analyzer.tokens import TokenSeq
from services.common.models import AgencyLevel, Document, IndexEntry
from services.directives import repository as entries_repo
from services.ingest.document import ParsedDocument

log = logging.getLogger(__name__)


def encode(tokens: TokenSeq, sentences: list[tuple[int, int]]) -> bytes:
    buf = io.BytesIO()
    extra = {} if tokens.separators is None else {"separators": tokens.separators}
    np.savez_compressed(
        buf, words=np.asarray(tokens.words, dtype=object).astype(str), starts=tokens.starts, ends=tokens.ends,
        excluded=tokens.excluded, sentences=np.asarray(sentences, dtype=np.int64).reshape(-1, 2), **extra,
    )
    return buf.getvalue()


def decode(payload: bytes) -> tuple[TokenSeq, list[tuple[int, int]]]:
    data = np.load(io.BytesIO(payload), allow_pickle=False)
    separators = data["separators"] if "separators" in data.files else None
    # one object per distinct word, shared by every entry: a registry holds millions of tokens
    words = [intern(w) for w in data["words"].tolist()]
    tokens = TokenSeq(words, data["starts"], data["ends"], data["excluded"], separators)
    return tokens, [tuple(x) for x in data["sentences"].tolist()]


def register(*, db: Session, document: Document, parsed: ParsedDocument, level: AgencyLevel) -> IndexEntry:
    """Store a directive's index entry (the caller commits)."""
    tokens, sentences = analysis_tokens(parsed, as_source=True)
    return entries_repo.upsert(db=db, entry=IndexEntry(document_id=document.id, level=level,
                                                       payload=encode(tokens, sentences)))


class LoadedIndex:
    """A process's view of the registry; `refresh` loads only entries added since (since the
    snapshot it opened, if any)."""

    def __init__(self, phrases: PhraseModel | None = None, snapshot_dir: Path | None = None):
        self.index = DirectiveIndex(phrases=phrases)
        self.levels: list[AgencyLevel] = []
        self.document_ids: list[int] = []
        self._last_entry = 0
        self._lock = threading.Lock()
        if snapshot_dir is not None and (Path(snapshot_dir) / "manifest.json").exists():
            try:
                index, info = snapshot.open_index(snapshot_dir, phrases)
                levels = [AgencyLevel(d.meta["level"]) for d in index.documents]
                document_ids = [d.meta["document_id"] for d in index.documents]
                last_entry = info["info"]["last_entry"]
            except (snapshot.SnapshotError, KeyError, ValueError) as exc:
                # the store has every entry: a snapshot that cannot serve only costs start-up time
                log.warning("index snapshot %s not used (%s); loading every entry", snapshot_dir, exc)
            else:
                self.index, self.levels, self.document_ids, self._last_entry = index, levels, document_ids, last_entry

    def refresh(self, db: Session) -> int:
        with self._lock:
            added = 0
            for entry, document in entries_repo.newer_than(db=db, after_id=self._last_entry):
                tokens, sentences = decode(entry.payload)
                self.index.add(IndexedDocument(
                    key=f"document:{document.id}", tokens=tokens, level_rank=entry.level.rank,
                    meta={"reference": document.reference, "doc_type": document.doc_type,
                          "sentences": sentences, "document_id": document.id, "level": entry.level.value},
                ))
                self.levels.append(entry.level)
                self.document_ids.append(document.id)
                self._last_entry = entry.id
                added += 1
            return added

    def save_snapshot(self, folder: Path) -> dict:
        """Write what this process has loaded as a snapshot other processes map."""
        with self._lock:
            return snapshot.save(self.index, folder, info={"last_entry": self._last_entry})

    def higher_than(self, level: AgencyLevel | None) -> set[int]:
        """Index numbers of directives of a higher level than `level` (all when unknown)."""
        if level is None:
            return set(range(len(self.levels)))
        return {i for i, lv in enumerate(self.levels) if lv.rank < level.rank}


def loaded_index(settings) -> LoadedIndex:
    """A process's index as the settings configure it: the common-phrase model, and the
    snapshot to map when there is one."""
    return LoadedIndex(phrase_model.default(settings), settings.index_snapshot)


def write_snapshot(*, settings, factory, loaded: LoadedIndex) -> dict:
    """Bring `loaded` up to date with the store and write it as the configured snapshot."""
    if settings.index_snapshot is None:
        return {"skipped": "DRAFTCTL_INDEX_SNAPSHOT is not set"}
    with factory() as db:
        loaded.refresh(db)
    info = loaded.save_snapshot(settings.index_snapshot)
    return {"snapshot": str(settings.index_snapshot),
            **{k: info[k] for k in ("directives", "tokens", "shingles", "sentences")}}
