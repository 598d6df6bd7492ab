"""How copy detection grows with the registry: synthetic registries made from the corpus,
built once as an index snapshot and checked by separate worker processes that map it.

A registry of N directives holds the corpus's 219 central-level documents, as `make bench`
does, plus N - 219 synthetic directives: real documents of `corpus-extra`, each copy with
every 6th token replaced by a word of its own, so that most of its shingles are its own and
the index grows as with new documents. The same seed gives the same registry. Synthetic
copies are made from the parsed tokens of their document (parsed once), so the build of a
large registry measures indexing; parsing is measured on its own, per character, on the
real documents (it is what each directive costs once, on whichever worker registers it).

For each size:
- build (the indexer, one process): indexing every directive, the sentence table and
  writing the snapshot, s; its peak resident set, MB;
- workers (separate processes, `--workers`, e.g. 1,2: that many at once on the machine):
  each opens the snapshot (start-up, s), checks the corpus's 39 lower-level documents
  once to warm up, then again, timed (p50, p95 of the second pass, s), with the lexical
  and sentence layers (and the semantic layer with --semantic); its resident set (RSS,
  MB, the mapped pages it touched included) and proportional set (PSS: pages shared with
  the other workers counted once across them);
- same answers: the passages the drafts get from the 219 originals, compared with a
  registry of those 219 alone (passages identical; draft characters credited to the same
  original, Jaccard);
- shards (`--shards K`): the snapshot split into K shard snapshots (`shards.save_shard`),
  each served by its own process, a coordinator process fanning every check out over
  them in rounds carried as JSON (as Celery carries them): p50, p95, each shard
  process's RSS, and whether every passage equals the one worker's;
and how each figure grows from the smallest size to the others.

usage: python bench/scale.py --shared ../shared --sizes 2000,20000 --workers 1,2 [--shards 2] [--semantic]
       --out bench/scale.json
"""
from __future__ import annotations

import argparse
import json
import pickle
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from services.analyzer import sentences, shards, snapshot  # noqa: E402
from services.analyzer.wordstats import WordStats  # noqa: E402
from services.analyzer.detect import DetectParams, analysis_tokens, detect_over  # noqa: E402
from services.analyzer.index import DirectiveIndex, IndexedDocument  # noqa: E402
from services.analyzer.tokens import TokenSeq  # noqa: E402
from services.ingest.pipeline import parse  # noqa: E402

CENTRAL = {"central_party", "central_legislature", "central_government", "ministry_or_central_agency"}
EVERY = 6  # every 6th token of a synthetic directive is its own


def _memory_mb() -> dict:
    """Resident set now and at its peak, and the proportional set, MB."""
    status = Path("/proc/self/status").read_text()
    field = {line.split(":")[0]: int(line.split()[1]) for line in status.splitlines() if line.startswith("Vm")}
    pss = next((int(line.split()[1]) for line in Path("/proc/self/smaps_rollup").read_text().splitlines()
                if line.startswith("Pss:")), 0)
    return {"rss_mb": field["VmRSS"] // 1024, "peak_rss_mb": field["VmHWM"] // 1024, "pss_mb": pss // 1024}


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def synthetic(tokens: TokenSeq, copy: int) -> TokenSeq:
    """The tokens with every EVERY-th word replaced by a word of this copy's own."""
    words = [f"s{copy}x{i % 50}" if i % EVERY == 0 else w for i, w in enumerate(tokens.words, 1)]
    return TokenSeq(words, tokens.starts, tokens.ends, tokens.excluded, tokens.separators)


def _parsed_folder(folder: Path, keep) -> tuple[list, float, int]:
    """(key, tokens, sentences, meta) of the folder's documents that `keep` accepts, the
    seconds parsing took and the characters parsed."""
    out, seconds, chars = [], 0.0, 0
    for path in sorted((folder / "docs").glob("*.txt")):
        if not keep(path.stem):
            continue
        data = path.read_bytes()
        t = time.perf_counter()
        parsed = parse(data, with_sentences=False)
        tokens, bounds = analysis_tokens(parsed, as_source=True)
        seconds += time.perf_counter() - t
        chars += len(parsed.text)
        out.append((path.stem, tokens, bounds, {"reference": parsed.metadata.reference,
                                                 "doc_type": parsed.metadata.doc_type}))
    return out, seconds, chars


def build(size: int, originals, pool, seed: int, folder: Path) -> dict:
    """Index the registry of `size` directives and write its snapshot (run in its own process)."""
    t0 = time.perf_counter()
    index = DirectiveIndex()
    for key, tokens, bounds, meta in originals:
        index.add(IndexedDocument(key=key, tokens=tokens, meta=dict(meta, sentences=bounds)))
    rng = random.Random(seed)
    for copy in range(max(0, size - len(originals))):
        key, tokens, bounds, meta = pool[rng.randrange(len(pool))]
        index.add(IndexedDocument(key=f"synthetic-{copy}-{key}", tokens=synthetic(tokens, copy),
                                  meta=dict(meta, sentences=bounds)))
    index_s = time.perf_counter() - t0
    sentences.table(index, sentences.SentenceParams())
    info = snapshot.save(index, folder)
    return {"directives": info["directives"], "tokens": info["tokens"], "index_s": round(index_s, 1),
            "build_s": round(time.perf_counter() - t0, 1), "snapshot_mb": _folder_mb(folder),
            "indexer_peak_rss_mb": _memory_mb()["peak_rss_mb"]}


def _folder_mb(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.iterdir()) // (1 << 20)


def work(folder: Path, drafts_file: Path, semantic: bool) -> dict:
    """A worker: map the snapshot, check every draft twice, time the second pass."""
    t0 = time.perf_counter()
    index, _ = snapshot.open_index(folder)
    startup = time.perf_counter() - t0
    timed = _checked_twice(shards.ask_local([shards.LocalShard(index)]), drafts_file, semantic)
    return {"startup_s": round(startup, 2), **timed, **_memory_mb()}


def _checked_twice(ask, drafts_file: Path, semantic: bool) -> dict:
    """Check every draft through `ask` once to warm up, then again, timed: p50, p95 of the
    second pass and the passages it found."""
    drafts = pickle.loads(drafts_file.read_bytes())
    params = DetectParams(semantic=semantic)
    layer = None
    if semantic:
        from services.analyzer.semantic import SemanticLayer
        layer = SemanticLayer.default()
    for key, parsed in drafts:
        detect_over(ask, parsed, key=key, params=params, semantic=layer)
    latencies, passages = [], []
    for key, parsed in drafts:
        t = time.perf_counter()
        report = detect_over(ask, parsed, key=key, params=params, semantic=layer)
        latencies.append(time.perf_counter() - t)
        passages.extend([key, p.source, p.draft_start, p.draft_end, p.source_start, p.source_end]
                        for p in report.passages)
    return {"draft_p50_s": round(statistics.median(latencies), 3),
            "draft_p95_s": round(_percentile(latencies, 0.95), 3), "passages": passages}


def split(folder: Path, count: int, base: Path) -> dict:
    """Split the snapshot in `folder` into `count` shard snapshots `base`-k (its own process)."""
    t0 = time.perf_counter()
    index, _ = snapshot.open_index(folder)
    parts = shards.split(index, count)
    own = [sentences.table(p.index, sentences.SentenceParams())[0].own_stats() for p in parts]
    for k, part in enumerate(parts):
        others = WordStats.total([o for j, o in enumerate(own) if j != k])
        shards.save_shard(part, Path(f"{base}-{k}"), others=others, info={"shard": k, "shards": count})
    return {"split_s": round(time.perf_counter() - t0, 1), "splitter_peak_rss_mb": _memory_mb()["peak_rss_mb"]}


def serve_shard(folder: Path, requests, answers) -> None:
    """A shard process: map the shard, answer rounds until told to stop, then report memory."""
    t0 = time.perf_counter()
    shard, _, _ = shards.open_shard(folder)
    answers.send(round(time.perf_counter() - t0, 2))
    while True:
        message = requests.recv()
        if message is None:
            answers.send(_memory_mb())
            return
        round_name, question, draft = message
        asked = shards.question_from_json(round_name, json.loads(question))
        if draft is not None:
            asked["draft"] = draft
        answers.send(json.dumps(shards.answer_to_json(round_name, getattr(shard, round_name)(**asked))))


def work_shards(base: Path, count: int, drafts_file: Path, semantic: bool) -> dict:
    """A coordinator over `count` shard processes: check every draft twice, time the second pass."""
    import multiprocessing

    context = multiprocessing.get_context("spawn")  # each shard process maps only its own files
    links = []
    for k in range(count):
        requests, their_requests = context.Pipe()
        their_answers, answers = context.Pipe()
        process = context.Process(target=serve_shard, args=(Path(f"{base}-{k}"), their_requests, their_answers))
        process.start()
        links.append((process, requests, answers))
    startup = max(answers.recv() for _, _, answers in links)

    def ask(round_name: str, **question) -> list:
        payload = json.dumps(shards.question_to_json(round_name, question))
        for _, requests, _ in links:  # every shard at once, then every answer
            requests.send((round_name, payload, question.get("draft")))
        return [shards.answer_from_json(round_name, json.loads(answers.recv())) for _, _, answers in links]

    timed = _checked_twice(ask, drafts_file, semantic)
    memory = []
    for process, requests, answers in links:
        requests.send(None)
        memory.append(answers.recv())
        process.join(timeout=60)
    return {"startup_s": startup, **timed, "coordinator": _memory_mb(), "shard_processes": memory}


def _run(args: list[str]) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, __file__, *args], stdout=subprocess.PIPE, text=True)


def _result(process: subprocess.Popen) -> dict:
    out, _ = process.communicate()
    if process.returncode != 0:
        raise SystemExit(f"a bench process failed ({process.returncode})")
    return json.loads(out.strip().splitlines()[-1])


def _same(base: list, got: list, keys: set[str]) -> dict:
    want = {tuple(p) for p in base if p[1] in keys}
    have = {tuple(p) for p in got if p[1] in keys}
    chars_want = {(p[0], p[1], i) for p in want for i in range(p[2], p[3])}
    chars_have = {(p[0], p[1], i) for p in have for i in range(p[2], p[3])}
    return {"same_passages_from_the_originals": round(len(want & have) / max(1, len(want | have)), 4),
            "same_draft_characters_from_the_originals": round(
                len(chars_want & chars_have) / max(1, len(chars_want | chars_have)), 4)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--shared", default="../shared")
    ap.add_argument("--sizes", default="2000", help="comma-separated registry sizes")
    ap.add_argument("--workers", default="1,2", help="comma-separated worker counts to run at once")
    ap.add_argument("--semantic", action="store_true", help="the semantic layer too (e5 on verified pairs)")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--out", default="bench/scale.json")
    ap.add_argument("--build", nargs=3, metavar=("SIZE", "INPUTS", "FOLDER"), help=argparse.SUPPRESS)
    ap.add_argument("--shards", type=int, default=0, help="also split each registry into this many shards")
    ap.add_argument("--work", nargs=2, metavar=("FOLDER", "DRAFTS"), help=argparse.SUPPRESS)
    ap.add_argument("--split", nargs=3, metavar=("FOLDER", "COUNT", "BASE"), help=argparse.SUPPRESS)
    ap.add_argument("--work-shards", nargs=3, metavar=("BASE", "COUNT", "DRAFTS"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.build:  # a child: the indexer
        originals, pool = pickle.loads(Path(args.build[1]).read_bytes())
        print(json.dumps(build(int(args.build[0]), originals, pool, args.seed, Path(args.build[2]))))
        return
    if args.work:  # a child: a worker
        print(json.dumps(work(Path(args.work[0]), Path(args.work[1]), args.semantic)))
        return
    if args.split:  # a child: the splitter
        print(json.dumps(split(Path(args.split[0]), int(args.split[1]), Path(args.split[2]))))
        return
    if args.work_shards:  # a child: the coordinator of shard processes
        base, count, drafts = args.work_shards
        print(json.dumps(work_shards(Path(base), int(count), Path(drafts), args.semantic)))
        return

    shared = Path(args.shared)
    records = [json.loads(line) for line in (shared / "corpus" / "metadata.jsonl").read_text().splitlines()]
    level = {r["id"]: r["level"] for r in records}
    originals, parse_s, parse_chars = _parsed_folder(shared / "corpus", lambda k: level.get(k) in CENTRAL)
    # Synthetic directives come from documents that are neither drafts here nor the
    # originals: a near-copy of a draft in the registry would answer for it.
    pool, pool_s, pool_chars = _parsed_folder(shared / "corpus-extra", lambda k: True)
    drafts = [(p.stem, parse(p.read_bytes(), with_sentences=False)) for p in sorted((shared / "corpus" / "docs")
              .glob("*.txt")) if level.get(p.stem) not in CENTRAL]
    work_dir = Path(tempfile.mkdtemp(prefix="draftctl-scale-"))
    inputs, drafts_file = work_dir / "inputs.pickle", work_dir / "drafts.pickle"
    inputs.write_bytes(pickle.dumps((originals, pool)))
    drafts_file.write_bytes(pickle.dumps(drafts))
    keys = {k for k, *_ in originals}
    semantic = ["--semantic"] if args.semantic else []
    rows = []
    try:
        for size in [len(originals)] + sorted(int(s) for s in args.sizes.split(",")):
            folder = work_dir / f"snapshot-{size}"
            row = _result(_run(["--build", str(size), str(inputs), str(folder), "--seed", str(args.seed)]))
            row["workers"] = {}
            for count in sorted(int(w) for w in args.workers.split(",")):
                started = [_run(["--work", str(folder), str(drafts_file), *semantic]) for _ in range(count)]
                results = [_result(p) for p in started]
                row["workers"][str(count)] = [{k: v for k, v in r.items() if k != "passages"} for r in results]
                row.setdefault("_passages", results[0]["passages"])
            if args.shards > 1:
                base = work_dir / f"shard-{size}"
                row["shards"] = {"count": args.shards, **_result(_run(["--split", str(folder), str(args.shards),
                                                                        str(base)]))}
                got = _result(_run(["--work-shards", str(base), str(args.shards), str(drafts_file), *semantic]))
                row["shards"].update({k: v for k, v in got.items() if k != "passages"})
                row["shards"]["same_passages_as_one_worker"] = got["passages"] == row["_passages"]
                for k in range(args.shards):
                    shutil.rmtree(f"{base}-{k}", ignore_errors=True)
            if rows:
                row.update(_same(rows[0]["_passages"], row["_passages"], keys))
            rows.append(row)
            shutil.rmtree(folder, ignore_errors=True)
            print(json.dumps({k: v for k, v in row.items() if k != "_passages"}), flush=True)
    finally:
        shutil.rmtree(work_dir, ignore_errors=True)
    for row in rows:
        row.pop("_passages")
    first = rows[0]
    one = lambda row, key: row["workers"][min(row["workers"], key=int)][0][key]  # noqa: E731
    for row in rows[1:]:
        row["growth_vs_first"] = {
            "directives": round(row["directives"] / first["directives"], 2),
            "tokens": round(row["tokens"] / first["tokens"], 2),
            "build": round(row["build_s"] / first["build_s"], 2),
            "worker_rss": round(one(row, "rss_mb") / one(first, "rss_mb"), 2),
            "draft_p50": round(one(row, "draft_p50_s") / one(first, "draft_p50_s"), 2),
            "draft_p95": round(one(row, "draft_p95_s") / one(first, "draft_p95_s"), 2),
        }
    out = {"layers": "lexical, sentence" + (", semantic" if args.semantic else ""), "drafts": len(drafts),
           "parse_chars_per_s": round((parse_chars + pool_chars) / (parse_s + pool_s)), "sizes": rows}
    Path(args.out).write_text(json.dumps(out, indent=1, ensure_ascii=False) + "\n")
    print(json.dumps(out, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()
