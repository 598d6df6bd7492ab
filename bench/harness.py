"""What the benches share: the services they run against, starting and stopping draftctl
processes with bounded waits, and merging a bench's figures into bench/results.json.

Imported by the bench scripts, which run as `python bench/NAME.py` (this folder on the path).
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable

PG_BASE = os.environ.get("DRAFTCTL_BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REDIS = os.environ.get("DRAFTCTL_BENCH_REDIS", "redis://127.0.0.1:6379/12")
DRAFTCTL = str(Path(sys.executable).with_name("draftctl"))


def merge_results(out: Path, figures: dict) -> None:
    """Write `figures` into the results file, keeping what the other benches wrote there."""
    out = Path(out)
    results = json.loads(out.read_text()) if out.exists() else {}
    out.write_text(json.dumps({**results, **figures}, indent=2, ensure_ascii=False) + "\n")


def wait(ready: Callable[[], object], *, timeout: float, what: str, interval: float = 0.2,
          alive: Callable[[], None] = lambda: None):
    """Poll `ready` until it returns something true, for at most `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        alive()
        value = ready()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what}: not done after {timeout:.0f} s")
        time.sleep(interval)


def start(command: list[str], env: dict, log: Path) -> subprocess.Popen:
    return subprocess.Popen(command, env=env, start_new_session=True, stdout=log.open("w"), stderr=subprocess.STDOUT)


def stop(procs: list[subprocess.Popen]) -> None:
    for proc in procs:
        if proc.poll() is None:
            proc.terminate()
    for proc in procs:
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:  # its own session: the worker and its pool child
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


def alive(procs: list[subprocess.Popen], logs: list[Path]) -> Callable[[], None]:
    def check() -> None:
        for proc, log in zip(procs, logs):
            if proc.poll() is not None:
                raise RuntimeError(f"{' '.join(proc.args[1:2])} exited ({proc.returncode}): {log.read_text()[-2000:]}")
    return check


def start_workers(env: dict, n: int, logs: Path) -> list[subprocess.Popen]:
    procs = [start([DRAFTCTL, "worker", "--concurrency", "1"], env, logs / f"worker{i}.log") for i in range(n)]
    files = [logs / f"worker{i}.log" for i in range(n)]
    wait(lambda: all("ready." in f.read_text() for f in files), timeout=120, interval=0.5,
          what="workers starting", alive=alive(procs, files))
    return procs
