"""The suggested rates follow the optimizer: momentum's and Nesterov's limits against the
spectral radius of their update matrix on a quadratic, and switching surface for Adam."""

from __future__ import annotations

import numpy as np
import pytest

from lrdesk.core.experiment.edits import switch_function
from lrdesk.core.experiment.spec import ExperimentSpec, RunSpec
from lrdesk.core.theory.stability import stability_limit


def spectral_radius(optimizer: str, mu: float, h: float) -> float:
    """Largest |eigenvalue| of torch's SGD update on L = λw²/2, in (w, b), h = α·λ.

    momentum: b' = μb + λw, w' = w − α b'; nesterov: b' = μb + λw, w' = w − α(λw + μ b').
    The state is (w, c) with c = b/λ, so that only h appears.
    """
    if optimizer == "momentum":
        matrix = np.array([[1 - h, -mu * h], [1.0, mu]])
    else:
        matrix = np.array([[1 - h - mu * h, -mu * mu * h], [1.0, mu]])
    return float(np.max(np.abs(np.linalg.eigvals(matrix))))


@pytest.mark.parametrize("optimizer", ["momentum", "nesterov"])
@pytest.mark.parametrize("mu", [0.0, 0.5, 0.9, 0.99])
@pytest.mark.parametrize("lam", [1.0, 4.0, 250.0])
def test_the_limit_is_where_the_update_stops_contracting(optimizer, mu, lam):
    limit = stability_limit(optimizer, {"momentum": mu}, lam)
    assert spectral_radius(optimizer, mu, 0.999 * limit * lam) < 1.0
    assert spectral_radius(optimizer, mu, 1.001 * limit * lam) > 1.0
    if optimizer == "momentum":
        assert limit == pytest.approx(2 * (1 + mu) / lam)


def test_switching_surface_gives_each_optimizer_its_own_rates():
    runs = (RunSpec(0.1), RunSpec(0.1, "momentum", (("momentum", 0.9),)),
            RunSpec(0.1, "adam"), RunSpec(0.1, "nesterov", (("momentum", 0.9),)))
    spec = switch_function(ExperimentSpec(runs=runs), "quadratic")
    plain, momentum, adam, nesterov = (run.learning_rate for run in spec.runs)
    lam = 2.0  # L = w²
    # the fractions 0.02, 0.5, 1.1, 0.1 of each optimizer's own limit
    assert plain == pytest.approx(0.02 * 2 / lam)
    assert momentum == pytest.approx(0.5 * 2 * 1.9 / lam, rel=0.05)
    assert nesterov == pytest.approx(0.1 * 2 * 1.9 / 2.8 / lam, rel=0.05)
    # Adam's steps are about α long: a share of the distance 5 to the minimum, never 1.1·2/λ
    start = abs(spec.start[0])
    assert adam < start and adam != pytest.approx(1.1 * 2 / lam)
    assert adam == pytest.approx(1.1 * 0.1 * start, rel=0.05)
