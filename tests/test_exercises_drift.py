"""Is exercises/ exactly what nbgrader generates from solutions/, and does it hide what it should?"""
import re

import nbformat

import grading_course
from autograder.assignments import assignment_names
from autograder.release import CHECKS_PACKAGE, expected_checks_files
from locations import REPO_ROOT


def test_exercises_match_a_fresh_generation(tmp_path):
    """Does `nbgrader generate_assignment` on solutions/ reproduce exercises/ byte for byte?"""
    names = assignment_names()
    grading_course.make_course(tmp_path, names)
    generated = sorted(p.relative_to(tmp_path / "exercises") for p in (tmp_path / "exercises").rglob("*") if p.is_file())
    committed = sorted(p.relative_to(REPO_ROOT / "exercises") for p in (REPO_ROOT / "exercises").rglob("*") if p.is_file())
    assert generated == committed, "run `make assignments` and commit exercises/"
    for path in generated:
        assert (tmp_path / "exercises" / path).read_bytes() == (REPO_ROOT / "exercises" / path).read_bytes(), (
            f"exercises/{path} drifted from solutions/: run `make assignments`"
        )


def test_each_assignment_carries_the_checking_tools():
    """Does every assignment, as written and as released, hold an up-to-date copy of the checking tools?"""
    wanted = expected_checks_files()
    for name in assignment_names():
        for folder in ("solutions", "exercises"):
            copy = REPO_ROOT / folder / name / CHECKS_PACKAGE
            present = {p.relative_to(copy).as_posix(): p.read_text() for p in copy.glob("*.py")}
            assert present == wanted, f"{folder}/{name}/{CHECKS_PACKAGE} differs from autograder/{CHECKS_PACKAGE}: run `make assignments`"


def test_each_notebook_imports_the_checking_tools_first():
    """Is the first code cell of every notebook a short, locked import of the checking tools and its hidden cases?"""
    for name in assignment_names():
        for folder in ("solutions", "exercises"):
            notebook = nbformat.read(REPO_ROOT / folder / name / f"{name}.ipynb", 4)
            first = next(c for c in notebook.cells if c.cell_type == "code")
            code = [line for line in first.source.splitlines() if not line.startswith("#")]
            assert code == [f"from {CHECKS_PACKAGE} import checks", f"checks.use_hidden_cases({name!r})"], f"{folder}/{name}"
            assert first.metadata.nbgrader["locked"]


def test_released_answer_cells_hold_stubs_not_solutions():
    """Does every released answer cell raise NotImplementedError instead of holding the solution?"""
    for name in assignment_names():
        notebook = nbformat.read(REPO_ROOT / "exercises" / name / f"{name}.ipynb", 4)
        answers = [c for c in notebook.cells if c.metadata.get("nbgrader", {}).get("solution")]
        assert answers
        for cell in answers:
            assert "BEGIN SOLUTION" not in cell.source
            if cell.cell_type == "code":
                assert "raise NotImplementedError()" in cell.source


def test_one_graded_test_cell_per_function():
    """Is there exactly one graded cell `test_<function>` per answer cell, with points?"""
    for name in assignment_names():
        notebook = nbformat.read(REPO_ROOT / "solutions" / name / f"{name}.ipynb", 4)
        functions = [c.metadata.nbgrader["grade_id"] for c in notebook.cells
                     if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("solution")]
        tests = [c.metadata.nbgrader["grade_id"] for c in notebook.cells if c.cell_type == "code"
                 and c.metadata.get("nbgrader", {}).get("grade") and c.metadata.nbgrader["points"] > 0]
        assert tests == [f"test_{f}" for f in functions]


def test_the_points_a_student_reads_are_the_metadatas():
    """Does every test cell's `points=` (what the student's report shows) equal its nbgrader points?

    When grading, the checks take the points from the metadata alone; the
    number in the code only labels the report a student sees in Jupyter.
    """
    for name in assignment_names():
        notebook = nbformat.read(REPO_ROOT / "solutions" / name / f"{name}.ipynb", 4)
        for cell in notebook.cells:
            meta = cell.metadata.get("nbgrader", {})
            if cell.cell_type == "code" and meta.get("grade"):
                written = re.search(r"points=([0-9.]+)", cell.source)
                assert written and float(written[1]) == float(meta["points"]), (
                    f"solutions/{name}: {meta['grade_id']} says points={written and written[1]}, "
                    f"its metadata {meta['points']}")
