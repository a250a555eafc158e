"""Divides the window's sum with `//`, so every average is rounded down to a whole number."""
# plant: over correct_vectorised
# plant: unanswered pool2d_strided, pool2d_multichannel, pool_output_shape


def pool2d(X, pool_size, mode='max'):
    _check_mode(mode)
    patches = _windows(X, pool_size, (1, 1), (0, 0), mode)
    if mode == 'max':
        return patches.amax(-1)
    return patches.sum(-1) // patches.shape[-1]  # the mistake: floor division
