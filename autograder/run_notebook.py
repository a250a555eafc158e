"""Run one student's notebook: answer cells in the sandbox, test cells in the grader's process.

Cells run in notebook order, one at a time. A cell that is not a graded test
cell (the student's answers, the instructors' set-up cells) runs in the
student's box; a graded test cell runs here (trusted_cells.py), calling into
the box for each case. The set-up cells run in both places, so the test
cells find their tools here and the answers find theirs in the box.
"""
from dataclasses import dataclass, field

from nbgrader.utils import is_grade, is_solution

from .session import BoxEnded, CellTimedOut, StudentSession
from .trusted_cells import TrustedCells

MEMORY_ERROR_MARKERS = ("MemoryError", "can't allocate memory", "Cannot allocate memory", "std::bad_alloc")


@dataclass
class ExecutionReport:
    """What happened while the cells ran.

    outputs: {code cell index in nb.cells: list of nbformat output dicts}
    timed_out: indices of cells stopped by the per-cell timeout
    memory_cells: indices of cells that hit the memory cap
    died_in: index of the cell during which the box ended, or None
    exit_description: how it ended (e.g. "exit code 3"), when died_in is set
    past_deadline: the box was killed at the notebook's time limit
    cases: [(grade_id, call, problem or None, public)] of every case the test cells ran
    """

    outputs: dict = field(default_factory=dict)
    execution_counts: dict = field(default_factory=dict)
    timed_out: list = field(default_factory=list)
    memory_cells: list = field(default_factory=list)
    died_in: int = None
    exit_description: str = ""
    past_deadline: bool = False
    cases: list = field(default_factory=list)


def code_cells_to_run(nb):
    """Indices of the cells a Jupyter client would execute: code cells with source."""
    return [i for i, cell in enumerate(nb.cells) if cell.cell_type == "code" and cell.source.strip()]


def is_setup_cell(cell):
    """An instructors' code cell that is neither an answer nor a test: imports, the checking tools."""
    meta = cell.metadata.get("nbgrader", {})
    return cell.cell_type == "code" and meta.get("locked") and not is_grade(cell) and not is_solution(cell)


def is_memory_error(output):
    text = f"{output.get('ename', '')}: {output.get('evalue', '')}"
    return output.get("output_type") == "error" and any(m in text for m in MEMORY_ERROR_MARKERS)


def run_notebook(nb, process, settings):
    """Run nb's code cells with `process` (a fresh box from the zygote); returns an ExecutionReport.

    settings: a RunSettings-like object with cell_seconds, notebook_seconds,
    case_seconds, assignment_modules and references_dir. The box is closed
    (every process in it killed) before this returns.
    """
    report = ExecutionReport()
    session = StudentSession(process, settings.notebook_seconds)
    current = None

    def record_case(_test, call, problem, public):
        report.cases.append((nb.cells[current].metadata["nbgrader"]["grade_id"], call, problem, public))

    trusted = TrustedCells(session, settings.assignment_modules, settings.references_dir, settings.case_seconds,
                           record_case)
    try:
        session.wait_ready()
        for index in code_cells_to_run(nb):
            current = index
            cell = nb.cells[index]
            if is_grade(cell):
                try:
                    points = float(cell.metadata["nbgrader"].get("points", 0))
                    report.outputs[index] = trusted.run_test(cell.source, settings.cell_seconds, points)
                except CellTimedOut:
                    report.outputs[index] = trusted.current.outputs
                    report.timed_out.append(index)
                continue
            if is_setup_cell(cell):
                trusted.run_setup(cell.source)
            try:
                reply = session.request("run", {"source": cell.source}, settings.cell_seconds)
            except CellTimedOut as timeout:
                reply = timeout.reply
                report.timed_out.append(index)
            report.outputs[index] = reply.get("outputs", [])
            report.execution_counts[index] = reply.get("execution_count")
        current = None
    except BoxEnded as ended:
        report.died_in = current if current is not None else next(iter(code_cells_to_run(nb)), None)
        report.exit_description = ended.why
        report.past_deadline = ended.deadline
    finally:
        process.close()
    for index, outputs in report.outputs.items():
        if any(is_memory_error(output) for output in outputs):
            report.memory_cells.append(index)
    return report
