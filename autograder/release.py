"""Generate the student notebooks in exercises/ from solutions/ with nbgrader.

Before generating, the `checking_tools` cell of every solution notebook is
rewritten from autograder/checks.py, its one source, so that a change to the
checks reaches every notebook with `make assignments`.
"""
import subprocess
import sys

import nbformat

from . import REPO_ROOT, SOLUTIONS_DIR
from .assignments import assignment_names

CHECKS_PATH = REPO_ROOT / "autograder" / "checks.py"
CHECKS_CELL_ID = "checking_tools"


def sync_checking_tools(notebook_path):
    """Put checks.py into the notebook's `checking_tools` cell; True if the file changed."""
    nb = nbformat.read(notebook_path, as_version=4)
    cells = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == CHECKS_CELL_ID]
    if len(cells) != 1:
        raise SystemExit(f"{notebook_path}: expected one cell with grade_id {CHECKS_CELL_ID!r}, found {len(cells)}")
    source = CHECKS_PATH.read_text().rstrip("\n")
    if cells[0].source == source:
        return False
    cells[0].source = source
    nbformat.write(nb, notebook_path)
    return True


def release_all():
    """Sync the checks, then run `nbgrader generate_assignment --force` for every assignment."""
    names = assignment_names()
    for name in names:
        for notebook_path in sorted((SOLUTIONS_DIR / name).glob("*.ipynb")):
            if sync_checking_tools(notebook_path):
                print(f"updated the checking tools in {notebook_path.relative_to(REPO_ROOT)}")
        subprocess.run(
            ["nbgrader", "generate_assignment", name, "--force"],
            cwd=REPO_ROOT,
            check=True,
        )
    return names


def main(_args):
    names = release_all()
    if not names:
        print("No assignments found in solutions/.", file=sys.stderr)
    for name in names:
        print(f"released exercises/{name}/")
    return 0
