"""The Qt window of LR Desk: small views composed by the main window, fed by worker threads.

Subpackages: ``window`` (the main window and its menus, files, look), ``live`` (the descent
worker, playback, runs table, loss plot), ``canvas`` (the loss surface and paths), ``controls``
(experiment and run controls, the formula editor), ``sweeps`` (sweep and regime-map tools),
``lessons`` (lessons and the step table), ``export`` (figures, CSV, GIF), ``shared`` (the lane
off the GUI thread, the panel link, colours, fields, formatting). ``app`` starts the
application, ``settings`` remembers between sessions. Nothing is imported with the package.
"""
