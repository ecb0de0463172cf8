"""The main window: it composes the parts, wires their signals, and owns menus, files, banner and look."""
