"""Training real models on data: datasets, networks, the batched trainer and their analysis.

Pure NumPy, float64, no Qt. The flat parameter order and the minibatch rule are documented in
``networks`` and ``training``.

Public names (imported from their module on first use, so start-up stays lazy):

- ``datasets``: ``DATASETS``, ``Dataset``, ``DatasetError``, ``make_dataset``
- ``csv_data``: ``dataset_to_csv``, ``read_csv_dataset``
- ``networks``: ``Network``, ``build_network``
- ``training``: ``TrainChunk``, ``Trainer``, ``train``
- ``spec``: ``DataSpec``, ``ModelSpec``, ``ModelRunSpec``, ``ModelExperiment``, ``dumps_model``,
  ``loads_model``
- ``presets``: ``PRESETS``
- ``landscape``: ``axes_plane``, ``random_plane``, ``pca_plane``, ``hessian_plane``, ``loss_slice``
- ``rate_finding``: ``range_test``, ``rate_sweep``, ``rate_batch_map``
- ``sharpness``: ``top_eigenvalues``
- ``theory``: ``linear_theory``
- ``bowl``: ``LineBowl``, ``bowl_region``
- ``scaling``: ``compare_scaling``, ``scaling_side``
- ``noise``: ``NoiseFloor``, ``noise_floor``
"""

from __future__ import annotations

from lrdesk._lazy import lazy_exports

_WHERE = {
    "DATASETS": "datasets", "Dataset": "datasets", "DatasetError": "datasets",
    "make_dataset": "datasets",
    "dataset_to_csv": "csv_data", "read_csv_dataset": "csv_data",
    "Network": "networks", "build_network": "networks",
    "TrainChunk": "training", "Trainer": "training", "train": "training",
    "DataSpec": "spec", "ModelSpec": "spec", "ModelRunSpec": "spec", "ModelExperiment": "spec",
    "dumps_model": "spec", "loads_model": "spec",
    "PRESETS": "presets",
    "axes_plane": "landscape", "random_plane": "landscape", "pca_plane": "landscape",
    "loss_slice": "landscape", "hessian_plane": "landscape",
    "range_test": "rate_finding", "rate_sweep": "rate_finding", "rate_batch_map": "rate_finding",
    "top_eigenvalues": "sharpness",
    "linear_theory": "theory",
    "LineBowl": "bowl", "bowl_region": "bowl",
    "compare_scaling": "scaling", "scaling_side": "scaling",
    "NoiseFloor": "noise", "noise_floor": "noise",
}

__all__ = sorted(_WHERE)
__getattr__, __dir__ = lazy_exports(__name__, _WHERE)
