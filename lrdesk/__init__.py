"""LR Desk: see how the learning rate steers gradient descent."""

from lrdesk._version import __version__

__all__ = ["__version__"]
