"""Sphinx extension: the downloadable notebooks keep the outputs the pages show.

myst-nb writes each chapter's notebook to ``_build/jupyter_execute/`` (the
theme's "download .ipynb" button serves a copy of it). With
``execute_notebooks: cache``, a chapter whose code is unchanged takes its
outputs from jupyter-cache, but myst-nb 1.4 merges them into a copy and
writes the notebook without them: the page shows outputs, the download has
none. This puts the cached outputs back, after reading and before the pages
(and their download copies) are written.
"""
from pathlib import Path

import nbformat
from jupyter_cache import get_cache


def restore_cached_outputs(app, env):
    """Merge the cached outputs into every executed notebook that lacks them."""
    if app.config.nb_execution_mode != "cache":
        return []
    cache_path = Path(app.config.nb_execution_cache_path or ".jupyter_cache")
    cache = get_cache(cache_path if cache_path.is_absolute() else Path(app.srcdir) / cache_path)
    executed = Path(app.outdir).parent / "jupyter_execute"
    for docname in sorted(env.found_docs):
        path = executed / f"{docname}.ipynb"
        if not path.exists() or Path(env.doc2path(docname)).suffix != ".md":
            continue
        notebook = nbformat.read(path, as_version=4)
        try:
            _, merged = cache.merge_match_into_notebook(notebook)
        except KeyError:  # not in the cache: executed in this build, outputs already there
            continue
        nbformat.write(merged, path)
    return []


def setup(app):
    app.connect("env-updated", restore_cached_outputs)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
