"""Are chapters MyST Markdown notebooks with no outputs committed?"""
import subprocess

import jupytext

from locations import REPO_ROOT
from test_toc import chapter_sources


def test_no_notebook_is_committed_under_book():
    """Is every chapter committed as text, never as an .ipynb with outputs?"""
    tracked = subprocess.run(
        ["git", "ls-files", "book"], cwd=REPO_ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    notebooks = [path for path in tracked if path.endswith(".ipynb")]
    assert not notebooks, f"Notebooks committed under book/: {notebooks}"


def test_chapters_are_myst_notebooks_without_outputs():
    """Does each chapter carry a jupytext header, and no outputs?"""
    for source in sorted(chapter_sources()):
        path = REPO_ROOT / f"{source}.md"
        text = path.read_text()
        assert text.startswith("---\njupytext:") or "{code-cell}" not in text, (
            f"{path} has code cells but no jupytext header"
        )
        notebook = jupytext.reads(text, fmt="md:myst")
        for cell in notebook.cells:
            assert not cell.get("outputs"), f"{path} carries outputs"
