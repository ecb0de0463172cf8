"""A single run stepped on plain Python floats: several times faster than NumPy on one point, and
bit for bit the same numbers as the batched array path (the same operations in the same order).
"""

from __future__ import annotations

import numpy as np

from lrdesk.core.engine.records import StepData
from lrdesk.core.optim.optimizers import SGD


def run_scalar(live, opt, factors, t0: int, b: int, is_last: bool, record: bool) -> StepData:
    """One block of the one live run (``live``: the batch's working set) from step ``t0``.

    ``factors``: the schedule's factors for the block's steps (None: a constant rate).
    """
    vg, dim = live.scalar_vg, live.P.shape[1]
    s = b - 1 if is_last else b
    neg_lr = float(live.neg_lr[0, 0])
    rates = [neg_lr] * s if factors is None else (neg_lr * factors).tolist()
    opt.scalar_begin()
    loop = _scalar_loop_2d if dim == 2 else _scalar_loop_1d
    columns, states, end = loop(
        vg, opt, live.P[0].tolist(), rates, t0, b, s, record and bool(opt.state_names)
    )
    opt.scalar_end()
    live.P[0] = end
    # columns: loss, then each coordinate of the gradient, of the point and of the update
    losses, grads, points, updates = (
        np.array(columns[i:j], dtype=float)
        for i, j in ((0, 1), (1, 1 + dim), (1 + dim, 1 + 2 * dim), (1 + 2 * dim, 1 + 3 * dim))
    )
    positions = points.T.reshape(b, 1, dim)
    data = StepData(losses.reshape(b, 1), grads.T.reshape(b, dim, 1),
                    updates.T.reshape(s, dim, 1), positions[0].copy(), positions)
    if record:
        data.rates = -np.array(rates).reshape(s, 1)
        data.states = {
            name: np.array([st[i] for st in states]).reshape(s, 1, dim)
            for i, name in enumerate(opt.state_names)
        }
    return data


def _scalar_loop_2d(vg, opt, p, rates, t0, b, s, keep_state):
    columns = [[] for _ in range(7)]
    put_loss, put_gx, put_gy, put_x, put_y, put_dx, put_dy = (c.append for c in columns)
    plain, delta, states = type(opt) is SGD, opt.scalar_delta, []
    x, y = p
    for r in range(b):
        L, gx, gy = vg(x, y)
        put_loss(L)
        put_gx(gx)
        put_gy(gy)
        put_x(x)
        put_y(y)
        if r == s:
            break
        if plain:  # SGD.scalar_delta written out: the commonest case, a third faster
            dx, dy = gx * rates[r], gy * rates[r]
        else:
            dx, dy = delta((gx, gy), rates[r], t0 + r + 1)
        put_dx(dx)
        put_dy(dy)
        x += dx
        y += dy
        if keep_state:
            states.append(opt.scalar_state())
    return columns, states, (x, y)


def _scalar_loop_1d(vg, opt, p, rates, t0, b, s, keep_state):
    columns = [[] for _ in range(4)]
    put_loss, put_g, put_w, put_d = (c.append for c in columns)
    plain, delta, states = type(opt) is SGD, opt.scalar_delta, []
    (w,) = p
    for r in range(b):
        L, g = vg(w)
        put_loss(L)
        put_g(g)
        put_w(w)
        if r == s:
            break
        d = g * rates[r] if plain else delta((g,), rates[r], t0 + r + 1)[0]
        put_d(d)
        w += d
        if keep_state:
            states.append(opt.scalar_state())
    return columns, states, (w,)
