"""Training real models on data: datasets, networks, the batched trainer and their analysis.

Pure NumPy, float64, no Qt. The flat parameter order and the minibatch rule are documented in
``networks`` and ``training``.
"""

from lrdesk.core.models.csv_data import dataset_to_csv, read_csv_dataset
from lrdesk.core.models.datasets import DATASETS, Dataset, DatasetError, make_dataset
from lrdesk.core.models.landscape import axes_plane, loss_slice, pca_plane, random_plane
from lrdesk.core.models.networks import Network, build_network
from lrdesk.core.models.presets import PRESETS
from lrdesk.core.models.rate_finding import range_test, rate_batch_map, rate_sweep
from lrdesk.core.models.sharpness import top_eigenvalues
from lrdesk.core.models.spec import (
    DataSpec,
    ModelExperiment,
    ModelRunSpec,
    ModelSpec,
    dumps_model,
    loads_model,
)
from lrdesk.core.models.theory import linear_theory
from lrdesk.core.models.training import TrainChunk, Trainer, train

__all__ = [
    "DATASETS", "PRESETS", "DataSpec", "Dataset", "DatasetError", "ModelExperiment",
    "ModelRunSpec", "ModelSpec", "Network", "TrainChunk", "Trainer", "axes_plane",
    "build_network", "dataset_to_csv", "dumps_model", "linear_theory", "loads_model",
    "loss_slice", "make_dataset", "pca_plane", "random_plane", "range_test", "rate_batch_map",
    "rate_sweep", "read_csv_dataset", "top_eigenvalues", "train",
]
