"""Frozen bundle size and start-up time: LR Desk next to a bare PySide6 + pyqtgraph window.

Both bundles are built by packaging/build.py from the same spec with the same exclusions (the
bare one from packaging/bare_app.py). Measured:
- one-folder size on disk and as .tar.gz (compression level 9), with the ratio app / bare
  (goal: at most 1.2) and the largest parts the app adds;
- start-up: wall time from launching the frozen executable to its window's first paint
  (offscreen; the process prints `first-paint`, see packaging/first_paint.py), median of
  several starts after one unmeasured start that warms the file cache, with the ratio.
  The machine's file cache is not dropped (that needs root), so these are warm-cache starts.
Usage: `python benchmarks/bench_bundle.py [--starts 5] [--onefile] [--no-build]`.
Writes benchmarks/results/bundle.json.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _report import beside_goal, load_note, results_path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = results_path("bundle")  # results/latest/ unless --update-reference
START_TIMEOUT_S = 120


def _load_build_module():
    # packaging/ is not a package (and its name is taken by the PyPI 'packaging'): load by path.
    spec = importlib.util.spec_from_file_location("lrdesk_build", ROOT / "packaging" / "build.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


build_module = _load_build_module()


def time_first_paint(executable: Path, settings_dir: Path) -> float:
    """Seconds from launching the executable until it reports its first painted window."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", LRDESK_FIRST_PAINT_PROBE="1",
               XDG_CONFIG_HOME=str(settings_dir))
    env.pop("PYTHONPATH", None)
    started = time.perf_counter()
    process = subprocess.Popen([str(executable)], stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, env=env, cwd=settings_dir, text=True)
    try:
        for line in process.stdout:
            if line.strip() == "first-paint":
                elapsed = time.perf_counter() - started
                break
        else:
            raise RuntimeError(f"{executable} exited without painting a window")
        process.wait(timeout=START_TIMEOUT_S)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    if process.returncode != 0:
        raise RuntimeError(f"{executable} exited with status {process.returncode}")
    return elapsed


def start_times(executable: Path, count: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="lrdesk-bench-") as folder:
        first = time_first_paint(executable, Path(folder))  # also warms the file cache
        times = [time_first_paint(executable, Path(folder)) for _ in range(count)]
    return {"first_start_s": first, "median_s": statistics.median(times),
            "min_s": min(times), "max_s": max(times), "starts": times}


def archive_size(output: Path) -> int:
    with tempfile.TemporaryDirectory(prefix="lrdesk-bench-") as folder:
        archive = build_module.make_archive(output, Path(folder) / output.name)
        return archive.stat().st_size


def largest_additions(app_folder: Path, bare_folder: Path, count: int = 6) -> list[dict]:
    """The parts of the app bundle that the bare bundle lacks (or that are bigger in the app),
    largest first: the executable (which holds the compiled Python code) and each entry of
    its _internal folder."""

    def parts(folder: Path, executable_name: str) -> dict[str, int]:
        internal = folder / "_internal"
        sizes = {p.name: build_module.folder_size(p) for p in internal.iterdir()}
        executable = next(p for p in folder.iterdir() if p.name.startswith(executable_name))
        sizes["executable (Python code)"] = executable.stat().st_size
        return sizes

    app, bare = parts(app_folder, "lrdesk"), parts(bare_folder, "lrdesk-bare")
    extra = {name: size - bare.get(name, 0) for name, size in app.items()}
    top = sorted(((size, name) for name, size in extra.items() if size > 0), reverse=True)[:count]
    return [{"part": name, "mb": round(size / 1e6, 2)} for size, name in top]


def measure(variant, dist: Path, work: Path, build: bool, starts: int) -> dict:
    began = time.perf_counter()
    if build:
        build_module.build(variant, dist, work)
    build_seconds = time.perf_counter() - began if build else None
    output = variant.output(dist)
    executable = variant.executable(dist)
    if not executable.is_file():
        raise FileNotFoundError(f"{executable} is missing: build it first or drop --no-build")
    return {
        "output": str(output),
        "build_s": build_seconds,
        "size_bytes": build_module.folder_size(output),
        "targz_bytes": archive_size(output),
        "start": start_times(executable, starts),
    }


def ratio(app: dict, bare: dict, *keys: str) -> float:
    a, b = app, bare
    for key in keys:
        a, b = a[key], b[key]
    return a / b


def report_rows(kind: str, app: dict, bare: dict) -> list[tuple[str, str, str, str]]:
    mb = 1e6
    return [
        (f"{kind}: size on disk (MB)", f"{app['size_bytes'] / mb:.1f}",
         f"{bare['size_bytes'] / mb:.1f}", f"{ratio(app, bare, 'size_bytes'):.2f}"),
        (f"{kind}: .tar.gz (MB)", f"{app['targz_bytes'] / mb:.1f}",
         f"{bare['targz_bytes'] / mb:.1f}", f"{ratio(app, bare, 'targz_bytes'):.2f}"),
        (f"{kind}: first start (s)", f"{app['start']['first_start_s']:.2f}",
         f"{bare['start']['first_start_s']:.2f}",
         f"{ratio(app, bare, 'start', 'first_start_s'):.2f}"),
        (f"{kind}: start, median (s)", f"{app['start']['median_s']:.2f}",
         f"{bare['start']['median_s']:.2f}", f"{ratio(app, bare, 'start', 'median_s'):.2f}"),
    ]


def print_table(rows: list[tuple[str, str, str, str]]) -> None:
    header = ("", "LR Desk", "bare window", "ratio")
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(4)]
    for row in [header, *rows]:
        print("  ".join(cell.ljust(widths[0]) if i == 0 else cell.rjust(widths[i])
                        for i, cell in enumerate(row)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Bundle size and start-up, app vs bare window.")
    parser.add_argument("--starts", type=int, default=5, help="measured starts per bundle")
    parser.add_argument("--onefile", action="store_true", help="also measure one-file builds")
    parser.add_argument("--no-build", action="store_true", help="measure the existing builds")
    parser.add_argument("--dist", type=Path, default=build_module.DEFAULT_DIST)
    parser.add_argument("--work", type=Path, default=build_module.DEFAULT_WORK)
    parser.add_argument("--keep", action="store_true",
                        help="keep the bundles built (by default they are removed afterwards)")
    args = parser.parse_args(argv)
    Variant = build_module.Variant
    scratch = None
    if not (args.keep or args.no_build):  # build in a scratch folder, removed at the end
        scratch = Path(tempfile.mkdtemp(prefix="lrdesk-bundle-bench-"))
        args.dist, args.work = scratch / "dist", scratch / "build"
    kinds = [("one-folder", False)] + ([("one-file", True)] if args.onefile else [])
    results: dict = {"machine": {"python": platform.python_version(), "system": platform.platform(),
                                 "cpus": os.cpu_count()}}
    rows = []
    for kind, onefile in kinds:
        measured = {}
        for bare in (False, True):
            variant = Variant(onefile=onefile, bare=bare)
            print(f"building and timing {variant.label} ...", flush=True)
            measured["bare" if bare else "app"] = measure(
                variant, args.dist.resolve(), args.work.resolve(), not args.no_build, args.starts)
        app, bare = measured["app"], measured["bare"]
        results[kind] = {
            "app": app, "bare": bare,
            "size_ratio": ratio(app, bare, "size_bytes"),
            "targz_ratio": ratio(app, bare, "targz_bytes"),
            "start_median_ratio": ratio(app, bare, "start", "median_s"),
        }
        if not onefile:
            results[kind]["largest_additions"] = largest_additions(
                Path(app["output"]), Path(bare["output"]))
        rows += report_rows(kind, app, bare)
    print()
    print_table(rows)
    for kind, _ in kinds:
        print(f"{kind}: size ratio app / bare {beside_goal(results[kind]['size_ratio'], 1.2, 'x')}")
    print(load_note())
    additions = results["one-folder"].get("largest_additions", [])
    if additions:
        print("largest parts the app adds (MB): "
              + ", ".join(f"{a['part']} {a['mb']:.1f}" for a in additions))
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {RESULTS}")
    if scratch is None:
        print(f"bundles left in {args.dist.resolve()} (intermediate files in {args.work.resolve()})")
    else:
        shutil.rmtree(scratch, ignore_errors=True)
        print(f"removed the bundles built in {scratch} (--keep builds into {args.dist} and keeps them)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
