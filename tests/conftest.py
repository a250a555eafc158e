"""Shared fixtures: the repository's paths and a throwaway copy of the book."""
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent


def toc_entries(toc_path=REPO_ROOT / "_toc.yml"):
    """Every document `_toc.yml` names (root included), as paths without suffix."""
    toc = yaml.safe_load(toc_path.read_text())
    entries = [toc["root"]]

    def walk(node):
        if isinstance(node, dict):
            if "file" in node:
                entries.append(node["file"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(toc.get("parts", []))
    walk(toc.get("chapters", []))
    return entries


def load_checking_tools():
    """A fresh `checks` object of the course's checking tools, as a notebook imports it."""
    from autograder.course_checks.graded_test import Checks

    return Checks()


def build_book(source_dir):
    """Run the same build as `make book` in source_dir; returns the CompletedProcess."""
    return subprocess.run(
        [str(VENV_BIN / "jupyter-book"), "build", ".", "--warningiserror", "--nitpick", "--keep-going"],
        cwd=source_dir,
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.fixture
def one_chapter_book(tmp_path):
    """A throwaway book with the intro and the first chapter only; returns its folder."""
    shutil.copytree(REPO_ROOT / "book", tmp_path / "book", ignore=shutil.ignore_patterns("*.ipynb"))
    shutil.copytree(REPO_ROOT / "_ext", tmp_path / "_ext")
    shutil.copy(REPO_ROOT / "_config.yml", tmp_path)
    chapter = toc_entries()[1]
    (tmp_path / "_toc.yml").write_text(
        f"format: jb-book\nroot: book/intro\nchapters:\n  - file: {chapter}\n  - file: book/bibliography\n"
    )
    return tmp_path
