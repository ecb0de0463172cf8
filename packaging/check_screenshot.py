"""Check that a smoke-run screenshot is a real picture of the window, not a blank or tiny image.

Usage: `python packaging/check_screenshot.py OUT.png` (exit 0 when it looks right, 1 with the
reason otherwise). Used by CI after `lrdesk --smoke OUT.png` and by tests/test_packaging.py.
"""

from __future__ import annotations

import sys
from pathlib import Path

MIN_WIDTH = 640
MIN_HEIGHT = 400
# A real window has text, plot lines in several run colours, a banner: far more than a
# handful of distinct colours. A blank or single-colour image has one or two.
MIN_DISTINCT_COLOURS = 16
# No single colour may cover (almost) everything: that would be an empty window.
MAX_DOMINANT_SHARE = 0.97


def screenshot_problems(path: Path) -> list[str]:
    """Everything wrong with the screenshot at path; an empty list when it looks right."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as opened:
            image = opened.convert("RGB")
    except (OSError, UnidentifiedImageError) as error:
        return [f"cannot read {path} as an image ({error})"]
    problems = []
    width, height = image.size
    if width < MIN_WIDTH or height < MIN_HEIGHT:
        problems.append(f"too small: {width}x{height} (at least {MIN_WIDTH}x{MIN_HEIGHT})")
    colours = image.getcolors(maxcolors=width * height) or []
    if len(colours) < MIN_DISTINCT_COLOURS:
        problems.append(f"only {len(colours)} distinct colours: the window looks blank")
    elif max(count for count, _ in colours) > MAX_DOMINANT_SHARE * width * height:
        problems.append("one colour covers almost the whole image: the window looks blank")
    return problems


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 1:
        print("usage: check_screenshot.py OUT.png", file=sys.stderr)
        return 2
    problems = screenshot_problems(Path(args[0]))
    for problem in problems:
        print(f"check_screenshot.py: {args[0]}: {problem}", file=sys.stderr)
    if not problems:
        print(f"{args[0]}: looks like a real screenshot")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
