"""The selected run's Fastest/Limit marks and the sentence under them follow its optimizer."""

from __future__ import annotations

import pytest
from helpers import show_widget

from lrdesk.core.experiment.spec import RunSpec
from lrdesk.core.functions import make_function
from lrdesk.core.theory.hessian import local_theory
from lrdesk.gui.controls.run import RunControls

SHOTS = "/tmp/shots/words"


def controls_for(qtbot, run: RunSpec, function: str = "quadratic") -> RunControls:
    f = make_function(function, {}, "")
    theory = local_theory(f, f.default_start())
    controls = show_widget(qtbot, RunControls(), (420, 520))
    controls.show_run(1, run, "#0072B2", theory)
    return controls


def test_momentum_gets_its_own_limit(qtbot):
    run = RunSpec(0.1, "momentum", (("momentum", 0.9),))
    controls = controls_for(qtbot, run)
    limit, fastest = controls.lr_control.theory()
    assert limit == pytest.approx(2 * 1.9 / 2.0) and fastest is None  # L = w², λ = 2
    assert controls.lr_control.limit_button.isVisibleTo(controls)
    assert "momentum" in controls.lr_control.limit_button.toolTip()
    assert "2(1+μ)/λmax" in controls.theory_label.text()


def test_nesterov_gets_its_own_limit(qtbot):
    controls = controls_for(qtbot, RunSpec(0.1, "nesterov", (("momentum", 0.5),)))
    assert controls.lr_control.theory()[0] == pytest.approx(2 * 1.5 / (2.0 * 2.0))


@pytest.mark.parametrize("optimizer", ["adam", "rmsprop", "adagrad"])
def test_adaptive_methods_say_why_there_is_no_limit(qtbot, optimizer):
    controls = controls_for(qtbot, RunSpec(0.1, optimizer))
    assert controls.lr_control.theory() == (None, None)
    text = controls.theory_label.text()
    assert controls.theory_label.isVisibleTo(controls) and "No limit" in text
    assert "recent gradients" in text
    controls.grab().save(f"{SHOTS}/run_controls_{optimizer}.png")


def test_rosenbrock_explains_why_fastest_and_limit_coincide(qtbot):
    controls = controls_for(qtbot, RunSpec(0.001), "rosenbrock")
    limit, fastest = controls.lr_control.theory()
    assert fastest / limit > 0.99
    f = make_function("rosenbrock", {}, "")
    kappa = local_theory(f, f.default_start()).condition_number
    text = controls.theory_label.text()
    assert "condition number" in text and f"{kappa:,.0f}" in text and "coincide" in text
    qtbot.wait(50)  # let the layout take in the buttons' new text before the picture
    controls.grab().save(f"{SHOTS}/run_controls_rosenbrock.png")


def test_a_round_bowl_needs_no_note(qtbot):
    controls = controls_for(qtbot, RunSpec(0.1), "ill_conditioned")
    assert "coincide" not in controls.theory_label.text()


def test_rmsprop_decay_is_rho_on_screen_and_alpha_in_the_file(qtbot):
    from PySide6.QtWidgets import QLabel

    from lrdesk.core.experiment.spec import ExperimentSpec, from_dict, to_dict
    from lrdesk.core.optim.catalog import shown_hyper

    run = RunSpec(0.01, "rmsprop", (("alpha", 0.9),))
    controls = controls_for(qtbot, run)
    labels = [label.text() for label in controls.hypers.findChildren(QLabel)]
    assert "decay (ρ)" in labels and "alpha" not in labels
    decay = next(lb for lb in controls.hypers.findChildren(QLabel) if lb.text() == "decay (ρ)")
    assert "alpha" in decay.toolTip()  # torch's name, for those who read its docs
    rule = controls.rule_label.text()
    assert "ρ·v" in rule and "α_lr" not in rule and "α·v" not in rule
    assert shown_hyper("rmsprop", "alpha") == "decay ρ"
    assert shown_hyper("adam", "beta1") == "beta1"
    # the file keeps torch's key, so files written before still load the same
    data = to_dict(ExperimentSpec(runs=(run,)))
    assert data["runs"][0]["optimizer"]["params"] == {"alpha": 0.9}
    assert from_dict(data).runs[0] == run
    assert controls.read().hyper_dict()["alpha"] == 0.9
