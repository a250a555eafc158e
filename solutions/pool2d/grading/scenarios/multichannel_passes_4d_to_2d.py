"""Pools a 2-D input with loops, then hands the whole (N, C, H, W) input of pool2d_multichannel to that 2-D loop."""
# plant: over correct_vectorised
# plant: unanswered pool2d, pool_output_shape


def pool2d_strided(X, pool_size, stride=None, padding=0, mode='max'):
    H, W = X.shape
    window, step, pad = _strided_arguments(X, pool_size, stride, padding, mode)
    padded = _padded(X, pad, mode)
    Y = torch.zeros(((H + 2 * pad[0] - window[0]) // step[0] + 1, (W + 2 * pad[1] - window[1]) // step[1] + 1),
                    dtype=X.dtype)
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            patch = padded[i * step[0]:i * step[0] + window[0], j * step[1]:j * step[1] + window[1]]
            Y[i, j] = _reduce(patch.reshape(1, -1), mode)[0]
    return Y


def pool2d_multichannel(X, pool_size, stride=None, padding=0, mode='max'):
    return pool2d_strided(X, pool_size, stride, padding, mode)  # the mistake: no loop over samples and channels
