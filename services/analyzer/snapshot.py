"""The directive index in files that every process memory-maps.

A worker that builds its index from the store holds every directive's tokens in its own
memory and reads them all before it answers. A snapshot is the same index written once as
flat arrays (.npy): tokens as vocabulary ids, offsets, exclusions, sentence bounds and
the sentence table with its derived weights, which `open_index` maps read-only, and the
sorted shingle postings, which it reads bucket by bucket (`postings.PostingsFile`). So
start-up reads only the vocabulary and the list of directives, a check reads the pages it
needs, and the workers of one machine share them through the page cache instead of each
holding a copy.

Directives added after the snapshot go into memory on top of it (`DirectiveIndex.add`);
a new snapshot takes them in. A snapshot is written to a new folder and renamed into
place, so a process never maps a half-written one.
"""
from __future__ import annotations

import json
import os
import shutil
from dataclasses import asdict
from pathlib import Path

import numpy as np

from services.analyzer import postings, sentences
from services.analyzer.index import DirectiveIndex, IndexedDocument
from services.analyzer.phrases import PhraseModel
from services.analyzer.tokens import TokenSeq
from services.analyzer.vocabulary import Vocabulary, WordIds

FORMAT = 4  # 2: postings as raw files with a bucket directory; 3: a sentence's words in hash
# order; 4: the sentence table's weights by the common-phrase model too
_DERIVED = ("doc", "spans", "ids", "counts", "offsets", "idf", "norms", "postings", "starts", "followed")
_MODEL_DERIVED = ("model_idf", "model_norms")


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
    put("word_hashes", index.vocabulary.hashes(np.arange(len(index.vocabulary))))
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
    (tmp / "documents.jsonl").write_text("".join(
        json.dumps({"key": d.key, "level_rank": d.level_rank, "separators": d.tokens.separators is not None,
                    "meta": {k: v for k, v in d.meta.items() if k != "sentences"}}, ensure_ascii=False) + "\n"
        for d in docs), encoding="utf-8")
    manifest = {"format": FORMAT, "directives": len(docs), "tokens": int(sum(lengths)), "shingles": index.shingles,
                "sentences": int(derived["n"]), "sentence_params": asdict(params),
                "word_model": _words_digest(index.phrases if built.model is not None else None), "info": info or {}}
    (tmp / "manifest.json").write_text(json.dumps(manifest, indent=1, ensure_ascii=False), encoding="utf-8")
    return manifest


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
    index.vocabulary = Vocabulary.from_words(
        (folder / "vocabulary.txt").read_text(encoding="utf-8").split("\n") if info["tokens"] else [],
        get("word_hashes"))
    offsets, s_offsets = get("token_offsets"), get("sentence_offsets")
    ids, starts, ends, excluded, separators, bounds = (get(n) for n in ("ids", "starts", "ends", "excluded",
                                                                     "separators", "sentences"))
    offsets, s_offsets = np.asarray(offsets).tolist(), np.asarray(s_offsets).tolist()
    with open(folder / "documents.jsonl", encoding="utf-8") as lines:
        for i, line in enumerate(lines):
            row = json.loads(line)
            a, b = offsets[i], offsets[i + 1]
            tokens = TokenSeq(WordIds(ids[a:b], index.vocabulary), starts[a:b], ends[a:b], excluded[a:b],
                              separators[a:b] if row["separators"] else None)
            meta = dict(row["meta"], sentences=bounds[s_offsets[i]:s_offsets[i + 1]])
            index.documents.append(IndexedDocument(key=row["key"], tokens=tokens, level_rank=row["level_rank"],
                                                   meta=meta))
    if len(index.documents) != info["directives"]:
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
