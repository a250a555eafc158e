"""Sphinx extension: a hidden code cell's toggle is named by the words it shows.

myst-nb writes the toggle of a `hide-input` cell as
``<summary aria-label="Toggle hidden content">`` around the visible text
"Show code cell source". A screen reader then announces a name the reader
cannot see, and a voice-control user who says "Show code cell source" does
not reach it (WCAG 2.5.3, axe-core's label-content-name-mismatch). Without
the aria-label the summary is named by its visible text.
"""

MISMATCHED_NAME = '<summary aria-label="Toggle hidden content">'
NAMED_BY_ITS_TEXT = "<summary>"


def name_toggles_by_their_text(app, pagename, templatename, context, doctree):
    """Drop the aria-label from the rendered body; code on a page is escaped, so never matches."""
    body = context.get("body")
    if body and MISMATCHED_NAME in body:
        context["body"] = body.replace(MISMATCHED_NAME, NAMED_BY_ITS_TEXT)


def setup(app):
    app.connect("html-page-context", name_toggles_by_their_text)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
