"""Do parallel grading and plain `nbgrader autograde` agree with sequential grading, student by student?"""
import pytest

from autograder.bench import gradebook_scores, nbgrader_course, run_nbgrader_autograde
from grade_fixtures import ASSIGNMENT, COURSE, make_class, points, read_grades, run_grade

# Plain nbgrader's cell limit: its first cell imports torch in a fresh kernel, slow on a
# loaded machine. The hanging scenario hangs for ever, so its score is the same at any limit.
NBGRADER_TIMEOUT_SECONDS = 15

MIXED_CLASS = ["correct_answers", "wrong_window_sum", "hangs_forever", "calls_sys_exit",
               "deleted_test_cell", "edited_test_cell", "memory_bomb"]


@pytest.fixture(scope="module")
def mixed_class(tmp_path_factory):
    return make_class(tmp_path_factory.mktemp("mixed") / "submissions", MIXED_CLASS)


@pytest.fixture(scope="module")
def sequential_scores(mixed_class, tmp_path_factory):
    out = tmp_path_factory.mktemp("jobs1")
    assert run_grade(mixed_class, out, "--jobs", "1").returncode == 0
    return {s: points(row) for s, row in read_grades(out).items()}


def test_jobs_2_gives_the_same_scores_as_jobs_1(mixed_class, sequential_scores, tmp_path):
    """Does grading a mixed class with --jobs 2 give every student the same scores as --jobs 1?"""
    assert run_grade(mixed_class, tmp_path, "--jobs", "2").returncode == 0
    assert {s: points(row) for s, row in read_grades(tmp_path).items()} == sequential_scores


def test_same_scores_as_plain_nbgrader_autograde(mixed_class, sequential_scores, tmp_path):
    """Does plain `nbgrader autograde` give every student the same per-test scores as our grader?

    The memory bomb is left out: plain nbgrader has no memory cap, so on a big
    machine its bomb simply succeeds. Deleted test cells are restored on both
    sides (nbgrader's add_missing_cells).
    """
    course = tmp_path / "course"
    env = nbgrader_course(course, ASSIGNMENT, NBGRADER_TIMEOUT_SECONDS, course_root=COURSE)
    compared = [s for s in MIXED_CLASS if s != "memory_bomb"]
    for student in compared:
        (course / "submitted" / student).parent.mkdir(parents=True, exist_ok=True)
        (mixed_class / student).rename(course / "submitted" / student)
    run_nbgrader_autograde(course, ASSIGNMENT, env)
    theirs = gradebook_scores(f"sqlite:///{course}/gradebook.db", ASSIGNMENT)
    assert theirs == {s: sequential_scores[s] for s in compared}
