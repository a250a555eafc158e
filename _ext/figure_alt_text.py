"""Sphinx extension: a figure's image is described by its caption, never by its file name.

myst-nb gives an executed cell's image an alt text only when the cell's
metadata asks for one (``mystnb: image: alt:``); otherwise docutils writes the
image's own path as its alt, and a screen reader reads out
"../../_images/e86a57….png" (WCAG 1.1.1, failure F30). Each image of a
captioned figure that has no alt text of its own gets the caption's text.
An alt written in the cell's metadata is kept.
"""
from docutils import nodes


def describe_figures_by_caption(app, doctree, docname):
    """Set alt = caption text on every captioned figure's image that has no alt."""
    for figure in doctree.findall(nodes.figure):
        captions = [child for child in figure.findall(nodes.caption)]
        if not captions:
            continue
        description = " ".join(captions[0].astext().split())
        for image in figure.findall(nodes.image):
            if not image.get("alt"):
                image["alt"] = description


def setup(app):
    app.connect("doctree-resolved", describe_figures_by_caption)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
