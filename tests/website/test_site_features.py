"""Do the site-wide features work: search, solution dropdowns, downloads, launch buttons?"""
import io
import re
import urllib.request
import zipfile
from urllib.parse import urlparse

import jupytext
import nbformat

from .conftest import (
    BOOK_DIR,
    assignment_pages,
    book_config,
    book_pages,
    chapter_pages,
    page_source,
)
from .page_visit import open_page

SEARCH_TERM = "stochastic"


def fetch(url):
    """The bytes the local server sends for `url`."""
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read()


def link_titled(visit, title):
    """The href of the page's link whose tooltip title is `title`; AssertionError if none."""
    hrefs = [link["href"] for link in visit.links if link["title"] == title]
    assert hrefs, f"{visit.page}: no link titled '{title}'"
    return hrefs[0]


def code_sources(notebook):
    """The source of every code cell, trailing whitespace aside."""
    return [cell.source.rstrip() for cell in notebook.cells if cell.cell_type == "code"]


def test_search_lists_the_stochastic_pooling_page(browser, site_url):
    """Does searching for "stochastic" list the stochastic pooling page?"""
    expected = [page for page in book_pages() if SEARCH_TERM in page]
    assert expected, f"_toc.yml has no page about '{SEARCH_TERM}' pooling to find"
    page, visit = open_page(browser, site_url, f"{site_url}search.html?q={SEARCH_TERM}")
    try:
        page.goto(visit.url, wait_until="load")
        page.wait_for_function(
            "document.querySelector('#search-results')"
            " && /Search finished/.test(document.querySelector('#search-results').innerText)",
            timeout=15000,
        )
        found = page.eval_on_selector_all("#search-results a", "links => links.map(a => a.href)")
    finally:
        page.close()
    for wanted in expected:
        assert any(urlparse(url).path.endswith(f"/{wanted}.html") for url in found), (
            f"searching '{SEARCH_TERM}' did not list {wanted}.html; it listed {found}"
        )
    assert not visit.console_errors and not visit.failed_requests, visit


def first_page_with_solution_dropdown(site_dir):
    """The first toc page whose built HTML has a solution in a dropdown."""
    for page in book_pages():
        if 'class="solution dropdown' in (site_dir / f"{page}.html").read_text(encoding="utf-8"):
            return page
    raise AssertionError("no page of the book has a solution dropdown (`:class: dropdown`)")


def test_a_solution_stays_hidden_until_clicked(browser, site_url, site_dir):
    """Is a solution dropdown closed at first, and does a click show its content?"""
    chapter = first_page_with_solution_dropdown(site_dir)
    page, _ = open_page(browser, site_url, f"{site_url}{chapter}.html")
    try:
        page.goto(f"{site_url}{chapter}.html", wait_until="load")
        solution = page.locator(".solution.dropdown").first
        content = solution.locator("section").first
        assert not content.is_visible(), f"{chapter}: the first solution is shown before any click"
        solution.locator(".admonition-title").click()
        content.wait_for(state="visible", timeout=5000)
        assert content.inner_text().strip(), f"{chapter}: the opened solution is empty"
    finally:
        page.close()


def notebook_downloads(visited_pages, pages, title):
    """(page, href) of the download link titled `title` on each of `pages`, which must point at <page>.ipynb."""
    assert pages, f"the book has no page offering {title!r}"
    for page in pages:
        href = link_titled(visited_pages[page], title)
        assert href.endswith(f"{page}.ipynb"), f"{page}: {title!r} points at {href}"
        yield page, href


def test_each_chapter_offers_its_notebook_with_the_same_code(visited_pages):
    """Does every chapter offer an .ipynb download, a valid notebook with the chapter's code cells?"""
    for chapter, href in notebook_downloads(visited_pages, chapter_pages(), "Download notebook file"):
        notebook = nbformat.reads(fetch(href).decode("utf-8"), as_version=4)
        nbformat.validate(notebook)
        source = jupytext.read(page_source(chapter))
        assert code_sources(notebook) == code_sources(source), (
            f"{chapter}: the downloaded notebook's code cells differ from {page_source(chapter).name}"
        )


def test_each_assignment_offers_the_student_notebook_unchanged(visited_pages):
    """Does every assignment page offer its student notebook, byte for byte the one in exercises/?"""
    for assignment, href in notebook_downloads(visited_pages, assignment_pages(), "Download source file"):
        assert fetch(href) == (BOOK_DIR / f"{assignment}.ipynb").read_bytes(), (
            f"{assignment}: the downloaded notebook differs from {assignment}.ipynb"
        )


def test_each_assignment_offers_its_zip_with_the_notebook_and_checking_tools(visited_pages):
    """Does every assignment page offer one .zip holding exactly its released folder: notebook and checks?"""
    for assignment in assignment_pages():
        href = link_titled(visited_pages[assignment], "Download the assignment: notebook and checking tools (.zip)")
        folder = (BOOK_DIR / assignment).parent
        with zipfile.ZipFile(io.BytesIO(fetch(href))) as archive:
            packed = {name: archive.read(name) for name in archive.namelist()}
        released = {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*")
                    if p.is_file() and "__pycache__" not in p.parts}
        assert packed == released, f"{assignment}: the zip differs from {folder}"
        assert any(name.startswith("course_checks/") for name in packed)


def expected_launch_links(page):
    """The Binder and Colab URLs a page should offer, derived from `_config.yml` alone.

    Binder opens the page's source at the repository's branch. Colab opens a
    chapter or an assignment as the notebook that the Pages workflow
    publishes under colab/ on the `colab_branch`.
    """
    config = book_config()
    org, repo = re.fullmatch(r"https://github\.com/([^/]+)/([^/]+?)/?", config["repository"]["url"]).groups()
    branch = config["repository"]["branch"]
    launch = config["launch_buttons"]
    interface = {"jupyterlab": "lab/tree", "classic": "tree"}[launch["notebook_interface"]]
    source = page_source(page).relative_to(BOOK_DIR).as_posix()
    binder = f"{launch['binderhub_url']}/v2/gh/{org}/{repo}/{branch}?urlpath={interface}/{source}"
    colab = (f"{launch['colab_url']}/github/{org}/{repo}/blob/"
             f"{config['sphinx']['config']['colab_branch']}/colab/{page}.ipynb")
    return binder, colab


def test_launch_buttons_open_the_page_from_the_configured_repository(visited_pages, site_dir):
    """Do the Binder and Colab buttons point at the configured repository and at a file that exists?"""
    pages = chapter_pages() + assignment_pages()
    for page in pages:
        binder, colab = expected_launch_links(page)
        assert link_titled(visited_pages[page], "Launch on Binder") == binder
        assert link_titled(visited_pages[page], "Launch on Colab") == colab
        if "/colab/" in colab:
            published = site_dir / "colab" / f"{page}.ipynb"
            assert published.is_file(), f"{page}: Colab's notebook {published} was not built"
            notebook = nbformat.read(published, as_version=4)
            nbformat.validate(notebook)
            assert "colab-setup" in notebook.cells[0].metadata.get("tags", []), (
                f"{published}: the first cell is not the Colab set-up cell"
            )
            assert code_sources(notebook)[1:] == code_sources(jupytext.read(page_source(page)))
