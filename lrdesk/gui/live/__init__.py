"""The live run: the worker thread, playback, the presenter that feeds the views, the runs table and the loss plot."""
