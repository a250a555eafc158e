"""Sphinx extension: Colab launch links that Colab can open.

sphinx-book-theme points Colab at ``<repository>/blob/<branch>/<page>.md``,
but Colab opens only ``.ipynb`` files, and has none of the course's own code.

So, for every page written as a MyST Markdown notebook, this extension

* writes ``colab/<page>.ipynb`` into the built site: the executed notebook,
  preceded by one cell that installs the course library (the package in
  ``book/course_library``, which the chapters import by name) with ``%pip``
  from the students' repository, on the branch its links open;
* points the page's Colab button at that file on the branch the site is
  published to (``colab_branch``, set in ``_config.yml``), where the Pages
  workflow pushes the built site.

An assignment page (exercises/) gets the same, with a first cell that
unpacks the assignment's zip (assignment_downloads.py) from that branch, so
the notebook finds its checking tools and nothing more of the course.
"""
import json
from pathlib import Path
from urllib.parse import urlparse

from sphinx.application import Sphinx

from assignment_downloads import is_assignment, zip_path

COLAB_FOLDER = "colab"
SETUP_CELL_TAG = "colab-setup"

# The course library's folder in the repository (it holds its pyproject.toml).
COURSE_LIBRARY = "book/course_library"

# Colab already has the library's dependencies (torch, numpy, matplotlib,
# scikit-learn): --no-deps installs the library alone and leaves them as they are.
SETUP_CELL_TEMPLATE = '''\
# Colab opens this notebook on its own: install the course library, which
# the next cells import, from the course's repository.
%pip install --quiet --no-deps "pooling-course @ git+{repository_url}@{branch}#subdirectory={course_library}"
'''


ASSIGNMENT_SETUP_CELL_TEMPLATE = '''\
# Colab opens this notebook on its own: fetch the checking tools its test
# cells import (the folder course_checks/ of the assignment's zip).
import io, sys, urllib.request, zipfile
if "google.colab" in sys.modules:
    with urllib.request.urlopen("{zip_url}") as response:
        zipfile.ZipFile(io.BytesIO(response.read())).extractall(".")
'''


def repository_parts(repository_url):
    """Split ``https://github.com/<org>/<repo>`` into (org, repo); ValueError otherwise."""
    parsed = urlparse(repository_url)
    parts = [part for part in parsed.path.split("/") if part]
    if parsed.netloc != "github.com" or len(parts) != 2:
        raise ValueError(
            f"repository.url in _config.yml must look like https://github.com/<org>/<repo> "
            f"for Colab links, not {repository_url!r}"
        )
    return parts[0], parts[1].removesuffix(".git")


def assignment_zip_url(repository_url, published_branch, pagename):
    """Where Colab downloads an assignment's zip: the published site's branch, as a raw file."""
    org, repo = repository_parts(repository_url)
    return f"https://raw.githubusercontent.com/{org}/{repo}/{published_branch}/{zip_path(pagename)}"


def colab_setup_cell(repository_url, branch, pagename, published_branch="gh-pages"):
    """The code cell put first in a Colab notebook, as an nbformat 4 cell dict."""
    if is_assignment(pagename):
        source = ASSIGNMENT_SETUP_CELL_TEMPLATE.format(
            zip_url=assignment_zip_url(repository_url, published_branch, pagename))
    else:
        source = SETUP_CELL_TEMPLATE.format(
            repository_url=repository_url.rstrip("/"), branch=branch, course_library=COURSE_LIBRARY)
    return {
        "cell_type": "code",
        "execution_count": None,
        "metadata": {"tags": [SETUP_CELL_TAG]},
        "outputs": [],
        "source": source,
    }


def colab_notebook_url(app, pagename):
    """The Colab URL of a Markdown page's notebook on the published branch."""
    theme = app.config.html_theme_options
    org, repo = repository_parts(theme["repository_url"])
    colab = theme["launch_buttons"]["colab_url"].rstrip("/")
    return f"{colab}/github/{org}/{repo}/blob/{app.config.colab_branch}/{COLAB_FOLDER}/{pagename}.ipynb"


def is_markdown_notebook(app, pagename):
    """Is the page a MyST Markdown notebook (a .md source with a kernelspec)?"""
    return (
        Path(app.env.doc2path(pagename)).suffix == ".md"
        and "kernelspec" in app.env.metadata.get(pagename, {})
    )


def has_colab_copy(app, pagename):
    return is_markdown_notebook(app, pagename) or is_assignment(pagename)


def point_colab_at_notebook(app, pagename, templatename, context, doctree):
    """Replace the theme's Colab URL (to the page's source) with the published notebook's."""
    if not has_colab_copy(app, pagename):
        return
    for group in context.get("header_buttons", []):
        for button in group.get("buttons", []) if group.get("label") == "launch-buttons" else []:
            if button.get("text") == "Colab":
                button["url"] = colab_notebook_url(app, pagename)


def write_colab_notebooks(app, exception):
    """Write colab/<page>.ipynb for every Markdown notebook page and every assignment of a successful build."""
    if exception is not None or app.builder.format != "html":
        return
    theme = app.config.html_theme_options
    executed = Path(app.outdir).parent / "jupyter_execute"
    for pagename in sorted(app.env.found_docs):
        if not has_colab_copy(app, pagename):
            continue
        source = Path(app.env.doc2path(pagename)) if is_assignment(pagename) else executed / f"{pagename}.ipynb"
        notebook = json.loads(source.read_text(encoding="utf-8"))
        setup = colab_setup_cell(theme["repository_url"], theme["repository_branch"], pagename, app.config.colab_branch)
        if notebook.get("nbformat_minor", 0) >= 5:  # nbformat 4.5 gives every cell an id
            setup["id"] = SETUP_CELL_TAG
        notebook["cells"].insert(0, setup)
        target = Path(app.outdir) / COLAB_FOLDER / f"{pagename}.ipynb"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(notebook, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def setup(app: Sphinx):
    app.add_config_value("colab_branch", "gh-pages", "html")
    # After sphinx-book-theme (priority 501) has built its launch buttons.
    app.connect("html-page-context", point_colab_at_notebook, priority=600)
    app.connect("build-finished", write_colab_notebooks)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
