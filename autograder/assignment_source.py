"""What the instructors' source notebook says about an assignment.

Read from `<course>/solutions/<assignment>/<notebook>.ipynb`, exactly the file
nbgrader reads: the graded test cells (grade_id and points, in notebook order),
the set-up cells, and the lines of the hidden tests, which must never reach a
student. Beside the notebook, `grading/` holds what only the grader may read
(the hidden reference cases, the answer scenarios); nbgrader never releases it.
"""
import ast
import hashlib
from dataclasses import dataclass
from pathlib import Path

import nbformat

HIDDEN_BEGIN = "### BEGIN HIDDEN TESTS"
HIDDEN_END = "### END HIDDEN TESTS"


class GradingSetupError(Exception):
    """The batch cannot run at all; the message says what to fix."""


@dataclass(frozen=True)
class AssignmentSource:
    """One assignment's source notebook.

    grade_cells: ((grade_id, points), ...) in notebook order, including 0-point set-up cells
    hidden_test_lines: stripped, non-trivial lines between the hidden-test markers
    imported_modules: modules the instructors' cells import (worth importing once, ahead)
    setup_sources: the source of each set-up cell (locked code, neither answer nor test)
    cell_ids: the grade_id of every nbgrader cell, which tells this assignment's notebooks from others
    written_answers: the grade_ids of graded Markdown cells, which a person grades
    digest: sha256 of the assignment's files (notebook, checks, hidden cases), so a change regrades
    """

    name: str
    course_root: Path
    notebook_path: Path
    grade_cells: tuple
    hidden_test_lines: tuple
    imported_modules: tuple
    setup_sources: tuple
    cell_ids: frozenset
    written_answers: tuple
    digest: str

    @property
    def notebook_name(self):
        return self.notebook_path.stem

    @property
    def folder(self):
        return self.notebook_path.parent

    @property
    def grading_dir(self):
        """solutions/<assignment>/grading/: instructor-only files, read by the trusted grader alone."""
        return self.folder / "grading"

    @property
    def tests(self):
        """The graded cells worth points, ((grade_id, points), ...): what a student is scored on.

        A 0-point grade cell (the one that loads the reference tensors, graded
        only so that nbgrader strips its hidden block on release) is not a test.
        """
        return tuple((grade_id, points) for grade_id, points in self.grade_cells if points > 0)

    @property
    def max_score(self):
        return sum(points for _, points in self.grade_cells)


def _lines_marking_hidden(source):
    """(line, is_hidden) for each line of a cell's source, the hidden-test markers left out."""
    inside = False
    for line in source.splitlines():
        stripped = line.strip()
        if stripped.startswith(HIDDEN_BEGIN):
            inside = True
        elif stripped.startswith(HIDDEN_END):
            inside = False
        else:
            yield line, inside


def hidden_lines(source):
    """Lines strictly between the hidden-test markers of one cell's source (stripped, 6+ characters)."""
    return [line.strip() for line, hidden in _lines_marking_hidden(source)
            if hidden and len(line.strip()) >= 6]


def modules_imported_by(source):
    """Absolute module names imported anywhere in a cell's source ([] if it is not plain Python)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.append(node.module)
    return names


def strip_hidden_tests(source):
    """The cell's source without its hidden-test block (as nbgrader releases it)."""
    return "\n".join(line for line, hidden in _lines_marking_hidden(source) if not hidden)


def load_assignment_source(course_root, assignment):
    """The AssignmentSource of `assignment`; GradingSetupError if it is unusable."""
    folder = Path(course_root) / "solutions" / assignment
    notebooks = sorted(folder.glob("*.ipynb")) if folder.is_dir() else []
    if not notebooks:
        raise GradingSetupError(
            f"unknown assignment {assignment!r}: no notebook in {folder}. "
            f"Check the name against `python -m autograder list`."
        )
    if len(notebooks) > 1:
        raise GradingSetupError(
            f"assignment {assignment!r} has {len(notebooks)} notebooks in {folder}; "
            "this grader handles one notebook per assignment."
        )
    path = notebooks[0]
    nb = nbformat.read(path, as_version=4)
    grade_cells, hidden, imports, setup = [], [], [], []
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type == "code" and not meta.get("solution"):
            imports.extend(modules_imported_by(cell.source))
        if cell.cell_type == "code" and meta.get("locked") and not meta.get("solution") and not meta.get("grade"):
            setup.append(cell.source)
        if meta.get("grade"):
            grade_cells.append((meta["grade_id"], float(meta["points"])))
            hidden.extend(hidden_lines(cell.source))
    if not grade_cells:
        raise GradingSetupError(f"{path} has no graded cells (nbgrader 'grade': true).")
    return AssignmentSource(
        name=assignment,
        course_root=Path(course_root),
        notebook_path=path,
        grade_cells=tuple(grade_cells),
        hidden_test_lines=tuple(dict.fromkeys(hidden)),
        imported_modules=tuple(dict.fromkeys(imports)),
        setup_sources=tuple(setup),
        cell_ids=frozenset(c.metadata["nbgrader"]["grade_id"] for c in nb.cells
                           if "grade_id" in c.metadata.get("nbgrader", {})),
        written_answers=tuple(c.metadata["nbgrader"]["grade_id"] for c in nb.cells
                              if c.cell_type == "markdown" and c.metadata.get("nbgrader", {}).get("grade")),
        digest=folder_digest(folder),
    )


def folder_digest(folder):
    """sha256 over every file of an assignment's folder (names and bytes), caches left out."""
    digest = hashlib.sha256()
    for path in sorted(p for p in Path(folder).rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        digest.update(str(path.relative_to(folder)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()
