"""What the window remembers between sessions (QSettings): geometry, theme, zoom, experiment.

Every value read back is checked: a settings file edited by hand or written by another version
gives the default, never an error.
"""

from __future__ import annotations

import json
import math

from PySide6.QtCore import QByteArray, QSettings

from lrdesk.core.experiment.spec import ExperimentSpec, SpecError, dumps, loads

ORGANIZATION = "LR Desk"
APPLICATION = "lrdesk"
MAX_RECENT_FILES = 8
THEME_NAMES = ("light", "dark")


def settings_store() -> QSettings:
    """The app's one settings file, for every part of LR Desk that remembers something.

    An INI file on every system (not the registry or a plist): readable, portable, and placed
    by ``QSettings.setPath``, which is how tests keep it in a temporary folder. (The
    ``QSettings(organization, application)`` constructor would use the native format, which
    ``setPath(IniFormat, ...)`` does not move.)
    """
    return QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, ORGANIZATION, APPLICATION)


class Settings:
    """Typed access to the app's QSettings."""

    def __init__(self) -> None:
        self._store = settings_store()

    # --- the window ------------------------------------------------------------------------
    def geometry(self) -> QByteArray | None:
        return self._bytes("window/geometry")

    def set_geometry(self, data: QByteArray) -> None:
        self._store.setValue("window/geometry", data)

    def window_state(self) -> QByteArray | None:
        return self._bytes("window/state")

    def set_window_state(self, data: QByteArray) -> None:
        self._store.setValue("window/state", data)

    def _bytes(self, key: str) -> QByteArray | None:
        value = self._store.value(key)
        return value if isinstance(value, QByteArray) and not value.isEmpty() else None

    # --- the look ---------------------------------------------------------------------------
    def theme(self) -> str:
        value = self._store.value("view/theme", "light")
        return value if value in THEME_NAMES else "light"

    def set_theme(self, name: str) -> None:
        self._store.setValue("view/theme", name)

    def zoom(self) -> float:
        return self._number("view/zoom", 1.0, 0.5, 4.0)

    def set_zoom(self, factor: float) -> None:
        self._store.setValue("view/zoom", float(factor))

    def speed(self) -> float | None:
        value = self._number("playback/speed", math.nan, 1.0, math.inf)
        return None if math.isnan(value) else value

    def set_speed(self, steps_per_second: float) -> None:
        self._store.setValue("playback/speed", str(steps_per_second))

    def _number(self, key: str, default: float, low: float, high: float) -> float:
        try:
            value = float(self._store.value(key, default))
        except (TypeError, ValueError):
            return default
        return value if low <= value <= high else default

    # --- the experiment ------------------------------------------------------------------------
    def last_experiment_text(self) -> str:
        """The experiment remembered from the last session, as saved ('' for none), unchecked."""
        text = self._store.value("experiment/last")
        return text if isinstance(text, str) else ""

    def last_experiment(self) -> ExperimentSpec | None:
        """The experiment remembered from the last session (None: none, or not usable)."""
        text = self.last_experiment_text()
        if not text:
            return None
        try:
            return loads(text)
        except SpecError:
            return None

    def set_last_experiment(self, spec: ExperimentSpec) -> None:
        self._store.setValue("experiment/last", dumps(spec))

    def recent_files(self) -> list[str]:
        try:
            paths = json.loads(self._store.value("files/recent", "[]"))
        except (TypeError, ValueError):
            return []
        if not isinstance(paths, list):
            return []
        return [p for p in paths if isinstance(p, str)][:MAX_RECENT_FILES]

    def add_recent_file(self, path: str) -> None:
        paths = [path, *(p for p in self.recent_files() if p != path)]
        self._store.setValue("files/recent", json.dumps(paths[:MAX_RECENT_FILES]))

    def remove_recent_file(self, path: str) -> None:
        paths = [p for p in self.recent_files() if p != path]
        self._store.setValue("files/recent", json.dumps(paths))

    def sync(self) -> None:
        self._store.sync()
