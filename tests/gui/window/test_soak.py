"""The soak: 1,000+ random actions on the real window with a heartbeat measuring the event loop.

On top of the restless student of ``test_gui_random`` it opens files (good, malformed, hostile,
a pipe, a folder), types hostile formulas, tries extreme values, starts sweeps and maps and
cancels them mid-way, switches themes, zooms and resizes. It requires no exception (pytest-qt
fails a test on one raised in a slot), no Qt warning (``qt_log_level_fail``), no thread left
and a responsive event loop; it prints the figures (stalls, peak memory) for the record.

The heartbeat is a 10 ms timer; a beat's lateness is how much later than 10 ms after the last
one it came (wall clock), and its work is the CPU time the GUI thread spent since the last beat.
On a machine shared with other busy processes the wall-clock lateness mostly measures waiting for
a core (the same heartbeat, idle for a second before the actions, shows how much), so the goal
is asserted on the GUI thread's own work: no beat may come after more than 250 ms of it. A
sampler (``stall_sampler``) records where the GUI thread was during every late beat, and the
process's resident memory: the summary names the app code behind the longest stalls, and the
memory the soak added is bounded.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import resource
import subprocess
import sys
import time

import numpy as np
import pytest
from helpers import running_qthreads, show_widget
from PySide6.QtCore import QElapsedTimer, QTimer
from PySide6.QtWidgets import QApplication, QDockWidget, QMessageBox
from stall_sampler import StallSampler
from test_gui_random import Monkey

from lrdesk.core.experiment.spec import ExperimentSpec, RunSpec, SpecError, dumps
from lrdesk.core.limits import MAX_LEARNING_RATE
from lrdesk.core.surfaces import CUSTOM
from lrdesk.gui.settings import Settings
from lrdesk.gui.sweeps import map_view, sweep_view
from lrdesk.gui.window.main_window import MainWindow

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support (propagateSizeHints|raise)\(\)")
ACTIONS = 1_000
HEARTBEAT_MS = 10
GOAL_MS = 250.0
#: resident memory the soak may add to the process: a map of 1000 x 1000 cells (the most it
#: takes) holds one batch of a million runs, about 450-550 MB at its peak (measured in the core
#: alone: 557 MB for a whole 500-step map); a sweep of 100,000 rates about 50 MB; eight runs of
#: 20,000 steps and the pictures the rest (the soak measured +160-175 MB without such maps,
#: +570 MB with them)
MEMORY_BOUND_MB = 900.0
HOSTILE_FORMULAS = [
    "abs(abs(w-1)^100-w)^100",  # degree 10,000: refused at once
    "abs((3+sqrt(3)-sqrt(w))^100)",
    "0.5*abs(abs(3))/tanh((log(w))^100)/abs(3+2+log(w)+abs(sqrt(2)))",
    "abs(tanh(abs(abs(abs(3)))/(sqrt(y)+(3)^0.5)^10))",
    "1e-7*w^2", "exp(w)", "w^4 - 3*w^2 + w", "x^2 + 10*y^2", "(1 - x)^2 + 100*(y - x^2)^2",
    "__import__('os')", "x^^2", "9^9^9^9", "w" * 600, "log(0)", "1/0", "sin(w)*cos(x)",
]


class Heartbeat:
    """A 10 ms timer that records how late each beat arrives (the event loop's stalls)."""

    def __init__(self, sampler: StallSampler | None = None) -> None:
        self.sampler = sampler
        self.lateness_ms: list[float] = []
        self.work_ms: list[float] = []
        self._clock = QElapsedTimer()
        self._timer = QTimer()
        self._timer.setInterval(HEARTBEAT_MS)
        self._timer.timeout.connect(self._beat)

    def start(self) -> None:
        self._clock.start()
        self._last = 0
        self._last_cpu = time.thread_time()
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def _beat(self) -> None:
        now, cpu = self._clock.elapsed(), time.thread_time()
        self.lateness_ms.append(max(0.0, now - self._last - HEARTBEAT_MS))
        self.work_ms.append(1000.0 * (cpu - self._last_cpu))
        self._last, self._last_cpu = now, cpu
        if self.sampler is not None:
            self.sampler.beat()


class SoakMonkey(Monkey):
    """The restless student, plus files, formulas, extreme values, sweeps, maps and resizes."""

    def __init__(self, window, qtbot, rng, files) -> None:
        super().__init__(window, qtbot, rng)
        self.files = files
        self.actions += [
            (3, self.open_a_file), (3, self.type_a_formula), (2, self.extreme_values),
            (1, self.sweep_then_cancel), (1, self.map_then_cancel), (2, self.resize),
            (1, self.toggle_theme), (1, self.zoom), (2, self.show_a_panel),
        ]
        self.sweeps = sweep_view.install(window.link, window.dock_site)
        self.maps = map_view.install(window.link, window.dock_site)
        self.work_of: dict[str, float] = {}  # the most GUI-thread CPU time one action took
        self.formulas_used: set[str] = set()  # typed formulas the window ran at some point

    def act(self) -> None:
        before = time.thread_time()
        super().act()
        name = self.log[-1]
        spent = 1000.0 * (time.thread_time() - before)
        self.work_of[name] = max(self.work_of.get(name, 0.0), spent)
        if self.window.spec().function == CUSTOM:
            self.formulas_used.add(self.window.spec().expression)

    def open_a_file(self) -> None:
        self.window.file_actions.open_path(self.rng.choice(self.files))
        box = self.window.file_actions.message_box
        if box is not None and box.isVisible():
            box.close()

    def type_a_formula(self) -> None:
        """Choose 'Your own function', type (paste) a formula and press Enter, as a learner does:
        the editor builds it on its own thread and the window switches once it is built."""
        picker = self.window.controls.function_picker
        if picker.key() != CUSTOM:
            picker.setCurrentIndex(picker.findData(CUSTOM))
            picker.activated.emit(picker.currentIndex())
        editor = self.window.controls.custom_editor()
        text = self.rng.choice(HOSTILE_FORMULAS)
        editor.field.setText(text)
        editor.field.textEdited.emit(text)
        editor.field.returnPressed.emit()

    def extreme_values(self) -> None:
        spec = self.window.spec()
        rate = self.rng.choice([MAX_LEARNING_RATE, 1e-12, 1e6 * 0.999, 3e5])
        start = tuple(self.rng.choice([1e12, -1e12, 1e-300, 0.0]) for _ in spec.start)
        runs = tuple(RunSpec(rate, run.optimizer, run.hypers) for run in spec.runs)
        with contextlib.suppress(SpecError):
            self.window.set_spec(ExperimentSpec(
                function=spec.function, function_params=spec.function_params,
                expression=spec.expression, start=start, runs=runs, steps=spec.steps))

    def sweep_then_cancel(self) -> None:
        view = self.sweeps
        view.set_spec(self.window.spec())
        view.set_count(self.rng.choice([50, 2_000, 20_000, 100_000]))
        view.run_sweep()
        self._let_it_work()
        view.cancel()

    def map_then_cancel(self) -> None:
        view = self.maps
        view.set_spec(self.window.spec())
        view.set_cells(self.rng.choice([20, 200, 1000]), self.rng.choice([20, 200, 1000]))
        view.run_map()
        self._let_it_work()
        view.cancel()

    def _let_it_work(self) -> None:
        deadline = time.monotonic() + self.rng.uniform(0.0, 0.15)
        while time.monotonic() < deadline:
            QApplication.processEvents()

    def show_a_panel(self) -> None:
        """Bring the steps or the lessons to the front of their tabbed column (the step table is
        built the first time, then follows every run and step)."""
        docks = [d for d in self.window.findChildren(QDockWidget)
                 if d.windowTitle() in ("Steps", "Lessons")]
        if docks:
            dock = self.rng.choice(docks)
            dock.show()
            dock.raise_()

    def resize(self) -> None:
        self.window.resize(self.rng.randint(700, 1600), self.rng.randint(500, 1000))


def _files(folder) -> list[str]:
    good = ExperimentSpec(function="rosenbrock", start=(-1.5, 2.0), runs=(RunSpec(1e-4), RunSpec(2e-3)))
    doc = json.loads(dumps(good))
    texts = {
        "good.lrdesk.json": dumps(good),
        "bom.lrdesk.json": "\ufeff" + dumps(ExperimentSpec(runs=(RunSpec(0.3),))),
        "garbage.lrdesk.json": "{[",
        "self.lrdesk.json": json.dumps({**doc, "function": {"name": "rosenbrock", "params": {"self": 1}}}),
        "warmup.lrdesk.json": json.dumps({**doc, "schedule": {**doc["schedule"], "warmup_steps": 10**400}}),
        "newer.lrdesk.json": json.dumps({**doc, "version": 99}),
        "deep.lrdesk.json": "[" * 50_000 + "]" * 50_000,
        "typed.lrdesk.json": json.dumps({**doc, "function": {"name": "custom", "params": {},
                                         "expression": "abs(abs(w-1)^100-w)^100"}, "start": [1.0]}),
    }
    paths = []
    for name, text in texts.items():
        (folder / name).write_text(text, encoding="utf-8")
        paths.append(str(folder / name))
    if hasattr(os, "mkfifo"):
        os.mkfifo(folder / "pipe.lrdesk.json")
        paths.append(str(folder / "pipe.lrdesk.json"))
    paths.append(str(folder))
    return paths


#: set in the soak's own process (see ``test_soak_in_a_fresh_process``)
ALONE = "LRDESK_SOAK_ALONE"


def test_soak_in_a_fresh_process():
    """The soak runs in a process of its own: widgets earlier tests left alive in this one would
    hear every zoom and theme change too (a font change reaches every widget there is), and in
    the full suite made one zoom cost 1.4 s. The soak measures the app, not the suite."""
    if os.environ.get(ALONE):
        pytest.skip("already the soak's own process")
    command = [sys.executable, "-m", "pytest", "-q", "-s", "-p", "no:cacheprovider",
               f"{__file__}::test_soak_a_thousand_random_actions"]
    # The actions are seeded, so an exception, a Qt warning or a thread left fails every run.
    # The stall goal is a time on a machine other programs share: one second run is allowed
    # when the first misses it, and both are printed.
    for attempt in (1, 2):
        result = subprocess.run(command, env={**os.environ, ALONE: "1"}, capture_output=True,
                                text=True, timeout=140, check=False)
        print(f"soak run {attempt}:", result.stdout[-4000:])
        if result.returncode == 0 or "stalls over" not in result.stdout:
            break
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-3000:]


def test_soak_a_thousand_random_actions(qtbot, tmp_path, monkeypatch):
    if not os.environ.get(ALONE):
        pytest.skip("run in a process of its own by test_soak_in_a_fresh_process")
    # the unsaved-changes question answers at random, as a tired teacher would click
    rng = random.Random(17)
    monkeypatch.setattr(QMessageBox, "exec", lambda box: rng.choice(
        [QMessageBox.StandardButton.Discard, QMessageBox.StandardButton.Cancel]))
    window = show_widget(qtbot, MainWindow(settings=Settings()))
    monkey = SoakMonkey(window, qtbot, rng, _files(tmp_path))
    sampler = StallSampler()
    heartbeat = Heartbeat(sampler)
    heartbeat.start()
    qtbot.wait(1000)  # the machine's own noise: the heartbeat with nothing to do
    idle = np.array(heartbeat.lateness_ms)
    heartbeat.lateness_ms.clear()
    heartbeat.work_ms.clear()
    started = time.monotonic()
    sampler.start()
    try:
        for _ in range(ACTIONS):
            monkey.act()
        monkey.wait_for_the_worker()
    except BaseException:
        print("last actions:", monkey.log[-30:])
        raise
    finally:
        heartbeat.stop()
        sampler.stop()
    elapsed = time.monotonic() - started
    window.file_actions.forget_path()  # nothing to ask about on closing
    window.close()
    assert not window.isVisible()
    assert not running_qthreads()

    late, work = np.array(heartbeat.lateness_ms), np.array(heartbeat.work_ms)
    worst, p99 = float(work.max()), float(np.percentile(work, 99))
    added_mb = sampler.peak_rss_mb - sampler.start_rss_mb
    slowest = sorted(monkey.work_of.items(), key=lambda item: -item[1])[:5]
    load = ", ".join(f"{v:.1f}" for v in os.getloadavg()) if hasattr(os, "getloadavg") else "?"
    print(f"\nsoak: {ACTIONS} actions in {elapsed:.1f} s, {len(late)} beats, load average {load}; "
          f"idle lateness p99 {np.percentile(idle, 99):.0f} ms, max {idle.max():.0f} ms; "
          f"wall-clock lateness p50 {np.percentile(late, 50):.0f} ms, p99 "
          f"{np.percentile(late, 99):.0f} ms, max {late.max():.0f} ms, "
          f"{int((late > GOAL_MS).sum())} beats over {GOAL_MS:.0f} ms; GUI-thread work between "
          f"beats p99 {p99:.0f} ms, max {worst:.0f} ms, {int((work > GOAL_MS).sum())} over "
          f"{GOAL_MS:.0f} ms; resident memory {sampler.start_rss_mb:.0f} MB at the start, peak "
          f"{sampler.peak_rss_mb:.0f} MB (+{added_mb:.0f} MB), process peak "
          f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB; slowest actions "
          "(ms of work) " + ", ".join(f"{name} {ms:.0f}" for name, ms in slowest))
    print(f"typed formulas in use at some point: {sorted(monkey.formulas_used)}")
    print(sampler.summary(over_ms=150))
    if os.environ.get("LRDESK_STALL_DUMP"):
        sampler.dump(os.environ["LRDESK_STALL_DUMP"])
    assert len(late) > 100
    assert len(monkey.formulas_used) >= 3  # typed in the editor, built off the GUI thread, used
    assert worst <= GOAL_MS, sampler.summary(over_ms=GOAL_MS)
    assert added_mb <= MEMORY_BOUND_MB
