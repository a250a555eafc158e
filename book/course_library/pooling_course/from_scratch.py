"""Pooling written from scratch, one window at a time, as Part I builds it.

Taught in ``book/pooling/max_avg_sum.md``, which shows this code; later
chapters (``fast_and_backward.md``) import it from here rather than retype it.
"""
import torch


def pool_windows(X, window, reduce):
    """Reduce every window of a 2-D tensor, sliding one cell at a time, no padding.

    X: tensor of shape (H, W). window: a pair (p_h, p_w). reduce: a function
    from a (p_h, p_w) tensor to one number, such as torch.max or torch.mean.
    Returns a tensor of shape (H - p_h + 1, W - p_w + 1) holding reduce of
    each window, with the dtype of X.
    Raises ValueError when the window is larger than X.
    """
    p_h, p_w = window
    H, W = X.shape
    if p_h > H or p_w > W:
        raise ValueError(f"pool_windows: window {tuple(window)} does not fit in X of shape {tuple(X.shape)}")
    Y = torch.empty(H - p_h + 1, W - p_w + 1, dtype=X.dtype)
    for i in range(H - p_h + 1):
        for j in range(W - p_w + 1):
            Y[i, j] = reduce(X[i:i + p_h, j:j + p_w])
    return Y
