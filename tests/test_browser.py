"""A real browser: start the served page on a free local port, drive Debian's headless Chromium
with Playwright, ask a question, check the answer and its citation, keep a screenshot."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from qa.settings import PROJECT_ROOT

APP = PROJECT_ROOT / "ui" / "app.py"
ARTIFACTS = PROJECT_ROOT / "artifacts"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(env_overrides: dict[str, str], logs: Path):
    """Start `streamlit run ui/app.py` on a free local port; return (process, url) once it is healthy."""
    port = free_port()
    env = os.environ | env_overrides
    cmd = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(APP),
        "--server.address",
        "127.0.0.1",
        "--server.port",
        str(port),
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
    ]
    with open(logs, "w") as log:
        server = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=PROJECT_ROOT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while True:
        try:
            if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).read() == b"ok":
                break
        except OSError:
            pass
        if server.poll() is not None or time.monotonic() > deadline:
            server.kill()
            pytest.fail(f"the page did not start:\n{logs.read_text()}")
        time.sleep(0.5)
    return server, url


@pytest.fixture(scope="module")
def served_page(paper_settings, assistant, tmp_path_factory):
    """`streamlit run ui/app.py` on 127.0.0.1 (the session's prebuilt index), until the module ends."""
    logs = tmp_path_factory.mktemp("server") / "streamlit.log"
    server, url = serve(
        {
            "QA_PATHS__INDEX_DIR": str(paper_settings.paths.index_dir),
            "QA_PATHS__FEEDBACK": str(logs.parent / "feedback.jsonl"),
        },
        logs,
    )
    yield url
    server.terminate()
    server.wait(timeout=20)


@pytest.fixture(scope="module")
def served_library(tmp_path_factory):
    """The page over a private library (default paper: the tiny test paper), so uploads stay in tmp."""
    root = tmp_path_factory.mktemp("library")
    shutil.copy(PROJECT_ROOT / "tests" / "data" / "mini.md", root / "paper.md")
    logs = root.parent / "streamlit-library.log"
    server, url = serve(
        {
            "QA_PATHS__CORPUS": str(root / "paper.md"),
            "QA_PATHS__INDEX_DIR": str(root.parent / "library-index"),
            "QA_PATHS__FEEDBACK": str(root.parent / "feedback.jsonl"),
        },
        logs,
    )
    yield url, root
    server.terminate()
    server.wait(timeout=20)


def launch(p):
    assert Path(CHROMIUM).exists(), (
        "Debian's chromium is missing: `make test` installs it (apt-get install chromium)"
    )
    return p.chromium.launch(
        executable_path=CHROMIUM,
        headless=True,
        args=[
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-sync",
            "--disable-background-networking",
            "--disable-component-update",
        ],
    )


def test_ask_in_a_real_browser(served_page):
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = launch(p)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(served_page, wait_until="domcontentloaded")
            box = page.locator('[data-testid="stChatInput"] textarea')
            box.wait_for(timeout=120_000)
            box.fill("How much does Pakistan export to Afghanistan in 2024?")
            box.press("Enter")
            answer = page.locator('[data-testid="stChatMessage"]').nth(1)
            answer.get_by_text("1,400", exact=False).first.wait_for(timeout=120_000)
            text = answer.inner_text()
            assert "Exports from Pakistan to Afghanistan" in text and "[1]" in text
            sources = answer.get_by_text("Sources (1)")
            sources.click()
            answer.get_by_text("Table 1: Projected Bilateral Trade", exact=False).first.wait_for(
                timeout=30_000
            )
            page.locator(
                '[data-testid="stVegaLiteChart"] canvas, [data-testid="stVegaLiteChart"] svg'
            ).first.wait_for(timeout=30_000)
            page.wait_for_load_state("networkidle")
            page.wait_for_timeout(1500)
            page.screenshot(path=str(ARTIFACTS / "browser-answer.png"), full_page=True)
            # bare web addresses in a question are shown as text, not links (GFM would link them)
            box.fill("Is www.evil.example or https://evil.example/x in the paper?")
            box.press("Enter")
            asked = page.locator('[data-testid="stChatMessage"]').nth(2)
            asked.get_by_text("evil.example", exact=False).first.wait_for(timeout=120_000)
            page.locator('[data-testid="stChatMessage"]').nth(3).wait_for(timeout=120_000)
            links = page.locator('[data-testid="stChatMessage"] a[href*="evil"]')
            assert links.count() == 0, [links.nth(i).get_attribute("href") for i in range(links.count())]
        finally:
            browser.close()
    assert (ARTIFACTS / "browser-answer.png").stat().st_size > 10_000


def test_upload_a_paper_ask_and_see_the_cited_quote_highlighted(served_library, tmp_path):
    """Upload a PDF paper (printed by Chromium from tests/data/gadgets.md), ask it, open the source."""
    from playwright.sync_api import sync_playwright

    from tests.paper_pdf import render_pdf

    url, root = served_library
    upload = render_pdf(PROJECT_ROOT / "tests" / "data" / "gadgets.md", tmp_path / "gadget survey ü.pdf")
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = launch(p)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(url, wait_until="domcontentloaded")
            page.locator('[data-testid="stChatInput"] textarea').wait_for(timeout=120_000)
            page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(upload))
            page.get_by_text("Added: Gadget Survey (gadget-survey)", exact=False).wait_for(timeout=120_000)
            assert (root / "papers" / "gadget-survey" / "paper.md").is_file()
            box = page.locator('[data-testid="stChatInput"] textarea')
            box.fill("Who counts the gadgets?")
            box.press("Enter")
            answer = page.locator('[data-testid="stChatMessage"]').nth(1)
            answer.get_by_text("The Gadget Board (GB) counts them every June.", exact=False).first.wait_for(
                timeout=120_000
            )
            assert "From: Gadget Survey" in answer.inner_text()
            answer.get_by_text("Sources (1)").click()
            quote = answer.locator("span", has_text="The Gadget Board (GB) counts them every June.").last
            quote.wait_for(timeout=30_000)
            shade = (
                "el => { for (let n = el; n; n = n.parentElement) {"
                " const c = getComputedStyle(n).backgroundColor;"
                " if (c && c !== 'rgba(0, 0, 0, 0)' && c !== 'transparent') return c; } return 'none'; }"
            )
            around = answer.locator("p", has_text="Gadget sales reached 300 units in 2019.").last
            # the cited sentence has a background of its own; the rest of its paragraph does not
            assert quote.evaluate(shade) != around.evaluate(shade), "the cited sentence is not highlighted"
            sources = answer.inner_text()
            assert "Gadget sales reached 300 units in 2019." in sources, "the paragraph around the quote"
            page.wait_for_timeout(1000)
            page.screenshot(path=str(ARTIFACTS / "browser-upload.png"), full_page=True)
        finally:
            browser.close()
    assert (ARTIFACTS / "browser-upload.png").stat().st_size > 10_000
