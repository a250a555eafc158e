"""Sphinx extension: write each of a page's scripts once.

sphinx-thebe registers its inline configuration script (``const THEBE_JS_URL
= ...``) twice in this toolchain, and the second copy throws "Identifier
'THEBE_JS_URL' has already been declared" in every reader's console. Sphinx
only de-duplicates scripts that have a file name, so inline ones are
de-duplicated here, keeping the first copy in place.
"""


def script_key(script):
    """What makes two scripts the same: file name and every attribute (body included).

    The two copies differ only in how "no file" is spelt (None or ""), so both
    count as the same.
    """
    return (script.filename or "", tuple(sorted(script.attributes.items())))


def drop_repeated_scripts(app, pagename, templatename, context, doctree):
    """Keep only the first of identical entries in the page's script list."""
    seen = set()
    unique = []
    for script in context.get("script_files", []):
        if script_key(script) not in seen:
            seen.add(script_key(script))
            unique.append(script)
    context["script_files"] = unique


def setup(app):
    # Last, after every other extension has added its scripts to the page.
    app.connect("html-page-context", drop_repeated_scripts, priority=999)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
