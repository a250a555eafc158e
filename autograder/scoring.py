"""Scores and a status for one executed notebook, by nbgrader's own rules.

Each graded cell is scored with `nbgrader.utils.determine_grade`: an error or
anything on stderr gives 0, a number as the cell's value gives partial credit,
otherwise full marks. The status says whether the notebook ran normally.
"""
from dataclasses import dataclass, field

from nbgrader.utils import determine_grade, is_grade

MAX_MESSAGE_CHARS = 200


@dataclass
class Outcome:
    """scores: {grade_id: points earned (None if it needs manual grading)}."""

    scores: dict = field(default_factory=dict)
    status: str = "ok"
    message: str = ""

    @property
    def score(self):
        return sum(points or 0.0 for points in self.scores.values())


def one_line(text, limit=MAX_MESSAGE_CHARS):
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def cell_label(nb, index):
    meta = nb.cells[index].metadata.get("nbgrader", {})
    name = meta.get("grade_id")
    return f"cell {index + 1} ({name})" if name else f"cell {index + 1}"


def _first_error(outputs):
    return next((o for o in outputs if o["output_type"] == "error"), None)


# A student's cell error that means one of the box's limits was hit: (status, what the limit is).
LIMIT_ERRORS = (
    ("File too large", "file-size", "the file-size limit"),
    ("No space left on device", "file-size", "the space of its private /tmp"),
    ("Resource temporarily unavailable", "processes", "the limit on processes"),
)


def _limit_hit(nb, report):
    """(status, message) for the first cell whose error shows a limit of the box, or None."""
    for index, outputs in sorted(report.outputs.items()):
        error = _first_error(outputs)
        if error and not is_grade(nb.cells[index]):
            for marker, status, limit in LIMIT_ERRORS:
                if marker in f"{error['ename']}: {error['evalue']}":
                    return status, f"{cell_label(nb, index)} hit {limit} ({error['ename']}: {error['evalue']})"
    return None


def status_of(nb, report, settings):
    """(status, message) from an ExecutionReport.

    Precedence: memory > deadline > cpu-time > error (the process ended) > sys.exit >
    file-size / processes > timeout > error (a cell raised) > ok.
    """
    if report.memory_cells:
        index = report.memory_cells[0]
        return "memory", f"{cell_label(nb, index)} exceeded the {settings.memory_mb} MB memory cap"
    if report.past_deadline:
        return "deadline", (f"the notebook did not finish within its {settings.notebook_seconds:g} s limit; "
                            f"{cell_label(nb, report.died_in)} and later cells were not run")
    if report.died_in is not None and "SIGXCPU" in report.exit_description:
        return "cpu-time", (f"{cell_label(nb, report.died_in)} used up the {settings.cpu_seconds} s of CPU time "
                            "the notebook may use; later cells were not run")
    if report.died_in is not None and not report.timed_out:
        return "error", (
            f"the notebook's process ended during {cell_label(nb, report.died_in)} "
            f"({report.exit_description}), e.g. os._exit or a crash; later cells were not run"
        )
    for index, outputs in sorted(report.outputs.items()):
        error = _first_error(outputs)
        if error and error["ename"] == "SystemExit":
            return "error", f"{cell_label(nb, index)} called sys.exit({error['evalue']}); the rest was still run"
    limit = _limit_hit(nb, report)
    if limit:
        return limit[0], one_line(limit[1])
    if report.timed_out:
        labels = ", ".join(cell_label(nb, index) for index in report.timed_out)
        return "timeout", one_line(f"{labels} did not finish within {settings.cell_seconds:g} s")
    for index, outputs in sorted(report.outputs.items()):
        error = _first_error(outputs)
        if error and not is_grade(nb.cells[index]):
            return "error", one_line(f"{cell_label(nb, index)} raised {error['ename']}: {error['evalue']}")
    return "ok", ""


def score_cells(nb, source):
    """{grade_id: points} for every graded cell of the source, via determine_grade."""
    scores = {grade_id: 0.0 for grade_id, _ in source.grade_cells}
    for cell in nb.cells:
        if is_grade(cell) and cell.metadata["nbgrader"]["grade_id"] in scores:
            scores[cell.metadata["nbgrader"]["grade_id"]], _ = determine_grade(cell)
    return scores
