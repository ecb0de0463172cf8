"""What goes into the frozen bundle and what stays out, each exclusion with the reason for it.

Imported by `lrdesk.spec` (both the app and the bare reference bundle use it, so that they are
built the same way) and by the packaging tests.
"""

from __future__ import annotations

import os
import posixpath
import re
from collections.abc import Callable, Iterable

# Python modules PyInstaller would otherwise follow into the bundle. (module, why it is left out)
EXCLUDED_MODULES: tuple[tuple[str, str], ...] = (
    # Other Qt bindings: pyqtgraph probes for every binding it knows.
    ("PyQt5", "another Qt binding; LR Desk runs on PySide6 only"),
    ("PyQt6", "another Qt binding; LR Desk runs on PySide6 only"),
    ("PySide2", "another Qt binding (Qt 5); LR Desk runs on PySide6 only"),
    ("shiboken2", "belongs to PySide2"),
    # Qt modules the app never imports. QtOpenGL must stay (pyqtgraph imports it
    # unconditionally) and so do QtOpenGLWidgets (pyqtgraph's optional GL viewport) and QtSvg
    # (the SVG icon and SVG export).
    ("PySide6.QtNetwork", "no network access: the app works offline"),
    ("PySide6.QtTest", "pyqtgraph imports it only for its own test helpers, inside a try"),
    ("PySide6.QtQml", "no QML user interface"),
    ("PySide6.QtQuick", "no QML user interface"),
    ("PySide6.QtQuickWidgets", "no QML user interface"),
    ("PySide6.QtQuickControls2", "no QML user interface"),
    ("PySide6.QtQuick3D", "no 3-D scenes"),
    ("PySide6.Qt3DCore", "no 3-D scenes"),
    ("PySide6.Qt3DRender", "no 3-D scenes"),
    ("PySide6.Qt3DInput", "no 3-D scenes"),
    ("PySide6.Qt3DLogic", "no 3-D scenes"),
    ("PySide6.Qt3DExtras", "no 3-D scenes"),
    ("PySide6.Qt3DAnimation", "no 3-D scenes"),
    ("PySide6.QtWebEngineCore", "no embedded browser (the largest Qt module by far)"),
    ("PySide6.QtWebEngineWidgets", "no embedded browser"),
    ("PySide6.QtWebEngineQuick", "no embedded browser"),
    ("PySide6.QtWebChannel", "no embedded browser"),
    ("PySide6.QtWebSockets", "no network access"),
    ("PySide6.QtHttpServer", "no network access"),
    ("PySide6.QtNetworkAuth", "no network access"),
    ("PySide6.QtMultimedia", "no sound or video"),
    ("PySide6.QtMultimediaWidgets", "no sound or video"),
    ("PySide6.QtSpatialAudio", "no sound"),
    ("PySide6.QtTextToSpeech", "no speech"),
    ("PySide6.QtPdf", "no PDF viewing"),
    ("PySide6.QtPdfWidgets", "no PDF viewing"),
    ("PySide6.QtCharts", "plots are drawn with pyqtgraph"),
    ("PySide6.QtDataVisualization", "plots are drawn with pyqtgraph"),
    ("PySide6.QtGraphs", "plots are drawn with pyqtgraph"),
    ("PySide6.QtGraphsWidgets", "plots are drawn with pyqtgraph"),
    ("PySide6.QtBluetooth", "no devices"),
    ("PySide6.QtNfc", "no devices"),
    ("PySide6.QtSerialPort", "no devices"),
    ("PySide6.QtSerialBus", "no devices"),
    ("PySide6.QtSensors", "no devices"),
    ("PySide6.QtPositioning", "no maps or location"),
    ("PySide6.QtLocation", "no maps or location"),
    ("PySide6.QtSql", "no database"),
    ("PySide6.QtDesigner", "no Designer plugins"),
    ("PySide6.QtUiTools", "the user interface is built in code, not loaded from .ui files"),
    ("PySide6.QtHelp", "no Qt Assistant help files"),
    ("PySide6.QtRemoteObjects", "no inter-process objects"),
    ("PySide6.QtScxml", "no state-chart files"),
    ("PySide6.QtStateMachine", "no Qt state machines"),
    ("PySide6.QtDBus", "no D-Bus calls from Python (the xcb plugin still loads the library)"),
    ("PySide6.QtConcurrent", "threads are QThreads with a worker object"),
    ("PySide6.QtAxContainer", "no ActiveX"),
    # Optional extras that pyqtgraph, imageio or sympy import only when present and asked for.
    ("tkinter", "the GUI is Qt; Tcl/Tk and its data would add ~10 MB"),
    ("_tkinter", "the GUI is Qt"),
    ("matplotlib", "plots are drawn with pyqtgraph (pyqtgraph's matplotlib exporter is unused)"),
    ("IPython", "no interactive console"),
    ("jupyter_rfb", "pyqtgraph's notebook widget is unused"),
    ("ipykernel", "no interactive console"),
    ("scipy", "pyqtgraph uses it only for filters LR Desk does not call"),
    ("h5py", "pyqtgraph's HDF5 plotting is unused"),
    ("cupy", "no GPU arrays"),
    ("numba", "no JIT: the engine is plain NumPy"),
    ("colorcet", "colour maps are LR Desk's own"),
    ("pandas", "not used"),
    ("imageio_ffmpeg", "MP4 export is not offered; GIF export uses Pillow"),
    ("av", "video plugins of imageio are unused"),
    ("tifffile", "TIFF plugins of imageio are unused"),
    # Pillow writes the animated GIFs; its AVIF and WebP codecs (~6 MB with their libraries)
    # and its Tk bridge are never used (Pillow skips formats whose codec cannot be imported).
    ("PIL._avif", "AVIF images are never read or written"),
    ("PIL._webp", "WebP images are never read or written"),
    ("PIL._imagingtk", "the GUI is Qt, not Tk"),
    ("PIL.ImageTk", "the GUI is Qt, not Tk"),
    ("pytest", "test tool"),
    ("_pytest", "test tool"),
    ("hypothesis", "test tool"),
    ("pytestqt", "test tool"),
    ("PyInstaller", "the build tool itself"),
    ("setuptools", "build tool; nothing imports it at run time"),
    ("pkg_resources", "build tool; nothing imports it at run time"),
    ("pip", "installer; not needed in a frozen app"),
)

# Qt plugins to keep, by plugin folder; folders not listed are kept whole, folders mapped to ()
# are dropped whole. Names are plugin file names without the 'lib'/'q' prefix and the extension
# (libqxcb.so, qxcb.dll and libqxcb.dylib are all 'xcb'). Libraries that only a dropped plugin
# needed are dropped with it (see prune_orphans).
KEPT_PLUGINS: dict[str, tuple[str, ...]] = {
    # Windowing back-ends: the native ones for each desktop, plus offscreen for the smoke test
    # and CI. linuxfb, eglfs, vnc, vkkhrdisplay and minimal(egl) are for kiosks and devices.
    "platforms": ("xcb", "wayland", "wayland-egl", "wayland-generic", "windows", "cocoa",
                  "offscreen"),
    # Device back-ends of the eglfs platform, which is left out above.
    "egldeviceintegrations": (),
    # Raw evdev input and TUIO network touch: only used without a windowing system (and TUIO
    # would pull in QtNetwork).
    "generic": (),
    # The GTK 3 theme plugin would load the host's GTK against the bundle's own copies of GLib,
    # cairo and pango (a classic start-up crash) and the app draws its own Fusion style anyway.
    # The desktop-portal plugin stays: native file dialogs inside Flatpak/Snap sandboxes.
    "platformthemes": ("xdgdesktopportal",),
    # Image formats the app reads: the SVG icon (PNG is built into QtGui); GIFs are written
    # with Pillow. TIFF, WebP, ICNS, TGA, WBMP, JPEG and PDF readers are unused.
    "imageformats": ("svg", "ico"),
    # Only the SVG icon engine is needed (for the window icon).
    "iconengines": ("svgicon",),
    # Linux input methods: keep compose keys and IBus (accents typed into spin boxes).
    "platforminputcontexts": ("composeplatforminputcontextplugin", "ibusplatforminputcontextplugin"),
}

# Qt's own translations of its dialogs: the app is English-only and never installs a
# QTranslator, so these ~5 MB of .qm files would never be loaded.
DROPPED_DATA_FOLDERS: tuple[str, ...] = ("PySide6/Qt/translations",)

_PLUGIN_PATH = re.compile(r"(?:^|/)PySide6/Qt/plugins/([^/]+)/([^/]+)$")


def excluded_module_names() -> list[str]:
    return [name for name, _reason in EXCLUDED_MODULES]


def plugin_base_name(file_name: str) -> str:
    """'libqxcb.so' -> 'xcb', 'qwindows.dll' -> 'windows', 'libqsvgicon.dylib' -> 'svgicon'."""
    stem = file_name.split(".")[0]
    if stem.startswith("lib"):
        stem = stem[3:]
    return stem[1:] if stem.startswith("q") else stem


def _plugin_kept(dest: str) -> bool:
    match = _PLUGIN_PATH.search(dest.replace("\\", "/"))
    if match is None:
        return True
    folder, file_name = match.groups()
    wanted = KEPT_PLUGINS.get(folder)
    if wanted is None:
        return True
    return plugin_base_name(file_name) in wanted


def _data_kept(dest: str) -> bool:
    normal = dest.replace("\\", "/")
    return not any(normal == folder or normal.startswith(folder + "/")
                   for folder in DROPPED_DATA_FOLDERS)


def keep_entry(dest: str) -> bool:
    """Whether a file bound for `dest` (a path inside the bundle) belongs in it."""
    return _plugin_kept(dest) and _data_kept(dest)


def split_entries(entries: Iterable[tuple]) -> tuple[list[tuple], list[tuple]]:
    """PyInstaller TOC entries (dest, source, kind) -> (kept, dropped)."""
    kept, dropped = [], []
    for entry in entries:
        (kept if keep_entry(entry[0]) else dropped).append(entry)
    return kept, dropped


def _key(path: str) -> str:
    return os.path.normcase(os.path.basename(path))


def prune_orphans(
    kept: list[tuple], dropped: list[tuple], imports_of: Callable[[str], Iterable[str]]
) -> tuple[list[tuple], list[tuple]]:
    """Drop the shared libraries that were collected only because a dropped plugin needs them.

    `imports_of(source)` lists the libraries a binary links against (names or paths). Libraries
    are matched by file name, which errs on the side of keeping: a library is removed only if
    some dropped plugin needs it and no kept binary needs it, directly or indirectly. Python
    extension modules are never removed. Returns (kept, orphans).
    """
    by_name: dict[str, list[tuple]] = {}
    for entry in kept:
        by_name.setdefault(_key(entry[1]), []).append(entry)

    def reachable(sources: Iterable[str]) -> set[str]:
        seen: set[str] = set()
        queue = list(sources)
        while queue:
            for imported in imports_of(queue.pop()):
                name = _key(imported)
                if name in by_name and name not in seen:
                    seen.add(name)
                    queue.extend(entry[1] for entry in by_name[name])
        return seen

    candidates = {
        name for name in reachable(entry[1] for entry in dropped)
        if all(entry[2] == "BINARY" for entry in by_name[name])
    }
    roots = [entry[1] for entry in kept if _key(entry[1]) not in candidates]
    orphans = candidates - reachable(roots)
    return (
        [entry for entry in kept if _key(entry[1]) not in orphans],
        [entry for entry in kept if _key(entry[1]) in orphans],
    )


def _normal(dest: str) -> str:
    return posixpath.normpath(dest.replace("\\", "/"))


def drop_dangling_links(entries: list[tuple], others: Iterable[tuple] = ()) -> tuple[list[tuple], list[tuple]]:
    """Drop the SYMLINK entries whose target is no longer in the bundle (it was pruned).

    PyInstaller records a link as (link path, target relative to the link's folder, 'SYMLINK');
    a target may be a file or a folder (macOS frameworks link folders). `others` are the rest
    of the bundle's entries (e.g. the binaries when `entries` are the data files).
    """
    everything = [*entries, *others]
    files = {_normal(e[0]) for e in everything if e[2] != "SYMLINK"}
    folders = {parent for path in files for parent in _parents(path)}
    links = {_normal(e[0]): _link_target(e) for e in everything if e[2] == "SYMLINK"}
    kept, dropped = [], []
    for entry in entries:
        target = _resolve(_link_target(entry), links) if entry[2] == "SYMLINK" else None
        ok = entry[2] != "SYMLINK" or target in files or target in folders
        (kept if ok else dropped).append(entry)
    return kept, dropped


def _resolve(path: str, links: dict[str, str], hops: int = 0) -> str | None:
    """Follow links in any component of path (a framework's Versions/Current/...)."""
    parts = path.split("/")
    for i in range(1, len(parts) + 1):
        prefix = "/".join(parts[:i])
        if prefix in links:
            if hops >= 16:
                return None  # a loop
            return _resolve(_normal(posixpath.join(links[prefix], *parts[i:])), links, hops + 1)
    return path


def _link_target(entry: tuple) -> str:
    return _normal(posixpath.join(posixpath.dirname(_normal(entry[0])), entry[1].replace("\\", "/")))


def _parents(path: str) -> list[str]:
    parts = path.split("/")[:-1]
    return ["/".join(parts[: i + 1]) for i in range(len(parts))]
