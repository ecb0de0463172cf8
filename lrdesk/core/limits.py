"""Bounds on user input shared by the spec, the command line and the window (no imports)."""

#: The largest learning rate accepted anywhere: past it every surface here diverges at once.
MAX_LEARNING_RATE = 1e6
