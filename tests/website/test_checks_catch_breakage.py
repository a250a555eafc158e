"""Would the browser checks notice a broken site?

Each test breaks a throwaway copy of the built site in one way a real build
could (a missing figure file, a dead internal link, a traceback in a cell's
output), opens the page in the browser, and expects the same check function
the real tests use to name the page and the element.
"""
import re
import shutil

import pytest

from .conftest import chapter_pages
from .local_server import serving
from .page_visit import visit_page
from .site_checks import image_problems, link_problems, output_problems

FIGURE = re.compile(r'<img[^>]*src="([^"]*_images/[^"]+)"')
INTERNAL_LINK = re.compile(r'<a class="reference internal" href="([^"#]+\.html)')
OUTPUT_START = '<div class="cell_output docutils container">'
TRACEBACK_OUTPUT = (
    '<div class="output stderr highlight-myst-ansi notranslate"><div class="highlight"><pre>'
    "Traceback (most recent call last):\n  File \"&lt;cell&gt;\", line 1\n"
    "ValueError: broken on purpose</pre></div></div>"
)


@pytest.fixture
def site_copy(site_dir, tmp_path):
    """A throwaway copy of the built site, safe to break."""
    copy = tmp_path / "html"
    shutil.copytree(site_dir, copy)
    return copy


def first_chapter_matching(site, pattern):
    """(chapter, html text, match) for the first chapter whose HTML matches the regex `pattern`."""
    for chapter in chapter_pages():
        html = (site / f"{chapter}.html").read_text(encoding="utf-8")
        if match := pattern.search(html):
            return chapter, html, match
    raise AssertionError(f"no chapter's page has {pattern!r} to break")


def visit_copy(browser, site, chapter):
    """Serve `site` just long enough to visit `chapter`; returns (base URL, PageVisit)."""
    with serving(site) as url:
        return url, visit_page(browser, url, chapter)


def test_a_missing_figure_file_is_reported(browser, site_copy):
    """Does deleting a figure's image file fail the image check, naming page and image?"""
    chapter, _, match = first_chapter_matching(site_copy, FIGURE)
    figure = (site_copy / chapter).parent / match.group(1)
    figure.unlink()

    _, visit = visit_copy(browser, site_copy, chapter)

    problems = image_problems(visit)
    assert any(chapter in p and figure.name in p and "did not load" in p for p in problems), problems


def test_a_broken_internal_link_is_reported(browser, site_copy):
    """Does a link to a page that does not exist fail the link check, naming page and link?"""
    chapter, html, match = first_chapter_matching(site_copy, INTERNAL_LINK)
    page_file = site_copy / f"{chapter}.html"
    page_file.write_text(html.replace(match.group(0), match.group(0).replace(match.group(1), "no_such_page.html"), 1))

    url, visit = visit_copy(browser, site_copy, chapter)

    problems = link_problems(visit, url, site_copy)
    assert any(chapter in p and "no_such_page.html" in p and "no such file" in p for p in problems), problems


def test_a_traceback_in_a_cell_output_is_reported(browser, site_copy):
    """Does a cell output showing a traceback fail the output check, naming page and output?"""
    chapter, html, _ = first_chapter_matching(site_copy, re.compile(re.escape(OUTPUT_START)))
    (site_copy / f"{chapter}.html").write_text(html.replace(OUTPUT_START, OUTPUT_START + TRACEBACK_OUTPUT, 1))

    _, visit = visit_copy(browser, site_copy, chapter)

    problems = output_problems(visit)
    assert any(
        chapter in p and "cell_output" in p and "Traceback" in p and "broken on purpose" in p for p in problems
    ), problems
