"""LR Desk: see how the learning rate steers gradient descent."""

import os

from lrdesk._version import __version__

__all__ = ["__version__"]


def _one_blas_thread() -> None:
    """Ask NumPy's BLAS for one thread, unless the user chose a number.

    LR Desk's matrices are 2 x 2 and its batches are elementwise: extra BLAS threads never get
    work worth sharing, yet they spin after each call and take a core from the window and the
    descent worker. The variables are read when NumPy loads; every entry point (the command,
    ``python -m lrdesk``, the packaged build) imports this package before NumPy.
    """
    for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(name, "1")


_one_blas_thread()
