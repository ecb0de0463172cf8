"""How long a typed formula takes to be built (or refused): the symbolic stage's worst cases.

Measured, each formula built once with an empty cache (parse, sympy, derivatives, NumPy code):
- the hostile formulas from the hardening work (nested powers under abs, powers of sums of
  square roots and logs under abs and tanh), which took from 3 s to minutes before;
- 400 random formulas of at most 109 characters from a fixed seed (abs, sqrt, log, exp, sin,
  tanh, cosh, atan, powers 2..100, 0.5, -1), in one process.
Reported: median, 99th percentile and worst build time, and how many were refused. The goal:
every build or refusal well under a second. sympy's import (about half a second) is paid once,
before the timing.

Usage: ``python benchmarks/bench_formulas.py``. Prints a table and writes
``benchmarks/results/formulas.json``.
"""

from __future__ import annotations

import json
import os
import platform
import random
import time
from pathlib import Path

import numpy as np
from _report import results_path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = results_path("formulas")  # results/latest/ unless --update-reference
HOSTILE = [
    "abs(abs(w-1)^100-w)^100",
    "abs((3+sqrt(3)-sqrt(w))^100)",
    "abs(sqrt((log(y)*sqrt(2)+0.5+abs(1))^100))",
    "abs(((y)^0.5/2/y+2/exp(x))^100)",
    "0.5*abs(abs(3))/tanh((log(w))^100)/abs(3+2+log(w)+abs(sqrt(2)))",
    "abs(tanh(abs(abs(abs(3)))/(sqrt(y)+(3)^0.5)^10))",
]
COUNT, MAX_CHARS, SEED = 400, 109, 2026


def random_formula(rng: random.Random, variables: list[str], depth: int) -> str:
    if depth == 0 or rng.random() < 0.2:
        return rng.choice([*variables, "1", "2", "3", "0.5", "pi"])
    kind = rng.random()
    inner = random_formula(rng, variables, depth - 1)
    if kind < 0.3:
        return f"abs({inner})"
    if kind < 0.55:
        return f"({inner})^{rng.choice(['2', '3', '7', '10', '50', '100', '0.5', '-1'])}"
    if kind < 0.8:
        return f"{inner}{rng.choice('+-*/')}{random_formula(rng, variables, depth - 1)}"
    return f"{rng.choice(['sqrt', 'log', 'exp', 'sin', 'tanh', 'cosh', 'atan'])}({inner})"


def corpus() -> list[str]:
    rng = random.Random(SEED)
    found: list[str] = []
    while len(found) < COUNT:
        text = random_formula(rng, rng.choice([["w"], ["x", "y"]]), rng.randint(2, 7))
        if len(text) <= MAX_CHARS and text not in found:
            found.append(text)
    return found


def build_time(text: str) -> tuple[float, bool]:
    from lrdesk.core.expressions import custom

    with custom._cache_lock:
        custom._cache.clear()
    started = time.perf_counter()
    try:
        custom.compile_expression(text)
        refused = False
    except custom.ExpressionError:
        refused = True
    return time.perf_counter() - started, refused


def main() -> int:
    import sympy  # noqa: F401  (paid once, outside the timings)

    figures = {"machine": platform.node(), "load_average": os.getloadavg()[0]}
    for name, texts in (("hostile", HOSTILE), ("random", corpus())):
        results = [build_time(t) for t in texts]
        seconds = np.array([s for s, _ in results])
        worst = texts[int(np.argmax(seconds))]
        figures[name] = {
            "formulas": len(texts), "refused": int(sum(r for _, r in results)),
            "median_ms": 1000 * float(np.median(seconds)),
            "p99_ms": 1000 * float(np.percentile(seconds, 99)),
            "max_ms": 1000 * float(seconds.max()), "slowest": worst,
        }
        f = figures[name]
        print(f"{name:8} {f['formulas']:4} formulas, {f['refused']:3} refused: median "
              f"{f['median_ms']:6.1f} ms, p99 {f['p99_ms']:6.1f} ms, max {f['max_ms']:6.1f} ms "
              f"({worst[:50]})")
    print(f"load average {figures['load_average']:.1f} (goal: every build well under 1,000 ms)")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(figures, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
