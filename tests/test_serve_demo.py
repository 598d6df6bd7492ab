"""What `make run` does: `draftctl serve --demo` serves the API with the demo drafts parsed."""
from __future__ import annotations

import json

from tests.serving import get as _get
from tests.serving import serving


def test_serve_demo_answers_with_parsed_demo_drafts(tmp_path):
    with serving(tmp_path / "data", tmp_path / "server.log", "--demo") as base:
        assert _get(f"{base}/docs")[0] == 200
        keys = json.loads((tmp_path / "data" / "demo-keys.json").read_text())
        status, body = _get(f"{base}/api/v1/drafts", keys["drafter"])
        page = json.loads(body)
        assert status == 200 and page["total"] == 4
        assert {d["status"] for d in page["items"]} == {"parsed"}
        assert "498/KH-UBND" not in {d["reference"] for d in page["items"]}  # the seed has a blank header
        assert "/UBND-TH" in {d["reference"] for d in page["items"]}
        # the demo drafts are checked as an upload would be, paraphrase layer included
        dong_thap = next(d for d in page["items"] if d["filename"].startswith("004_"))
        status, body = _get(f"{base}/api/v1/drafts/{dong_thap['id']}/report", keys["drafter"])
        kinds = [p["kind"] for p in json.loads(body)["passages"]]
        assert status == 200 and "verbatim" in kinds and "paraphrase" in kinds
