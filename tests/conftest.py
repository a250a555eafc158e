"""Shared fixtures. Plain helpers live in their own modules (locations.py, book_build.py, ...)."""
import shutil

import pytest

from book_build import toc_entries
from locations import REPO_ROOT, SITE_DIR


@pytest.fixture
def one_chapter_book(tmp_path):
    """A throwaway book with the intro, the first chapter and the glossary it links to; returns its folder."""
    shutil.copytree(REPO_ROOT / "book", tmp_path / "book", ignore=shutil.ignore_patterns("*.ipynb"))
    shutil.copytree(REPO_ROOT / "_ext", tmp_path / "_ext")
    shutil.copy(REPO_ROOT / "_config.yml", tmp_path)
    chapter = toc_entries()[1]
    (tmp_path / "_toc.yml").write_text(
        f"format: jb-book\nroot: book/intro\nchapters:\n  - file: {chapter}\n  - file: book/glossary\n"
        "  - file: book/bibliography\n"
    )
    return tmp_path


@pytest.fixture(scope="session")
def site_dir():
    """The built site under test; fails (never skips) when it has not been built."""
    assert (SITE_DIR / "index.html").exists(), f"No built site in {SITE_DIR}: run `make book` first."
    return SITE_DIR
