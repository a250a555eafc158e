"""Run one student's notebook in a fresh, bounded child process.

The calling process has already imported torch, IPython and friends (it was
forked from the warm fork server, see `parallel.py`), so `os.fork()` gives the
student a ready Python with nothing to import and nothing shared with any
other student. The child runs the code cells one by one in a recording IPython
shell and reports each cell's outputs over a pipe; the parent enforces the
per-cell timeout (SIGINT, like Jupyter's interrupt, then SIGKILL) and never
runs student code itself.
"""
import ctypes
import json
import os
import resource
import select
import signal
import struct
import time
from dataclasses import dataclass, field

# After an interrupt, a cell gets this long to stop before its process is killed.
INTERRUPT_GRACE_SECONDS = 3.0
PR_SET_PDEATHSIG = 1
SPARE_BYTES = 32 * 1024 * 1024

MEMORY_ERROR_MARKERS = ("MemoryError", "can't allocate memory", "Cannot allocate memory", "std::bad_alloc")


@dataclass
class ExecutionReport:
    """What happened while the cells ran.

    outputs: {code cell index in nb.cells: list of nbformat output dicts}
    timed_out: indices of cells stopped by the per-cell timeout
    memory_cells: indices of cells that hit the memory cap
    died_in: index of the cell during which the process ended, or None
    exit_description: how it ended (e.g. "exit code 3"), when died_in is set
    """

    outputs: dict = field(default_factory=dict)
    execution_counts: dict = field(default_factory=dict)
    timed_out: list = field(default_factory=list)
    memory_cells: list = field(default_factory=list)
    died_in: int = None
    exit_description: str = ""


def code_cells_to_run(nb):
    """Indices of the cells a Jupyter client would execute: code cells with source."""
    return [i for i, cell in enumerate(nb.cells) if cell.cell_type == "code" and cell.source.strip()]


def is_memory_error(output):
    text = f"{output.get('ename', '')}: {output.get('evalue', '')}"
    return output.get("output_type") == "error" and any(m in text for m in MEMORY_ERROR_MARKERS)


def _send(fd, message):
    payload = json.dumps(message).encode()
    os.write(fd, struct.pack("!Q", len(payload)))
    view = memoryview(payload)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _read_exactly(fd, size, deadline):
    chunks = []
    while size:
        wait = None if deadline is None else max(0.0, deadline - time.monotonic())
        ready, _, _ = select.select([fd], [], [], wait)
        if not ready:
            raise TimeoutError
        chunk = os.read(fd, min(size, 1 << 20))
        if not chunk:
            raise EOFError
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


class MessageReader:
    """Reads length-prefixed JSON messages, waiting at most until a deadline."""

    def __init__(self, fd):
        self.fd = fd

    def read(self, deadline):
        header = _read_exactly(self.fd, 8, deadline)
        (size,) = struct.unpack("!Q", header)
        # Once a message has started, its body follows at once.
        return json.loads(_read_exactly(self.fd, size, None))


def _die_with_parent():
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def _limit_memory(memory_mb):
    """Cap the address space at what is mapped now plus memory_mb.

    torch's libraries are already mapped (inherited from the warm parent), so
    the cap is relative: memory_mb is what the student's code may add.
    """
    with open("/proc/self/statm") as statm:
        mapped_bytes = int(statm.read().split()[0]) * resource.getpagesize()
    cap = mapped_bytes + memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))


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


def _child_main(nb, cells, write_fd, memory_mb, workdir):
    """Body of the student's process; never returns."""
    from .recording_shell import start_recording_shell

    try:
        _die_with_parent()
        os.chdir(workdir)
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        in_cell = [False]

        def interrupt(signum, frame):
            # Only student code is interrupted, never the reporting below.
            if in_cell[0]:
                raise KeyboardInterrupt

        signal.signal(signal.SIGINT, interrupt)
        shell = start_recording_shell()
        _keep_room_to_report_memory_errors(shell)
        _limit_memory(memory_mb)
        for index in cells:
            _send(write_fd, {"event": "start", "cell": index})
            shell.cell_outputs.clear()
            in_cell[0] = True
            shell.run_cell(nb.cells[index].source, store_history=True)
            in_cell[0] = False
            _send(write_fd, {
                "event": "done",
                "cell": index,
                "outputs": shell.cell_outputs.outputs,
                "execution_count": shell.execution_count - 1,
            })
        _send(write_fd, {"event": "finished"})
        os._exit(0)
    except BaseException:
        os._exit(70)


def _describe_exit(status):
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        return f"killed by signal {signal.Signals(number).name}"
    return f"exit code {os.WEXITSTATUS(status)}"


def run_isolated(nb, *, timeout, memory_mb, workdir):
    """Execute nb's code cells in a fresh forked process; returns an ExecutionReport.

    timeout: seconds each cell may run before it is interrupted (the rest of the
    notebook still runs). memory_mb: extra address space the student may map.
    A process that exits early (sys.exit is caught like in IPython, but
    os._exit, a crash or the memory killer are not) leaves the remaining cells
    unexecuted; `died_in` says where.
    """
    cells = code_cells_to_run(nb)
    report = ExecutionReport()
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_fd)
        _child_main(nb, cells, write_fd, memory_mb, workdir)
    os.close(write_fd)
    reader = MessageReader(read_fd)
    current = None
    finished = False
    killed_for_timeout = False
    try:
        while not finished:
            deadline = None if current is None else time.monotonic() + timeout
            try:
                message = reader.read(deadline)
            except TimeoutError:
                report.timed_out.append(current)
                os.kill(pid, signal.SIGINT)
                try:
                    message = reader.read(time.monotonic() + INTERRUPT_GRACE_SECONDS)
                except TimeoutError:
                    killed_for_timeout = True
                    os.kill(pid, signal.SIGKILL)
                    raise EOFError
            if message["event"] == "start":
                current = message["cell"]
            elif message["event"] == "done":
                report.outputs[message["cell"]] = message["outputs"]
                report.execution_counts[message["cell"]] = message["execution_count"]
                current = None
            else:
                finished = True
    except EOFError:
        pass
    finally:
        os.close(read_fd)
        _, status = os.waitpid(pid, 0)
    if not finished:
        not_run = [index for index in cells if index not in report.outputs]
        report.died_in = current if current is not None else (not_run[0] if not_run else None)
        report.exit_description = (
            "killed after ignoring the timeout interrupt" if killed_for_timeout else _describe_exit(status)
        )
    for index, outputs in report.outputs.items():
        if any(is_memory_error(output) for output in outputs):
            report.memory_cells.append(index)
    return report
