"""The live page at /dashboard in headless Chromium, its JSON feed, and `wirestream top`, on the real worker."""

from __future__ import annotations

import json
import os
import shutil
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest
from rich.console import Console

from agents.clients import publish_values
from tests.conftest import REPO, wait_until
from wirestream import top

pytestmark = pytest.mark.broker

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCRIPT = "<script>window.__pwned=1</script>"
QUOTE = "We will not stop until the last train runs on time,"


def state(worker) -> dict:
    with urllib.request.urlopen(f"http://127.0.0.1:{worker.web_port}/api/state", timeout=5) as response:
        return json.loads(response.read())


def answering(worker) -> dict | None:
    try:
        return state(worker)
    except OSError:
        return None


def scripted_article(run: str) -> dict:
    """An HTML body whose text (after cleaning) contains a literal <script> element."""
    body = (
        "<p>LISBON (Reuters) - Portugal opened its fastest rail line on Tuesday, cutting the trip "
        "from Lisbon to Porto to two hours.</p>"
        f"<p>&lt;script&gt;window.__pwned=1&lt;/script&gt; was typed into the press release by a prankster.</p>"
        f"<p>\u201c{QUOTE}\u201d said Ana Ferreira, the transport minister.</p>"
    )
    return {
        "id": f"{run}-dash",
        "headline": "Portugal opens its fastest rail line",
        "body": body,
        "published_at": "2026-11-25T10:00:00Z",
    }


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        pytest.skip("chromium not installed (make setup installs Debian's chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()


def test_state_feed_and_page_are_served_with_a_strict_content_security_policy(worker):
    wait_until(lambda: answering(worker), timeout=180, interval=1, what="the worker's /api/state")
    s = state(worker)
    assert [x["stage"] for x in s["stages"]] == ["clean", "entities", "quotes"]
    assert {"lag", "latency_s", "dead_letters", "errors", "recent", "worker"} <= set(s)
    with urllib.request.urlopen(f"http://127.0.0.1:{worker.web_port}/dashboard", timeout=5) as response:
        csp = response.headers["Content-Security-Policy"]
        html = response.read().decode()
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers["Content-Type"].startswith("text/html")
    assert '<script src="dashboard/dashboard.js"' in html
    with urllib.request.urlopen(f"http://127.0.0.1:{worker.web_port}/dashboard/dashboard.js", timeout=5) as response:
        js = response.read().decode()
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert sink not in js, sink  # text goes in through textContent and text nodes only


def test_the_page_updates_by_itself_shows_quotes_and_never_runs_article_html(worker, settings_for, browser, tmp_path):
    wait_until(lambda: answering(worker), timeout=180, interval=1, what="the worker's /api/state")
    page = browser.new_page(viewport={"width": 1280, "height": 1150})
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        page.goto(f"http://127.0.0.1:{worker.web_port}/dashboard")
        page.wait_for_selector("#status.ok", timeout=15_000)

        # published only now: the open page must pick it up without a reload
        run = uuid.uuid4().hex[:8]
        article = scripted_article(run)
        publish_values(settings_for, [orjson.dumps(article)])

        card = page.locator(f'article.article[data-id="{article["id"]}"]')
        headline = card.locator("h3.headline")
        headline.wait_for(state="visible", timeout=60_000)
        assert headline.inner_text() == article["headline"]

        # the clean text really carries a literal <script> element (cleaning decoded the entities)
        mine = next(a for a in state(worker)["recent"] if a["id"] == article["id"])
        assert SCRIPT in mine["body"]

        quote = card.locator(".quote", has_text=QUOTE)
        quote.wait_for(state="visible", timeout=5_000)
        assert quote.locator(".speaker").inner_text() == "Ana Ferreira"
        assert QUOTE in quote.locator("q").inner_text()

        # escaped: shown as text, never parsed or run
        body = card.locator(".body")
        assert SCRIPT in body.inner_text()
        assert page.evaluate("typeof window.__pwned") == "undefined"
        assert page.evaluate("document.querySelectorAll('#articles script').length") == 0

        # entities are highlighted from their offsets
        marks = card.locator("mark.ent")
        assert "Ana Ferreira" in marks.all_inner_texts()
        assert card.locator('mark.ent[data-label="GPE"]').count() >= 1

        # throughput and lag are live too
        rates = page.locator("#stages tbody tr")
        assert rates.count() == 3
        assert int(page.locator('#stages tr[data-stage="quotes"] td').nth(2).inner_text()) >= 1
        page.locator("#lag tbody tr td.num").nth(1).wait_for(timeout=15_000)  # a partition row
        assert errors == []

        shot = tmp_path / "dashboard.png"
        page.screenshot(path=str(shot))
        assert shot.stat().st_size > 10_000
        if os.environ.get("WIRESTREAM_UPDATE_SCREENSHOT"):  # refresh the README's screenshot on request
            shutil.copy(shot, REPO / "docs" / "dashboard.png")
    finally:
        page.close()


def test_top_shows_the_same_figures_in_the_terminal(worker, settings_for):
    wait_until(lambda: answering(worker), timeout=180, interval=1, what="the worker's /api/state")
    run = uuid.uuid4().hex[:8]
    before = [e["at"] for e in state(worker)["errors"][:1]]

    def newest_is_ours() -> bool:
        errors = state(worker)["errors"]  # newest first
        return bool(errors) and errors[0]["reason"] == "invalid_json" and [errors[0]["at"]] != before

    publish_values(settings_for, [b"not json " + run.encode()])
    wait_until(newest_is_ours, timeout=60, interval=1, what="the dead letter")
    console = Console(record=True, width=160)
    assert top.run([f"http://127.0.0.1:{worker.web_port}"], once=True, console=console) == 0
    out = console.export_text()
    for text in (
        "throughput per stage",
        "clean",
        "entities",
        "quotes",
        "consumer lag",
        "articles.raw",
        "decode/invalid_json",
        state(worker)["worker"]["app_id"],
    ):
        assert text in out, text


def test_wirestream_top_command(worker):
    from click.testing import CliRunner

    from wirestream.cli import main

    if "top" not in main.commands:
        pytest.skip("`wirestream top` is not wired into wirestream/cli.py yet")
    wait_until(lambda: answering(worker), timeout=180, interval=1, what="the worker's /api/state")
    result = CliRunner().invoke(main, ["top", "--once", "--url", f"http://127.0.0.1:{worker.web_port}"])
    assert result.exit_code == 0, result.output
    assert "throughput per stage" in result.output
