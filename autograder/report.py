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


def class_statistics(source, results):
    """[(label, value)] rows: counts by status and the spread of total scores."""
    scores = [r.score for r in results]
    rows = [("students", len(results))]
    rows += [(f"status {status}", n) for status, n in sorted(Counter(r.status for r in results).items())]
    if scores:
        rows += [
            ("mean score", f"{statistics.mean(scores):.2f} / {source.max_score:g}"),
            ("median score", f"{statistics.median(scores):g}"),
            ("standard deviation", f"{statistics.pstdev(scores):.2f}"),
            ("lowest / highest", f"{min(scores):g} / {max(scores):g}"),
            ("full marks", sum(s == source.max_score for s in scores)),
        ]
    return rows


def render_report(source, results, warnings=()):
    """The report page for `results` (SubmissionResult records) as an HTML string.

    warnings: lines shown first, in bold (e.g. that the class was graded without a sandbox).
    """
    parts = [f"<h1>{html.escape(source.name)}: class report</h1>"]
    parts += [f'<p class="warning"><strong>Warning: {html.escape(w)}.</strong></p>' for w in warnings]
    parts += ["<h2>Class statistics</h2>", _table(["", ""], class_statistics(source, results)), "<h2>Tests</h2>"]
    for grade_id, points in source.tests:
        values = [r.scores.get(grade_id) or 0.0 for r in results]
        parts.append(f"<h3>{html.escape(grade_id)} ({points:g} points)</h3>")
        if values:
            parts.append(f'<img alt="histogram of {html.escape(grade_id)} scores" '
                         f'src="data:image/png;base64,{_histogram_png(grade_id, values, points)}">')
            full = sum(v == points for v in values)
            parts.append(f"<p>mean {statistics.mean(values):.2f}; full marks for {full} of {len(values)}</p>")
        failures = Counter(r.failures.get(grade_id) for r in results if r.failures.get(grade_id))
        if failures:
            parts.append(_table(["most common failure", "students"], failures.most_common(COMMON_FAILURES_SHOWN)))
    not_run = [r for r in results if r.status != "ok"]
    parts.append("<h2>Submissions that did not run normally</h2>")
    parts.append(
        _table(["student", "status", "why"], [(r.student_id, r.status, r.message) for r in not_run])
        if not_run else "<p>None: every submission ran.</p>"
    )
    parts.append("<h2>Submissions to review</h2>")
    flagged = [r for r in results if r.review]
    parts.append(
        "<p>The checks watch for PyTorch's pooling operators from inside the student's process, which "
        "code that reaches into the interpreter or torch can evade. These submissions do; their scores are "
        "as graded, but read their code before you accept them.</p>"
        + _table(["student", "score", "reaches for"], [(r.student_id, f"{r.score:g}", "; ".join(r.review))
                                                       for r in flagged])
        if flagged else "<p>None: no submission reaches for the interpreter's or torch's internals.</p>"
    )
    style = ("body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}"
             "table{border-collapse:collapse}td,th{border:1px solid #ddd;padding:.2rem .6rem;text-align:left}"
             ".warning{background:#fff3cd;padding:.5rem}")
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{html.escape(source.name)} report'
            f"</title><style>{style}</style></head><body>\n" + "\n".join(parts) + "\n</body></html>\n")
