"""The descent worker thread, the recording it fills and the playhead that plays it back."""

from __future__ import annotations

import itertools
import math
import threading
import time

import numpy as np
import pytest
from helpers import no_qthread_left  # noqa: F401 - autouse: no test here leaves a QThread running

from lrdesk.core.experiment.simulation import Simulation, run_experiment
from lrdesk.core.experiment.spec import ExperimentSpec, RunSpec
from lrdesk.gui.live import worker as worker_module
from lrdesk.gui.live.playback import Playback, Recording
from lrdesk.gui.live.worker import MAX_IN_FLIGHT, SimulationRunner, _Pacing
from lrdesk.gui.shared.background import Lane, Task

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support (propagateSizeHints|raise)\(\)")


@pytest.fixture
def runner(qapp):
    runner = SimulationRunner()
    chunks = []
    runner.chunk_ready.connect(chunks.append)
    runner.received = chunks
    yield runner
    runner.shutdown()
    assert not runner.is_alive()


def _wait_done(qtbot, runner, timeout=20_000):
    qtbot.waitUntil(lambda: bool(runner.received) and runner.received[-1].done, timeout=timeout)


def test_chunks_rebuild_the_same_runs_as_a_plain_run(qtbot, runner):
    spec = ExperimentSpec()
    runner.start(spec)
    _wait_done(qtbot, runner)
    recording = Recording(len(spec.runs))
    for chunk in runner.received:
        recording.add(chunk)
    expected = run_experiment(spec)
    for result in expected.runs:
        mine = recording.histories[result.index]
        np.testing.assert_array_equal(mine.steps, result.history.steps)
        np.testing.assert_array_equal(mine.positions, result.history.positions)
        event = recording.events[result.index]
        assert (event.verdict, event.step) == (result.verdict, result.verdict_step)
    assert not runner.is_running()


def test_each_chunk_holds_fresh_arrays(qtbot, runner):
    runner.start(ExperimentSpec(steps=3000))
    _wait_done(qtbot, runner)
    arrays = [rows.positions for chunk in runner.received for rows in chunk.rows]
    assert len(arrays) > 3
    for i, a in enumerate(arrays):
        for b in arrays[i + 1 :]:
            assert not np.shares_memory(a, b)


def test_chunks_grow_so_long_runs_go_at_full_speed(qtbot, runner):
    runner.start(ExperimentSpec(runs=(RunSpec(0.001),), steps=200_000, tolerance=0.0))
    _wait_done(qtbot, runner, timeout=60_000)
    sizes = [len(chunk.rows[0]) for chunk in runner.received if chunk.rows]
    assert sizes[0] == worker_module.FIRST_CHUNK
    assert max(sizes) > 4 * worker_module.FIRST_CHUNK


def test_a_new_spec_drops_the_old_computation(qtbot, runner):
    slow = ExperimentSpec(runs=tuple(RunSpec(1e-5 * (i + 1)) for i in range(8)), steps=5_000_000, tolerance=0.0)
    runner.start(slow)
    qtbot.waitUntil(lambda: len(runner.received) >= 2)
    runner.received.clear()
    fresh = ExperimentSpec(function="bowl", start=(4.0, 3.0), runs=(RunSpec(0.1),), steps=50)
    runner.start(fresh)
    _wait_done(qtbot, runner)
    # every chunk after the switch is of the 2-D spec with its single run
    for chunk in runner.received:
        assert chunk.total_steps == 50
        assert all(rows.run == 0 and rows.positions.shape[1] == 2 for rows in chunk.rows)


def test_cancel_stops_delivery(qtbot, runner):
    runner.start(ExperimentSpec(runs=(RunSpec(1e-5),), steps=5_000_000, tolerance=0.0))
    qtbot.waitUntil(lambda: len(runner.received) >= 1)
    runner.cancel()
    count = len(runner.received)
    # a later spec still runs normally on the same thread, and nothing old slips in between
    runner.start(ExperimentSpec(steps=20))
    _wait_done(qtbot, runner)
    assert all(chunk.total_steps == 20 for chunk in runner.received[count:])


def test_a_spec_that_cannot_run_reports_a_failure(qtbot, runner):
    with qtbot.waitSignal(runner.failed) as blocker:
        runner.start(ExperimentSpec(steps=0))
    assert "steps" in blocker.args[0]
    assert not runner.is_running()


def test_shutdown_mid_run_ends_the_thread_and_is_safe_twice(qtbot, qapp):
    runner = SimulationRunner()
    runner.start(ExperimentSpec(runs=tuple(RunSpec(1e-4) for _ in range(8)), steps=50_000_000))
    assert runner.is_running()
    runner.shutdown()
    runner.shutdown()
    assert not runner.is_alive()


def test_a_restart_with_chunks_still_undelivered_does_not_block_the_worker(qtbot, runner):
    """The old computation's chunks, never taken in, must not use up the new one's room."""
    slow = ExperimentSpec(runs=(RunSpec(1e-5),), steps=5_000_000, tolerance=0.0)
    runner.start(slow)
    deadline = time.monotonic() + 20
    # no events are processed here, so the worker fills every place in flight and waits
    while runner._pacing.in_flight < MAX_IN_FLIGHT and time.monotonic() < deadline:
        threading.Event().wait(0.002)
    assert runner._pacing.in_flight == MAX_IN_FLIGHT and not runner.received
    runner.start(ExperimentSpec(runs=(RunSpec(1e-5),), steps=3000, tolerance=0.0))  # > 4 chunks
    _wait_done(qtbot, runner, timeout=10_000)
    assert all(chunk.total_steps == 3000 for chunk in runner.received)
    assert len(runner.received) > MAX_IN_FLIGHT


def _pacing_task():
    """A pacing with a task of the lane's current job (the job itself is not run)."""
    lane = Lane("pacing-test")
    with lane.condition:
        lane._generation = 1
    return lane, _Pacing(lane), Task(lane, 1)


def _waiter(task, pacing, answers):
    waiter = threading.Thread(target=lambda: answers.append(task.wait_until(pacing.claim)))
    waiter.start()
    return waiter


def test_pacing_limits_chunks_in_flight_and_a_waiter_gives_up_when_dropped(qapp):
    lane, pacing, task = _pacing_task()
    for _ in range(MAX_IN_FLIGHT):
        assert task.wait_until(pacing.claim)
    answers = []
    waiter = _waiter(task, pacing, answers)
    lane.drop()  # the GUI moved on: the blocked worker gives up
    waiter.join(timeout=10)
    assert not waiter.is_alive()
    assert answers == [False]


def test_pacing_room_comes_back_when_the_gui_takes_chunks(qapp):
    _lane, pacing, task = _pacing_task()
    for _ in range(MAX_IN_FLIGHT):
        task.wait_until(pacing.claim)
    answers = []
    waiter = _waiter(task, pacing, answers)
    pacing.taken()
    waiter.join(timeout=10)
    assert answers == [True] and pacing.in_flight == MAX_IN_FLIGHT
    pacing.restart()
    assert pacing.in_flight == 0


def test_worker_waits_until_every_gui_task_has_ended(qapp):
    """A chunk taken in during a frame must not let the worker loose before the frame ends."""
    _lane, pacing, task = _pacing_task()
    pacing.set_gui_busy(True)  # a frame begins
    pacing.set_gui_busy(True)  # a chunk is taken in meanwhile
    pacing.set_gui_busy(False)  # ... and that ends first
    answers = []
    waiter = _waiter(task, pacing, answers)
    waiter.join(timeout=0.2)
    assert waiter.is_alive() and answers == []  # the frame is still under way
    pacing.set_gui_busy(False)
    waiter.join(timeout=10)
    assert answers == [True]
    pacing.set_gui_busy(False)  # an unmatched end is harmless
    assert task.wait_until(pacing.claim)


# ------------------------------------------------------------------------------------------
# Recording and playback
# ------------------------------------------------------------------------------------------
def _recorded(spec: ExperimentSpec, chunk_steps: int = 16) -> Recording:
    simulation = Simulation(spec, keep_history=False)
    recording = Recording(len(spec.runs))
    while not simulation.done:
        recording.add(simulation.advance(chunk_steps))
    return recording


def test_recording_knows_its_frontier_end_and_first_bad_step():
    spec = ExperimentSpec()
    simulation = Simulation(spec, keep_history=False)
    recording = Recording(len(spec.runs))
    assert recording.frontier() == -1 and recording.end_step() is None
    recording.add(simulation.advance(16))
    assert recording.frontier() == 15  # rows 0..15 exist for every run
    assert recording.end_step() is None
    while not simulation.done:
        recording.add(simulation.advance(16))
    events = recording.events
    assert recording.end_step() == max(e.step for e in events.values()) == spec.steps
    diverged = [e.step for e in events.values() if e.verdict == "diverged"]
    assert recording.first_bad_step() == min(diverged)


def test_recording_steps_between_recorded_rows():
    recording = _recorded(ExperimentSpec(runs=(RunSpec(0.1), RunSpec(0.01)), steps=5000, tolerance=0.0))
    # beyond the first 2,000 steps the rows are thinned: stepping jumps between kept rows
    history = recording.histories[1]
    kept = history.steps[history.steps > 3000]
    after = recording.next_step(int(kept[0]))
    assert after == kept[1]
    assert recording.previous_step(int(kept[1])) == kept[0]
    assert recording.next_step(0) == 1 and recording.previous_step(1) == 0
    assert recording.previous_step(0) is None
    assert recording.next_step(recording.end_step()) is None


def test_playback_follows_the_frontier_at_full_speed(qtbot, qapp):
    playback = Playback()
    playback.set_speed(math.inf)
    playback.set_limits(100, 40, None)
    playback.play()
    qtbot.waitUntil(lambda: playback.step() == 40)
    with qtbot.waitSignal(playback.reached_end):
        playback.set_limits(100, 100, 100)
    assert not playback.is_playing()
    playback.play()  # at the end, Play starts over
    assert playback.step() == 0 and playback.is_playing()
    playback.stop()


def test_playback_clamps_the_playhead():
    playback = Playback()
    playback.set_limits(50, 10, None)
    playback.set_step(500)
    assert playback.step() == 50  # a paused playhead may wait ahead of the computation
    playback.set_limits(50, 30, 30)
    assert playback.step() == 30  # but never past the known end
    playback.set_step(-4)
    assert playback.step() == 0


def test_playback_at_slow_speed_moves_a_step_at_a_time(qtbot, qapp):
    playback = Playback()
    playback.set_speed(50)
    playback.set_limits(100, 100, 100)
    seen = []
    playback.step_changed.connect(seen.append)
    playback.play()
    qtbot.waitUntil(lambda: len(seen) >= 5, timeout=5000)
    playback.pause()
    assert seen == sorted(seen)
    assert max(b - a for a, b in zip([0, *seen], seen, strict=False)) <= 3  # no big jumps at 50/s


def test_frame_pacer_never_loses_a_request(qtbot, qapp):
    from lrdesk.gui.live.presenter import FramePacer

    painted = []
    pacer = FramePacer(lambda: painted.append(len(painted)))
    pacer.request()
    pacer.request()  # asked twice before the first frame: one frame
    qtbot.waitUntil(lambda: len(painted) == 1 and not pacer.is_pending())
    pacer.request()
    qtbot.waitUntil(lambda: pacer.is_finishing() or len(painted) == 2)
    pacer.request()  # asked while a frame is being measured: it still comes
    qtbot.waitUntil(lambda: len(painted) >= 2 and not pacer.is_pending())
    assert len(painted) in (2, 3)
    pacer.request()
    pacer.stop()
    assert not pacer.is_pending()


def _pacer_with_a_queued_repaint(order: list, on_repaint=lambda: None):
    """A FramePacer whose paint sets off a repaint two queued hops later, as the plots'
    scenes do (changes gathered, then painted); ``order`` records what happens."""
    from PySide6.QtCore import QMetaObject, QObject, Qt, Slot

    from lrdesk.gui.live.presenter import FramePacer

    class Scene(QObject):
        @Slot()
        def gather(self):
            QMetaObject.invokeMethod(self, "repaint", Qt.ConnectionType.QueuedConnection)

        @Slot()
        def repaint(self):
            order.append("repaint")
            on_repaint()

    scene = Scene()

    def paint():
        order.append("paint")
        QMetaObject.invokeMethod(scene, "gather", Qt.ConnectionType.QueuedConnection)

    pacer = FramePacer(paint, busy=lambda busy: order.append(f"busy {busy}"))
    pacer.scene = scene  # kept alive with the pacer
    return pacer


def test_frame_pacer_frame_lasts_until_the_work_it_queued_is_done(qtbot, qapp):
    """The busy bracket covers the repaint the frame sets off, which Qt runs from queued events."""
    order = []

    def close_mid_second_frame():
        if order.count("paint") == 2:
            pacer.stop()  # the window closes mid-frame

    pacer = _pacer_with_a_queued_repaint(order, close_mid_second_frame)
    pacer.request()
    qtbot.waitUntil(lambda: "busy False" in order)
    assert order == ["busy True", "paint", "repaint", "busy False"]
    assert not pacer.is_pending()
    pacer.request()
    qtbot.waitUntil(lambda: order.count("busy False") == 2)
    qtbot.wait(20)  # the frame's own end arrives after ``stop``: it closes nothing twice
    assert order[4:] == ["busy True", "paint", "repaint", "busy False"]
    assert not pacer.is_pending()


def test_frame_pacer_holds_requests_and_ends_no_frame_with_an_old_frame_s_event(qtbot, qapp):
    order = []
    pacer = _pacer_with_a_queued_repaint(order)
    pacer.request()
    pacer.hold()  # a frame already due waits too
    qtbot.wait(30)
    assert order == [] and pacer.is_pending() and pacer.is_held()
    pacer.release()
    qtbot.waitUntil(lambda: order.count("busy False") == 1 and not pacer.is_pending())
    # a frame stopped mid-way leaves its end-of-frame event behind: the next frame must
    # still wait for its own repaint, not end at the old event
    order.clear()
    pacer._frame()
    pacer.stop()
    pacer._frame()
    qtbot.waitUntil(lambda: not pacer.is_finishing())
    qtbot.wait(20)
    assert order == [
        "busy True", "paint", "busy False",  # the stopped frame
        "busy True", "paint", "repaint", "repaint", "busy False",
    ]


def test_frame_pacer_slows_down_when_frames_are_expensive(qtbot, qapp):
    from PySide6.QtCore import QElapsedTimer

    from lrdesk.gui.live.presenter import FramePacer

    clock = QElapsedTimer()
    starts = []

    def slow_paint():
        starts.append(clock.elapsed())
        busy = QElapsedTimer()
        busy.start()
        while busy.elapsed() < 30:  # a 30 ms frame
            pass
        if len(starts) < 4:
            pacer.request()

    pacer = FramePacer(slow_paint)
    clock.start()
    pacer.request()
    qtbot.waitUntil(lambda: len(starts) == 4 and not pacer.is_pending(), timeout=5000)
    gaps = [b - a for a, b in itertools.pairwise(starts)]
    assert min(gaps) >= 55  # 30 ms of painting, then at least as long for everything else
