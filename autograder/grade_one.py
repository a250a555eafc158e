"""Grade one submission: its steps, in order, run by a grading thread of the main process.

The student's code runs in a box forked from the warm zygote (sandbox.py);
everything here is the trusted side: restoring the instructors' cells,
running the test cells (run_notebook.py), scoring by nbgrader's rules,
flagging code for review, writing the feedback page. Each step reads and
extends the `Grading` record; a step that finds the submission unusable
raises SubmissionProblem, which ends the steps with that status and message.
"""
import time
from dataclasses import dataclass, field

import nbformat
from nbgrader.utils import compute_checksum, is_grade, is_solution

from .feedback import render_feedback
from .restore import restore_test_cells
from .review import review_reasons
from .run_notebook import code_cells_to_run, run_notebook
from .sandbox import ZygoteGone
from .scoring import Outcome, one_line, score_cells, status_of
from .validate import SubmissionProblem, read_notebook


@dataclass
class Grading:
    submission: object  # discover.Submission
    run: object  # the batch's GradingRun (grade.py): source, zygote, settings, snapshot, files
    nb: object = None
    notes: list = field(default_factory=list)
    report: object = None
    outcome: Outcome = field(default_factory=Outcome)
    review: list = field(default_factory=list)
    autograded: str = ""  # the notebook as run (nbformat JSON)
    feedback: str = ""  # the feedback page (HTML)


def read_submission(grading):
    submission = grading.submission
    grading.notes = list(submission.notes)
    grading.nb, upgraded = read_notebook(submission.data, submission.notebook_name)
    grading.notes.extend(upgraded)


def restore_tests(grading):
    submission, source = grading.submission, grading.run.source
    try:
        grading.nb, notes = restore_test_cells(grading.nb, source, submission.student_id, grading.run.snapshot,
                                               grading.run.template)
    except Exception as error:
        raise SubmissionProblem("invalid-notebook", one_line(
            f"{submission.notebook_name}: its cells could not be matched to the assignment's ({error})"))
    grading.notes.extend(notes)


def flag_for_review(grading):
    grading.review = review_reasons(grading.nb)


def execute_cells(grading):
    run = grading.run
    process = run.zygote.spawn(run.settings.limits)  # ZygoteGone: the batch restarts it and retries
    grading.report = report = run_notebook(grading.nb, process, run.settings)
    for index, outputs in report.outputs.items():
        if index in report.timed_out:
            outputs = [o for o in outputs if o["output_type"] != "error"] + [{
                "output_type": "error", "ename": "CellTimeoutError",
                "evalue": f"the cell did not finish within {run.settings.cell_seconds:g} s", "traceback": [],
            }]
        cell = grading.nb.cells[index]
        cell.outputs = [nbformat.from_dict(output) for output in outputs]
        cell.execution_count = report.execution_counts.get(index)
    for index in code_cells_to_run(grading.nb):
        # A cell that never ran must not look like a silent pass to determine_grade.
        if index not in report.outputs:
            grading.nb.cells[index].outputs = [nbformat.from_dict({
                "output_type": "error", "ename": "CellNotRun",
                "evalue": f"this cell did not run because the notebook's process ended ({report.exit_description})",
                "traceback": [],
            })]


def score(grading):
    run = grading.run
    grading.outcome.scores = score_cells(grading.nb, run.source)
    grading.outcome.status, grading.outcome.message = status_of(grading.nb, grading.report, run.settings)


def render_pages(grading):
    """The notebook as run (for nbgrader's formgrader) and the feedback page, as text for the batch to write."""
    grading.autograded = nbformat.writes(grading.nb)
    grading.feedback = render_feedback(grading.nb, grading.run.source, grading.submission.student_id, grading.outcome,
                                       grading.notes)


def failure_messages(grading):
    """{grade_id: one line saying why that test lost marks}, for the class report.

    A test whose cases ran names its first failed case: the hidden cases are
    the same for every student, so students who make the same mistake fail
    the same first case with the same line, and the report can count them.
    """
    if grading.nb is None or grading.report is None:
        return {}
    points = dict(grading.run.source.tests)
    first_failed = {}
    for grade_id, call, problem, _public in grading.report.cases:
        if problem is not None:
            first_failed.setdefault(grade_id, one_line(f"{call}: {problem}", 160))
    failures = {}
    for cell in grading.nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        earned = grading.outcome.scores.get(grade_id)
        if not is_grade(cell) or grade_id not in points or earned is None or earned >= points[grade_id]:
            continue
        if cell.cell_type != "code":
            failures[grade_id] = "no answer written"
            continue
        error = next((o for o in cell.get("outputs", []) if o.output_type == "error"), None)
        if error is not None:
            failures[grade_id] = one_line(f"{error.ename}: {error.evalue}", 120)
        elif any(o.output_type == "stream" and o.name == "stderr" for o in cell.outputs):
            failures[grade_id] = "wrote to stderr"
        else:
            failures[grade_id] = first_failed.get(grade_id, "partial credit")
    return failures


# Order matters: tests are restored before anything runs, the review scan
# reads the restored cells, and the pages are rendered last with the final scores.
STEPS = (read_submission, restore_tests, flag_for_review, execute_cells, score, render_pages)


def grade_submission(submission, run):
    """Run STEPS on one submission (discover.Submission); returns a dict of plain data for the batch's record.

    Keys: scores {grade_id: points}, status, message (one line), failures,
    review, answered {answer grade_id: changed?} or None if it never ran, seconds,
    autograded (the notebook as run, "" if it never ran) and feedback (the page, "" if none):
    the batch writes the files, so a grader elsewhere (cluster.py) needs no shared disk.
    Raises ZygoteGone only when the zygote is gone (the batch restarts it and retries).
    """
    started = time.monotonic()
    grading = Grading(submission, run)
    zeros = {g: 0.0 for g, _ in run.source.grade_cells}
    try:
        for step in STEPS:
            step(grading)
    except SubmissionProblem as problem:
        grading.outcome = Outcome(zeros, problem.status, problem.message)
    except ZygoteGone:
        raise
    except Exception as error:
        # Whatever goes wrong with one student must not stop the class.
        grading.outcome = Outcome(zeros, "error", one_line(
            f"the grader itself failed on this submission ({error or type(error).__name__}); please report it"))
        grading.report = None
    message = "; ".join(filter(None, [grading.outcome.message, *grading.notes]))
    return {
        "scores": grading.outcome.scores,
        "failures": failure_messages(grading),
        "status": grading.outcome.status,
        "message": one_line(message),
        "review": grading.review,
        "answered": answered_cells(grading),
        "seconds": round(time.monotonic() - started, 3),
        "autograded": grading.autograded if grading.report is not None else "",
        "feedback": grading.feedback,
    }


def answered_cells(grading):
    """{answer cell grade_id: changed by the student?}, for nbgrader's "No response." (None if it never ran)."""
    if grading.report is None:
        return None
    return {
        cell.metadata.nbgrader["grade_id"]: cell.metadata.nbgrader.get("checksum") != compute_checksum(cell)
        for cell in grading.nb.cells
        if is_solution(cell) and "grade_id" in cell.metadata.nbgrader
    }
