"""The student's feedback page: their notebook, their score per test, and why a test failed.

Built here rather than with nbconvert's templates so that we decide exactly
what leaves the grader: test cells are shown as the student received them
(hidden tests cut out), a failed test shows only its error line (what was
called and what differed, as the assignment's assertion messages say), long
outputs are truncated, and as a last guard every line of the hidden tests is
blanked out of anything else on the page.
"""
import html
import re

from markdown_it import MarkdownIt
from nbgrader.utils import is_grade

from .assignment_source import strip_hidden_tests

MAX_OUTPUT_LINES = 40
MAX_OUTPUT_CHARS = 4000
# A test cell's report is the grader's own text (one line per case, a few under each failure), so it
# may be longer: cut at 40 lines, a pool2d report would lose its hidden failures.
MAX_REPORT_LINES = 400
MAX_REPORT_CHARS = 40_000
MAX_IMAGE_BASE64_CHARS = 400_000
ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
REDACTED = "[hidden test line removed]"

STYLE = """
body { font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; color: #222; }
pre { background: #f6f8fa; padding: .6rem; overflow-x: auto; white-space: pre-wrap; }
.cell { margin: 1rem 0; } .output pre { background: #fff; border-left: 3px solid #ccc; }
.error pre { border-left-color: #c62828; color: #8e0000; }
.score { font-weight: 600; padding: .3rem .6rem; border-radius: .3rem; display: inline-block; }
.full { background: #e8f5e9; } .partial { background: #fff8e1; } .zero { background: #ffebee; }
.summary td, .summary th { padding: .2rem .8rem; text-align: left; }
.comment { background: #e3f2fd; padding: .4rem .6rem; border-left: 3px solid #1565c0; }
"""


def truncate(text, most_lines=MAX_OUTPUT_LINES, most_chars=MAX_OUTPUT_CHARS):
    lines = text.splitlines()
    cut = len(lines) > most_lines or len(text) > most_chars
    text = "\n".join(lines[:most_lines])[:most_chars]
    return text + "\n... output truncated ..." if cut else text


class FeedbackPage:
    """Accumulates escaped HTML fragments, blanking hidden-test lines from all text."""

    def __init__(self, hidden_test_lines):
        self.hidden = sorted(hidden_test_lines, key=len, reverse=True)
        self.parts = []
        self.markdown = MarkdownIt("commonmark", {"html": False})

    def clean(self, text):
        text = ANSI_ESCAPE.sub("", text)
        for line in self.hidden:
            text = text.replace(line, REDACTED)
        return text

    def pre(self, text, css="", report=False):
        limits = (MAX_REPORT_LINES, MAX_REPORT_CHARS) if report else ()
        self.parts.append(f'<div class="output {css}"><pre>{html.escape(truncate(self.clean(text), *limits))}</pre></div>')

    def raw(self, fragment):
        self.parts.append(fragment)


def _render_outputs(page, outputs, graded):
    for output in outputs:
        kind = output["output_type"]
        if kind == "stream":
            page.pre(output["text"], "stderr" if output["name"] == "stderr" else "", report=graded)
        elif kind == "error":
            # A test's traceback would quote the test's own lines: show only what failed.
            detail = [] if graded else output.get("traceback", [])
            text = "\n".join(detail) if detail else f"{output['ename']}: {output['evalue']}"
            page.pre(text, "error")
        elif kind in ("execute_result", "display_data"):
            data = output.get("data", {})
            png = data.get("image/png")
            if png and len(png) <= MAX_IMAGE_BASE64_CHARS and not graded:
                page.raw(f'<div class="output"><img alt="figure" src="data:image/png;base64,{png}"></div>')
            elif "text/plain" in data:
                text = data["text/plain"]
                page.pre("".join(text) if isinstance(text, list) else text)


def _score_badge(grade_id, earned, points):
    css = "full" if earned == points else ("zero" if not earned else "partial")
    shown = "needs manual grading" if earned is None else f"{earned:g} / {points:g}"
    return f'<div class="score {css}">{html.escape(grade_id)}: {shown}</div>'


def render_feedback(nb, source, student_id, outcome, notes, comments=None):
    """The feedback page of one graded notebook, as an HTML string.

    comments: {grade_id: a grader's comment}, from the formgrader, shown under the cell.
    """
    comments = comments or {}
    page = FeedbackPage(source.hidden_test_lines)
    points = dict(source.tests)
    rows = "".join(
        f"<tr><td>{html.escape(g)}</td><td>{(outcome.scores.get(g) or 0):g}</td><td>{p:g}</td></tr>"
        for g, p in points.items()
    )
    page.raw(
        f"<h1>{html.escape(source.name)}: feedback for {html.escape(student_id)}</h1>"
        f"<p><b>Score: {outcome.score:g} / {source.max_score:g}</b> (status: {html.escape(outcome.status)})</p>"
        f'<table class="summary"><tr><th>test</th><th>earned</th><th>points</th></tr>{rows}</table>'
    )
    for line in ([outcome.message] if outcome.message else []) + notes:
        page.raw(f"<p>{html.escape(page.clean(line))}</p>")
    for cell in nb.cells:
        page.raw('<div class="cell">')
        graded = is_grade(cell)
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if graded and grade_id in points:
            page.raw(_score_badge(grade_id, outcome.scores.get(grade_id), points[grade_id]))
        if cell.cell_type == "markdown":
            page.raw(page.markdown.render(page.clean(cell.source)))
        elif cell.cell_type == "code":
            shown = html.escape(page.clean(strip_hidden_tests(cell.source) if graded else cell.source))
            page.raw(f"<pre>{shown}</pre>")
            _render_outputs(page, cell.get("outputs", []), graded)
        if comments.get(grade_id):
            page.raw(f'<div class="comment"><b>Comment:</b> {html.escape(comments[grade_id])}</div>')
        page.raw("</div>")
    body = "\n".join(page.parts)
    title = html.escape(f"{source.name} feedback: {student_id}")
    return (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
        f"<style>{STYLE}</style></head><body>\n{body}\n</body></html>\n"
    )
