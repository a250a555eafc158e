"""The list of assignments, derived from the folders in solutions/."""
from . import SOLUTIONS_DIR


def assignment_names(solutions_dir=SOLUTIONS_DIR):
    """Names of the assignments: each folder of solutions/ holding a notebook, sorted."""
    if not solutions_dir.is_dir():
        return []
    return sorted(
        folder.name
        for folder in solutions_dir.iterdir()
        if folder.is_dir() and any(folder.glob("*.ipynb"))
    )
