"""Generate the student notebooks in exercises/ from solutions/ with nbgrader."""
import subprocess
import sys

from . import REPO_ROOT
from .assignments import assignment_names


def release_all():
    """Run `nbgrader generate_assignment --force` for every assignment; returns its names."""
    names = assignment_names()
    for name in names:
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
