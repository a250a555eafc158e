"""`python -m autograder export`: the grades as a file an LMS imports as it is.

- Canvas (Grades, Import): the columns Student, ID, SIS User ID, SIS Login ID,
  Section, then one column per assignment, headed exactly as Canvas names it
  in its own export, "<name> (<assignment id>)". A column Canvas does not know
  becomes a new assignment, so --column must be that header. Students are
  found by their Canvas user id (ID), from the roster or the grades' ids.
- Moodle (Grades, Import, CSV file): an identifier column Moodle maps to its
  users (email address, or ID number), then the grade column, headed with the
  grade item's name, which the import screen maps to it.

The score exported is the final score: after hand grades (run `feedback`
first) and any late penalty. Students without an id the LMS knows are not
written; the command lists them.
"""
import csv
from pathlib import Path

from .assignment_source import GradingSetupError
from .journal import load_results
from .roster import Roster


def _number(value):
    return f"{value:g}"


def canvas_rows(results, roster, column):
    """(header, rows, students left out) of a Canvas gradebook import."""
    header = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", column]
    rows, left_out = [], []
    for result in results:
        row = roster.row_of(result.student_id) if roster else None
        canvas_id = (row or {}).get("canvas_user_id") or _canvas_id_in(result.student_id)
        if not canvas_id:
            left_out.append(result.student_id)
            continue
        rows.append([(row or {}).get("name", ""), canvas_id, (row or {}).get("sis_user_id", ""),
                     (row or {}).get("sis_login_id", ""), "", _number(result.final_score)])
    return header, rows, left_out


def _canvas_id_in(student_id):
    """The Canvas user id a roster-less student id ends with (`doejane-12345`), or ""."""
    tail = student_id.rsplit("-", 1)[-1]
    return tail if tail.isdigit() and "-" in student_id else ""


def moodle_rows(results, roster, column):
    """(header, rows, students left out) of a Moodle CSV grade import, by email address or ID number."""
    if roster is None:
        raise GradingSetupError("a Moodle import needs --roster with an email or moodle_id_number column")
    key = "email" if any(r.get("email") for r in roster.rows) else "moodle_id_number"
    header = ["Email address" if key == "email" else "ID number", column]
    rows, left_out = [], []
    for result in results:
        row = roster.row_of(result.student_id)
        if not row or not row.get(key):
            left_out.append(result.student_id)
            continue
        rows.append([row[key], _number(result.final_score)])
    return header, rows, left_out


FORMATS = {"canvas": canvas_rows, "moodle": moodle_rows}


def export(options):
    """Write OUT/<lms>_import.csv; returns (its path, students left out)."""
    out = Path(options.out_dir)
    results = [r for _, r in sorted(load_results(out, options.assignment).items())]
    if not results:
        raise GradingSetupError(f"{out} holds no grades of {options.assignment}: run `python -m autograder grade` first")
    roster = Roster.load(options.roster) if options.roster else None
    column = options.column or options.assignment
    header, rows, left_out = FORMATS[options.lms](results, roster, column)
    path = out / f"{options.lms}_import.csv"
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path, left_out


def main(args):
    from rich.console import Console

    console = Console(soft_wrap=True)
    path, left_out = export(args)
    console.print(f"wrote {path}", highlight=False)
    if left_out:
        console.print(f"not exported, no {args.lms} id for: {', '.join(left_out)} (add them to the roster)",
                      highlight=False)
    return 0
