"""Schemathesis against the running gateway's /openapi.json: every operation, positive and
negative examples, every check, a real embedded store. The API must answer only what it
documents, in the content types and shapes it documents, and never fail."""
from __future__ import annotations

import shutil
import subprocess
import sys
import urllib.request
from pathlib import Path

from tests.conftest import shared
from tests.serving import serving
from tests.test_cli import run

EXAMPLES = 25  # per operation: bounded, so the suite stays short
CONFIG = Path(__file__).with_name("schemathesis.toml")
SCHEMATHESIS = shutil.which("schemathesis", path=str(Path(sys.executable).parent)) or "schemathesis"


def _upload_draft(base: str, key: str) -> None:
    """One checked draft in the store, so that ids the generator tries can exist."""
    body = shared("seeds", "003_e22e6fd817a95a82.txt").read_bytes()
    boundary = "schemathesis-seed"
    form = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"agency\"\r\n\r\nUBND-ST\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"seed.txt\"\r\n"
            f"Content-Type: text/plain\r\n\r\n").encode() + body + f"\r\n--{boundary}--\r\n".encode()
    request = urllib.request.Request(f"{base}/api/v1/drafts", data=form, method="POST", headers={
        "Authorization": f"Bearer {key}", "Content-Type": f"multipart/form-data; boundary={boundary}"})
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 202


def test_the_served_api_answers_only_what_it_documents(tmp_path):
    data = tmp_path / "data"
    assert run("agencies", "add", "UBND-ST", "--name", "UBND tỉnh", "--level", "provincial_government",
               data_dir=data).returncode == 0
    created = run("keys", "create", "--role", "admin", "--name", "schemathesis", data_dir=data)
    assert created.returncode == 0, created.stderr
    key = created.stdout.strip().splitlines()[-1]
    with serving(data, tmp_path / "server.log") as base:
        _upload_draft(base, key)
        done = subprocess.run(
            [SCHEMATHESIS, "--config-file", str(CONFIG), "run", f"{base}/openapi.json", "--checks", "all",
             "--mode", "all", "--max-examples", str(EXAMPLES), "--seed", "226", "--workers", "1",
             "--header", f"Authorization: Bearer {key}", "--request-timeout", "60", "--no-color",
             "--generation-database", "none", "--generation-with-security-parameters", "false", "--report", "junit", "--report-dir", str(tmp_path / "report")],
            capture_output=True, text=True, timeout=600, cwd=tmp_path)
    assert done.returncode == 0, done.stdout[-12000:] + done.stderr[-3000:]
