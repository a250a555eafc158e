"""Fixtures for the site tests: the book under test, its server, one browser.

The book under test is the repository itself unless COURSE_BOOK_DIR names
another book folder (with its own `_toc.yml` and a built `_build/html`), which
lets a developer test a private build without touching the shared `_build/`.
"""
import json
import os
import shutil
import tempfile
from pathlib import Path

import pytest
import yaml
from playwright.sync_api import sync_playwright

from book_build import toc_entries
from locations import REPO_ROOT

from .local_server import serving
from .page_visit import visit_page

BOOK_DIR = Path(os.environ.get("COURSE_BOOK_DIR", REPO_ROOT)).resolve()
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
    "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--disable-quic",
]
PAGE_SUFFIXES = (".md", ".ipynb", ".rst")


def book_pages():
    """Every page `_toc.yml` of the book under test names, root first."""
    return toc_entries(BOOK_DIR / "_toc.yml")


def page_source(page):
    """The source file of a toc entry, e.g. book/pooling/why_pooling.md."""
    for suffix in PAGE_SUFFIXES:
        if (BOOK_DIR / f"{page}{suffix}").exists():
            return BOOK_DIR / f"{page}{suffix}"
    raise FileNotFoundError(f"_toc.yml names {page}, but no {page}{{.md,.ipynb,.rst}} exists in {BOOK_DIR}")


def is_markdown_notebook(page):
    """Is the page a MyST Markdown notebook (a .md file with a kernelspec), executed by the build?"""
    source = page_source(page)
    if source.suffix != ".md":
        return False
    text = source.read_text(encoding="utf-8")
    return text.startswith("---") and "kernelspec:" in text.split("---", 2)[1]


def chapter_pages():
    """The pages that are executed chapters (MyST Markdown notebooks)."""
    return [page for page in book_pages() if is_markdown_notebook(page)]


def assignment_pages():
    """The pages that show a student notebook from exercises/."""
    return [page for page in book_pages() if page.startswith("exercises/")]


def executed_notebook(page):
    """The executed notebook the build made of a chapter, as a dict (None for other pages)."""
    path = BOOK_DIR / "_build" / "jupyter_execute" / f"{page}.ipynb"
    return json.loads(path.read_text(encoding="utf-8")) if is_markdown_notebook(page) else None


def book_config():
    """The book's `_config.yml`, as a dict."""
    return yaml.safe_load((BOOK_DIR / "_config.yml").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def site_url(site_dir):
    """The base URL (ending in '/') of the site, served on 127.0.0.1 for the whole session."""
    with serving(site_dir) as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    """One headless Debian Chromium for the whole session."""
    assert CHROMIUM.exists(), f"{CHROMIUM} is missing: `apt-get install -y chromium` (`make test` does this)."
    user_data = tempfile.mkdtemp(prefix="course-chromium-")
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            user_data, executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True,
            viewport={"width": 1280, "height": 900},
        )
        try:
            yield context
        finally:
            context.close()
    shutil.rmtree(user_data, ignore_errors=True)


@pytest.fixture(scope="session")
def visited_pages(browser, site_url):
    """Every toc page, opened once in the browser on first use; a dict page -> PageVisit."""

    class LazyVisits(dict):
        def __missing__(self, page):
            self[page] = visit_page(browser, site_url, page)
            return self[page]

    return LazyVisits()


@pytest.fixture(scope="session")
def screenshot_dir():
    """Where the screenshots for a person to look at go: `_build/screenshots/`."""
    folder = BOOK_DIR / "_build" / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder
