"""Does one `grade` run survive every broken submission and return grades, feedback, report and gradebook?"""
import re

import pytest

from autograder.assignment_source import load_assignment_source
from autograder.bench import gradebook_scores
from grade_fixtures import ASSIGNMENT, COURSE, EXPECTED, make_class, points, read_grades, run_grade


@pytest.fixture(scope="module")
def graded_class(tmp_path_factory):
    """The whole scenario class graded once with --jobs 2; returns (out_dir, CompletedProcess)."""
    root = tmp_path_factory.mktemp("class")
    class_dir = make_class(root / "submissions", EXPECTED)
    out = root / "out"
    result = run_grade(class_dir, out, "--jobs", "2")
    return out, result


def test_batch_with_broken_submissions_exits_zero(graded_class):
    """Does the command finish with exit status 0 although many submissions are broken?"""
    _, result = graded_class
    assert result.returncode == 0, result.stderr[-3000:]


@pytest.mark.parametrize("scenario", sorted(EXPECTED))
def test_each_scenario_gets_its_status_and_score(graded_class, scenario):
    """Does each scenario end with the right status, while its working tests keep their points?"""
    out, _ = graded_class
    row = read_grades(out)[scenario]
    status, expected_points = EXPECTED[scenario]
    assert (row["status"], points(row)) == (status, expected_points), row["message"]
    noted = ("deleted_test_cell", "edited_test_cell", "old_nbformat_v3", "every_test_cell_deleted", "setup_cell_deleted",
             "test_cell_moved_above_its_answer")
    assert (row["message"] == "") == (status == "ok" and scenario not in noted)


def test_grades_csv_has_the_issue_columns(graded_class):
    """Are grades.csv's columns the student, one per test, the score, status, review, time and lateness?"""
    out, _ = graded_class
    header = (out / "grades.csv").read_text().splitlines()[0]
    assert header == ("student_id,assignment,test_scale,test_window_sum,score,max_score,status,message,review,"
                      "submitted_at,submitted_at_from,late,seconds_late,late_penalty,final_score")


def test_messages_name_the_cause(graded_class):
    """Do the one-line messages say what went wrong, in words an instructor can act on?"""
    rows = read_grades(graded_class[0])
    assert "not valid JSON" in rows["invalid_json"]["message"]
    assert "saved as nbformat 3; it was upgraded" in rows["old_nbformat_v3"]["message"]
    assert "no notebook" in rows["zip_without_notebook"]["message"]
    assert "sys.exit" in rows["calls_sys_exit"]["message"]
    assert "exit code 3" in rows["kills_its_kernel"]["message"]
    assert "memory cap" in rows["memory_bomb"]["message"]
    assert "test_window_sum" in rows["hangs_forever"]["message"]
    assert "the test cell test_scale was missing and has been put back" in rows["deleted_test_cell"]["message"]
    assert "the test cell test_window_sum was edited" in rows["edited_test_cell"]["message"]
    every = rows["every_test_cell_deleted"]["message"]
    assert "test_scale was missing" in every and "test_window_sum was missing" in every
    assert "the locked cell imports was missing and has been put back" in rows["setup_cell_deleted"]["message"]
    assert "holds another assignment's cells" in rows["only_another_assignment"]["message"]
    assert "in another order" in rows["test_cell_moved_above_its_answer"]["message"]
    assert all("\n" not in row["message"] for row in rows.values())


def test_gradebook_holds_the_same_scores_for_nbgrader(graded_class):
    """Can nbgrader's own Gradebook API read every student's scores, equal to grades.csv?"""
    out, _ = graded_class
    rows = read_grades(out)
    stored = gradebook_scores(f"sqlite:///{out / 'gradebook.db'}", ASSIGNMENT)
    assert stored == {student: points(row) for student, row in rows.items()}


def test_feedback_never_shows_hidden_tests(graded_class):
    """Does no feedback page contain a line of the hidden tests' source?"""
    out, _ = graded_class
    hidden = load_assignment_source(COURSE, ASSIGNMENT).hidden_test_lines
    assert len(hidden) >= 4
    pages = sorted((out / "feedback").rglob("*.html"))
    assert len(pages) >= 9
    for page in pages:
        text = page.read_text()
        import html

        plain = html.unescape(text)
        leaked = [line for line in hidden if line in plain]
        assert not leaked, f"{page} shows hidden test lines {leaked}"


def test_feedback_shows_scores_and_why_a_test_failed(graded_class):
    """Does a student's page show their score per test and the failing assertion's message?"""
    out, _ = graded_class
    import html

    page = html.unescape((out / "feedback/wrong_window_sum/mini/mini.html").read_text())
    assert "test_scale: 1 / 1" in page and "test_window_sum: 0 / 2" in page
    assert "AssertionError: window_sum([1, 2, 3], 2) returned" in page


def test_feedback_truncates_a_flood_of_output(graded_class):
    """Is a notebook that prints 100,000 lines cut short in its feedback page?"""
    out, _ = graded_class
    page = (out / "feedback/prints_a_flood/mini/mini.html").read_text()
    assert "output truncated" in page
    assert len(page) < 100_000


def test_report_has_statistics_histograms_failures_and_not_run_table(graded_class):
    """Does report.html hold class statistics, a histogram per test, common failures and who did not run?"""
    out, _ = graded_class
    report = (out / "report.html").read_text()
    assert "Class statistics" in report
    assert len(re.findall(r'src="data:image/png;base64,', report)) == 2
    assert "most common failure" in report
    for student in ("invalid_json", "zip_without_notebook", "memory_bomb", "hangs_forever", "kills_its_kernel"):
        assert f"<td>{student}</td>" in report
