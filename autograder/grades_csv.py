"""OUT_DIR/grades.csv: one row per student, one column per graded test cell.

`review` lists what a submission's code reaches for (review.py), for an
instructor to look at; it never changes the score.
"""
import csv
import os


def grade_columns(source):
    return ["student_id", "assignment", *(g for g, _ in source.tests), "score", "max_score", "status", "message",
            "review", "submitted_at", "submitted_at_from", "late", "seconds_late", "late_penalty", "final_score"]


def write_grades_csv(path, source, results):
    """Write `results` (SubmissionResult records) sorted by student id; replaced atomically."""
    temporary = path.with_suffix(".csv.partial")
    with open(temporary, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(grade_columns(source))
        for result in sorted(results, key=lambda r: r.student_id):
            writer.writerow([
                result.student_id, source.name,
                *(_number(result.scores.get(g)) for g, _ in source.tests),
                _number(result.score), _number(source.max_score), result.status, _as_text(result.message),
                _as_text("; ".join(result.review)), result.submitted_at, result.submitted_at_from,
                "yes" if result.late else "", _number(result.seconds_late), _number(result.late_penalty),
                _number(result.final_score),
            ])
    os.replace(temporary, path)


def _as_text(text):
    """Text a spreadsheet will not run as a formula (messages quote students' errors)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _number(value):
    return "" if value is None else f"{value:g}"
