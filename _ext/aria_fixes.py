"""Sphinx extension: two ARIA attributes that the theme's markup gets wrong, rewritten in each page's body.

- Bibliography entries. docutils writes each citation as
  ``<div class="citation" role="doc-biblioentry">`` inside
  ``<div role="list" class="citation-list">``. DPUB-ARIA 1.1 deprecates
  ``doc-biblioentry`` in favour of ``listitem``, and a list whose children are
  not list items is a second WCAG failure (axe-core's aria-required-children).
- Hidden code cells. myst-nb writes the toggle of a `hide-input` cell as
  ``<summary aria-label="Toggle hidden content">`` around the visible text
  "Show code cell source". A screen reader then announces a name the reader
  cannot see, and a voice-control user who says "Show code cell source" does
  not reach it (WCAG 2.5.3, axe-core's label-content-name-mismatch). Without
  the aria-label the summary is named by its visible text.

Code shown on a page is HTML-escaped, so it never matches these strings.
"""

REWRITES = {
    ' role="doc-biblioentry"': ' role="listitem"',
    '<summary aria-label="Toggle hidden content">': "<summary>",
}


def rewrite_aria(app, pagename, templatename, context, doctree):
    body = context.get("body")
    if not body:
        return
    for wrong, right in REWRITES.items():
        body = body.replace(wrong, right)
    context["body"] = body


def setup(app):
    app.connect("html-page-context", rewrite_aria)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
