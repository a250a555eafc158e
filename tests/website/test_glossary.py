"""Does the built glossary show every term, in English and in Chinese?

That the chapters' term links lead to the glossary is checked twice already:
the build (`-W`) fails on a `{term}` that names no entry, and
`test_pages.py::test_internal_links_resolve` follows every link of every page
to its anchor. This module checks what only the rendered glossary shows.
"""
import re

import pytest

from .page_visit import open_page

CJK = re.compile(r"[\u4e00-\u9fff]")
READ_GLOSSARY = r"""
() => ({
  terms: [...document.querySelectorAll("dl.glossary > dt")].map(dt => ({
    id: dt.id, text: dt.firstChild.textContent.trim(),
  })),
  rows: [...document.querySelectorAll("table tbody tr")].map(row => ({
    cells: [...row.cells].map(cell => cell.innerText.trim()),
    href: (row.cells[0].querySelector("a") || {}).href || "",
    chineseLang: (row.cells[1].querySelector("[lang]") || {lang: ""}).lang,
  })),
})
"""


@pytest.fixture(scope="module")
def glossary(browser, site_url):
    """The glossary's terms and the rows of its table, as the browser shows them."""
    page, visit = open_page(browser, site_url, f"{site_url}book/glossary.html")
    try:
        page.goto(visit.url, wait_until="load")
        facts = page.evaluate(READ_GLOSSARY)
    finally:
        page.close()
    assert not visit.console_errors and not visit.failed_requests, visit
    return facts


def test_every_term_has_a_row_with_its_chinese_term(glossary):
    """Does the table give, for every term the glossary defines, a Chinese term marked as Chinese?"""
    rows = {row["cells"][0]: row for row in glossary["rows"]}
    assert glossary["terms"], "the glossary page defines no terms"
    problems = [
        term["text"] for term in glossary["terms"]
        if term["text"] not in rows
        or not CJK.search(rows[term["text"]]["cells"][1])
        or not rows[term["text"]]["chineseLang"].startswith("zh")
    ]
    assert not problems, f"terms without a Chinese term (in an element with lang='zh…'): {problems}"


def test_each_row_links_to_its_own_entry(glossary):
    """Does the English term of each row link to that term's definition on the same page?"""
    ids = {term["text"]: term["id"] for term in glossary["terms"]}
    wrong = [
        row["cells"][0] for row in glossary["rows"]
        if row["cells"][0] in ids and not row["href"].endswith(f"glossary.html#{ids[row['cells'][0]]}")
    ]
    assert not wrong, f"rows whose link misses their entry: {wrong}"
