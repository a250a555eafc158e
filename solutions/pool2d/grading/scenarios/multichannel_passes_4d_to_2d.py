"""Hands the whole (N, C, H, W) input to the 2-D loop of pool2d_strided, which unpacks `H, W = X.shape`."""
# plant: over correct_loops
# plant: unanswered pool2d, pool_output_shape


def pool2d_multichannel(X, pool_size, stride=None, padding=0, mode='max'):
    return pool2d_strided(X, pool_size, stride, padding, mode)  # the mistake: no loop over samples and channels
