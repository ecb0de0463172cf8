"""The real main window, driven as a user would: play, step, scrub, change rates, files, close."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from helpers import close_windows, running_qthreads, show_window
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QApplication, QMessageBox

from lrdesk.core.experiment.spec import ExperimentSpec, RunSpec, SpecError, dumps, loads
from lrdesk.core.optim.schedules import ScheduleSpec
from lrdesk.gui.live.playback import SPEEDS
from lrdesk.gui.settings import Settings
from lrdesk.gui.window.main_window import DEFAULT_SIZE, MainWindow

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support (propagateSizeHints|raise)\(\)")
SHOTS = Path(__file__).resolve().parents[3] / "shots"


@pytest.fixture
def make_window(qtbot):
    """Windows that are closed at the end, leaving no thread behind."""
    windows: list[MainWindow] = []

    def make(spec: ExperimentSpec | None = None, remember: bool = True) -> MainWindow:
        window = show_window(qtbot, spec, settings=Settings() if remember else None)
        windows.append(window)
        return window

    yield make
    close_windows(windows)


@pytest.fixture
def window(make_window) -> MainWindow:
    return make_window()


def computed(qtbot, window: MainWindow, timeout: int = 20_000) -> None:
    qtbot.waitUntil(lambda: window.recording().all_ended, timeout=timeout)


def play_to_end(qtbot, window: MainWindow, timeout: int = 20_000) -> None:
    window.playback_bar.speed_slider.setValue(len(SPEEDS) - 1)
    window.play()
    qtbot.waitUntil(
        lambda: window.playback.at_end() and window.revealed_events() == window.events(),
        timeout=timeout,
    )


def shot(qtbot, window: MainWindow, name: str) -> None:
    qtbot.waitUntil(lambda: not window.frames.is_pending())  # both plots and the table caught up
    SHOTS.mkdir(exist_ok=True)
    QApplication.processEvents()
    assert window.grab().save(str(SHOTS / f"{name}.png"))


# ------------------------------------------------------------------------------------------
# The first-run lesson
# ------------------------------------------------------------------------------------------
def test_first_run_shows_three_rates_side_by_side(qtbot, window):
    spec = window.spec()
    assert spec == ExperimentSpec()
    assert [run.learning_rate for run in spec.runs] == [0.01, 0.1, 1.1]
    assert window.runs_table.run_count() == 3
    assert window.function().key == "quadratic"
    assert window.theory().lr_max_stable == pytest.approx(1.0)
    assert "Stable limit" in window.theory_label.text()
    qtbot.waitUntil(window.banner.isVisible)
    assert "Play" in window.banner.text()  # the hint


def test_the_window_paints_before_the_runs_are_drawn(qtbot, monkeypatch):
    """A new window is on screen first (with its hint); the runs are drawn right after."""
    import lrdesk.gui.window.drawing as drawing

    monkeypatch.setattr(drawing, "FIRST_PAINT_WAIT_MS", 60_000)  # only the paint frees it
    window = MainWindow(settings=None)
    qtbot.addWidget(window)
    assert window.frames.is_held() and window.banner.isVisibleTo(window)
    computed(qtbot, window)  # the worker does not wait for the paint ...
    assert window.frames.is_held()  # ... the drawing does
    assert not any(path.head.isVisible() for path in window.canvas._paths)
    window.show()
    qtbot.waitUntil(lambda: not window.frames.is_held())
    computed(qtbot, window)
    qtbot.waitUntil(lambda: not window.frames.is_pending())
    # the step-0 frame: every run's start point is marked (and only the markers that hold a
    # point are shown)
    for path in window.canvas._paths:
        assert len(path.head.data) == 1 and path.head.isVisible()
        assert len(path.alarm.data) == 0 and not path.alarm.isVisible()
    close_windows([window])


def test_a_window_never_shown_still_draws(qtbot, monkeypatch):
    import lrdesk.gui.window.drawing as drawing

    monkeypatch.setattr(drawing, "FIRST_PAINT_WAIT_MS", 100)
    window = MainWindow(settings=None)
    qtbot.addWidget(window)
    computed(qtbot, window)
    qtbot.waitUntil(lambda: not window.frames.is_held())  # after FIRST_PAINT_WAIT_MS
    qtbot.waitUntil(lambda: not window.frames.is_pending())
    assert all(len(path.head.data) == 1 for path in window.canvas._paths)
    close_windows([window])


def test_play_until_the_divergence_banner_appears(qtbot, window):
    window.playback_bar.speed_slider.setValue(SPEEDS.index(500))
    window.play()
    qtbot.waitUntil(lambda: window.banner.isVisible() and window.banner.level() == "alarm", timeout=20_000)
    event = window.events()[2]
    assert event.verdict == "diverged"
    assert window.current_step() >= event.step
    text = window.banner.text()
    assert text.startswith("Run 3, learning rate 1.1: the loss grew from 25 to")
    assert f"in {event.step} steps" in text and "stable limit" in text
    assert window.runs_table.model.row(2).verdict == "diverged"
    # the other runs go on
    assert 0 not in window.revealed_events() or window.revealed_events()[0].step > event.step
    window.pause()
    qtbot.waitUntil(lambda: not window.frames.is_pending())
    assert window.runs_table.model.row(0).step == window.current_step()
    shot(qtbot, window, "window_divergence_banner")


def test_play_to_the_end_reveals_every_verdict(qtbot, window):
    play_to_end(qtbot, window)
    assert not window.is_playing()
    verdicts = {run: e.verdict for run, e in window.revealed_events().items()}
    assert verdicts == {0: "slow", 1: "converged", 2: "diverged"}
    assert window.banner.level() == "alarm"  # the most urgent notice stays in view
    assert window.current_step() == window.spec().steps
    shot(qtbot, window, "window_default_end")


def test_dismissing_a_notice_shows_the_next_one(qtbot, window):
    play_to_end(qtbot, window)
    window.banner.close_button.click()
    assert window.banner.isVisible() and window.banner.level() == "warning"
    assert window.banner.text().startswith("Run 1, learning rate 0.01")


def test_step_and_step_back_move_one_recorded_row(qtbot, window):
    computed(qtbot, window)
    qtbot.keyClick(window, Qt.Key.Key_Right)
    qtbot.keyClick(window, Qt.Key.Key_Right)
    assert window.current_step() == 2
    qtbot.keyClick(window, Qt.Key.Key_Left)
    assert window.current_step() == 1
    qtbot.waitUntil(lambda: window.runs_table.model.row(0).step == 1)
    window.step_back()
    window.step_back()
    assert window.current_step() == 0


def test_step_back_hides_a_verdict_again(qtbot, window):
    computed(qtbot, window)
    bad = window.events()[2].step
    window.actions_.jump_bad.trigger()
    assert window.current_step() == bad
    qtbot.waitUntil(lambda: 2 in window.revealed_events())
    assert window.banner.level() == "alarm"
    window.step_back()
    qtbot.waitUntil(lambda: 2 not in window.revealed_events())
    assert window.runs_table.model.row(2).verdict is None
    assert window.current_step() == bad - 1


def test_scrub_the_timeline(qtbot, window):
    computed(qtbot, window)
    window.play()
    window.playback_bar.timeline.setValue(50)
    assert window.current_step() == 50
    assert not window.is_playing()
    qtbot.waitUntil(lambda: window.runs_table.model.row(0).step == 50)
    assert window.playback_bar.step_label.text() == "Step 50 of 100"
    shot(qtbot, window, "window_mid_playback")


def test_space_plays_and_pauses_and_r_resets(qtbot, window):
    computed(qtbot, window)
    qtbot.keyClick(window, Qt.Key.Key_Space)
    assert window.is_playing()
    qtbot.waitUntil(lambda: window.current_step() > 0)
    qtbot.keyClick(window, Qt.Key.Key_Space)
    assert not window.is_playing()
    qtbot.keyClick(window, Qt.Key.Key_R)
    assert window.current_step() == 0


def test_change_the_learning_rate_of_the_selected_run(qtbot, window):
    computed(qtbot, window)
    window.runs_table.view.selectRow(2)
    assert window.selected_run() == 2
    spin = window.lr_control.spin
    spin.lineEdit().selectAll()
    qtbot.keyClicks(spin.lineEdit(), "0.9")
    with qtbot.waitSignal(window.spec_changed, timeout=5000) as blocker:
        qtbot.keyClick(spin.lineEdit(), Qt.Key.Key_Return)
    spec = blocker.args[0]
    assert [run.learning_rate for run in spec.runs] == [0.01, 0.1, 0.9]
    play_to_end(qtbot, window)
    assert window.events()[2].verdict != "diverged"  # 0.9 is below the limit of 1.0
    shot(qtbot, window, "window_run_selected")


def test_x10_button_changes_the_rate(qtbot, window):
    with qtbot.waitSignal(window.spec_changed, timeout=5000):
        qtbot.mouseClick(window.lr_control.up_button, Qt.MouseButton.LeftButton)
    assert window.spec().runs[0].learning_rate == pytest.approx(0.1)


def test_changing_a_control_while_playing_restarts_from_the_start(qtbot, window):
    window.playback_bar.speed_slider.setValue(SPEEDS.index(100))
    window.play()
    qtbot.waitUntil(lambda: window.current_step() > 10)
    at_change = []  # read as the new spec is announced: no wall-clock race with the playback
    window.spec_changed.connect(lambda _spec: at_change.append((window.current_step(), window.is_playing())))
    window.controls.steps_box.setValue(60)
    qtbot.waitUntil(lambda: window.spec().steps == 60, timeout=5000)
    assert at_change == [(0, True)]
    play_to_end(qtbot, window)
    assert window.current_step() == 60


def test_changing_a_control_while_paused_keeps_the_playhead(qtbot, window):
    computed(qtbot, window)
    window.set_step(40)
    with qtbot.waitSignal(window.spec_changed, timeout=5000):
        window.controls.function_params.input("a").setValue(0.25)
    assert window.current_step() == 40
    computed(qtbot, window)
    # a flatter parabola (a = 1/4) quadruples the stable limit: 1.1 no longer diverges
    assert window.theory().lr_max_stable == pytest.approx(4.0)
    assert "diverged" not in {e.verdict for e in window.events().values()}


def test_switch_to_a_surface_picks_its_own_rates(qtbot, window):
    picker = window.controls.function_picker
    with qtbot.waitSignal(window.spec_changed, timeout=5000) as blocker:
        picker.setCurrentIndex(picker.findData("rosenbrock"))
        picker.activated.emit(picker.currentIndex())
    spec = blocker.args[0]
    assert spec.function == "rosenbrock"
    assert len(spec.start) == 2 and len(spec.runs) == 3
    limit = window.theory().lr_max_stable
    rates = [run.learning_rate for run in spec.runs]
    assert rates[0] < limit and rates[1] < limit < rates[2]
    assert window.controls.start_boxes[1].isVisibleTo(window.controls)
    window.controls.steps_box.setValue(3000)
    qtbot.waitUntil(lambda: window.spec().steps == 3000, timeout=5000)
    play_to_end(qtbot, window)
    shot(qtbot, window, "window_rosenbrock")


def test_clicking_the_canvas_moves_the_start(qtbot, window):
    with qtbot.waitSignal(window.spec_changed, timeout=5000):
        window.canvas.start_point_requested.emit((-3.0,))
    assert window.spec().start == (-3.0,)
    assert window.controls.start_boxes[0].value() == -3.0
    computed(qtbot, window)
    assert window.histories()[0].positions[0, 0] == -3.0


def test_add_duplicate_remove_runs_up_to_eight(qtbot, window):
    table = window.runs_table
    for _ in range(5):
        table.add_button.click()
    assert len(window.spec().runs) == 8
    assert not table.add_button.isEnabled()
    rates = [run.learning_rate for run in window.spec().runs]
    assert len(set(rates)) == 8  # each added run has a rate of its own
    window.add_run(RunSpec(0.3))
    assert len(window.spec().runs) == 8
    assert "Cannot add" in window.statusBar().currentMessage()
    table.view.selectRow(1)
    table.remove_button.click()
    assert len(window.spec().runs) == 7
    table.view.selectRow(0)
    table.duplicate_button.click()
    spec = window.spec()
    assert spec.runs[-1] == spec.runs[0] and window.selected_run() == 7
    computed(qtbot, window)
    assert len(window.histories()) == 8


def test_optimizer_of_the_selected_run(qtbot, window):
    picker = window.run_controls.optimizer_picker
    with qtbot.waitSignal(window.spec_changed, timeout=5000):
        picker.setCurrentIndex(picker.findData("adam"))
        picker.activated.emit(picker.currentIndex())
    run = window.spec().runs[0]
    assert run.optimizer == "adam"
    assert [f.name for f in window.run_controls.hypers.fields()] == ["beta1", "beta2", "eps", "amsgrad"]
    assert window.lr_control.theory() == (None, None)  # the plain-descent limits do not apply
    with qtbot.waitSignal(window.spec_changed, timeout=5000):
        window.run_controls.hypers.input("amsgrad").setChecked(True)
    assert dict(window.spec().runs[0].hypers) == {"amsgrad": 1.0}


def test_schedule_and_tolerance_controls(qtbot, window):
    controls = window.controls
    with qtbot.waitSignal(window.spec_changed, timeout=5000):
        controls.schedule_picker.setCurrentIndex(controls.schedule_picker.findData("step"))
        controls.schedule_picker.activated.emit(controls.schedule_picker.currentIndex())
    assert window.spec().schedule.kind == "step"
    with qtbot.waitSignal(window.spec_changed, timeout=5000):
        controls.schedule_params.input("gamma").setValue(0.25)
        controls.warmup_steps_box.setValue(5)
        controls.tolerance_box.setValue(1e-3)
    spec = window.spec()
    assert dict(spec.schedule.params) == {"gamma": 0.25}
    assert spec.schedule.warmup_steps == 5 and spec.tolerance == 1e-3


def test_number_boxes_take_scientific_notation(qtbot, window):
    box = window.controls.tolerance_box
    box.lineEdit().selectAll()
    qtbot.keyClicks(box.lineEdit(), "3e-9")
    qtbot.keyClick(box.lineEdit(), Qt.Key.Key_Return)
    assert box.value() == 3e-9
    assert box.text() == "3e-09"
    qtbot.waitUntil(lambda: window.spec().tolerance == 3e-9, timeout=5000)


# ------------------------------------------------------------------------------------------
# Files and settings
# ------------------------------------------------------------------------------------------
def test_save_and_open_round_trip(qtbot, window, tmp_path, monkeypatch):
    asked = []
    monkeypatch.setattr(QMessageBox, "exec", lambda box: asked.append(box.text()) or QMessageBox.StandardButton.Discard)
    spec = ExperimentSpec(function="bowl", start=(3.0, -2.0), runs=(RunSpec(0.2), RunSpec(0.9, "momentum")))
    window.set_spec(spec)
    path = tmp_path / "lesson.lrdesk.json"
    assert window.file_actions.save_to(str(path))
    assert loads(path.read_text()) == spec
    assert window.windowTitle().startswith("lesson.lrdesk.json")
    window.set_spec(ExperimentSpec())
    assert window.isWindowModified()
    assert window.file_actions.open_path(str(path))
    assert asked == ["“lesson.lrdesk.json” has changes that are not saved."]
    assert window.spec() == spec and not window.isWindowModified()


def test_a_typed_function_from_a_file_is_worked_out_off_the_gui_thread(qtbot, window, tmp_path,
                                                                      monkeypatch):
    import threading

    from lrdesk.core.expressions import custom

    builds = []
    real_build = custom.CompiledExpression

    def watched(parsed):
        builds.append(threading.current_thread() is threading.main_thread())
        return real_build(parsed)

    monkeypatch.setattr(custom, "CompiledExpression", watched)
    spec = ExperimentSpec(function="custom", expression="x^2 + 7*y^2 + 0.25*x*y", start=(2.0, 1.0),
                          runs=(RunSpec(0.05),))
    path = tmp_path / "typed.lrdesk.json"
    path.write_text(dumps(spec))
    before = window.spec()
    assert window.file_actions.open_path(str(path))
    assert window.spec() == before and window.file_actions.is_opening()  # not built here
    qtbot.waitUntil(lambda: window.spec() == spec, timeout=20_000)
    assert builds == [False]  # built once, in the background; the window used the cache
    assert window.windowTitle().startswith("typed.lrdesk.json")
    bad = tmp_path / "bad_typed.lrdesk.json"
    bad.write_text(dumps(ExperimentSpec(function="custom", expression="w^2", start=(1.0, 2.0))))
    assert window.file_actions.open_path(str(bad))  # the function is fine, the start is not
    qtbot.waitUntil(lambda: not window.file_actions.is_opening(), timeout=20_000)
    box = window.file_actions.message_box
    assert box is not None and box.isVisible() and "start" in box.informativeText().lower()
    assert window.spec() == spec
    box.close()


@pytest.mark.parametrize(
    ("content", "words"),
    [
        ("{not json", "not valid JSON"),
        (json.dumps({"format": "something-else", "version": 1}), "not an LR Desk experiment"),
        ("NEWER", "newer LR Desk"),
        ("BADSTEPS", "steps"),
    ],
)
def test_a_bad_file_says_why_and_changes_nothing(qtbot, window, tmp_path, content, words):
    data = json.loads(dumps(ExperimentSpec()))
    if content == "NEWER":
        content = json.dumps({**data, "version": 99})
    elif content == "BADSTEPS":
        content = json.dumps({**data, "steps": -5})
    path = tmp_path / "bad.lrdesk.json"
    path.write_text(content)
    before = window.spec()
    assert not window.file_actions.open_path(str(path))
    box = window.file_actions.message_box
    assert isinstance(box, QMessageBox) and box.isVisible()
    assert words.lower() in (box.text() + " " + box.informativeText()).lower()
    assert window.spec() == before
    box.close()


def test_set_spec_refuses_a_bad_spec_and_keeps_the_old(window):
    before = window.spec()
    with pytest.raises(SpecError):
        window.set_spec(ExperimentSpec(runs=(RunSpec(-1.0),)))
    assert window.spec() == before


def test_dropping_a_file_opens_it(qtbot, window, tmp_path):
    spec = ExperimentSpec(runs=(RunSpec(0.3),))
    path = tmp_path / "dropped.lrdesk.json"
    path.write_text(dumps(spec))
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    event = QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                       Qt.KeyboardModifier.NoModifier)
    window.dropEvent(event)
    assert window.spec() == spec


def test_settings_are_remembered_between_sessions(qtbot, make_window):
    first = make_window()
    spec = ExperimentSpec(function="double_well", start=(1.5,), runs=(RunSpec(0.05), RunSpec(0.2)))
    first.set_spec(spec)
    first.set_theme("dark")
    first.look.zoom_by(+1)
    first.playback_bar.speed_slider.setValue(SPEEDS.index(200))
    first.resize(1000, 700)
    first.close()
    assert QApplication.font().pointSizeF() == first.look.base_font.pointSizeF()  # zoom undone
    second = make_window()
    assert second.spec() == spec
    assert second.look.theme_name == "dark"
    assert second.actions_.theme_actions["dark"].isChecked()
    assert second.look.zoom > 1.0
    assert second.playback.speed() == 200 and second.playback_bar.speed() == 200
    assert Settings().geometry() is not None
    assert (second.width(), second.height()) != DEFAULT_SIZE  # the offscreen screen caps the size
    second.set_theme("light")


def test_a_remembered_typed_function_is_worked_out_off_the_gui_thread(qtbot, make_window,
                                                                      monkeypatch):
    import threading

    from lrdesk.core.expressions import custom

    spec = ExperimentSpec(function="custom", expression="x^2 + 6*y^2 + 0.5*x*y - 0.1*y",
                          start=(2.0, 1.0), runs=(RunSpec(0.05),))
    settings = Settings()
    settings.set_last_experiment(spec)
    settings.sync()
    builds = []
    real_build = custom.CompiledExpression

    def watched(parsed):
        builds.append(threading.current_thread() is threading.main_thread())
        return real_build(parsed)

    monkeypatch.setattr(custom, "CompiledExpression", watched)
    window = make_window()
    assert window.spec() == ExperimentSpec() and window.file_actions.is_opening()
    qtbot.waitUntil(lambda: window.spec() == spec, timeout=20_000)
    assert builds == [False]  # built once, in the background
    assert window.file_actions.path == "" and window.windowTitle().startswith("LR Desk")


def test_a_window_without_settings_remembers_nothing(make_window):
    first = make_window(remember=False)
    first.set_spec(ExperimentSpec(runs=(RunSpec(0.5),)))
    first.close()
    assert Settings().last_experiment() is None


def test_recent_files_menu(qtbot, window, tmp_path):
    path = tmp_path / "recent.lrdesk.json"
    window.file_actions.save_to(str(path))
    menu = window.file_actions.recent_menu
    menu.aboutToShow.emit()
    titles = [a.text() for a in menu.actions()]
    assert titles == ["recent.lrdesk.json"]


# ------------------------------------------------------------------------------------------
# The look
# ------------------------------------------------------------------------------------------
def test_dark_theme(qtbot, window):
    window.set_theme("dark")
    play_to_end(qtbot, window)
    background = window.palette().color(window.backgroundRole())
    assert background.lightnessF() < 0.3
    shot(qtbot, window, "window_dark")
    window.set_theme("light")


def test_zoom_for_a_projector(qtbot, window):
    base = QApplication.font().pointSizeF()
    qtbot.keyClick(window, Qt.Key.Key_Equal, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(window, Qt.Key.Key_Equal, Qt.KeyboardModifier.ControlModifier)
    assert QApplication.font().pointSizeF() == pytest.approx(base * 1.3, rel=0.02)
    play_to_end(qtbot, window)
    shot(qtbot, window, "window_zoomed")
    window.resize(1920, 1080)  # a projector
    shot(qtbot, window, "window_zoomed_1080p")
    qtbot.keyClick(window, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    assert QApplication.font().pointSizeF() == pytest.approx(base * 1.15, rel=0.02)
    qtbot.keyClick(window, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)
    assert QApplication.font().pointSizeF() == pytest.approx(base)


def test_every_control_has_a_tooltip(window):
    from PySide6.QtWidgets import (
        QAbstractButton,
        QAbstractSlider,
        QAbstractSpinBox,
        QComboBox,
        QScrollBar,
    )

    def tooltip(widget) -> str:
        action = widget.defaultAction() if hasattr(widget, "defaultAction") else None
        return widget.toolTip() or (action.toolTip() if action is not None else "")

    def untipped() -> list[str]:
        missing = []
        for kind in (QAbstractButton, QAbstractSlider, QAbstractSpinBox, QComboBox):
            for widget in window.findChildren(kind):
                if isinstance(widget, QScrollBar) or widget.objectName().startswith("qt_"):
                    continue  # scroll bars and Qt's own dock buttons
                if widget.isVisibleTo(window) and not tooltip(widget):
                    missing.append(f"{type(widget).__name__} {getattr(widget, 'text', str)()}")
        return missing

    assert not untipped()
    # the controls that only show for some surfaces, optimizers and schedules
    window.set_spec(ExperimentSpec(
        function="rosenbrock", start=(-1.5, 2.0), runs=(RunSpec(1e-3, "adam"), RunSpec(1e-3, "rmsprop")),
        schedule=ScheduleSpec("cosine", warmup_steps=10),
    ))
    assert window.run_controls.hypers.fields()
    assert not untipped()


def test_public_panel_api(qtbot, window):
    from PySide6.QtWidgets import QLabel

    dock = window.add_panel(QLabel("extra"), "Extra panel")
    assert dock.isVisibleTo(window) and dock.objectName() == "dock_extra_panel"
    second = window.add_panel(QLabel("more"), "More")
    assert second in window.tabifiedDockWidgets(dock)
    tools = window.menu("Tools")
    assert window.menu("&tools") is tools
    assert window.menu("File") is window.actions_.file_menu
    seen = []
    window.step_changed.connect(seen.append)
    window.history_updated.connect(lambda: seen.append("history"))
    specs = []
    window.spec_changed.connect(specs.append)
    window.set_spec(ExperimentSpec(steps=50))
    assert specs == [window.spec()]
    computed(qtbot, window)
    window.set_step(5)
    qtbot.waitUntil(lambda: "history" in seen)
    assert 5 in seen


# ------------------------------------------------------------------------------------------
# Closing, and runs that blow up
# ------------------------------------------------------------------------------------------
def test_close_mid_run_leaves_no_thread_and_no_warning(qtbot, make_window):
    spec = ExperimentSpec(runs=tuple(RunSpec(1e-4 * (i + 1)) for i in range(8)), steps=20_000_000, tolerance=0.0)
    window = make_window(spec)
    window.play()
    qtbot.waitUntil(lambda: len(window.histories()[0]) > 500)
    assert window.runner.is_running()
    window.close()
    assert not window.runner.is_alive()
    assert not running_qthreads()


def test_ctrl_q_quits_mid_run(qtbot, make_window):
    window = make_window(ExperimentSpec(steps=10_000_000, tolerance=0.0, runs=(RunSpec(1e-5),)))
    window.play()
    qtbot.waitUntil(lambda: len(window.histories()[0]) > 100)
    qtbot.keyClick(window, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)
    assert not window.isVisible()
    assert not window.runner.is_alive()


def test_runs_that_reach_infinity_do_not_break_the_plots(qtbot, make_window):
    spec = ExperimentSpec(runs=(RunSpec(1e5), RunSpec(50.0), RunSpec(0.1)), steps=200)
    window = make_window(spec)
    play_to_end(qtbot, window)
    events = window.events()
    assert events[0].verdict == "diverged" and events[1].verdict == "diverged"
    low, high = window.loss_plot.y_range()
    assert math.isfinite(low) and math.isfinite(high)
    assert window.banner.level() == "alarm"


def test_smoke_run_from_the_command_line(tmp_path):
    """``lrdesk --smoke OUT.png`` without a display: plays the default lesson, saves, exits 0."""
    import os
    import subprocess
    import sys

    from PySide6.QtGui import QImage

    out = tmp_path / "smoke.png"
    env = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY")}
    env["XDG_CONFIG_HOME"] = str(tmp_path / "config")
    done = subprocess.run(
        [sys.executable, "-m", "lrdesk", "--smoke", str(out)],
        env=env, capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr and "Qt warning" not in done.stderr
    image = QImage(str(out))
    assert (image.width(), image.height()) == (1280, 800)
    assert not (tmp_path / "config").exists()  # the smoke run remembers nothing


def test_an_edit_still_waiting_is_kept_when_a_run_is_added(qtbot, window):
    window.lr_control.up_button.click()  # 0.01 -> 0.1, gathered for a moment before use
    assert window._edit_timer.isActive()
    window.runs_table.add_button.click()
    spec = window.spec()
    assert spec.runs[0].learning_rate == pytest.approx(0.1)
    assert len(spec.runs) == 4


def test_your_own_function_from_the_picker(qtbot, window):
    picker = window.controls.function_picker
    picker.setCurrentIndex(picker.findData("custom"))
    picker.activated.emit(picker.currentIndex())
    assert window.spec().function == "quadratic"  # nothing typed yet: the old function stays
    editor = window.controls.custom_editor()
    assert editor is not None and editor.isVisibleTo(window)
    with qtbot.waitSignal(window.spec_changed, timeout=30_000) as blocker:
        editor.field.setText("x^2 + 10*y^2")
        editor.field.returnPressed.emit()
    spec = blocker.args[0]
    assert spec.function == "custom" and spec.expression == "x^2 + 10*y^2"
    assert len(spec.start) == 2
    # the theory of the typed bowl: curvatures 2 and 20, so the limit is 2/20
    assert window.theory().lr_max_stable == pytest.approx(0.1)
    computed(qtbot, window)
    shot(qtbot, window, "window_custom_function")


QUIT_MID_RUN = """
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from lrdesk.gui.app import create_app, run_app

def quit_mid_run():
    window = next(w for w in QApplication.topLevelWidgets() if w.objectName() == "LRDeskMainWindow")
    if not (window.runner.is_running() and len(window.histories()[0]) > 0):
        QTimer.singleShot(50, quit_mid_run)
        return
    print("quitting mid-run at step", window.recording().frontier(), flush=True)
    window.actions_.quit.trigger()  # what Ctrl+Q does

app = create_app()
QTimer.singleShot(200, quit_mid_run)
sys.exit(run_app(files=[sys.argv[1]]))
"""


def test_quit_mid_run_exits_zero_without_warnings(tmp_path):
    """The whole app, as launched: open a long experiment, play, Ctrl+Q while it computes."""
    import os
    import subprocess
    import sys

    path = tmp_path / "long.lrdesk.json"
    path.write_text(dumps(ExperimentSpec(
        runs=tuple(RunSpec(1e-5 * (i + 1)) for i in range(8)), steps=50_000_000, tolerance=0.0,
    )))
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_CONFIG_HOME": str(tmp_path / "config")}
    done = subprocess.run([sys.executable, "-c", QUIT_MID_RUN, str(path)], env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "quitting mid-run" in done.stdout
    assert done.stderr.strip() == ""  # no Qt warning, no "QThread destroyed while running"
    assert list((tmp_path / "config").rglob("*.ini"))  # settings were saved on the way out
