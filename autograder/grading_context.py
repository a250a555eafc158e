"""What an assignment's checks see of the grader while it runs their test cells in its own process.

The grader runs every test cell in the trusted grading process, never in the
student's (see trusted_cells.py). While a cell runs, CURRENT holds that
student's GradingContext; a course's checking tools look it up
(`CURRENT.get()`, None in a notebook) to know that the student's functions
are calls into the sandbox, where the hidden cases are, and where to report.
A context variable keeps parallel grading threads apart.
"""
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

CURRENT = ContextVar("autograder_grading_context", default=None)


@dataclass
class GradingContext:
    """One student's grading, as the test cells' tools see it.

    references_dir: the assignment's grading/ folder (trusted; never in the sandbox)
    case_seconds: how long one case may run before the checks stop it
    write: prints a line of the test cell's report (its stdout)
    record_case: (test name, call, problem or None, public) for the class report
    references: whatever the checks loaded from references_dir, for this student only
    cell_points: the points of the test cell being run, from its nbgrader metadata
    """

    references_dir: Path
    case_seconds: float
    write: Callable[[str], None]
    record_case: Callable[[str, str, object, bool], None]
    references: dict = field(default=None)
    cell_points: float = None
