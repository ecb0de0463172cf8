"""Weight decay (L2 added to the gradient) for every optimizer and AdamW's decoupled decay, against
torch.optim's documented update equations, written out here independently, on non-default
settings, through the model trainer (linear regression, whose gradient has a closed form)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from lrdesk.core.models.datasets import make_dataset
from lrdesk.core.models.spec import DataSpec, ModelExperiment, ModelRunSpec, ModelSpec
from lrdesk.core.models.training import Trainer
from lrdesk.core.optim.decay import InvalidDecay, check_weight_decay
from lrdesk.core.optim.schedules import ScheduleSpec

STEPS = 30
DATA = make_dataset("line", seed=5)
XT = np.column_stack([DATA.X_train, np.ones(DATA.n_train)])


def _grad(theta):
    return 2.0 / len(XT) * XT.T @ (XT @ theta - DATA.y_train)


def _reference(kind, h, lr, wd, theta, rates):
    """torch.optim's pseudocode (docs of SGD, Adagrad, RMSprop, Adam, AdamW), one step at a time."""
    theta = theta.copy()
    out = [theta.copy()]
    b = m = v = s = gbar = np.zeros_like(theta)
    for t in range(1, STEPS + 1):
        gamma = rates[t - 1]
        g = _grad(theta)
        if kind == "adamw":
            theta = theta * (1 - gamma * wd)
        else:
            g = g + wd * theta
        if kind in ("momentum", "nesterov"):
            mu, tau = h["momentum"], h.get("dampening", 0.0)
            b = g if t == 1 else mu * b + (1 - tau) * g
            g = g + mu * b if kind == "nesterov" else b
            theta = theta - gamma * g
        elif kind == "sgd":
            theta = theta - gamma * g
        elif kind == "adagrad":
            clr = gamma / (1 + (t - 1) * h["lr_decay"])
            s = s + g * g
            theta = theta - clr * g / (np.sqrt(s) + h["eps"])
        elif kind == "rmsprop":
            a = h["alpha"]
            v = a * v + (1 - a) * g * g
            vt = v
            if h["centered"]:
                gbar = a * gbar + (1 - a) * g
                vt = v - gbar * gbar
            if h["momentum"] > 0:
                b = h["momentum"] * b + g / (np.sqrt(vt) + h["eps"])
                theta = theta - gamma * b
            else:
                theta = theta - gamma * g / (np.sqrt(vt) + h["eps"])
        else:  # adam, adamw
            b1, b2 = h["beta1"], h["beta2"]
            m = b1 * m + (1 - b1) * g
            v = b2 * v + (1 - b2) * g * g
            m_hat, v_hat = m / (1 - b1**t), v / (1 - b2**t)
            theta = theta - gamma * m_hat / (np.sqrt(v_hat) + h["eps"])
        out.append(theta.copy())
    return np.array(out)


CASES = [
    ("sgd", {}, 0.2, 0.3),
    ("momentum", {"momentum": 0.7, "dampening": 0.2}, 0.1, 0.25),
    ("nesterov", {"momentum": 0.6}, 0.1, 0.5),
    ("adagrad", {"lr_decay": 0.05, "eps": 1e-6}, 0.3, 0.2),
    ("rmsprop", {"alpha": 0.9, "eps": 1e-6, "momentum": 0.5, "centered": 1.0}, 0.02, 0.1),
    ("adam", {"beta1": 0.8, "beta2": 0.99, "eps": 1e-6}, 0.05, 0.4),
    ("adamw", {"beta1": 0.85, "beta2": 0.95, "eps": 1e-7}, 0.05, 0.3),
]


@pytest.mark.parametrize("schedule", [ScheduleSpec(), ScheduleSpec("cosine", (("t_max", 20.0),))],
                         ids=["constant", "cosine"])
@pytest.mark.parametrize("kind,hypers,lr,wd", CASES, ids=[c[0] for c in CASES])
def test_weight_decay_follows_torch(kind, hypers, lr, wd, schedule):
    spec = ModelExperiment(
        data=DataSpec("line", seed=5), model=ModelSpec("linear", ()),
        runs=(ModelRunSpec(lr, kind, tuple(sorted(hypers.items())), wd, seed=2),),
        schedule=schedule, steps=STEPS, tolerance=0.0, path_points=STEPS + 1)
    trainer = Trainer(spec).run_to_end()
    ours = np.array([p for _, p in trainer.path[0]])
    full = spec.runs[0].hyper_dict()
    rates = lr * schedule.factors(0, STEPS)
    expected = _reference(kind, full, lr, wd, trainer.initial_params[0], rates)
    assert ours.shape == expected.shape
    np.testing.assert_allclose(ours, expected, rtol=1e-10, atol=1e-12)


def test_adamw_decays_by_default_and_adam_does_not():
    assert check_weight_decay(None, "adamw") == 0.01
    assert check_weight_decay(None, "adam") == 0.0
    with pytest.raises(InvalidDecay):
        check_weight_decay(-1.0)
    with pytest.raises(InvalidDecay):
        check_weight_decay(math.inf)


def test_a_large_rate_times_a_large_decay_diverges_on_its_own():
    """Pure decay on a flat loss: θ ← (1 − γλ)θ blows up once γλ > 2 (Playground's issue #77)."""
    spec = ModelExperiment(
        data=DataSpec("line", noise=0.0), model=ModelSpec("linear", ()),
        runs=(ModelRunSpec(0.1, weight_decay=1.0), ModelRunSpec(0.1, weight_decay=30.0)),
        steps=300)
    trainer = Trainer(spec).run_to_end()
    assert trainer.verdict_names()[1] == "diverged"
    assert trainer.verdict_names()[0] != "diverged"
