"""Sphinx extension: each assignment page offers the whole assignment as one .zip.

An assignment is its notebook and the checking tools its test cells import
(exercises/<assignment>/course_checks/). The page's own download button gives
the notebook alone; this adds a button for `assignments/<assignment>.zip` in
the built site, holding everything the released folder holds, laid out as
it is there. The Colab copy of the page (colab_launch.py) unpacks this zip.
"""
import zipfile
from pathlib import Path

ZIP_FOLDER = "assignments"
TOOLTIP = "Download the assignment: notebook and checking tools (.zip)"
SKIPPED = ("__pycache__", ".ipynb_checkpoints")


def is_assignment(pagename):
    return pagename.startswith("exercises/")


def zip_path(pagename):
    """The zip's path in the built site, e.g. assignments/pool2d.zip."""
    return f"{ZIP_FOLDER}/{Path(pagename).parent.name}.zip"


def released_files(folder):
    """(path, name in the zip) of every file of a released assignment folder, sorted."""
    return [(path, path.relative_to(folder).as_posix()) for path in sorted(folder.rglob("*"))
            if path.is_file() and not any(part in SKIPPED for part in path.parts)]


def write_zip(folder, target):
    target.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for path, name in released_files(folder):
            # A fixed date keeps the archive identical from build to build.
            info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, path.read_bytes())


def add_zip_button(app, pagename, templatename, context, doctree):
    if not is_assignment(pagename):
        return
    for group in context.get("header_buttons", []):
        if group.get("label") == "download-buttons":
            group["buttons"].insert(0, {
                "type": "link", "url": context["pathto"](zip_path(pagename), 1), "text": ".zip",
                "icon": "fas fa-file-archive", "tooltip": TOOLTIP, "label": "download-assignment-button",
            })


def write_zips(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    for pagename in sorted(app.env.found_docs):
        if is_assignment(pagename):
            folder = Path(app.env.doc2path(pagename)).parent
            write_zip(folder, Path(app.outdir) / zip_path(pagename))


def setup(app):
    # After sphinx-book-theme (priority 501) has built its download buttons.
    app.connect("html-page-context", add_zip_button, priority=600)
    app.connect("build-finished", write_zips)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
