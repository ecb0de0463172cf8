"""A typed curve opens on its interesting part: the README's ``w^4 - 3*w^2 + w``."""

from __future__ import annotations

import numpy as np

from lrdesk.core.experiment.edits import switch_function
from lrdesk.core.experiment.simulation import run_experiment
from lrdesk.core.experiment.spec import ExperimentSpec
from lrdesk.core.functions import make_function

README = "w^4 - 3*w^2 + w"


def test_the_readme_example_shows_both_valleys_and_no_run_diverges_at_step_1():
    function = make_function("custom", {}, README)
    minima = np.sort(function.minima()[:, 0])
    assert len(minima) == 2
    (lo, hi), = function.view_box()
    assert lo < minima[0] - 0.5 and minima[1] + 0.5 < hi  # both valleys with room around
    grid = np.linspace(lo, hi, 400)[:, None]
    losses = function.value_and_gradient(np.asfortranarray(grid))[0]
    between = (grid[:, 0] > minima[0]) & (grid[:, 0] < minima[1])
    depth = losses[between].max() - losses.min()  # from the hump to the deeper bottom
    # the valleys are not a flat line: their depth is a real share of the plotted range
    assert depth / (losses.max() - losses.min()) > 0.1
    spec = switch_function(ExperimentSpec(), "custom", README)
    assert lo < spec.start[0] < hi
    result = run_experiment(spec)
    for run in result.runs:
        assert not (run.verdict == "diverged" and run.verdict_step <= 1)
        assert run.verdict != "diverged"
