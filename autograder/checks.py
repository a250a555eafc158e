"""Checking tools for the assignments: run a function on cases, compare, score.

This file is also, verbatim, the first cell of every assignment notebook
(a test keeps them identical), so a student can run the public tests with
nothing but torch installed. At grading time a hidden cell loads the
reference tensors from autograder/references/ and each test cell adds the
reference cases to its public ones.

Threat model. Student code runs in the same Python process after this cell
and before the test cells. We defend against answers that only look right:
returning a non-Tensor, a Tensor subclass or an object claiming equality
with anything; calling a built-in pooling operator under any alias (seen at
the aten level by a TorchDispatchMode); leaving a torch function or dispatch
mode active; patching torch, numpy, Tensor methods or builtins before the
tests; hard-coding the public examples (the hidden cases differ); modifying
the input in place. Every function, class and descriptor the checks use is
captured in a closure when this cell runs, before any student code, and the
comparison reads values through torch's C base class (immutable) into plain
Python floats, so a later patch cannot change what is compared. Reference
cases are loaded before student code too. Out of scope: code aimed at the
grader itself (rebinding `assignment_checks`, editing these closures,
ctypes); such code is visible in the submission.
"""


def _build_checks():
    import builtins
    import contextlib
    import hashlib
    import io
    import json
    import os
    import pathlib
    import signal
    import threading
    import warnings
    from operator import attrgetter

    import torch
    import torch.nn as nn
    from torch.utils._python_dispatch import TorchDispatchMode

    # Local names shadow the builtins, so a student's later `def sum(...)` or
    # `builtins.isinstance = ...` cannot reach the checks.
    (type, isinstance, len, abs, repr, str, int, float, tuple, list, dict, min, max, round, sum,
     enumerate, zip, any, print, reversed, ValueError, Exception, BaseException, RuntimeError,
     FileNotFoundError) = attrgetter(
        "type", "isinstance", "len", "abs", "repr", "str", "int", "float", "tuple", "list", "dict",
        "min", "max", "round", "sum", "enumerate", "zip", "any", "print", "reversed", "ValueError",
        "Exception", "BaseException", "RuntimeError", "FileNotFoundError")(builtins)
    TensorBase = torch._C.TensorBase  # a C type: its methods cannot be replaced
    Tensor, Size = torch.Tensor, torch.Size
    Conv2d = nn.Conv2d
    conv2d_forward = nn.Conv2d.forward
    named_parameters = nn.Module.named_parameters
    make_tensor = torch.tensor
    size_of = TensorBase.size
    dtype_of = TensorBase.dtype.__get__
    requires_grad_of = TensorBase.requires_grad.__get__
    to_list = TensorBase.tolist
    detach = TensorBase.detach
    reshape = TensorBase.reshape
    dispatch_depth = torch._C._len_torch_dispatch_stack
    dispatch_mode_at, pop_dispatch_mode = torch._C._get_dispatch_stack_at, torch._C._pop_torch_dispatch_stack
    function_depth = torch._C._len_torch_function_stack
    no_grad = torch.no_grad
    mode_enter, mode_exit = TorchDispatchMode.__enter__, TorchDispatchMode.__exit__
    dtypes = {"float32": torch.float32, "float64": torch.float64}
    json_loads = json.loads
    sha256 = hashlib.sha256
    redirect_stdout, redirect_stderr = contextlib.redirect_stdout, contextlib.redirect_stderr
    contextmanager, StringIO = contextlib.contextmanager, io.StringIO
    catch_warnings, simplefilter = warnings.catch_warnings, warnings.simplefilter
    setitimer, set_handler = getattr(signal, "setitimer", None), signal.signal
    SIGALRM, ITIMER_REAL = getattr(signal, "SIGALRM", None), getattr(signal, "ITIMER_REAL", None)
    current_thread, main_thread = threading.current_thread, threading.main_thread
    # Tolerances: loops and vectorised code sum in different orders.
    tolerance = {torch.float32: (1e-5, 1e-6), torch.float64: (1e-10, 1e-12)}
    # Generous for honest loops; the self-grading tests shorten it to keep hangs cheap.
    case_seconds = float(os.environ.get("COURSE_CASE_SECONDS", "10"))
    references = {}
    validating = os.environ.get("NBGRADER_EXECUTION") == "validate"

    @contextmanager
    def quiet():
        """Swallow prints and warnings: any stderr output would zero the test cell in nbgrader."""
        with redirect_stdout(StringIO()), redirect_stderr(StringIO()), catch_warnings():
            simplefilter("ignore")
            yield

    class CaseTimeout(BaseException):
        """Raised by the alarm inside a student's call that runs too long."""

    class PoolingWatch(TorchDispatchMode):
        """Records every aten pooling operator called while active."""

        __enter__, __exit__ = mode_enter, mode_exit

        def __init__(self):
            super().__init__()
            self.pooling_ops = []

        def __torch_dispatch__(self, func, types, args=(), kwargs=None):
            name = str(func)
            if "pool" in name:
                self.pooling_ops.append(name)
            return func(*args, **(kwargs or {}))

    def drop_leftover_watches():
        """Pop PoolingWatch modes that an earlier case failed to exit.

        An interrupt (the cell timeout's SIGINT, the case alarm) can land while
        a watch is exiting and leave it on the stack; every later case would
        then see an active mode and fail. Only our own watches are popped: a
        mode the student entered still fails the cases.
        """
        while dispatch_depth():
            leftover = dispatch_mode_at(dispatch_depth() - 1)
            if type(leftover) is not PoolingWatch:
                return
            try:
                mode_exit(leftover, None, None, None)
            except Exception:  # its exit had begun before the interrupt: only the pop is missing
                if dispatch_depth() and dispatch_mode_at(dispatch_depth() - 1) is leftover:
                    pop_dispatch_mode(None)

    def flatten(nested):
        if not isinstance(nested, list):
            return [nested]
        flat = []
        for item in nested:
            flat.extend(flatten(item))
        return flat

    def shape_of_nested(nested):
        shape = []
        while isinstance(nested, list):
            shape.append(len(nested))
            nested = nested[0] if nested else None
        return tuple(shape)

    def tensor(data, dtype="float32"):
        """A plain tensor of the given nested list and dtype name, made with pristine torch."""
        return make_tensor(data, dtype=dtypes[dtype])

    def describe(value):
        """A short, safe description: never calls a student object's own __repr__."""
        if type(value) is Tensor:
            dims = "×".join(str(n) for n in tuple(size_of(value)))
            return f"<{dims} {str(dtype_of(value)).replace('torch.', '')} tensor>"
        if type(value) is tuple:
            inner = ", ".join(describe(v) for v in value)
            return f"({inner},)" if len(value) == 1 else f"({inner})"
        if type(value) in (int, float, str, bool, type(None)):
            return repr(value)
        return f"<{type(value).__name__} object>"

    def message_of(error):
        """'ValueError: text', or just the class name when the error has no text (or a broken __str__)."""
        try:
            text = str(error)[:200]
        except BaseException:
            text = ""
        return f"{type(error).__name__}: {text}" if text else type(error).__name__

    def describe_call(name, args, kwargs):
        parts = [describe(a) for a in args] + [f"{k}={describe(v)}" for k, v in kwargs.items()]
        return f"{name}({', '.join(parts)})"

    def position(index, shape):
        place = []
        for extent in reversed(shape):
            place.append(index % extent)
            index //= extent
        return list(reversed(place))

    def encode_tensor(value):
        """Tensor -> (shape, dtype name, flat floats), read through TensorBase."""
        dtype = dtype_of(value)
        name = [k for k, v in dtypes.items() if v is dtype]
        return tuple(size_of(value)), (name[0] if name else str(dtype)), flatten(to_list(detach(value)))

    def decode(spec):
        """A reference argument: tagged JSON -> tensor, tuple or plain value."""
        if isinstance(spec, dict) and "tensor" in spec:
            t = spec["tensor"]
            return reshape(make_tensor(t["values"], dtype=dtypes[t["dtype"]]), tuple(t["shape"]))
        if isinstance(spec, dict) and "tuple" in spec:
            return tuple(decode(v) for v in spec["tuple"])
        return spec

    def compare_tensor(got, shape, dtype, values, public):
        """None if got matches (shape, dtype name, flat values); otherwise what differs."""
        if type(got) is not Tensor:
            kind = "a subclass of torch.Tensor" if isinstance(got, Tensor) else "not a torch.Tensor"
            return f"returned {type(got).__name__} ({kind}); return a plain torch.Tensor"
        got_shape, got_dtype, got_values = encode_tensor(got)
        if got_shape != tuple(shape):
            return f"should have shape {tuple(shape)} but has shape {got_shape}"
        if got_dtype != dtype:
            return f"should have dtype {dtype} (the input's) but has dtype {got_dtype}"
        rtol, atol = tolerance[dtypes[dtype]]
        wrong = [i for i, (g, e) in enumerate(zip(got_values, values))
                 if not abs(float(g) - e) <= atol + rtol * abs(e)]
        if not wrong:
            return None
        first = wrong[0]
        where = f"{len(wrong)} of {len(values)} positions, first at {position(first, shape)}"
        if public:
            return f"differs at {where}: expected {values[first]!r}, got {got_values[first]!r}"
        return f"differs from the reference at {where}"

    def compare_shape(got, expected):
        if type(got) not in (tuple, Size) or any(type(v) is not int for v in got):
            return f"returned {describe(got)} of type {type(got).__name__}; return a tuple of ints"
        got = tuple(int(v) for v in got)
        if got != tuple(expected):
            return f"returned {got} but nn.MaxPool2d gives {tuple(expected)}"
        return None

    class GradedTest:
        """The cases of one graded test cell, run against one student function.

        Each `returns`/`raises`/`layer_matches` call runs one case at once and
        records whether it passed; `score()` prints the report and returns
        points × passed / cases, the cell's partial credit.
        """

        def __init__(self, name, function, points):
            self.name, self.function, self.points = name, function, points
            self.results = []
            self.timed_out = False

        def _call(self, args, kwargs):
            """Run the student function once; returns (result, raised exception, problem or None)."""
            if self.timed_out:
                return None, None, f"not run: an earlier case took over {case_seconds:g} s"
            drop_leftover_watches()
            if dispatch_depth() or function_depth():
                return None, None, "a torch dispatch or function mode is active; the tests cannot trust torch"
            watch = PoolingWatch()
            timer = setitimer is not None and current_thread() is main_thread()
            previous = result = raised = None
            if timer:
                def alarm(_signum, _frame):
                    raise CaseTimeout()
                previous = set_handler(SIGALRM, alarm)
                setitimer(ITIMER_REAL, case_seconds)
            try:
                with quiet(), watch:
                    result = self.function(*args, **kwargs)
            except CaseTimeout:
                self.timed_out = True
                return None, None, f"took longer than {case_seconds:g} s (stopped)"
            except Exception as error:
                raised = error  # judged by the caller, after the pooling check
            finally:
                if timer:
                    setitimer(ITIMER_REAL, 0)
                    set_handler(SIGALRM, previous)
            drop_leftover_watches()
            if dispatch_depth() or function_depth():
                return None, None, "left a torch dispatch or function mode active; the tests cannot trust torch"
            if watch.pooling_ops:
                return None, None, f"calls a built-in pooling operator ({watch.pooling_ops[0]}), which is not allowed"
            return result, raised, None

        def _record(self, call, problem, public):
            self.results.append((call, problem, public))

        def _run(self, args, kwargs, expect_error, public, compare):
            inputs = [(a, encode_tensor(a)) for a in list(args) + list(kwargs.values()) if type(a) is Tensor]
            call = describe_call(self.name, args, kwargs)
            result, raised, problem = self._call(args, kwargs)
            if problem is None and raised is not None:
                if expect_error is None or not isinstance(raised, expect_error):
                    problem = f"raised {message_of(raised)}"
            elif problem is None and expect_error is not None:
                problem = f"should raise {expect_error.__name__} but returned {describe(result)}"
            elif problem is None:
                problem = compare(result)
            if problem is None:
                for tensor_arg, before in inputs:
                    if encode_tensor(tensor_arg) != before:
                        problem = "modified its input tensor in place; leave the input unchanged"
            self._record(call, problem, public)

        def returns(self, expected, *args, dtype=None, **kwargs):
            """Public case: the call should return `expected` (nested list -> tensor, tuple -> shape)."""
            if isinstance(expected, tuple):
                compare = lambda got: compare_shape(got, expected)
            else:
                first = [a for a in args if type(a) is Tensor]
                name = dtype or (encode_tensor(first[0])[1] if first else "float32")
                shape = shape_of_nested(expected)
                values = [float(v) for v in flatten(expected)]
                compare = lambda got: compare_tensor(got, shape, name, values, True)
            self._run(args, kwargs, None, True, compare)

        def raises(self, error, *args, **kwargs):
            """Public case: the call should raise `error` (e.g. ValueError)."""
            self._run(args, kwargs, error, True, None)

        def layer_matches(self, X, expected, *args, **kwargs):
            """Public case: the returned layer should be a bias-free, frozen nn.Conv2d mapping X to expected."""
            shape = shape_of_nested(expected)
            values = [float(v) for v in flatten(expected)]
            compare = lambda layer: self._compare_layer(layer, X, shape, encode_tensor(X)[1], values, True)
            self._run(args, kwargs, None, True, compare)

        def _compare_layer(self, layer, X, shape, dtype, values, public):
            if type(layer) is not Conv2d:
                return f"returned {type(layer).__name__}; return an nn.Conv2d (not a subclass)"
            named = list(named_parameters(layer))
            if any(n == "bias" for n, _ in named):
                return "the convolution has a bias; pass bias=False"
            trainable = [n for n, p in named if requires_grad_of(p)]
            if trainable:
                return f"has trainable parameters ({', '.join(trainable)}); set requires_grad to False"
            watch = PoolingWatch()
            try:
                with quiet(), no_grad(), watch:
                    out = conv2d_forward(layer, X)
            except Exception as error:
                return f"applying the layer to {describe(X)} raised {message_of(error)}"
            if watch.pooling_ops:
                return f"the layer calls a built-in pooling operator ({watch.pooling_ops[0]})"
            problem = compare_tensor(out, shape, dtype, values, public)
            return None if problem is None else f"its output on {describe(X)} {problem}"

        def reference_cases(self):
            """Hidden cases: every reference case recorded for this function."""
            if not references:
                raise RuntimeError(
                    "The reference cases were not loaded; grading needs the hidden cell "
                    "that calls assignment_checks.load_references()."
                )
            for case in references["cases"]:
                if case["function"] != self.name:
                    continue
                args = [decode(a) for a in case["args"]]
                kwargs = {k: decode(v) for k, v in case["kwargs"].items()}
                expect = case["expect"]
                if "raises" in expect:
                    self._run(args, kwargs, ValueError, False, None)
                elif "shape" in expect:
                    self._run(args, kwargs, None, False, lambda got, e=expect["shape"]: compare_shape(got, e))
                elif "layer_output" in expect:
                    X, out = decode(expect["layer_input"]), expect["layer_output"]["tensor"]
                    self._run(args, kwargs, None, False, lambda layer, X=X, out=out: self._compare_layer(
                        layer, X, out["shape"], out["dtype"], out["values"], False))
                else:
                    out = expect["tensor"]
                    self._run(args, kwargs, None, False, lambda got, out=out: compare_tensor(
                        got, out["shape"], out["dtype"], out["values"], False))

        def score(self):
            """Print the per-case report; return the points earned (partial credit)."""
            passed = sum(1 for _, problem, _ in self.results if problem is None)
            total = len(self.results)
            earned = round(self.points * passed / total, 4) if total else 0.0
            print(f"{self.name}: {passed} of {total} cases passed, {earned:g} of {self.points} points")
            for call, problem, public in self.results:
                label = "" if public else "  [hidden]"
                print(f"  {'ok  ' if problem is None else 'FAIL'} {call}{label}")
                if problem is not None:
                    print(f"       {problem}")
            if validating and passed < total:
                # Under `nbgrader validate` a failed case must raise to be reported;
                # when grading, the partial score above is what counts.
                raise AssertionError(f"{self.name}: {total - passed} of {total} cases failed (see above)")
            return min(max(earned, 0.0), float(self.points))

    def find_references(assignment):
        """The reference file: $COURSE_REFERENCES_DIR, else autograder/references above the cwd."""
        name = f"{assignment}.json"
        folder = os.environ.get("COURSE_REFERENCES_DIR")
        if folder:
            return pathlib.Path(folder) / name
        here = pathlib.Path.cwd().resolve()
        for parent in [here, *here.parents]:
            candidate = parent / "autograder" / "references" / name
            if candidate.is_file():
                return candidate
        raise FileNotFoundError(
            f"No autograder/references/{name} in {here} or any folder above it; "
            "set COURSE_REFERENCES_DIR to the folder that holds it."
        )

    def load_references(assignment):
        """Load (and check against the manifest) the reference cases of an assignment.

        Returns None: its cell is a 0-point grade cell, and a numeric result there
        would exceed the cell's points and make nbgrader reject the notebook.
        """
        path = find_references(assignment)
        data = path.read_bytes()
        manifest = json_loads((path.parent / "manifest.json").read_text())
        if sha256(data).hexdigest() != manifest.get(path.name):
            raise RuntimeError(f"{path} does not match the SHA-256 in {path.parent / 'manifest.json'}")
        references.clear()
        references.update(json_loads(data))

    # The first dispatch mode a process enters pays a one-off set-up cost of
    # seconds; pay it now rather than inside a student's timed case.
    with quiet(), PoolingWatch():
        make_tensor([[1.0]]).max()

    return type("AssignmentChecks", (), {
        "GradedTest": GradedTest,
        "tensor": staticmethod(tensor),
        "load_references": staticmethod(load_references),
    })()


assignment_checks = _build_checks()
