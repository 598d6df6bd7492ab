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
from typing import Callable
from sys import intern

import numpy as np
from sqlalchemy.orm import Session

from services.analyzer import phrases as phrase_model
from services.analyzer import snapshot
from services.analyzer.detect import analysis_tokens
from services.analyzer.index import DirectiveIndex, IndexedDocument
from services.analyzer.phrases import PhraseModel
from services.analyzer.sentences import SentenceParams, document_stats
from services.analyzer.sentences import table as sentence_table
from services.analyzer.shards import Ask, LocalShard, ask_local, open_shard, save_shard, shard_of
from services.analyzer.wordstats import WordStats
from services.analyzer.tokens import TokenSeq
from services.common.models import AgencyLevel, Document, IndexEntry
from services.directives import repository as entries_repo
from services.ingest.document import ParsedDocument

log = logging.getLogger(__name__)

# Entry ids are handed out when a registration inserts its entry but seen when it commits:
# two registrations committing in the other order show the later id first. A refresh reads
# the catalogue again this many ids below the newest it has, and loads what it lacks, so a
# late commit is never skipped.
LATE_COMMITS = 1000


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
    snapshot it opened, if any).

    A directive's registry number is the id of its entry in the store: the same in every
    process, whatever order each one loaded the entries in (a registration can commit
    after a later one). A registry split into `shards` parts (setting `index_shards`)
    keeps directive `n` in shard `n % shards`. A process
    serving shard `shard` indexes that shard's directives and counts the words of every
    other directive's sentences, so it weighs words as the whole registry does; with
    `shard` None it only catalogues the directives (their levels and documents): what the
    process that fans a check out over the shards needs.
    """

    def __init__(self, phrases: PhraseModel | None = None, snapshot_dir: Path | None = None, *,
                 shard: int | None = None, shards: int = 1):
        if shards < 1 or (shard is not None and not 0 <= shard < shards):
            raise ValueError(f"shard {shard} of {shards}: a registry has at least one shard, numbered from 0")
        self.index = DirectiveIndex(phrases=phrases)
        self.shard, self.shards = (0 if shards == 1 else shard), shards
        # the registry's catalogue, in the order this process loaded it: each directive's
        # registry number (its entry's id), level and document
        self.entry_ids: list[int] = []
        self.levels: list[AgencyLevel] = []
        self.document_ids: list[int] = []
        self.numbers: list[int] = []  # the registry number of each directive of `index`
        self._others: list[WordStats] = []  # sentence figures of the other shards' directives
        self._last_entry = 0  # the newest entry id loaded
        self._known: set[int] = set()  # the ids of the entries loaded
        # A document registered again has a new entry; its older one is retired: never
        # checked against again (its tokens stay in the index until the next snapshot).
        self.retired: set[int] = set()
        self._live: dict[int, int] = {}  # document id -> the registry number of its entry
        self._lock = threading.Lock()
        # In a split registry, how a check reaches the shards: document id -> shards.Ask
        # (the worker sets it: a Celery group per round, or shards held in this process).
        self.fan_out = None
        if snapshot_dir is not None and (Path(snapshot_dir) / "manifest.json").exists():
            if shards > 1:
                self._open_shard(Path(snapshot_dir), phrases)
                return
            try:
                index, info = snapshot.open_index(snapshot_dir, phrases)
                entry_ids, levels, document_ids = (snapshot.extra(snapshot_dir, name).tolist()
                                                   for name in ("entry_ids", "levels", "document_ids"))
                levels = [AgencyLevel(v) for v in levels]
                last_entry, retired = info["info"]["last_entry"], set(info["info"]["retired"])
                if not len(entry_ids) == len(levels) == len(document_ids) == len(index):
                    raise ValueError(f"the catalogue lists {len(entry_ids)} directives, the index {len(index)}")
            except (snapshot.SnapshotError, KeyError, ValueError) as exc:
                # the store has every entry: a snapshot that cannot serve only costs start-up time
                log.warning("index snapshot %s not used (%s); loading every entry", snapshot_dir, exc)
            else:
                self.index, self._last_entry, self.retired = index, last_entry, retired
                self._read_catalogue(entry_ids, levels, document_ids)
                self.numbers = list(entry_ids)

    def _open_shard(self, folder: Path, phrases: PhraseModel | None) -> None:
        """Start from a snapshot of this shard (`write_snapshot`): its directives mapped, the
        registry's catalogue and the other shards' sentence figures as they were then. With
        no shard (the process that fans checks out), only the catalogue is read."""
        try:
            if self.shard is None:
                info = snapshot.manifest(folder)["info"]
            else:
                part, others, info = open_shard(folder, phrases)
                info = info["info"]
            if (info["shards"], info["shard"]) != (self.shards, self.shard if self.shard is not None else info["shard"]):
                raise ValueError(f"it is shard {info['shard']} of {info['shards']}")
            levels = [AgencyLevel(v) for v in info["levels"]]
            entry_ids, document_ids = list(info["entry_ids"]), list(info["document_ids"])
            last_entry, retired = info["last_entry"], set(info["retired"])
        except (snapshot.SnapshotError, KeyError, ValueError) as exc:
            log.warning("index snapshot %s not used (%s); loading every entry", folder, exc)
            return
        self._last_entry, self.retired = last_entry, retired
        self._read_catalogue(entry_ids, levels, document_ids)
        if self.shard is not None:
            self.index, self.numbers, self._others = part.index, part.numbers.tolist(), [others]

    @property
    def split(self) -> bool:
        return self.shards > 1

    def refresh(self, db: Session) -> int:
        """Load the entries committed since the last refresh (those that committed late
        too); the number loaded."""
        with self._lock:
            rows = [(entry_id, level, document_id) for entry_id, level, document_id in
                    entries_repo.catalogue_newer_than(db=db, after_id=max(0, self._last_entry - LATE_COMMITS))
                    if entry_id not in self._known]
            if self.shard is None:  # the catalogue alone: no payload is read
                for entry_id, level, document_id in rows:
                    self._catalogue(entry_id, level, document_id)
                return len(rows)
            added = 0
            for entry, document in entries_repo.with_ids(db=db, ids=[entry_id for entry_id, _, _ in rows]):
                self._catalogue(entry.id, entry.level, document.id)
                added += 1
                tokens, sentences = decode(entry.payload)
                if shard_of(entry.id, self.shards) != self.shard:
                    self._others.append(document_stats(tokens, sentences, SentenceParams()))
                    continue
                self.index.add(IndexedDocument(
                    key=f"document:{document.id}", tokens=tokens, level_rank=entry.level.rank,
                    meta={"reference": document.reference, "doc_type": document.doc_type, "sentences": sentences,
                          "document_id": document.id, "level": entry.level.value, "entry_id": entry.id},
                ))
                self.numbers.append(entry.id)
            if added and self.split and self.shard is not None:
                self._others = [WordStats.total(self._others)]
                own = sentence_table(self.index, SentenceParams())[0].own_stats()
                self.index.sentence_stats = WordStats.total([own, *self._others])
            return added

    def _read_catalogue(self, entry_ids: list[int], levels: list[AgencyLevel], document_ids: list[int]) -> None:
        """Take a snapshot's catalogue (`retired` already read)."""
        self.entry_ids, self.levels, self.document_ids = entry_ids, levels, document_ids
        self._known = set(entry_ids)
        self._live = {d: n for n, d in zip(entry_ids, document_ids) if n not in self.retired}

    def _catalogue(self, entry_id: int, level: AgencyLevel, document_id: int) -> None:
        self.entry_ids.append(entry_id)
        self.levels.append(level)
        self.document_ids.append(document_id)
        self._known.add(entry_id)
        self._last_entry = max(self._last_entry, entry_id)
        older = self._live.get(document_id)
        if older is not None and older != entry_id:  # registered again: the newer entry counts
            self.retired.add(min(older, entry_id))
        self._live[document_id] = max(entry_id, older or 0)

    def shard_view(self) -> LocalShard:
        """This process's shard, numbered as the registry numbers its directives."""
        return LocalShard(self.index, self.numbers)

    def save_snapshot(self, folder: Path) -> dict:
        """Write what this process has loaded as a snapshot other processes map; a shard's
        also holds the registry's catalogue and the other shards' sentence figures."""
        with self._lock:
            if not self.split:
                # the catalogue as arrays: a process that opens the snapshot reads no directive
                return snapshot.save(self.index, folder, info={"last_entry": self._last_entry,
                                                               "retired": sorted(self.retired)}, arrays={
                    "entry_ids": np.asarray(self.entry_ids, dtype=np.int64),
                    "levels": np.asarray([lv.value for lv in self.levels], dtype=str),
                    "document_ids": np.asarray(self.document_ids, dtype=np.int64)})
            if self.shard is None:
                raise ValueError("a process that serves no shard has no shard to write")
            return save_shard(self.shard_view(), folder, others=WordStats.total(self._others), info={
                "last_entry": self._last_entry, "retired": sorted(self.retired), "shard": self.shard,
                "shards": self.shards,
                "entry_ids": self.entry_ids, "levels": [lv.value for lv in self.levels],
                "document_ids": self.document_ids})

    def higher_than(self, level: AgencyLevel | None) -> set[int]:
        """Registry numbers of directives of a higher level than `level` (all when unknown)."""
        if level is None:
            return set(self.entry_ids) - self.retired
        return {n for n, lv in zip(self.entry_ids, self.levels) if lv.rank < level.rank and n not in self.retired}

    def numbers_of(self, document_ids: set[int]) -> set[int]:
        """Registry numbers of the directives of these documents."""
        return {n for n, d in zip(self.entry_ids, self.document_ids) if d in document_ids and n not in self.retired}

    def documents_of(self, numbers: set[int]) -> list[int]:
        """The documents of directives with these registry numbers, in order."""
        return sorted(d for n, d in zip(self.entry_ids, self.document_ids) if n in numbers)


def shard_snapshot(folder: Path, shard: int, shards: int) -> Path:
    """Where the snapshot of one shard of a split registry lives, beside `folder` (the
    setting `index_snapshot`)."""
    return folder.with_name(f"{folder.name}-shard-{shard}-of-{shards}")


def loaded_index(settings, *, shard: int | None = None, factory=None) -> LoadedIndex:
    """A process's index as the settings configure it: the common-phrase model, the
    snapshot to map when there is one, and, in a registry split into shards, the shard it
    serves (None: none, it fans checks out: to shards held in this process when given the
    store's `factory`, unless a worker sets another way)."""
    folder = settings.index_snapshot
    if folder is not None and settings.index_shards > 1:
        folder = shard_snapshot(folder, 0 if shard is None else shard, settings.index_shards)
    loaded = LoadedIndex(phrase_model.default(settings), folder, shard=shard, shards=settings.index_shards)
    if loaded.split and shard is None and factory is not None:
        loaded.fan_out = in_process_fan_out(settings, factory)
    return loaded


def in_process_fan_out(settings, factory) -> Callable[[int], Ask]:
    """Every shard of a split registry held in this process (the embedded runner has no
    workers to fan out to): each round asks them one after another."""
    parts = [loaded_index(settings, shard=k) for k in range(settings.index_shards)]

    def fan_out(document_id: int) -> Ask:
        with factory() as db:
            for part in parts:
                part.refresh(db)
        return ask_local([part.shard_view() for part in parts])
    return fan_out


def write_snapshot(*, settings, factory, loaded: LoadedIndex) -> dict:
    """Bring `loaded` up to date with the store and write it as the configured snapshot; a
    split registry's shards are each written beside it, one after another, each starting
    from its last snapshot."""
    if settings.index_snapshot is None:
        return {"skipped": "DRAFTCTL_INDEX_SNAPSHOT is not set"}
    if settings.index_shards > 1:
        totals = {"snapshot": str(settings.index_snapshot), "shards": settings.index_shards}
        for k in range(settings.index_shards):
            part = loaded_index(settings, shard=k)
            with factory() as db:
                part.refresh(db)
            info = part.save_snapshot(shard_snapshot(settings.index_snapshot, k, settings.index_shards))
            for name in ("directives", "tokens", "shingles", "sentences"):
                totals[name] = totals.get(name, 0) + info[name]
            del part
        return totals
    with factory() as db:
        loaded.refresh(db)
    info = loaded.save_snapshot(settings.index_snapshot)
    return {"snapshot": str(settings.index_snapshot),
            **{k: info[k] for k in ("directives", "tokens", "shingles", "sentences")}}
