"""The `draftctl` command line (typer + rich)."""
from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from typer.core import TyperCommand

from services.common.errors import BadDocument, DraftctlError
from services.common.models import AgencyLevel, Role

app = typer.Typer(help="draftctl: drafting control for Vietnamese administrative documents.", no_args_is_help=True)
keys_app = typer.Typer(help="API keys.", no_args_is_help=True)
agencies_app = typer.Typer(help="Agencies.", no_args_is_help=True)
db_app = typer.Typer(help="The database.", no_args_is_help=True)
report_app = typer.Typer(help="Periodic reports.", no_args_is_help=True)
model_app = typer.Typer(help="The common-phrase model.", no_args_is_help=True)
index_app = typer.Typer(help="The directive index.", no_args_is_help=True)
app.add_typer(keys_app, name="keys")
app.add_typer(agencies_app, name="agencies")
app.add_typer(db_app, name="db")
app.add_typer(report_app, name="report")
app.add_typer(model_app, name="model")
app.add_typer(index_app, name="index")

err = Console(stderr=True)


def _fail(message: str, code: int = 1) -> None:
    err.print(f"[red]error:[/red] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def _store():
    from services.common.db import make_engine, session_factory
    from services.common.migrate import upgrade
    from services.common.settings import get_settings

    settings = get_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    upgrade(settings.effective_database_url)
    return settings, session_factory(make_engine(settings.effective_database_url))


@app.command()
def parse(
    files: Annotated[list[Path], typer.Argument(help="documents (.docx, .doc, .odt, .pdf, .txt, page scans "
                                                     ".png/.jpg/.tiff) or folders of them")],
    as_json: Annotated[bool, typer.Option("--json", help="print the ParsedDocument as JSON (an array of "
                                                          "{file, parsed | error} for several files)")] = False,
    with_text: Annotated[bool, typer.Option("--text/--no-text", help="include the text in the JSON")] = True,
) -> None:
    """Parse documents: metadata, citations, units, sentences. A file that cannot be read is
    reported with its reason and the others go on; the exit status is 1 if any failed."""
    from services.ingest.pipeline import parse as parse_bytes

    paths = _document_paths(files)
    if not paths:
        _fail("no documents found")
    single = len(paths) == 1 and not files[0].is_dir()
    results: list[dict] = []
    out = Console()
    for path in paths:
        try:
            parsed = parse_bytes(path.read_bytes(), path.name)
        except OSError as exc:
            results.append({"file": str(path), "reason": "Unreadable file", "error": exc.strerror or str(exc)})
        except DraftctlError as exc:
            results.append({"file": str(path), "reason": exc.title, "error": exc.detail})
        else:
            results.append({"file": str(path), "parsed": parsed.to_json(include_text=with_text)})
            if not as_json:
                _print_parsed(out, path, parsed, heading=not single)
    failed = [r for r in results if "error" in r]
    if single and failed:
        _fail(f"{failed[0]['file']}: {failed[0]['error']}")
    if as_json:
        body = results[0]["parsed"] if single else results
        sys.stdout.write(json.dumps(body, ensure_ascii=False, indent=2) + "\n")
    if failed:
        _print_skipped(err, failed)
        for r in failed:
            err.print(f"[red]{r['file']}[/red]: {r['error']}", highlight=False)
        raise typer.Exit(1)


def _print_skipped(console: Console, errors: list[dict], *, indent: str = "") -> None:
    """How many files a batch skipped, by reason, most frequent first."""
    for reason, count in Counter(e.get("reason", "Error") for e in errors).most_common():
        console.print(f"{indent}skipped {count}: {reason}")


def _print_parsed(out: Console, path: Path, parsed, *, heading: bool) -> None:
    md = parsed.metadata
    if heading:
        out.print(f"[bold]{path}[/bold]", highlight=False)
    out.print(f"[bold]{md.doc_type or 'Văn bản'}[/bold] {md.reference or '(no số ký hiệu)'}  {md.date or ''}  {md.place or ''}")
    out.print(f"issuer: {md.issuer or '-'}")
    out.print(f"subject: {md.subject or '-'}")
    if parsed.ocr:
        out.print(f"read by OCR: {len(parsed.ocr['pages'])} page(s), mean confidence {parsed.ocr['mean_confidence']}")
    out.print(f"citations ({len(parsed.citations)}):")
    for ref in sorted({c.reference for c in parsed.citations}):
        out.print(f"  - {ref}")
    out.print(f"units: {len(parsed.units)}  sentences: {len(parsed.sentences)}")


def _document_paths(paths: list[Path]) -> list[Path]:
    """Files given, and the documents inside folders given (by their suffix)."""
    from services.ingest.sniff import DOCUMENT_SUFFIXES

    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            out.extend(sorted(p for p in path.rglob("*") if p.suffix.lower() in DOCUMENT_SUFFIXES and p.is_file()))
        elif path.is_file():
            out.append(path)
        else:
            _fail(f"{path}: no such file or folder")
    return out


class _SourcesCommand(TyperCommand):
    """`--sources A B C` takes every path up to the next option, as `--sources A --sources B
    --sources C` would: the drafts follow another option or `--`."""

    def parse_args(self, ctx, args):
        return super().parse_args(ctx, greedy_option(args, "--sources"))


def greedy_option(args: list[str], flag: str) -> list[str]:
    """Repeat `flag` before each value that follows it up to the next option."""
    out, greedy = [], False
    for arg in args:
        if arg == flag:
            greedy = True
            continue
        if arg.startswith("-"):
            greedy = False
        out.extend([flag, arg] if greedy else [arg])
    return out


def _read_pairs(path: Path) -> dict[str, set[str]]:
    """Draft file name -> the source file names it is checked against."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        _fail(f"cannot read the pairs file {path}: {exc}")
    out: dict[str, set[str]] = {}
    for number, line in enumerate(lines, start=1):
        fields = line.split()
        if not fields:
            continue
        if len(fields) != 2:
            _fail(f"{path}, line {number}: expected 'DRAFT SOURCE' (two file names), got {line!r}")
        out.setdefault(Path(fields[0]).name, set()).add(Path(fields[1]).name)
    return out


@app.command(cls=_SourcesCommand)
def detect(
    drafts: Annotated[Optional[list[Path]], typer.Argument(
        help="drafts: files or folders of .txt/.docx/.pdf (after another option or --)")] = None,
    sources: Annotated[Optional[list[Path]], typer.Option(
        "--sources", help="higher-level documents: one or more files or folders (the flag may repeat)")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print the JSON array of reports")] = False,
    semantic: Annotated[bool, typer.Option("--semantic/--no-semantic", help="the paraphrase layer")] = True,
    pairs: Annotated[Optional[Path], typer.Option(
        "--pairs", help="a file of 'DRAFT SOURCE' file-name lines: check each draft against its sources only "
                        "(PAN's candidate pairs)")] = None,
) -> None:
    """Find passages of the drafts copied from the sources (every source counts as higher-level).

    A draft that cannot be read gets an entry with its `error` and no passages; the others
    are checked, and the exit status is 1. With --pairs, a draft the file does not name is
    checked against no source.
    """
    from rich.progress import Progress

    from services.analyzer.detect import DetectParams, detect as detect_one, index_document
    from services.analyzer.index import DirectiveIndex
    from services.ingest.pipeline import parse as parse_bytes

    if not sources:
        _fail("no sources given (--sources FILE_OR_FOLDER ...)")
    if not drafts:
        _fail("no drafts given: every path after --sources is a source; put the drafts after another option "
              "or after --, e.g. draftctl detect --sources A B -- DRAFT")
    source_paths, draft_paths = _document_paths(sources), _document_paths(drafts)
    if not source_paths:
        _fail("no source documents found in the --sources paths")
    if not draft_paths:
        _fail("no drafts found")
    paired = _read_pairs(pairs) if pairs is not None else None
    index = DirectiveIndex()
    numbers: dict[str, int] = {}  # source file name -> its number in the index
    layer = None
    if semantic:
        from services.analyzer.semantic import SemanticLayer

        layer = SemanticLayer.default()
    reports, failed = [], 0
    with Progress(console=err, transient=True) as progress:
        task = progress.add_task("indexing sources", total=len(source_paths))
        for path in source_paths:
            try:
                numbers[path.name] = index_document(index, key=str(path), parsed=parse_bytes(_read(path), path.name))
            except DraftctlError as exc:
                failed += 1
                err.print(f"[yellow]skipped source[/yellow] {path}: {exc.detail}", highlight=False, soft_wrap=True)
            progress.advance(task)
        task = progress.add_task("checking drafts", total=len(draft_paths))
        for path in draft_paths:
            try:
                parsed = parse_bytes(_read(path), path.name)
            except DraftctlError as exc:
                failed += 1
                err.print(f"[yellow]skipped draft[/yellow] {path}: {exc.detail}", highlight=False, soft_wrap=True)
                reports.append({"draft": str(path), "error": exc.detail, "copied_ratio": None, "passages": []})
            else:
                allowed = None if paired is None else {numbers[n] for n in paired.get(path.name, ()) if n in numbers}
                reports.append(detect_one(parsed, index, key=str(path), params=DetectParams(semantic=semantic),
                                          semantic=layer, allowed=allowed).to_json())
            progress.advance(task)
    if as_json:
        sys.stdout.write(json.dumps(reports, ensure_ascii=False, indent=1) + "\n")
    else:
        out = Console()
        for report in reports:
            if "error" in report:
                out.print(f"[bold]{report['draft']}[/bold]: [red]not checked[/red]: {report['error']}", highlight=False)
                continue
            out.print(f"[bold]{report['draft']}[/bold]: copied {report['copied_ratio']:.1%}, verdict {report['verdict']}")
            for p in report["passages"]:
                out.print(f"  {p['kind']:10s} draft {p['draft_start']}-{p['draft_end']}  <- {p['source']} "
                          f"{p['source_start']}-{p['source_end']}  lexical {p['lexical']}")
    if failed:
        err.print(f"{failed} file(s) could not be read; see above", highlight=False, soft_wrap=True)
        raise typer.Exit(1)


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise BadDocument(f"cannot read the file: {exc.strerror or exc}") from exc


@model_app.command("build")
def model_build(
    corpus: Annotated[list[Path], typer.Option("--corpus", help="a folder (or file) of reference documents; repeat")],
    out: Annotated[Path, typer.Option("--out", help="where to write the model")] = Path("models/phrases.npz"),
) -> None:
    """Build the common-phrase model from a reference corpus of real administrative documents:
    the independent uses of every shingle, and the sentences holding every word (the
    sentences and words the registry's sentence table reads: headers, footers and legal
    bases left out)."""
    from rich.progress import Progress

    from services.analyzer import phrases, sentences
    from services.analyzer.detect import analysis_tokens
    from services.analyzer.tokens import words_of
    from services.analyzer.wordstats import WordStats
    from services.ingest.pipeline import analyse, extract

    paths = _document_paths(corpus)
    if not paths:
        _fail("no documents found in the --corpus paths")
    skipped = 0
    word_figures = []
    params = sentences.SentenceParams()

    def documents():
        nonlocal skipped
        with Progress(console=err, transient=True) as progress:
            task = progress.add_task("counting phrases and words", total=len(paths))
            for path in paths:
                try:
                    parsed = analyse(extract(_read(path)), with_sentences=False)
                    tokens, bounds = analysis_tokens(parsed, as_source=True)
                    word_figures.append(sentences.document_stats(tokens, bounds, params))
                    yield words_of(parsed.norm.text)
                except DraftctlError as exc:
                    skipped += 1
                    err.print(f"[yellow]skipped[/yellow] {path}: {exc.detail}", highlight=False, soft_wrap=True)
                progress.advance(task)

    roots = sorted({str(p) for p in corpus})
    model = phrases.count(documents(), info={"corpus": roots})
    model = model.with_words(WordStats.total(word_figures))
    try:
        model.save(out)
    except OSError as exc:
        _fail(f"{out}: {exc.strerror or exc}")
    err.print(f"{out}: {model.documents} documents, {len(model.hashes)} common shingles, "
              f"{len(model.words.hashes)} words in {model.words.sentences} sentences"
              + (f", {skipped} skipped" if skipped else ""), highlight=False, soft_wrap=True)


@index_app.command("snapshot")
def index_snapshot(
    out: Annotated[Optional[Path], typer.Option("--out", help="the snapshot folder; default: the "
                                                "DRAFTCTL_INDEX_SNAPSHOT setting")] = None,
) -> None:
    """Write the registry's index as files that workers memory-map (replacing an older snapshot).

    Workers started with DRAFTCTL_INDEX_SNAPSHOT set map it and load from the database only
    the directives registered after it; run this again (nightly) to take those in."""
    import time

    from services.analyzer.snapshot import SnapshotError, manifest
    from services.directives.registry import LoadedIndex, write_snapshot

    settings, factory = _store()
    folder = out or settings.index_snapshot
    if folder is None:
        _fail("give --out or set DRAFTCTL_INDEX_SNAPSHOT")
    if folder.exists() and (not folder.is_dir()
                            or not (folder / "manifest.json").exists() and any(folder.iterdir())):
        _fail(f"{folder} holds files that are not an index snapshot; choose an empty or new folder")
    base = None
    if (folder / "manifest.json").exists():
        try:
            manifest(folder)
            base = folder  # start from it: only directives registered since are read from the database
        except SnapshotError as exc:
            err.print(f"[yellow]replacing[/yellow] {exc}", highlight=False, soft_wrap=True)
    started = time.perf_counter()
    try:
        info = write_snapshot(settings=settings.model_copy(update={"index_snapshot": folder}), factory=factory,
                              loaded=LoadedIndex(None, base))
    except OSError as exc:
        _fail(f"{folder}: {exc.strerror or exc}")
    Console().print(f"{folder}: {info['directives']} directives, {info['tokens']} tokens, {info['shingles']} "
                    f"shingles, {info['sentences']} sentences ({time.perf_counter() - started:.1f} s)",
                    highlight=False, soft_wrap=True)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="address to bind")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port")] = 8000,
    demo: Annotated[bool, typer.Option("--demo", help="load the demo documents and keys first")] = False,
) -> None:
    """Run the gateway (API on /api/v1, docs on /docs)."""
    import uvicorn

    from services.gateway.app import create_app

    from services.common.logs import configure

    configure()
    if demo:  # for a person at the console (make run); a production server logs JSON lines only
        _load_demo()
        err.print(f"open http://{host}:{port}/ and sign in with a key above; the API: http://{host}:{port}/docs",
                  highlight=False, soft_wrap=True)
    # log_config=None: uvicorn keeps the JSON handlers configure() gave its loggers.
    uvicorn.run(create_app(), host=host, port=port, log_level="info", log_config=None)


@app.command()
def worker(
    queues: Annotated[str, typer.Option(help="comma-separated: ingest, analyze (none with --shard alone)")] = "",
    shard: Annotated[list[int] | None, typer.Option(
        help="serve this shard of a split registry (DRAFTCTL_INDEX_SHARDS); repeat for several")] = None,
    concurrency: Annotated[int, typer.Option(help="worker processes")] = 1,
    loglevel: Annotated[str, typer.Option(help="log level")] = "info",
) -> None:
    """Run a Celery worker (needs DRAFTCTL_BROKER_URL, e.g. redis://127.0.0.1:6379/0)."""
    import os

    from services.common.settings import get_settings

    settings = get_settings()
    if not settings.broker_url:
        _fail("set DRAFTCTL_BROKER_URL (e.g. redis://127.0.0.1:6379/0) to run workers")
    named = [q.strip() for q in queues.split(",") if q.strip()] or ([] if shard else ["ingest", "analyze"])
    unknown = set(named) - {"ingest", "analyze"}
    if unknown:
        _fail(f"unknown queue(s): {', '.join(sorted(unknown))}; the queues are ingest and analyze "
              "(a shard's queue comes with --shard)")
    shards = sorted(set(shard or []))
    if shards:
        if settings.index_shards < 2:
            _fail("--shard needs a split registry: set DRAFTCTL_INDEX_SHARDS to 2 or more on every process")
        if shards[-1] >= settings.index_shards or shards[0] < 0:
            _fail(f"the registry has {settings.index_shards} shards (DRAFTCTL_INDEX_SHARDS), numbered from 0")
        if "analyze" in named:
            # a check waits for every shard's answer: the worker that waits must not be the one to answer
            _fail("serve shards on workers of their own, not on an analyze worker")
        os.environ["DRAFTCTL_INDEX_SHARD"] = ",".join(map(str, shards))
        get_settings.cache_clear()
    _store()  # migrations before the first task
    from services.common.logs import configure
    from services.worker.celery_app import celery, shard_queue

    configure(loglevel)
    all_queues = ",".join(named + [shard_queue(k) for k in shards])
    celery.worker_main(["worker", "-Q", all_queues, "-c", str(concurrency), "-l", loglevel, "-P", "prefork",
                        "--without-gossip", "--without-mingle"])


@app.command()
def beat(loglevel: Annotated[str, typer.Option(help="log level")] = "info") -> None:
    """Run the single scheduler (celery beat, Asia/Ho_Chi_Minh): the recovery sweep."""
    from services.common.settings import get_settings

    settings = get_settings()
    if not settings.broker_url:
        _fail("set DRAFTCTL_BROKER_URL to run the scheduler")
    from services.worker.celery_app import celery

    schedule = settings.data_dir / "celerybeat-schedule"
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    celery.start(["beat", "-l", loglevel, "-s", str(schedule)])


@app.command()
def scan(
    since: Annotated[Optional[str], typer.Option(help="re-check documents stored since YYYY-MM-DD")] = None,
    on_workers: Annotated[bool, typer.Option("--on-workers", help="fan the scan out over the Celery workers "
                                             "(needs DRAFTCTL_BROKER_URL) and follow it here")] = False,
) -> None:
    """Scan the archive now: import dropped files, re-check issued documents against new directives."""
    import re as _re

    from rich.progress import Progress

    if since and not _re.fullmatch(r"\d{4}-\d{2}-\d{2}", since):
        _fail(f"--since wants a date as YYYY-MM-DD, not {since!r}")
    settings, factory = _store()
    if on_workers and not settings.broker_url:
        _fail("--on-workers needs DRAFTCTL_BROKER_URL (the workers' broker)")
    with Progress(console=err) as bar:
        try:
            result = _scan_on_workers(settings, factory, since, bar) if on_workers \
                else _scan_here(settings, factory, since, bar)
        except DraftctlError as exc:
            _fail(exc.detail)
    Console().print(f"scan {result.scan_id}: {result.documents_seen} seen, {result.documents_imported} imported, "
                    f"{result.directives_new} new directives, {result.new_findings} new findings, "
                    f"{len(result.errors)} errors")
    _print_skipped(Console(), result.errors, indent="  ")
    for error in result.errors:
        Console().print(f"  [yellow]error[/yellow] {error}")
    if getattr(result, "failed", False):
        _fail(f"scan {result.scan_id} failed: a chunk task did not finish (see the errors above and the worker log)")


def _scan_here(settings, factory, since, bar):
    from services.worker.scan import run_scan

    tasks: dict[str, int] = {}

    def progress(stage: str, done: int, total: int) -> None:
        if stage not in tasks:
            tasks[stage] = bar.add_task({"import": "importing archive", "recheck": "re-checking"}[stage], total=total)
        bar.update(tasks[stage], completed=done)

    return run_scan(settings=settings, factory=factory, since=since, progress=progress)


def _scan_on_workers(settings, factory, since, bar):
    """Start the fanned-out scan and follow its record until the chord's callback closes it."""
    import time

    from services.common.models import Scan
    from services.worker.celery_app import start_scan_on_workers
    from services.worker.scan import ScanResult

    try:
        plan = start_scan_on_workers(settings=settings, factory=factory, since=since)
    except DraftctlError:
        raise
    except Exception as exc:
        _fail(f"could not reach the broker to start the scan: {exc}")
    task = bar.add_task("scan chunks on workers", total=None)
    while True:
        with factory() as db:
            record = db.get(Scan, plan.scan_id)
            bar.update(task, total=record.chunks_total or None, completed=record.chunks_done)
            if record.state != "running":
                return ScanResult(scan_id=record.id, documents_seen=record.documents_seen,
                                  documents_imported=record.documents_imported, directives_new=record.directives_new,
                                  new_findings=record.new_findings, errors=list(record.errors),
                                  failed=record.state == "failed")
        time.sleep(1)


@report_app.command("issuance")
def report_issuance(
    period: Annotated[str, typer.Option(help="YYYY, YYYY-Q1..Q4 or YYYY-H1/H2, e.g. 2026-H1")],
    out: Annotated[Path, typer.Option(help="the file to write: .xlsx, .csv or .json")],
) -> None:
    """The issuance report for the Sở Nội vụ: one row per agency, issued vs. the 15% target."""
    from services.register.export import report_csv, report_xlsx
    from services.register.service import Period, period_report

    writers = {".xlsx": report_xlsx, ".csv": lambda r: report_csv(r).encode("utf-8"),
               ".json": lambda r: json.dumps(r, ensure_ascii=False, indent=2).encode("utf-8")}
    if out.suffix.lower() not in writers:
        _fail(f"--out must end in .xlsx, .csv or .json, not {out.name!r}")
    try:
        chosen = Period.parse(period)
    except DraftctlError as exc:
        _fail(exc.detail)
    _, factory = _store()
    with factory() as db:
        report = period_report(db=db, period=chosen)
    out.write_bytes(writers[out.suffix.lower()](report))
    Console().print(f"{out}: {len(report['rows'])} agencies, {report['province']['issued_in_period']} documents "
                    f"issued in {period}")


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply the migrations to DRAFTCTL_DATABASE_URL (or the embedded SQLite)."""
    settings, _ = _store()
    Console().print(f"database at head: {settings.effective_database_url}")


@agencies_app.command("add")
def agencies_add(
    code: Annotated[str, typer.Argument(help="short code, e.g. UBND-LS")],
    name: Annotated[str, typer.Option(help="full name")],
    level: Annotated[AgencyLevel, typer.Option(help="issuing level")],
) -> None:
    """Register an agency (or leave an existing one as it is)."""
    from services.agencies.service import ensure_agency
    from services.common.db import unit_of_work

    _, factory = _store()
    try:
        with unit_of_work(factory) as db:
            agency, _ = ensure_agency(db=db, code=code, name=name, level=level)
            Console().print(f"{agency.code}\t{agency.name}\t{agency.level.value}", highlight=False)
    except DraftctlError as exc:
        _fail(exc.detail)


@keys_app.command("create")
def keys_create(
    role: Annotated[Role, typer.Option(help="drafter, reviewer or admin")],
    agency: Annotated[Optional[str], typer.Option(help="agency code (required for drafters)")] = None,
    name: Annotated[Optional[str], typer.Option(help="a label for the key")] = None,
    days: Annotated[Optional[int], typer.Option(help="the key expires after this many days (default: never)")] = None,
) -> None:
    """Create an API key; the key itself is printed once, as the last line."""
    from services.agencies.service import create_key
    from services.common.db import unit_of_work

    _, factory = _store()
    try:
        with unit_of_work(factory) as db:
            key, plain = create_key(db=db, role=role, agency_code=agency, name=name, days=days)
    except DraftctlError as exc:
        _fail(exc.detail)
    expiry = f", expires {key.expires_at:%Y-%m-%d %H:%M} UTC" if key.expires_at else ""
    err.print(f"created {role.value} key {key.id} {key.prefix}… ({key.name}{expiry}); store it now, "
              "it is not shown again", highlight=False)
    print(plain)


@keys_app.command("list")
def keys_list() -> None:
    """Every key: id, prefix, role, agency, state, expiry (the keys themselves are never stored)."""
    from rich.table import Table

    from services.agencies.service import key_state, list_keys

    _, factory = _store()
    table = Table("id", "prefix", "name", "role", "agency", "state", "created", "expires")
    with factory() as db:
        for key in list_keys(db=db):
            table.add_row(str(key.id), key.prefix, key.name, key.role.value, key.agency.code if key.agency else "",
                          key_state(key), f"{key.created_at:%Y-%m-%d}",
                          f"{key.expires_at:%Y-%m-%d}" if key.expires_at else "never")
    Console().print(table)


@keys_app.command("revoke")
def keys_revoke(key_id: Annotated[int, typer.Argument(help="the key's id (draftctl keys list)")]) -> None:
    """Revoke a key: from now on every request with it is refused."""
    from services.agencies.service import revoke_key
    from services.common.db import unit_of_work

    _, factory = _store()
    try:
        with unit_of_work(factory) as db:
            key = revoke_key(db=db, key_id=key_id)
            Console().print(f"revoked key {key.id} {key.prefix}… ({key.name})", highlight=False)
    except DraftctlError as exc:
        _fail(exc.detail)


@app.command()
def demo() -> None:
    """Load the demo documents (examples/) and print demo API keys."""
    _load_demo()


def _load_demo() -> None:
    from services.analyzer.semantic import SemanticLayer
    from services.gateway.demo import load_demo

    settings, factory = _store()
    summary = load_demo(settings=settings, factory=factory, semantic=SemanticLayer.default(settings))
    out = Console(stderr=True)
    out.print(f"demo: {summary['directives']} directives, {summary['drafts']} drafts")
    for role, key in summary["keys"].items():
        out.print(f"  {role:8s} key: {key}")


def main() -> None:  # pragma: no cover
    app()
