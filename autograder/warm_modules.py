"""Which modules an assignment's own set-up cells end up importing.

The instructors' cells (neither answer nor test cells: imports, checking
tools) often import far more than they name; torch's dispatch machinery,
for one, pulls in sympy and torch._dynamo, seconds of work per student.
Running those trusted cells once, in a separate process, and listing
sys.modules afterwards tells the fork server everything worth importing
ahead. Run as `python -m autograder.warm_modules NOTEBOOK`: prints one
module name a line.
"""
import contextlib
import io
import sys

import nbformat


def setup_cells(nb):
    """Source of the code cells that are neither answer nor graded cells."""
    sources = []
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type == "code" and not meta.get("solution") and not meta.get("grade"):
            sources.append(cell.source)
    return sources


def modules_loaded_by(notebook_path):
    """Names of the modules loaded after running the notebook's set-up cells (errors ignored)."""
    namespace = {"__name__": "__main__"}
    for source in setup_cells(nbformat.read(notebook_path, as_version=4)):
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            try:
                exec(compile(source, "<setup cell>", "exec"), namespace)
            except Exception:
                pass
    return sorted(name for name in sys.modules if not name.startswith("__"))


if __name__ == "__main__":
    print("\n".join(modules_loaded_by(sys.argv[1])))
