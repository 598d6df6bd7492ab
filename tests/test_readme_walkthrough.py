"""The README's walk-through, run verbatim against `draftctl serve --demo` (what `make run`
serves): every command in it succeeds and says what the README says it does."""
from __future__ import annotations

import os
import re
import shutil
import subprocess

import pytest

from services.gateway.demo import LAST_YEAR_ISSUED, this_year_days
from services.register.service import today
from tests.conftest import ROOT
from tests.serving import serving


def _walkthrough() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    match = re.search(r"<!-- walkthrough:.*?-->\n```sh\n(.*?)```", readme, re.S)
    assert match, "the README has lost its walk-through block"
    return match.group(1)


@pytest.mark.skipif(not (shutil.which("curl") and shutil.which("jq")), reason="the walk-through needs curl and jq")
def test_the_readme_walkthrough_runs_verbatim_against_the_demo(tmp_path):
    data = tmp_path / "data"
    work = tmp_path / "work"
    work.mkdir()
    (work / "examples").symlink_to(ROOT / "examples")  # the walk-through runs from the repository root
    with serving(data, tmp_path / "server.log", "--demo") as base:
        env = dict(os.environ, PORT=base.rsplit(":", 1)[1], DRAFTCTL_DATA_DIR=str(data))
        done = subprocess.run(["bash", "-euo", "pipefail", "-c", _walkthrough()], cwd=work, env=env,
                              capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
    out = done.stdout
    assert '"verdict": "review"' in out or '"verdict": "return"' in out
    assert '"226-KL/TW"' in out  # the passages name the directive they copy
    assert '"returned"' in out and '"resubmit"' in out and '"approved"' in out
    assert re.search(r'"reference":"15/KH-UBND"', out)
    assert re.findall(r"^\d+ (\w+) (\w+)$", out, re.M) == [
        ("submit", "drafter"), ("return", "reviewer"), ("resubmit", "drafter"), ("approve", "reviewer"),
        ("issue", "drafter")]
    assert '"registered":4' in out and '"agencies_created":["UBND-XA-TL"]' in out
    issued = len(this_year_days(today())) + 1  # the demo's register this year, and the plan just issued
    target = LAST_YEAR_ISSUED * 85 // 100
    assert f'{{"baseline":{LAST_YEAR_ISSUED},"target_max":{target},"issued":{issued},"remaining":{target - issued}}}' in out
    assert '{"baseline":3,"target_max":2}' in out  # the commune: three counted last year (a QPPL is not)
    assert (work / "ban-hanh.xlsx").stat().st_size > 1000
