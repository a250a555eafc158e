"""Can every student, including one using a screen reader, use every page of the site?

Public universities must meet WCAG 2.1 AA for course materials. Each page is
checked with axe-core's WCAG 2.1 A and AA rules, on a desktop in the light
and the dark theme (the site follows the reader's system) and on a phone,
and must show none failing.
"""
import re
import shutil

import pytest

from .accessibility import axe_violations, violation_report
from .conftest import book_pages
from .local_server import serving
from .site_checks import has_real_alt_text

# The pages Sphinx adds beside the table of contents, reachable from every page.
GENERATED_PAGES = ["genindex.html", "search.html"]
PAGES = [f"{page}.html" for page in book_pages()] + GENERATED_PAGES
# Folders of the site that hold no page a reader reads: assets, page sources,
# and the notebooks the Colab buttons open.
NOT_PAGES = ("_static", "_sources", "_images", "colab")
REDIRECT = re.compile(r'<meta http-equiv="Refresh"', re.IGNORECASE)
FIGURE = re.compile(r'<img [^>]*src="[^"]*_images/[^"]+"[^>]*>')


@pytest.mark.parametrize("page", PAGES)
def test_page_has_no_wcag_violations(browser, site_url, page):
    """Does axe-core find no WCAG 2.1 A/AA violation on the page, light or dark, desktop or phone?"""
    violations = axe_violations(browser, site_url, page)
    assert not violations, violation_report(violations)


@pytest.mark.parametrize("page", book_pages())
def test_no_image_is_described_by_its_file_name(visited_pages, page):
    """Does every image have alt text a screen reader can usefully read, never its own file path (WCAG F30)?

    axe-core accepts any alt text, so this is checked here: a figure's cell
    without `mystnb: image: alt:` metadata gets its caption (_ext/figure_alt_text.py).
    """
    problems = [
        f"{page}: image {image['src']} has alt text {image['alt']!r}"
        for image in visited_pages[page].images
        if not has_real_alt_text(image)
    ]
    assert not problems, "\n".join(problems)


def test_every_page_of_the_site_is_checked(site_dir):
    """Is every HTML page a reader can open in the list above (all but the redirect to the first page)?"""
    pages = {
        path.relative_to(site_dir).as_posix()
        for path in site_dir.rglob("*.html")
        if path.relative_to(site_dir).parts[0] not in NOT_PAGES
        and not REDIRECT.search(path.read_text(encoding="utf-8", errors="replace")[:500])
    }
    assert pages - set(PAGES) == set(), "pages the accessibility check does not open: add them to PAGES"


def test_a_violation_is_reported_with_rule_page_and_element(browser, site_dir, tmp_path):
    """Does a figure that lost its alt text fail the check, naming the rule, the page and the image?"""
    site = tmp_path / "html"
    shutil.copytree(site_dir, site)
    page = next(page for page in PAGES if FIGURE.search((site / page).read_text(encoding="utf-8")))
    html = (site / page).read_text(encoding="utf-8")
    image = FIGURE.search(html).group(0)
    without_alt = re.sub(r' alt="[^"]*"', "", image)
    (site / page).write_text(html.replace(image, without_alt, 1), encoding="utf-8")

    with serving(site) as url:
        violations = axe_violations(browser, url, page)

    report = violation_report(violations)
    # Once on the desktop, once on the phone.
    assert [violation.rule for violation in violations] == ["image-alt", "image-alt"], report
    violation = violations[0]
    assert f"image-alt (critical) on {page} [desktop, light]: {violation.target}" in report, report
    source = re.search(r'src="([^"]+)"', image).group(1)
    assert violation.target.endswith("img") and source in report, report
