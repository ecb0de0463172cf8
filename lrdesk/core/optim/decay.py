"""Weight decay as torch.optim has it: L2 added to the gradient, or decoupled (AdamW).

Every torch optimizer takes ``weight_decay`` = λ and, before its own rule, replaces the gradient
with ``g + λ·θ`` (``grad = grad.add(param, alpha=weight_decay)`` in ``torch/optim/sgd.py``,
``adagrad.py``, ``rmsprop.py``, ``adam.py``): the same as adding (λ/2)·‖θ‖² to the loss.

AdamW (Loshchilov & Hutter, 2019; ``torch.optim.AdamW``) decouples it: first
``θ ← θ·(1 − γ·λ)`` with the step's rate γ, then the plain Adam step from the unchanged gradient.
Its default λ is 0.01; every other optimizer's is 0.

On a quadratic with curvature h, L2 decay makes the curvature h + λ, so plain gradient descent is
stable below 2/(h_max + λ): a large rate times a large decay diverges on its own.
"""

from __future__ import annotations

import math

import numpy as np

#: optimizers with decoupled decay, and the rule they decay before
DECOUPLED = {"adamw": "adam"}
DEFAULT_DECAY = {"adamw": 0.01}
MAX_DECAY = 1e3


class InvalidDecay(ValueError):
    """A weight decay that cannot be used."""


def base_optimizer(kind: str) -> str:
    """The update rule that runs after the decay (``adamw`` -> ``adam``)."""
    return DECOUPLED.get(kind, kind)


def check_weight_decay(value, kind: str = "sgd") -> float:
    """λ as a float: a finite number from 0 to 1e3 (None: the optimizer's default)."""
    if value is None:
        return DEFAULT_DECAY.get(kind, 0.0)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise InvalidDecay(f"weight decay must be a finite number, not {value!r}")
    if not 0.0 <= value <= MAX_DECAY:
        raise InvalidDecay(f"weight decay must be from 0 to {MAX_DECAY:g}, not {value:g}")
    return float(value)


def add_l2(g: np.ndarray, params: np.ndarray, weight_decay, out: np.ndarray) -> np.ndarray:
    """``out = g + λ·θ`` (λ a float or a (K, 1) column), torch's ``grad.add(param, alpha=λ)``."""
    np.multiply(params, weight_decay, out=out)
    out += g
    return out


def shrink(params: np.ndarray, neg_lr, weight_decay) -> np.ndarray:
    """AdamW's ``θ ← θ·(1 − γ·λ)`` in place; ``neg_lr`` is −γ (a float or a (K, 1) column)."""
    params *= 1.0 + neg_lr * weight_decay
    return params
