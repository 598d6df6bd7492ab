"""What `make run` does: `draftctl serve --demo` serves the API with the demo drafts parsed."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import time
import urllib.request

from tests.test_cli import DRAFTCTL


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str, key: str | None = None):
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {key}"} if key else {})
    with urllib.request.urlopen(request, timeout=5) as response:
        return response.status, response.read()


def test_serve_demo_answers_with_parsed_demo_drafts(tmp_path):
    port = _free_port()
    env = dict(os.environ, DRAFTCTL_DATA_DIR=str(tmp_path / "data"))
    env.pop("DRAFTCTL_DATABASE_URL", None)
    server = subprocess.Popen([DRAFTCTL, "serve", "--demo", "--port", str(port)], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                status, _ = _get(f"http://127.0.0.1:{port}/healthz")
                if status == 200:
                    break
            except OSError:
                pass
            assert server.poll() is None, server.stdout.read()
            assert time.monotonic() < deadline, "server did not start"
            time.sleep(0.3)
        assert _get(f"http://127.0.0.1:{port}/docs")[0] == 200
        keys = json.loads((tmp_path / "data" / "demo-keys.json").read_text())
        status, body = _get(f"http://127.0.0.1:{port}/api/v1/drafts", keys["drafter"])
        page = json.loads(body)
        assert status == 200 and page["total"] == 4
        assert {d["status"] for d in page["items"]} == {"parsed"}
        assert "498/KH-UBND" not in {d["reference"] for d in page["items"]}  # the seed has a blank header
        assert "/UBND-TH" in {d["reference"] for d in page["items"]}
        # the demo drafts are checked as an upload would be, paraphrase layer included
        dong_thap = next(d for d in page["items"] if d["filename"].startswith("004_"))
        status, body = _get(f"http://127.0.0.1:{port}/api/v1/drafts/{dong_thap['id']}/report", keys["drafter"])
        kinds = [p["kind"] for p in json.loads(body)["passages"]]
        assert status == 200 and "verbatim" in kinds and "paraphrase" in kinds
    finally:
        server.terminate()
        server.wait(timeout=30)
