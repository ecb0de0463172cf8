"""Loss landscapes of the Model training tool: how long a slice and the exact bowl take.

Measured:
- a 41 x 41 slice (the tool's default) through a trained 2-16-16-1 tanh network on the spiral
  data's 400 training rows: the app's way (``landscape.slice_rows``: 256 grid points per
  batched forward pass, the chunks the GUI can cancel between), against the reference, one
  forward pass per grid point (``Network.loss`` with one run, as a plain loop would do);
- the exact (w, b) bowl of the line data on the tool's 121 x 121 grid: the closed form
  (``LineBowl.grid``, five numbers) against the network's loss over the rows with every grid
  point a run.
Each figure is the best of three; the load average is printed beside them.
Usage: ``python benchmarks/bench_landscape.py`` (about half a minute).
"""

from __future__ import annotations

import os
import platform
import sys
import time
from pathlib import Path

import numpy as np
from _report import write_results

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def best_of(fn, repeats: int = 3) -> float:
    times = []
    for _ in range(repeats):
        began = time.perf_counter()
        fn()
        times.append(time.perf_counter() - began)
    return min(times)


def slice_figures() -> dict:
    from lrdesk.core.models.landscape import grid_around, random_plane, slice_rows
    from lrdesk.core.models.spec import DataSpec, ModelExperiment, ModelRunSpec, ModelSpec
    from lrdesk.core.models.training import Trainer

    spec = ModelExperiment(DataSpec("spiral"), ModelSpec("mlp", (16, 16), "tanh"),
                           (ModelRunSpec(0.3),), steps=None, epochs=50)
    trainer = Trainer(spec).run_to_end()
    net, d = trainer.network, trainer.data
    plane = random_plane(net, trainer.final_params[0], seed=0)
    path = np.array([p for _, p in trainer.path[0]])
    alphas, betas = grid_around(plane, path, 41)

    def app():
        return [rows for _, rows in slice_rows(net, d.X_train, d.y_train, plane, alphas, betas)]

    def one_by_one():
        out = np.empty((len(betas), len(alphas)))
        for i, b in enumerate(betas):
            for j, a in enumerate(alphas):
                theta = plane.center + a * plane.d1 + b * plane.d2
                out[i, j] = net.loss(theta[None, :], d.X_train, d.y_train)[0]
        return out

    assert np.allclose(np.vstack(app()), one_by_one(), rtol=1e-12)
    app_s, ref_s = best_of(app), best_of(one_by_one)
    return {"slice_work": f"41 x 41 grid, 2-16-16-1 tanh, {d.n_train} rows",
            "slice_app_seconds": app_s, "slice_one_by_one_seconds": ref_s,
            "slice_one_by_one_over_app": ref_s / app_s}


def bowl_figures() -> dict:
    from lrdesk.core.models.bowl import LineBowl
    from lrdesk.core.models.datasets import make_dataset
    from lrdesk.core.models.networks import Network

    d = make_dataset("line")
    bowl = LineBowl.from_rows(d.X_train, d.y_train)
    ws, bs = np.linspace(-1, 5, 121), np.linspace(-4, 2, 121)
    W, B = np.meshgrid(ws, bs, indexing="ij")
    P = np.column_stack([W.ravel(), B.ravel()])
    net = Network((1, 1), "mse")

    def closed():
        return bowl.grid(ws, bs)

    def rows():
        return net.loss(P, d.X_train, d.y_train).reshape(W.shape)

    assert np.allclose(closed(), rows(), rtol=1e-10)
    closed_s, rows_s = best_of(closed, 5), best_of(rows, 5)
    return {"bowl_work": f"121 x 121 grid, {d.n_train} rows",
            "bowl_closed_form_seconds": closed_s, "bowl_rows_seconds": rows_s,
            "bowl_rows_over_closed_form": rows_s / closed_s}


def main() -> None:
    load = os.getloadavg()
    figures = {"machine": platform.platform(), "python": platform.python_version(),
               "numpy": np.__version__, "load_average_1_5_15": [round(v, 2) for v in load]}
    figures.update(slice_figures())
    figures.update(bowl_figures())
    figures["load_average_after"] = [round(v, 2) for v in os.getloadavg()]
    print(f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    print(f"slice {figures['slice_work']}: app {figures['slice_app_seconds']:.3f} s, one grid "
          f"point at a time {figures['slice_one_by_one_seconds']:.3f} s "
          f"({figures['slice_one_by_one_over_app']:.1f}x)")
    print(f"bowl {figures['bowl_work']}: closed form {1e3 * figures['bowl_closed_form_seconds']:.2f}"
          f" ms, over the rows {1e3 * figures['bowl_rows_seconds']:.2f} ms "
          f"({figures['bowl_rows_over_closed_form']:.1f}x)")
    write_results("landscape", figures)


if __name__ == "__main__":
    main()
