"""Put the instructors' test cells back into a submission, as `nbgrader autograde` does.

These are nbgrader's own sanitising preprocessors, in the order its Autograde
converter runs them, reading the source cells from the gradebook. The one
setting we change is `add_missing_cells`, so that a deleted test cell is put
back and run (and scored) instead of silently skipped.
"""
from nbgrader.preprocessors import (
    CheckCellMetadata,
    ClearOutput,
    DeduplicateIds,
    OverwriteCells,
    OverwriteKernelspec,
)

from .assignment_source import strip_hidden_tests

SANITIZE_STEPS = (ClearOutput, DeduplicateIds, OverwriteKernelspec, OverwriteCells, CheckCellMetadata)


def _test_cell_sources(nb):
    return {
        cell.metadata["nbgrader"]["grade_id"]: cell.source
        for cell in nb.cells
        if cell.metadata.get("nbgrader", {}).get("grade") and "grade_id" in cell.metadata["nbgrader"]
    }


def _as_released(source):
    """The lines a student received for a test cell: hidden tests cut, blank lines ignored."""
    return [line.rstrip() for line in strip_hidden_tests(source).splitlines() if line.strip()]


def restore_test_cells(nb, source, student_id, db_url):
    """Sanitise nb in place-style and return (nb, notes).

    notes: one sentence per test cell the student deleted or edited, naming it.
    Raises nbgrader's ValidationError when the nbgrader metadata is corrupted.
    """
    submitted = _test_cell_sources(nb)
    resources = {
        "nbgrader": {
            "notebook": source.notebook_name,
            "assignment": source.name,
            "student": student_id,
            "db_url": db_url,
        }
    }
    for step in SANITIZE_STEPS:
        preprocessor = step(add_missing_cells=True) if step is OverwriteCells else step()
        nb, resources = preprocessor.preprocess(nb, resources)
    restored = _test_cell_sources(nb)
    notes = []
    for grade_id, _ in source.grade_cells:
        if grade_id not in submitted:
            notes.append(f"test cell {grade_id} was deleted and has been restored")
        elif _as_released(submitted[grade_id]) != _as_released(restored.get(grade_id, submitted[grade_id])):
            notes.append(f"test cell {grade_id} was edited and has been restored")
    return nb, notes
