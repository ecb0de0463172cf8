"""From the frozen experiment to the things a run needs: the dataset and the network."""

from __future__ import annotations

from lrdesk.core.models.csv_data import read_csv_dataset
from lrdesk.core.models.datasets import Dataset, make_dataset
from lrdesk.core.models.networks import Network, build_network
from lrdesk.core.models.spec import DataSpec, ModelSpec


def make_data(spec: DataSpec) -> Dataset:
    """The built-in dataset or the CSV file the spec names, split and prepared."""
    if spec.dataset == "csv":
        return read_csv_dataset(spec.path, spec.target, spec.train_fraction, spec.seed,
                                True if spec.standardize is None else spec.standardize,
                                spec.features, spec.task)
    return make_dataset(spec.dataset, spec.points, spec.noise, spec.train_fraction, spec.seed,
                        spec.standardize, spec.features)


def make_model(spec: ModelSpec, data: Dataset) -> Network:
    hidden = spec.hidden if spec.kind == "mlp" else ()
    return build_network(spec.kind, data.n_features, data.task, data.n_classes, hidden,
                         spec.activation, spec.loss)
