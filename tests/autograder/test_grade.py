"""Does the grader refuse clearly, with exit status 2, when a batch cannot run at all?"""
import shutil
import subprocess
import sys

import pytest

from autograder.assignments import assignment_names
from grade_fixtures import COURSE
from locations import REPO_ROOT


def grade(*args):
    return subprocess.run([sys.executable, "-m", "autograder", "grade", *args], cwd=REPO_ROOT,
                          capture_output=True, text=True, timeout=300)


def test_unknown_assignment_exits_2_naming_it(tmp_path):
    """Does an unknown assignment stop the command with a message naming it and how to list them?"""
    result = grade("no_such_assignment", str(tmp_path), "--out", str(tmp_path / "out"), "--course", str(COURSE))
    assert result.returncode == 2
    assert "no_such_assignment" in result.stderr and "autograder list" in result.stderr


def test_missing_submissions_folder_exits_2(tmp_path):
    """Does a submissions folder that does not exist stop the command with a message naming it?"""
    missing = tmp_path / "nowhere"
    result = grade("mini", str(missing), "--out", str(tmp_path / "out"), "--course", str(COURSE))
    assert result.returncode == 2
    assert str(missing) in result.stderr


@pytest.mark.parametrize("assignment", assignment_names())
def test_hidden_cases_that_fail_their_checksum_stop_the_batch(tmp_path, assignment):
    """Does a course whose hidden cases no longer match their manifest stop grading, instead of grading without them?"""
    course = tmp_path / "course"
    shutil.copytree(REPO_ROOT / "solutions" / assignment, course / "solutions" / assignment)
    references = course / "solutions" / assignment / "grading" / "references.json"
    references.write_text(references.read_text() + " ")  # any change breaks the SHA-256
    class_dir = tmp_path / "class" / "alice" / assignment
    class_dir.mkdir(parents=True)
    shutil.copy(REPO_ROOT / "exercises" / assignment / f"{assignment}.ipynb", class_dir / f"{assignment}.ipynb")
    result = grade(assignment, str(tmp_path / "class"), "--out", str(tmp_path / "out"), "--course", str(course))
    assert result.returncode == 2
    assert "set-up cell" in result.stderr and "does not match the SHA-256" in result.stderr
