"""`python -m autograder feedback`: bring the formgrader's hand grades and comments into our outputs.

After `grade`, instructors grade written answers (and may override any
score) in nbgrader's formgrader, which writes to the gradebook. This reads
the gradebook back and, for every student the journal holds, rewrites the
feedback page (with the graders' comments), then grades.csv and the report,
so they agree with the gradebook. Run it again after any change in the
formgrader; it only reads the students' notebooks as they were graded.
"""
from pathlib import Path

import nbformat
from nbgrader.api import Gradebook, MissingEntry
from rich.console import Console

from .assignment_source import GradingSetupError, load_assignment_source
from .course_dirs import GradedFiles, gradebook_location
from .feedback import render_feedback
from .grades_csv import write_grades_csv
from .journal import Journal, load_results
from .report import render_report
from .scoring import Outcome


def gradebook_view(gradebook, source, student_id):
    """({grade_id: final score or None}, {grade_id: comment}) of one submission, as the gradebook has it."""
    try:
        notebook = gradebook.find_submission_notebook(source.notebook_name, source.name, student_id)
    except MissingEntry:
        return None, {}
    scores = {}
    for grade in notebook.grades:
        score = grade.score
        scores[grade.name] = None if score is None else float(score) + float(grade.extra_credit or 0)
    comments = {comment.name: comment.comment for comment in notebook.comments if comment.comment}
    return scores, comments


def refresh(options, console=None):
    """Rewrite feedback pages, grades.csv and report.html from the gradebook; returns how many students."""
    console = console or Console(soft_wrap=True)
    source = load_assignment_source(options.course_root, options.assignment)
    out = Path(options.out_dir)
    db_url, coursedir = gradebook_location(options.course_root, options.db_url, out)
    files = GradedFiles(out, coursedir, source.name, source.notebook_name)
    results = load_results(out, source.name)
    if not results:
        raise GradingSetupError(f"{out} holds no grades of {source.name}: run `python -m autograder grade` first")
    journal = Journal(out)
    with Gradebook(db_url) as gradebook:
        for student_id, result in sorted(results.items()):
            scores, comments = gradebook_view(gradebook, source, student_id)
            if scores is None:
                continue
            result.scores = {grade_id: scores.get(grade_id) for grade_id in result.scores}
            result.score = sum(value or 0.0 for value in result.scores.values())
            if result.autograded and Path(result.autograded).is_file():
                nb = nbformat.read(result.autograded, as_version=4)
                outcome = Outcome(result.scores, result.status, result.message)
                files.write_feedback(student_id, render_feedback(nb, source, student_id, outcome, [], comments))
            journal.append(result)
    journal.close()
    ordered = [results[s] for s in sorted(results)]
    write_grades_csv(out / "grades.csv", source, ordered)
    (out / "report.html").write_text(render_report(source, ordered), encoding="utf-8")
    console.print(f"{source.name}: feedback, grades.csv and report.html updated from {db_url} "
                  f"for {len(ordered)} students", highlight=False)
    return len(ordered)

