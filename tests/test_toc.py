"""Is the table of contents complete, and does it name only files that exist?"""
from book_build import toc_entries
from locations import REPO_ROOT

CHAPTER_SUFFIXES = {".md", ".ipynb", ".rst"}


def chapter_sources():
    """Every page source under book/, as a path without suffix relative to the root."""
    return {
        path.relative_to(REPO_ROOT).with_suffix("").as_posix()
        for path in (REPO_ROOT / "book").rglob("*")
        if path.suffix in CHAPTER_SUFFIXES and ".ipynb_checkpoints" not in path.parts
    }


def test_every_file_under_book_is_in_the_toc():
    """Is there a page under book/ that the table of contents forgot?"""
    forgotten = chapter_sources() - set(toc_entries())
    assert not forgotten, f"Add these to _toc.yml (or delete them): {sorted(forgotten)}"


def test_every_toc_entry_exists():
    """Does every entry of _toc.yml point at a real file?"""
    missing = [
        entry for entry in toc_entries()
        if not any((REPO_ROOT / f"{entry}{suffix}").exists() for suffix in CHAPTER_SUFFIXES)
    ]
    assert not missing, f"_toc.yml names files that do not exist: {missing}"
