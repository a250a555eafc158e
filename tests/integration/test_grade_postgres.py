"""Can a class's grades go to a shared PostgreSQL gradebook (`--db URL`) that nbgrader's own tools read?"""
import csv
import subprocess

import pytest

from autograder.bench import gradebook_scores
from locations import VENV_BIN
from grade_fixtures import ASSIGNMENT, make_class, points, read_grades, run_grade
from postgres_server import postgres_database

CLASS = ["correct_answers", "wrong_window_sum", "hangs_forever"]


@pytest.fixture(scope="module")
def postgres_url():
    with postgres_database() as url:
        yield url


@pytest.fixture(scope="module")
def graded_into_postgres(tmp_path_factory, postgres_url):
    root = tmp_path_factory.mktemp("postgres_class")
    class_dir = make_class(root / "submissions", CLASS)
    result = run_grade(class_dir, root / "out", "--db", postgres_url)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return root / "out"


def test_the_postgres_gradebook_holds_the_same_scores_as_grades_csv(graded_into_postgres, postgres_url):
    """Does nbgrader's Gradebook API, pointed at PostgreSQL, read every student's scores as in grades.csv?"""
    csv_scores = {student: points(row) for student, row in read_grades(graded_into_postgres).items()}
    assert sorted(csv_scores) == sorted(CLASS)
    assert gradebook_scores(postgres_url, ASSIGNMENT) == csv_scores


def test_plain_nbgrader_export_reads_the_postgres_gradebook(graded_into_postgres, postgres_url, tmp_path):
    """Does `nbgrader export` with the same URL list every student with their total?"""
    result = subprocess.run(
        [str(VENV_BIN / "nbgrader"), "export", f"--CourseDirectory.db_url={postgres_url}",
         f"--CourseDirectory.root={tmp_path}", "--to", str(tmp_path / "export.csv")],
        cwd=tmp_path, capture_output=True, text=True, timeout=300,
        env={"PATH": f"{VENV_BIN}:/usr/bin:/bin", "HOME": str(tmp_path)},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    with open(tmp_path / "export.csv", newline="") as exported:
        totals = {row["student_id"]: float(row["score"]) for row in csv.DictReader(exported)}
    csv_rows = read_grades(graded_into_postgres)
    assert totals == {student: float(row["score"]) for student, row in csv_rows.items()}
