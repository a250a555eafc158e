"""Does an instructor's term work with nbgrader's own tools on what our grader writes?

The course's throwaway copy (grading_course.py) has its own nbgrader_config.py,
so our grader writes into its gradebook and nbgrader folders by default, as
it does for the real course. Then nbgrader's formgrader, its exchange and
our `feedback` command take over.
"""
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest
from nbgrader.api import Gradebook

import grading_course
from autograder.planting import plant_answers
from autograder.scenarios import scenario_sources

ASSIGNMENT = "avgpool_as_conv"
WRITTEN = "written_groups_and_max"
REPO_ROOT = grading_course.REPO_ROOT
VENV_BIN = grading_course.VENV_BIN
CORRECT = scenario_sources(ASSIGNMENT)["correct_loops"]


def our_grader(root, *args):
    """Run `python -m autograder ARGS --course root`, with the test course's short case limit."""
    result = subprocess.run(
        [sys.executable, "-m", "autograder", *args, "--course", str(root)], cwd=REPO_ROOT,
        env=dict(os.environ, COURSE_CASE_SECONDS=str(grading_course.CASE_SECONDS)),
        capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    return result


def csv_row(out, student):
    import csv

    with open(out / "grades.csv", newline="") as handle:
        return next(row for row in csv.DictReader(handle) if row["student_id"] == student)


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Formgrader:
    """Jupyter Server with nbgrader's formgrader, on 127.0.0.1, serving the course in root."""

    def __init__(self, root, home):
        self.port, self.token = free_port(), secrets.token_hex(16)
        self.process = subprocess.Popen(
            [str(VENV_BIN / "jupyter"), "server", "--no-browser", "--ServerApp.ip=127.0.0.1",
             f"--ServerApp.port={self.port}", f"--IdentityProvider.token={self.token}",
             f"--ServerApp.root_dir={root}", *(["--allow-root"] if os.geteuid() == 0 else [])],
            cwd=root, env=dict(os.environ, HOME=str(home), JUPYTER_RUNTIME_DIR=str(home / "runtime"),
                               PATH=f"{VENV_BIN}{os.pathsep}{os.environ['PATH']}"),
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 90
        while True:
            try:
                self.request("GET", "/api/status")
                return
            except OSError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    self.stop()
                    raise RuntimeError("the formgrader's server did not start")
                time.sleep(0.5)

    def request(self, method, path, body=None):
        """(HTTP status, body text) of a request with the server's token."""
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}{path}", method=method,
            data=None if body is None else json.dumps(body).encode(),
            headers={"Authorization": f"token {self.token}", "Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()


@pytest.fixture
def course(tmp_path):
    """A throwaway course with the assignment released, and its exchange in tmp_path."""
    root = tmp_path / "course"
    grading_course.make_course(root, [ASSIGNMENT])
    exchange = tmp_path / "exchange"
    exchange.mkdir()
    exchange.chmod(0o777)
    with open(root / "nbgrader_config.py", "a") as config:
        config.write(f"c.CourseDirectory.course_id = 'course101'\nc.Exchange.root = {str(exchange)!r}\n")
    return root


def write_the_written_answer(path):
    notebook = nbformat.read(path, as_version=4)
    cell = next(c for c in notebook.cells if c.metadata.get("nbgrader", {}).get("grade_id") == WRITTEN)
    cell.source = "With groups each channel keeps its own average; max is not linear, so no kernel gives it."
    nbformat.write(notebook, path)


def test_the_formgrader_opens_our_grading_and_its_hand_grade_reaches_feedback_and_grades(course, tmp_path):
    """Does the formgrader list our grading as autograded, open it, take a hand grade, which `feedback` then shows?"""
    submitted = course / "submitted" / "alice" / ASSIGNMENT
    plant_answers(REPO_ROOT / "exercises" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", CORRECT,
                  submitted / f"{ASSIGNMENT}.ipynb")
    write_the_written_answer(submitted / f"{ASSIGNMENT}.ipynb")
    (submitted / "timestamp.txt").write_text("2026-12-01 09:30:00.000000 UTC")  # as `nbgrader collect` leaves it
    out = tmp_path / "out"
    our_grader(course, "grade", ASSIGNMENT, str(course / "submitted"), "--out", str(out))
    assert (course / "autograded" / "alice" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").is_file()
    assert csv_row(out, "alice")["submitted_at"].startswith("2026-12-01T09:30:00")

    with Gradebook(f"sqlite:///{course}/gradebook.db") as gradebook:
        notebook = gradebook.find_submission_notebook(ASSIGNMENT, ASSIGNMENT, "alice")
        notebook_id = notebook.id
        grade_id = next(g.id for g in notebook.grades if g.name == WRITTEN)
        comment_id = next(c.id for c in notebook.comments if c.name == WRITTEN)
    home = tmp_path / "home"
    home.mkdir()
    server = Formgrader(course, home)
    try:
        status, body = server.request("GET", f"/formgrader/api/submissions/{ASSIGNMENT}")
        assert status == 200
        listed = {s["student"]: s for s in json.loads(body)}
        assert listed["alice"]["autograded"] and listed["alice"]["score"] == 6 and listed["alice"]["needs_manual_grade"]
        status, page = server.request("GET", f"/formgrader/submissions/{notebook_id}/")
        assert status == 200 and "corr2d" in page  # the student's own helper, as run
        assert server.request("PUT", f"/formgrader/api/grade/{grade_id}", {"manual_score": 2})[0] == 200
        assert server.request("PUT", f"/formgrader/api/comment/{comment_id}",
                              {"manual_comment": "Well argued: groups keep channels apart."})[0] == 200
    finally:
        server.stop()

    our_grader(course, "feedback", ASSIGNMENT, "--out", str(out))
    row = csv_row(out, "alice")
    assert row[WRITTEN] == "2" and row["score"] == "8"
    page = (out / "feedback" / "alice" / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text()
    assert f"{WRITTEN}: 2 / 2" in page and "Well argued: groups keep channels apart." in page


def nbgrader(cwd, *args, home):
    """Run an nbgrader command as a user whose home is `home`; returns its output."""
    result = subprocess.run([str(VENV_BIN / "nbgrader"), *args], cwd=cwd, capture_output=True, text=True,
                            env=dict(os.environ, HOME=str(home), PATH=f"{VENV_BIN}{os.pathsep}{os.environ['PATH']}"),
                            timeout=300)
    assert result.returncode == 0, f"nbgrader {' '.join(args)}:\n{result.stdout[-2000:]}\n{result.stderr[-3000:]}"
    return result


def test_feedback_travels_through_nbgraders_exchange(course, tmp_path):
    """Do release, fetch, submit and collect feed our grader, and release_feedback and fetch_feedback deliver its pages?"""
    student_home, instructor_home = tmp_path / "student", tmp_path / "instructor"
    student_home.mkdir()
    instructor_home.mkdir()
    nbgrader(course, "release_assignment", ASSIGNMENT, home=instructor_home)
    config = course / "nbgrader_config.py"
    shutil.copy(config, student_home / "nbgrader_config.py")  # the student's tools know the course and exchange
    nbgrader(student_home, "fetch_assignment", ASSIGNMENT, home=student_home)
    fetched = student_home / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    plant_answers(fetched, CORRECT, fetched)
    nbgrader(student_home, "submit", ASSIGNMENT, home=student_home)
    nbgrader(course, "collect", ASSIGNMENT, home=instructor_home)
    student = next(p.name for p in (course / "submitted").iterdir())

    out = tmp_path / "out"
    our_grader(course, "grade", ASSIGNMENT, str(course / "submitted"), "--out", str(out))
    assert csv_row(out, student)["submitted_at_from"] == "timestamp.txt"
    nbgrader(course, "release_feedback", ASSIGNMENT, home=instructor_home)
    nbgrader(student_home, "fetch_feedback", ASSIGNMENT, home=student_home)
    delivered = list((student_home / ASSIGNMENT / "feedback").rglob(f"{ASSIGNMENT}.html"))
    assert len(delivered) == 1
    assert "Score: 6 / 8" in delivered[0].read_text()


def test_a_points_change_in_the_metadata_alone_regrades(tmp_path):
    """When a test cell's points change in its nbgrader metadata only, does grading follow the metadata?"""
    root = tmp_path / "course"
    grading_course.make_course(root, ["pool2d"])
    source = root / "solutions" / "pool2d" / "pool2d.ipynb"
    notebook = nbformat.read(source, as_version=4)
    test_cell = next(c for c in notebook.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "test_pool2d")
    assert "points=3" in test_cell.source
    test_cell.metadata.nbgrader["points"] = 4
    nbformat.write(notebook, source)
    grading_course.run_nbgrader(root, "generate_assignment", "pool2d", "--force")
    release = root / "exercises" / "pool2d" / "pool2d.ipynb"
    scenarios = scenario_sources("pool2d")
    for student in ("correct_loops", "calls_max_pool2d"):
        plant_answers(release, scenarios[student], tmp_path / "class" / student / "pool2d" / "pool2d.ipynb")
    out = tmp_path / "out"
    our_grader(root, "grade", "pool2d", str(tmp_path / "class"), "--out", str(out), "--db", f"sqlite:///{out}/gradebook.db")
    assert csv_row(out, "correct_loops")["test_pool2d"] == "4"
    assert csv_row(out, "calls_max_pool2d")["test_pool2d"] == "0.4706"  # its 2 ValueError cases of 17, of 4 points
    assert csv_row(out, "correct_loops")["max_score"] == "13"
