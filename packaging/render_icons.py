"""Render the application icon (resources/icons/lrdesk.svg) to PNG sizes, a Windows .ico and a macOS .icns.

Run after editing the SVG: `.venv/bin/python packaging/render_icons.py`. The outputs are committed,
so building a bundle or installing the desktop entry never needs this step.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ICON_FOLDER = ROOT / "resources" / "icons"
SVG_NAME = "lrdesk.svg"
# The sizes of the freedesktop hicolor theme that matter for an application icon.
PNG_SIZES = (16, 32, 48, 64, 128, 256, 512)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)  # what Windows asks for (256 is the largest it reads)
ICNS_SIZES = (16, 32, 64, 128, 256, 512, 1024)  # 1024 is the 512@2x Retina slot


def png_name(size: int) -> str:
    return f"lrdesk-{size}.png"


def render_png_bytes(svg_path: Path, size: int) -> bytes:
    """Rasterise the SVG to a size x size PNG with Qt's own SVG renderer (no display needed)."""
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice
    from PySide6.QtGui import QColor, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(str(svg_path))
    if not renderer.isValid():
        raise ValueError(f"{svg_path} is not a valid SVG file")
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(QColor(0, 0, 0, 0))
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter)
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    buffer.close()
    return bytes(data.data())


def _ensure_gui_application():
    """QPainter needs a QGuiApplication; offscreen so that this runs on build machines too."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QGuiApplication

    return QGuiApplication.instance() or QGuiApplication([sys.argv[0]])


def _pillow_images(svg_path: Path, sizes: tuple[int, ...]) -> list:
    from PIL import Image

    return [Image.open(io.BytesIO(render_png_bytes(svg_path, s))).convert("RGBA") for s in sizes]


def write_ico(svg_path: Path, target: Path) -> None:
    """Each size rendered from the SVG (not scaled down from one bitmap), so small sizes stay sharp."""
    images = _pillow_images(svg_path, ICO_SIZES)
    largest = images[-1]
    largest.save(target, format="ICO", sizes=[(s, s) for s in ICO_SIZES], append_images=images[:-1])


def write_icns(svg_path: Path, target: Path) -> None:
    images = _pillow_images(svg_path, ICNS_SIZES)
    largest = images[-1]
    largest.save(target, format="ICNS", append_images=images[:-1])


def render_all(svg_path: Path, folder: Path) -> list[Path]:
    """Write every PNG size, the .ico and the .icns into folder; return the files written."""
    _ensure_gui_application()
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for size in PNG_SIZES:
        target = folder / png_name(size)
        target.write_bytes(render_png_bytes(svg_path, size))
        written.append(target)
    write_ico(svg_path, folder / "lrdesk.ico")
    write_icns(svg_path, folder / "lrdesk.icns")
    written += [folder / "lrdesk.ico", folder / "lrdesk.icns"]
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--svg", type=Path, default=ICON_FOLDER / SVG_NAME, help="the source SVG")
    parser.add_argument("--out", type=Path, default=ICON_FOLDER, help="folder for the outputs")
    args = parser.parse_args(argv)
    for path in render_all(args.svg, args.out):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
