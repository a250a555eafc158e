"""OUT_DIR/grades.csv: one row per student, one column per graded test cell."""
import csv
import os


def grade_columns(source):
    return ["student_id", "assignment", *(g for g, _ in source.tests), "score", "max_score", "status", "message"]


def write_grades_csv(path, source, entries):
    """Write `entries` (journal dicts) sorted by student id; replaced atomically."""
    temporary = path.with_suffix(".csv.partial")
    with open(temporary, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(grade_columns(source))
        for entry in sorted(entries, key=lambda e: e["student_id"]):
            scores = entry["scores"]
            writer.writerow([
                entry["student_id"], source.name,
                *(_number(scores.get(g)) for g, _ in source.tests),
                _number(entry["score"]), _number(source.max_score), entry["status"], entry["message"],
            ])
    os.replace(temporary, path)


def _number(value):
    return "" if value is None else f"{value:g}"
