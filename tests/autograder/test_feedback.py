"""What does a student's feedback page show of the course's own cells?"""
import nbformat
import pytest

from autograder import EXERCISES_DIR, REPO_ROOT
from autograder.assignment_source import load_assignment_source
from autograder.assignments import assignment_names
from autograder.feedback import render_feedback
from autograder.scoring import Outcome


def feedback_for_the_untouched_release(assignment):
    """(the page of a release handed in untouched, its assignment's source): 0 points, written answers ungraded."""
    source = load_assignment_source(REPO_ROOT, assignment)
    nb = nbformat.read(EXERCISES_DIR / assignment / source.notebook_path.name, as_version=4)
    scores = {grade_id: 0.0 for grade_id, _ in source.tests} | {grade_id: None for grade_id in source.written_answers}
    return render_feedback(nb, source, "student0001", Outcome(scores), notes=[]), source


@pytest.mark.parametrize("assignment", assignment_names())
def test_no_grader_code_is_spread_over_the_page(assignment):
    """Does the page show the checking tools as the one import line the student saw, not their code?"""
    page, _ = feedback_for_the_untouched_release(assignment)
    assert page.count("from course_checks import checks") == 1
    assert "def run_case" not in page and "class GradedTest" not in page


@pytest.mark.parametrize("assignment", assignment_names())
def test_every_test_worth_points_gets_a_badge(assignment):
    """Is there one score badge per test cell worth points, and one per written answer awaiting a person?"""
    page, source = feedback_for_the_untouched_release(assignment)
    for grade_id, _ in source.tests:
        if grade_id in source.written_answers:
            assert f"{grade_id}: needs manual grading" in page
        else:
            assert page.count(f'"score zero">{grade_id}: 0 /') == 1, grade_id


def test_some_assignment_has_a_written_answer():
    """Is the written-answer badge above checked on at least one assignment of the course?"""
    assert any(load_assignment_source(REPO_ROOT, name).written_answers for name in assignment_names())


def feedback_with_outputs(test_cell_text, answer_cell_text):
    """The pool2d page of the untouched release, with these outputs under the first test cell and answer cell."""
    source = load_assignment_source(REPO_ROOT, "pool2d")
    nb = nbformat.read(EXERCISES_DIR / "pool2d" / source.notebook_path.name, as_version=4)
    graded = [cell for cell in nb.cells if cell.metadata.get("nbgrader", {}).get("grade")]
    answers = [cell for cell in nb.cells if cell.metadata.get("nbgrader", {}).get("solution")]
    graded[0].outputs = [nbformat.v4.new_output("stream", name="stdout", text=test_cell_text)]
    answers[0].outputs = [nbformat.v4.new_output("stream", name="stdout", text=answer_cell_text)]
    scores = {grade_id: 0.0 for grade_id, _ in source.tests}
    return render_feedback(nb, source, "student0001", Outcome(scores), notes=[])


def test_a_test_cells_report_is_shown_whole_and_a_students_flood_cut():
    """Is a long test report (a line per case, details under failures) kept whole, while a student's flood is cut?"""
    report = "".join(f"  FAIL pool2d(case {n})  [hidden]\n       input: shape (4, 4)\n" for n in range(60))
    page = feedback_with_outputs(report, "".join(f"flood {n}\n" for n in range(1000)))
    assert "case 59" in page
    assert "flood 39" in page and "flood 40" not in page
