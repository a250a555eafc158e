"""An IPython shell that records each cell's outputs as nbformat output dicts.

This is what ipykernel's shell does, minus ZeroMQ: the display hook, the
display publisher, the traceback printer and the two text streams all append
to one list per cell instead of sending messages. The results are the outputs
a Jupyter kernel would have produced, so nbgrader's own scoring rules
(`nbgrader.utils.determine_grade`) apply unchanged.
"""
import sys

from IPython.core.displayhook import DisplayHook
from IPython.core.displaypub import DisplayPublisher
from IPython.core.interactiveshell import InteractiveShell
from traitlets import Type
from traitlets.config import Config

# A single cell may print at most this much; the rest is replaced by a note,
# so a print loop cannot flood the grader's memory or the feedback page.
MAX_STREAM_CHARS = 200_000


class CellOutputs:
    """The outputs of the cell being run, in the order a kernel would send them."""

    def __init__(self):
        self.outputs = []
        self.stream_chars = 0

    def clear(self):
        self.outputs = []
        self.stream_chars = 0

    def stream(self, name, text):
        if not text:
            return
        room = MAX_STREAM_CHARS - self.stream_chars
        if room <= 0:
            return
        if len(text) > room:
            text = text[:room] + "\n... output truncated by the grader ...\n"
        self.stream_chars += len(text)
        last = self.outputs[-1] if self.outputs else None
        # Jupyter front ends merge consecutive writes to the same stream.
        if last and last["output_type"] == "stream" and last["name"] == name:
            last["text"] += text
        else:
            self.outputs.append({"output_type": "stream", "name": name, "text": text})

    def append(self, output):
        self.outputs.append(output)


class RecordingStream:
    """A text file object whose writes become `stream` outputs named `name`."""

    encoding = "utf-8"
    errors = "replace"

    def __init__(self, cell_outputs, name):
        self.cell_outputs = cell_outputs
        self.name = name

    def write(self, text):
        self.cell_outputs.stream(self.name, str(text))
        return len(text)

    def writelines(self, lines):
        for line in lines:
            self.write(line)

    def flush(self):
        pass

    def isatty(self):
        return False

    def fileno(self):
        raise OSError("the grader's output streams have no file descriptor")


class RecordingDisplayHook(DisplayHook):
    """Turns the value of a cell's last expression into an `execute_result`."""

    def write_output_prompt(self):
        pass

    def write_format_data(self, format_dict, md_dict=None):
        self.shell.cell_outputs.append({
            "output_type": "execute_result",
            "execution_count": self.shell.execution_count,
            "data": format_dict,
            "metadata": md_dict or {},
        })

    def finish_displayhook(self):
        pass


class RecordingDisplayPublisher(DisplayPublisher):
    """Turns `display(...)` calls into `display_data` outputs."""

    def publish(self, data, metadata=None, source=None, *, transient=None, update=False, **kwargs):
        self.shell.cell_outputs.append(
            {"output_type": "display_data", "data": data, "metadata": metadata or {}}
        )

    def clear_output(self, wait=False):
        self.shell.cell_outputs.clear()


class RecordingShell(InteractiveShell):
    """InteractiveShell whose outputs land in `self.cell_outputs`."""

    displayhook_class = Type(RecordingDisplayHook)
    display_pub_class = Type(RecordingDisplayPublisher)

    def _showtraceback(self, etype, evalue, stb):
        # The same fields ipykernel sends in its `error` message.
        self.cell_outputs.append({
            "output_type": "error",
            "ename": etype.__name__,
            "evalue": str(evalue),
            "traceback": list(stb),
        })


def start_recording_shell():
    """Create the shell and route sys.stdout/sys.stderr into it; returns the shell.

    History is kept in memory only: the sandbox has no home folder to keep it in.
    """
    config = Config()
    config.HistoryManager.hist_file = ":memory:"
    config.InteractiveShell.colors = "nocolor"
    shell = RecordingShell.instance(config=config)
    shell.cell_outputs = CellOutputs()
    sys.stdout = RecordingStream(shell.cell_outputs, "stdout")
    sys.stderr = RecordingStream(shell.cell_outputs, "stderr")
    return shell
