"""Training real models on data: datasets, networks, the batched trainer and their analysis.

Public names: ``make_dataset``, ``read_csv_dataset``, ``Network``, ``ModelExperiment`` (with
``DataSpec``, ``ModelSpec``, ``ModelRunSpec``), ``Trainer``, ``train``, ``linear_theory``,
``top_eigenvalues``. Pure NumPy, float64, no Qt.
"""
