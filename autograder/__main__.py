"""Command line: `python -m autograder COMMAND`."""
import argparse
import inspect
import os
import sys
from pathlib import Path

from . import REPO_ROOT, leak_scan, publish, release
from .assignments import assignment_names


def list_assignments(_args):
    for name in assignment_names():
        print(name)
    return 0


def build_parser():
    parser = argparse.ArgumentParser(
        prog="python -m autograder",
        description="Release and grade the course's nbgrader assignments.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    commands.add_parser(
        "list", help="list the assignments found in solutions/"
    ).set_defaults(run=list_assignments)
    commands.add_parser(
        "release", help="regenerate exercises/ from solutions/ (nbgrader generate_assignment)"
    ).set_defaults(run=release.main)
    add_grade_command(commands)
    add_feedback_command(commands)
    add_export_command(commands)
    add_bench_command(commands)
    add_publish_commands(commands)
    return parser


def run_grade(args):
    """Grade every student's notebook for ASSIGNMENT found in SUBMISSIONS_DIR. Each student's code runs
    in a sandbox of its own (bubblewrap); the test cells run in this process, with the answers."""
    from . import grade  # imported on use: it pulls in nbgrader and rich

    return grade.main(args)


def run_bench(args):
    from . import bench

    return bench.main(args)


def run_bench_cluster(args):
    from . import bench_cluster

    return bench_cluster.main(args)


def parse_due(text):
    """A due date as nbgrader reads one (a time zone name or offset, else UTC), as an aware datetime."""
    from datetime import timezone

    from nbgrader.utils import parse_utc

    try:
        return parse_utc(text).replace(tzinfo=timezone.utc)
    except (ValueError, OverflowError):
        raise argparse.ArgumentTypeError(f"not a date and time: {text!r} (try '2026-12-01 23:59 UTC')")


def add_command(commands, name, run, help, cannot=None):
    """A command that calls run(args); its --help describes it with run's docstring and shows each option's default."""
    command = commands.add_parser(name, help=help, description=inspect.getdoc(run),
                                  formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    command.set_defaults(run=run, cannot=cannot or name)
    return command


def add_grade_command(commands):
    grade = add_command(commands, "grade", run_grade,
                        help="grade a folder of submissions: grades.csv, feedback, report.html, gradebook")
    grade.add_argument("assignment", metavar="ASSIGNMENT", help="an assignment folder of solutions/")
    grade.add_argument("submissions_dir", metavar="SUBMISSIONS_DIR",
                       help="nbgrader layout, flat <student>_<anything>.ipynb files, or <student>.zip archives")
    grade.add_argument("--out", required=True, metavar="OUT_DIR", help="where results are written")
    grade.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="submissions graded at once")
    grade.add_argument("--timeout", type=float, default=60.0, metavar="SECONDS", help="limit per cell")
    grade.add_argument("--notebook-timeout", type=float, default=None, metavar="SECONDS",
                       help="limit for a whole notebook (default: --timeout × its code cells)")
    grade.add_argument("--memory-mb", type=int, default=2048, metavar="MB",
                       help="memory each submission may allocate")
    grade.add_argument("--cpu-seconds", type=int, default=None, metavar="SECONDS",
                       help="CPU time each submission may use (default: the notebook's time limit)")
    grade.add_argument("--tmp-mb", type=int, default=256, metavar="MB",
                       help="size of each submission's private /tmp, and of any file it writes")
    grade.add_argument("--processes", type=int, default=64, help="processes and threads each submission may run")
    grade.add_argument("--db", metavar="URL",
                       help="SQLAlchemy URL of the gradebook (default: the course's, as its nbgrader_config.py "
                            "names it; OUT_DIR/gradebook.db for a course without one)")
    grade.add_argument("--roster", metavar="CSV", help="the course's roster: student ids for LMS names and ids")
    grade.add_argument("--due", type=parse_due, metavar="TIME",
                       help="the due date, e.g. '2026-12-01 23:59 UTC' (default: the gradebook's)")
    grade.add_argument("--force", action="store_true", help="regrade submissions already graded")
    grade.add_argument("--no-sandbox", action="store_true",
                       help="grade even where the kernel cannot give a sandbox (unsafe: see the README)")
    grade.add_argument("--cluster", metavar="ADDRESS",
                       help="grade on a Dask cluster: a scheduler's address (tcp://HOST:8786, tls://...), or "
                            "local:N for N worker processes on this machine; see the README (default: here, --jobs)")
    grade.add_argument("--course", default=str(REPO_ROOT), help="course folder holding solutions/")


def run_feedback(args):
    """After hand-grading in nbgrader's formgrader, rewrite OUT_DIR's feedback pages (with the graders'
    comments), grades.csv and report.html from the gradebook."""
    from . import hand_grades

    args.out_dir, args.course_root, args.db_url = Path(args.out), Path(args.course).resolve(), args.db
    hand_grades.refresh(args)
    return 0


def add_command_on_graded_folder(commands, name, run, help, cannot):
    """A command that works on what `grade` wrote: ASSIGNMENT and --out OUT_DIR, then its own options."""
    command = add_command(commands, name, run, help, cannot)
    command.add_argument("assignment", metavar="ASSIGNMENT")
    command.add_argument("--out", required=True, metavar="OUT_DIR", help="the folder `grade` wrote")
    return command


def add_feedback_command(commands):
    feedback = add_command_on_graded_folder(
        commands, "feedback", run_feedback, cannot="update the feedback",
        help="update feedback, grades.csv and the report with the formgrader's hand grades")
    feedback.add_argument("--db", metavar="URL", help="the gradebook, if `grade` was given --db")
    feedback.add_argument("--course", default=str(REPO_ROOT), help="course folder holding solutions/")


def run_export(args):
    """Write OUT_DIR/<lms>_import.csv with each student's final score (hand grades and late penalties
    included), in the import format of the LMS."""
    from . import lms_export

    args.out_dir = Path(args.out)
    return lms_export.main(args)


def add_export_command(commands):
    export = add_command_on_graded_folder(
        commands, "export", run_export, cannot="export",
        help="write the grades as a file Canvas or Moodle imports as it is")
    export.add_argument("--lms", required=True, choices=("canvas", "moodle"))
    export.add_argument("--roster", metavar="CSV", help="the course's roster (roster.py): LMS ids and emails")
    export.add_argument("--column", metavar="HEADER",
                        help="the LMS's name of the assignment's grade column; for Canvas exactly as in its "
                             "own export, e.g. 'Pooling by hand (48213)' (default: ASSIGNMENT)")


def add_bench_command(commands):
    bench = commands.add_parser(
        "bench", help="time this grader against plain sequential `nbgrader autograde`"
    )
    bench.add_argument("--n", type=int, default=100, help="students in the generated class")
    # Plain nbgrader grades one student at a time, about 9 s each here: 20 give its rate.
    bench.add_argument("--baseline-n", type=int, default=20,
                       help="students graded by plain nbgrader (at most N); rates are compared per submission")
    bench.add_argument("--assignment", default=None, help="default: the first assignment with answer scenarios")
    bench.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    # Per cell, for both graders: plain nbgrader's first cell starts a kernel and imports torch
    # (3.6 s alone on a 2-core course machine), which 5 s did not always cover.
    bench.add_argument("--timeout", type=float, default=10.0, metavar="SECONDS")
    bench.add_argument("--work", default=None, help="keep the generated class and results here")
    bench.set_defaults(run=run_bench, cannot="benchmark")
    cluster = commands.add_parser(
        "bench-cluster", help="time grading on a local Dask cluster of two workers against --jobs 2 here"
    )
    cluster.add_argument("--n", type=int, default=60, help="students in the generated class")
    cluster.add_argument("--assignment", default=None, help="default: the first assignment with answer scenarios")
    cluster.add_argument("--timeout", type=float, default=5.0, metavar="SECONDS")
    cluster.add_argument("--work", default=None, help="keep the generated class and results here")
    cluster.set_defaults(run=run_bench_cluster, cannot="benchmark")


def run_publish_student(args):
    """Write the students' repository into OUT (a git repository whose origin is repository.url of
    _config.yml) and commit it if it changed. Stops, writing nothing, if the new tree holds a solution,
    hidden case or reference value."""
    return publish.main(args)


def run_check_published(args):
    """Exit 1, naming each file, if a FOLDER (such as the built site, _build/html) holds a solution line,
    a hidden-test or answer-scenario line, a file of solutions/*/grading/ or a hidden reference value."""
    return leak_scan.main(args)


def add_publish_commands(commands):
    student = add_command(
        commands, "publish-student", run_publish_student,
        help="write the students' public repository: the book and exercises/, never solutions/")
    student.add_argument("--out", default=str(publish.DEFAULT_OUT), help="the repository to write")
    student.add_argument("--course", default=str(REPO_ROOT), help="the instructors' repository")
    check = add_command(
        commands, "check-published", run_check_published,
        help="look for solutions, hidden cases and reference values in folders about to be published")
    check.add_argument("folders", nargs="+", metavar="FOLDER")
    check.add_argument("--course", default=str(REPO_ROOT), help="the instructors' repository, whose secrets to look for")


def put_own_tools_on_path():
    """nbgrader shells out to `alembic` when it creates a gradebook; find the one beside this Python
    even when the venv is not activated (`.venv/bin/python -m autograder ...`)."""
    tools = os.path.dirname(sys.executable)
    if tools not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = os.pathsep.join([tools, os.environ.get("PATH", "")])


def main(argv=None):
    """Run the command; exit status 2, with `cannot <do it>: <why>` on stderr, when it cannot start."""
    args = build_parser().parse_args(argv)
    put_own_tools_on_path()
    from .assignment_source import GradingSetupError

    try:
        return args.run(args)
    except GradingSetupError as error:
        from rich.console import Console

        what = getattr(args, "cannot", args.command)
        Console(stderr=True, soft_wrap=True).print(f"[bold red]cannot {what}:[/] {error}", highlight=False)
        return 2


if __name__ == "__main__":
    sys.exit(main())
