"""Hundreds of random user actions on the real window: nothing may raise, warn, hang or leak.

Any exception inside a Qt slot fails the test (pytest-qt captures them), any Qt warning fails
it (``qt_log_level_fail``), and after the window closes no QThread may still be running.
"""

from __future__ import annotations

import math
import random

import pytest
from helpers import running_qthreads, show_widget
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from lrdesk.core.experiment.spec import ExperimentSpec
from lrdesk.core.optim.optimizers import OPTIMIZERS
from lrdesk.core.surfaces import FUNCTIONS
from lrdesk.gui.live.playback import SPEEDS
from lrdesk.gui.settings import Settings
from lrdesk.gui.window.main_window import MainWindow

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support (propagateSizeHints|raise)\(\)")
ACTIONS_PER_RUN = 150


class Monkey:
    """Does one random thing to the window at a time, as a restless student would."""

    def __init__(self, window: MainWindow, qtbot, rng: random.Random) -> None:
        self.window, self.qtbot, self.rng = window, qtbot, rng
        self.log: list[str] = []
        self.actions = [
            (6, self.play_or_pause), (4, self.step), (3, self.step_back), (2, self.reset),
            (3, self.scrub), (1, self.jump_bad), (6, self.change_rate), (2, self.multiply_rate),
            (2, self.switch_function), (2, self.add_run), (2, self.remove_run),
            (1, self.duplicate_run), (3, self.select_run), (2, self.change_speed),
            (2, self.change_steps), (2, self.pick_start), (2, self.change_optimizer),
            (1, self.change_parameter), (1, self.toggle_theme), (1, self.zoom),
            (5, self.let_time_pass), (1, self.wait_for_the_worker),
        ]

    def act(self) -> None:
        weights = [w for w, _ in self.actions]
        action = self.rng.choices([a for _, a in self.actions], weights)[0]
        self.log.append(action.__name__)
        action()
        QApplication.processEvents()
        self.check()

    def check(self) -> None:
        window = self.window
        spec = window.spec()
        spec.validate()
        assert len(window.histories()) == len(spec.runs) == window.runs_table.run_count()
        assert 0 <= window.selected_run() < len(spec.runs)
        assert 0 <= window.current_step() <= spec.steps
        assert window.runner.is_alive()

    # --- playback --------------------------------------------------------------------------
    def play_or_pause(self) -> None:
        self.qtbot.keyClick(self.window, Qt.Key.Key_Space)

    def step(self) -> None:
        self.qtbot.keyClick(self.window, Qt.Key.Key_Right)

    def step_back(self) -> None:
        self.qtbot.keyClick(self.window, Qt.Key.Key_Left)

    def reset(self) -> None:
        self.qtbot.keyClick(self.window, Qt.Key.Key_R)

    def scrub(self) -> None:
        timeline = self.window.playback_bar.timeline
        timeline.setValue(self.rng.randint(timeline.minimum(), timeline.maximum()))

    def jump_bad(self) -> None:
        self.window.jump_to_first_bad_step()

    def change_speed(self) -> None:
        self.window.playback_bar.speed_slider.setValue(self.rng.randrange(len(SPEEDS)))

    def let_time_pass(self) -> None:
        for _ in range(self.rng.randint(1, 20)):
            QApplication.processEvents()

    def wait_for_the_worker(self) -> None:
        self.qtbot.waitUntil(lambda: not self.window._edit_timer.isActive(), timeout=5000)
        self.qtbot.waitUntil(lambda: not self.window.runner.is_running(), timeout=30_000)

    # --- the runs -------------------------------------------------------------------------
    def change_rate(self) -> None:
        rate = 10 ** self.rng.uniform(-5, 1)
        spin = self.window.lr_control.spin
        spin.lineEdit().selectAll()
        self.qtbot.keyClicks(spin.lineEdit(), f"{rate:.3g}")
        self.qtbot.keyClick(spin.lineEdit(), Qt.Key.Key_Return)

    def multiply_rate(self) -> None:
        control = self.window.lr_control
        button = self.rng.choice([control.up_button, control.down_button])
        if button.isEnabled():
            button.click()

    def add_run(self) -> None:
        self.window.runs_table.add_button.click()

    def remove_run(self) -> None:
        self.select_run()
        self.window.runs_table.remove_button.click()

    def duplicate_run(self) -> None:
        self.window.runs_table.duplicate_button.click()

    def select_run(self) -> None:
        self.window.runs_table.view.selectRow(self.rng.randrange(len(self.window.spec().runs)))

    def change_optimizer(self) -> None:
        picker = self.window.run_controls.optimizer_picker
        picker.setCurrentIndex(picker.findData(self.rng.choice(list(OPTIMIZERS))))
        picker.activated.emit(picker.currentIndex())

    # --- the experiment --------------------------------------------------------------------
    def switch_function(self) -> None:
        picker = self.window.controls.function_picker
        picker.setCurrentIndex(picker.findData(self.rng.choice(list(FUNCTIONS))))
        picker.activated.emit(picker.currentIndex())

    def change_steps(self) -> None:
        self.window.controls.steps_box.setValue(self.rng.choice([1, 10, 100, 500, 3000, 20_000]))

    def change_parameter(self) -> None:
        form = self.window.controls.function_params
        for field in form.fields():
            low, high = max(field.low, 1e-3), field.high
            form.input(field.name).setValue(self.rng.uniform(low, min(high, 10 * max(low, 1.0))))

    def pick_start(self) -> None:
        function = self.window.function()
        box = function.view_box()
        point = tuple(self.rng.uniform(lo, hi) for lo, hi in box)
        if self.rng.random() < 0.1:  # now and then far outside the picture
            point = tuple(1e6 * v for v in point)
        self.window.canvas.start_point_requested.emit(point)

    def toggle_theme(self) -> None:
        self.window.set_theme("dark" if self.window.look.theme_name == "light" else "light")

    def zoom(self) -> None:
        self.window.look.zoom_by(self.rng.choice([1, -1, 0]))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_actions_then_close(qtbot, seed):
    rng = random.Random(seed)
    window = show_widget(qtbot, MainWindow(settings=Settings()))
    monkey = Monkey(window, qtbot, rng)
    try:
        for _ in range(ACTIONS_PER_RUN):
            monkey.act()
    except BaseException:
        print("actions so far:", monkey.log)
        raise
    # close at once, whatever is going on: mid-run, mid-playback, an edit pending
    window.close()
    assert not window.isVisible()
    assert not running_qthreads()
    assert math.isclose(QApplication.font().pointSizeF(), window.look.base_font.pointSizeF())


def test_the_next_session_opens_what_the_random_one_left(qtbot):
    window = MainWindow(settings=Settings())
    qtbot.addWidget(window)
    monkey = Monkey(window, qtbot, random.Random(7))
    for _ in range(40):
        monkey.act()
    monkey.wait_for_the_worker()
    left = window.spec()
    window.close()
    again = MainWindow(settings=Settings())
    qtbot.addWidget(again)
    assert again.spec() == left
    assert again.spec() != ExperimentSpec() or left == ExperimentSpec()
    again.close()
    assert not running_qthreads()
