"""OUT_DIR/report.html: how the class did, test by test, for the instructor."""
import base64
import html
import io
import statistics
from collections import Counter

from matplotlib.figure import Figure

COMMON_FAILURES_SHOWN = 5


def _histogram_png(grade_id, values, points):
    """A base64 PNG histogram of one test's scores (0..points)."""
    # A bare Figure renders with Agg and touches no global pyplot state.
    figure = Figure(figsize=(4, 2.4), dpi=90)
    axes = figure.subplots()
    bins = max(1, min(10, int(points * 2) or 1))
    axes.hist(values, bins=bins, range=(0, points or 1), color="#4c72b0", edgecolor="white")
    axes.set_title(grade_id, fontsize=10)
    axes.set_xlabel("points earned")
    axes.set_ylabel("students")
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return base64.b64encode(buffer.getvalue()).decode()


def _table(header, rows):
    head = "".join(f"<th>{html.escape(str(h))}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def class_statistics(source, entries):
    """[(label, value)] rows: counts by status and the spread of total scores."""
    scores = [e["score"] for e in entries]
    rows = [("students", len(entries))]
    rows += [(f"status {status}", n) for status, n in sorted(Counter(e["status"] for e in entries).items())]
    if scores:
        rows += [
            ("mean score", f"{statistics.mean(scores):.2f} / {source.max_score:g}"),
            ("median score", f"{statistics.median(scores):g}"),
            ("standard deviation", f"{statistics.pstdev(scores):.2f}"),
            ("lowest / highest", f"{min(scores):g} / {max(scores):g}"),
            ("full marks", sum(s == source.max_score for s in scores)),
        ]
    return rows


def render_report(source, entries):
    """The report page for `entries` (journal dicts) as an HTML string."""
    parts = [f"<h1>{html.escape(source.name)}: class report</h1>", "<h2>Class statistics</h2>",
             _table(["", ""], class_statistics(source, entries)), "<h2>Tests</h2>"]
    for grade_id, points in source.tests:
        values = [e["scores"].get(grade_id) or 0.0 for e in entries]
        parts.append(f"<h3>{html.escape(grade_id)} ({points:g} points)</h3>")
        if values:
            parts.append(f'<img alt="histogram of {html.escape(grade_id)} scores" '
                         f'src="data:image/png;base64,{_histogram_png(grade_id, values, points)}">')
            full = sum(v == points for v in values)
            parts.append(f"<p>mean {statistics.mean(values):.2f}; full marks for {full} of {len(values)}</p>")
        failures = Counter(e.get("failures", {}).get(grade_id) for e in entries if e.get("failures", {}).get(grade_id))
        if failures:
            parts.append(_table(["most common failure", "students"], failures.most_common(COMMON_FAILURES_SHOWN)))
    not_run = [e for e in entries if e["status"] != "ok"]
    parts.append("<h2>Submissions that did not run normally</h2>")
    parts.append(
        _table(["student", "status", "why"], [(e["student_id"], e["status"], e["message"]) for e in not_run])
        if not_run else "<p>None: every submission ran.</p>"
    )
    style = ("body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}"
             "table{border-collapse:collapse}td,th{border:1px solid #ddd;padding:.2rem .6rem;text-align:left}")
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{html.escape(source.name)} report'
            f"</title><style>{style}</style></head><body>\n" + "\n".join(parts) + "\n</body></html>\n")
