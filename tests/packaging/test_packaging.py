"""Packaging: the frozen bundle starts and finds its parts; icons, desktop entry, metainfo."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from lrdesk._version import __version__

ROOT = Path(__file__).resolve().parents[2]
PACKAGING = ROOT / "packaging"
RESOURCES = ROOT / "resources"
DESKTOP_FILE = RESOURCES / "desktop" / "org.lrdesk.LRDesk.desktop"
METAINFO_FILE = RESOURCES / "desktop" / "org.lrdesk.LRDesk.metainfo.xml"
FROZEN_TIMEOUT_S = 180


def load_packaging_module(name: str):
    """packaging/ is not a package (and the PyPI 'packaging' owns that name): load by path."""
    full_name = f"lrdesk_packaging_{name}"
    if full_name not in sys.modules:
        spec = importlib.util.spec_from_file_location(full_name, PACKAGING / f"{name}.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[full_name] = module
        spec.loader.exec_module(module)
    return sys.modules[full_name]


contents = load_packaging_module("bundle_contents")
helpers = load_packaging_module("spec_helpers")
build = load_packaging_module("build")
install_desktop = load_packaging_module("install_desktop")
render_icons = load_packaging_module("render_icons")
check_screenshot = load_packaging_module("check_screenshot")


def plain_env(tmp: Path, **extra: str) -> dict[str, str]:
    """The environment of a user's machine: no Python paths of ours, settings in tmp."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "LRDESK_"))}
    env.update({"QT_QPA_PLATFORM": "offscreen", "XDG_CONFIG_HOME": str(tmp / "config"), **extra})
    return env


def run(command: list, tmp: Path, timeout: float = FROZEN_TIMEOUT_S, **extra: str):
    return subprocess.run([str(c) for c in command], cwd=tmp, env=plain_env(tmp, **extra),
                          capture_output=True, text=True, timeout=timeout, check=False)


# ------------------------------------------------------------------------------------------
# The frozen bundle (built once for this module)
# ------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def bundle(tmp_path_factory) -> Iterator[Path]:
    """Build the one-folder bundle with `packaging/build.py` into a temporary folder."""
    folder = tmp_path_factory.mktemp("bundle")
    result = subprocess.run(
        [sys.executable, str(PACKAGING / "build.py"), "--dist", str(folder / "dist"),
         "--work", str(folder / "work")],
        capture_output=True, text=True, timeout=900, check=False)
    shutil.rmtree(folder / "work", ignore_errors=True)
    assert result.returncode == 0, f"build failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    yield build.Variant().output(folder / "dist")
    shutil.rmtree(folder, ignore_errors=True)  # ~220 MB


@pytest.fixture(scope="module")
def executable(bundle) -> Path:
    return bundle / ("lrdesk.exe" if sys.platform == "win32" else "lrdesk")


@pytest.mark.slow
def test_frozen_version_is_the_package_version(executable, tmp_path):
    result = run([executable, "--version"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"lrdesk {__version__}"


@pytest.mark.slow
def test_frozen_smoke_run_shows_the_window_and_saves_a_real_screenshot(executable, tmp_path):
    shot = tmp_path / "smoke.png"
    result = run([executable, "--smoke", shot], tmp_path)
    assert result.returncode == 0, result.stderr
    assert check_screenshot.screenshot_problems(shot) == []
    (ROOT / "shots").mkdir(exist_ok=True)
    shutil.copyfile(shot, ROOT / "shots" / "frozen_smoke.png")


@pytest.fixture
def x_server():
    """A virtual X server (Xvfb) on a free display, stopped afterwards."""
    if shutil.which("Xvfb") is None:
        pytest.skip("Xvfb is not installed (Debian: apt-get install xvfb)")
    read_end, write_end = os.pipe()
    server = subprocess.Popen(["Xvfb", "-displayfd", str(write_end), "-screen", "0",
                               "1400x900x24", "-nolisten", "tcp"], pass_fds=(write_end,),
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(write_end)
    try:
        with os.fdopen(read_end) as display_numbers:  # Xvfb writes it once it accepts clients
            display = display_numbers.readline().strip()
        assert display, "Xvfb did not start"
        yield f":{display}"
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="X11: Linux only")
def test_frozen_app_runs_on_a_real_x11_display(executable, x_server, tmp_path):
    """The native xcb back-end, as on a Linux desktop (not just the offscreen one)."""
    shot = tmp_path / "x11.png"
    result = run([executable, "--smoke", shot], tmp_path, DISPLAY=x_server,
                 QT_QPA_PLATFORM="xcb")
    assert result.returncode == 0, result.stderr
    assert check_screenshot.screenshot_problems(shot) == []


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="X11: Linux only")
def test_frozen_3d_view_draws_the_surface_on_a_real_x11_display(executable, x_server, tmp_path):
    """PyOpenGL is in the bundle and draws: the self-check renders a surface and counts pixels,
    and `--view 3d --smoke` opens the window in the 3-D view."""
    result = run([executable], tmp_path, DISPLAY=x_server, QT_QPA_PLATFORM="xcb",
                 LRDESK_BUNDLE_CHECK="1")
    assert result.returncode == 0, result.stdout + result.stderr
    surface = json.loads(result.stdout)["surface3d"]
    if not surface["drawn"] and "driver" in surface["reason"]:
        pytest.skip(f"this machine's X server has no working OpenGL: {surface['reason']}")
    assert surface["drawn"] is True, surface
    assert surface["surface_share"] > 0.2 and surface["colours"] >= 16, surface
    shot = tmp_path / "x11_3d.png"
    result = run([executable, "--view", "3d", "--smoke", shot], tmp_path, DISPLAY=x_server,
                 QT_QPA_PLATFORM="xcb")
    assert result.returncode == 0, result.stderr
    assert check_screenshot.screenshot_problems(shot) == []


@pytest.mark.slow
def test_frozen_bundle_finds_its_modules_lessons_and_icon(bundle, executable, tmp_path):
    result = run([executable], tmp_path, LRDESK_BUNDLE_CHECK="1")
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads(result.stdout)
    index = json.loads((RESOURCES / "lessons" / "index.json").read_text(encoding="utf-8"))
    lesson_files = index if isinstance(index, list) else index.get("lessons", [])
    assert report["frozen"] is True
    assert report["version"] == __version__
    assert report["module_errors"] == {}
    assert report["modules"] >= len(helpers.package_modules(ROOT))
    assert report["lessons"]["count"] == len(lesson_files) > 0
    assert Path(report["lessons"]["folder"]).is_relative_to(bundle)  # the bundle's, not ours
    assert report["window_icon"]["opaque_share"] > 0.5
    assert report["typed_function"]["gradient_at_1_2"] == [2.0, 12.0]  # d/dx, d/dy of x²+3y²
    assert report["animated_gif"]["frames"] == 3
    # offscreen: the 3-D view's libraries load, and it says in words why it cannot draw
    assert report["surface3d"]["pyopengl"] and report["surface3d"]["drawn"] is False
    assert "OpenGL" in report["surface3d"]["reason"]
    assert report["problems"] == []


@pytest.mark.slow
def test_frozen_command_line_gives_the_same_numbers_as_the_package(executable, tmp_path):
    command = ["run", "--expr", "x**2 + 3*y**2", "--start", "1,2", "--lr", "0.05", "--lr", "0.4",
               "--steps", "60", "--format", "json"]
    frozen = run([executable, *command], tmp_path)
    source = run([sys.executable, "-m", "lrdesk", *command], tmp_path)
    assert frozen.returncode == source.returncode == 0, frozen.stderr + source.stderr
    assert json.loads(frozen.stdout) == json.loads(source.stdout)


@pytest.mark.slow
def test_bundle_leaves_out_what_the_app_does_not_use(bundle):
    files = [p.relative_to(bundle).as_posix() for p in bundle.rglob("*")]
    assert not [f for f in files if "/PyQt5" in f or "/PyQt6" in f or "/PySide2" in f]
    assert not [f for f in files if "Qt/translations/" in f]
    assert not [f for f in files if "QtNetwork" in f or "Qt6Network" in f or "tkinter" in f]
    assert [f for f in files if "/PySide6/QtOpenGL." in f], "pyqtgraph imports QtOpenGL"
    platforms = {contents.plugin_base_name(Path(f).name) for f in files
                 if "/Qt/plugins/platforms/" in f}
    assert "offscreen" in platforms and not platforms & {"linuxfb", "eglfs", "vnc", "minimal"}
    assert not [p for p in bundle.rglob("*") if p.is_symlink() and not p.exists()]


@pytest.mark.slow
def test_bundle_resources_are_the_checkout_files(bundle):
    shipped = next(p for p in bundle.rglob("resources") if (p / "lessons").is_dir())
    for source in [*(RESOURCES / "lessons").glob("*.json"), RESOURCES / "icons" / "lrdesk.svg"]:
        copy = shipped / source.relative_to(RESOURCES)
        assert copy.read_bytes() == source.read_bytes(), copy
    assert not list(shipped.rglob("*.ico")) and not (shipped / "desktop").exists()


def _missing_libraries(library: Path, search: list[Path]) -> list[str]:
    env = dict(os.environ, LD_LIBRARY_PATH=os.pathsep.join(map(str, search)))
    output = subprocess.run(["ldd", str(library)], capture_output=True, text=True, env=env,
                            check=False).stdout
    return sorted({line.split()[0] for line in output.splitlines() if "not found" in line})


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="ELF libraries: Linux only")
def test_bundle_carries_every_library_the_x11_plugin_needs(bundle):
    """Qt's xcb plugin fails to load on desktops without libxcb-icccm & co unless bundled."""
    if shutil.which("ldd") is None:
        pytest.skip("ldd is not installed")
    from PySide6 import QtCore

    qt = Path(QtCore.__file__).parent / "Qt"
    on_host = _missing_libraries(qt / "plugins" / "platforms" / "libqxcb.so", [qt / "lib"])
    if on_host:
        pytest.skip(f"the build machine itself lacks {on_host}, so no bundle built here can carry "
                    "them: apt-get install libxcb-icccm4 libxcb-keysyms1 libxcb-cursor0")
    internal = bundle / "_internal"
    plugin = internal / "PySide6" / "Qt" / "plugins" / "platforms" / "libqxcb.so"
    assert _missing_libraries(plugin, [internal, internal / "PySide6" / "Qt" / "lib"]) == []


# ------------------------------------------------------------------------------------------
# What goes into the bundle
# ------------------------------------------------------------------------------------------
def test_every_exclusion_has_a_reason_and_the_needed_qt_modules_stay():
    names = contents.excluded_module_names()
    assert len(names) == len(set(names))
    assert all(reason.strip() for _name, reason in contents.EXCLUDED_MODULES)
    for needed in ("PySide6.QtCore", "PySide6.QtGui", "PySide6.QtWidgets", "PySide6.QtOpenGL",
                   "PySide6.QtOpenGLWidgets", "PySide6.QtSvg", "numpy", "pyqtgraph", "sympy", "PIL"):
        assert needed not in names
    assert {"PyQt5", "PyQt6", "PySide2", "PySide6.QtNetwork", "tkinter"} <= set(names)


@pytest.mark.parametrize(("dest", "kept"), [
    ("PySide6/Qt/plugins/platforms/libqxcb.so", True),
    ("PySide6/Qt/plugins/platforms/libqoffscreen.so", True),
    ("PySide6/Qt/plugins/platforms/libqlinuxfb.so", False),
    ("PySide6\\Qt\\plugins\\platforms\\qwindows.dll", True),
    ("PySide6\\Qt\\plugins\\platforms\\qminimal.dll", False),
    ("PySide6/Qt/plugins/platforms/libqcocoa.dylib", True),
    ("PySide6/Qt/plugins/imageformats/libqsvg.so", True),
    ("PySide6/Qt/plugins/imageformats/libqtiff.so", False),
    ("PySide6/Qt/plugins/generic/libqevdevmouseplugin.so", False),
    ("PySide6/Qt/plugins/platformthemes/libqgtk3.so", False),
    ("PySide6/Qt/plugins/platformthemes/libqxdgdesktopportal.so", True),
    ("PySide6/Qt/plugins/platforminputcontexts/libibusplatforminputcontextplugin.so", True),
    ("PySide6/Qt/plugins/xcbglintegrations/libqxcb-glx-integration.so", True),
    ("PySide6/Qt/translations/qtbase_de.qm", False),
    ("PySide6/Qt/lib/libQt6Core.so.6", True),
    ("lrdesk/resources/lessons/index.json", True),
])
def test_plugin_and_data_rules(dest, kept):
    assert contents.keep_entry(dest) is kept


def test_libraries_only_a_dropped_plugin_needed_are_pruned():
    graph = {  # who links against whom, by path
        "/q/gtk3.so": ["/s/libgtk.so", "/s/libglib.so", "/q/libQt6Gui.so"],
        "/s/libgtk.so": ["/s/libcairo.so", "/s/libglib.so"],
        "/q/xcb.so": ["/q/libQt6Gui.so", "/s/libglib.so"],
        "/q/QtGui.abi3.so": ["/q/libQt6Gui.so"],
    }
    kept = [("plugins/platforms/xcb.so", "/q/xcb.so", "BINARY"),
            ("QtGui.abi3.so", "/q/QtGui.abi3.so", "EXTENSION"),
            ("libQt6Gui.so", "/q/libQt6Gui.so", "BINARY"),
            ("libgtk.so", "/s/libgtk.so", "BINARY"),
            ("libcairo.so", "/s/libcairo.so", "BINARY"),
            ("libglib.so", "/s/libglib.so", "BINARY")]
    dropped = [("plugins/platformthemes/gtk3.so", "/q/gtk3.so", "BINARY")]
    remaining, orphans = contents.prune_orphans(kept, dropped, lambda p: graph.get(p, []))
    assert {e[0] for e in orphans} == {"libgtk.so", "libcairo.so"}  # glib: xcb needs it too
    assert {e[0] for e in remaining} == {"plugins/platforms/xcb.so", "QtGui.abi3.so",
                                         "libQt6Gui.so", "libglib.so"}


def test_links_to_pruned_libraries_are_dropped_and_folder_links_kept():
    binaries = [("PySide6/Qt/lib/libQt6Gui.so.6", "/src/libQt6Gui.so.6", "BINARY"),
                ("Qt.framework/Versions/A/Qt", "/src/Qt", "BINARY")]
    links = [("libQt6Gui.so.6", "PySide6/Qt/lib/libQt6Gui.so.6", "SYMLINK"),
             ("libQt6Network.so.6", "PySide6/Qt/lib/libQt6Network.so.6", "SYMLINK"),
             ("Qt.framework/Versions/Current", "A", "SYMLINK"),
             ("Qt.framework/Qt", "Versions/Current/Qt", "SYMLINK")]
    kept, dropped = contents.drop_dangling_links(links, binaries)
    assert [e[0] for e in dropped] == ["libQt6Network.so.6"]
    assert len(kept) == 3


def test_spec_helpers_read_version_resources_and_hidden_imports():
    assert helpers.read_version(ROOT) == __version__
    datas = helpers.resource_datas(RESOURCES, "lrdesk/resources")
    shipped = {Path(dest, Path(src).name).as_posix() for src, dest in datas}
    for lesson in (RESOURCES / "lessons").glob("*.json"):
        assert f"lrdesk/resources/lessons/{lesson.name}" in shipped
    assert "lrdesk/resources/icons/lrdesk.svg" in shipped
    assert not [s for s in shipped if s.endswith((".ico", ".icns", ".pyc")) or "/desktop/" in s]
    hidden = helpers.lrdesk_hidden_imports(ROOT)
    assert {"lrdesk.gui.app", "lrdesk.core.expressions.custom", "sympy", "lrdesk.cli"} <= set(hidden)
    assert len(helpers.package_modules(ROOT)) == len(list((ROOT / "lrdesk").rglob("*.py")))


def test_windows_version_numbers():
    # The resource itself is built on Windows only (and checked there by the CI workflow).
    assert helpers._version_tuple("1.2.3") == (1, 2, 3, 0)
    assert helpers._version_tuple("2.0rc1") == (2, 0, 0, 0)


def test_build_variants_do_not_collide(tmp_path):
    onedir, onefile, bare = build.Variant(), build.Variant(onefile=True), build.Variant(bare=True)
    outputs = {v.output(tmp_path) for v in (onedir, onefile, bare)}
    assert len(outputs) == 3
    assert onefile.executable(tmp_path) == onefile.output(tmp_path)
    assert onedir.executable(tmp_path).parent == onedir.output(tmp_path)
    command = build.pyinstaller_command(onefile, tmp_path / "d", tmp_path / "w")
    assert command[-3:] == [str(build.SPEC), "--", "--onefile"]
    assert build.pyinstaller_command(onedir, tmp_path, tmp_path)[-1] == "--"


# ------------------------------------------------------------------------------------------
# Start-up probe and self-check, from the checkout (what the frozen entry runs)
# ------------------------------------------------------------------------------------------
def test_bare_reference_window_reports_its_first_paint(tmp_path):
    result = run([sys.executable, PACKAGING / "bare_app.py", "--smoke"], tmp_path, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["first-paint"]


def test_app_entry_reports_first_paint_and_closes_cleanly(tmp_path):
    result = run([sys.executable, PACKAGING / "lrdesk_entry.py"], tmp_path, timeout=60,
                 LRDESK_FIRST_PAINT_PROBE="1")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["first-paint"]
    assert "Traceback" not in result.stderr and "QThread" not in result.stderr


def test_self_check_from_the_checkout(tmp_path):
    result = run([sys.executable, PACKAGING / "lrdesk_entry.py"], tmp_path, timeout=120,
                 LRDESK_BUNDLE_CHECK="1")
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads(result.stdout)
    assert report["frozen"] is False and report["problems"] == []
    assert report["modules"] == len(helpers.package_modules(ROOT)) - 1  # all but __main__


# ------------------------------------------------------------------------------------------
# Icons
# ------------------------------------------------------------------------------------------
def test_committed_icons_are_renderings_of_the_svg(qapp, tmp_path):
    """Re-render the SVG: the committed PNGs must match (run render_icons.py after edits).
    (qapp: the renderer reuses the test QApplication instead of making a bare QGuiApplication.)"""
    render_icons.render_all(RESOURCES / "icons" / "lrdesk.svg", tmp_path)
    for size in render_icons.PNG_SIZES:
        committed = Image.open(RESOURCES / "icons" / render_icons.png_name(size)).convert("RGBA")
        fresh = Image.open(tmp_path / render_icons.png_name(size)).convert("RGBA")
        assert committed.size == fresh.size == (size, size)
        difference = np.abs(np.asarray(committed, float) - np.asarray(fresh, float))
        assert difference.mean() < 1.0, f"{size}px icon is out of date"


def test_icon_files_hold_every_size():
    with Image.open(RESOURCES / "icons" / "lrdesk.ico") as ico:
        assert {(s, s) for s in render_icons.ICO_SIZES} <= set(ico.info["sizes"])
    with Image.open(RESOURCES / "icons" / "lrdesk.icns") as icns:
        assert {(16, 16, 2), (128, 128, 1), (512, 512, 1), (512, 512, 2)} <= set(icns.info["sizes"])
    with Image.open(RESOURCES / "icons" / "lrdesk-256.png") as png:
        colours = png.convert("RGB").getcolors(maxcolors=256 * 256)
        assert len(colours) > 50  # a drawing, not a flat square


# ------------------------------------------------------------------------------------------
# Desktop integration
# ------------------------------------------------------------------------------------------
def _validate(tool: list[str], path: Path) -> None:
    if shutil.which(tool[0]) is None:
        pytest.skip(f"{tool[0]} is not installed (Debian: apt-get install "
                    f"{'desktop-file-utils' if 'desktop' in tool[0] else 'appstream'})")
    result = subprocess.run([*tool, str(path)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_desktop_file_is_valid():
    _validate(["desktop-file-validate"], DESKTOP_FILE)


def test_metainfo_is_valid():
    _validate(["appstreamcli", "validate", "--no-net"], METAINFO_FILE)


def test_desktop_file_metainfo_and_icon_name_agree():
    entry = dict(line.split("=", 1) for line in DESKTOP_FILE.read_text().splitlines() if "=" in line)
    component = ElementTree.parse(METAINFO_FILE).getroot()
    app_id = component.findtext("id")
    assert app_id == helpers.APP_ID == install_desktop.APP_ID == DESKTOP_FILE.stem
    assert component.findtext("launchable") == DESKTOP_FILE.name
    assert entry["Icon"] == component.findtext("icon") == app_id
    assert component.find("releases/release").get("version") == __version__


def exec_arguments(value: str) -> list[str]:
    """Split an Exec value as a desktop does (Desktop Entry Specification, "The Exec key")."""
    value = value.replace("\\\\", "\\")  # the string-value escape of a backslash
    arguments, current, quoted, escaped, started = [], "", False, False, False
    for ch in value:
        if escaped:
            current, escaped = current + ch, False
        elif quoted and ch == "\\":
            escaped = True
        elif ch == '"':
            quoted, started = not quoted, True
        elif ch == " " and not quoted:
            if started or current:
                arguments.append(current)
            current, started = "", False
        else:
            current += ch
    if started or current:
        arguments.append(current)
    return [a.replace("%%", "%") if a != "%F" else a for a in arguments]


def test_install_desktop_puts_everything_in_place_and_uninstall_removes_it(tmp_path):
    program = tmp_path / "my apps" / "lr$desk%"  # a space and characters that need escaping
    program.parent.mkdir()
    program.write_text("#!/bin/sh\n")
    program.chmod(0o755)
    prefix = tmp_path / "share"
    script = PACKAGING / "install_desktop.py"
    result = run([sys.executable, script, "--prefix", prefix, "--exec", program, "--no-refresh"],
                 tmp_path)
    assert result.returncode == 0, result.stderr
    placements = install_desktop.placements(prefix)
    assert all(p.target.is_file() for p in placements)
    for placement in placements:
        if placement.target.suffix == ".png":
            size = int(placement.target.parent.parent.name.split("x")[0])
            assert Image.open(placement.target).size == (size, size)
    desktop = prefix / "applications" / DESKTOP_FILE.name
    exec_line = next(x for x in desktop.read_text().splitlines() if x.startswith("Exec="))
    assert exec_arguments(exec_line[len("Exec="):]) == [str(program), "%F"]
    if shutil.which("desktop-file-validate"):
        _validate(["desktop-file-validate"], desktop)
    result = run([sys.executable, script, "--prefix", prefix, "--uninstall", "--no-refresh"],
                 tmp_path)
    assert result.returncode == 0, result.stderr
    assert not [p for p in prefix.rglob("*") if p.is_file()]


def test_install_desktop_refuses_a_missing_program(tmp_path):
    prefix = tmp_path / "share"
    result = run([sys.executable, PACKAGING / "install_desktop.py", "--prefix", prefix,
                  "--exec", tmp_path / "nowhere", "--no-refresh"], tmp_path)
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and "not an executable file" in result.stderr
    assert not prefix.exists()


# ------------------------------------------------------------------------------------------
# The screenshot check used by CI
# ------------------------------------------------------------------------------------------
def test_screenshot_check_rejects_blank_and_tiny_images(tmp_path):
    Image.new("RGB", (1280, 800), "white").save(tmp_path / "blank.png")
    gradient = np.random.default_rng(0).integers(0, 255, (40, 60, 3), dtype=np.uint8)
    Image.fromarray(gradient).save(tmp_path / "tiny.png")
    (tmp_path / "broken.png").write_bytes(b"not a png")
    assert any("blank" in p for p in check_screenshot.screenshot_problems(tmp_path / "blank.png"))
    assert any("too small" in p for p in check_screenshot.screenshot_problems(tmp_path / "tiny.png"))
    assert any("cannot read" in p for p in check_screenshot.screenshot_problems(tmp_path / "broken.png"))
    picture = np.random.default_rng(1).integers(0, 255, (800, 1280, 3), dtype=np.uint8)
    Image.fromarray(picture).save(tmp_path / "busy.png")
    assert check_screenshot.screenshot_problems(tmp_path / "busy.png") == []
