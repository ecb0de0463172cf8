"""The main window: composes the views, the controls, playback and the descent worker.

Data flows one way: a control edit makes a new frozen ``ExperimentSpec``; the worker computes it
in chunks off the GUI thread; the chunks go into a ``Recording``; ``WindowDrawing`` draws the
recording at the playhead, at most once per refresh. Nothing flows back to the worker except
"new spec" and "stop".
"""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QDockWidget, QLabel, QMainWindow, QMenu, QWidget

from lrdesk.core.experiment import edits as spec_edits
from lrdesk.core.experiment.history import RunHistory
from lrdesk.core.experiment.simulation import Chunk, RunEvent
from lrdesk.core.experiment.spec import ExperimentSpec, RunSpec, SpecError, in_words
from lrdesk.core.surfaces import LossFunction
from lrdesk.core.theory.hessian import Theory, local_theory
from lrdesk.gui.live.playback import Playback, Recording
from lrdesk.gui.live.presenter import RunPresenter, theory_summary
from lrdesk.gui.live.worker import SimulationRunner
from lrdesk.gui.settings import Settings
from lrdesk.gui.shared.link import DockSite, ExperimentLink
from lrdesk.gui.shared.palette import current_theme, run_color
from lrdesk.gui.surface3d.switch import (
    CanvasTee,
    add_view_action,
    follow_spec,
    install_view_switch,
)
from lrdesk.gui.window.actions import WindowActions, connect_actions, show_about, show_shortcuts
from lrdesk.gui.window.drawing import WindowDrawing
from lrdesk.gui.window.edit_history import EditHistory
from lrdesk.gui.window.files import FileActions, remembered_experiment
from lrdesk.gui.window.layout import WindowLayout, fitting_size
from lrdesk.gui.window.look import WindowLook
from lrdesk.gui.window.panels import install_panels
from lrdesk.gui.window.playback_commands import PlaybackCommands
from lrdesk.gui.window.presentation import PresentationMode

EDIT_DELAY_MS = 150  # edits are gathered this long before the descent restarts
DEFAULT_SIZE = (1280, 800)


class MainWindow(QMainWindow):
    """The LR Desk window. ``settings=None``: remember nothing (tests, the smoke run).

    Its parts get only what they need: the layout makes the views, the actions and the look
    get a menu bar or a list of views, the file actions a spec source, the panels an
    ``ExperimentLink`` and a ``DockSite``. What a part wants changed comes back as a signal.

    Public API for the panels: ``spec()`` the experiment on screen, ``histories()`` each run's
    recorded rows (by run index), ``events()`` how each ended run ended (run index -> RunEvent),
    ``recording()`` all of it, ``theory()`` / ``function()`` of the spec's surface,
    ``selected_run()`` an index; ``set_spec``, ``add_run``; the playhead (``current_step``,
    ``set_step``, ``play``, ``pause``, ``step_forward``...); ``add_panel(widget, title, area)``
    a dock, ``menu(title)`` a top-level menu; and the signals below.
    """

    spec_changed = Signal(object)  # the new ExperimentSpec
    step_changed = Signal(int)  # the playhead
    run_selected = Signal(int)
    history_updated = Signal()
    about_to_close = Signal()  # panels stop their own work here

    def __init__(self, settings: Settings | None = None, spec: ExperimentSpec | None = None) -> None:
        super().__init__()
        self.setObjectName("LRDeskMainWindow")
        self.setWindowTitle("LR Desk[*]")
        self.setAcceptDrops(True)
        self.resize(*fitting_size(self.screen().availableGeometry().size(), DEFAULT_SIZE))
        self._settings = settings
        self._spec: ExperimentSpec | None = None
        self._function: LossFunction | None = None
        self._theory: Theory | None = None
        self._selected = 0
        self._recording = Recording(0)
        self._closed = False
        self.file_actions = FileActions(self, settings, self.spec)
        self.link = ExperimentLink(self.spec, self.selected_run, self)
        self.dock_site = DockSite(self.add_panel, self.menu,
                                  lambda name: self.findChild(QDockWidget, name))
        self.layout_parts = WindowLayout(self)
        self.canvas = self.layout_parts.canvas
        self.loss_plot = self.layout_parts.loss_plot
        self.runs_table = self.layout_parts.runs_table
        self.banner = self.layout_parts.banner
        self.controls = self.layout_parts.controls
        self.run_controls = self.layout_parts.run_controls
        self.lr_control = self.run_controls.lr_control
        self.surface_view = install_view_switch(self.layout_parts.middle, self.canvas)
        self.presenter = RunPresenter(CanvasTee(self.canvas, self.surface_view.view3d),
                                      self.loss_plot, self.runs_table, self.banner)
        self.playback = Playback(self)
        self.commands = PlaybackCommands(self.playback, self.recording, self)
        self.runner = SimulationRunner(self)
        self.actions_ = WindowActions(self, self.menuBar(), self.file_actions.recent_menu)
        self.edit_history = EditHistory(
            self.actions_.undo, self.actions_.redo, lambda: self._spec,
            self._apply_pending_edits, self.set_spec,
            self.lr_control.dragging, self,
        )
        self.layout_parts.attach_panels_menu(self.actions_.panels_menu)
        self.layout_parts.attach_side_panel_action(self.actions_.side_panel)
        self.view_3d_action = add_view_action(self.actions_.view_menu, self.surface_view)
        self.playback_bar = self.layout_parts.add_playback_bar(self.actions_.playback_actions())
        self.look = WindowLook(settings, (self.canvas, self.loss_plot, self.banner,
                                          self.runs_table, self.lr_control), self)
        self.theory_label = QLabel()
        self.statusBar().addPermanentWidget(self.theory_label)
        self._edit_timer = QTimer(self)
        self._edit_timer.setSingleShot(True)
        self._edit_timer.setInterval(EDIT_DELAY_MS)
        self._edit_timer.timeout.connect(self._apply_edits)
        self._drag_edit_waiting = False  # a dragged rate waits for the rows of the last one
        self._drawn_recording: Recording | None = None  # ... drawn in a frame
        self.drawing = WindowDrawing(self, self.presenter, self.playback, self.playback_bar,
                                     lambda: (self._spec, self._recording), self.runner.set_gui_busy,
                                     self.lr_control.dragging)
        self.drawing.drawn_new_data.connect(self.history_updated)
        self.drawing.drawn_new_data.connect(self._on_rows_drawn)
        self.frames = self.drawing.frames
        self.canvas.set_frame_driven(True)  # the view's moves are paced with the frames
        self.canvas.view_moving.connect(self.drawing.request)
        self._connect()
        first, typed = (spec, "") if spec is not None else remembered_experiment(settings)
        self._use_spec(first or ExperimentSpec())
        self.presenter.hint = (
            "Press Play (Space) to watch the runs go downhill side by side, "
            "or Step (Right arrow) one step at a time."
        )
        self.presenter.refresh_banner()  # in the first paint already: no jump a frame later
        install_panels(self)
        self.presentation = PresentationMode(self, self.layout_parts, self.look, self.lr_control,
                                             self.playback_bar, self._lesson_panel)
        self.presentation.presenting_changed.connect(self.actions_.present.setChecked)
        self.presentation.message.connect(self.statusBar().showMessage)
        for shown_rate_may_change in (self.spec_changed, self.run_selected):
            shown_rate_may_change.connect(lambda *_: self.presentation.follow_rate())
        self.actions_.present.triggered.connect(lambda _checked=False: self.presentation.toggle())
        if self.look.restore_layout(self):
            self.layout_parts.keep_side_panel()
        if typed:  # worked out off the GUI thread, shown when ready
            self.file_actions.open_text(typed)
        self.drawing.request()

    def _connect(self) -> None:
        a, look, say = self.actions_, self.look, self.statusBar().showMessage
        connect_actions((
            (a.open, self.file_actions.open_dialog), (a.save, self.file_actions.save),
            (a.save_as, self.file_actions.save_as), (a.quit, self.close),
            (a.play, self.playback.toggle), (a.step_back, self.commands.step_back),
            (a.step, self.commands.step_forward), (a.reset, self.commands.reset),
            (a.jump_bad, self.commands.jump_to_first_bad_step), (a.add_run, self.add_suggested_run),
            (a.zoom_in, lambda: look.zoom_by(+1)), (a.zoom_out, lambda: look.zoom_by(-1)),
            (a.zoom_reset, lambda: look.zoom_by(0)), (a.about, self.show_about),
            (a.new, self.new_experiment), (a.full_screen, self.toggle_full_screen),
            (a.shortcuts, self.show_shortcuts),
        ))
        connect_actions((action, lambda n=name: look.set_theme(n)) for name, action in a.theme_actions.items())
        look.theme_changed.connect(lambda name: a.theme_actions[name].setChecked(True))
        look.apply()
        look.theme_changed.connect(lambda _name: self.surface_view.view3d.set_theme(current_theme()))
        self.surface_view.view_chosen.connect(self._on_view_chosen)
        self.edit_history.message.connect(say)
        for part in (look, self.commands):
            part.message.connect(say)
        self.file_actions.path_changed.connect(self._update_title)
        self.file_actions.opened.connect(self.set_spec)
        self.spec_changed.connect(self.link.spec_changed)
        self.run_selected.connect(self.link.run_selected)
        self.about_to_close.connect(self.link.closing)
        self.link.run_wanted.connect(self.add_run)
        self.link.spec_wanted.connect(self._on_spec_wanted)
        self.controls.edited.connect(self._edit_timer.start)
        self.run_controls.edited.connect(self._on_run_edited)
        self.canvas.start_point_requested.connect(self._on_start_picked)
        self.runs_table.selection_changed.connect(self._on_run_selected)
        self.runs_table.add_requested.connect(self.add_suggested_run)
        self.runs_table.duplicate_requested.connect(self._duplicate_run)
        self.runs_table.remove_requested.connect(self._remove_run)
        self.runner.chunk_ready.connect(self._on_chunk)
        self.runner.failed.connect(self._on_failure)
        self.playback.step_changed.connect(self._on_step_changed)
        self.playback.playing_changed.connect(self._on_playing_changed)
        self.playback_bar.speed_changed.connect(self.playback.set_speed)
        self.playback_bar.scrubbed.connect(self.commands.scrub)
        speed = self._settings.speed() if self._settings is not None else None
        if speed is not None:
            self.playback_bar.set_speed(speed)
        self.playback.set_speed(self.playback_bar.speed())

    # --- Public API (other panels build on these names) -------------------------------------------
    def spec(self) -> ExperimentSpec:
        return self._spec

    def set_spec(self, spec: ExperimentSpec) -> None:
        """Show and run ``spec``; raises SpecError (changing nothing) if it cannot be used."""
        function = spec.validate()
        self._edit_timer.stop()
        self._selected = 0
        self._use_spec(spec, function)

    def add_run(self, run_spec: RunSpec) -> None:
        """Add a run and select it (at most 8 runs: beyond that, a message and no change)."""
        self._apply_pending_edits()
        try:
            spec = spec_edits.add_run(self._spec, run_spec)
            spec.validate()
        except (ValueError, SpecError) as exc:
            self.statusBar().showMessage(f"Cannot add a run: {in_words(str(exc))}.", 6000)
            return
        self._selected = len(spec.runs) - 1
        self._use_spec(spec)

    def histories(self) -> list[RunHistory]:
        return self._recording.histories

    def events(self) -> dict[int, RunEvent]:
        return dict(self._recording.events)

    def revealed_events(self) -> dict[int, RunEvent]:
        """The verdicts the playhead has reached (shown in the table and the banner)."""
        return self.presenter.revealed_events()

    def recording(self) -> Recording:
        return self._recording

    def theory(self) -> Theory:
        return self._theory

    def function(self) -> LossFunction:
        return self._function

    def selected_run(self) -> int:
        return self._selected

    def add_panel(self, widget: QWidget, title: str,
                  area=Qt.DockWidgetArea.RightDockWidgetArea) -> QDockWidget:
        return self.layout_parts.add_panel(widget, title, area)

    def menu(self, title: str) -> QMenu:
        return self.actions_.menu(title)

    # --- the playhead (keys, buttons and panels use these) ----------------------------------------
    def current_step(self) -> int:
        return self.playback.step()

    def set_step(self, step: int) -> None:
        self.playback.set_step(step)

    def is_playing(self) -> bool:
        return self.playback.is_playing()

    def play(self) -> None:
        self.playback.play()

    def pause(self) -> None:
        self.playback.pause()

    def reset(self) -> None:
        self.commands.reset()

    def step_forward(self) -> None:
        self.commands.step_forward()

    def step_back(self) -> None:
        self.commands.step_back()

    def jump_to_first_bad_step(self) -> None:
        self.commands.jump_to_first_bad_step()

    def _on_step_changed(self, step: int) -> None:
        self.step_changed.emit(step)
        self.drawing.request()

    def _on_playing_changed(self, playing: bool) -> None:
        self.actions_.set_playing(playing)
        self.drawing.request()

    # --- Specs: edits in, new computations out ----------------------------------------------------
    def _on_run_edited(self) -> None:
        """A dragged rate slider paces its own edits: use each at once, so the canvas follows,
        but one at a time: the next waits until the rows of the last are drawn (a slow machine
        still shows every few moves instead of restarting the runs before any row is drawn)."""
        self._drag_edit_waiting = False
        if not self.lr_control.dragging():
            self._edit_timer.start()
        elif self._drawn_recording is self._recording:
            self._apply_edits()
        else:
            self._drag_edit_waiting = True
            self._edit_timer.start()  # used anyway if no row comes

    def _on_rows_drawn(self) -> None:
        self._drawn_recording = self._recording
        if self._drag_edit_waiting:
            self._on_run_edited()

    def _apply_pending_edits(self) -> None:
        if self._edit_timer.isActive():
            self._apply_edits()

    def _apply_edits(self) -> None:
        self._edit_timer.stop()
        try:
            spec = self.controls.read(self._spec)
            same_surface = (spec.function, spec.expression) == (self._spec.function, self._spec.expression)
            if same_surface:  # a new surface brings new rates: the shown rate is the old one's
                spec = self._with_selected_run_edits(spec)
            function = spec.validate()
        except (ValueError, SpecError) as exc:  # SpecError, InvalidSchedule, InvalidOptimizer...
            words = in_words(str(exc))  # 'Run 2, learning rate: ...', not a field path
            self.controls.show_error(f"That setting cannot be used: {words}")
            self.statusBar().showMessage(f"That setting cannot be used: {words}", 8000)
            return
        self._use_spec(spec, function)

    def _on_spec_wanted(self, spec: ExperimentSpec, failure: str) -> None:
        """A panel asked for ``spec``: show it, or say why not (``failure`` starts the message)."""
        try:
            self.set_spec(spec)
        except ValueError as exc:  # SpecError and the optimizers' and schedules' own errors
            self.statusBar().showMessage(f"{failure}: {exc}.", 6000)

    def _with_selected_run_edits(self, spec: ExperimentSpec) -> ExperimentSpec:
        index = self._selected
        if not 0 <= index < len(spec.runs):
            return spec
        run = replace(self.run_controls.read(), start=spec.runs[index].start)
        return spec_edits.replace_run(spec, index, run)

    def _on_view_chosen(self, view: str) -> None:
        """The heat map or the 3-D surface: the file remembers it; the runs go on as they are."""
        if self._spec is not None and self._spec.view != view:
            self._spec = replace(self._spec, view=view)
            self._update_title()

    def _on_start_picked(self, point: tuple) -> None:
        self.controls.set_start(point)
        self._edit_timer.start()

    def _use_spec(self, spec: ExperimentSpec, function: LossFunction | None = None) -> None:
        if spec == self._spec:
            return
        if function is None:
            function = spec.validate()
        old = self._spec
        if old is not None:
            self.edit_history.replaced(old)
        self._spec, self._function = spec, function
        self._theory = local_theory(function, spec.start)
        self._selected = min(max(self._selected, 0), len(spec.runs) - 1)
        self._reset_views(old, spec)
        self._recording = Recording(len(spec.runs))
        self.presenter.reset(spec, self._theory)
        self.playback.set_limits(spec.steps, -1, None)
        self.playback_bar.set_step(self.playback.step(), spec.steps)
        if self.playback.is_playing():
            self.playback.set_step(0)
        self.runner.start(spec)
        self.controls.show_spec(spec, function)
        self._show_selected_run()
        self.actions_.jump_bad.setEnabled(False)
        self._show_theory()
        self._update_title()
        self.spec_changed.emit(spec)
        self.drawing.request()

    def _reset_views(self, old: ExperimentSpec | None, spec: ExperimentSpec) -> None:
        surface = (spec.function, spec.function_params, spec.expression)
        if old is None or surface != (old.function, old.function_params, old.expression):
            self.canvas.set_function(self._function, spec.start)
        elif old.start != spec.start:
            self.canvas.set_start(spec.start)
        colors = [run_color(i) for i in range(len(spec.runs))]
        self.canvas.set_runs(colors)
        self.canvas.name_runs(list(spec.runs))
        follow_spec(self.surface_view, old, spec, self._function, colors)
        self.loss_plot.set_runs(colors)
        self.runs_table.set_runs(list(spec.runs), colors)
        self.runs_table.select_run(self._selected)

    def _show_selected_run(self) -> None:
        run = self._spec.runs[self._selected]
        self.run_controls.show_run(self._selected + 1, run, run_color(self._selected), self._theory)

    def _show_theory(self) -> None:
        text, tip = theory_summary(self._theory)
        self.theory_label.setText(text)
        self.theory_label.setToolTip(tip)

    def _on_run_selected(self, run: int) -> None:
        if run < 0 or run == self._selected:
            return
        self._apply_pending_edits()  # an edit belongs to the run that was selected when made
        self._selected = min(run, len(self._spec.runs) - 1)
        self.runs_table.select_run(self._selected)
        self._show_selected_run()
        self.run_selected.emit(self._selected)

    def add_suggested_run(self) -> None:
        template = self._spec.runs[self._selected] if self._spec.runs else None
        self.add_run(spec_edits.next_run(self._spec, self._function, template))

    def _duplicate_run(self, run: int) -> None:
        self.add_run(self._spec.runs[run])

    def _remove_run(self, run: int) -> None:
        self._apply_pending_edits()
        try:
            spec = spec_edits.remove_run(self._spec, run)
        except ValueError as exc:
            self.statusBar().showMessage(f"Cannot remove the run: {exc}.", 6000)
            return
        if self._selected >= run:
            self._selected = max(0, self._selected - 1)
        self._use_spec(spec)

    # --- Chunks in, frames out --------------------------------------------------------------------
    def _on_chunk(self, chunk: Chunk) -> None:
        recording = self._recording
        with self.runner.gui_busy():
            recording.add(chunk)
        self.playback.set_limits(self._spec.steps, recording.frontier(), recording.end_step())
        if recording.all_ended and self.runner.is_running():
            self.runner.cancel()  # every run has its verdict: the rest would draw nothing
        self.actions_.jump_bad.setEnabled(recording.first_bad_step() is not None)
        self.drawing.request(new_data=True)

    def _on_failure(self, message: str) -> None:
        self._recording.failure = message
        self.presenter.failure = f"The computation stopped: {message}"
        self.drawing.request()

    # --- Window: look, files, closing -------------------------------------------------------------
    def set_theme(self, name: str) -> None:
        self.look.set_theme(name)

    def show_about(self) -> None:
        self.about_box = show_about(self)

    def show_shortcuts(self) -> None:
        self.shortcuts_box = show_shortcuts(self)

    def new_experiment(self) -> bool:
        """Back to the first picture (L = w² from w = 5, three rates), belonging to no file;
        edits not saved are asked about first. False when the user cancels."""
        if not self.file_actions.may_discard_edits("starting a new experiment"):
            return False
        self.file_actions.forget_path()
        self.set_spec(ExperimentSpec())
        return True

    def _lesson_panel(self):
        from lrdesk.gui.lessons.panel import LessonPanel  # installed with the other panels

        return self.findChild(LessonPanel)

    def toggle_full_screen(self) -> None:
        """F11: fill the screen, or go back to the window as it was."""
        if self.isFullScreen():
            self.showNormal()
        else:
            self.showFullScreen()
        self.actions_.full_screen.setChecked(self.isFullScreen())

    def _update_title(self, *_args) -> None:
        path = self.file_actions.path
        name = path.rsplit("/", 1)[-1] if path else ""
        self.setWindowTitle(f"{name}[*] — LR Desk" if name else "LR Desk[*]")
        self.setWindowModified(self.file_actions.is_modified(self._spec))

    def dragEnterEvent(self, event) -> None:  # Qt override
        self.file_actions.drag_entered(event)

    def dropEvent(self, event) -> None:  # Qt override
        self.file_actions.dropped(event)

    def changeEvent(self, event: QEvent) -> None:  # Qt override
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self.drawing.request()

    def closeEvent(self, event: QCloseEvent) -> None:  # Qt override
        """Stop the worker and wait for it, stop the timers, save the settings, then close."""
        if self._closed:
            event.accept()
            return
        self._apply_pending_edits()
        if not self.file_actions.may_discard_edits("closing the window"):
            event.ignore()
            return
        self._closed = True
        self.about_to_close.emit()
        self.presentation.leave()  # the zoom and layout are remembered as they were before
        self.layout_parts.side_panel.unfold()  # the layout is remembered with its panels shown
        self.runner.shutdown()
        self.file_actions.shutdown()
        self.controls.shutdown()
        self.playback.stop()
        self._edit_timer.stop()
        self.drawing.stop()
        if self._settings is not None:
            self._settings.set_last_experiment(self._spec)
            self._settings.set_speed(self.playback.speed())
        self.look.save_and_restore_font(self)
        event.accept()
