"""The student's process: runs the notebook's cells and calls its functions, on request.

It serves one grader over one socket, one request at a time:

    {"op": "run",  "id": ..., "source": "..."}                    run a cell
    {"op": "call", "id": ..., "function": "pool2d", "args": [...], "kwargs": {...},
                   "runner": "module:function" or null, "options": {...}}
    {"op": "get",  "id": ..., "name": "answer"}                    a global's value

and answers each with a frame carrying the same id. Values cross as plain
data (values.py). With a `runner`, the function is called by that function
of the assignment's own checks (imported here), which returns plain data.
Nothing here decides a score: the grader compares what comes back.
"""
import importlib
import os
import signal
import sys

from . import isolate, values, wire
from .recording_shell import start_recording_shell

SPARE_BYTES = 32 * 1024 * 1024
MAX_MESSAGE_CHARS = 2000
STUDENT_ENVIRONMENT = {
    "HOME": "/tmp", "TMPDIR": "/tmp", "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8",
    "NBGRADER_EXECUTION": "autograde", "MPLBACKEND": "Agg", "PYTHONDONTWRITEBYTECODE": "1",
    # The hidden cases run in the grader, not here (see course checks' use_hidden_cases).
    "AUTOGRADER_SANDBOX": "1",
}
MISSING = object()


def _text_of(error):
    """str(error), capped; a student's exception may have a __str__ that raises."""
    try:
        return str(error)[:MAX_MESSAGE_CHARS]
    except BaseException:
        return ""


class Student:
    """One student's notebook state: the shell, and the request loop that drives it."""

    def __init__(self, channel, shell):
        self.channel = channel
        self.shell = shell
        self.in_student_code = False
        signal.signal(signal.SIGINT, self._interrupt)

    def _interrupt(self, _signum, _frame):
        # Only student code is interrupted, never the reporting around it.
        if self.in_student_code:
            raise KeyboardInterrupt

    def _streams(self):
        return [o for o in self.shell.cell_outputs.outputs if o["output_type"] == "stream"]

    def run(self, request):
        self.shell.cell_outputs.clear()
        try:
            self.in_student_code = True
            self.shell.run_cell(request["source"], store_history=True)
        except KeyboardInterrupt:
            pass
        finally:
            self.in_student_code = False
        return {"event": "ran", "outputs": self.shell.cell_outputs.outputs,
                "execution_count": self.shell.execution_count - 1}

    def call(self, request):
        self.shell.cell_outputs.clear()
        function = self.shell.user_ns.get(request["function"], MISSING)
        if function is MISSING:
            outcome = {"missing": request["function"]}
        elif request.get("runner"):
            outcome = self._call_through_runner(function, request)
        else:
            outcome = self._call_plainly(function, request)
        return {"event": "called", "outcome": outcome, "outputs": self._streams()}

    def _call_through_runner(self, function, request):
        module_name, _, attribute = request["runner"].partition(":")
        try:
            runner = getattr(importlib.import_module(module_name), attribute)
            self.in_student_code = True
            return runner(function, request["args"], request["kwargs"], **request.get("options", {}))
        except KeyboardInterrupt:
            return {"interrupted": True}
        except BaseException as error:
            return {"runner_failed": f"{type(error).__name__}: {_text_of(error)}"}
        finally:
            self.in_student_code = False

    def _call_plainly(self, function, request):
        try:
            args = values.decode(request["args"])
            kwargs = values.decode(request["kwargs"])
            self.in_student_code = True
            result = function(*args, **kwargs)
        except KeyboardInterrupt:
            return {"interrupted": True}
        except BaseException as error:
            return {"raised": {"type": type(error).__name__, "message": _text_of(error)}}
        finally:
            self.in_student_code = False
        try:
            return {"returned": values.encode(result)}
        except values.Unencodable as error:
            return {"raised": {"type": "ValueError", "message": str(error)}}

    def get(self, request):
        value = self.shell.user_ns.get(request["name"], MISSING)
        if value is MISSING:
            return {"event": "got", "missing": True}
        if callable(value) and not isinstance(value, type):
            return {"event": "got", "callable": True}
        try:
            return {"event": "got", "value": values.encode(value)}
        except values.Unencodable as error:
            return {"event": "got", "value": {"unsupported": str(error)}}

    def serve(self):
        """Answer requests until the grader closes the socket or says exit; never returns."""
        handlers = {"run": self.run, "call": self.call, "get": self.get}
        while True:
            try:
                request = wire.receive(self.channel)
            except (EOFError, OSError, wire.FrameError):
                os._exit(0)
            if request.get("op") == "exit":
                os._exit(0)
            try:
                reply = handlers[request["op"]](request)
            except KeyboardInterrupt:
                reply = {"event": "interrupted"}
            reply["id"] = request.get("id")
            try:
                wire.send(self.channel, reply)
            except (TypeError, ValueError):  # something in it is not plain data
                wire.send(self.channel, _unsendable(reply))


def _unsendable(reply):
    """The reply, with what could not be encoded as JSON replaced by a note saying so."""
    note = {"output_type": "error", "ename": "UnsendableOutput",
            "evalue": "the grader could not send this cell's outputs (not plain data)", "traceback": []}
    if reply.get("event") == "ran":
        return {"id": reply["id"], "event": "ran", "outputs": [note], "execution_count": reply.get("execution_count")}
    if reply.get("event") == "called":
        return {"id": reply["id"], "event": "called", "outputs": [],
                "outcome": {"runner_failed": "the checks returned data that is not plain data"}}
    return {"id": reply["id"], "event": "got", "value": {"unsupported": "not plain data"}}


def _keep_room_to_report_memory_errors(shell):
    """Hold back a little memory, released when a MemoryError reaches the shell.

    A student list that filled the cap is still alive when the error is
    shown, and formatting a traceback needs memory too; without this spare
    room the report of the error would itself fail.
    """
    spare = bytearray(SPARE_BYTES)

    def release_spare_and_show(shell, etype, value, tb, tb_offset=None):
        spare.clear()
        shell.showtraceback((etype, value, tb), tb_offset=tb_offset)

    shell.set_custom_exc((MemoryError,), release_spare_and_show)


def _keep_only(channel_fd):
    """Close every inherited descriptor but the channel; point 0, 1 and 2 at /dev/null."""
    devnull = os.open(os.devnull, os.O_RDWR)
    for standard in (0, 1, 2):
        os.dup2(devnull, standard)
    os.closerange(3, channel_fd)
    os.closerange(channel_fd + 1, 1 << 16)


def start_shell():
    """The recording shell, started once in the zygote and inherited by every box."""
    shell = start_recording_shell()
    _keep_room_to_report_memory_errors(shell)
    return shell


def main(channel, limits, sandboxed, shell):
    """Body of the student's first process: box up, then serve; never returns."""
    try:
        _keep_only(channel.fileno())
        os.environ.clear()
        os.environ.update(STUDENT_ENVIRONMENT)
        workdir = "/tmp/work" if sandboxed else limits["workdir"]
        os.makedirs(workdir, exist_ok=True)
        for name in os.listdir(limits["assignment_dir"]):
            _copy(os.path.join(limits["assignment_dir"], name), os.path.join(workdir, name))
        os.chdir(workdir)
        sys.path.insert(0, workdir)  # as a kernel's working folder is importable
        mapped = isolate.mapped_bytes()
        if sandboxed:
            isolate.hide_proc()
            isolate.drop_privileges()
        isolate.set_limits(limits["cpu_seconds"], limits["file_mb"], limits["processes"])
        isolate.limit_memory(limits["memory_mb"], mapped)
        student = Student(channel, shell)
        wire.send(channel, {"event": "ready"})
        student.serve()
    except BaseException:
        os._exit(70)


def _copy(source, target):
    import shutil

    if os.path.isdir(source):
        shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__"))
    else:
        shutil.copyfile(source, target)
