"""Plant a scripted answer into a released notebook, making a submission to grade.

The self-grading tests (and the class-scale benchmark) need submissions that
behave like real students' work: correct, subtly wrong, raising, hanging,
broken. A *scenario* is a Python source string that defines some of an
assignment's functions, the way a student would write them. `plant_answers`
takes the released notebook from `exercises/` and writes a copy in which

* every answer cell (nbgrader ``solution: true`` code cell) that defines a
  function the scenario also defines gets the scenario's definition in place
  of the released stub; a function of that cell the scenario does not define
  keeps its released stub;
* the scenario's other top-level statements (imports, helpers, patches of
  library functions) go, in their original order, at the top of the first
  answer cell that receives a definition, so they run before the tests do;
* every other cell (instructions, tests, answer cells of functions the
  scenario leaves alone) stays exactly as released.

A scenario must itself be valid Python, so a broken cell is asked for with a
marker: a line consisting of the comment ``# plant: syntax-error`` (any
indentation) inside a definition is replaced, in the planted cell, by an
unmatched ``)`` at the same indentation. That cell then fails to compile when
graded, as a student's typo would, while the other cells still run.

Outputs and execution counts are cleared, as in a freshly saved submission.
"""
import ast
import re
from pathlib import Path

import nbformat

SYNTAX_ERROR_MARKER = re.compile(r"^(?P<indent>[ \t]*)# plant: syntax-error[ \t]*$", re.MULTILINE)


class PlantingError(ValueError):
    """A scenario or a released notebook that cannot be planted; the message says where."""


def top_level_statements(source, where):
    """[(ast node, its text)] per top-level statement of source; decorators belong to their function.

    Raises PlantingError, naming `where`, on a syntax error.
    """
    try:
        tree = ast.parse(source)
    except SyntaxError as error:
        raise PlantingError(f"{where} is not valid Python (line {error.lineno}: {error.msg})") from error
    lines = source.splitlines()
    statements = []
    for node in tree.body:
        first = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
        statements.append((node, "\n".join(lines[first - 1 : node.end_lineno])))
    return statements


def _top_level_segments(source, where):
    """(function name or None, text) per top-level statement."""
    return [(node.name if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) else None, text)
            for node, text in top_level_statements(source, where)]


def _break_marked_lines(text):
    """Replace each syntax-error marker line by an unmatched closing parenthesis."""
    return SYNTAX_ERROR_MARKER.sub(lambda match: f"{match['indent']})", text)


def _join_statements(texts):
    """Top-level statements as a person writes them: one-liners (imports, assignments)
    on consecutive lines, two blank lines around anything longer (functions)."""
    joined, previous = "", None
    for text in texts:
        if previous is not None:
            joined += "\n" if "\n" not in previous and "\n" not in text else "\n\n\n"
        joined += text
        previous = text
    return joined


def _is_answer_cell(cell):
    return cell.cell_type == "code" and cell.metadata.get("nbgrader", {}).get("solution", False)


def plant_answers(release_notebook: Path, answer_source: str, out_path: Path) -> None:
    """Write to out_path the released notebook with the scenario's functions planted.

    release_notebook: a notebook from exercises/ (as nbgrader released it).
    answer_source: Python source defining some of the assignment's functions
        (see the module docstring for the syntax-error marker).
    out_path: where to write the submission; its folder is created if needed.

    Helper functions the scenario defines that no answer cell holds count as
    "other top-level statements" and are planted with the imports.
    Raises PlantingError if the scenario is not valid Python, defines a function
    twice, or defines no function that any answer cell of the notebook holds.
    """
    release_notebook = Path(release_notebook)
    notebook = nbformat.read(release_notebook, as_version=4)
    answer_cells = {
        index: _top_level_segments(cell.source, f"answer cell {index} of {release_notebook}")
        for index, cell in enumerate(notebook.cells)
        if _is_answer_cell(cell)
    }
    answer_functions = {name for segments in answer_cells.values() for name, _ in segments if name}

    definitions = {}
    preamble = []
    for name, text in _top_level_segments(answer_source, "the scenario source"):
        if name not in answer_functions:
            preamble.append(_break_marked_lines(text))
        elif name in definitions:
            raise PlantingError(f"the scenario source defines {name}() twice")
        else:
            definitions[name] = _break_marked_lines(text)
    if not definitions:
        raise PlantingError(
            f"the scenario defines none of the functions the answer cells of {release_notebook} "
            f"hold ({sorted(answer_functions)})"
        )

    first_planted = True
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
        released = answer_cells.get(index, [])
        if not any(name in definitions for name, _ in released):
            continue
        parts = preamble if first_planted else []
        parts = parts + [definitions.get(name, text) for name, text in released]
        cell.source = _join_statements(parts) + "\n"
        first_planted = False

    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, out_path)
