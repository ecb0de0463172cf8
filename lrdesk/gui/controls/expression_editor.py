"""The editor for a loss function typed in by the learner: field, inline errors, derived formulas.

Every keystroke is checked at once without sympy (``check_expression``): an error shows under the
field in plain words with the offending character marked, and the function in use stays as it
was. A valid formula is built (derivatives, NumPy code, minima) after a short pause, on a
background thread so that typing never freezes; when the build succeeds the editor shows the
slope, the curvature and the update rule, and emits ``expression_accepted``.
"""

from __future__ import annotations

import html

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from lrdesk.core.expressions.parse import check_expression
from lrdesk.core.expressions.tokens import guess_signature
from lrdesk.core.expressions.tree import FUNCTION_NAMES, ExpressionError
from lrdesk.gui.shared.background import Lane
from lrdesk.gui.shared.palette import ALARM_COLOR, current_theme

DEBOUNCE_MS = 300
#: at closing, how long to wait for a build still running (seconds); it is then left to end
CLOSE_WAIT_S = 1.0

EXAMPLES: tuple[tuple[str, str], ...] = (
    ("x^2 + 10*y^2", "a narrow valley"),
    ("(1 - x)^2 + 100*(y - x^2)^2", "Rosenbrock's curved banana valley"),
    ("w^4 - 3*w^2 + w", "two valleys of different depth"),
    ("sin(3*w) + w^2/4", "a bumpy curve"),
    ("x^2 + y^2", "a round bowl"),
    ("abs(x) + abs(y)", "a pointed valley: no curvature at all"),
    ("x^2 - y^2", "a saddle: no bottom"),
    ("w - log(w)", "undefined left of 0: big steps break it"),
)

HINT = (
    "Use w for a curve L(w), or x and y for a surface L(x, y) (with x alone, the surface is flat "
    "along y). Multiply with * (2*x), raise to a power with ^ (x^2). Functions: "
    + ", ".join(FUNCTION_NAMES)
    + "; constants: pi, e."
)


def _build(text: str):
    """The worker's job: compile, find the minima, write the formulas (or the error)."""
    from lrdesk.core.expressions.custom import build_custom_function

    try:
        function = build_custom_function(text)
        function.minima()  # found now, off the GUI thread, and cached for the runs
        return function.formulas()
    except ExpressionError as exc:
        return exc
    except Exception as exc:  # the thread must always answer, or the editor would wait forever
        return ExpressionError(f"this function could not be worked out ({type(exc).__name__})")


class _Builder(QObject):
    """Builds one formula at a time on a ``Lane``; the newest request wins.

    A build cannot be interrupted (sympy works in one call), so nothing waits for one in the
    GUI thread except closing, and that only for ``CLOSE_WAIT_S``: the lane's thread is a
    daemon and ends with its build, or with the program.
    """

    built = Signal(int, str, object)  # request number, text, formulas dict or ExpressionError

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._lane = Lane("formula-builder", self)
        self._lane.returned.connect(lambda answer: self.built.emit(*answer))

    def request(self, number: int, text: str) -> None:
        self._lane.start(lambda _task: (number, text, _build(text)))

    def busy(self) -> bool:
        """True while a build runs or waits, or its thread is still ending."""
        return self._lane.is_busy() or self._lane.is_alive()

    def shutdown(self, timeout: float) -> bool:
        """Drop the builds asked for and wait at most ``timeout`` seconds for the one running;
        True when no build is left running."""
        return self._lane.shutdown(timeout)


class ExpressionEditor(QWidget):
    """A field for L(w) = ... or L(x, y) = ..., with inline errors and the derived formulas."""

    expression_accepted = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._accepted = ""  # the formula in use; invalid text never replaces it
        self._formulas_in_use: dict[str, str] | None = None
        self._formulas_wanted = False  # set while hidden: shown formulas are worked out on show
        self._request = 0
        self._announce = True
        self._builder = _Builder(self)
        self._builder.built.connect(self._on_built)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)
        self._timer.timeout.connect(self._build_now)
        self._make_widgets()
        self._show_formulas(None)

    # --- the widgets ---------------------------------------------------------------------
    def _make_widgets(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        self.signature_label = QLabel("L =")
        self.signature_label.setToolTip("The variables decide the picture: w a curve, x and y a surface")
        row.addWidget(self.signature_label)
        self.field = QLineEdit()
        self.field.setPlaceholderText("for example x^2 + 10*y^2")
        self.field.setToolTip(
            "Type your loss function. Enter uses it at once; Esc brings back the one in use."
        )
        self.field.setAccessibleName("Your loss function")
        self.field.textEdited.connect(self._on_edited)
        self.field.returnPressed.connect(self._build_now)
        self.signature_label.setBuddy(self.field)
        row.addWidget(self.field, 1)
        layout.addLayout(row)
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self.field, self.revert,
                  context=Qt.ShortcutContext.WidgetShortcut)
        self.error_label = self._make_error_label()
        layout.addWidget(self.error_label)
        self.examples = self._make_examples()
        layout.addWidget(self.examples)
        self.formulas_view = QTextBrowser()
        self.formulas_view.setOpenLinks(False)
        self.formulas_view.setToolTip(
            "Worked out from your formula: the slope, the curvature and one step of descent"
        )
        self.formulas_view.setAccessibleName("Slope, curvature and update rule")
        self.formulas_view.setMinimumHeight(160)
        layout.addWidget(self.formulas_view)
        self.hint_label = QLabel(HINT)
        self.hint_label.setWordWrap(True)
        self.hint_label.setStyleSheet(f"color: {current_theme().muted};")
        self.hint_label.setToolTip("What a formula may contain")
        layout.addWidget(self.hint_label)

    def _make_error_label(self) -> QLabel:
        label = QLabel()
        label.setWordWrap(True)
        label.setTextFormat(Qt.TextFormat.RichText)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        label.setToolTip("What is wrong with the formula, and where")
        label.setAccessibleName("Formula error")
        label.hide()
        return label

    def _make_examples(self) -> QComboBox:
        box = QComboBox()
        # long example texts must not widen the panel: the list shows them in full
        box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        box.setMinimumContentsLength(12)
        box.setPlaceholderText("Examples…")
        for text, what in EXAMPLES:
            box.addItem(f"{text}   ({what})", text)
        box.setCurrentIndex(-1)
        box.setToolTip("Pick an example to start from; you can then change it")
        box.setAccessibleName("Example functions")
        box.activated.connect(self._on_example)
        return box

    # --- public ----------------------------------------------------------------------------
    def expression(self) -> str:
        """The formula in use (the last one that compiled), '' before any."""
        return self._accepted

    def set_expression(self, text: str) -> None:
        """Show ``text`` (from a file or another view) without emitting ``expression_accepted``."""
        self.field.setText(text)
        if self._check(text):
            self._accepted = text
            if self.isVisible():
                self._request_build(text, announce=False)
            else:  # no thread for a hidden editor: the formulas are worked out when it shows
                self._formulas_wanted = True

    def revert(self) -> None:
        """Bring back the formula in use, dropping the typing since."""
        self._timer.stop()
        self._request += 1  # a build still running is for the dropped text
        self.field.setText(self._accepted)
        self._check(self._accepted)
        self._show_formulas(self._formulas_in_use)

    def shutdown(self) -> None:
        """Stop the pause timer, drop the builds asked for, and wait for a running one at most
        ``CLOSE_WAIT_S`` (a slow build must not hold up the closing window)."""
        self._timer.stop()
        self._request += 1  # whatever still arrives is for text no longer wanted
        self._builder.shutdown(CLOSE_WAIT_S)

    def closeEvent(self, event) -> None:
        self.shutdown()
        super().closeEvent(event)

    def hideEvent(self, event) -> None:
        # another surface was chosen: no pause pending, and nothing waits for a running build
        # (its answer still arrives and is shown when the editor is back)
        self._timer.stop()
        super().hideEvent(event)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self._formulas_wanted and self._accepted:
            self._formulas_wanted = False
            self._request_build(self._accepted, announce=False)

    # --- typing ----------------------------------------------------------------------------
    def _on_edited(self, text: str) -> None:
        self._request += 1  # any build still running is for older text
        if self._check(text):
            self._timer.start()
        else:
            self._timer.stop()
            self._show_formulas(self._formulas_in_use)

    def _on_example(self, index: int) -> None:
        text = self.examples.itemData(index)
        self.examples.setCurrentIndex(-1)
        if text:
            self.field.setText(text)
            self._on_edited(text)
            self._build_now()

    def _check(self, text: str) -> bool:
        """The instant check: shows the error or the new signature; True when valid."""
        result = check_expression(text)
        if isinstance(result, ExpressionError):
            self.signature_label.setText(f"{guess_signature(text) or 'L'} =")
            self._show_error(None if not text.strip() else result, text)
            return False
        self.signature_label.setText(f"{result.signature} =")
        self._show_error(None)
        return True

    def _build_now(self) -> None:
        self._timer.stop()
        text = self.field.text()
        if self._check(text):
            self._request_build(text, announce=True)

    def _request_build(self, text: str, announce: bool) -> None:
        self._request += 1
        self._announce = announce
        self.formulas_view.setHtml(f"<i>{html.escape('Working out the slope and curvature…')}</i>")
        self._builder.request(self._request, text)

    def _on_built(self, number: int, text: str, result) -> None:
        if number != self._request:
            return  # the text changed since this build was asked for
        if isinstance(result, ExpressionError):
            self._show_error(result, text)
            self._show_formulas(self._formulas_in_use)
            return
        self._formulas_in_use = result
        self._show_formulas(result)
        changed = text != self._accepted
        self._accepted = text
        if self._announce and changed:
            self.expression_accepted.emit(text)

    # --- showing -----------------------------------------------------------------------------
    def _show_error(self, error: ExpressionError | None, text: str = "") -> None:
        if error is None:
            self.error_label.hide()
            self.field.setStyleSheet("")
            return
        self.error_label.setText(error_html(error, text))
        self.error_label.show()
        self.field.setStyleSheet(f"QLineEdit {{ border: 2px solid {ALARM_COLOR}; }}")

    def _show_formulas(self, formulas: dict[str, str] | None) -> None:
        if formulas is None:
            self.formulas_view.setHtml(
                "<i>Type a formula above, or pick an example. Its slope, its curvature and the "
                "update rule of gradient descent will appear here.</i>"
            )
            return
        self.formulas_view.setHtml(formulas_html(formulas))


def error_html(error: ExpressionError, text: str) -> str:
    """The message, and the typed text with the offending character marked."""
    parts = [f'<span style="color:{ALARM_COLOR};">{html.escape(error.message)}</span>']
    if error.column is not None and text:
        parts.append(f"<br><code>{_marked(text, error.column)}</code>")
    return "".join(parts)


def _marked(text: str, column: int, window: int = 18) -> str:
    """A short piece of ``text`` around ``column`` with that character marked (kept short so
    that the unbreakable line never widens a narrow panel)."""
    index = min(column - 1, len(text))
    start = max(0, index - window)
    end = min(len(text), index + window)
    before = ("…" if start else "") + text[start:index]
    char = text[index] if index < len(text) else " "
    after = text[index + 1 : end] + ("…" if end < len(text) else "")
    style = f"background:{ALARM_COLOR}; color:#FFFFFF; font-weight:bold;"
    shown = html.escape(char) if char.strip() else "&nbsp;"
    return (
        html.escape(before).replace(" ", "&nbsp;")
        + f'<span style="{style}">{shown}</span>'
        + html.escape(after).replace(" ", "&nbsp;")
    )


def formulas_html(formulas: dict[str, str]) -> str:
    """The slope, the curvature and the update rule as small headed sections."""
    slope = [v for k, v in formulas.items() if k.startswith("dL/")]
    curvature = [v for k, v in formulas.items() if k.startswith("d2L/")]
    sections = [
        ("Slope (the gradient)", slope),
        ("Curvature (the Hessian)", curvature),
        ("One step of gradient descent (α is the learning rate)", formulas["update"].split("\n")),
    ]
    out = [f"<p>In use: <b>{html.escape(formulas['L'])}</b></p>"]
    for title, lines in sections:
        body = "<br>".join(html.escape(line) for line in lines)
        out.append(f"<p><b>{html.escape(title)}</b><br>{body}</p>")
    return "".join(out)
