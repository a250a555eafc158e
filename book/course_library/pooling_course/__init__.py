"""The course library: the code the chapters of the book share, written once.

- ``figures``: the plotting functions behind the chapters' figures;
- ``from_scratch``: ``pool_windows``, pooling written as loops, which Part I builds on;
- ``pooling_layers``: ``MixedPool2d`` and ``StochasticPool2d``, which Part II explains;
- ``digit_training``: the digits split and training loop of Part III.

Chapters import the modules by name (``from pooling_course import figures``).
"""
