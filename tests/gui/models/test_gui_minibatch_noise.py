"""The minibatch-noise preset in the real Model training tool: batch sizes 1, 8, 64 and full side
by side, the floor a constant rate leaves, and a decaying schedule that removes it."""

from __future__ import annotations

import os

import numpy as np
import pytest
from helpers import close_windows

from lrdesk.core.models.noise import noise_floor
from lrdesk.core.models.presets import MINIBATCH_NOISE
from lrdesk.core.models.theory import linear_theory
from lrdesk.core.models.training import Trainer
from lrdesk.gui.models.model_view import ModelView
from lrdesk.gui.window.main_window import MainWindow

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)")
SHOTS = os.environ.get("LRDESK_SHOTS")


@pytest.fixture
def view(qtbot):
    window = MainWindow(settings=None)
    qtbot.addWidget(window)
    window.resize(1024, 768)
    window.show()
    qtbot.waitExposed(window)
    next(a for a in window.menu("Tools").actions() if a.text() == "Model training").trigger()
    made = window.dock_site.find_dock("dock_model_training").widget()
    assert isinstance(made, ModelView)
    yield made
    close_windows([window])


def pick_preset(view: ModelView, key: str) -> None:
    index = view.preset.findData(key)
    assert index > 0
    view.preset.setCurrentIndex(index)
    view.preset.activated.emit(index)


def test_the_preset_trains_every_batch_size_and_shows_the_floor(qtbot, view):
    pick_preset(view, "minibatch-noise")
    assert view.experiment() == MINIBATCH_NOISE
    assert view.batch.value() == 1  # the controls show what they can: the first run's batch
    assert "is set up" in view.banner.text()
    assert view.start()
    qtbot.waitUntil(lambda: not view.is_training(), timeout=180_000)
    snap = view.snapshot()
    assert snap.done
    assert snap.batches == [1, 8, 64, 400, 1]
    assert snap.per_epoch == [400, 50, 7, 1, 400]
    assert snap.schedules[4].startswith("Inverse-time decay")
    # the tool trained the preset itself: the same losses as the engine alone
    ref = Trainer(MINIBATCH_NOISE).run_to_end()
    np.testing.assert_allclose(snap.train_loss, ref.train_loss, equal_nan=True)

    noise = view.noise_view
    floors = noise.floors
    best = linear_theory(ref.data).optimum_loss
    constant, decayed = floors[0], noise_floor(snap.evaluations[4])
    # the noise floor of the constant rate is above the decayed run's final loss
    assert constant.floor > decayed.final
    assert constant.floor > 1.2 * best > decayed.final
    assert floors[0].floor > floors[1].floor > floors[2].floor
    # the floor lines are drawn where the floors are (log axis), and named in the readout
    assert noise.floor_lines[0].isVisible()
    assert noise.floor_lines[0].value() == pytest.approx(np.log10(constant.floor))
    assert "batch 1: settles at" in noise.readout.text()
    assert "batch 1, inverse-time decay" in noise.readout.text()
    # the curves are by epoch: every run spans the same 20 epochs
    for curve in noise.whole_curves:
        x, _ = curve.getData()
        assert x[-1] == pytest.approx(20.0)
    x, _ = noise.batch_curves[0].getData()
    assert x[-1] == pytest.approx(20.0)
    if SHOTS:
        view.window().grab().save(os.path.join(SHOTS, "minibatch-noise-1024.png"))


def test_changing_a_control_leaves_the_preset(qtbot, view):
    pick_preset(view, "minibatch-noise")
    assert view.held is not None
    view.epochs.setValue(3)
    assert view.held is None
    spec = view.experiment()
    assert spec.epochs == 3 and spec.data.points is None
    assert {r.batch_size for r in spec.runs} == {1} and {r.schedule for r in spec.runs} == {None}
    assert view.preset.currentIndex() == 0


def test_every_ready_made_experiment_is_held_whole(view):
    from lrdesk.core.models.presets import PRESETS
    from lrdesk.gui.models.model_view import PRESET_TITLES

    assert view.preset.count() == len(PRESET_TITLES) + 1
    for key in PRESET_TITLES:
        pick_preset(view, key)
        assert view.experiment() == PRESETS[key], key
        assert view.preset.currentIndex() == 0  # the picker is ready for the next choice
