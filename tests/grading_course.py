"""A throwaway nbgrader course for grading planted submissions in one batch.

The course lives in a temporary folder with its own nbgrader_config.py and
gradebook, so the tests never touch autograder/gradebook.db. It holds a copy
of solutions/ (whose grading/ folders hold the hidden cases, which nbgrader
never releases); every scenario becomes one "student", and a single `nbgrader autograde` run grades them all, with the
same preprocessors and cell restoring as plain `nbgrader autograde` at the
repository root. Only the time limits are shorter, so that hanging
scenarios cost seconds: the per-case limit (COURSE_CASE_SECONDS) and the
nbgrader cell timeout, whose interrupt-and-continue behaviour is the same.
"""
import os
import shutil
import subprocess

from nbgrader.api import Gradebook

from autograder.gradebook import RELEASE_IGNORE
from autograder.planting import plant_answers
from autograder.scenarios import scenario_sources

from locations import REPO_ROOT, VENV_BIN

CASE_SECONDS = 2
CELL_TIMEOUT_SECONDS = 30  # generous: the first cell imports torch, slow on a loaded machine

CONFIG = f"""\
c = get_config()
c.CourseDirectory.root = {{root!r}}
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "exercises"
c.CourseDirectory.submitted_directory = "submitted"
c.CourseDirectory.autograded_directory = "autograded"
c.CourseDirectory.feedback_directory = "feedback"
c.CourseDirectory.db_url = "sqlite:///{{root}}/gradebook.db"
c.ExecutePreprocessor.timeout = {CELL_TIMEOUT_SECONDS}
c.ExecutePreprocessor.interrupt_on_timeout = True
c.CourseDirectory.ignore = {list(RELEASE_IGNORE)!r}
"""


def scenario_names(assignment):
    """The answer scenarios of an assignment, sorted."""
    return sorted(scenario_sources(assignment))


def make_course(root, assignments):
    """Create the course in root: config and solutions (hidden cases included); release each assignment."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "nbgrader_config.py").write_text(CONFIG.format(root=str(root)))
    for assignment in assignments:
        shutil.copytree(REPO_ROOT / "solutions" / assignment, root / "solutions" / assignment,
                        ignore=shutil.ignore_patterns("__pycache__"))
    for assignment in assignments:
        run_nbgrader(root, "generate_assignment", assignment, "--force")


def nbgrader_command(root, *args):
    """Popen keyword arguments for `nbgrader ARGS` run in the course root."""
    env = dict(os.environ, PATH=f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}",
               COURSE_CASE_SECONDS=str(CASE_SECONDS))
    env.pop("COURSE_REFERENCES_DIR", None)  # the kernel must find the references itself
    return {"args": [str(VENV_BIN / "nbgrader"), *args], "cwd": root, "env": env,
            "stdout": subprocess.PIPE, "stderr": subprocess.STDOUT, "text": True}


def run_nbgrader(root, *args):
    """Run `nbgrader ARGS` in the course root; raise with its log if it fails."""
    result = subprocess.run(**nbgrader_command(root, *args), timeout=900)
    if result.returncode != 0:
        raise RuntimeError(f"nbgrader {' '.join(args)} failed:\n{result.stdout[-5000:]}")
    return result


def start_nbgrader(root, *args):
    """Start `nbgrader ARGS` in the course root without waiting; returns the Popen."""
    return subprocess.Popen(**nbgrader_command(root, *args))


def submit(root, assignment, student, notebook_path):
    """Place notebook_path as the student's submission of the assignment."""
    target = root / "submitted" / student / assignment / f"{assignment}.ipynb"
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(notebook_path, target)


def plant_scenarios(root, assignment):
    """Submit every scenario fixture of the assignment as the student of the same name."""
    release = REPO_ROOT / "exercises" / assignment / f"{assignment}.ipynb"
    for scenario, source in scenario_sources(assignment).items():
        plant_answers(release, source, root / "submitted" / scenario / assignment / f"{assignment}.ipynb")


def scores(root, assignment):
    """{student: {grade_id: auto score}} of the autograded cells of every graded submission of the assignment."""
    result = {}
    with Gradebook(f"sqlite:///{root}/gradebook.db") as gradebook:
        for submission in gradebook.assignment_submissions(assignment):
            notebook = submission.notebooks[0]
            result[submission.student.id] = {
                grade.name: grade.auto_score for grade in notebook.grades
                if grade.max_score > 0 and grade.cell.cell_type == "code"
            }
    return result


def autograded_notebook(root, assignment, student):
    return root / "autograded" / student / assignment / f"{assignment}.ipynb"
