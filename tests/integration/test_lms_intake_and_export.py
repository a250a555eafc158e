"""Do LMS downloads come in under the right students, late ones marked, and go back out as files the LMS imports?

One batch grades a class downloaded from Canvas and Moodle: a Canvas student
who handed in twice (the second time late), two Moodle students with the same
name, and one Moodle student the roster knows only by a name two students
share. The course counts lateness from a due date and its late-submission
plugin takes all the points of a late submission ("zero").
"""
import csv
import os
from datetime import datetime, timezone
import shutil
import subprocess
import sys

import pytest

from grade_fixtures import ASSIGNMENT, COURSE, REPO_ROOT, SUBMISSIONS

DUE = "2026-11-30 23:59:00 UTC"
DUE_SECONDS = datetime(2026, 11, 30, 23, 59, tzinfo=timezone.utc).timestamp()
ON_TIME, LATE = DUE_SECONDS - 86_400, DUE_SECONDS + 16_860  # a day early; 4 h 41 min late
ROSTER = """student_id,name,email,canvas_user_id,sis_user_id,moodle_participant_id
s1001,"Doe, Jane",jane.doe@uni.example,12345,JD-1,
s2001,John Smith,john.smith.a@uni.example,,,777001
s2002,John Smith,john.smith.b@uni.example,,,777002
s3001,Ann Lee,ann.lee.1@uni.example,,,
s3002,Ann Lee,ann.lee.2@uni.example,,,
"""


def write(path, data, when):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    os.utime(path, (when, when))


def run(*args):
    result = subprocess.run([sys.executable, "-m", "autograder", *args], cwd=REPO_ROOT, capture_output=True,
                            text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    return result


def read_csv(path):
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = tmp_path_factory.mktemp("lms")
    course = root / "course"
    shutil.copytree(COURSE / "solutions", course / "solutions")
    (course / "nbgrader_config.py").write_text(
        "c = get_config()\n"
        f"c.CourseDirectory.root = {str(course)!r}\n"
        f"c.CourseDirectory.db_url = 'sqlite:///{course}/gradebook.db'\n"
        "c.LateSubmissionPlugin.penalty_method = 'zero'\n")
    correct = (SUBMISSIONS / "correct_answers.ipynb").read_bytes()
    wrong = (SUBMISSIONS / "wrong_window_sum.ipynb").read_bytes()
    download = root / "download"
    write(download / "doejane_12345_67890_mini.ipynb", wrong, ON_TIME)
    write(download / "doejane_LATE_12345_67891_mini.ipynb", correct, LATE)
    write(download / "John Smith_777001_assignsubmission_file_" / "mini.ipynb", correct, ON_TIME)
    write(download / "John Smith_777002_assignsubmission_file_" / "mini.ipynb", wrong, ON_TIME)
    write(download / "Ann Lee_777003_assignsubmission_file_" / "mini.ipynb", correct, ON_TIME)
    (root / "roster.csv").write_text(ROSTER)
    out = root / "out"
    run("grade", ASSIGNMENT, str(download), "--out", str(out), "--course", str(course), "--timeout", "10",
        "--roster", str(root / "roster.csv"), "--due", DUE)
    with open(out / "grades.csv", newline="") as handle:
        rows = {row["student_id"]: row for row in csv.DictReader(handle)}
    return root, out, rows


def test_each_lms_entry_is_graded_under_the_rosters_student_id(graded):
    """Are the Canvas and Moodle entries graded as the roster's students, never under a display name?"""
    _, _, rows = graded
    assert {"s1001", "s2001", "s2002"} <= set(rows)
    assert not [student for student in rows if " " in student or "assignsubmission" in student]


def test_two_students_with_the_same_name_stay_two(graded):
    """Are the two John Smiths graded apart, each with their own notebook's score?"""
    _, _, rows = graded
    assert (rows["s2001"]["score"], rows["s2002"]["score"]) == ("3", "1")


def test_a_name_the_roster_cannot_place_is_reported_not_merged(graded):
    """Is a student the roster knows only by a name two students share reported, and graded as nobody's?"""
    _, _, rows = graded
    unknown = [row for row in rows.values() if row["status"] == "unknown-student"]
    assert len(unknown) == 1
    assert "2 students in the roster are named Ann Lee (s3001, s3002)" in unknown[0]["message"]
    assert rows.get("s3001", {}).get("status") != "ok" and rows.get("s3002", {}).get("status") != "ok"


def test_a_late_resubmission_wins_is_marked_late_and_takes_the_courses_penalty(graded):
    """Is Canvas's LATE resubmission graded over the earlier file, marked late, and zeroed by the course's plugin?"""
    _, _, rows = graded
    jane = rows["s1001"]
    assert jane["score"] == "3" and "graded the newest notebook" in jane["message"]
    assert jane["late"] == "yes" and float(jane["seconds_late"]) == LATE - DUE_SECONDS
    assert jane["late_penalty"] == "3" and jane["final_score"] == "0"
    assert jane["submitted_at"].startswith("2026-12-01T04:40") and jane["submitted_at_from"] == "file time"
    assert rows["s2001"]["late"] == "" and rows["s2001"]["final_score"] == "3"


def test_canvas_export_is_canvas_gradebook_csv(graded):
    """Is the Canvas file Canvas's import format: its five identity columns, then the assignment's exact header?"""
    root, out, _ = graded
    run("export", ASSIGNMENT, "--out", str(out), "--lms", "canvas", "--roster", str(root / "roster.csv"),
        "--column", "Mini assignment (48213)")
    rows = read_csv(out / "canvas_import.csv")
    assert rows[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "Mini assignment (48213)"]
    assert rows[1:] == [["Doe, Jane", "12345", "JD-1", "", "", "0"]]


def test_moodle_export_is_a_moodle_csv_grade_import(graded):
    """Is the Moodle file an email column and one grade column, one row per student the roster names?"""
    root, out, _ = graded
    run("export", ASSIGNMENT, "--out", str(out), "--lms", "moodle", "--roster", str(root / "roster.csv"),
        "--column", "Mini assignment")
    rows = read_csv(out / "moodle_import.csv")
    assert rows[0] == ["Email address", "Mini assignment"]
    assert sorted(rows[1:]) == [["jane.doe@uni.example", "0"], ["john.smith.a@uni.example", "3"],
                                ["john.smith.b@uni.example", "1"]]
