"""Data files shipped with LR Desk (icons, lessons); loaded with importlib.resources."""
