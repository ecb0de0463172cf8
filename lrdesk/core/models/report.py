"""A trained experiment as plain data (lists, floats, None for NaN): what `lrdesk train` prints.

Keys follow `lrdesk run` where they mean the same thing (``verdict``, ``verdict_step``,
``final_loss``, and in ``theory``: ``lr_max_stable``, ``lr_optimal``, ``condition_number``, ...).
"""

from __future__ import annotations

import math

import numpy as np

from lrdesk._version import __version__
from lrdesk.core.models.networks import MODELS
from lrdesk.core.models.sharpness import stability_threshold
from lrdesk.core.models.theory import linear_theory
from lrdesk.core.models.training import Trainer, steps_per_epoch

PARAMETER_ORDER = ("layer by layer: the weight matrix W (inputs x outputs) row by row, then the "
                   "bias b; a layer computes a @ W + b (torch's nn.Linear weight is W transposed)")
MINIBATCH_RULE = ("epoch e visits the training rows in the order "
                  "numpy.random.default_rng([seed, e]).permutation(n_train), in consecutive "
                  "batches, the last one smaller if the batch size does not divide n_train; a "
                  "full batch uses every row in order")


def finite(values) -> list:
    return [float(v) if math.isfinite(v) else None for v in np.asarray(values, float).ravel()]


def _one(value):
    return finite([value])[0] if value is not None else None


def _threshold(run) -> float | None:
    if run.optimizer == "sgd":
        return stability_threshold(run.learning_rate)
    if run.optimizer == "momentum":
        mu, damp = run.hyper_dict()["momentum"], run.hyper_dict()["dampening"]
        return stability_threshold(run.learning_rate, mu) if damp == 0 else None
    return None


def run_report(trainer: Trainer, k: int) -> dict:
    run = trainer.spec.runs[k]
    stop = int(trainer.verdict_step[k])
    losses = trainer.train_loss[: stop + 1, k]
    norms = trainer.grad_norm[: stop + 1, k]
    ev = trainer.evaluations[k]
    sharp = trainer.sharpness[k]
    return {
        "run": k + 1, "learning_rate": run.learning_rate, "optimizer": run.optimizer,
        "hypers": run.hyper_dict(), "weight_decay": run.decay(), "batch_size": run.batch_size,
        "seed": run.seed, "steps": int(trainer.run_steps[k]),
        "steps_per_epoch": steps_per_epoch(trainer.data.n_train, run.batch_size),
        "verdict": trainer.verdict_names()[k], "verdict_step": stop,
        "reason": trainer.reason[k], "oscillated": bool(trainer.oscillated[k]),
        "start_loss": _one(trainer.start_loss[k]), "final_loss": _one(losses[-1]),
        "final_gradient_norm": _one(norms[-1]),
        "initial_params": finite(trainer.initial_params[k]),
        "final_params": finite(trainer.final_params[k]),
        "train_loss": finite(losses), "gradient_norm": finite(norms),
        "evaluations": {
            "steps": [e[0] for e in ev], "train_loss": [_one(e[1]) for e in ev],
            "train_accuracy": [e[2] for e in ev], "test_loss": [_one(e[3]) for e in ev],
            "test_accuracy": [e[4] for e in ev],
        },
        "sharpness": {"steps": [s for s, _ in sharp], "values": [_one(v) for _, v in sharp],
                      "threshold": _threshold(run)},
        "path": {"steps": [s for s, _ in trainer.path[k]],
                 "params": [finite(p) for _, p in trainer.path[k]]},
    }


_LOSS_TITLES = {"mse": "mean squared error", "bce": "binary cross-entropy",
                "cross_entropy": "cross-entropy"}


def _title(kind: str, net) -> str:
    if kind != "mlp":
        return MODELS[kind]
    shape = "-".join(str(w) for w in net.widths)
    return f"a {shape} {net.activation} network ({_LOSS_TITLES[net.loss_kind]})"


def train_report(trainer: Trainer) -> dict:
    spec, net, data = trainer.spec, trainer.network, trainer.data
    theory = None
    if spec.model.kind == "linear":
        theory = linear_theory(data).as_dict()
    s = spec.schedule
    return {
        "lrdesk": __version__,
        "dataset": data.describe(),
        "model": {"kind": spec.model.kind, "description": MODELS[spec.model.kind],
                  "title": _title(spec.model.kind, net),
                  "widths": list(net.widths), "loss": net.loss_kind,
                  "activation": net.activation if len(net.widths) > 2 else None,
                  "init": spec.model.init, "parameters": net.dim,
                  "parameter_order": PARAMETER_ORDER,
                  "parameter_names": net.parameter_names()},
        "steps": spec.steps, "epochs": spec.epochs, "tolerance": spec.tolerance,
        "schedule": s.describe(), "minibatch_rule": MINIBATCH_RULE,
        "theory": theory,
        "runs": [run_report(trainer, k) for k in range(trainer.K)],
    }
