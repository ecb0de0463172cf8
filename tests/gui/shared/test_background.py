"""The one way off the GUI thread: a lane runs the newest job, hands back its results, stops."""

from __future__ import annotations

import threading
import time

import pytest
from PySide6.QtCore import QCoreApplication

from lrdesk.gui.shared.background import Lane


def _deliver_everything_sent() -> None:
    """Hand the GUI thread every signal a job has sent so far (they are queued events)."""
    QCoreApplication.sendPostedEvents()
    QCoreApplication.processEvents()


@pytest.fixture
def lane(qapp):
    lane = Lane("test-lane")
    yield lane
    assert lane.shutdown(timeout=10)


def test_partials_then_the_result_arrive_in_order(qtbot, lane):
    seen = []
    lane.yielded.connect(seen.append)

    def count(task):
        for i in range(5):
            task.send(i)
        return "done"

    with qtbot.waitSignal(lane.returned) as blocker:
        lane.start(count)
    assert blocker.args == ["done"] and seen == [0, 1, 2, 3, 4]
    assert not lane.is_busy()
    qtbot.waitUntil(lambda: not lane.is_alive())  # no job waits: the thread has ended


def test_a_new_job_replaces_the_old_and_nothing_old_arrives(qtbot, lane):
    results, partials = [], []
    lane.returned.connect(results.append)
    lane.yielded.connect(partials.append)
    started = threading.Event()

    def endless(task):
        started.set()
        while task.wanted():
            task.send("old")
            time.sleep(0.001)
        return "old result"

    lane.start(endless)
    assert started.wait(10)
    partials.clear()
    with qtbot.waitSignal(lane.returned):
        lane.start(lambda task: "new result")
    _deliver_everything_sent()  # the old job sent before it ended: all of it is dropped
    assert results == ["new result"] and partials == []


def test_stop_keeps_the_last_result_and_drop_keeps_nothing(qtbot, lane):
    results = []
    lane.returned.connect(results.append)
    started = threading.Event()

    def until_stopped(task):
        started.set()
        task.wait_until(lambda: False)  # woken only because it is no longer wanted
        return "what it had"

    lane.start(until_stopped)
    assert started.wait(10)
    with qtbot.waitSignal(lane.returned):
        lane.stop()
    assert results == ["what it had"]
    started.clear()
    lane.start(until_stopped)
    assert started.wait(10)
    lane.drop()
    assert not lane.is_busy()
    qtbot.waitUntil(lambda: not lane.is_alive())
    _deliver_everything_sent()  # the thread has ended: whatever it sent is queued by now
    assert results == ["what it had"]


def test_a_job_stopped_before_it_began_still_ends_the_busy_state(qtbot, lane):
    release = threading.Event()
    lane.start(lambda task: release.wait(10))
    lane.start(lambda task: "never")
    lane.stop()  # the second job is stopped while it still waits its turn
    results = []
    lane.returned.connect(results.append)
    release.set()
    qtbot.waitUntil(lambda: not lane.is_busy())
    assert results == []


def test_errors_come_back_as_the_exception(qtbot, lane):
    def broken(task):
        raise ValueError("no such surface")

    with qtbot.waitSignal(lane.errored) as blocker:
        lane.start(broken)
    assert isinstance(blocker.args[0], ValueError) and str(blocker.args[0]) == "no such surface"
    assert not lane.is_busy()


def test_wait_until_wakes_when_the_gui_changes_the_condition(qtbot, lane):
    room = {"free": False}
    waiting = threading.Event()
    lane.returned.connect(lambda value: room.setdefault("answer", value))

    def wait_for_room(task):
        waiting.set()
        return task.wait_until(lambda: room["free"])

    lane.start(wait_for_room)
    assert waiting.wait(10)
    _deliver_everything_sent()
    assert lane.is_busy() and "answer" not in room  # it waits: nothing came back
    with lane.condition:
        room["free"] = True
        lane.condition.notify_all()
    qtbot.waitUntil(lambda: "answer" in room)
    assert room["answer"] is True


def test_shutdown_waits_only_as_long_as_asked_for_a_job_that_cannot_stop(qtbot, qapp):
    lane = Lane("stubborn")
    release = threading.Event()
    started = threading.Event()

    def stubborn(task):
        started.set()
        release.wait(30)  # never looks at task.wanted()

    lane.start(stubborn)
    assert started.wait(10)
    began = time.monotonic()
    assert lane.shutdown(timeout=0.2) is False
    assert time.monotonic() - began < 5
    release.set()
    assert lane.shutdown(timeout=10)  # twice is fine, and now the thread has ended
    assert not lane.is_alive()


def test_a_kept_alive_lane_waits_for_jobs_until_shutdown(qtbot, qapp):
    lane = Lane("kept", keep_alive=True)
    with qtbot.waitSignal(lane.returned):
        lane.start(lambda task: 1)
    qtbot.wait(20)
    assert lane.is_alive()
    with qtbot.waitSignal(lane.returned) as blocker:
        lane.start(lambda task: 2)
    assert blocker.args == [2]
    assert lane.shutdown(timeout=10) and not lane.is_alive()
