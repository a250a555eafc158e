"""`python -m autograder bench`: this grader against plain sequential `nbgrader autograde`.

A class of N students is planted from the assignment's answer scenarios
(solutions/<assignment>/grading/scenarios/: correct, buggy, raising, hanging
answers; see scenarios.py) and graded twice, with the same per-cell and per-case time limits:
by `python -m autograder grade` and by `nbgrader autograde` in a throwaway
course. Every student's per-test scores must agree. When the baseline grades
fewer students (--baseline-n), the two are compared per submission, and the
output says so.
"""
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from nbgrader.api import Gradebook
from rich.console import Console

from . import EXERCISES_DIR, REPO_ROOT
from .assignment_source import GradingSetupError
from .assignments import assignment_names
from .grade import GradeOptions, grade_class
from .gradebook import RELEASE_IGNORE
from .planting import plant_answers
from .scenarios import scenario_sources, scenarios_dir

# Each hidden case may run this long before the course's checks stop it.
CASE_SECONDS = 2.0


def default_assignment():
    candidates = [name for name in assignment_names() if scenario_sources(name)]
    if not candidates:
        raise GradingSetupError("no assignment has answer scenarios (solutions/<assignment>/grading/scenarios/*.py)")
    return candidates[0]


def plant_class(assignment, n, submitted_dir):
    """Write N submissions in nbgrader's layout, cycling through the scenarios; {student: scenario}."""
    scenarios = scenario_sources(assignment)
    if not scenarios:
        raise GradingSetupError(f"no answer scenarios in {scenarios_dir(assignment)}")
    release = EXERCISES_DIR / assignment / f"{assignment}.ipynb"
    names = list(scenarios)
    roster = {}
    for i in range(n):
        student = f"student{i:04d}"
        roster[student] = names[i % len(names)]
        plant_answers(release, scenarios[roster[student]],
                      Path(submitted_dir) / student / assignment / f"{assignment}.ipynb")
    return roster


def nbgrader_course(root, assignment, timeout, course_root=REPO_ROOT):
    """A throwaway nbgrader course in root, with the assignment generated; returns its env."""
    root.mkdir(parents=True, exist_ok=True)
    shutil.copytree(Path(course_root) / "solutions" / assignment, root / "solutions" / assignment)
    (root / "nbgrader_config.py").write_text(
        "c = get_config()\n"
        f"c.CourseDirectory.root = {str(root)!r}\n"
        "c.CourseDirectory.source_directory = 'solutions'\n"
        "c.CourseDirectory.release_directory = 'release'\n"
        f"c.CourseDirectory.db_url = 'sqlite:///{root}/gradebook.db'\n"
        f"c.Execute.timeout = {int(timeout)}\n"
        "c.Execute.interrupt_on_timeout = True\n"
        # Our grader restores deleted test cells; nbgrader does so only when asked.
        "c.OverwriteCells.add_missing_cells = True\n"
        f"c.CourseDirectory.ignore = {list(RELEASE_IGNORE)!r}\n"
    )
    bin_dir = Path(sys.executable).parent
    env = dict(os.environ, PATH=f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
               COURSE_CASE_SECONDS=f"{CASE_SECONDS:g}")
    env.pop("COURSE_REFERENCES_DIR", None)
    subprocess.run([str(bin_dir / "nbgrader"), "generate_assignment", assignment, "--force"],
                   cwd=root, env=env, check=True, capture_output=True)
    return env


def run_nbgrader_autograde(root, assignment, env):
    """Time `nbgrader autograde` (sequential, as nbgrader always is); returns seconds."""
    started = time.monotonic()
    subprocess.run([str(Path(sys.executable).with_name("nbgrader")), "autograde", assignment],
                   cwd=root, env=env, check=True, capture_output=True)
    return time.monotonic() - started


def gradebook_scores(db_url, assignment):
    """{student: {grade_id: auto_score}} of the autograded cells, from an nbgrader gradebook."""
    scores = {}
    with Gradebook(db_url) as gradebook:
        for submission in gradebook.assignment_submissions(assignment):
            for notebook in submission.notebooks:
                scores[submission.student.id] = {grade.name: grade.auto_score for grade in notebook.grades
                                                 if grade.cell.cell_type == "code"}
    return scores


def compare(ours, theirs):
    """Students whose per-test scores differ: [(student, ours, theirs)]."""
    return [(s, ours.get(s), theirs[s]) for s in sorted(theirs) if ours.get(s) != theirs[s]]


def run_bench(n, baseline_n, assignment, jobs, timeout, work, console):
    """Grade a class both ways; returns a dict of the measurements."""
    work = Path(work)
    roster = plant_class(assignment, n, work / "class")
    console.print(f"planted {n} submissions of {assignment} from {len(set(roster.values()))} scenarios")

    started = time.monotonic()
    batch = grade_class(GradeOptions(assignment=assignment, submissions_dir=work / "class", out_dir=work / "ours",
                                     db_url=f"sqlite:///{work / 'ours' / 'gradebook.db'}", jobs=jobs,
                                     timeout=timeout, case_seconds=CASE_SECONDS), console)
    ours_seconds = time.monotonic() - started
    code_cells = {grade_id for grade_id, _ in batch.source.grade_cells} - set(batch.source.written_answers)
    ours = {s: {g: v for g, v in r.scores.items() if g in code_cells} for s, r in batch.results.items()}

    course = work / "nbgrader_course"
    env = nbgrader_course(course, assignment, timeout)
    baseline_students = sorted(roster)[:baseline_n]
    for student in baseline_students:
        shutil.copytree(work / "class" / student, course / "submitted" / student)
    console.print(f"plain nbgrader autograde: {len(baseline_students)} submissions, one after another ...")
    theirs_seconds = run_nbgrader_autograde(course, assignment, env)
    theirs = gradebook_scores(f"sqlite:///{course}/gradebook.db", assignment)
    return {
        "n": n, "baseline_n": len(baseline_students), "ours_seconds": ours_seconds,
        "theirs_seconds": theirs_seconds, "mismatches": compare(ours, theirs),
        "missing": sorted(set(baseline_students) - set(theirs)),
    }


def print_results(result, jobs, console):
    ours_per = result["ours_seconds"] / result["n"]
    theirs_per = result["theirs_seconds"] / result["baseline_n"]
    ratio = theirs_per / ours_per
    console.print(f"autograder grade --jobs {jobs}: {result['ours_seconds']:.1f} s wall for {result['n']} "
                  f"submissions = {ours_per:.2f} s per submission")
    console.print(f"nbgrader autograde (sequential): {result['theirs_seconds']:.1f} s wall for "
                  f"{result['baseline_n']} submissions = {theirs_per:.2f} s per submission")
    if result["baseline_n"] != result["n"]:
        console.print(f"(the baseline graded {result['baseline_n']} of the {result['n']} students, "
                      "so the ratio compares seconds per submission)")
    console.print(f"ratio: {ratio:.2f}x faster")
    agreeing = result["baseline_n"] - len(result["mismatches"])
    console.print(f"scores identical for {agreeing} of {result['baseline_n']} students compared")
    for student, ours, theirs in result["mismatches"]:
        console.print(f"  MISMATCH {student}: ours {ours}, nbgrader {theirs}")
    return ratio


def in_work_folder(work, run):
    """run(folder) in `work` (kept), or in a temporary folder removed afterwards when work is None."""
    if work:
        Path(work).mkdir(parents=True, exist_ok=True)
        return run(work)
    with tempfile.TemporaryDirectory(prefix="autograder-bench-") as folder:
        return run(folder)


def main(args):
    console = Console(soft_wrap=True)
    assignment = args.assignment or default_assignment()
    baseline_n = min(args.baseline_n or args.n, args.n)
    settings = (args.n, baseline_n, assignment, args.jobs, args.timeout)
    result = in_work_folder(args.work, lambda work: run_bench(*settings, work, console))
    ratio = print_results(result, args.jobs, console)
    return 0 if not result["mismatches"] and not result["missing"] and ratio >= 8 else 1
