"""Schemathesis against the running gateway's /openapi.json: every operation, positive and
negative examples, every check, a real embedded store. The API must answer only what it
documents, in the content types and shapes it documents, and never fail."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import shared
from tests.serving import post_file, serving
from tests.test_cli import run

EXAMPLES = 25  # per operation: bounded, so the suite stays short
CONFIG = Path(__file__).with_name("schemathesis.toml")
SCHEMATHESIS = shutil.which("schemathesis", path=str(Path(sys.executable).parent)) or "schemathesis"


def test_the_served_api_answers_only_what_it_documents(tmp_path):
    data = tmp_path / "data"
    assert run("agencies", "add", "UBND-ST", "--name", "UBND tỉnh", "--level", "provincial_government",
               data_dir=data).returncode == 0
    created = run("keys", "create", "--role", "admin", "--name", "schemathesis", data_dir=data)
    assert created.returncode == 0, created.stderr
    key = created.stdout.strip().splitlines()[-1]
    with serving(data, tmp_path / "server.log") as base:
        # One checked draft in the store, so that ids the generator tries can exist.
        status, _ = post_file(f"{base}/api/v1/drafts", key, "file", shared("seeds", "003_e22e6fd817a95a82.txt"),
                              agency="UBND-ST")
        assert status == 202
        done = subprocess.run(
            [SCHEMATHESIS, "--config-file", str(CONFIG), "run", f"{base}/openapi.json", "--checks", "all",
             "--mode", "all", "--max-examples", str(EXAMPLES), "--seed", "226", "--workers", "1",
             "--header", f"Authorization: Bearer {key}", "--request-timeout", "60", "--no-color",
             "--generation-database", "none", "--generation-with-security-parameters", "false", "--report", "junit", "--report-dir", str(tmp_path / "report")],
            capture_output=True, text=True, timeout=600, cwd=tmp_path)
    assert done.returncode == 0, done.stdout[-12000:] + done.stderr[-3000:]
