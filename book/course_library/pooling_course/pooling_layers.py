"""Pooling layers from the research literature that PyTorch does not ship.

``MixedPool2d`` picks max or average pooling at random in training
(Yu et al. 2014); ``StochasticPool2d`` samples one activation per window with
probability proportional to its value (Zeiler & Fergus 2013). Both take an
input of shape (N, C, H, W), pool without padding, default the stride to the
window size as ``nn.MaxPool2d`` does, and give an output of shape
(N, C, H_out, W_out) with H_out = floor((H - kh) / sh) + 1 (W likewise).
Part II of the course explains them; Part III trains a network with them.
"""
import torch
import torch.nn.functional as F
from torch import nn


def _pair(value, name, owner):
    """Return ``value`` as a pair of positive ints, or raise naming the argument."""
    pair = (value, value) if isinstance(value, int) else tuple(value)
    if len(pair) != 2 or not all(isinstance(v, int) and v > 0 for v in pair):
        raise ValueError(f"{owner}: {name} must be a positive int or a pair of them, got {value!r}")
    return pair


def _check_input(X, kernel_size, owner):
    """Raise a clear error unless X is (N, C, H, W) and at least one window fits."""
    if X.dim() != 4:
        raise ValueError(f"{owner}: expected input of shape (N, C, H, W), got shape {tuple(X.shape)}")
    if X.shape[2] < kernel_size[0] or X.shape[3] < kernel_size[1]:
        raise ValueError(
            f"{owner}: window {kernel_size} does not fit in an input of spatial size {tuple(X.shape[2:])}"
        )


class MixedPool2d(nn.Module):
    """Mixed pooling: in training, max or average pooling chosen at random.

    In training every output value is lambda * max + (1 - lambda) * avg of its
    window, with lambda drawn as 0 or 1 with equal probability, independently
    for each region (``per="region"``: each (n, c, i, j) output) or once per
    forward call for the whole layer (``per="layer"``). The gradient flows
    through whichever pooling was chosen. The layer counts its draws in the
    buffers ``max_chosen`` and ``draws`` (they are saved in the state dict).

    In evaluation the output is deterministic and depends on ``eval_rule``:

    - ``"expected"`` (default): 0.5 * max + 0.5 * avg, the expected value of
      the training output, in the way inverted dropout keeps expectations.
      Needs no recorded state and works for any input size.
    - ``"majority"``: the pooling chosen more often in training according to
      the counts (max on a tie). Raises RuntimeError if the layer was never
      run in training mode.

    kernel_size, stride: int or (h, w); stride defaults to kernel_size.
    Input (N, C, H, W) of any real values; output (N, C, H_out, W_out).
    """

    PER_CHOICES = ("region", "layer")
    EVAL_RULES = ("expected", "majority")

    def __init__(self, kernel_size, stride=None, per="region", eval_rule="expected"):
        super().__init__()
        self.kernel_size = _pair(kernel_size, "kernel_size", "MixedPool2d")
        self.stride = self.kernel_size if stride is None else _pair(stride, "stride", "MixedPool2d")
        if per not in self.PER_CHOICES:
            raise ValueError(f"MixedPool2d: per must be one of {self.PER_CHOICES}, got {per!r}")
        if eval_rule not in self.EVAL_RULES:
            raise ValueError(f"MixedPool2d: eval_rule must be one of {self.EVAL_RULES}, got {eval_rule!r}")
        self.per = per
        self.eval_rule = eval_rule
        self.register_buffer("max_chosen", torch.zeros((), dtype=torch.long))
        self.register_buffer("draws", torch.zeros((), dtype=torch.long))

    def forward(self, X):
        _check_input(X, self.kernel_size, "MixedPool2d")
        Y_max = F.max_pool2d(X, self.kernel_size, self.stride)
        Y_avg = F.avg_pool2d(X, self.kernel_size, self.stride)
        if self.training:
            shape = Y_max.shape if self.per == "region" else ()
            use_max = torch.rand(shape, device=X.device) < 0.5
            self.max_chosen += use_max.sum()
            self.draws += use_max.numel()
            return torch.where(use_max, Y_max, Y_avg)
        if self.eval_rule == "expected":
            return 0.5 * Y_max + 0.5 * Y_avg
        if self.draws == 0:
            raise RuntimeError("MixedPool2d(eval_rule='majority'): no training draws recorded; "
                               "run the layer in training mode before evaluating it")
        return Y_max if 2 * self.max_chosen >= self.draws else Y_avg

    def extra_repr(self):
        return (f"kernel_size={self.kernel_size}, stride={self.stride}, per={self.per!r}, "
                f"eval_rule={self.eval_rule!r}")


class StochasticPool2d(nn.Module):
    """Stochastic pooling for non-negative activations (for example after ReLU).

    Each window's activations a_1..a_n become probabilities p_i = a_i / sum(a).
    In training the output is one activation a_i drawn with probability p_i
    (with ``torch.multinomial``), and the gradient flows to that activation
    only. In evaluation it is the deterministic expectation sum(p_i * a_i) =
    sum(a_i^2) / sum(a_i). A window of all zeros has no distribution; its
    output is 0 in both modes, which is what every rule would give since all
    its activations are 0, and it passes no gradient back (never NaN).

    kernel_size, stride: int or (h, w); stride defaults to kernel_size.
    Input (N, C, H, W), floating point, every value >= 0 (a negative value
    raises ValueError); output (N, C, H_out, W_out).
    """

    def __init__(self, kernel_size, stride=None):
        super().__init__()
        self.kernel_size = _pair(kernel_size, "kernel_size", "StochasticPool2d")
        self.stride = self.kernel_size if stride is None else _pair(stride, "stride", "StochasticPool2d")

    def forward(self, X):
        _check_input(X, self.kernel_size, "StochasticPool2d")
        if (X < 0).any():
            raise ValueError("StochasticPool2d: activations must be non-negative (put it after a ReLU); "
                             f"got a minimum of {X.min().item():g}")
        # Tensor.unfold views the windows as (N, C, H_out, W_out, kh, kw) without copying
        # (much faster than F.unfold for many small maps); then one row per window.
        patches = X.unfold(2, self.kernel_size[0], self.stride[0]).unfold(3, self.kernel_size[1], self.stride[1])
        output_shape = patches.shape[:4]
        windows = patches.reshape(-1, self.kernel_size[0] * self.kernel_size[1])
        totals = windows.sum(dim=1, keepdim=True)
        empty = totals == 0
        if self.training:
            # An all-zero window gets uniform weights only so that multinomial accepts it:
            # whichever zero it picks, the output is 0.
            weights = torch.where(empty, torch.ones_like(windows), windows)
            picks = torch.multinomial(weights.detach(), 1)
            # masked_fill also stops the gradient, so an all-zero window passes none back.
            Y = windows.gather(1, picks).masked_fill(empty, 0.0)
        else:
            # Divide by 1 where the window is empty, so neither the value nor its gradient is NaN.
            Y = (windows * windows).sum(dim=1, keepdim=True) / torch.where(empty, torch.ones_like(totals), totals)
        return Y.view(output_shape)

    def extra_repr(self):
        return f"kernel_size={self.kernel_size}, stride={self.stride}"
