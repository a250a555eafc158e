"""Flag, for an instructor's review, student code that reaches into the interpreter or torch.

The course's ban on built-in pooling operators is enforced by watching
torch's dispatcher in the student's process, where a determined student can
hide from it. Code that does so has to reach for internals, and that is
visible in the submission. This scan lists what it reaches for; the flag
goes into grades.csv and report.html and never changes a score.
"""
import re

from nbgrader.utils import is_grade

# (label, pattern) over the source of the cells the student wrote.
SIGNS = (
    ("torch internals (torch._C)", r"\btorch\s*\.\s*_C\b|\b_C\s*\.\s*_"),
    ("disables torch's dispatch", r"_DisableTorchDispatch|_DisableTorchFunction|_pop_torch_dispatch_stack|"
                                  r"_pop_mode|_set_dispatch_mode|_python_dispatch|TorchDispatchMode|"
                                  r"TorchFunctionMode|__torch_dispatch__|__torch_function__"),
    ("ctypes or cffi", r"\bctypes\b|\bcffi\b"),
    ("the garbage collector (gc)", r"\bimport\s+gc\b|\bgc\s*\.\s*get_"),
    ("stack frames", r"_getframe|\bcurrentframe\b|\bf_back\b|\bf_globals\b|\bf_locals\b|\btb_frame\b"),
    ("function internals", r"__closure__|__code__|__globals__|__builtins__|\bbuiltins\b"),
    ("/proc or /dev", r"/proc\b|/dev/"),
    ("import machinery", r"\bimportlib\b|__import__|\bsys\s*\.\s*modules\b|\bsys\s*\.\s*meta_path\b"),
    ("processes and signals", r"\bos\s*\.\s*(fork|kill|setsid|exec\w*|system|_exit)\b|\bsubprocess\b|"
                              r"\bmultiprocessing\b|\bsignal\s*\.\s*\w|\bpty\b"),
    ("network", r"\bsocket\b|\burllib\b|\brequests\b|\bhttp\.client\b"),
    ("tracing hooks", r"\bsettrace\b|\bsetprofile\b|\bsys\s*\.\s*addaudithook\b"),
    ("IPython internals", r"\bget_ipython\b|\bevents\s*\.\s*register\b"),
    ("patches a library", r"^\s*(torch|F|nn|np|numpy)\s*(\.\s*\w+)+\s*=(?!=)"),
)
COMPILED = tuple((label, re.compile(pattern, re.MULTILINE)) for label, pattern in SIGNS)


def student_code(nb):
    """The source of every code cell the student wrote: answer cells and cells they added."""
    return [cell.source for cell in nb.cells
            if cell.cell_type == "code" and not is_grade(cell) and not cell.metadata.get("nbgrader", {}).get("locked")]


def review_reasons(nb):
    """Sorted labels of the internals the student's code reaches for ([] for ordinary code)."""
    text = "\n".join(student_code(nb))
    return sorted({label for label, pattern in COMPILED if pattern.search(text)})
