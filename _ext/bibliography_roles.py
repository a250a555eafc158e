"""Sphinx extension: give bibliography entries the ARIA role that is not deprecated.

docutils writes each citation as ``<div class="citation" role="doc-biblioentry">``
inside ``<div role="list" class="citation-list">``. DPUB-ARIA 1.1 deprecates
``doc-biblioentry`` in favour of ``listitem``, and a list whose children are
not list items is a second WCAG failure (axe-core's aria-required-children),
so every entry is re-labelled ``listitem`` in the page body before it is written.
"""

DEPRECATED_ROLE = ' role="doc-biblioentry"'
LIST_ITEM_ROLE = ' role="listitem"'


def relabel_bibliography_entries(app, pagename, templatename, context, doctree):
    """Replace the deprecated role in the rendered body; code on a page is escaped, so never matches."""
    body = context.get("body")
    if body and DEPRECATED_ROLE in body:
        context["body"] = body.replace(DEPRECATED_ROLE, LIST_ITEM_ROLE)


def setup(app):
    app.connect("html-page-context", relabel_bibliography_entries)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
