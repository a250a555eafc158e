"""The book as the tests build it: the table of contents, and the same build as `make book`."""
import subprocess

import yaml

from locations import REPO_ROOT, VENV_BIN


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


def build_book(source_dir):
    """Run the same build as `make book` in source_dir; returns the CompletedProcess."""
    return subprocess.run(
        [str(VENV_BIN / "jupyter-book"), "build", ".", "--warningiserror", "--nitpick", "--keep-going"],
        cwd=source_dir,
        capture_output=True,
        text=True,
        timeout=600,
    )
