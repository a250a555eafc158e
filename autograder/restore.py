"""Put the instructors' test cells back into a submission, as `nbgrader autograde` does.

These are nbgrader's own sanitising preprocessors, in the order its Autograde
converter runs them, reading the source cells from the gradebook. Two things
differ, neither in what they decide:

- `add_missing_cells` is on, so that a deleted test cell is put back and run
  (and scored) instead of silently skipped;
- the gradebook's cells and kernelspec are read once per batch
  (GradebookSnapshot), not once per student, and a cell's metadata already
  found valid is not validated again: both were most of the time spent on an
  ordinary submission.
"""
import json
from dataclasses import dataclass

from nbgrader.api import Gradebook, MissingEntry
from nbgrader.nbgraderformat import MetadataValidator, ValidationError
from nbgrader.preprocessors import CheckCellMetadata, ClearOutput, DeduplicateIds, OverwriteCells
from nbgrader.preprocessors.base import NbGraderPreprocessor

from .assignment_source import strip_hidden_tests
from .layout import restore_layout


@dataclass(frozen=True)
class SourceCellRecord:
    name: str
    cell_type: str
    locked: bool
    checksum: str
    source: str


@dataclass(frozen=True)
class GradeCellRecord:
    name: str
    max_score: float


class GradebookSnapshot:
    """The gradebook's record of one notebook, read once; answers what OverwriteCells asks."""

    def __init__(self, db_url, assignment, notebook):
        with Gradebook(db_url) as gradebook:
            stored = gradebook.find_notebook(notebook, assignment)
            self.source_cells = [SourceCellRecord(c.name, c.cell_type, c.locked, c.checksum, c.source)
                                 for c in stored.source_cells]
            self.grade_cells = [GradeCellRecord(c.name, c.max_score) for c in stored.grade_cells]
            self.solution_cells = [GradeCellRecord(c.name, 0.0) for c in stored.solution_cells]
            self.task_cells = [GradeCellRecord(c.name, c.max_score) for c in stored.task_cells]
            self.kernelspec = json.loads(stored.kernelspec) if stored.kernelspec else None
        self._source = {c.name: c for c in self.source_cells}
        self._graded = {c.name: c for c in self.grade_cells + self.task_cells}

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        return False

    def find_notebook(self, notebook, assignment):
        return self

    def find_source_cell(self, name, notebook, assignment):
        if name not in self._source:
            raise MissingEntry()
        return self._source[name]

    def find_graded_cell(self, name, notebook, assignment):
        if name not in self._graded:
            raise MissingEntry()
        return self._graded[name]


class OverwriteCellsFromSnapshot(OverwriteCells):
    """nbgrader's OverwriteCells, reading the source cells from a GradebookSnapshot."""

    snapshot = None

    def preprocess(self, nb, resources):
        self.notebook_id = resources["nbgrader"]["notebook"]
        self.assignment_id = resources["nbgrader"]["assignment"]
        self.gradebook = self.snapshot
        nb, resources = NbGraderPreprocessor.preprocess(self, nb, resources)
        if self.add_missing_cells:
            nb, resources = self.add_missing_grade_cells(nb, resources)
            nb, resources = self.add_missing_task_cells(nb, resources)
        return nb, resources


class OverwriteKernelspecFromSnapshot(NbGraderPreprocessor):
    """nbgrader's OverwriteKernelspec: the submission runs on the source notebook's kernel, read from the snapshot."""

    snapshot = None

    def preprocess(self, nb, resources):
        if self.snapshot.kernelspec:
            nb.metadata["kernelspec"] = self.snapshot.kernelspec
        return nb, resources


class RememberingMetadataValidator(MetadataValidator):
    """nbgrader's metadata validator; a cell's verdict depends only on its type and nbgrader metadata."""

    valid = set()

    def validate_cell(self, cell):
        key = (cell.cell_type, json.dumps(cell.metadata.get("nbgrader"), sort_keys=True))
        if key not in self.valid:
            super().validate_cell(cell)
            self.valid.add(key)


class CheckCellMetadataRemembering(CheckCellMetadata):
    def preprocess(self, nb, resources):
        try:
            RememberingMetadataValidator().validate_nb(nb)
        except ValidationError as error:
            raise ValidationError("Notebook failed to validate; the nbgrader metadata may be corrupted.") from error
        return nb, resources


# nbgrader's Autograde order.
SANITIZE_STEPS = (ClearOutput, DeduplicateIds, OverwriteKernelspecFromSnapshot, OverwriteCellsFromSnapshot,
                  CheckCellMetadataRemembering)


def _test_cell_sources(nb):
    return {
        cell.metadata["nbgrader"]["grade_id"]: cell.source
        for cell in nb.cells
        if cell.metadata.get("nbgrader", {}).get("grade") and "grade_id" in cell.metadata["nbgrader"]
    }


def _as_released(source):
    """The lines a student received for a test cell: hidden tests cut, blank lines ignored."""
    return [line.rstrip() for line in strip_hidden_tests(source).splitlines() if line.strip()]


def restore_test_cells(nb, source, student_id, snapshot, template):
    """Sanitise nb and return (nb, notes).

    snapshot: the GradebookSnapshot of the assignment's notebook; template: the
    released notebook, whose order and cells a submission is laid out on (layout.py).
    notes: one sentence per instructors' cell the student deleted, moved or edited.
    Raises nbgrader's ValidationError when the nbgrader metadata is corrupted.
    """
    nb, notes = restore_layout(nb, template)
    submitted = _test_cell_sources(nb)
    resources = {"nbgrader": {"notebook": source.notebook_name, "assignment": source.name, "student": student_id}}
    for step in SANITIZE_STEPS:
        preprocessor = step(add_missing_cells=True) if step is OverwriteCellsFromSnapshot else step()
        preprocessor.snapshot = snapshot
        nb, resources = preprocessor.preprocess(nb, resources)
    restored = _test_cell_sources(nb)
    for grade_id, _ in source.grade_cells:
        if _as_released(submitted[grade_id]) != _as_released(restored.get(grade_id, submitted[grade_id])):
            notes.append(f"the test cell {grade_id} was edited and has been restored")
    return nb, notes
