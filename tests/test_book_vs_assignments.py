"""Does the book's code give the assignments away?

The book teaches the ideas the assignments ask for, but a function it prints,
handed in as an assignment function, must not earn more than half of that
function's points, and no book function may share an assignment function's
name. The functions the book prints are the course library's public functions
(chapters show them with literalinclude) and every top-level `def` of the
chapters' code cells. The assignments, their graded test cells and their
hidden cases are read from solutions/ at run time.
"""
import ast
import builtins
import contextlib
import functools
import importlib
import inspect
import io
import json
import pkgutil
import sys

import jupytext
import matplotlib
import pytest

from locations import REPO_ROOT

matplotlib.use("Agg")  # a library figure function planted as an answer must not open a window

import matplotlib.pyplot as plt  # noqa: E402  (after the backend is chosen)
import pooling_course  # noqa: E402

CASE_SECONDS = 2.0  # per case; a function that hangs loses the rest of its cell's cases


def assignment_notebooks():
    return sorted(REPO_ROOT.glob("solutions/*/*.ipynb"))


def code_cells(notebook_path):
    """(nbgrader metadata, source) of each code cell of an assignment notebook."""
    notebook = json.loads(notebook_path.read_text())
    return [(cell["metadata"].get("nbgrader", {}), "".join(cell["source"]))
            for cell in notebook["cells"] if cell["cell_type"] == "code"]


def defined_functions(source):
    """Names of the top-level functions a piece of Python source defines."""
    return [node.name for node in ast.parse(source).body if isinstance(node, ast.FunctionDef)]


def assignment_function_names():
    """{function name: assignment} for every function an assignment's solution cells define."""
    names = {}
    for path in assignment_notebooks():
        for meta, source in code_cells(path):
            if meta.get("solution"):
                names.update({name: path.parent.name for name in defined_functions(source)})
    return names


def graded_tests():
    """(assignment folder, test cell's grade_id, function it tests, points, source) per graded test cell."""
    tests = []
    for path in assignment_notebooks():
        for meta, source in code_cells(path):
            if not meta.get("grade") or "GradedTest(" not in source:
                continue
            calls = [node for node in ast.walk(ast.parse(source))
                     if isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "GradedTest"]
            function = calls[0].args[1].id
            tests.append((path.parent, meta["grade_id"], function, meta["points"], source))
    return tests


def library_functions():
    """{"pooling_course.module.name": function} for the course library's public functions."""
    found = {}
    for module_info in pkgutil.iter_modules(pooling_course.__path__):
        module = importlib.import_module(f"pooling_course.{module_info.name}")
        for name, value in inspect.getmembers(module, inspect.isfunction):
            if value.__module__ == module.__name__ and not name.startswith("_"):
                found[f"{module.__name__}.{name}"] = value
    return found


def chapter_code(path):
    """The chapter's code cells, as one module's top-level statements (IPython magics dropped)."""
    notebook = jupytext.reads(path.read_text(), fmt="md:myst")
    statements = []
    for cell in notebook.cells:
        if cell.cell_type == "code":
            source = "\n".join(line for line in cell.source.splitlines() if not line.lstrip().startswith(("%", "!")))
            statements.extend(ast.parse(source).body)
    return statements


def global_names_read(function_node):
    """Names a function reads that neither its parameters nor its own assignments define."""
    local = {arg.arg for arg in ast.walk(function_node.args) if isinstance(arg, ast.arg)}
    read = set()
    for node in ast.walk(function_node):
        if isinstance(node, ast.Name):
            (read if isinstance(node.ctx, ast.Load) else local).add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.ClassDef)) and node is not function_node:
            local.add(node.name)
        elif isinstance(node, ast.arg):
            local.add(node.arg)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            local.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
    return read - local - set(dir(builtins))


def is_cheap_definition(node):
    """An import, a def, a class, or a constant: what a chapter's defs may need, and safe to run."""
    if isinstance(node, (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.ClassDef)):
        return True
    if isinstance(node, ast.Assign) and all(isinstance(target, ast.Name) for target in node.targets):
        try:
            ast.literal_eval(node.value)
        except ValueError:
            return False
        return True
    return False


def chapter_functions():
    """{"book/part/chapter.md:name": function} for every top-level def of the chapters' code cells.

    Only the imports, defs, classes and constants of each chapter run, never
    its other cells (some train networks). A def that reads a name only those
    other cells define (its data, a model) is planted as printed, as a
    student copying the def alone would have it: without that name.
    """
    found = {}
    for path in sorted((REPO_ROOT / "book").glob("*/*.md")):
        statements = chapter_code(path)
        namespace = {"__name__": f"chapter_{path.stem}"}
        exec(compile(ast.Module(body=[s for s in statements if is_cheap_definition(s)], type_ignores=[]),
                     str(path), "exec"), namespace)
        for node in statements:
            if isinstance(node, ast.FunctionDef):
                found[f"{path.relative_to(REPO_ROOT)}:{node.name}"] = namespace[node.name]
    return found


def chapter_functions_needing_data():
    """The chapter defs that read names only the chapter's other cells define (its data, its models)."""
    needing = {}
    for path in sorted((REPO_ROOT / "book").glob("*/*.md")):
        statements = chapter_code(path)
        defined = {name for s in statements if is_cheap_definition(s) for name in defined_names(s)}
        for node in statements:
            if isinstance(node, ast.FunctionDef):
                missing = global_names_read(node) - defined
                if missing:
                    needing[f"{path.relative_to(REPO_ROOT)}:{node.name}"] = sorted(missing)
    return needing


def defined_names(node):
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        return [(alias.asname or alias.name).split(".")[0] for alias in node.names]
    if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
        return [node.name]
    return [target.id for target in node.targets]


@functools.lru_cache(maxsize=None)
def book_functions():
    """{where it is printed: function} for every function the book prints."""
    return {**library_functions(), **chapter_functions()}


def assignment_namespace(folder, monkeypatch):
    """The assignment notebook's namespace after its cells other than answers and tests ran.

    Those are its imports and its checking tools, which load the hidden cases
    from solutions/<assignment>/grading/, as under plain `nbgrader autograde`
    in the course.
    """
    monkeypatch.chdir(folder)
    monkeypatch.syspath_prepend(str(folder))
    monkeypatch.setenv("COURSE_CASE_SECONDS", str(CASE_SECONDS))
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    for module in [m for m in sys.modules if m == "course_checks" or m.startswith("course_checks.")]:
        monkeypatch.delitem(sys.modules, module)
    namespace = {"__name__": "__main__"}
    with contextlib.redirect_stdout(io.StringIO()):
        for meta, cell in code_cells(folder / f"{folder.name}.ipynb"):
            if not meta.get("solution") and not meta.get("grade"):
                exec(cell, namespace)
    assert getattr(namespace.get("checks"), "references", None), f"{folder.name}: no hidden cases loaded"
    return namespace


def score_as(function, test, monkeypatch):
    """Points `function` earns when handed in as the function the graded test cell checks.

    The test cell runs as in the notebook, public and hidden cases, with
    `function` in the answer's place; its last expression is the score.
    """
    folder, _, name, _, source = test
    namespace = assignment_namespace(folder, monkeypatch)
    namespace[name] = function
    body = ast.parse(source).body
    with contextlib.redirect_stdout(io.StringIO()):
        try:
            exec(compile(ast.Module(body=body[:-1], type_ignores=[]), "test cell", "exec"), namespace)
            return eval(compile(ast.Expression(body=body[-1].value), "test cell", "eval"), namespace)
        finally:
            plt.close("all")  # the figures a planted plotting function drew


def test_the_assignments_and_the_book_are_found():
    """Can the test see what it compares: graded functions, and the functions the book prints?"""
    tested = {function for _, _, function, _, _ in graded_tests()}
    assert tested and tested <= set(assignment_function_names())
    functions = book_functions()
    assert len(functions) > 10
    # Functions that need chapter data cannot stand in for an answer; they must stay the exception.
    needing_data = chapter_functions_needing_data()
    assert len(needing_data) < len(functions) / 4, needing_data


def test_no_book_function_is_named_like_an_assignment_function():
    """Does every function the book prints have a name no assignment function uses?"""
    assignment_names = assignment_function_names()
    clashes = [f"{where} (the {assignment_names[where.rsplit(':', 1)[-1].rsplit('.', 1)[-1]]} assignment)"
               for where in book_functions()
               if where.rsplit(":", 1)[-1].rsplit(".", 1)[-1] in assignment_names]
    assert not clashes, f"Book functions named like assignment functions: {clashes}"


@pytest.mark.parametrize("test", graded_tests(), ids=lambda test: f"{test[0].name}-{test[1]}")
def test_no_book_function_earns_half_an_assignment_functions_points(test, monkeypatch):
    """Handed in as this assignment function, does every function the book prints earn at most half its points?"""
    _, _, name, points, _ = test
    too_good = {}
    for where, function in book_functions().items():
        earned = score_as(function, test, monkeypatch)
        if earned > points / 2:
            too_good[where] = round(earned, 2)
    assert not too_good, f"Book functions that earn more than {points / 2:g} of {name}'s {points} points: {too_good}"


def test_the_assignment_solution_earns_full_points(monkeypatch):
    """Is the scoring real: does each solution earn its test's points, and a stub none?"""
    for test in graded_tests():
        folder, _, name, points, _ = test
        namespace = assignment_namespace(folder, monkeypatch)
        for meta, source in code_cells(folder / f"{folder.name}.ipynb"):
            if meta.get("solution") and not meta.get("grade"):
                exec(source, namespace)
        assert score_as(namespace[name], test, monkeypatch) == pytest.approx(points), name
        assert score_as(lambda *args, **kwargs: None, test, monkeypatch) == 0, name
