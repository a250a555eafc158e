"""Figures shared by the chapters, drawn with matplotlib.

Chapters import it (``from pooling_course import figures``) so that no
plotting code is copied between chapters.
"""
import matplotlib.pyplot as plt
from matplotlib.patches import ConnectionPatch
import numpy as np


def show_grids(grids, titles, cmap="viridis", annotate=True, figsize_per=2.4, shared_scale=False):
    """Draw 2-D arrays side by side as heat maps, each cell labelled with its value.

    grids: sequence of 2-D tensors or arrays, shapes may differ.
    titles: one title per grid.
    shared_scale: one colour scale for all panels (a colour means the same
    value everywhere, shown by one colour bar); otherwise each panel spans
    its own range.
    Returns the figure, so a chapter can add to it.
    """
    fig, axes = plt.subplots(1, len(grids), figsize=(figsize_per * len(grids), figsize_per))
    axes = np.atleast_1d(axes)
    arrays = [np.asarray(grid, dtype=float) for grid in grids]
    finite = np.concatenate([values[np.isfinite(values)] for values in arrays])
    scale = dict(vmin=finite.min(), vmax=finite.max()) if shared_scale else {}
    for ax, values, title in zip(axes, arrays, titles):
        image = ax.imshow(values, cmap=cmap, **scale)
        ax.set_title(title, fontsize=10)
        ax.set_xticks([])
        ax.set_yticks([])
        if annotate:
            _label_cells(ax, values, *((scale["vmin"], scale["vmax"]) if shared_scale else ()))
    fig.tight_layout()
    if shared_scale:
        fig.colorbar(image, ax=list(axes), shrink=0.8)
    return fig


def _label_cells(ax, values, low=None, high=None):
    """Write each cell's value on it, dark on light cells and light on dark (of the range low..high)."""
    low = values.min() if low is None else low
    high = values.max() if high is None else high
    middle = (low + high) / 2
    for (row, col), value in np.ndenumerate(values):
        colour = "black" if value > middle else "white"
        text = f"{value:g}" if np.isfinite(value) else str(value)
        ax.text(col, row, text, ha="center", va="center", color=colour, fontsize=9)


def show_channel_masks(rows, row_titles):
    """Draw which activations survive, one row per tensor and one column per channel.

    rows: sequence of tensors or arrays of shape (C, H, W), all with the same C;
    an activation counts as dropped when it is exactly zero.
    row_titles: one label per row, written at its left.
    Kept activations are drawn light and dropped ones dark.
    """
    masks = [np.asarray(row) != 0 for row in rows]
    n_channels = masks[0].shape[0]
    fig, axes = plt.subplots(len(masks), n_channels, figsize=(1.1 * n_channels, 1.2 * len(masks)),
                             squeeze=False)
    for row_axes, mask, title in zip(axes, masks, row_titles):
        for channel, ax in enumerate(row_axes):
            ax.imshow(mask[channel], cmap="gray", vmin=0, vmax=1)
            ax.set_xticks([])
            ax.set_yticks([])
        row_axes[0].set_ylabel(title, rotation=0, ha="right", va="center", fontsize=10)
    for channel, ax in enumerate(axes[0]):
        ax.set_title(f"channel {channel}", fontsize=8)
    fig.tight_layout()
    return fig


def plot_count_distributions(observed, expected, titles, xlabel):
    """Compare measured frequencies of a count with their exact probabilities, one panel each.

    observed, expected: sequences of 1-D arrays; entry k is the frequency
    (bars) and probability (dots) of the count k. titles: one per panel.
    """
    fig, axes = plt.subplots(1, len(observed), figsize=(4.2 * len(observed), 3), squeeze=False)
    for ax, freq, prob, title in zip(axes[0], observed, expected, titles):
        counts = np.arange(len(freq))
        ax.bar(counts, np.asarray(freq), color="tab:blue", alpha=0.6, label="measured")
        ax.plot(counts, np.asarray(prob), "o", color="black", markersize=4, label="exact")
        ax.set_title(title, fontsize=10)
        ax.set_xlabel(xlabel)
        ax.set_ylabel("fraction of samples")
    axes[0, 0].legend(fontsize=8)
    fig.tight_layout()
    return fig


def plot_curves(x, curves, xlabel, ylabel, title=None, markers=True):
    """Draw one line per labelled curve against the shared x values.

    curves: dict mapping a legend label to a sequence as long as x.
    """
    fig, ax = plt.subplots(figsize=(5.5, 3.5))
    for label, values in curves.items():
        ax.plot(x, np.asarray(values), marker="o" if markers else None, markersize=3, label=label)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title, fontsize=10)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def plot_channel_distributions(tensors, titles):
    """Box plots of each channel's values, one panel per tensor.

    tensors: sequence of tensors of shape (N, C, H, W) with the same C; a
    channel's box summarises all its N*H*W values. titles: one per panel.
    """
    fig, axes = plt.subplots(1, len(tensors), figsize=(4.2 * len(tensors), 3.2), squeeze=False)
    for ax, tensor, title in zip(axes[0], tensors, titles):
        values = np.asarray(tensor.detach() if hasattr(tensor, "detach") else tensor)
        per_channel = [values[:, channel].ravel() for channel in range(values.shape[1])]
        ax.boxplot(per_channel)
        ax.set_xticks(range(1, len(per_channel) + 1), [f"channel {c}" for c in range(len(per_channel))])
        ax.axhline(0, color="grey", linewidth=0.8)
        ax.set_title(title, fontsize=10)
    fig.tight_layout()
    return fig


def show_channel_mappings(mappings, titles, decimals=1):
    """Draw which input channels each layer's output channels are computed from.

    mappings: one (inputs, outputs, connections) triple per panel. inputs is a
    tensor or array of shape (C_in, H, W), outputs one of shape
    (C_out, H_out, W_out), and connections a sequence of (c_in, c_out) pairs,
    each drawn as an arrow from input channel c_in to output channel c_out.
    titles: one title per panel. Cell values are written rounded to
    ``decimals`` places. Raises ValueError for a connection naming a channel
    the panel does not have.
    """
    heights = [max(len(inputs), len(outputs)) for inputs, outputs, _ in mappings]
    fig = plt.figure(figsize=(4.0 * len(mappings), 1.4 * max(heights) + 0.5))
    panels = np.atleast_1d(fig.subfigures(1, len(mappings)))
    for panel, (inputs, outputs, connections), rows, title in zip(panels, mappings, heights, titles):
        grid = panel.add_gridspec(2 * rows, 3, width_ratios=[1, 0.8, 1], hspace=0.6)
        in_axes = _stacked_channel_axes(panel, grid, 0, inputs, rows, "in", decimals)
        out_axes = _stacked_channel_axes(panel, grid, 2, outputs, rows, "out", decimals)
        for c_in, c_out in connections:
            if not (0 <= c_in < len(in_axes) and 0 <= c_out < len(out_axes)):
                raise ValueError(
                    f"panel {title!r}: connection ({c_in}, {c_out}) names a channel outside "
                    f"{len(in_axes)} input and {len(out_axes)} output channels"
                )
            panel.add_artist(ConnectionPatch(
                xyA=(1.08, 0.5), coordsA=in_axes[c_in].transAxes,
                xyB=(-0.08, 0.5), coordsB=out_axes[c_out].transAxes,
                arrowstyle="->", color="grey", linewidth=1,
            ))
        panel.suptitle(title, fontsize=10)
    return fig


def _stacked_channel_axes(panel, grid, column, channels, rows, name, decimals):
    """Draw each channel of a (C, H, W) array in one grid column, centred vertically."""
    values = np.round(np.asarray(channels, dtype=float), decimals)
    first_slot = rows - len(values)  # each channel spans two slots of the 2*rows grid
    axes = []
    for channel, grid_values in enumerate(values):
        ax = panel.add_subplot(grid[first_slot + 2 * channel:first_slot + 2 * channel + 2, column])
        ax.imshow(grid_values, cmap="viridis")
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_title(f"{name} {channel}", fontsize=8)
        _label_cells(ax, grid_values)
        axes.append(ax)
    return axes


def plot_timings(timings, xlabel, ylabel="seconds", title=None):
    """Log-log plot of run time against problem size, one line per method.

    timings: dict mapping a method's label to a pair (sizes, seconds) of
    equal-length sequences; methods may be timed at different sizes.
    """
    fig, ax = plt.subplots(figsize=(5.5, 3.6))
    for label, (sizes, seconds) in timings.items():
        ax.plot(sizes, np.asarray(seconds), marker="o", markersize=3, label=label)
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title, fontsize=10)
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def plot_receptive_fields(input_size, fields, title=None):
    """Draw the receptive fields of one unit per layer as nested squares on the input grid.

    input_size: side n of the square input, drawn as n×n cells. fields: sequence
    of (label, top, left, size), the size×size square of input cells that one
    unit of each layer can see, listed from the first layer to the last.
    """
    fig, ax = plt.subplots(figsize=(5.2, 4.2))
    for line in range(input_size + 1):
        ax.axhline(line - 0.5, color="lightgrey", linewidth=0.6)
        ax.axvline(line - 0.5, color="lightgrey", linewidth=0.6)
    colours = plt.cm.viridis(np.linspace(0.1, 0.8, len(fields)))
    for (label, top, left, size), colour in zip(reversed(fields), reversed(colours)):
        ax.add_patch(plt.Rectangle((left - 0.5, top - 0.5), size, size, facecolor=colour, alpha=0.35,
                                   edgecolor=colour, linewidth=2, label=f"{label}: {size}×{size}"))
    ax.set_xlim(-0.5, input_size - 0.5)
    ax.set_ylim(input_size - 0.5, -0.5)
    ax.set_aspect("equal")
    ax.set_xticks(range(0, input_size, 2))
    ax.set_yticks(range(0, input_size, 2))
    handles, labels = ax.get_legend_handles_labels()
    ax.legend(handles[::-1], labels[::-1], fontsize=8, loc="upper left", bbox_to_anchor=(1.02, 1))
    if title:
        ax.set_title(title, fontsize=10)
    fig.tight_layout()
    return fig


def plot_windows_1d(windows, length, title=None):
    """Draw pooling windows along one axis of ``length`` cells, one row per window.

    windows: sequence of (start, end) index pairs, end exclusive, such as the
    windows adaptive or fractional pooling picks. Windows that overlap share
    columns, which the drawing makes visible.
    """
    fig, ax = plt.subplots(figsize=(0.45 * length + 1.6, 0.38 * len(windows) + 0.9))
    for row, (start, end) in enumerate(windows):
        ax.barh(row, end - start, left=start, height=0.7, color=plt.cm.tab10(row % 10), alpha=0.8)
        ax.text(start + (end - start) / 2, row, f"[{start}, {end})", ha="center", va="center", fontsize=8)
    ax.set_xlim(0, length)
    ax.set_xticks(range(length + 1))
    ax.set_yticks(range(len(windows)), [f"output {i}" for i in range(len(windows))])
    ax.invert_yaxis()
    ax.set_xlabel("input index")
    ax.grid(axis="x", alpha=0.4)
    if title:
        ax.set_title(title, fontsize=10)
    fig.tight_layout()
    return fig


def plot_parameter_counts(labels, counts, title=None):
    """Horizontal bars of parameter counts on a log axis, each bar labelled with its exact count.

    labels, counts: one label and one positive count per bar.
    """
    fig, ax = plt.subplots(figsize=(6.5, 0.55 * len(counts) + 1.0))
    positions = np.arange(len(counts))
    ax.barh(positions, counts, color="tab:blue", alpha=0.7)
    for position, count in zip(positions, counts):
        ax.text(count * 1.1, position, f"{count:,}", va="center", fontsize=9)
    ax.set_xscale("log")
    ax.set_xlim(min(counts) / 2, max(counts) * 8)
    ax.set_yticks(positions, labels)
    ax.invert_yaxis()
    ax.set_xlabel("parameters (log scale)")
    if title:
        ax.set_title(title, fontsize=10)
    fig.tight_layout()
    return fig


def plot_pyramid_bins(sizes, levels):
    """Draw the bins of a spatial pyramid over feature maps of several sizes.

    sizes: sequence of (H, W) map sizes, one row of panels each; levels:
    sequence of bin counts n, one column each, for an n x n grid of bins.
    Bins follow adaptive pooling's rule, so they may overlap by a cell.
    """
    fig, axes = plt.subplots(len(sizes), len(levels), figsize=(2.4 * len(levels), 2.4 * len(sizes)),
                             squeeze=False)
    for row_axes, (height, width) in zip(axes, sizes):
        for ax, n in zip(row_axes, levels):
            rows = [(int(np.floor(i * height / n)), int(np.ceil((i + 1) * height / n))) for i in range(n)]
            cols = [(int(np.floor(j * width / n)), int(np.ceil((j + 1) * width / n))) for j in range(n)]
            for i, (top, bottom) in enumerate(rows):
                for j, (left, right) in enumerate(cols):
                    colour = plt.cm.tab10((i * n + j) % 10)
                    corner, size = (left + 0.1, top + 0.1), (right - left - 0.2, bottom - top - 0.2)
                    ax.add_patch(plt.Rectangle(corner, *size, alpha=0.3, color=colour))
                    ax.add_patch(plt.Rectangle(corner, *size, fill=False, edgecolor=colour, linewidth=1.5))
            ax.set_xlim(0, width)
            ax.set_ylim(height, 0)
            ax.set_xticks(range(width + 1), minor=True)
            ax.set_yticks(range(height + 1), minor=True)
            ax.set_xticks([])
            ax.set_yticks([])
            ax.grid(which="minor", color="grey", linewidth=0.4)
            ax.set_aspect("equal")
            ax.set_title(f"{height}×{width} map, {n}×{n} bins", fontsize=9)
    fig.tight_layout()
    return fig


def show_pooling_windows(pairs, titles, kernel_size, stride=None, padding=0, dilation=1,
                         pad_text="", show=None, dropped=()):
    """Draw inputs with their pooling windows outlined, each beside its output.

    pairs: sequence of (X, Y) pairs, one row of the figure each: X a 2-D
    tensor or array (H, W), Y the 2-D result (H_out, W_out) of pooling it.
    titles: one title per row, written over the input.
    kernel_size, stride (defaults to kernel_size, as in PyTorch), padding,
    dilation: an int or a pair (height, width), as for ``nn.MaxPool2d``.
    The window of output (i, j) is placed from Y's shape alone, with its
    top-left cell at (i * s_h - p_h, j * s_w - p_w) in X's coordinates, so
    no output-size formula is repeated here. With dilation, the cells a
    window samples are marked by squares in its colour.
    pad_text: what to write in the padding cells, for example "−∞" or "0".
    show: the output positions (i, j) whose windows are drawn; all by default.
    dropped: top-left cells (row, col) of windows PyTorch does not compute,
    drawn dashed in black (for the ``ceil_mode`` rule).
    A window and its output cell share a colour; a window hanging past the
    padding (``ceil_mode``) is drawn over blank space.
    """
    k_h, k_w = _as_pair(kernel_size)
    s_h, s_w = _as_pair(kernel_size if stride is None else stride)
    p_h, p_w = _as_pair(padding)
    d_h, d_w = _as_pair(dilation)
    span_h, span_w = d_h * (k_h - 1) + 1, d_w * (k_w - 1) + 1
    rows = [(np.asarray(X, dtype=float), np.asarray(Y, dtype=float)) for X, Y in pairs]
    # Panel extents in input coordinates: the padding, plus any window overhang.
    ends = [(max(X.shape[0] + p_h, (Y.shape[0] - 1) * s_h - p_h + span_h),
             max(X.shape[1] + p_w, (Y.shape[1] - 1) * s_w - p_w + span_w)) for X, Y in rows]
    ends += [(top + span_h, left + span_w) for top, left in dropped]
    panel_h = max(end_h for end_h, _ in ends) + p_h
    panel_w = max(end_w for _, end_w in ends) + p_w
    out_h = max(Y.shape[0] for _, Y in rows)
    out_w = max(Y.shape[1] for _, Y in rows)
    fig, axes = plt.subplots(
        len(rows), 2, squeeze=False, gridspec_kw={"width_ratios": [panel_w, out_w]},
        figsize=(0.55 * (panel_w + out_w) + 1.0, (0.55 * max(panel_h, out_h) + 0.5) * len(rows)),
    )
    for (ax_in, ax_out), (X, Y), title in zip(axes, rows, titles):
        colours = plt.get_cmap("tab10" if Y.size <= 10 else "tab20")
        _draw_padded_input(ax_in, X, p_h, p_w, pad_text)
        ax_in.set_xlim(-p_w - 0.55, -p_w + panel_w - 0.45)
        ax_in.set_ylim(-p_h + panel_h - 0.45, -p_h - 0.55)
        ax_in.set_title(title, fontsize=10)
        ax_out.imshow(Y, cmap="viridis")
        _label_cells(ax_out, Y)
        ax_out.set_xlim(-0.55, out_w - 0.45)
        ax_out.set_ylim(out_h - 0.45, -0.55)
        ax_out.set_title("output", fontsize=10)
        positions = list(np.ndindex(*Y.shape)) if show is None else list(show)
        for i, j in positions:
            colour = colours(i * Y.shape[1] + j)
            top, left = i * s_h - p_h, j * s_w - p_w
            # Inset outlines by different amounts so that overlapping windows stay apart.
            inset = 0.06 + 0.06 * ((i + j) % 3)
            dilated = (d_h, d_w) != (1, 1)
            ax_in.add_patch(plt.Rectangle((left - 0.5 + inset, top - 0.5 + inset), span_w - 2 * inset,
                                      span_h - 2 * inset, fill=False, edgecolor=colour,
                                      linewidth=1.2 if dilated else 2.5,
                                      linestyle=":" if dilated else "-"))
            if dilated:
                for row in top + d_h * np.arange(k_h):
                    for col in left + d_w * np.arange(k_w):
                        ax_in.add_patch(plt.Rectangle((col - 0.38, row - 0.38), 0.76, 0.76, fill=False,
                                                  edgecolor=colour, linewidth=2.5))
            ax_out.add_patch(plt.Rectangle((j - 0.42, i - 0.42), 0.84, 0.84, fill=False,
                                       edgecolor=colour, linewidth=2.5))
        for top, left in dropped:
            ax_in.add_patch(plt.Rectangle((left - 0.5, top - 0.5), span_w, span_h, fill=False,
                                      edgecolor="black", linestyle="--", linewidth=1.5))
        for ax in (ax_in, ax_out):
            ax.set_xticks([])
            ax.set_yticks([])
            ax.set_frame_on(False)
    fig.tight_layout()
    return fig


def _draw_padded_input(ax, values, p_h, p_w, pad_text):
    """Draw a 2-D array as a labelled heat map inside a grey frame of padding cells."""
    height, width = values.shape
    ax.imshow(values, cmap="viridis", extent=(-0.5, width - 0.5, height - 0.5, -0.5))
    _label_cells(ax, values)
    for row in range(-p_h, height + p_h):
        for col in range(-p_w, width + p_w):
            if not (0 <= row < height and 0 <= col < width):
                ax.add_patch(plt.Rectangle((col - 0.5, row - 0.5), 1, 1, facecolor="0.88", edgecolor="white"))
                ax.text(col, row, pad_text, ha="center", va="center", fontsize=9, color="0.3")


def _as_pair(value):
    """An int, or a pair of ints, as a (height, width) pair."""
    return (value, value) if isinstance(value, int) else tuple(value)
