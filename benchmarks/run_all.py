"""Run every benchmark script in this folder, one after another, and print their reports.

Each script prints a table, every figure beside its goal marked PASS or SHORT, and writes its
figures to ``benchmarks/results/latest/NAME.json`` (git-ignored). With ``--update-reference`` the
committed reference figures in ``benchmarks/results/NAME.json`` are rewritten instead.
Usage: ``python benchmarks/run_all.py [--update-reference] [engine gui sweep train bundle]``
(default: all of them; about 8 minutes on a 2-core machine, most of it the bundle build).
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ORDER = ("engine", "gui", "sweep", "train", "bundle")


def main(argv: list[str]) -> int:
    update = "--update-reference" in argv
    names = [a for a in argv if a != "--update-reference"] or list(ORDER)
    extra = ["--update-reference"] if update else []
    failed = []
    began = time.perf_counter()
    for name in names:
        script = HERE / f"bench_{name}.py"
        if not script.exists():
            print(f"(no benchmark named {name!r})")
            failed.append(name)
            continue
        print(f"\n=== {name} " + "=" * (60 - len(name)), flush=True)
        started = time.perf_counter()
        if subprocess.call([sys.executable, str(script), *extra]) != 0:
            failed.append(name)
        print(f"({name} took {time.perf_counter() - started:.0f} s)", flush=True)
    print(f"\nall benchmarks took {time.perf_counter() - began:.0f} s")
    if failed:
        print(f"\nbenchmarks that failed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
