"""The pages without a browser: sign-in, CSRF, and a new API key shown once, never stored."""
from __future__ import annotations

import base64
import re

from tests.gateway.test_api import api, settings  # noqa: F401 (fixtures)


def _csrf(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def _signed_in(api, who: str) -> str:
    token = _csrf(api.get("/sign-in").text)
    plain = api.keys[who]["Authorization"].split()[1]
    assert api.post("/sign-in", data={"csrf": token, "api_key": plain}, follow_redirects=False).status_code == 303
    return _csrf(api.get("/drafts").text)


def _cookie_payload(response) -> str:
    cookie = response.headers.get("set-cookie", "")
    value = cookie.split("draftctl_session=", 1)[1].split(";", 1)[0] if "draftctl_session=" in cookie else ""
    data = value.split(".", 1)[0]
    return base64.b64decode(data + "=" * (-len(data) % 4)).decode("utf-8", "replace") if data else ""


def test_a_wrong_key_does_not_sign_in(api):
    token = _csrf(api.get("/sign-in").text)
    refused = api.post("/sign-in", data={"csrf": token, "api_key": "dk_not-a-key"})
    assert refused.status_code == 401 and "Khóa API không đúng" in refused.text
    assert api.get("/drafts", follow_redirects=False).headers["location"] == "/sign-in"


def test_a_new_api_key_is_shown_once_and_never_put_in_the_cookie(api):
    token = _signed_in(api, "admin")
    created = api.post("/keys", data={"csrf": token, "name": "chuyên viên mới", "role": "reviewer"})
    assert created.status_code == 201 and created.headers["cache-control"] == "no-store"
    plain = re.search(r'<code id="new-key">(dk_[^<]+)</code>', created.text).group(1)
    assert plain not in _cookie_payload(created)
    assert plain not in api.get("/keys").text  # shown once
    assert api.get("/api/v1/drafts", headers={"Authorization": f"Bearer {plain}"}).status_code == 200


def test_a_state_changing_form_without_the_session_token_is_refused(api):
    _signed_in(api, "admin")
    refused = api.post("/keys", data={"csrf": "forged", "name": "x", "role": "admin"})
    assert refused.status_code == 403 and "Không được phép" in refused.text
    assert "chuyên viên" not in api.get("/keys").text
