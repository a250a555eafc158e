"""Run the assignment's test cells in the grader's own process, not in the student's.

Under plain nbgrader a test cell runs inside the student's kernel, where the
student's code can read the expected values or rewrite the verdict. Here it
runs in the trusted grading process, in a namespace of its own:

- the assignment's set-up cells (imports, the checking tools) are run here
  too, with the assignment's own modules loaded from the course's copy;
- every other name a test cell reads is fetched from the student's process
  when the cell starts: a function becomes a RemoteFunction, which calls the
  student's function in the sandbox with plain data and gets plain data back;
  a value arrives as plain data (inside/values.py);
- what the cell prints, and the value of its last line, become its outputs,
  so nbgrader's own scoring rules apply to them unchanged.

The cell's cases therefore run where nbgrader would run them, after the cells
above and before the ones below, but only the student's function runs in the
sandbox: inputs go in, results come out, the comparison happens here.
"""
import ast
import builtins
import importlib.util
import sys

from .grading_context import CURRENT, GradingContext
from .inside import values
from .protocol import ProtocolViolation, check_plain_outcome
from .session import BoxEnded


class StudentError(Exception):
    """An exception the student's function raised in the sandbox, known by its type's name and message."""

    def __init__(self, type_name, message):
        super().__init__(message)
        self.type_name = type_name


class RemoteFunction:
    """Stands, in the grader's process, for a function defined in the student's notebook."""

    def __init__(self, cells, name):
        self._cells = cells
        self.name = name
        self.__name__ = name

    def __repr__(self):
        return f"<function {self.name} of the student's notebook>"

    def __call__(self, *args, **kwargs):
        outcome = self._cells.call(self.name, values.encode(list(args)), values.encode(dict(kwargs)), None, {})
        try:
            check_plain_outcome(outcome)
        except ProtocolViolation as error:
            raise self._cells.broken(error)
        if "returned" in outcome:
            try:
                return values.decode(outcome["returned"])
            except ValueError as error:
                raise self._cells.broken(error)
        if "missing" in outcome:
            raise NameError(f"name {self.name!r} is not defined")
        if "interrupted" in outcome:
            raise StudentError("KeyboardInterrupt", "the call was interrupted")
        raised = outcome["raised"]
        raise StudentError(raised["type"], raised["message"])

    def run_case(self, runner, args, kwargs, options):
        """Call the function through `runner` (module:function of the assignment's checks) in the sandbox.

        Returns the runner's plain-data report, for the checks to validate and
        judge; the grader's own failures come back as {"problem": ...}.
        """
        outcome = self._cells.call(self.name, args, kwargs, runner, options)
        if "missing" in outcome:
            return {"problem": f"{self.name} is no longer defined in the notebook"}
        if "runner_failed" in outcome:
            return {"problem": f"the checks could not run this case ({str(outcome['runner_failed'])[:200]})"}
        if "interrupted" in outcome:
            return {"problem": "was interrupted"}
        return outcome


def _free_names(tree):
    """Names a cell reads but never binds itself, in first-use order."""
    loaded, bound = {}, set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            if isinstance(node.ctx, ast.Load):
                loaded.setdefault(node.id, None)
            else:
                bound.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound.add(node.name)
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            bound.update((alias.asname or alias.name).partition(".")[0] for alias in node.names)
    return [name for name in loaded if name not in bound]


def _split_last_expression(tree):
    """(statements, last expression or None), as IPython displays the value of a cell's last line."""
    if tree.body and isinstance(tree.body[-1], ast.Expr):
        last = ast.Expression(tree.body.pop().value)
        return tree, last
    return tree, None


def load_assignment_modules(folder, prefix):
    """{top-level name: module} of the Python modules and packages in an assignment's folder.

    Loaded from the course's copy under private names (prefix + name), so the
    trusted process never imports what a student could have changed.
    """
    modules = {}
    for path in sorted(folder.iterdir()):
        if path.name.startswith((".", "_")) or path.name == "grading":
            continue
        if path.is_dir() and (path / "__init__.py").is_file():
            location, search = path / "__init__.py", [str(path)]
        elif path.suffix == ".py":
            location, search = path, None
        else:
            continue
        alias = f"{prefix}{path.stem}"
        module = sys.modules.get(alias)
        if module is None:
            spec = importlib.util.spec_from_file_location(alias, location, submodule_search_locations=search)
            module = importlib.util.module_from_spec(spec)
            sys.modules[alias] = module
            spec.loader.exec_module(module)
        modules[path.stem] = module
    return modules


class CellOutputs:
    """The outputs of the test cell being run, merged as a Jupyter front end merges streams."""

    def __init__(self):
        self.outputs = []

    def stream(self, name, text):
        if not text:
            return
        last = self.outputs[-1] if self.outputs else None
        if last and last["output_type"] == "stream" and last["name"] == name:
            last["text"] += text
        else:
            self.outputs.append({"output_type": "stream", "name": name, "text": text})


class TrustedCells:
    """The trusted namespace of one student's grading, and the runner of its test cells."""

    def __init__(self, session, assignment_modules, references_dir, case_seconds, record_case):
        self.session = session
        self.cell_seconds = None
        self.current = CellOutputs()
        self.context = GradingContext(references_dir=references_dir, case_seconds=case_seconds,
                                      write=lambda text: self.current.stream("stdout", text), record_case=record_case)
        own_builtins = dict(vars(builtins))
        own_builtins["print"] = self._print
        own_builtins["__import__"] = self._importer(assignment_modules)
        self.namespace = {"__name__": "__main__", "__builtins__": own_builtins}
        self.trusted_names = set()  # bound by the set-up cells or by earlier test cells: never fetched
        self.fetched = set()  # read from the student's notebook: fetched again by every cell

    def _print(self, *objects, sep=" ", end="\n", file=None, flush=False):
        self.current.stream("stderr" if file is sys.stderr else "stdout", sep.join(map(str, objects)) + end)

    @staticmethod
    def _importer(assignment_modules):
        def trusted_import(name, globals=None, locals=None, fromlist=(), level=0):
            top, _, rest = name.partition(".")
            if level == 0 and top in assignment_modules:
                module = assignment_modules[top]
                if rest:
                    submodule = importlib.import_module(f"{module.__name__}.{rest}")
                    return submodule if fromlist else module
                return module
            return builtins.__import__(name, globals, locals, fromlist, level)
        return trusted_import

    def broken(self, error):
        """End the box for a reply the checks could not use; returns the BoxEnded to raise."""
        return self.session._end(f"it broke the grading protocol ({error})")

    def call(self, function, args, kwargs, runner, options):
        reply = self.session.request(
            "call", {"function": function, "args": args, "kwargs": kwargs, "runner": runner, "options": options},
            self.cell_seconds)
        for output in reply["outputs"]:
            self.current.stream(output["name"], output["text"])
        return reply["outcome"]

    def _fetch(self, name):
        self.fetched.add(name)
        self.namespace.pop(name, None)
        reply = self.session.request("get", {"name": name}, self.cell_seconds)
        if reply.get("missing"):
            return
        if reply.get("callable"):
            self.namespace[name] = RemoteFunction(self, name)
            return
        try:
            self.namespace[name] = values.decode(reply.get("value"))
        except ValueError as error:
            raise self.broken(error)

    def run_setup(self, source):
        """Run an instructors' set-up cell here as well (imports, the checking tools).

        The grading context is set, so that the checking tools load the hidden
        cases for this student from the course, not from wherever they look in
        a notebook. The batch has run every set-up cell once before grading
        (grade.py), so an error here is the course's, and stops this student's grading.
        """
        token = CURRENT.set(self.context)
        try:
            exec(compile(source, "<set-up cell>", "exec"), self.namespace)
        finally:
            CURRENT.reset(token)
        self.trusted_names.update(self.namespace)

    def run_test(self, source, seconds, points):
        """Run one test cell worth `points`; returns its outputs (nbformat dicts). Raises CellTimedOut or BoxEnded."""
        self.current = CellOutputs()
        self.cell_seconds = seconds
        self.context.cell_points = points
        token = CURRENT.set(self.context)
        try:
            tree = ast.parse(source)
            for name in _free_names(tree):
                if name not in self.trusted_names and name not in self.namespace["__builtins__"]:
                    self._fetch(name)
            body, last = _split_last_expression(tree)
            exec(compile(body, "<test cell>", "exec"), self.namespace)
            value = eval(compile(last, "<test cell>", "eval"), self.namespace) if last is not None else None
            if value is not None:
                self.current.outputs.append({"output_type": "execute_result", "execution_count": None,
                                             "data": {"text/plain": repr(value)}, "metadata": {}})
        except BoxEnded:
            raise
        except Exception as error:
            self.current.outputs.append({
                "output_type": "error", "ename": getattr(error, "type_name", type(error).__name__),
                "evalue": str(error)[:2000], "traceback": []})
        finally:
            CURRENT.reset(token)
            self.trusted_names.update(set(self.namespace) - self.fetched)
        return self.current.outputs
