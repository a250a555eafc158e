"""Do the course library's pooling layers (pooling_course.pooling_layers) follow their papers' rules?"""
import pytest
import torch
import torch.nn.functional as F

from pooling_course.pooling_layers import MixedPool2d, StochasticPool2d


@pytest.fixture
def relu_maps_with_an_empty_window():
    """A (2, 3, 6, 8) ReLU output whose first 2×2 window in sample 0, channel 0 is all zeros."""
    generator = torch.Generator().manual_seed(0)
    X = torch.relu(torch.randn(2, 3, 6, 8, generator=generator))
    X[0, 0, :2, :2] = 0
    return X


@pytest.mark.parametrize("kernel_size, stride", [(2, None), ((2, 3), None), (3, 1), ((2, 2), (1, 2))])
def test_output_shapes_match_max_pooling(relu_maps_with_an_empty_window, kernel_size, stride):
    """Do both layers produce the shape nn.MaxPool2d gives for the same window and stride?"""
    X = relu_maps_with_an_empty_window
    expected = F.max_pool2d(X, kernel_size, stride).shape
    for layer in (StochasticPool2d(kernel_size, stride), MixedPool2d(kernel_size, stride)):
        for mode in ("train", "eval"):
            getattr(layer, mode)()
            assert layer(X).shape == expected, (layer, mode)


def test_stochastic_training_draws_in_proportion_to_the_activations():
    """Is each activation drawn with probability a_i / sum(a), and a zero never?"""
    torch.manual_seed(0)
    window = torch.tensor([[[[2.0, 0.0], [1.0, 5.0]]]])
    draws = 40_000
    Y = StochasticPool2d(2)(window.expand(draws, 1, 2, 2)).flatten()
    values = window.flatten()
    frequencies = torch.stack([(Y == v).float().mean() for v in values])
    probabilities = values / values.sum()
    standard_error = (probabilities * (1 - probabilities) / draws).sqrt()
    assert frequencies[1] == 0
    assert ((frequencies - probabilities).abs() <= 5 * standard_error + 1e-12).all()


def test_stochastic_evaluation_is_the_deterministic_weighted_average(relu_maps_with_an_empty_window):
    """Is evaluation sum(a^2) / sum(a) per window, the same on every call?"""
    X = relu_maps_with_an_empty_window
    layer = StochasticPool2d(2).eval()
    expected = torch.nan_to_num(F.avg_pool2d(X * X, 2) / F.avg_pool2d(X, 2))
    assert torch.allclose(layer(X), expected)
    assert torch.equal(layer(X), layer(X))


@pytest.mark.parametrize("mode", ["train", "eval"])
def test_stochastic_all_zero_window_gives_zero_and_no_nan_gradient(relu_maps_with_an_empty_window, mode):
    """Does an all-zero window output 0, with a zero (not NaN) gradient, in both modes?"""
    X = relu_maps_with_an_empty_window.clone().requires_grad_()
    layer = getattr(StochasticPool2d(2), mode)()
    Y = layer(X)
    Y.sum().backward()
    assert Y[0, 0, 0, 0] == 0
    assert X.grad.isfinite().all()
    assert (X.grad[0, 0, :2, :2] == 0).all()


def test_stochastic_training_output_is_an_activation_of_its_window(relu_maps_with_an_empty_window):
    """Is every training output one of its own window's activations, with gradient 1 to it only?"""
    X = relu_maps_with_an_empty_window.clone().requires_grad_()
    Y = StochasticPool2d(2)(X)
    Y.sum().backward()
    windows = F.unfold(X.detach(), 2, stride=2).view(2, 3, 4, -1)          # (N, C, element, window)
    assert (windows == Y.detach().view(2, 3, 1, -1)).any(dim=2).all()
    grad_windows = F.unfold(X.grad, 2, stride=2).view(2, 3, 4, -1)
    occupied = windows.sum(dim=2) > 0
    assert torch.equal(grad_windows.sum(dim=2), occupied.float())
    assert ((grad_windows != 0).sum(dim=2) == occupied.long()).all()


def test_stochastic_rejects_negative_input_naming_the_layer():
    """Is a negative activation refused with a message that names the layer?"""
    with pytest.raises(ValueError, match="StochasticPool2d.*non-negative"):
        StochasticPool2d(2)(torch.tensor([[[[1.0, -0.5], [2.0, 3.0]]]]))


def test_mixed_training_picks_max_or_average_per_region():
    """In training, is each region exactly its max or its average, chosen by a fair coin?"""
    torch.manual_seed(0)
    X = torch.rand(50, 4, 8, 8)
    layer = MixedPool2d(2)
    Y = layer(X)
    Y_max, Y_avg = F.max_pool2d(X, 2), F.avg_pool2d(X, 2)
    chose_max = Y == Y_max
    assert torch.equal(Y, torch.where(chose_max, Y_max, Y_avg))
    share = chose_max.float().mean().item()
    assert abs(share - 0.5) <= 5 * 0.5 / Y.numel() ** 0.5
    assert layer.max_chosen == chose_max.sum() and layer.draws == Y.numel()


def test_mixed_per_layer_uses_one_choice_for_the_whole_layer():
    """With per='layer', is every training output wholly max or wholly average pooling?"""
    torch.manual_seed(0)
    X = torch.rand(2, 3, 6, 6)
    layer = MixedPool2d(2, per="layer")
    outcomes = set()
    for _ in range(30):
        Y = layer(X)
        outcomes.add("max" if torch.equal(Y, F.max_pool2d(X, 2)) else
                     "avg" if torch.equal(Y, F.avg_pool2d(X, 2)) else "blend")
    assert outcomes == {"max", "avg"}


def test_mixed_evaluation_rules():
    """Is 'expected' the half-half blend, and 'majority' the more frequent training choice?"""
    torch.manual_seed(0)
    X = torch.rand(2, 3, 6, 6)
    Y_max, Y_avg = F.max_pool2d(X, 2), F.avg_pool2d(X, 2)
    assert torch.allclose(MixedPool2d(2).eval()(X), 0.5 * Y_max + 0.5 * Y_avg)
    layer = MixedPool2d(2, per="layer", eval_rule="majority")
    for _ in range(9):
        layer(X)
    layer.eval()
    more_max = 2 * layer.max_chosen >= layer.draws
    assert torch.equal(layer(X), Y_max if more_max else Y_avg)


def test_mixed_majority_without_training_history_raises():
    """Does a majority-rule layer that never trained refuse to evaluate?"""
    with pytest.raises(RuntimeError, match="no training draws"):
        MixedPool2d(2, eval_rule="majority").eval()(torch.rand(1, 1, 4, 4))


@pytest.mark.parametrize("build, message", [
    (lambda: MixedPool2d(2, per="channel"), "per must be"),
    (lambda: MixedPool2d(2, eval_rule="mean"), "eval_rule must be"),
    (lambda: StochasticPool2d(0), "kernel_size must be"),
    (lambda: StochasticPool2d(2, stride=(1, 0)), "stride must be"),
])
def test_bad_arguments_are_named(build, message):
    """Does a bad constructor argument raise a ValueError that names it?"""
    with pytest.raises(ValueError, match=message):
        build()


@pytest.mark.parametrize("layer", [StochasticPool2d(2), MixedPool2d(2)])
@pytest.mark.parametrize("X, message", [
    (torch.rand(3, 4, 4), "shape \\(N, C, H, W\\)"),
    (torch.rand(1, 1, 1, 5), "does not fit"),
])
def test_bad_input_shapes_are_named(layer, X, message):
    """Does an input of the wrong rank, or too small for the window, raise a clear ValueError?"""
    with pytest.raises(ValueError, match=message):
        layer(X)
