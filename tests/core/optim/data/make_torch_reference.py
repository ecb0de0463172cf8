"""Write ``torch_reference.json``: trajectories of torch.optim optimizers and schedulers.

The engine's tests compare LR Desk's update rules against these trajectories without needing
torch. Regenerate with a Python that has torch (any recent CPU build) installed:

    python tests/core/optim/data/make_torch_reference.py

The script is self-contained on purpose: the surfaces are written out again here in torch, so the
reference does not depend on the code it checks. Every case records the starting point, the
learning rate torch used at each step and the point after each step, all in float64.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import torch

STEPS = 50
OUT = Path(__file__).with_name("torch_reference.json")


def rosenbrock(p):
    x, y = p[0], p[1]
    return (1.0 - x) ** 2 + 100.0 * (y - x * x) ** 2


def himmelblau(p):
    x, y = p[0], p[1]
    return (x * x + y - 11.0) ** 2 + (x + y * y - 7.0) ** 2


SURFACES = {
    "rosenbrock": (rosenbrock, (-1.5, 2.0)),
    "himmelblau": (himmelblau, (0.5, -0.5)),
}

# (our optimizer key, our hyperparameters, how to build the torch optimizer)
OPTIMIZERS = [
    ("sgd", {}, lambda p, lr: torch.optim.SGD(p, lr=lr, foreach=False)),
    ("momentum", {"momentum": 0.9, "dampening": 0.0},
     lambda p, lr: torch.optim.SGD(p, lr=lr, momentum=0.9, foreach=False)),
    ("momentum", {"momentum": 0.8, "dampening": 0.3},
     lambda p, lr: torch.optim.SGD(p, lr=lr, momentum=0.8, dampening=0.3, foreach=False)),
    ("nesterov", {"momentum": 0.9},
     lambda p, lr: torch.optim.SGD(p, lr=lr, momentum=0.9, nesterov=True, foreach=False)),
    ("adagrad", {}, lambda p, lr: torch.optim.Adagrad(p, lr=lr, foreach=False)),
    ("adagrad", {"lr_decay": 0.05, "initial_accumulator_value": 0.5, "eps": 1e-6},
     lambda p, lr: torch.optim.Adagrad(p, lr=lr, lr_decay=0.05, initial_accumulator_value=0.5,
                                       eps=1e-6, foreach=False)),
    ("rmsprop", {}, lambda p, lr: torch.optim.RMSprop(p, lr=lr, foreach=False)),
    ("rmsprop", {"centered": 1.0, "alpha": 0.9},
     lambda p, lr: torch.optim.RMSprop(p, lr=lr, alpha=0.9, centered=True, foreach=False)),
    ("rmsprop", {"momentum": 0.5, "eps": 1e-4},
     lambda p, lr: torch.optim.RMSprop(p, lr=lr, momentum=0.5, eps=1e-4, foreach=False)),
    ("rmsprop", {"momentum": 0.7, "centered": 1.0},
     lambda p, lr: torch.optim.RMSprop(p, lr=lr, momentum=0.7, centered=True, foreach=False)),
    ("adam", {}, lambda p, lr: torch.optim.Adam(p, lr=lr, foreach=False)),
    ("adam", {"amsgrad": 1.0}, lambda p, lr: torch.optim.Adam(p, lr=lr, amsgrad=True, foreach=False)),
    ("adam", {"beta1": 0.5, "beta2": 0.9, "eps": 1e-3, "amsgrad": 1.0},
     lambda p, lr: torch.optim.Adam(p, lr=lr, betas=(0.5, 0.9), eps=1e-3, amsgrad=True,
                                    foreach=False)),
]

# learning rate per (surface, optimizer key): moderate, so that the runs move but stay stable
RATES = {
    "rosenbrock": {"sgd": 2e-4, "momentum": 1e-4, "nesterov": 1e-4, "adagrad": 0.3,
                   "rmsprop": 0.01, "adam": 0.05},
    "himmelblau": {"sgd": 0.01, "momentum": 0.004, "nesterov": 0.004, "adagrad": 0.5,
                   "rmsprop": 0.02, "adam": 0.1},
}

lr_scheduler = torch.optim.lr_scheduler

# (our schedule, how to build the torch scheduler)
SCHEDULES = [
    ({"kind": "step", "params": {"step_size": 10.0, "gamma": 0.5}},
     lambda o: lr_scheduler.StepLR(o, step_size=10, gamma=0.5)),
    ({"kind": "exponential", "params": {"gamma": 0.95}},
     lambda o: lr_scheduler.ExponentialLR(o, gamma=0.95)),
    ({"kind": "inverse_time", "params": {"decay": 0.1}},
     lambda o: lr_scheduler.LambdaLR(o, lambda t: 1.0 / (1.0 + 0.1 * t))),
    ({"kind": "cosine", "params": {"t_max": 20.0, "min_factor": 0.1}},
     lambda o: lr_scheduler.CosineAnnealingLR(o, T_max=20, eta_min=0.1 * o.defaults["lr"])),
    ({"kind": "cosine", "params": {"t_max": 30.0, "min_factor": 0.0}, "warmup_steps": 10,
      "warmup_start": 0.2},
     lambda o: lr_scheduler.SequentialLR(
         o,
         [lr_scheduler.LinearLR(o, start_factor=0.2, total_iters=10),
          lr_scheduler.CosineAnnealingLR(o, T_max=30)],
         milestones=[10])),
    ({"kind": "step", "params": {"step_size": 7.0, "gamma": 0.7}, "warmup_steps": 5,
      "warmup_start": 0.5},
     lambda o: lr_scheduler.SequentialLR(
         o,
         [lr_scheduler.LinearLR(o, start_factor=0.5, total_iters=5),
          lr_scheduler.StepLR(o, step_size=7, gamma=0.7)],
         milestones=[5])),
    ({"kind": "constant", "params": {}, "warmup_steps": 8, "warmup_start": 0.25},
     lambda o: lr_scheduler.SequentialLR(
         o,
         [lr_scheduler.LinearLR(o, start_factor=0.25, total_iters=8),
          lr_scheduler.ConstantLR(o, factor=1.0, total_iters=0)],
         milestones=[8])),
]


def trajectory(surface, make_optimizer, lr, make_scheduler=None):
    loss_fn, start = SURFACES[surface]
    p = torch.tensor(start, dtype=torch.float64, requires_grad=True)
    optimizer = make_optimizer([p], lr)
    scheduler = make_scheduler(optimizer) if make_scheduler else None
    points, rates = [list(map(float, p.detach()))], []
    for _ in range(STEPS):
        optimizer.zero_grad()
        loss_fn(p).backward()
        rates.append(float(optimizer.param_groups[0]["lr"]))
        optimizer.step()
        if scheduler is not None:
            scheduler.step()
        points.append(list(map(float, p.detach())))
    if not all(math.isfinite(v) for pt in points for v in pt):
        raise SystemExit(f"{surface}: a reference run left the finite numbers; pick a smaller rate")
    return points, rates


def main() -> int:
    cases = []
    for surface in SURFACES:
        for key, hypers, make in OPTIMIZERS:
            lr = RATES[surface][key]
            points, rates = trajectory(surface, make, lr)
            cases.append(case(surface, key, hypers, lr, {"kind": "constant", "params": {}},
                              points, rates))
    for schedule, make_scheduler in SCHEDULES:
        for key, hypers, make in (OPTIMIZERS[0], OPTIMIZERS[1], OPTIMIZERS[10]):
            lr = RATES["himmelblau"][key]
            points, rates = trajectory("himmelblau", make, lr, make_scheduler)
            cases.append(case("himmelblau", key, hypers, lr, schedule, points, rates))
    doc = {
        "generator": "tests/core/optim/data/make_torch_reference.py",
        "torch": torch.__version__,
        "steps": STEPS,
        "cases": cases,
    }
    # one case per line: small, and a diff shows which case changed
    lines = ",\n".join(json.dumps(c, separators=(",", ":")) for c in cases)
    head = json.dumps({k: v for k, v in doc.items() if k != "cases"})[:-1]
    OUT.write_text(f'{head}, "cases": [\n{lines}\n]}}\n')
    print(f"wrote {len(cases)} cases to {OUT}", file=sys.stderr)
    return 0


def case(surface, key, hypers, lr, schedule, points, rates):
    return {
        "function": surface,
        "start": list(SURFACES[surface][1]),
        "optimizer": key,
        "hypers": hypers,
        "learning_rate": lr,
        "schedule": {"warmup_steps": 0, "warmup_start": 0.1, **schedule},
        "learning_rates": rates,
        "positions": points,
    }


if __name__ == "__main__":
    sys.exit(main())
