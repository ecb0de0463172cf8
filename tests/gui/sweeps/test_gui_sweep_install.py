"""The sweep, the regime map and the stability colours inside the real main window."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import close_windows, running_qthreads
from PySide6.QtGui import QColor, QKeySequence
from PySide6.QtWidgets import QDockWidget

from lrdesk.core.experiment.spec import ExperimentSpec, RunSpec
from lrdesk.core.theory.stability import stability_classes
from lrdesk.gui.canvas import stability_overlay
from lrdesk.gui.canvas.stability_overlay import CLASS_STYLES, StabilityOverlay
from lrdesk.gui.sweeps import map_view, sweep_view
from lrdesk.gui.sweeps.common import MAP_TOOL
from lrdesk.gui.sweeps.map_view import MapView
from lrdesk.gui.sweeps.sweep_view import SweepView
from lrdesk.gui.window.main_window import MainWindow

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support (propagateSizeHints|raise)\(\)")


@pytest.fixture
def make_window(qtbot):
    windows = []

    def make(spec: ExperimentSpec | None = None):
        window = MainWindow(settings=None, spec=spec)
        qtbot.addWidget(window)
        window.resize(1300, 900)
        views = (sweep_view.install(window.link, window.dock_site),
                 map_view.install(window.link, window.dock_site), stability_overlay.install(window))
        window.show()
        qtbot.waitExposed(window)
        windows.append(window)
        return (window, *views)

    yield make
    close_windows(windows)


def computed(qtbot, window) -> None:
    qtbot.waitUntil(lambda: window.recording().all_ended, timeout=20_000)


def action(window, menu: str, text: str):
    return next(a for a in window.menu(menu).actions() if a.text() == text)


def test_install_adds_menu_actions_and_hidden_docks_once(make_window):
    window, sweep, grid, overlay = make_window()
    tools = action(window, "Tools", "Learning-rate sweep")
    assert tools.shortcut() == QKeySequence("Ctrl+Shift+S")
    assert action(window, "Tools", "Regime map").shortcut() == QKeySequence("Ctrl+Shift+M")
    colours = action(window, "View", "Stability colours")
    assert colours.isCheckable() and not colours.isChecked()
    for a in (tools, colours):
        assert a.toolTip()
    dock = sweep.parentWidget()
    assert not dock.isVisible()
    tools.trigger()
    assert dock.isVisible() and sweep.isVisible()
    # installing again (the window's own installer list may do it too) changes nothing
    assert sweep_view.install(window.link, window.dock_site) is sweep
    assert map_view.install(window.link, window.dock_site) is grid
    assert stability_overlay.install(window) is overlay
    assert len(window.findChildren(SweepView)) == 1 and len(window.findChildren(MapView)) == 1
    assert len(window.findChildren(StabilityOverlay)) == 1


def test_a_new_window_builds_the_sweep_and_the_map_only_when_first_shown(qtbot):
    window = MainWindow(settings=None)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    assert not window.findChildren(SweepView) and not window.findChildren(MapView)
    action(window, "Tools", "Learning-rate sweep").trigger()
    sweep = window.findChild(SweepView)
    assert sweep is not None and sweep.isVisible() and sweep.parentWidget().isVisible()
    assert sweep.run_bar.run_button.hasFocus() or not window.isActiveWindow()
    assert sweep_view.install(window.link, window.dock_site) is sweep  # the installer finds the view it built
    assert not window.findChildren(MapView)
    # opened from the Panels menu, the map waits behind the sweep's tab until its tab is chosen
    toggle = next(a for a in window.actions_.panels_menu.actions() if a.text() == "Regime map")
    toggle.trigger()
    dock = window.findChild(QDockWidget, MAP_TOOL.dock_name)
    assert not dock.isHidden() and not window.findChildren(MapView)
    dock.raise_()
    qtbot.waitUntil(lambda: window.findChild(MapView) is not None)
    grid = window.findChild(MapView)
    qtbot.waitUntil(grid.isVisible)
    assert grid.result() is None and grid._spec == window.spec()
    tools = [a.text() for a in window.menu("Tools").actions()]
    assert tools.count("Learning-rate sweep") == 1 and tools.count("Regime map") == 1
    close_windows([window])


def test_a_chosen_rate_becomes_a_run_with_the_selected_runs_optimizer(qtbot, make_window):
    spec = ExperimentSpec(function="bowl", start=(4.0, 3.0),
                          runs=(RunSpec(0.1, "momentum", (("momentum", 0.5),)),), steps=200)
    window, sweep, _grid, _overlay = make_window(spec)
    action(window, "Tools", "Learning-rate sweep").trigger()
    sweep.set_count(40)
    with qtbot.waitSignal(sweep.sweep_finished, timeout=20_000):
        sweep.run_sweep()
    rate = float(sweep.result().learning_rates[17])
    sweep.learning_rate_chosen.emit(rate)
    runs = window.spec().runs
    assert len(runs) == 2 and runs[-1].learning_rate == rate
    assert runs[-1].optimizer == "momentum" and dict(runs[-1].hypers)["momentum"] == 0.5
    assert window.selected_run() == 1
    # the same settings: the sweep stays on screen after the click
    assert sweep.result() is not None


def test_map_cells_load_as_runs_or_as_the_valley(qtbot, make_window):
    window, _sweep, grid, _overlay = make_window()
    action(window, "Tools", "Regime map").trigger()
    grid.set_cells(20, 8)
    with qtbot.waitSignal(grid.map_finished, timeout=20_000) as blocker:
        grid.run_map()
    result = blocker.args[0]
    grid.configuration_chosen.emit(result.choice(3, 7))
    run = window.spec().runs[-1]
    assert run.optimizer == "momentum" and run.learning_rate == result.x.values[7]
    assert dict(run.hypers)["momentum"] == pytest.approx(result.y.values[3])
    assert grid.result() is result  # loading a cell of the map keeps the map

    grid.set_axis("condition")
    with qtbot.waitSignal(grid.map_finished, timeout=20_000) as blocker:
        grid.run_map()
    result = blocker.args[0]
    choice = result.choice(5, 11)
    grid.configuration_chosen.emit(choice)
    spec = window.spec()
    assert spec.function == "ill_conditioned" and spec.start == (-4.0, 3.0)
    assert dict(spec.function_params)["condition"] == pytest.approx(result.y.values[5])
    assert spec.runs[-1].learning_rate == result.x.values[11]
    assert window.selected_run() == len(spec.runs) - 1
    assert grid.result() is result


def test_stability_colours_follow_the_core_classes(qtbot, make_window):
    spec = ExperimentSpec(runs=(RunSpec(0.01), RunSpec(0.3), RunSpec(0.7)), steps=60)
    window, _sweep, _grid, overlay = make_window(spec)
    computed(qtbot, window)
    window.set_step(spec.steps)
    action(window, "View", "Stability colours").setChecked(True)
    assert all(curve.isVisible() for curve in overlay.curves) and overlay.legend.isVisible()
    function = window.function()
    expected = np.zeros(3, dtype=int)
    for history in window.histories():
        n = history.row_at_or_before(spec.steps) + 1
        classes = stability_classes(function, history.positions[:n], history.learning_rates[:n])
        expected += np.bincount(classes[: n - 1], minlength=3)
    drawn = [len(curve.getData()[0]) // 2 for curve in overlay.curves]
    # λ = 2: α·λ is 0.02, 0.6 and 1.4, so the runs fall in classes 0, 0 and 1
    assert drawn == expected.tolist() and drawn[1] > 0 and drawn[2] == 0
    for curve, (color, _w, _t) in zip(overlay.curves, CLASS_STYLES, strict=True):
        assert curve.opts["pen"].color() == QColor(color)
    # the playhead limits what is coloured
    window.set_step(10)
    overlay.refresh()
    assert sum(len(c.getData()[0]) // 2 for c in overlay.curves) == 3 * 10
    action(window, "View", "Stability colours").setChecked(False)
    assert not any(curve.isVisible() for curve in overlay.curves)


def test_only_new_rows_are_classified(qtbot, make_window, monkeypatch):
    spec = ExperimentSpec(function="rosenbrock", start=(-1.5, 2.0),
                          runs=(RunSpec(1e-3), RunSpec(2.1e-3)), steps=300)
    window, _sweep, _grid, overlay = make_window(spec)
    computed(qtbot, window)
    calls = []
    real = stability_overlay.stability_classes

    def counting(function, positions, rates):
        calls.append(len(positions))
        return real(function, positions, rates)

    monkeypatch.setattr(stability_overlay, "stability_classes", counting)
    window.set_step(spec.steps)
    overlay.set_enabled(True)
    first = list(calls)
    assert sum(first) == sum(len(h) for h in window.histories())
    overlay.refresh()
    overlay.refresh()
    assert calls == first  # nothing new: nothing recomputed


def test_the_views_follow_the_theme(qtbot, make_window):
    window, sweep, grid, _overlay = make_window()
    window.set_theme("dark")
    qtbot.waitUntil(lambda: sweep._theme.name == "dark" and grid._theme.name == "dark")
    assert sweep.plot_widget.backgroundBrush().color() == QColor("#15181C")
    window.set_theme("light")
    qtbot.waitUntil(lambda: sweep._theme.name == "light")


def test_closing_the_window_mid_sweep_stops_the_threads(qtbot, make_window):
    spec = ExperimentSpec(function="rosenbrock", start=(-1.5, 2.0), runs=(RunSpec(1e-3),),
                          steps=10_000_000)
    window, sweep, grid, _overlay = make_window(spec)
    sweep.set_count(5000)
    with qtbot.waitSignal(sweep.runner.partial_result, timeout=20_000):
        sweep.run_sweep()
    with qtbot.waitSignal(grid.runner.partial_result, timeout=20_000):
        grid.run_map()
    window.close()
    assert not sweep.runner.is_busy() and not grid.runner.is_busy()
    assert not running_qthreads()


def test_stability_colours_draw_nothing_until_first_switched_on(qtbot, make_window):
    window, _sweep, _grid, overlay = make_window()
    items = list(window.canvas.plot_widget.getPlotItem().items)
    overlay.set_enabled(False)  # switching off what was never on changes nothing
    window.set_theme("dark")
    assert overlay.legend is None and not overlay.curves
    assert list(window.canvas.plot_widget.getPlotItem().items) == items
    action(window, "View", "Stability colours").setChecked(True)
    assert len(overlay.curves) == len(CLASS_STYLES) and overlay.legend.isVisible()
    assert overlay.legend.items[0][1].text == CLASS_STYLES[0][2]
    action(window, "View", "Stability colours").setChecked(False)
    assert not overlay.legend.isVisible()
