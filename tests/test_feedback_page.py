"""What does a student's feedback page show of the course's own cells?"""
import nbformat

from autograder import REPO_ROOT
from autograder.assignment_source import load_assignment_source
from autograder.feedback import render_feedback
from autograder.scoring import Outcome


def feedback_for_the_untouched_release():
    source = load_assignment_source(REPO_ROOT, "pool2d")
    nb = nbformat.read(REPO_ROOT / "exercises" / "pool2d" / "pool2d.ipynb", as_version=4)
    outcome = Outcome({grade_id: 0.0 for grade_id, _ in source.grade_cells})
    return render_feedback(nb, source, "student0001", outcome, notes=[])


def test_no_grader_code_is_spread_over_the_page():
    """Does the page show the checking tools as the one import line the student saw, not their code?"""
    page = feedback_for_the_untouched_release()
    assert page.count("from course_checks import checks") == 1
    assert "def run_case" not in page and "class GradedTest" not in page


def test_every_test_worth_points_gets_a_badge():
    """Is there one score badge per test cell worth points, and one per written answer awaiting a person?"""
    page = feedback_for_the_untouched_release()
    for grade_id in ("test_pool2d", "test_pool2d_strided", "test_pool2d_multichannel", "test_pool_output_shape"):
        assert page.count(f'"score zero">{grade_id}: 0 /') == 1
    source = load_assignment_source(REPO_ROOT, "avgpool_as_conv")
    nb = nbformat.read(REPO_ROOT / "exercises" / "avgpool_as_conv" / "avgpool_as_conv.ipynb", as_version=4)
    scores = {grade_id: 0.0 for grade_id, _ in source.grade_cells} | {"written_groups_and_max": None}
    page = render_feedback(nb, source, "student0001", Outcome(scores), notes=[])
    assert "written_groups_and_max: needs manual grading" in page
