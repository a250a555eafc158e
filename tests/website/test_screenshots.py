"""Does the site look right on a desktop and on a phone?

Saves screenshots of the home page, the first chapter and the first
assignment at both sizes into `_build/screenshots/` for a person to look at,
and checks what a machine can: nothing on the phone makes the page scroll
sideways.
"""
import pytest

from .conftest import assignment_pages, book_pages, chapter_pages
from .page_visit import open_page

VIEWPORTS = {
    "desktop": {"width": 1280, "height": 900},
    "phone": {"width": 390, "height": 844},
}


def shown_pages():
    """(label, page) for the home page, the first chapter and the first assignment."""
    assignments = assignment_pages()
    assert assignments, "_toc.yml lists no assignment page to photograph"
    # The site's index.html only redirects to the toc's root page.
    return [("home", book_pages()[0]), ("chapter", chapter_pages()[0]), ("assignment", assignments[0])]


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_screenshots_fit_the_screen(browser, site_url, screenshot_dir, viewport):
    """Do the home page, a chapter and an assignment fit the screen width, with screenshots saved?"""
    problems = []
    for label, name in shown_pages():
        page, visit = open_page(browser, site_url, f"{site_url}{name}.html")
        try:
            page.set_viewport_size(VIEWPORTS[viewport])
            page.goto(visit.url, wait_until="load")
            page.evaluate("() => window.MathJax && MathJax.startup && MathJax.startup.promise")
            shot = screenshot_dir / f"{label}-{viewport}.png"
            page.screenshot(path=str(shot))
            assert shot.stat().st_size > 0
            overflow = page.evaluate(
                "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            if overflow > 0:
                problems.append(f"{name}: on a {viewport} the page scrolls sideways by {overflow}px")
        finally:
            page.close()
    assert not problems, "\n".join(problems)
