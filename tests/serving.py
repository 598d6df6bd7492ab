"""`draftctl serve` as a user runs it: a real server process on a free port, its stderr kept."""
from __future__ import annotations

import os
import socket
import subprocess
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from tests.polling import wait_for
from tests.test_cli import DRAFTCTL


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str, key: str | None = None) -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {key}"} if key else {})
    with urllib.request.urlopen(request, timeout=5) as response:
        return response.status, response.read()


def _healthy(base: str) -> bool:
    try:
        return get(f"{base}/healthz")[0] == 200
    except OSError:
        return False


@contextmanager
def serving(data_dir: Path, log: Path, *args: str, timeout: float = 180) -> Iterator[str]:
    """Run `draftctl serve [args]` on an embedded store in `data_dir`; yields its base URL.
    Its output (JSON lines) goes to `log`."""
    port = free_port()
    env = dict(os.environ, DRAFTCTL_DATA_DIR=str(data_dir))
    env.pop("DRAFTCTL_DATABASE_URL", None)
    env.pop("DRAFTCTL_BROKER_URL", None)
    base = f"http://127.0.0.1:{port}"
    with log.open("w") as out:
        server = subprocess.Popen([DRAFTCTL, "serve", "--port", str(port), *args], env=env, stdout=out,
                                  stderr=subprocess.STDOUT, text=True)
        try:
            def started() -> bool:
                assert server.poll() is None, log.read_text()[-3000:]
                return _healthy(base)

            wait_for(started, timeout=timeout, interval=0.3, what="the server to start")
            yield base
        finally:
            server.terminate()
            server.wait(timeout=30)


def post_file(url: str, key: str, field: str, path: Path, **fields: str) -> tuple[int, bytes]:
    """POST one file and some form fields as multipart, as a browser or curl would."""
    boundary = "draftctl-test-boundary"
    parts = [f"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n".encode()
             for name, value in fields.items()]
    parts.append(f"--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{path.name}\"\r\n"
                 "Content-Type: application/octet-stream\r\n\r\n".encode() + path.read_bytes() + b"\r\n")
    body = b"".join(parts) + f"--{boundary}--\r\n".encode()
    request = urllib.request.Request(url, data=body, method="POST", headers={
        "Authorization": f"Bearer {key}", "Content-Type": f"multipart/form-data; boundary={boundary}"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return response.status, response.read()
