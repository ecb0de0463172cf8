"""Ready-made model experiments, by name (``lrdesk train --preset NAME``)."""

from __future__ import annotations

from lrdesk.core.models.spec import DataSpec, ModelExperiment, ModelRunSpec, ModelSpec
from lrdesk.core.optim.schedules import ScheduleSpec

#: full-batch gradient descent on a 2-32-32-1 tanh network with mean squared error on the circle
#: data: the sharpness climbs from about 7.5 to 2/η and hovers there while the loss keeps falling
#: (Cohen et al., 2021); a few seconds here
EDGE_OF_STABILITY = ModelExperiment(
    data=DataSpec("circle"),
    model=ModelSpec("mlp", (32, 32), "tanh", "torch", "mse"),
    runs=(ModelRunSpec(0.1), ModelRunSpec(0.15)),
    steps=2000,
    sharpness_every=25,
)

#: raw house prices: the features differ in scale a thousandfold, the stable rate is tiny
FEATURE_SCALING = ModelExperiment(
    data=DataSpec("housing", standardize=False),
    model=ModelSpec("linear", ()),
    runs=(ModelRunSpec(1e-8), ModelRunSpec(1e-7), ModelRunSpec(2e-7)),
    steps=1000,
)

#: the two-parameter line: its loss over (w, b) is a bowl like the surfaces'
LINE = ModelExperiment(
    data=DataSpec("line"),
    model=ModelSpec("linear", ()),
    runs=(ModelRunSpec(0.05), ModelRunSpec(0.3), ModelRunSpec(0.8)),
    steps=200,
)

#: minibatch noise: one rate, three batch sizes, a few epochs of the plane
MINIBATCH = ModelExperiment(
    data=DataSpec("plane"),
    model=ModelSpec("linear", ()),
    runs=(ModelRunSpec(0.05, batch_size=8), ModelRunSpec(0.05, batch_size=64),
          ModelRunSpec(0.05)),
    steps=None,
    epochs=5,
)

#: the rate halves by about step 100 and is a hundredth of itself by the end: the noise dies out
DECAYING = ScheduleSpec("inverse_time", (("decay", 0.01),))

#: one rate at batch sizes 1, 8, 64 and the full 400 rows, 20 epochs each: the smaller the batch,
#: the noisier the curve and the higher the floor a constant rate leaves; the fifth run is batch 1
#: again with a decaying rate, which settles at the least-squares loss
MINIBATCH_NOISE = ModelExperiment(
    data=DataSpec("plane", points=500),
    model=ModelSpec("linear", ()),
    runs=(ModelRunSpec(0.1, batch_size=1), ModelRunSpec(0.1, batch_size=8),
          ModelRunSpec(0.1, batch_size=64), ModelRunSpec(0.1),
          ModelRunSpec(0.1, batch_size=1, schedule=DECAYING)),
    steps=None,
    epochs=20,
)

PRESETS = {
    "edge-of-stability": EDGE_OF_STABILITY,
    "feature-scaling": FEATURE_SCALING,
    "line": LINE,
    "minibatch": MINIBATCH,
    "minibatch-noise": MINIBATCH_NOISE,
}
