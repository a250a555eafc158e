"""`python -m autograder bench-cluster`: grading on a Dask cluster against grading here, on the same class.

A class of N students is planted from the assignment's answer scenarios (as
`bench` does) and graded twice: here with `--jobs 2`, and with `--cluster
local:2`, a real scheduler and two single-threaded worker processes. Every
student's scores must agree. The overhead compares the time spent grading
(start-up apart, reported beside it); the per-submission cost is what one
single-threaded worker spends on one submission, from which the README
estimates larger classes.
"""
import time
from pathlib import Path

from rich.console import Console

from .bench import CASE_SECONDS, default_assignment, in_work_folder, plant_class
from .grade import GradeOptions, grade_class

WORKERS = 2
TARGET_OVERHEAD = 0.25


def _grade(work, name, assignment, timeout, console, cluster=None):
    """(Batch, wall seconds) of one grading of the class into work/name."""
    out = Path(work) / name
    started = time.monotonic()
    batch = grade_class(GradeOptions(assignment=assignment, submissions_dir=Path(work) / "class", out_dir=out,
                                     db_url=f"sqlite:///{out / 'gradebook.db'}", jobs=WORKERS, timeout=timeout,
                                     case_seconds=CASE_SECONDS, cluster=cluster), console)
    return batch, time.monotonic() - started


def run_bench(n, assignment, timeout, work, console):
    plant_class(assignment, n, Path(work) / "class")
    here, here_wall = _grade(work, "here", assignment, timeout, console)
    there, there_wall = _grade(work, "cluster", assignment, timeout, console, cluster=f"local:{WORKERS}")
    mismatches = sorted(s for s, r in here.results.items() if there.results[s].scores != r.scores)
    return {"n": n, "here": here.grading_seconds, "here_wall": here_wall, "cluster": there.grading_seconds,
            "cluster_wall": there_wall, "mismatches": mismatches}


def print_results(result, console):
    n = result["n"]
    cost = result["here"] * WORKERS / n
    overhead = result["cluster"] / result["here"] - 1
    console.print(f"per-submission cost: {cost:.2f} s of one single-threaded worker")
    for label, key in ((f"here, --jobs {WORKERS}", "here"), (f"--cluster local:{WORKERS}", "cluster")):
        console.print(f"{label}: {n / result[key]:.2f} submissions/s ({result[key]:.1f} s grading, "
                      f"{result[key + '_wall']:.1f} s with start-up)")
    console.print(f"cluster overhead: {overhead:+.0%} (target at most {TARGET_OVERHEAD:.0%})")
    console.print(f"scores identical for {n - len(result['mismatches'])} of {n} students")
    for student in result["mismatches"]:
        console.print(f"  MISMATCH {student}")
    return overhead


def main(args):
    console = Console(soft_wrap=True)
    assignment = args.assignment or default_assignment()
    result = in_work_folder(args.work, lambda work: run_bench(args.n, assignment, args.timeout, work, console))
    overhead = print_results(result, console)
    return 0 if not result["mismatches"] and overhead <= TARGET_OVERHEAD else 1
