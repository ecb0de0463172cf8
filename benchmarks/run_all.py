"""Run every benchmark script in this folder, one after another, and print their reports.

Each script prints a table and writes its figures to ``benchmarks/results/NAME.json``.
Usage: ``python benchmarks/run_all.py [engine gui sweep train bundle]`` (default: all of them).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ORDER = ("engine", "gui", "sweep", "train", "bundle")


def main(argv: list[str]) -> int:
    names = argv or list(ORDER)
    failed = []
    for name in names:
        script = HERE / f"bench_{name}.py"
        if not script.exists():
            print(f"(no benchmark named {name!r})")
            failed.append(name)
            continue
        print(f"\n=== {name} " + "=" * (60 - len(name)), flush=True)
        if subprocess.call([sys.executable, str(script)]) != 0:
            failed.append(name)
    if failed:
        print(f"\nbenchmarks that failed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
