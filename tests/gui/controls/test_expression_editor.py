"""The typed-function editor: instant inline errors, a debounced build off the GUI thread."""

from __future__ import annotations

import threading
import time

import pytest
from PySide6.QtCore import Qt

from lrdesk.gui.controls.expression_editor import EXAMPLES, ExpressionEditor, error_html

BUILD_TIMEOUT_MS = 20_000  # the first build also loads sympy

# the offscreen platform says this whenever a window is shown; it means nothing here
pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support (propagateSizeHints|raise)\(\)")


@pytest.fixture
def editor(qtbot):
    widget = ExpressionEditor()
    qtbot.addWidget(widget)
    widget.resize(380, 520)
    widget.show()
    return widget


def type_text(qtbot, editor: ExpressionEditor, text: str) -> None:
    editor.field.clear()
    qtbot.keyClicks(editor.field, text)


def accept(qtbot, editor: ExpressionEditor, text: str) -> None:
    with qtbot.waitSignal(editor.expression_accepted, timeout=BUILD_TIMEOUT_MS) as blocker:
        type_text(qtbot, editor, text)
    assert blocker.args == [text]


def test_a_typed_formula_is_accepted_after_a_pause_and_its_formulas_shown(qtbot, editor):
    assert editor.expression() == ""
    accept(qtbot, editor, "x^2 + 10*y^2")
    assert editor.expression() == "x^2 + 10*y^2"
    assert editor.signature_label.text() == "L(x, y) ="
    shown = editor.formulas_view.toPlainText()
    for line in ("∂L/∂x = 2·x", "∂L/∂y = 20·y", "∂²L/∂y² = 20", "x ← x − α·2·x", "y ← y − α·20·y"):
        assert line in shown
    assert editor.error_label.isHidden()


def test_typing_emits_once_for_the_whole_formula(qtbot, editor):
    seen: list[str] = []
    editor.expression_accepted.connect(seen.append)
    accept(qtbot, editor, "w^4 - 3*w^2 + w")
    assert not editor._timer.isActive()  # no pause pending: nothing else can follow
    qtbot.waitUntil(lambda: not editor._builder.busy(), timeout=BUILD_TIMEOUT_MS)
    assert seen == ["w^4 - 3*w^2 + w"]
    assert editor.signature_label.text() == "L(w) ="


def test_an_error_shows_at_once_with_its_column_and_the_previous_function_stays(qtbot, editor):
    accept(qtbot, editor, "x^2 + 10*y^2")
    with qtbot.assertNotEmitted(editor.expression_accepted):
        type_text(qtbot, editor, "x^2 + z")
    assert not editor._timer.isActive()  # invalid text is never built
    assert editor.error_label.isVisible()
    message = editor.error_label.text()
    assert "unknown name ‘z’ at column 7: use x and y" in message
    assert "<span style" in message and ">z</span>" in message  # the z is marked
    assert editor.expression() == "x^2 + 10*y^2"
    assert "In use: L(x, y) = x² + 10·y²" in editor.formulas_view.toPlainText()


def test_an_implicit_multiplication_is_explained_and_the_signature_follows_the_variables(qtbot, editor):
    type_text(qtbot, editor, "w^2 + 2w")
    assert "write 2*w at column 8" in editor.error_label.text()
    assert editor.signature_label.text() == "L(w) ="


def test_fixing_the_error_clears_it(qtbot, editor):
    type_text(qtbot, editor, "x^2 +")
    assert editor.error_label.isVisible()
    with qtbot.waitSignal(editor.expression_accepted, timeout=BUILD_TIMEOUT_MS):
        qtbot.keyClicks(editor.field, " y^2")
    assert editor.error_label.isHidden()
    assert editor.expression() == "x^2 + y^2"


def test_a_formula_refused_by_the_symbolic_stage_keeps_the_previous_one(qtbot, editor):
    accept(qtbot, editor, "x^2 + y^2")
    too_big = "*".join(f"(x + {i})" for i in range(1, 40))
    editor.field.setText(too_big)
    editor.field.textEdited.emit(too_big)
    qtbot.waitUntil(editor.error_label.isVisible, timeout=BUILD_TIMEOUT_MS)
    assert "too complicated" in editor.error_label.text()
    assert editor.expression() == "x^2 + y^2"


def test_enter_uses_the_formula_at_once_and_escape_brings_back_the_one_in_use(qtbot, editor):
    with qtbot.waitSignal(editor.expression_accepted, timeout=BUILD_TIMEOUT_MS):
        editor.field.setText("x^2 + 2*y^2")
        qtbot.keyClick(editor.field, Qt.Key.Key_Return)
    type_text(qtbot, editor, "x^2 + 2*y^2 + q")
    assert editor.error_label.isVisible()
    qtbot.keyClick(editor.field, Qt.Key.Key_Escape)
    assert editor.field.text() == "x^2 + 2*y^2"
    assert editor.error_label.isHidden()


def test_an_example_from_the_list_is_used_at_once(qtbot, editor):
    index = next(i for i, (text, _) in enumerate(EXAMPLES) if text.startswith("(1 - x)"))
    with qtbot.waitSignal(editor.expression_accepted, timeout=BUILD_TIMEOUT_MS) as blocker:
        editor.examples.activated.emit(index)
    assert blocker.args == ["(1 - x)^2 + 100*(y - x^2)^2"]
    assert editor.field.text() == "(1 - x)^2 + 100*(y - x^2)^2"
    assert editor.examples.currentIndex() == -1  # ready to pick the same one again


def test_set_expression_shows_a_formula_without_announcing_it(qtbot, editor):
    seen: list[str] = []
    editor.expression_accepted.connect(seen.append)
    editor.set_expression("sin(3*w) + w^2/4")
    assert editor.expression() == "sin(3*w) + w^2/4"
    qtbot.waitUntil(lambda: "dL/dw" in editor.formulas_view.toPlainText(), timeout=BUILD_TIMEOUT_MS)
    assert seen == []
    editor.set_expression("sin(3*w) +")  # not a formula: shown as an error, not taken
    assert editor.expression() == "sin(3*w) + w^2/4"
    assert editor.error_label.isVisible()


def test_closing_during_a_build_leaves_no_thread(qtbot):
    editor = ExpressionEditor()
    before = set(threading.enumerate())
    editor.field.setText("exp(-x^2 - y^2) * cos(3*x*y) + atan(x - y)")
    editor._build_now()
    editor.close()  # waits for the build at most CLOSE_WAIT_S; a loaded machine may need longer
    # the thread is not left behind: it ends by itself once its build is done
    qtbot.waitUntil(lambda: set(threading.enumerate()) <= before, timeout=30_000)
    editor.deleteLater()


def test_every_control_has_a_tooltip(editor):
    for widget in (editor.field, editor.examples, editor.formulas_view, editor.signature_label,
                   editor.error_label, editor.hint_label):
        assert widget.toolTip()


def test_error_html_escapes_the_typed_text():
    from lrdesk.core.expressions.parse import check_expression

    text = "x^2 + <b>"
    error = check_expression(text)
    shown = error_html(error, text)
    assert "&lt;" in shown and "<b>" not in shown


def test_a_hidden_editor_works_out_its_formulas_when_shown(qtbot):
    editor = ExpressionEditor()
    qtbot.addWidget(editor)
    editor.set_expression("x^2 + 3*y^2")
    assert not editor._builder.busy()  # no thread for a hidden editor
    assert editor.expression() == "x^2 + 3*y^2"
    editor.set_expression("x^2 +")  # shown as an error; the formula in use stays
    editor.show()
    qtbot.waitUntil(lambda: "∂L/∂y = 6·y" in editor.formulas_view.toPlainText(), timeout=BUILD_TIMEOUT_MS)
    assert editor.field.text() == "x^2 +" and editor.error_label.isVisible()
    assert editor.expression() == "x^2 + 3*y^2"
    # the builder thread ends just after it answers: wait for it (nothing may be left running)
    qtbot.waitUntil(lambda: not editor._builder.busy(), timeout=BUILD_TIMEOUT_MS)


def _stuck_build(monkeypatch):
    """Builds that hang until the returned event is set (as a runaway symbolic build would)."""
    from lrdesk.gui.controls import expression_editor

    release, started = threading.Event(), threading.Event()

    def stuck(text):
        started.set()
        release.wait(30)
        return expression_editor.ExpressionError("stopped by the test")

    monkeypatch.setattr(expression_editor, "_build", stuck)
    return release, started


def test_a_slow_build_never_holds_up_hiding_or_closing(qtbot, monkeypatch):
    from lrdesk.gui.controls.expression_editor import CLOSE_WAIT_S

    release, started = _stuck_build(monkeypatch)
    editor = ExpressionEditor()
    qtbot.addWidget(editor)
    editor.show()
    editor.field.setText("x^2 + y^2")
    editor._build_now()
    assert started.wait(10)
    began = time.monotonic()
    editor.hide()  # another surface was chosen: nothing waits for the build
    assert time.monotonic() - began < 0.5 * CLOSE_WAIT_S
    editor.show()
    began = time.monotonic()
    editor.close()  # the window closes mid-build: a bounded wait, then the build is left
    assert time.monotonic() - began < CLOSE_WAIT_S + 2.0
    assert editor._builder.busy()  # the build is still stuck ...
    release.set()
    qtbot.waitUntil(lambda: not editor._builder.busy(), timeout=10_000)  # ... and ends alone
    assert editor.expression() == ""  # its late answer changed nothing


CLOSE_MID_BUILD = """
import sys, threading, time
from PySide6.QtCore import QTimer
from lrdesk.gui.app import create_app
from lrdesk.gui.controls import expression_editor
from lrdesk.gui.window.main_window import MainWindow

started = threading.Event()

def runaway(text):  # a build that would take far longer than anyone waits
    started.set()
    time.sleep(60)

expression_editor._build = runaway
app = create_app()
window = MainWindow(settings=None)
window.show()
picker = window.controls.function_picker
picker.setCurrentIndex(picker.findData("custom"))
picker.activated.emit(picker.currentIndex())  # as a click on "Your own function..." does
editor = window.controls.custom_editor()
editor.field.setText("x^2 + y^2")
editor._build_now()
assert started.wait(10)
began = time.monotonic()
QTimer.singleShot(0, window.close)
QTimer.singleShot(0, app.quit)
app.exec()
print(f"closed {time.monotonic() - began:.2f}")
"""


def test_closing_the_window_mid_build_exits_cleanly_and_soon(tmp_path):
    import os
    import subprocess
    import sys

    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_CONFIG_HOME": str(tmp_path)}
    began = time.monotonic()
    done = subprocess.run([sys.executable, "-c", CLOSE_MID_BUILD], capture_output=True, text=True,
                          timeout=50, env=env)
    assert done.returncode == 0, done.stderr
    assert time.monotonic() - began < 40  # nobody waited for the 60 s build
    closed = float(done.stdout.split()[-1])
    assert closed < 5
    assert "QThread" not in done.stderr and "Traceback" not in done.stderr
