"""Do the assignments' tests grade fairly? Plant answers, grade with nbgrader and with ours, check the scores.

A throwaway course per assignment grades every answer scenario of
solutions/<assignment>/grading/scenarios/ (plus the solution notebook and the untouched
release) in one `nbgrader autograde` run; the two runs go in parallel.
"""
import csv
import html
import json
import os
import re
import subprocess
import sys

import nbformat
import pytest

import grading_course
from autograder.assignments import assignment_names
from autograder.references import REFERENCES, grading_dir
from autograder.scenarios import expected_scores

ASSIGNMENTS = assignment_names()
EXPECTED_SCORES = {assignment: expected_scores(assignment) for assignment in ASSIGNMENTS}
SCENARIOS = [(a, s) for a in ASSIGNMENTS for s in grading_course.scenario_names(a)]


def max_points(assignment):
    """{grade_id: points} of the autograded test cells (code, not written answers) of an assignment."""
    notebook = nbformat.read(grading_course.REPO_ROOT / "solutions" / assignment / f"{assignment}.ipynb", 4)
    return {
        cell.metadata.nbgrader["grade_id"]: cell.metadata.nbgrader["points"]
        for cell in notebook.cells
        if cell.cell_type == "code" and cell.metadata.get("nbgrader", {}).get("grade")
        and cell.metadata.nbgrader["points"] > 0
    }


def raising_cases(assignment):
    """How many hidden cases of the assignment expect a ValueError."""  # noqa: D401
    cases = json.loads((grading_dir(assignment) / REFERENCES).read_text())["cases"]
    return sum(1 for case in cases if "raises" in case["expect"])


def our_grades(out, assignment):
    """{student: {grade_id: score}} of the tests worth points, from our grader's grades.csv."""
    tests = max_points(assignment)
    with open(out / "grades.csv", newline="") as handle:
        return {row["student_id"]: {g: float(row[g]) for g in tests} for row in csv.DictReader(handle)}


NBGRADER_LOGS = {}  # what plain `nbgrader autograde` said, by assignment


def grade_with_ours(root, folder, assignment):
    """Grade root/folder with our grader, with the test course's limits; returns the output folder."""
    out = root / f"ours_{folder}"
    result = subprocess.run(
        [sys.executable, "-m", "autograder", "grade", assignment, str(root / folder), "--out", str(out),
         "--db", f"sqlite:///{out / 'gradebook.db'}",  # the course's is plain nbgrader's, in these tests
         "--course", str(root), "--jobs", "1", "--timeout", str(grading_course.CELL_TIMEOUT_SECONDS)],
        env=dict(os.environ, COURSE_CASE_SECONDS=str(grading_course.CASE_SECONDS)),
        cwd=grading_course.REPO_ROOT, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stderr[-3000:]
    return out


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """({assignment: course root}, {assignment: {student: {grade_id: score}}}, ours) after grading everything.

    Each assignment gets a course (and gradebook) of its own: two `nbgrader
    autograde` runs sharing one SQLite gradebook race to create the same
    students and one of them fails. Our grader grades the same submissions,
    in its sandbox, with the same limits.
    """
    roots = {}
    for assignment in ASSIGNMENTS:
        root = roots[assignment] = tmp_path_factory.mktemp(f"course_{assignment}")
        grading_course.make_course(root, [assignment])
        release = grading_course.REPO_ROOT / "exercises" / assignment / f"{assignment}.ipynb"
        grading_course.submit(root, assignment, "solution", root / "solutions" / assignment / f"{assignment}.ipynb")
        grading_course.submit(root, assignment, "untouched_release", release)
        grading_course.plant_scenarios(root, assignment)
    # Only our grader restores a deleted set-up cell (nbgrader puts back test cells only).
    without_checks = roots["pool2d"] / "ours_only" / "checking_tools_deleted" / "pool2d" / "pool2d.ipynb"
    notebook = nbformat.read(roots["pool2d"] / "submitted" / "correct_loops" / "pool2d" / "pool2d.ipynb", 4)
    notebook.cells = [c for c in notebook.cells if c.metadata.get("nbgrader", {}).get("grade_id") != "checking_tools"]
    without_checks.parent.mkdir(parents=True)
    nbformat.write(notebook, without_checks)
    runs = [grading_course.start_nbgrader(roots[assignment], "autograde", assignment) for assignment in ASSIGNMENTS]
    ours = {}
    for assignment in ASSIGNMENTS:
        ours[assignment] = our_grades(grade_with_ours(roots[assignment], "submitted", assignment), assignment)
    ours["checking_tools_deleted"] = our_grades(grade_with_ours(roots["pool2d"], "ours_only", "pool2d"), "pool2d")
    logs = [run.communicate(timeout=900)[0] for run in runs]
    for assignment, run, log in zip(ASSIGNMENTS, runs, logs):
        assert run.returncode == 0, f"nbgrader autograde {assignment} failed:\n{log[-5000:]}"
        NBGRADER_LOGS[assignment] = log
    theirs = {assignment: grading_course.scores(roots[assignment], assignment) for assignment in ASSIGNMENTS}
    return roots, theirs, ours


def test_every_assignment_has_scenarios_with_expected_scores():
    """Does every assignment of solutions/ come with answer scenarios, each with its expected scores?"""
    assert ASSIGNMENTS, "no assignment found in solutions/"
    for assignment in ASSIGNMENTS:
        assert grading_course.scenario_names(assignment), assignment
        assert set(EXPECTED_SCORES[assignment]) == set(grading_course.scenario_names(assignment)), (
            f"solutions/{assignment}/grading/scenarios/: expected_scores.json and the scenarios differ"
        )


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_the_solution_gets_full_marks(graded, assignment):
    """Does grading the instructors' solution notebook give every test cell its full points?"""
    _, scores, _ = graded
    assert scores[assignment]["solution"] == max_points(assignment)


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_the_untouched_release_scores_zero(graded, assignment):
    """Does a student who changes nothing get zero in every test cell?"""
    _, scores, _ = graded
    assert scores[assignment]["untouched_release"] == {grade_id: 0.0 for grade_id in max_points(assignment)}


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_correct_answers_in_any_style_get_full_marks(graded, assignment):
    """Do a loop-based and a vectorised correct answer both get full marks?"""
    _, scores, _ = graded
    for style in ("correct_loops", "correct_vectorised"):
        assert scores[assignment][style] == max_points(assignment), style


@pytest.mark.parametrize("assignment, scenario", SCENARIOS)
def test_each_scenario_gets_its_expected_scores(graded, assignment, scenario):
    """Does each planted answer earn exactly the points listed for it in expected_scores.json?"""
    _, scores, _ = graded
    expected = EXPECTED_SCORES[assignment][scenario]
    assert set(expected) == set(max_points(assignment))
    assert scores[assignment][scenario] == pytest.approx(expected, abs=1e-4)


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_a_broken_function_costs_only_its_own_marks(graded, assignment):
    """Does a function that hangs, raises or does not compile leave the other functions' marks?"""
    _, scores, _ = graded
    full = max_points(assignment)
    for scenario in ("hangs_in_one_function", "raises_in_one_function", "syntax_error_in_one_cell"):
        lost = {g for g, points in full.items() if scores[assignment][scenario][g] < points}
        assert len(lost) == 1, f"{scenario} lost marks in {sorted(lost)}"


def test_a_cell_hung_outside_any_test_costs_only_that_cell(graded):
    """Does nbgrader's cell timeout interrupt a hung answer cell and go on with the rest?"""
    roots, scores, _ = graded
    assert scores["pool2d"]["hangs_in_one_cell"] == {**max_points("pool2d"), "test_pool2d": 0.0}
    notebook = nbformat.read(grading_course.autograded_notebook(roots["pool2d"], "pool2d", "hangs_in_one_cell"), 4)
    errors = [o for c in notebook.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert errors and errors[0].ename in {"CellTimeoutError", "KeyboardInterrupt"}


def test_at_least_eight_distinct_mistakes_lose_marks():
    """Do at least eight realistic mistakes each score below full marks in expected_scores.json?"""
    not_mistakes = {"correct_loops", "correct_vectorised", "hangs_in_one_function", "raises_in_one_function",
                    "syntax_error_in_one_cell", "hangs_in_one_cell", "always_equal_object",
                    "patches_torch_equal", "returns_tensor_subclass", "hardcoded_examples"}
    reduced = [
        (assignment, scenario)
        for assignment, by_scenario in EXPECTED_SCORES.items()
        for scenario, points in by_scenario.items()
        if scenario not in not_mistakes and sum(points.values()) < sum(max_points(assignment).values())
    ]
    assert len(reduced) >= 8, reduced


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_answers_that_only_look_right_earn_no_hidden_case(graded, assignment):
    """Do always-equal objects, patched comparisons and hard-coded examples pass no hidden case?"""
    roots, _, _ = graded
    for scenario in ("always_equal_object", "patches_torch_equal", "hardcoded_examples"):
        notebook = nbformat.read(grading_course.autograded_notebook(roots[assignment], assignment, scenario), 4)
        report = "".join(
            o.get("text", "") for c in notebook.cells if c.cell_type == "code" for o in c.outputs
        )
        hidden_lines = [line for line in report.splitlines() if line.endswith("[hidden]")]
        passed = [line for line in hidden_lines if line.lstrip().startswith("ok")]
        # A case that must raise ValueError may pass by raising; no other hidden case may pass.
        assert hidden_lines and len(passed) <= raising_cases(assignment), f"{scenario}: {passed}"


def report_of(notebook_path):
    """The lines the test cells of an autograded notebook printed."""
    notebook = nbformat.read(notebook_path, 4)
    return "".join(o.get("text", "") for c in notebook.cells if c.cell_type == "code" for o in c.outputs).splitlines()


def hidden_failures(lines):
    """{call line: [the lines under it]} of the failed hidden cases in a report."""
    failures, current = {}, None
    for line in lines:
        if line.startswith("  ") and not line.startswith("       "):
            current = line if line.lstrip().startswith("FAIL") and line.endswith("[hidden]") else None
            if current:
                failures[current] = []
        elif current and line.startswith("       "):
            failures[current].append(line.strip())
    return failures


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_a_failed_hidden_case_shows_its_input_and_the_first_difference(graded, assignment):
    """After grading, does each failed hidden case show its input's properties, and a wrong value the expected one?"""
    roots, _, _ = graded
    failures = hidden_failures(report_of(grading_course.autograded_notebook(roots[assignment], assignment,
                                                                              "hardcoded_examples")))
    assert failures
    tensor_inputs = [under for call, under in failures.items() if "tensor>" in call]
    assert tensor_inputs and all(any(line.startswith("input: shape (") for line in under) for under in tensor_inputs)
    differing = [under[0] for under in failures.values() if under[0].startswith("differs at")]
    assert differing and all(re.search(r"first at \[.*\]: expected -?[0-9.e+-]+, got -?[0-9.e+-]+", line)
                             for line in differing)


def test_feedback_names_the_mistake_and_the_students_line(graded):
    """Does our grader's feedback page name the padded maximum, and show the student's line for an error?"""
    roots, _, _ = graded
    feedback = roots["pool2d"] / "ours_submitted" / "feedback"
    padded = html.unescape((feedback / "max_pads_with_zero" / "pool2d" / "pool2d.html").read_text())
    assert "a padded position won the maximum" in padded
    assert re.search(r"input: shape \(\d+, \d+\), float(32|64), all negative, not whole numbers; padding 1", padded)
    four_d = html.unescape((feedback / "multichannel_passes_4d_to_2d" / "pool2d" / "pool2d.html").read_text())
    assert "raised ValueError: too many values to unpack (expected 2)" in four_d
    assert re.search(r"raised by line \d+ of your code, in pool2d_strided: H, W = X\.shape", four_d)


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_our_sandboxed_grader_gives_every_student_nbgraders_scores(graded, assignment):
    """Does our grader, running students in its sandbox and tests in its own process, agree with plain nbgrader?"""
    _, theirs, ours = graded
    assert set(ours[assignment]) == set(theirs[assignment])
    for student, scores in theirs[assignment].items():
        assert ours[assignment][student] == pytest.approx(scores, abs=1e-4), student


@pytest.mark.parametrize("assignment, scenario", SCENARIOS)
def test_our_grader_gives_each_scenario_its_expected_scores(graded, assignment, scenario):
    """Does each planted answer earn, from our grader, exactly the points expected_scores.json lists?"""
    _, _, ours = graded
    assert ours[assignment][scenario] == pytest.approx(EXPECTED_SCORES[assignment][scenario], abs=1e-4)


def test_a_deleted_checking_tools_cell_is_put_back(graded):
    """Does a correct submission whose checking-tools cell was deleted still get full marks from our grader?"""
    _, _, ours = graded
    assert ours["checking_tools_deleted"]["checking_tools_deleted"] == max_points("pool2d")


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_plain_nbgrader_sees_no_locked_cell_changed(graded, assignment):
    """Does plain nbgrader grade every planted answer without warning that a locked cell (a test) changed?"""
    assert graded
    assert "has changed!" not in NBGRADER_LOGS[assignment]
