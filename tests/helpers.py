"""Set-ups shared by the GUI tests: shown widgets and windows that close leaving no thread behind.

Qt is imported inside the functions, so that core-only test modules can import this one too.
"""

from __future__ import annotations

import gc

import pytest


def running_qthreads() -> list:
    """The QThreads still running (after a garbage collection, so finished ones are gone)."""
    from PySide6.QtCore import QThread

    gc.collect()
    return [t for t in gc.get_objects() if isinstance(t, QThread) and t.isRunning()]


def assert_no_running_qthread() -> None:
    running = running_qthreads()
    assert not running, f"QThreads still running: {running}"


@pytest.fixture(autouse=True)
def no_qthread_left():
    """Imported by a test module: every QThread made in one of its tests has finished by its end."""
    yield
    assert_no_running_qthread()


def show_widget(qtbot, widget, size: tuple[int, int] | None = None):
    """Register ``widget`` to be closed after the test, size it, show it, wait until it is shown."""
    qtbot.addWidget(widget)
    if size is not None:
        widget.resize(*size)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def show_window(qtbot, spec=None, size: tuple[int, int] | None = None, settings=None):
    """A shown main window of ``spec`` (None: the default experiment)."""
    from lrdesk.gui.window.main_window import MainWindow

    return show_widget(qtbot, MainWindow(settings=settings, spec=spec), size)


def close_windows(windows) -> None:
    """Close every window; then no thread of theirs may still run."""
    for window in windows:
        window.close()
    assert_no_running_qthread()


def window_fixture(spec=None, size: tuple[int, int] | None = None):
    """A fixture named ``window``: a shown main window of ``spec`` that remembers no settings,
    closed after the test with no thread left running."""

    @pytest.fixture(name="window")
    def window(qtbot):
        shown = show_window(qtbot, spec, size)
        yield shown
        close_windows([shown])

    return window


def view_fixture(name: str, make, size: tuple[int, int]):
    """A fixture named ``name``: ``make()`` shown at ``size``, its worker shut down afterwards."""

    @pytest.fixture(name=name)
    def view(qtbot):
        shown = show_widget(qtbot, make(), size)
        yield shown
        shown.shutdown()

    return view
