"""The course's rule for every assignment: no built-in pooling operator.

A TorchDispatchMode sees each aten operator torch runs, under whatever name
the student called it (`F.max_pool2d`, `nn.AvgPool2d`, `torch.max_pool2d`,
`x.unfold(...).max(...)` is fine). This is best effort: code that reaches
into torch's internals can hide from it, which the grader flags for review.
"""
import contextlib
import io
import warnings

import torch
from torch.utils._python_dispatch import TorchDispatchMode

_dispatch_depth = torch._C._len_torch_dispatch_stack
_function_depth = torch._C._len_torch_function_stack
_mode_at, _pop_mode = torch._C._get_dispatch_stack_at, torch._C._pop_torch_dispatch_stack
_mode_exit = TorchDispatchMode.__exit__


class PoolingWatch(TorchDispatchMode):
    """Records every aten pooling operator called while active."""

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
    while _dispatch_depth():
        leftover = _mode_at(_dispatch_depth() - 1)
        if type(leftover) is not PoolingWatch:
            return
        try:
            _mode_exit(leftover, None, None, None)
        except Exception:  # its exit had begun before the interrupt: only the pop is missing
            if _dispatch_depth() and _mode_at(_dispatch_depth() - 1) is leftover:
                _pop_mode(None)


def torch_is_patched():
    """True if a dispatch or function mode is active: torch's results cannot be trusted then."""
    return bool(_dispatch_depth() or _function_depth())


@contextlib.contextmanager
def quiet():
    """Swallow prints and warnings: any stderr output would zero the test cell in nbgrader."""
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()), \
            warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


# The first dispatch mode a process enters pays a one-off set-up cost of
# seconds; pay it on import rather than inside a student's timed case.
with quiet(), PoolingWatch():
    torch.tensor([[1.0]]).max()
