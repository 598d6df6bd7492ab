"""The directive index in files that every process memory-maps.

A worker that builds its index from the store holds every directive's tokens in its own
memory and reads them all before it answers. A snapshot is the same index written once as
flat arrays (.npy): tokens as vocabulary ids, offsets, exclusions, sentence bounds and
the sentence table with its derived weights, which `open_index` maps read-only, and the
sorted shingle postings, which it reads bucket by bucket (`postings.PostingsFile`). So
start-up reads only the manifest and maps files: the vocabulary finds words by their
sorted hashes and reads its words when first asked for, and a directive is made from the
arrays when first asked for (`MappedDocuments`), so opening costs the same whatever the
registry's size. A check reads the pages it needs, and the workers of one machine share
them through the page cache instead of each holding a copy.

Directives added after the snapshot go into memory on top of it (`DirectiveIndex.add`);
a new snapshot takes them in. A snapshot is written to a new folder and renamed into
place, so a process never maps a half-written one.
"""
from __future__ import annotations

import json
import mmap
import os
import shutil
import threading
from collections.abc import Iterator, Sequence
from dataclasses import asdict
from pathlib import Path

import numpy as np

from services.analyzer import postings, sentences
from services.analyzer.index import DirectiveIndex, IndexedDocument
from services.analyzer.phrases import PhraseModel
from services.analyzer.tokens import TokenSeq
from services.analyzer.vocabulary import Vocabulary, WordIds

FORMAT = 6  # 2: postings as raw files with a bucket directory; 3: a sentence's words in hash
# order; 4: the sentence table's weights by the common-phrase model too; 5: sorted word
# hashes and each directive's place in documents.jsonl; 6: the words that rank candidates
# for drafts the model weighs
_DERIVED = ("doc", "spans", "ids", "counts", "offsets", "idf", "norms", "postings", "starts", "followed")
_MODEL_DERIVED = ("model_idf", "model_norms", "model_followed")


class SnapshotError(ValueError):
    """The folder holds no snapshot this version can read."""


def save(index: DirectiveIndex, folder: Path, *, info: dict | None = None,
         arrays: dict[str, np.ndarray] | None = None) -> dict:
    """Write `index` (and its sentence table, built if needed) to `folder`, with the caller's
    `info` and `arrays` (read back by `extra`); returns the manifest."""
    folder = Path(folder)
    tmp = folder.with_name(f"{folder.name}.writing-{os.getpid()}")  # two writers never share one
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    try:
        manifest = _write(index, tmp, info)
        for name, array in (arrays or {}).items():
            np.save(tmp / f"extra_{name}.npy", np.ascontiguousarray(array))
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)  # a failed write leaves the old snapshot as it was
        raise
    old = folder.with_name(f"{folder.name}.old-{os.getpid()}")
    shutil.rmtree(old, ignore_errors=True)
    if folder.exists():
        os.replace(folder, old)
    os.replace(tmp, folder)
    shutil.rmtree(old, ignore_errors=True)
    return manifest


def _write(index: DirectiveIndex, tmp: Path, info: dict | None) -> dict:
    docs = index.documents

    def put(name: str, array) -> None:
        np.save(tmp / f"{name}.npy", np.ascontiguousarray(array))

    (tmp / "vocabulary.txt").write_text("\n".join(index.vocabulary.words), encoding="utf-8")
    word_hashes = index.vocabulary.hashes(np.arange(len(index.vocabulary)))
    put("word_hashes", word_hashes)
    order = np.argsort(word_hashes, kind="stable")
    put("word_order", order.astype(np.int64))
    put("word_sorted_hashes", word_hashes[order])
    lengths = [len(d.tokens) for d in docs]
    put("token_offsets", np.concatenate([[0], np.cumsum(lengths, dtype=np.int64)]))
    put("ids", _joined([d.tokens.words.ids for d in docs], np.int32))
    put("starts", _joined([d.tokens.starts for d in docs], np.int32))
    put("ends", _joined([d.tokens.ends for d in docs], np.int32))
    put("excluded", _joined([d.tokens.excluded for d in docs], bool))
    put("separators", _joined([d.tokens.separators if d.tokens.separators is not None
                               else np.zeros(len(d.tokens), np.uint32) for d in docs], np.uint32))
    bounds = [d.meta["sentences"] for d in docs]
    put("sentence_offsets", np.concatenate([[0], np.cumsum([len(b) for b in bounds], dtype=np.int64)]))
    put("sentences", np.concatenate(bounds).astype(np.int32) if bounds else np.zeros((0, 2), np.int32))
    parts = [part.arrays() for part in index._postings()]
    hashes, post_docs, positions = (_joined([p[k] for p in parts], dtype)
                                    for k, dtype in ((0, np.uint64), (1, np.int32), (2, np.int32)))
    if len(parts) > 1:  # parts are each sorted: one sorted array for the snapshot
        order = np.argsort(hashes, kind="stable")
        hashes, post_docs, positions = hashes[order], post_docs[order], positions[order]
    postings.write(tmp, hashes, post_docs, positions)
    del hashes, post_docs, positions
    params = sentences.SentenceParams()
    built, derived = sentences.table(index, params)
    if derived["n"]:
        for name in _DERIVED + (_MODEL_DERIVED if "model_idf" in derived else ()):
            put(f"table_{name}", derived[name])
    lines = [(json.dumps({"key": d.key, "level_rank": d.level_rank, "separators": d.tokens.separators is not None,
                          "meta": {k: v for k, v in d.meta.items() if k != "sentences"}}, ensure_ascii=False)
              + "\n").encode("utf-8") for d in docs]
    (tmp / "documents.jsonl").write_bytes(b"".join(lines))
    put("document_offsets", np.concatenate([[0], np.cumsum([len(line) for line in lines], dtype=np.int64)]))
    manifest = {"format": FORMAT, "directives": len(docs), "tokens": int(sum(lengths)), "shingles": index.shingles,
                "sentences": int(derived["n"]), "sentence_params": asdict(params),
                "word_model": _words_digest(index.phrases if built.model is not None else None), "info": info or {}}
    (tmp / "manifest.json").write_text(json.dumps(manifest, indent=1, ensure_ascii=False), encoding="utf-8")
    return manifest


class MappedDocuments(Sequence):
    """A snapshot's directives, each made from the mapped arrays when first asked for (and
    kept); directives added after the snapshot are appended as made."""

    def __init__(self, make, count: int):
        self._make, self._count = make, count
        self._made: dict[int, IndexedDocument] = {}
        self._added: list[IndexedDocument] = []
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return self._count + len(self._added)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError(i)
        if i >= self._count:
            return self._added[i - self._count]
        made = self._made.get(i)
        if made is None:
            with self._lock:
                made = self._made.get(i)
                if made is None:
                    made = self._made[i] = self._make(i)
        return made

    def __iter__(self) -> Iterator[IndexedDocument]:
        return (self[i] for i in range(len(self)))

    def append(self, document: IndexedDocument) -> None:
        self._added.append(document)


def _mapped(path: Path) -> bytes | mmap.mmap:
    """The file's bytes, mapped: readable after a newer snapshot replaces the folder."""
    with open(path, "rb") as f:
        if os.fstat(f.fileno()).st_size == 0:
            return b""
        return mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)


def _lines_of(path: Path):
    """A reader of the vocabulary's words, one per line, for when they are first asked for."""
    data = _mapped(path)
    return lambda: data[:].decode("utf-8").split("\n") if len(data) else []


def _words_digest(model: PhraseModel | None) -> str | None:
    """What the sentence table's model weights were derived from (None: no model)."""
    return model.words_digest if model is not None and model.words.sentences else None


def _joined(arrays, dtype) -> np.ndarray:
    return np.concatenate([np.asarray(a, dtype=dtype) for a in arrays]) if arrays else np.zeros(0, dtype)


def extra(folder: Path, name: str) -> np.ndarray:
    """An array the writer of the snapshot added (`save`'s `arrays`)."""
    try:
        return np.load(Path(folder) / f"extra_{name}.npy", allow_pickle=False)
    except (OSError, ValueError) as exc:
        raise SnapshotError(f"{folder}: no {name} in the snapshot ({exc})") from exc


def manifest(folder: Path) -> dict:
    path = Path(folder) / "manifest.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SnapshotError(f"{folder}: no readable index snapshot ({exc})") from exc
    if data.get("format") != FORMAT:
        raise SnapshotError(f"{folder}: snapshot format {data.get('format')!r}, this version reads {FORMAT}")
    return data


def open_index(folder: Path, phrases: PhraseModel | None = None) -> tuple[DirectiveIndex, dict]:
    """The index a snapshot holds, its arrays memory-mapped read-only, and its manifest."""
    folder = Path(folder)
    info = manifest(folder)

    def get(name: str) -> np.ndarray:
        # a plain ndarray over the mapping: np.memmap pays Python overhead on every slice
        return np.load(folder / f"{name}.npy", mmap_mode="r").view(np.ndarray)

    index = DirectiveIndex(phrases=phrases)
    word_hashes = get("word_hashes")
    index.vocabulary = Vocabulary.mapped(len(word_hashes), word_hashes, get("word_sorted_hashes"), get("word_order"),
                                         _lines_of(folder / "vocabulary.txt"))
    ids, starts, ends, excluded, separators, bounds = (get(n) for n in ("ids", "starts", "ends", "excluded",
                                                                     "separators", "sentences"))
    offsets, s_offsets, d_offsets = get("token_offsets"), get("sentence_offsets"), get("document_offsets")
    rows = _mapped(folder / "documents.jsonl")

    def document(i: int) -> IndexedDocument:
        row = json.loads(rows[int(d_offsets[i]):int(d_offsets[i + 1])])
        a, b = int(offsets[i]), int(offsets[i + 1])
        tokens = TokenSeq(WordIds(ids[a:b], index.vocabulary), starts[a:b], ends[a:b], excluded[a:b],
                          separators[a:b] if row["separators"] else None)
        meta = dict(row["meta"], sentences=bounds[int(s_offsets[i]):int(s_offsets[i + 1])])
        return IndexedDocument(key=row["key"], tokens=tokens, level_rank=row["level_rank"], meta=meta)

    index.documents = MappedDocuments(document, len(d_offsets) - 1)
    if len(index.documents) != info["directives"] or len(offsets) != len(d_offsets):
        raise SnapshotError(f"{folder}: {len(index.documents)} directives listed, the manifest says "
                            f"{info['directives']}")
    index._frozen = [postings.PostingsFile(folder)]
    if info["sentences"]:
        if info.get("word_model") != _words_digest(index.phrases):
            # its weights are another model's: a check would not weigh words as the model says
            raise SnapshotError(f"{folder}: the sentence weights were derived from another common-phrase model; "
                                "write the snapshot again (draftctl index snapshot)")
        params = sentences.SentenceParams(**info["sentence_params"])
        derived = {name: get(f"table_{name}") for name in _DERIVED + (_MODEL_DERIVED if info["word_model"] else ())}
        index._sentence_table = sentences.SentenceTable.from_derived(params, index.vocabulary, derived,
                                                                     directives=len(index.documents),
                                                                     model=index.phrases.words)
    return index, info
