"""Does every page of the table of contents work in a real browser?

Each page is opened once (the visit is shared by the checks below); every
check lists all the problems it finds on the page, naming the element.
"""
import pytest

from .conftest import book_pages, executed_notebook, page_source
from .site_checks import (
    external_links,
    image_problems,
    link_problems,
    loading_problems,
    math_problems,
    output_problems,
    source_has_formulas,
)

PAGES = book_pages()


def report(problems):
    return "\n".join(problems)


@pytest.mark.parametrize("page", PAGES)
def test_page_loads_without_errors(visited_pages, page):
    """Does the page load with no console error, no failed request and nothing fetched from outside?"""
    problems = loading_problems(visited_pages[page])
    assert not problems, report(problems)


@pytest.mark.parametrize("page", PAGES)
def test_every_image_is_shown_and_described(visited_pages, page):
    """Is every image on the page decoded, with alt text or a caption?"""
    problems = image_problems(visited_pages[page])
    assert not problems, report(problems)


@pytest.mark.parametrize("page", PAGES)
def test_formulas_are_typeset(visited_pages, page):
    """Is every formula typeset by MathJax, with no `$$` or `\\lfloor` left as text?"""
    expects_formulas = source_has_formulas(page_source(page).read_text(encoding="utf-8"))
    problems = math_problems(visited_pages[page], expects_formulas)
    assert not problems, report(problems)


@pytest.mark.parametrize("page", PAGES)
def test_internal_links_resolve(visited_pages, page, site_url, site_dir):
    """Does every link within the site lead to an existing page and anchor?"""
    problems = link_problems(visited_pages[page], site_url, site_dir)
    assert not problems, report(problems)


@pytest.mark.parametrize("page", PAGES)
def test_cell_outputs_are_shown_and_clean(visited_pages, page):
    """Does the page show its executed outputs, none of them a traceback or an error?"""
    problems = output_problems(visited_pages[page], executed_notebook(page))
    assert not problems, report(problems)


def test_external_links_are_listed(visited_pages, site_url, site_dir):
    """Are the links that leave the site written down for a person to check (never fetched)?"""
    links = sorted({link for page in PAGES for link in external_links(visited_pages[page], site_url)})
    listing = site_dir.parent / "external_links.txt"
    listing.write_text("".join(f"{link}\n" for link in links), encoding="utf-8")
    assert listing.read_text(encoding="utf-8").splitlines() == links
    assert all(link.startswith(("https://", "http://", "mailto:")) for link in links), links
