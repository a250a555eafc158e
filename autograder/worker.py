"""Grade one submission: the steps that run in a worker process, in order.

A worker is forked from the warm fork server (`parallel.py`) and handles one
submission; the student's code itself runs in a further child (`execute.py`).
Each step reads and extends the `Grading` record; a step that finds the
submission unusable raises SubmissionProblem, which ends the steps with that
status and the message.
"""
import os
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbgrader.utils import compute_checksum, is_grade, is_solution

from .execute import run_isolated
from .feedback import render_feedback
from .restore import restore_test_cells
from .scoring import Outcome, one_line, score_cells, status_of
from .validate import SubmissionProblem, read_notebook


@dataclass
class GradingTask:
    """Everything a worker needs; plain data so it can be sent to another process."""

    student_id: str
    notebook_name: str
    notebook_bytes: bytes
    source: object
    db_url: str
    timeout: float
    memory_mb: int
    feedback_path: Path


@dataclass
class Grading:
    task: GradingTask
    nb: object = None
    notes: list = field(default_factory=list)
    report: object = None
    outcome: Outcome = field(default_factory=Outcome)


def read_submission(grading):
    grading.nb = read_notebook(grading.task.notebook_bytes, grading.task.notebook_name)


def restore_tests(grading):
    task = grading.task
    try:
        grading.nb, grading.notes = restore_test_cells(grading.nb, task.source, task.student_id, task.db_url)
    except Exception as error:
        raise SubmissionProblem(
            "invalid-notebook", one_line(f"{task.notebook_name}: nbgrader metadata is corrupted ({error})")
        )


def _assignment_files_copy(source):
    """A scratch folder holding the assignment's non-notebook files, like nbgrader's autograded folder."""
    workdir = Path(tempfile.mkdtemp(prefix="autograde-"))
    for path in source.notebook_path.parent.iterdir():
        if path.suffix != ".ipynb" and not path.name.startswith("."):
            copy = shutil.copytree if path.is_dir() else shutil.copy2
            copy(path, workdir / path.name)
    return workdir


def execute_cells(grading):
    task = grading.task
    workdir = _assignment_files_copy(task.source)
    os.environ["NBGRADER_EXECUTION"] = "autograde"
    references = task.source.course_root / "autograder" / "references"
    if references.is_dir():
        # The course's checks find their reference cases here (see checks.py);
        # the scratch folder is not inside the course, so they must be told.
        os.environ["COURSE_REFERENCES_DIR"] = str(references)
    try:
        grading.report = run_isolated(grading.nb, timeout=task.timeout, memory_mb=task.memory_mb, workdir=workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    report = grading.report
    for index, outputs in report.outputs.items():
        cell = grading.nb.cells[index]
        if index in report.timed_out:
            outputs = [o for o in outputs if o["output_type"] != "error"] + [{
                "output_type": "error", "ename": "CellTimeoutError",
                "evalue": f"the cell did not finish within {task.timeout:g} s", "traceback": [],
            }]
        cell.outputs = [nbformat.from_dict(output) for output in outputs]
        cell.execution_count = report.execution_counts.get(index)
    for index, cell in enumerate(grading.nb.cells):
        # A cell that never ran must not look like a silent pass to determine_grade.
        if cell.cell_type == "code" and cell.source.strip() and index not in report.outputs:
            why = "it timed out" if index in report.timed_out else f"the process ended ({report.exit_description})"
            cell.outputs = [nbformat.from_dict({
                "output_type": "error", "ename": "CellNotRun",
                "evalue": f"this cell did not run because {why}", "traceback": [],
            })]


def score(grading):
    task = grading.task
    grading.outcome.scores = score_cells(grading.nb, task.source)
    grading.outcome.status, grading.outcome.message = status_of(
        grading.nb, grading.report, task.timeout, task.memory_mb
    )


def write_feedback(grading):
    task = grading.task
    page = render_feedback(grading.nb, task.source, task.student_id, grading.outcome, grading.notes)
    task.feedback_path.parent.mkdir(parents=True, exist_ok=True)
    temporary = task.feedback_path.with_suffix(".html.partial")
    temporary.write_text(page, encoding="utf-8")
    temporary.replace(task.feedback_path)


def failure_messages(grading):
    """{grade_id: one line saying why that test lost marks}, for the class report."""
    if grading.nb is None or grading.report is None:
        return {}
    points = dict(grading.task.source.grade_cells)
    failures = {}
    for cell in grading.nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        earned = grading.outcome.scores.get(grade_id)
        if not is_grade(cell) or grade_id not in points or earned is None or earned >= points[grade_id]:
            continue
        error = next((o for o in cell.get("outputs", []) if o.output_type == "error"), None)
        if error is not None:
            failures[grade_id] = one_line(f"{error.ename}: {error.evalue}", 120)
        elif any(o.output_type == "stream" and o.name == "stderr" for o in cell.outputs):
            failures[grade_id] = "wrote to stderr"
        else:
            printed = "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")
            failures[grade_id] = first_failed_case(printed) or "partial credit"
    return failures


def first_failed_case(printed):
    """'call: problem' for the first FAIL line of a test cell's printed report (see checks.py), or None.

    The hidden cases are the same for every student, so students who make the
    same mistake fail the same first case with the same line: the report can
    count them.
    """
    lines = printed.splitlines()
    for index, line in enumerate(lines):
        if line.strip().startswith("FAIL "):
            call = line.strip()[len("FAIL "):].removesuffix("[hidden]").strip()
            problem = lines[index + 1].strip() if index + 1 < len(lines) else ""
            return one_line(f"{call}: {problem}" if problem else call, 160)
    return None


# Order matters: tests are restored before anything runs, and feedback is
# written last so it shows the final scores.
STEPS = (read_submission, restore_tests, execute_cells, score, write_feedback)


def grade_submission(task):
    """Run STEPS on one task; returns a dict of plain data for the main process.

    Keys: scores {grade_id: points}, status, message (one line), answered
    {solution grade_id: changed by the student?} or None if it never ran.
    """
    started = time.monotonic()
    grading = Grading(task)
    try:
        for step in STEPS:
            step(grading)
    except SubmissionProblem as problem:
        grading.outcome = Outcome({g: 0.0 for g, _ in task.source.grade_cells}, problem.status, problem.message)
    except Exception as error:
        # Whatever goes wrong with one student must not stop the class.
        grading.outcome = Outcome(
            {g: 0.0 for g, _ in task.source.grade_cells}, "error",
            one_line(f"the grader failed on this submission: {type(error).__name__}: {error}"),
        )
        grading.report = None
    message = "; ".join(filter(None, [grading.outcome.message, *grading.notes]))
    answered = None
    if grading.report is not None:
        answered = {
            cell.metadata.nbgrader["grade_id"]: cell.metadata.nbgrader.get("checksum") != compute_checksum(cell)
            for cell in grading.nb.cells
            if is_solution(cell) and "grade_id" in cell.metadata.nbgrader
        }
    return {
        "scores": grading.outcome.scores,
        "failures": failure_messages(grading),
        "status": grading.outcome.status,
        "message": one_line(message),
        "answered": answered,
        "seconds": round(time.monotonic() - started, 3),
    }
