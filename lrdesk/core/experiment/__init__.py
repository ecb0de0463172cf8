"""An experiment: the frozen spec, its file format, the simulation that plays it, the recorded history, and pure spec edits."""
