"""Computes the right values, then hands back a numpy array instead of a tensor."""
# plant: over correct_vectorised
# plant: unanswered pool2d_strided, pool2d_multichannel, pool_output_shape


def pool2d(X, pool_size, mode='max'):
    _check_mode(mode)
    return _reduce(_windows(X, pool_size, (1, 1), (0, 0), mode), mode).numpy()  # the mistake: .numpy()
