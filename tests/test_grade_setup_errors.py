"""Does the grader refuse clearly, with exit status 2, when a batch cannot run at all?"""
import os
import subprocess
import sys

from autograder.assignment_source import load_assignment_source
from autograder.discover import discover
from grade_fixtures import ASSIGNMENT, COURSE, REPO_ROOT, SUBMISSIONS

MINI_CELL_IDS = load_assignment_source(COURSE, ASSIGNMENT).cell_ids


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


def test_flat_lms_files_and_fuzzy_names_are_matched(tmp_path):
    """Are `<student>_<anything>.ipynb` files found, and a renamed notebook used only when unambiguous?"""
    notebook = (SUBMISSIONS / "correct_answers.ipynb").read_bytes()
    (tmp_path / "ana_mini.ipynb").write_bytes(notebook)
    (tmp_path / "ben_mini (1).ipynb").write_bytes(notebook)
    for name in ("cy_draft.ipynb", "cy_final.ipynb"):
        (tmp_path / name).write_bytes(notebook)
        os.utime(tmp_path / name, (1_700_000_000, 1_700_000_000))  # handed in at the same time
    found = {s.student_id: s for s in discover(tmp_path, "mini", "mini", MINI_CELL_IDS)}
    assert found["ana"].data == notebook and found["ben"].data == notebook
    assert found["cy"].status == "missing" and "ambiguous" in found["cy"].message


def test_a_late_file_wins_over_an_older_one_with_its_time_recorded(tmp_path):
    """Is a student's newer notebook graded rather than an older, correctly named one, with a note and its time?"""
    notebook = (SUBMISSIONS / "correct_answers.ipynb").read_bytes()
    (tmp_path / "bob_mini.ipynb").write_bytes(notebook)
    os.utime(tmp_path / "bob_mini.ipynb", (1_700_000_000, 1_700_000_000))
    (tmp_path / "bob_late.ipynb").write_bytes(notebook.replace(b"return X * k", b"return k * X"))
    os.utime(tmp_path / "bob_late.ipynb", (1_700_090_000, 1_700_090_000))
    bob = discover(tmp_path, "mini", "mini", MINI_CELL_IDS)[0]
    assert bob.notebook_name == "bob_late.ipynb" and b"return k * X" in bob.data
    assert bob.submitted_at.timestamp() == 1_700_090_000 and bob.submitted_at_from == "file time"
    assert bob.notes == ["graded the newest notebook, bob_late.ipynb (2023-11-15 23:13 UTC), "
                         "not bob_mini.ipynb (2023-11-14 22:13 UTC)"]


def test_a_renamed_notebook_of_another_assignment_is_not_taken(tmp_path):
    """Is a student's only notebook, renamed and holding another assignment's cells, left out as missing?"""
    (tmp_path / "dee_homework.ipynb").write_bytes((SUBMISSIONS / "only_another_assignment" / "other" / "other.ipynb").read_bytes())
    (tmp_path / "eve_whatever.ipynb").write_bytes((SUBMISSIONS / "correct_answers.ipynb").read_bytes())
    found = {s.student_id: s for s in discover(tmp_path, "mini", "mini", MINI_CELL_IDS)}
    assert found["dee"].status == "missing" and "another assignment" in found["dee"].message
    assert found["eve"].status == "ok" and found["eve"].data


def test_hidden_cases_that_fail_their_checksum_stop_the_batch(tmp_path):
    """Does a course whose hidden cases no longer match their manifest stop grading, instead of grading without them?"""
    import shutil

    course = tmp_path / "course"
    shutil.copytree(REPO_ROOT / "solutions" / "pool2d", course / "solutions" / "pool2d")
    references = course / "solutions" / "pool2d" / "grading" / "references.json"
    references.write_text(references.read_text().replace("0.8", "0.9", 1))
    class_dir = tmp_path / "class" / "alice" / "pool2d"
    class_dir.mkdir(parents=True)
    shutil.copy(REPO_ROOT / "exercises" / "pool2d" / "pool2d.ipynb", class_dir / "pool2d.ipynb")
    result = grade("pool2d", str(tmp_path / "class"), "--out", str(tmp_path / "out"), "--course", str(course))
    assert result.returncode == 2
    assert "set-up cell" in result.stderr and "does not match the SHA-256" in result.stderr
