"""Do the course library's figures (pooling_course.figures) draw what their docstrings promise?"""
import matplotlib
import pytest
import torch
from matplotlib.patches import Rectangle

from pooling_course import figures

matplotlib.use("Agg")


@pytest.fixture(autouse=True)
def close_figures():
    yield
    matplotlib.pyplot.close("all")


def test_show_grids_labels_every_cell():
    """Does each grid get its own panel, with every cell's value written on it?"""
    fig = figures.show_grids([torch.arange(4.).view(2, 2), torch.ones(1, 3)], ["a", "b"])
    first, second = fig.axes
    assert [ax.get_title() for ax in fig.axes] == ["a", "b"]
    assert [text.get_text() for text in first.texts] == ["0", "1", "2", "3"]
    assert len(second.texts) == 3


def test_show_grids_can_share_one_colour_scale():
    """With shared_scale, does a value get the same colour in every panel, read off one colour bar?"""
    grids = [torch.tensor([[0.0, 1.0]]), torch.tensor([[-1.0, 0.0]])]
    fig = figures.show_grids(grids, ["a", "b"], shared_scale=True)
    first, second = fig.axes[:2]
    assert [ax.images[0].get_clim() for ax in (first, second)] == [(-1.0, 1.0)] * 2
    assert len(fig.axes) == 3  # the two panels and the colour bar
    fig_own_scales = figures.show_grids(grids, ["a", "b"])
    assert [ax.images[0].get_clim() for ax in fig_own_scales.axes] == [(0.0, 1.0), (-1.0, 0.0)]


def test_show_pooling_windows_outlines_one_window_per_output():
    """Is there one outline on the input, and one on the output, for each output cell?"""
    X = torch.arange(16.).view(4, 4)
    Y = torch.nn.functional.max_pool2d(X[None, None], 2)[0, 0]
    fig = figures.show_pooling_windows([(X, Y)], ["2×2, stride 2"], kernel_size=2)
    ax_in, ax_out = fig.axes
    outlines = [patch for patch in ax_in.patches if isinstance(patch, Rectangle)]
    assert len(outlines) == Y.numel() == len(ax_out.patches)
    assert all(1 < patch.get_width() < 2 for patch in outlines)  # a 2×2 window, inset to stay apart


def test_show_pooling_windows_draws_the_padding():
    """With padding 1, is a frame of padding cells drawn, each showing pad_text?"""
    X = torch.zeros(2, 2)
    fig = figures.show_pooling_windows([(X, torch.zeros(2, 2))], ["padded"], kernel_size=2, stride=2,
                                       padding=1, pad_text="−∞")
    padding_labels = [text for text in fig.axes[0].texts if text.get_text() == "−∞"]
    assert len(padding_labels) == 4 * 4 - 2 * 2


def test_show_channel_mappings_rejects_a_connection_to_a_missing_channel():
    """Does an arrow to a channel the panel does not have raise a ValueError naming the panel?"""
    inputs, outputs = torch.zeros(2, 2, 2), torch.zeros(1, 1, 1)
    with pytest.raises(ValueError, match="panel 'pool'"):
        figures.show_channel_mappings([(inputs, outputs, [(0, 0), (2, 0)])], ["pool"])


@pytest.mark.parametrize("draw, panels", [
    (lambda: figures.show_channel_masks([torch.ones(3, 2, 2), torch.zeros(3, 2, 2)], ["kept", "dropped"]), 6),
    (lambda: figures.plot_count_distributions([[0.5, 0.5]], [[0.5, 0.5]], ["coin"], "heads"), 1),
    (lambda: figures.plot_curves([1, 2], {"a": [1, 2], "b": [2, 1]}, "x", "y"), 1),
    (lambda: figures.plot_channel_distributions([torch.randn(4, 3, 2, 2)], ["X"]), 1),
    (lambda: figures.plot_timings({"loop": ([2, 4], [1e-3, 4e-3])}, "n"), 1),
    (lambda: figures.plot_receptive_fields(8, [("conv", 3, 3, 3), ("pool", 2, 2, 4)]), 1),
    (lambda: figures.plot_windows_1d([(0, 3), (2, 5)], 5), 1),
    (lambda: figures.plot_parameter_counts(["small", "large"], [10, 10_000]), 1),
    (lambda: figures.plot_pyramid_bins([(4, 4), (5, 7)], [1, 2]), 4),
])
def test_each_figure_draws_one_panel_per_item(draw, panels):
    """Does each plotting function return a figure with the number of panels its inputs ask for?"""
    assert len(draw().axes) == panels
