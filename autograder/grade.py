"""`python -m autograder grade`: grade a whole class, in parallel, resumably, each student in a sandbox.

The batch is the ordered list of steps in STEPS; each takes the `Batch`
record and fills in its part. One submission's own steps are in grade_one.py.
Students' code runs only in boxes forked from one warm zygote (sandbox.py);
the grading threads here hold the answers and decide the scores.
"""
import hashlib
import os
import shutil
import threading
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import nbformat
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from . import REPO_ROOT
from .assignment_source import GradingSetupError, load_assignment_source
from .discover import discover
from .grade_one import grade_submission
from .gradebook import DEFAULT_COURSE_ID, RELEASE_IGNORE, GradebookWriter, register_assignment
from .grades_csv import write_grades_csv
from .journal import Journal, load_results
from .course_dirs import GradedFiles, gradebook_location
from .report import render_report
from .roster import Roster
from .restore import GradebookSnapshot
from .result import SubmissionResult
from .sandbox import ASSIGNMENT_PATH, Zygote, ZygoteGone
from .trusted_cells import TrustedCells, load_assignment_modules

NO_SANDBOX_WARNING = ("graded WITHOUT a sandbox (--no-sandbox): students' code could read the hidden cases, "
                      "other students' files and everything this user can, and could leave processes behind")


@dataclass
class GradeOptions:
    assignment: str
    submissions_dir: Path
    out_dir: Path
    jobs: int = os.cpu_count() or 1
    timeout: float = 60.0
    memory_mb: int = 2048
    notebook_timeout: float = None  # default: timeout × the notebook's code cells
    cpu_seconds: int = None  # default: the notebook's time limit
    tmp_mb: int = 256
    processes: int = 64
    case_seconds: float = float(os.environ.get("COURSE_CASE_SECONDS", "10"))
    db_url: str = None
    force: bool = False
    sandbox: bool = True
    course_root: Path = REPO_ROOT
    roster: Path = None
    due: datetime = None  # overrides the gradebook's due date
    cluster: str = None  # a Dask scheduler's address, or local:N (cluster.py); None grades here


@dataclass
class RunSettings:
    """The limits every student gets, and what the trusted test cells need."""

    cell_seconds: float
    notebook_seconds: float
    case_seconds: float
    memory_mb: int
    cpu_seconds: int
    tmp_mb: int
    processes: int
    assignment_modules: dict
    references_dir: Path
    assignment_dir: str = ""  # where a box finds the released files

    @property
    def limits(self):
        """What the zygote's box needs to know (plain data; see inside/student.py)."""
        return {"memory_mb": self.memory_mb, "cpu_seconds": self.cpu_seconds, "file_mb": self.tmp_mb,
                "tmp_mb": self.tmp_mb, "processes": self.processes, "assignment_dir": self.assignment_dir}


@dataclass
class GradingRun:
    """What each grading thread shares: the assignment, the zygote, the limits, the gradebook's cells, where files go."""

    source: object
    zygote: object
    settings: RunSettings
    snapshot: GradebookSnapshot
    template: object  # the released notebook (nbformat), whose layout submissions are restored to
    files: GradedFiles


@dataclass
class Batch:
    options: GradeOptions
    console: Console
    source: object = None
    db_url: str = ""
    scratch: Path = None
    released: Path = None
    template: object = None
    coursedir: object = None  # the course's nbgrader folders, when grading into its gradebook
    submissions: list = field(default_factory=list)
    to_grade: list = field(default_factory=list)
    results: dict = field(default_factory=dict)  # student_id -> SubmissionResult
    graded_now: int = 0
    grading_seconds: float = 0.0  # from the first submission sent to the last recorded
    run: GradingRun = None
    cluster: object = None  # cluster.ClusterGrading, with --cluster


def load_assignment(batch):
    batch.source = load_assignment_source(batch.options.course_root, batch.options.assignment)


def prepare_output(batch):
    out = Path(batch.options.out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise GradingSetupError(f"cannot create the output folder {out}: {error.strerror}")
    # By default, the course's own gradebook and nbgrader folders (see course_dirs.py).
    batch.db_url, batch.coursedir = gradebook_location(batch.options.course_root, batch.options.db_url, out)
    # The grader's own scratch lives in the output folder, not in /tmp: nothing is left elsewhere.
    batch.scratch = out / ".grader-scratch"
    shutil.rmtree(batch.scratch, ignore_errors=True)
    batch.scratch.mkdir()


def release_for_grading(source, db_url, scratch, course_id):
    """Record the assignment in the gradebook; returns (the released notebook, the folder a box may read)."""
    release = scratch / "release"
    release.mkdir()
    released = register_assignment(source, db_url, release, course_id)
    template = nbformat.read(released / f"{source.notebook_name}.ipynb", as_version=4)
    # What the student's box may read: the released files, never a notebook or the grading/ folder.
    readable = scratch / "assignment"
    shutil.copytree(released, readable, ignore=shutil.ignore_patterns("*.ipynb", *RELEASE_IGNORE))
    return template, readable


def register_in_gradebook(batch):
    batch.template, batch.released = release_for_grading(batch.source, batch.db_url, batch.scratch,
                                                         _course_id(batch))


def _course_id(batch):
    return batch.coursedir.course_id if batch.coursedir is not None else DEFAULT_COURSE_ID


def find_submissions(batch):
    roster = Roster.load(batch.options.roster) if batch.options.roster else None
    batch.submissions = discover(batch.options.submissions_dir, batch.source.name, batch.source.notebook_name,
                                 batch.source.cell_ids, roster)


def _notebook_seconds(options, template):
    code = sum(1 for cell in template.cells if cell.cell_type == "code")
    return options.notebook_timeout or options.timeout * max(code, 1)


def run_settings(options, source, template, released):
    """The limits and trusted modules every student of this batch gets (here, or on a cluster's worker)."""
    notebook_seconds = _notebook_seconds(options, template)
    return RunSettings(
        cell_seconds=options.timeout, notebook_seconds=notebook_seconds, case_seconds=options.case_seconds,
        memory_mb=options.memory_mb, cpu_seconds=int(options.cpu_seconds or notebook_seconds),
        tmp_mb=options.tmp_mb, processes=options.processes,
        assignment_modules=load_assignment_modules(source.folder, f"_assignment_{source.name}_"),
        references_dir=source.grading_dir,
        assignment_dir=ASSIGNMENT_PATH if options.sandbox else str(released),
    )


def new_zygote(source, released, scratch, sandboxed):
    return Zygote(released, source.setup_sources, source.imported_modules, scratch / "sandbox", sandboxed=sandboxed)


def start_sandbox(batch):
    """Start the warm zygote, in bubblewrap unless --no-sandbox; SandboxUnavailable says why it cannot.

    With --cluster, each worker starts its own (cluster_worker.py) and this process starts none.
    """
    options, source = batch.options, batch.source
    if not options.sandbox:
        batch.console.print(f"[bold yellow]warning:[/] {NO_SANDBOX_WARNING}", highlight=False)
    settings = run_settings(options, source, batch.template, batch.released)
    snapshot = GradebookSnapshot(batch.db_url, source.name, source.notebook_name)
    files = GradedFiles(options.out_dir, batch.coursedir, source.name, source.notebook_name)
    batch.run = GradingRun(source, None, settings, snapshot, batch.template, files)
    if options.cluster:
        from . import cluster  # imported on use: only --cluster needs Dask

        batch.cluster = cluster.ClusterGrading.start(batch)
    else:
        batch.run.zygote = new_zygote(source, batch.released, batch.scratch, options.sandbox).start()


def run_setup_cells(source, settings):
    """Run the assignment's set-up cells once in the grader: every student's test cells will need them,
    and what they import is then warm before any student's clock starts."""
    cells = TrustedCells(None, settings.assignment_modules, settings.references_dir, settings.case_seconds,
                         record_case=lambda *case: None)
    for cell in source.setup_sources:
        try:
            cells.run_setup(cell)
        except Exception as error:
            raise GradingSetupError(f"a set-up cell of {source.name} fails in the grader "
                                    f"({type(error).__name__}: {error}); check the course's files:\n{cell}")


def check_setup_cells(batch):
    run_setup_cells(batch.source, batch.run.settings)


def _fingerprint(batch, submission):
    return hashlib.sha256(f"{submission.digest}:{batch.source.digest}".encode()).hexdigest()


def skip_already_graded(batch):
    """Keep earlier results whose submission and assignment are unchanged (unless --force)."""
    earlier = {} if batch.options.force else load_results(batch.options.out_dir, batch.source.name)
    for submission in batch.submissions:
        result = earlier.get(submission.student_id)
        if result and result.fingerprint == _fingerprint(batch, submission):
            batch.results[submission.student_id] = result
        else:
            batch.to_grade.append(submission)


class ZygoteKeeper:
    """Restarts the zygote when it is gone (the kernel's OOM killer, say); one restart at a time.

    in_thread(function) runs the start where the zygote must live: it dies with the thread that
    started it (PR_SET_PDEATHSIG), so a cluster worker starts it in a thread of its own.
    """

    def __init__(self, run, in_thread=lambda function: function()):
        self.run = run
        self.in_thread = in_thread
        self.lock = threading.Lock()

    def restart(self, broken):
        with self.lock:
            if self.run.zygote is broken:
                broken.close()
                self.run.zygote = self.in_thread(Zygote(
                    broken.assignment_dir, broken.config["setup_sources"], broken.config["modules"],
                    broken.scratch, broken.sandboxed).start)


def grade_with_retry(run, keeper, submission):
    """Grade one submission; if the zygote died meanwhile, restart it and try once more.

    Never raises: whatever goes wrong with one student must not stop the class.
    """
    for attempt in range(2):
        zygote = run.zygote
        try:
            return grade_submission(submission, run)
        except ZygoteGone:
            keeper.restart(zygote)
        except Exception as error:
            return {"scores": {}, "status": "error",
                    "message": f"the grader itself failed on this submission ({error}); please report it"}
    return {"scores": {}, "status": "error", "message": "the sandbox failed twice while grading this submission"}


def grade_all(batch):
    """Grade every submission not kept from earlier; each result is saved the moment it arrives."""
    source = batch.source
    journal = Journal(batch.options.out_dir)
    columns = (TextColumn("grading {task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    config = batch.coursedir.config if batch.coursedir is not None else None
    with GradebookWriter(batch.db_url, source, _course_id(batch), config) as gradebook, \
            Progress(*columns, console=batch.console, transient=False) as progress:
        bar = progress.add_task(source.name, total=len(batch.to_grade))
        if batch.options.due is not None:
            gradebook.set_due_date(batch.options.due)

        def record(submission, graded):
            scores = {g: graded["scores"].get(g, 0.0) for g, _ in source.grade_cells}
            result = SubmissionResult(
                student_id=submission.student_id, assignment=source.name, status=graded["status"],
                message=graded["message"], scores=scores, score=sum(v or 0.0 for v in scores.values()),
                max_score=source.max_score, failures=graded.get("failures", {}), review=graded.get("review", []),
                answered=graded.get("answered"), fingerprint=_fingerprint(batch, submission),
                origin=submission.origin, seconds=graded.get("seconds", 0.0),
                submitted_at=submission.submitted_at.isoformat() if submission.submitted_at else "",
                submitted_at_from=submission.submitted_at_from,
                autograded=str(batch.run.files.autograded_notebook(submission.student_id))
                if graded.get("autograded") else "",
                graded_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
            )
            files = batch.run.files
            if submission.data is not None:
                files.record_submitted(submission)
            if graded.get("autograded"):
                files.write_autograded(submission.student_id, graded["autograded"])
            if graded.get("feedback"):
                files.write_feedback(submission.student_id, graded["feedback"])
            gradebook.record(result)
            if submission.submitted_at is not None:
                result.seconds_late, result.late_penalty = gradebook.lateness(submission.student_id)
            result.late = submission.late_mark or result.seconds_late > 0
            journal.append(result)
            batch.results[submission.student_id] = result
            batch.graded_now += 1
            progress.advance(bar)

        runnable = []
        for submission in batch.to_grade:
            if submission.data is None:
                record(submission, {"scores": {}, "status": submission.status, "message": submission.message})
            else:
                runnable.append(submission)
        grade_each = batch.cluster.grade_each if batch.cluster is not None else grade_here
        started = time.monotonic()
        for submission, graded in grade_each(batch, runnable):
            record(submission, graded)
        batch.grading_seconds = time.monotonic() - started
    journal.close()


def grade_here(batch, submissions):
    """Yield (submission, graded) as this machine's grading threads finish them."""
    keeper = ZygoteKeeper(batch.run)
    with ThreadPoolExecutor(max_workers=max(1, batch.options.jobs), thread_name_prefix="grading") as pool:
        futures = {pool.submit(grade_with_retry, batch.run, keeper, s): s for s in submissions}
        for future in as_completed(futures):
            yield futures[future], future.result()


def write_outputs(batch):
    out = Path(batch.options.out_dir)
    results = [batch.results[s.student_id] for s in batch.submissions if s.student_id in batch.results]
    write_grades_csv(out / "grades.csv", batch.source, results)
    warnings = [] if batch.options.sandbox else [NO_SANDBOX_WARNING]
    report = out / "report.html.partial"
    report.write_text(render_report(batch.source, results, warnings), encoding="utf-8")
    report.replace(out / "report.html")


# Order matters: bad arguments are caught before anything is written,
# nothing is graded before the gradebook knows the assignment (and has
# released the files the boxes see), and the summary files are written from
# the journal's results at the end.
STEPS = (load_assignment, find_submissions, prepare_output, register_in_gradebook, start_sandbox,
         check_setup_cells, skip_already_graded, grade_all, write_outputs)


def print_summary(batch, seconds):
    results = list(batch.results.values())
    batch.console.print(f"{batch.source.name}: {len(results)} students ({batch.graded_now} graded now, "
                        f"{len(results) - batch.graded_now} kept) in {seconds:.1f} s", highlight=False)
    table = Table()
    table.add_column("status")
    table.add_column("students", justify="right")
    table.add_column("mean score", justify="right")
    by_status = {}
    for result in results:
        by_status.setdefault(result.status, []).append(result.score)
    for status, scores in sorted(by_status.items()):
        table.add_row(status, str(len(scores)), f"{sum(scores) / len(scores):.2f} / {batch.source.max_score:g}")
    batch.console.print(table)
    flagged = sum(1 for result in results if result.review)
    if flagged:
        batch.console.print(f"{flagged} submission(s) flagged for review: see the review column and report.html")
    out = Path(batch.options.out_dir)
    batch.console.print(f"grades: {out / 'grades.csv'}\nreport: {out / 'report.html'}\n"
                        f"feedback: {out / 'feedback'}\ngradebook: {batch.db_url}")


def _stop(batch):
    if batch.cluster is not None:
        batch.cluster.close()
    if batch.run is not None and batch.run.zygote is not None:
        batch.run.zygote.close()
    if batch.scratch is not None:
        shutil.rmtree(batch.scratch, ignore_errors=True)


def grade_class(options, console=None):
    """Run STEPS; returns the Batch. Raises GradingSetupError if the batch cannot start."""
    batch = Batch(options, console or Console(soft_wrap=True))
    started = time.monotonic()
    try:
        for step in STEPS:
            step(batch)
    finally:
        _stop(batch)
    print_summary(batch, time.monotonic() - started)
    return batch


def main(args):
    options = GradeOptions(
        assignment=args.assignment, submissions_dir=Path(args.submissions_dir), out_dir=Path(args.out),
        jobs=args.jobs, timeout=args.timeout, memory_mb=args.memory_mb, notebook_timeout=args.notebook_timeout,
        cpu_seconds=args.cpu_seconds, tmp_mb=args.tmp_mb, processes=args.processes, db_url=args.db,
        force=args.force, sandbox=not args.no_sandbox, course_root=Path(args.course).resolve(),
        roster=args.roster, due=args.due, cluster=args.cluster,
    )
    grade_class(options)
    return 0
