"""`python -m autograder grade`: grade a whole class, in parallel, resumably.

The batch is the ordered list of steps in STEPS; each takes the `Batch`
record and fills in its part. One submission's own steps are in worker.py.
"""
import hashlib
import os
import subprocess
import sys
import time
from concurrent.futures import as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from . import REPO_ROOT
from .assignment_source import GradingSetupError, load_assignment_source
from .discover import discover
from .grades_csv import write_grades_csv
from .gradebook import GradebookWriter, default_db_url, register_assignment
from .journal import Journal, load_results
from .parallel import warm_worker_pool
from .report import render_report
from .worker import GradingTask, grade_submission


@dataclass
class GradeOptions:
    assignment: str
    submissions_dir: Path
    out_dir: Path
    jobs: int = os.cpu_count() or 1
    timeout: float = 60.0
    memory_mb: int = 2048
    db_url: str = None
    force: bool = False
    course_root: Path = REPO_ROOT


@dataclass
class Batch:
    options: GradeOptions
    console: Console
    source: object = None
    db_url: str = ""
    submissions: list = field(default_factory=list)
    to_grade: list = field(default_factory=list)
    results: dict = field(default_factory=dict)  # student_id -> journal entry
    graded_now: int = 0
    warm_modules: list = field(default_factory=list)


def load_assignment(batch):
    batch.source = load_assignment_source(batch.options.course_root, batch.options.assignment)


def prepare_output(batch):
    out = Path(batch.options.out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise GradingSetupError(f"cannot create the output folder {out}: {error.strerror}")
    batch.db_url = batch.options.db_url or default_db_url(out)


def register_in_gradebook(batch):
    register_assignment(batch.source, batch.db_url)


def find_modules_to_warm(batch):
    """Modules the assignment's set-up cells load, listed by a throwaway process (see warm_modules.py)."""
    result = subprocess.run(
        [sys.executable, "-m", "autograder.warm_modules", str(batch.source.notebook_path)],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=300,
    )
    listed = result.stdout.split() if result.returncode == 0 else []
    batch.warm_modules = list(batch.source.imported_modules) + listed


def find_submissions(batch):
    batch.submissions = discover(batch.options.submissions_dir, batch.source.name, batch.source.notebook_name)


def _fingerprint(batch, submission):
    return hashlib.sha256(f"{submission.digest}:{batch.source.digest}".encode()).hexdigest()


def skip_already_graded(batch):
    """Keep earlier results whose submission and assignment are unchanged (unless --force)."""
    earlier = {} if batch.options.force else load_results(batch.options.out_dir, batch.source.name)
    for submission in batch.submissions:
        entry = earlier.get(submission.student_id)
        if entry and entry.get("fingerprint") == _fingerprint(batch, submission):
            batch.results[submission.student_id] = entry
        else:
            batch.to_grade.append(submission)


def _task(batch, submission):
    options = batch.options
    return GradingTask(
        student_id=submission.student_id,
        notebook_name=submission.notebook_name,
        notebook_bytes=submission.data,
        source=batch.source,
        db_url=batch.db_url,
        timeout=options.timeout,
        memory_mb=options.memory_mb,
        feedback_path=Path(options.out_dir).resolve() / "feedback" / submission.student_id
        / batch.source.name / f"{batch.source.notebook_name}.html",
    )


def _worker_crash(error):
    return {"scores": {}, "failures": {}, "status": "error", "answered": None,
            "message": f"the grading worker process crashed ({type(error).__name__}); the submission was not graded"}


def _run_in_pool(batch, submissions, record):
    """Grade submissions in fresh workers; returns those lost to a broken pool."""
    lost = []
    with warm_worker_pool(batch.options.jobs, batch.warm_modules) as pool:
        futures = {pool.submit(grade_submission, _task(batch, s)): s for s in submissions}
        for future in as_completed(futures):
            try:
                result = future.result()
            except BrokenProcessPool:
                lost.append(futures[future])
                continue
            except Exception as error:
                result = _worker_crash(error)
            record(futures[future], result)
    return lost


def grade_all(batch):
    """Grade every submission not kept from earlier; each result is saved the moment it arrives."""
    source = batch.source
    journal = Journal(batch.options.out_dir)
    columns = (TextColumn("grading {task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with GradebookWriter(batch.db_url, source) as gradebook, \
            Progress(*columns, console=batch.console, transient=False) as progress:
        bar = progress.add_task(source.name, total=len(batch.to_grade))

        def record(submission, result):
            scores = {g: result["scores"].get(g, 0.0) for g, _ in source.grade_cells}
            gradebook.record(submission.student_id, scores, result.get("answered"))
            entry = {
                "student_id": submission.student_id, "assignment": source.name,
                "fingerprint": _fingerprint(batch, submission), "origin": submission.origin,
                "scores": scores, "score": sum(v or 0.0 for v in scores.values()),
                "max_score": source.max_score, "status": result["status"], "message": result["message"],
                "failures": result.get("failures", {}), "seconds": result.get("seconds", 0.0),
                "graded_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            }
            journal.append(entry)
            batch.results[submission.student_id] = entry
            batch.graded_now += 1
            progress.advance(bar)

        runnable = []
        for submission in batch.to_grade:
            if submission.data is None:
                record(submission, {"scores": {}, "status": submission.status, "message": submission.message})
            else:
                runnable.append(submission)
        lost = _run_in_pool(batch, runnable, record) if runnable else []
        if lost:
            # A worker died hard (e.g. killed by the kernel's OOM killer); the
            # pool cannot continue, so give the unlucky ones a second, fresh pool.
            for submission in _run_in_pool(batch, lost, record):
                record(submission, _worker_crash(BrokenProcessPool()))
    journal.close()


def write_outputs(batch):
    out = Path(batch.options.out_dir)
    entries = [batch.results[s.student_id] for s in batch.submissions if s.student_id in batch.results]
    write_grades_csv(out / "grades.csv", batch.source, entries)
    report = out / "report.html.partial"
    report.write_text(render_report(batch.source, entries), encoding="utf-8")
    report.replace(out / "report.html")


# Order matters: bad arguments are caught before anything is written,
# nothing is graded before the gradebook knows the assignment,
# and the summary files are written from the journal's results at the end.
STEPS = (load_assignment, find_submissions, prepare_output, register_in_gradebook, find_modules_to_warm,
         skip_already_graded, grade_all, write_outputs)


def print_summary(batch, seconds):
    entries = list(batch.results.values())
    batch.console.print(f"{batch.source.name}: {len(entries)} students ({batch.graded_now} graded now, "
                        f"{len(entries) - batch.graded_now} kept) in {seconds:.1f} s", highlight=False)
    table = Table()
    table.add_column("status")
    table.add_column("students", justify="right")
    table.add_column("mean score", justify="right")
    by_status = {}
    for entry in entries:
        by_status.setdefault(entry["status"], []).append(entry["score"])
    for status, scores in sorted(by_status.items()):
        table.add_row(status, str(len(scores)), f"{sum(scores) / len(scores):.2f} / {batch.source.max_score:g}")
    batch.console.print(table)
    out = Path(batch.options.out_dir)
    batch.console.print(f"grades: {out / 'grades.csv'}\nreport: {out / 'report.html'}\n"
                        f"feedback: {out / 'feedback'}\ngradebook: {batch.db_url}")


def grade_class(options, console=None):
    """Run STEPS; returns the Batch. Raises GradingSetupError if the batch cannot start."""
    batch = Batch(options, console or Console())
    started = time.monotonic()
    for step in STEPS:
        step(batch)
    print_summary(batch, time.monotonic() - started)
    return batch


def main(args):
    options = GradeOptions(
        assignment=args.assignment, submissions_dir=Path(args.submissions_dir), out_dir=Path(args.out),
        jobs=args.jobs, timeout=args.timeout, memory_mb=args.memory_mb, db_url=args.db, force=args.force,
        course_root=Path(args.course).resolve(),
    )
    try:
        grade_class(options)
    except GradingSetupError as error:
        Console(stderr=True).print(f"[bold red]cannot grade:[/] {error}", highlight=False)
        return 2
    return 0
