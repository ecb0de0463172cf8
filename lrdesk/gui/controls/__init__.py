"""The experiment controls: surface and start, one row per run with its learning-rate control, the formula editor."""
