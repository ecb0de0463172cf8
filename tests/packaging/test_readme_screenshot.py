"""The README's picture of the window: the script makes a real one, and the README shows it."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "packaging" / "readme_screenshot.py"


def _screenshot_problems(path: Path) -> list[str]:
    spec = importlib.util.spec_from_file_location("lrdesk_readme_check", ROOT / "packaging" / "check_screenshot.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.screenshot_problems(path)


def test_the_script_saves_a_real_picture_of_the_window_mid_play(tmp_path):
    out = tmp_path / "shot.png"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_CONFIG_HOME=str(tmp_path))
    done = subprocess.run([sys.executable, str(SCRIPT), str(out)], capture_output=True, text=True,
                          env=env, timeout=180, check=False)
    assert done.returncode == 0, done.stderr
    assert _screenshot_problems(out) == []
    from PIL import Image

    with Image.open(out) as image:
        assert image.size == (1280, 800)


def test_the_readme_shows_the_screenshot_kept_in_the_checkout():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "](resources/screenshot.png)" in readme
    assert _screenshot_problems(ROOT / "resources" / "screenshot.png") == []
