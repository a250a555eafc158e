"""Classes of scenario submissions for the grading tests, built from tests/fixtures/submissions/.

The assignment is the small `mini` assignment of tests/fixtures/grading_course
(two functions: `scale` worth 1 point, `window_sum` worth 2), so the tests
exercise the pipeline itself, independent of the course's real assignments.
Each scenario becomes a student of the same name, in nbgrader's layout (or as
`<student>.zip` for the zip scenarios, or as the student's whole folder for a
scenario that is a folder).
"""
import json
import shutil
import subprocess
import sys
from pathlib import Path

from locations import FIXTURES, REPO_ROOT

COURSE = FIXTURES / "grading_course"
SUBMISSIONS = FIXTURES / "submissions"
ASSIGNMENT = "mini"
# Short limits keep the suite fast; the memory cap is what the student may add.
TIMEOUT_SECONDS = 4
MEMORY_MB = 800

# scenario: (status, {grade_id: points}) that a correct grader must produce,
# kept beside the scenarios in tests/fixtures/submissions/expected.json.
EXPECTED = {scenario: (entry["status"], entry["points"])
            for scenario, entry in json.loads((SUBMISSIONS / "expected.json").read_text(encoding="utf-8")).items()
            if not scenario.startswith("_")}


def make_class(folder, scenarios):
    """Place each scenario's fixture in folder as the student of the same name; returns folder."""
    folder.mkdir(parents=True, exist_ok=True)
    for scenario in scenarios:
        zipped = SUBMISSIONS / f"{scenario}.zip"
        if zipped.exists():
            shutil.copy(zipped, folder / zipped.name)
        elif (SUBMISSIONS / scenario).is_dir():
            shutil.copytree(SUBMISSIONS / scenario, folder / scenario)
        else:
            target = folder / scenario / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
            target.parent.mkdir(parents=True)
            shutil.copy(SUBMISSIONS / f"{scenario}.ipynb", target)
    return folder


def grade_command(class_dir, out_dir, *extra):
    return [sys.executable, "-m", "autograder", "grade", ASSIGNMENT, str(class_dir), "--out", str(out_dir),
            "--course", str(COURSE), "--timeout", str(TIMEOUT_SECONDS), "--memory-mb", str(MEMORY_MB), *extra]


def run_grade(class_dir, out_dir, *extra):
    """Run the grade command to completion; returns the CompletedProcess."""
    return subprocess.run(grade_command(class_dir, out_dir, *extra), cwd=REPO_ROOT,
                          capture_output=True, text=True, timeout=600)


def read_grades(out_dir):
    """{student_id: csv row dict} from OUT_DIR/grades.csv."""
    import csv

    with open(Path(out_dir) / "grades.csv", newline="", encoding="utf-8") as handle:
        return {row["student_id"]: row for row in csv.DictReader(handle)}


def points(row):
    return {g: float(row[g]) for g in ("test_scale", "test_window_sum")}
