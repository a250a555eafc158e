"""Averages by first dividing the input in place, `X /= p_h * p_w`, then summing the windows."""
# plant: over correct_vectorised
# plant: unanswered pool2d_strided, pool2d_multichannel, pool_output_shape


def pool2d(X, pool_size, mode='max'):
    _check_mode(mode)
    if mode == 'avg':
        X /= pool_size[0] * pool_size[1]  # the mistake: this changes the caller's tensor
        return _windows(X, pool_size, (1, 1), (0, 0), mode).sum(-1)
    return _reduce(_windows(X, pool_size, (1, 1), (0, 0), mode), mode)
