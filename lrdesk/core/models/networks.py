"""The models: linear, logistic and softmax regression and small tanh/ReLU networks, batched over runs.

Every model is a stack of dense layers (none hidden for the three regressions) whose parameters
live in ONE flat vector, so that the optimizers and schedules of ``lrdesk.core.optim`` work on it
unchanged. The order of that vector, for layers 1, 2, ...:

    W1 (inputs × outputs, row by row: W1[0, 0], W1[0, 1], ...), b1, W2, b2, ...

so a layer computes ``z = a @ W + b`` (torch's ``nn.Linear`` stores ``W`` transposed, as
(outputs, inputs): copy ``W.T`` into ``linear.weight`` to reproduce a run in PyTorch).

Losses are means over the rows of the batch, as torch has them: mean squared error without a ½
(``nn.MSELoss``) for regression, binary cross-entropy on the logit (``nn.BCEWithLogitsLoss``) for
logistic regression and two-class networks, cross-entropy on the logits (``nn.CrossEntropyLoss``)
for softmax regression and several classes.

K runs are evaluated at once: parameters (K, dim), activations (K, n, width); a batch of rows X is
either shared by every run (n, d) or given per run (K, n, d).

Initialisation (seeded, ``numpy.random.default_rng(seed)``, drawn layer by layer, W before b, in
the flat order above):

- ``torch``: ``nn.Linear``'s default, W and b ~ U(−1/√fan_in, 1/√fan_in);
- ``normal``: W ~ N(0, 1/fan_in), b = 0;
- ``playground``: TensorFlow Playground's, W ~ U(−0.5, 0.5), b = 0.1.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

Array = np.ndarray

MODELS = {
    "linear": "linear regression (mean squared error)",
    "logistic": "logistic regression (binary cross-entropy)",
    "softmax": "softmax regression (cross-entropy)",
    "mlp": "a network of 1-3 hidden layers (tanh or ReLU)",
}
ACTIVATIONS = ("tanh", "relu")
INITS = ("torch", "normal", "playground")
LOSSES = ("mse", "bce", "cross_entropy")
MAX_HIDDEN_LAYERS = 3
MAX_WIDTH = 64


class ModelError(ValueError):
    """A model that cannot be built for this data."""


@dataclass(frozen=True)
class Network:
    """Dense layers of the given widths (inputs first, outputs last) and a loss."""

    widths: tuple[int, ...]
    loss_kind: str = "mse"
    activation: str = "tanh"

    def __post_init__(self) -> None:
        if len(self.widths) < 2 or len(self.widths) - 2 > MAX_HIDDEN_LAYERS:
            raise ModelError(f"a network has 0 to {MAX_HIDDEN_LAYERS} hidden layers")
        if any(w < 1 for w in self.widths) or any(w > MAX_WIDTH for w in self.widths[1:-1]):
            raise ModelError(f"hidden layers have 1 to {MAX_WIDTH} units")
        if self.loss_kind not in LOSSES:
            raise ModelError(f"unknown loss '{self.loss_kind}'")
        if self.activation not in ACTIVATIONS:
            raise ModelError(f"activation: choose {' or '.join(ACTIVATIONS)}, "
                             f"not '{self.activation}'")

    # --- the flat layout ---------------------------------------------------------------------
    @property
    def shapes(self) -> list[tuple[int, int]]:
        return list(zip(self.widths[:-1], self.widths[1:], strict=True))

    @property
    def dim(self) -> int:
        return sum(i * o + o for i, o in self.shapes)

    def offsets(self) -> list[tuple[int, int, int]]:
        """(start of W, start of b, end of b) in the flat vector, per layer."""
        out, at = [], 0
        for i, o in self.shapes:
            out.append((at, at + i * o, at + i * o + o))
            at += i * o + o
        return out

    def parameter_names(self) -> list[str]:
        names = []
        for layer, (i, o) in enumerate(self.shapes, start=1):
            names += [f"W{layer}[{r},{c}]" for r in range(i) for c in range(o)]
            names += [f"b{layer}[{c}]" for c in range(o)]
        return names

    def split(self, P: Array) -> list[tuple[Array, Array]]:
        """Views (K, in, out) and (K, out) of each layer's W and b in P (K, dim)."""
        K = P.shape[0]
        return [(P[:, a:b].reshape(K, i, o), P[:, b:c])
                for (a, b, c), (i, o) in zip(self.offsets(), self.shapes, strict=True)]

    def initial_parameters(self, seed: int, scheme: str = "torch") -> Array:
        if scheme not in INITS:
            raise ModelError(f"init: choose one of {', '.join(INITS)}, not '{scheme}'")
        rng = np.random.default_rng(seed)
        parts = []
        for i, o in self.shapes:
            if scheme == "torch":
                bound = 1.0 / math.sqrt(i)
                parts += [rng.uniform(-bound, bound, i * o), rng.uniform(-bound, bound, o)]
            elif scheme == "normal":
                parts += [rng.normal(0.0, 1.0 / math.sqrt(i), i * o), np.zeros(o)]
            else:
                parts += [rng.uniform(-0.5, 0.5, i * o), np.full(o, 0.1)]
        return np.concatenate(parts)

    # --- forward and backward ----------------------------------------------------------------
    def forward(self, P: Array, X: Array, work: Workspace | None = None) -> list[Array]:
        """Activations of every layer, (K, n, width); the last is the output's logits.

        With a ``work`` space the arrays are its buffers, overwritten by the next call.
        """
        work = work or Workspace()
        layers = self.split(P)
        K, n = P.shape[0], X.shape[-2]
        acts = [X]
        a = X
        for index, (W, b) in enumerate(layers):
            z = work.get(f"z{index}", (K, n, W.shape[2]))
            np.matmul(a, W, out=z)
            z += b[:, None, :]
            if index < len(layers) - 1:
                if self.activation == "tanh":
                    np.tanh(z, out=z)
                else:
                    np.maximum(z, 0.0, out=z)
            acts.append(z)
            a = z
        return acts

    def loss(self, P: Array, X: Array, y: Array, work: Workspace | None = None) -> Array:
        return self._loss_and_dz(self.forward(P, X, work)[-1], y, False, work)[0]

    def loss_and_gradient(self, P: Array, X: Array, y: Array, grad: Array | None = None,
                          work: Workspace | None = None):
        """Mean loss (K,) over the rows and its gradient (K, dim), by backpropagation.

        Buffers (K, n, width) come from ``work`` when given, so that repeated calls reuse
        memory instead of faulting in fresh pages every step.
        """
        work = work or Workspace()
        P = np.ascontiguousarray(P)
        acts = self.forward(P, X, work)
        loss, dz = self._loss_and_dz(acts[-1], y, need_grad=True, work=work)
        if grad is None:
            grad = np.empty_like(P)
        K, n = P.shape[0], X.shape[-2]
        ones = work.ones(n)
        layers = self.split(P)
        for index in range(len(layers) - 1, -1, -1):
            (a0, b0, c0), (i, o) = self.offsets()[index], self.shapes[index]
            a_prev = acts[index]
            gW = grad[:, a0:b0].reshape(K, i, o)
            if a_prev.ndim == 2:  # rows shared by the runs
                np.matmul(a_prev.T, dz, out=gW)
            else:
                np.matmul(a_prev.transpose(0, 2, 1), dz, out=gW)
            np.matmul(ones, dz, out=grad[:, b0:c0])  # Σ over the rows, as one product
            if index:
                da = work.get(f"da{index}", (K, n, i))
                W_t = np.ascontiguousarray(layers[index][0].transpose(0, 2, 1))
                np.matmul(dz, W_t, out=da)
                slope = work.get(f"slope{index}", (K, n, i))
                if self.activation == "tanh":
                    np.multiply(a_prev, a_prev, out=slope)
                    np.subtract(1.0, slope, out=slope)
                    da *= slope
                else:
                    da *= a_prev > 0
                dz = da
        return loss, grad

    def hessian_vector_product(self, P: Array, V: Array, X: Array, y: Array) -> Array:
        """H(θ_k)·v_k for every run k, exactly: Pearlmutter's R-operator (forward over reverse).

        R{·} is the directional derivative along V of each quantity of backpropagation: the
        forward pass carries R{z} = R{a}·W + a·V_W + V_b and R{a} = σ'(z)·R{z}; the backward pass
        carries R{∂L/∂z} and returns R{∇L} = H·v (Pearlmutter, 1994, "Fast Exact Multiplication
        by the Hessian").
        """
        P, V = np.ascontiguousarray(P), np.ascontiguousarray(V)
        layers, vlayers = self.split(P), self.split(V)
        K, n = P.shape[0], X.shape[-2]
        acts, racts = [X], [None]  # the data do not move with θ
        a, ra = X, None
        for index, ((W, b), (VW, Vb)) in enumerate(zip(layers, vlayers, strict=True)):
            z = np.matmul(a, W) + b[:, None, :]
            rz = np.matmul(a, VW) + Vb[:, None, :]
            if ra is not None:
                rz += np.matmul(ra, W)
            if index < len(layers) - 1:
                if self.activation == "tanh":
                    a = np.tanh(z)
                    ra = (1.0 - a * a) * rz
                else:
                    a = np.maximum(z, 0.0)
                    ra = (z > 0) * rz
                acts.append(a)
                racts.append(ra)
            else:
                acts.append(z)
                racts.append(rz)
        z, rz = acts[-1], racts[-1]
        dz = self._loss_and_dz(z, y, need_grad=True)[1]
        rdz = self._second_derivative_times(z, rz, n)
        out = np.empty_like(P)
        for index in range(len(layers) - 1, -1, -1):
            (a0, b0, c0), (i, o) = self.offsets()[index], self.shapes[index]
            a_prev = acts[index]
            a_t = a_prev.T if a_prev.ndim == 2 else a_prev.transpose(0, 2, 1)
            hW = np.matmul(a_t, rdz)
            if index:
                hW += np.matmul(racts[index].transpose(0, 2, 1), dz)
            out[:, a0:b0] = hW.reshape(K, i * o)
            out[:, b0:c0] = rdz.sum(axis=1)
            if index:
                W, VW = layers[index][0], vlayers[index][0]
                da = np.matmul(dz, W.transpose(0, 2, 1))
                rda = np.matmul(rdz, W.transpose(0, 2, 1)) + np.matmul(dz, VW.transpose(0, 2, 1))
                ra = racts[index]
                if self.activation == "tanh":
                    slope = 1.0 - a_prev * a_prev
                    # d/dz (1 − tanh²) = −2·tanh·(1 − tanh²)
                    rdz = rda * slope - 2.0 * da * a_prev * ra
                    dz = da * slope
                else:
                    on = a_prev > 0
                    rdz, dz = rda * on, da * on
        return out

    def _second_derivative_times(self, z: Array, rz: Array, n: int) -> Array:
        """(∂²L/∂z²)·R{z} for the mean loss over n rows."""
        if self.loss_kind == "mse":
            return (2.0 / n) * rz
        if self.loss_kind == "bce":
            p = 0.5 * (1.0 + np.tanh(0.5 * z))  # the sigmoid, stable for large |z|
            return p * (1.0 - p) * rz / n
        shifted = z - z.max(axis=2, keepdims=True)
        p = np.exp(shifted)
        p /= p.sum(axis=2, keepdims=True)
        return (p * rz - p * np.sum(p * rz, axis=2, keepdims=True)) / n

    def _loss_and_dz(self, z: Array, y: Array, need_grad: bool, work: Workspace | None = None):
        """Loss per run and its derivative by the logits z (K, n, out), mean over n rows.

        The (K, n) temporaries come from ``work``: fresh ones each step would fault in pages.
        """
        K, n = z.shape[:2]
        work = work or Workspace()
        if self.loss_kind == "mse":
            dz = work.get("dz", (K, n, 1))
            r = dz[..., 0]
            np.subtract(z[..., 0], y, out=r)
            loss = np.einsum("kn,kn->k", r, r) / n
            if not need_grad:
                return loss, None
            r *= 2.0 / n
            return loss, dz
        if self.loss_kind == "bce":
            s = z[..., 0]
            # log(1 + e^s) − y·s = max(s, 0) − y·s + log(1 + e^−|s|): finite for large |s|
            e, t, u = (work.get(name, (K, n)) for name in ("bce_e", "bce_t", "bce_u"))
            np.abs(s, out=e)
            np.negative(e, out=e)
            np.exp(e, out=e)
            np.maximum(s, 0.0, out=t)
            t -= np.multiply(y, s, out=u)
            t += np.log1p(e, out=u)
            loss = t.mean(axis=1)
            if not need_grad:
                return loss, None
            np.add(1.0, e, out=u)
            np.divide(e, u, out=t)  # the sigmoid from the same e^−|s|: e/(1 + e) for s < 0,
            np.divide(1.0, u, out=t, where=s >= 0)  # 1/(1 + e) for s >= 0
            dz = work.get("dz", (K, n, 1))
            np.subtract(t, y, out=dz[..., 0])
            dz *= 1.0 / n
            return loss, dz
        labels = np.broadcast_to(np.asarray(y, dtype=np.int64), z.shape[:2])
        top = z.max(axis=2, keepdims=True)
        shifted = z - top
        e = np.exp(shifted)
        total = e.sum(axis=2, keepdims=True)
        picked = np.take_along_axis(shifted, labels[..., None], axis=2)[..., 0]
        loss = (np.log(total[..., 0]) - picked).mean(axis=1)
        if not need_grad:
            return loss, None
        e /= total
        np.put_along_axis(e, labels[..., None],
                          np.take_along_axis(e, labels[..., None], axis=2) - 1.0, axis=2)
        e /= n
        return loss, e

    def predictions(self, P: Array, X: Array, work: Workspace | None = None) -> Array:
        """The predicted value (regression) or class (classification) per run and row (K, n)."""
        return self.decide(self.forward(np.ascontiguousarray(P), X, work)[-1])

    def decide(self, z: Array) -> Array:
        """Predictions from the logits (K, n, out)."""
        if self.loss_kind == "mse":
            return z[..., 0]
        if self.loss_kind == "bce":
            return (z[..., 0] > 0).astype(float)
        return z.argmax(axis=2).astype(float)

    def accuracy(self, P: Array, X: Array, y: Array) -> Array | None:
        """Share of rows classified right, per run; None for regression."""
        if self.loss_kind == "mse":
            return None
        return (self.predictions(P, X) == y).mean(axis=1)

    def loss_and_logits(self, P: Array, X: Array, y: Array, work: Workspace | None = None):
        """The loss (K,) and the output logits (K, n, out) from one forward pass."""
        z = self.forward(np.ascontiguousarray(P), X, work)[-1]
        return self._loss_and_dz(z, y, False, work)[0], z


class Workspace:
    """Scratch arrays reused from call to call, by name and shape."""

    def __init__(self) -> None:
        self._buffers: dict[tuple, Array] = {}

    def get(self, name: str, shape: tuple[int, ...]) -> Array:
        key = (name, shape)
        buffer = self._buffers.get(key)
        if buffer is None:
            buffer = self._buffers[key] = np.empty(shape)
        return buffer

    def ones(self, n: int) -> Array:
        key = ("ones", (n,))
        if key not in self._buffers:
            self._buffers[key] = np.ones(n)
        return self._buffers[key]

    def clear(self) -> None:
        self._buffers.clear()


def build_network(model: str, n_features: int, task: str, n_classes: int,
                  hidden: tuple[int, ...] = (), activation: str = "tanh",
                  loss: str | None = None) -> Network:
    """The network for a model name and the data's task (checked against each other)."""
    if model not in MODELS:
        raise ModelError(f"unknown model '{model}' (choose one of: {', '.join(MODELS)})")
    natural = {"regression": "mse", "binary": "bce", "multiclass": "cross_entropy"}[task]
    if model == "linear":
        if task != "regression" and loss != "mse":
            raise ModelError("linear regression needs a regression dataset (housing, line, "
                             "plane or your own)")
        return Network((n_features, 1), "mse")
    if model == "logistic":
        if task != "binary":
            raise ModelError("logistic regression needs two classes labelled 0 and 1 (circle, "
                             "xor, gauss, spiral)")
        return Network((n_features, 1), "bce")
    if model == "softmax":
        if task == "regression":
            raise ModelError("softmax regression needs class labels, not a regression dataset")
        return Network((n_features, n_classes), "cross_entropy")
    if not hidden:
        raise ModelError("a network needs at least one hidden layer, e.g. --hidden 16,16")
    kind = loss or natural
    if kind == "mse" and task == "multiclass":
        raise ModelError("mean squared error needs one output: use it with regression or two "
                         "classes")
    outputs = n_classes if kind == "cross_entropy" else 1
    if kind == "bce" and task != "binary":
        raise ModelError("binary cross-entropy needs two classes labelled 0 and 1")
    if kind == "cross_entropy" and task == "regression":
        raise ModelError("cross-entropy needs class labels, not a regression dataset")
    return Network((n_features, *hidden, outputs), kind, activation)
