"""Pooling written from scratch, one window at a time, as Part I builds it.

Taught in ``book/pooling/max_avg_sum.md``, which shows this code; later
chapters (``fast_and_backward.md``) import it from here rather than retype it.
"""
import torch


def pool2d(X, pool_size, mode="max"):
    """Pool a 2-D tensor with stride 1 and no padding, one window at a time.

    X: floating-point tensor of shape (H, W). pool_size: a pair (p_h, p_w).
    mode: "max", "avg" or "sum", the reduction applied to each window.
    Returns a tensor of shape (H - p_h + 1, W - p_w + 1) with the dtype of X.
    Raises ValueError for another mode or a window larger than X.
    """
    reductions = {"max": torch.max, "avg": torch.mean, "sum": torch.sum}
    if mode not in reductions:
        raise ValueError(f"pool2d: mode must be 'max', 'avg' or 'sum', got {mode!r}")
    p_h, p_w = pool_size
    if p_h > X.shape[0] or p_w > X.shape[1]:
        raise ValueError(f"pool2d: window {tuple(pool_size)} does not fit in X of shape {tuple(X.shape)}")
    reduce = reductions[mode]
    Y = torch.zeros(X.shape[0] - p_h + 1, X.shape[1] - p_w + 1, dtype=X.dtype)
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = reduce(X[i:i + p_h, j:j + p_w])
    return Y
