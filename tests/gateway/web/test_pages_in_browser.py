"""The web pages driven in headless Chromium against a served gateway: a drafter, a reviewer,
another agency's drafter and the Sở Nội vụ at work. Every request the browser makes is
recorded: none may leave the gateway's host."""
from __future__ import annotations

import json
import os
import shutil
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from services.ingest.normalize import comparison_key
from services.register.service import today
from tests.conftest import ROOT, shared
from tests.reissues import COPIED, SEED
from tests.serving import post_file, serving
from tests.test_cli import run

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--disable-default-apps"]
SCREENSHOT = ROOT / "docs" / "report-page.png"

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="no Chromium here (.ci/run installs Debian's chromium)")


def _key(data: Path, *args: str) -> str:
    done = run("keys", "create", *args, data_dir=data)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """A served gateway with two provincial agencies, a key per person, Kết luận 226 registered
    and a two-year archive of the first agency imported."""
    root = tmp_path_factory.mktemp("web")
    data = root / "data"
    for code, name in (("UBND-LS", "UBND tỉnh Lạng Sơn"), ("UBND-DT", "UBND tỉnh Đồng Tháp")):
        assert run("agencies", "add", code, "--name", name, "--level", "provincial_government",
                   data_dir=data).returncode == 0
    keys = {"drafter": _key(data, "--role", "drafter", "--agency", "UBND-LS", "--name", "Chuyên viên Lạng Sơn"),
            "other": _key(data, "--role", "drafter", "--agency", "UBND-DT", "--name", "Chuyên viên Đồng Tháp"),
            "reviewer": _key(data, "--role", "reviewer", "--name", "Sở Tư pháp"),
            "admin": _key(data, "--role", "admin", "--name", "Sở Nội vụ")}
    with serving(data, root / "server.log") as base:
        status, _ = post_file(f"{base}/api/v1/directives", keys["admin"], "file", shared("directives", "226-KL-TW.txt"),
                              level="central_party", issuer="Ban Bí thư", agency="BBT")
        assert status == 202
        yield {"base": base, "keys": keys, "root": root}


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield launched
        launched.close()


class Person:
    """One signed-in browser context, with the log of every request it made."""

    def __init__(self, browser, site, who: str, viewport=(1366, 768)):
        self.base = site["base"]
        self.context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]}, locale="vi-VN")
        self.requests: list[str] = []
        self.context.on("request", lambda request: self.requests.append(request.url))
        self.page = self.context.new_page()
        self.page.set_default_timeout(90_000)
        self.page.goto(f"{self.base}/")
        self.page.fill("#api_key", site["keys"][who])
        self.page.click("button[type=submit]")
        self.page.wait_for_selector("header .who")

    def hosts(self) -> set[str]:
        """The hosts of every network request (data: and blob: URLs never leave the browser)."""
        return {urlsplit(url).netloc for url in self.requests if not url.startswith(("data:", "blob:", "about:"))}

    def close(self) -> None:
        self.context.close()


def _in_state(page, state: str) -> None:
    """The draft page, after an action, shows the draft in `state`."""
    from playwright.sync_api import expect

    flash = page.locator(".flash")
    message = flash.first.inner_text() if flash.count() else ""
    expect(page.locator("h1 .state"), message).to_have_class(f"state {state}", timeout=60_000)


def _report_ready(person: Person) -> None:
    person.page.wait_for_selector("#draft-text mark.passage, .summary .figures", timeout=120_000)


def test_a_drafter_sees_the_copied_passages_and_a_reviewer_returns_then_approves(browser, site):
    drafter = Person(browser, site, "drafter")
    page = drafter.page
    page.goto(f"{site['base']}/drafts")
    page.set_input_files("#file", str(shared("seeds", SEED)))
    page.click("form.upload button[type=submit]")
    page.wait_for_url("**/drafts/*")
    _report_ready(drafter)
    draft_url = page.url
    marks = page.locator("#draft-text mark.passage")
    texts = [comparison_key(" ".join(t.split())).lower() for t in marks.all_inner_texts()]
    assert marks.count() >= 3
    assert all(any(c in t for t in texts) for c in COPIED), texts  # the three Kết luận 226 passages
    # Clicking a passage brings up the directive's matching text and the unit it comes from.
    fifteen = next(i for i, t in enumerate(texts) if "15%" in t)
    marks.nth(fifteen).click()
    source = page.locator(f"#{marks.nth(fifteen).get_attribute('data-twin')}")
    assert source.is_visible() and "15%" in source.inner_text()
    assert "active" in (source.get_attribute("class") or "")
    info = page.locator("#passage-info")
    assert info.is_visible() and "mục 1" in info.inner_text() and "Kết luận số 226-KL/TW" in info.inner_text()
    if os.environ.get("DRAFTCTL_UPDATE_SCREENSHOTS") == "1":
        SCREENSHOT.parent.mkdir(exist_ok=True)
        page.screenshot(path=str(SCREENSHOT), full_page=False)
    else:
        page.screenshot(path=str(site["root"] / "report-page.png"))

    page.click("form[action$='/submit'] button")
    _in_state(page, "submitted")

    reviewer = Person(browser, site, "reviewer")
    reviewer.page.goto(f"{site['base']}/review")
    reviewer.page.click(f"a[href='{urlsplit(draft_url).path}']")
    reviewer.page.check("input[name=reasons][value=copies_higher_level]")
    reviewer.page.fill("#comment", "Đề nghị dẫn chiếu Kết luận 226-KL/TW thay vì chép lại.")
    reviewer.page.click("button[name=decision][value=return]")
    _in_state(reviewer.page, "returned")

    page.goto(draft_url)
    decision = page.locator(".decision.return")
    assert "Sao chép văn bản cấp trên" in decision.inner_text() and "dẫn chiếu" in decision.inner_text()
    page.set_input_files("#revision", str(ROOT / "examples" / "walkthrough" / "ke-hoach-xa-tan-lap-sua.txt"))
    page.click("form.upload button[type=submit]")
    page.wait_for_url(lambda url: url != draft_url and "/drafts/" in url)
    _report_ready(drafter)
    revision_url = page.url
    page.click("form[action$='/submit'] button")
    _in_state(page, "submitted")
    assert "Gửi lại" in page.locator(".timeline").inner_text()

    reviewer.page.goto(f"{site['base']}/review")
    assert reviewer.page.locator(f"a[href='{urlsplit(revision_url).path}']").count() == 1
    reviewer.page.goto(revision_url)
    reviewer.page.click("button[name=decision][value=approve]")
    _in_state(reviewer.page, "approved")
    timeline = reviewer.page.locator(".timeline").inner_text()
    for step in ("Gửi thẩm định", "Trả lại", "Gửi lại", "Đồng ý"):
        assert step in timeline

    # Another agency's drafter cannot open either version.
    other = Person(browser, site, "other")
    for url in (draft_url, revision_url):
        response = other.page.goto(url)
        assert response.status == 404 and "Không tìm thấy" in other.page.inner_text("h1")

    for person in (drafter, reviewer, other):
        assert person.hosts() == {urlsplit(site["base"]).netloc}, person.hosts()
        person.close()


def test_the_quota_page_shows_the_chart_and_the_figures_of_an_imported_archive(browser, site):
    year = today().year
    lines = [{"agency": "UBND-DT", "reference": f"{n}/UBND-VP", "doc_type": "Công văn",
              "date": date(year - 1, n % 12 + 1, 10).isoformat()} for n in range(1, 21)]
    lines += [{"agency": "UBND-DT", "reference": f"{n}/KH-UBND", "doc_type": "Kế hoạch",
               "date": max(date(year, 1, 1), today() - timedelta(days=n)).isoformat()} for n in range(1, 8)]
    archive = site["root"] / "archive.jsonl"
    archive.write_text("\n".join(json.dumps(line, ensure_ascii=False) for line in lines), encoding="utf-8")
    admin = Person(browser, site, "admin")
    admin.page.goto(f"{site['base']}/archive")
    admin.page.set_input_files("#metadata", str(archive))
    admin.page.click("form[action='/archive'] button[type=submit]")
    assert "Đã nhập 27 văn bản" in admin.page.inner_text(".flash")

    admin.page.goto(f"{site['base']}/quota")
    row = admin.page.locator("tr[data-agency='UBND-DT']")
    assert (row.locator(".target").inner_text(), row.locator(".issued").inner_text(),
            row.locator(".remaining").inner_text()) == ("17", "7", "10")  # 20 × 0.85 = 17
    chart = admin.page.locator("svg.chart")
    assert chart.is_visible() and chart.locator("rect.bar").count() == 12 and chart.locator("polyline.target").count() == 1
    assert int(admin.page.inner_text("#province-issued")) >= 7

    # A phone's width: the same page, one column, nothing cut off.
    phone = Person(browser, site, "admin", viewport=(390, 844))
    phone.page.goto(f"{site['base']}/quota")
    width = phone.page.evaluate("document.documentElement.scrollWidth")
    assert width <= 400 and phone.page.locator("svg.chart").is_visible()
    for person in (admin, phone):
        assert person.hosts() == {urlsplit(site["base"]).netloc}, person.hosts()
        person.close()


def test_the_api_docs_render_offline(browser, site):
    reader = Person(browser, site, "reviewer")
    reader.page.goto(f"{site['base']}/docs")
    reader.page.wait_for_selector(".swagger-ui .opblock", timeout=60_000)
    assert reader.page.locator(".opblock").count() > 20
    assert reader.hosts() == {urlsplit(site["base"]).netloc}, reader.hosts()
    reader.close()


def test_a_form_without_the_session_token_changes_nothing(browser, site):
    person = Person(browser, site, "drafter")
    response = person.page.request.post(f"{site['base']}/drafts/1/submit", form={"csrf": "forged"})
    assert response.status == 403
    person.close()
