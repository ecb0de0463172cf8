"""What every benchmark shares: where its figures go, and a pass/short mark beside each goal.

Figures are written to ``benchmarks/results/latest/NAME.json`` (git-ignored), so running the
benchmarks leaves the checkout clean. The committed reference figures in
``benchmarks/results/NAME.json`` are rewritten only when ``--update-reference`` is given (to a
script or to ``run_all.py``), or when ``LRDESK_BENCH_UPDATE_REFERENCE=1`` is set.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "benchmarks" / "results"
LATEST = REFERENCE / "latest"
UPDATE_FLAG = "--update-reference"


def take_update_flag(argv: list[str]) -> bool:
    """Whether the reference figures are to be rewritten; removes the flag from ``argv``."""
    asked = UPDATE_FLAG in argv
    while UPDATE_FLAG in argv:
        argv.remove(UPDATE_FLAG)
    return asked or os.environ.get("LRDESK_BENCH_UPDATE_REFERENCE") == "1"


UPDATE_REFERENCE = take_update_flag(sys.argv)


def results_path(name: str) -> Path:
    folder = REFERENCE if UPDATE_REFERENCE else LATEST
    return folder / f"{name}.json"


def write_results(name: str, figures: dict, indent: int = 2) -> Path:
    path = results_path(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(figures, indent=indent) + "\n", encoding="utf-8")
    where = "reference figures updated" if UPDATE_REFERENCE else "figures written"
    try:
        shown = path.relative_to(ROOT)
    except ValueError:
        shown = path
    print(f"{where}: {shown}")
    return path


def mark(value: float, goal: float, higher_is_better: bool = False) -> str:
    """'PASS' when ``value`` meets ``goal`` (at most it, or at least it), else 'SHORT'."""
    ok = value >= goal if higher_is_better else value <= goal
    return "PASS" if ok else "SHORT"


def beside_goal(value: float, goal: float, unit: str = "", higher_is_better: bool = False,
                digits: int = 2) -> str:
    """'0.42 s  (goal <= 0.50 s)  PASS'."""
    sign = ">=" if higher_is_better else "<="
    return (f"{value:.{digits}f}{unit}  (goal {sign} {goal:.{digits}f}{unit})  "
            f"{mark(value, goal, higher_is_better)}")


def load_note() -> str:
    """A sentence on how busy the machine was (other programs lengthen every figure)."""
    try:
        one, _, _ = os.getloadavg()
    except OSError:
        return ""
    cpus = os.cpu_count() or 1
    busy = "busy: figures are inflated by other work" if one > 0.7 * cpus else "quiet"
    return f"load average {one:.1f} on {cpus} CPUs ({busy})"


def event_loop_lateness(app, tick_ms: float, seconds: float, at_end=None) -> list[float]:
    """Run ``app``'s event loop for ``seconds`` with a precise ``tick_ms`` timer and return how
    late each tick came (ms): what a user feels as a stuck window. ``at_end()`` runs in the loop
    just before it quits (to read state while everything still runs)."""
    from PySide6.QtCore import QElapsedTimer, QTimer

    lateness: list[float] = []
    clock = QElapsedTimer()
    clock.start()
    last = [clock.nsecsElapsed()]
    timer = QTimer()

    def tick() -> None:
        now = clock.nsecsElapsed()
        lateness.append(max(0.0, (now - last[0]) / 1e6 - tick_ms))
        last[0] = now
        if now > seconds * 1e9:
            timer.stop()
            if at_end is not None:
                at_end()
            app.quit()

    timer.setTimerType(timer.timerType().PreciseTimer)
    timer.setInterval(int(tick_ms))
    timer.timeout.connect(tick)
    timer.start()
    app.exec()
    return lateness
