"""The loop pool2d remembered from d2l: `torch.zeros` without a dtype, so a float64 input gives float32."""
# plant: over correct_vectorised
# plant: unanswered pool2d_strided, pool2d_multichannel, pool_output_shape


def pool2d(X, pool_size, mode='max'):
    _check_mode(mode)
    p_h, p_w = pool_size
    Y = torch.zeros((X.shape[0] - p_h + 1, X.shape[1] - p_w + 1))  # the mistake: no dtype=X.dtype
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            window = X[i:i + p_h, j:j + p_w]
            Y[i, j] = window.max() if mode == 'max' else window.mean()
    return Y
